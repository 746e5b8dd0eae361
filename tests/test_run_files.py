"""A run folder's files are input like any other: every value of `config.json`, `tokenizer.json`, `run.json` and
`data.json` a file could hold (a huge or negative number, a string, null, a list, a missing or an unknown key, bytes
that are not UTF-8 or not JSON, a file of megabytes) either loads or is refused with one `InputError` naming the file,
before anything is built from it: never another exception, never a large allocation. The command line prints that one
line and exits with 1."""
import contextlib, io, json, resource, shutil
from pathlib import Path
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pixelbytes.core import InputError, Run
from pixelbytes.train import train_model

FILES = ('config.json', 'tokenizer.json', 'run.json', 'data.json')
KEPT = (*FILES, 'model.safetensors', 'tokens')


def peak_mb() -> float:
    "The process's peak resident memory so far, in MB (Linux reports kilobytes)."
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory) -> Path:
    "A finished run of a tiny model on 24 creatures, one epoch: made once (a few seconds)."
    out = tmp_path_factory.mktemp('runs')/'tiny'
    train_model('creatures', str(out), n=24, embed_size=12, hidden_size=24, num_layers=1, memory_size=0,
                position_size=0, seq_length=64, stride=64, bs=4, epochs=1, progress=False)
    from pixelbytes.evaluate import run_windows
    from pixelbytes.hub import load_run
    load_run(out), run_windows(out)                 # imported and warmed up before memory is measured
    return out


def copy_run(src: Path, dst: Path) -> Path:
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    for name in KEPT:
        (shutil.copytree if (src/name).is_dir() else shutil.copy)(src/name, dst/name)
    return dst


def load_everything(folder: Path):
    "What reading a run does: the generator's `load_run`, the settings, the data record, `evaluate`'s windows."
    from pixelbytes.evaluate import run_windows
    from pixelbytes.hub import load_run
    load_run(folder)
    Run(folder).settings
    Run(folder).data
    windows = run_windows(folder)
    if len(windows):
        windows[len(windows) - 1]


VALUES = st.one_of(
    st.sampled_from([0, 1, -1, 2, 10**12, -10**12, 2**63, 10**30, 0.5, -0.0, 1e300, float('nan'), float('inf'), True,
                     False, None, '', 'x', '12', [], {}, [1, 2], [-1], [10**12], ['text'], {'a': 1}, [[0]]]),
    st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.integers(-5, 300), max_size=4),
    st.dictionaries(st.text(max_size=5), st.integers(-3, 3), max_size=2),
)


def key_paths(value) -> list[tuple]:
    "The top-level keys of a JSON object and one level below (a nested object's keys, a list's first element)."
    paths = []
    for k, v in value.items():
        paths.append((k,))
        if isinstance(v, dict):
            paths += [(k, kk) for kk in v]
        elif isinstance(v, list) and v:
            paths.append((k, 0))
            if isinstance(v[0], dict):
                paths += [(k, 0, kk) for kk in v[0]]
    return paths


@st.composite
def corruptions(draw) -> tuple[str, object]:
    "A file and what happens to it: ('set', path, value), ('delete', path), ('add', key, value) or ('raw', bytes)."
    file = draw(st.sampled_from(FILES))
    kind = draw(st.sampled_from(['set', 'set', 'set', 'delete', 'add', 'raw']))
    if kind == 'raw':
        return file, ('raw', draw(st.sampled_from([b'\xff\xfe{', b'{"a": "\xc3\x28"}', b'{"n": 1', b'[' * 50_000,
                                                   b'1' * 5_000, b'null', b'[]', b'"x"', b' ' * (17 << 20)])))
    if kind == 'add':
        return file, ('add', draw(st.text(min_size=1, max_size=8)), draw(VALUES))
    return file, (kind, draw(st.integers(0, 10**6)), draw(VALUES))


