"""The `pixelbytes` command as users meet it: help, version and input errors without importing torch or fastai, every
option documented, labelled lines instead of progress bars in a log, clear offline errors, light `import pixelbytes`,
and the README's "from Python" example run as written."""
import json, os, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ('torch', 'fastai', 'datasets', 'librosa', 'transformers', 'accelerate')
ENV = {**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1'}

PROBE = """
import contextlib, io, json, sys
from pixelbytes.cli import main, COMMANDS, command_parser
codes, out = {}, io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
    for args in (['--help'], ['--version'], [], ['nope'], *[[c, '--help'] for c in COMMANDS],
                 ['train', '--epochs', 'x'], ['generate', 'no-such-folder'],
                 ['generate', 'runs-missing/x', '--then', 'video']):
        codes[' '.join(args)] = main(args)
undocumented = [f'{c} {a.option_strings[0]}' for c in COMMANDS for a in command_parser(c)._actions
                if a.option_strings and not (a.help or '').strip().split(' (default')[0].strip()]
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:]))
print(json.dumps({'codes': codes, 'heavy': heavy, 'undocumented': undocumented, 'text': out.getvalue()}))
"""


def probe() -> dict:
    done = subprocess.run([sys.executable, '-c', PROBE, *HEAVY], capture_output=True, text=True, env=ENV, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_help_version_and_errors_import_nothing_heavy():
    "Help, version, argument errors and a missing run folder: answered without importing torch, fastai or datasets."
    r = probe()
    assert r['heavy'] == [], f'imported {r["heavy"]} just to answer help or an error'
    codes = r['codes']
    assert codes['--help'] == 0 and codes['--version'] == 0 and codes[''] == 2 and codes['nope'] == 2
    assert all(codes[f'{c} --help'] == 0 for c in ('demo', 'train', 'generate', 'evaluate', 'control', 'push'))
    assert codes['train --epochs x'] == 2                                  # argparse: usage and the error
    assert codes['generate no-such-folder'] == 1
    assert 'pixelbytes generate: no-such-folder: no such run folder' in r['text']
    assert "pixelbytes generate: --then: unknown modality 'video'" in r['text']   # checked before any file is read
    assert 'pixelbytes generate: pixelbytes generate' not in r['text']      # the command's name once, not twice
    assert re.search(r'pixelbytes \d+\.\d+\.\d+', r['text'])


def test_every_option_is_documented():
    r = probe()
    assert r['undocumented'] == [], f'options without help: {r["undocumented"]}'
    text = r['text']
    for name in ('demo', 'train', 'generate', 'evaluate', 'control', 'push'):   # the top-level help: one line each
        assert re.search(rf'^  {name}\s+\S.+$', text, re.M), name
    assert '--no-progress' in text and 'hide the progress bars' in text
    assert 'skipped.log' in text and 'images/' in text                     # `train --help` explains a data folder


def test_import_pixelbytes_is_light_and_exports_the_api():
    code = (
        "import sys, pixelbytes; heavy = [m for m in sys.argv[1:] if m in sys.modules]; "
        "import pixelbytes.generate as submodule; from pixelbytes import generate, load_run, train_model, "
        "build_dataset, PixelBytesTokenizer; "
        "print(heavy, callable(generate), submodule is generate, generate.generate.__module__)"
    )
    done = subprocess.run([sys.executable, '-c', code, *HEAVY], capture_output=True, text=True, env=ENV, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split('\n')[0] == "[] True True pixelbytes.generate", done.stdout


def test_offline_hub_errors_are_one_clear_line(tmp_path):
    env = {**ENV, 'HF_HUB_OFFLINE': '1', 'HF_HOME': str(tmp_path/'hf')}
    run = tmp_path/'run'
    run.mkdir()
    for f in ('config.json', 'tokenizer.json', 'run.json'):
        (run / f).write_text('{}')
    (run/'model.safetensors').write_bytes(b'')
    for args in (['generate', 'someone/no-such-run'], ['push', str(run), 'someone/my-run']):
        done = subprocess.run([sys.executable, '-m', 'pixelbytes.cli', *args], capture_output=True, text=True, env=env,
                              cwd=tmp_path, timeout=300)
        assert done.returncode == 1, done.stderr
        assert 'offline mode is on (HF_HUB_OFFLINE)' in done.stderr and 'Traceback' not in done.stderr, done.stderr
        assert done.stderr.count('\n') == 1, done.stderr


def test_log_gets_labelled_epoch_lines_not_bars(tmp_path):
    "Output to a pipe: one labelled line per epoch, no bar redraws (progress left on, as by default)."
    cmd = [sys.executable, '-m', 'pixelbytes.cli', 'train', '--out', str(tmp_path/'run'), '--n', '24', '--epochs', '2',
           '--embed_size', '8', '--hidden_size', '16', '--seq_length', '64', '--stride', '64']
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [l for l in done.stdout.splitlines() if l.startswith('epoch ')]
    assert [l.split(':')[0] for l in lines] == ['epoch 0', 'epoch 1'], done.stdout
    assert 'train_loss' in lines[0] and 'valid_loss' in lines[0] and 'all_acc' in lines[0]
    assert '█' not in done.stdout + done.stderr and '\r' not in done.stdout + done.stderr
    assert len(done.stdout) + len(done.stderr) < 5000
    assert (tmp_path/'run'/'command.txt').read_text().startswith('pixelbytes train --out ')
    mode = (tmp_path/'run'/'metrics.csv').stat().st_mode & 0o777
    assert mode & 0o044 == 0o044 & ~_umask(), oct(mode)                  # readable as the umask allows, not 0600


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def readme_python_example() -> str:
    text = (ROOT/'README.md').read_text()
    section = text.split('### From Python', 1)
    assert len(section) == 2, 'README.md has no "### From Python" section'
    found = re.search(r'```python\n(.*?)```', section[1], re.S)
    assert found, 'no python block in the "From Python" section'
    return found.group(1)


def test_readme_python_example_runs(tmp_path):
    code = readme_python_example()
    assert len(code.strip().splitlines()) <= 12
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, env=ENV, cwd=tmp_path,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert list((tmp_path/'runs').rglob('*.gif')), 'the example drew nothing'