def corrupt(folder: Path, file: str, change: tuple):
    path = folder/file
    if change[0] == 'raw':
        path.write_bytes(change[1])
        return
    data = json.loads(path.read_text())
    if change[0] == 'add':
        data[change[1]] = change[2]
    else:
        paths = key_paths(data)
        where = paths[change[1] % len(paths)]
        parent = data
        for k in where[:-1]:
            parent = parent[k]
        if change[0] == 'delete':
            del parent[where[-1]]
        else:
            parent[where[-1]] = change[2]
    path.write_text(json.dumps(data))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(corruptions())
def test_a_corrupted_run_file_loads_or_is_one_input_error(tiny_run, tmp_path, corruption):
    file, change = corruption
    folder = copy_run(tiny_run, tmp_path/'run')
    corrupt(folder, file, change)
    before = peak_mb()
    try:
        load_everything(folder)
    except InputError as e:
        # the file changed, or the weights that no longer fit its configuration
        named = (file, 'model.safetensors') if file == 'config.json' else (file,)
        assert any(n in str(e) for n in named), f'{file} {change!r:.200}: {e}'
        assert '\n' not in str(e)
    assert peak_mb() - before < 500, f'{file} {change!r:.200}: {peak_mb() - before:.0f} MB more at peak'


@pytest.mark.parametrize('file, change, why', [
    ('config.json', ('set', 'hidden_size', 10**12), 'hidden_size: expected less than or equal to 8192'),
    ('config.json', ('set', 'vocab_size', 10**9), 'vocab_size: expected less than or equal to 65536'),
    ('config.json', ('set', 'num_layers', -1), 'num_layers: expected greater than or equal to 1'),
    ('config.json', ('set', 'embed_size', '12'), "embed_size: expected a valid integer, got '12'"),
    ('config.json', ('set', 'colour', 'red'), 'colour: not a key of this file'),
    ('run.json', ('set', 'seq_length', 2**40), 'seq_length: expected less than or equal to 65536'),
    ('run.json', ('delete', 'stride'), 'stride: missing'),
    ('data.json', ('set', 'valid', [10**6]), 'valid: item 1000000 is not in the token cache'),
    ('data.json', ('set', 'train', 'all'), 'train: expected a valid list'),
    ('tokenizer.json', ('raw', b'{"config": "\xff"}'), 'not UTF-8 text'),
    ('tokenizer.json', ('raw', b' ' * (2 << 20)), 'more than 1,048,576 bytes'),
])
def test_each_file_names_the_key_and_what_was_expected(tiny_run, tmp_path, file, change, why):
    folder = copy_run(tiny_run, tmp_path/'run')
    path = folder/file
    if change[0] == 'raw':
        path.write_bytes(change[1])
    else:
        data = json.loads(path.read_text())
        if change[0] == 'delete':
            del data[change[1]]
        else:
            data[change[1]] = change[2]
        path.write_text(json.dumps(data))
    with pytest.raises(InputError) as e:
        load_everything(folder)
    assert file in str(e.value) and why in str(e.value), str(e.value)


@pytest.mark.parametrize('command', [['generate', '--text', 'x'], ['evaluate', '--no-progress']])
def test_the_command_line_prints_one_line_and_exits_1(tiny_run, tmp_path, command):
    from pixelbytes.cli import main
    folder = copy_run(tiny_run, tmp_path/'run')
    config = json.loads((folder/'config.json').read_text())
    (folder/'config.json').write_text(json.dumps({**config, 'hidden_size': 10**12}))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([command[0], str(folder), *command[1:], *(['--out', str(tmp_path/'drawn')]
                                                               if command[0] == 'generate' else [])])
    lines = err.getvalue().strip().split('\n')
    assert code == 1 and len(lines) == 1, err.getvalue()
    assert lines[0].startswith(f'pixelbytes {command[0]}: ') and 'config.json' in lines[0], lines[0]
    assert 'hidden_size: expected less than or equal to 8192, got 1000000000000' in lines[0]
    assert not (tmp_path/'drawn').exists() or not any((tmp_path/'drawn').iterdir())
