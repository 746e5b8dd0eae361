"""Hostile and careless input, one case (at least) per class of issue #37: a small file that would take all the
memory, one bad entry among good ones, an output folder that is the user's own, a refused retrain, input mistakes on
the command line, and inputs that used to change silently. Run files are checked in test_run_files.py."""
import contextlib, hashlib, io, json, os
from pathlib import Path
import numpy as np
import pytest
import soundfile as sf
from PIL import Image
from pixelbytes.core import InputError, RUN_MARK, printable
from pixelbytes.dataset import folder_items, report_skipped, MAX_FRAMES
from pixelbytes.cli import main
from test_security import write_folder


def creature_folder(root: Path, n: int = 3) -> Path:
    "A data folder of `n` creatures (test_security's writer)."
    return write_folder(root, n)


def cli(*argv) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main([str(a) for a in argv])
    return code, err.getvalue()


def digest(folder: Path) -> dict:
    "Every file under `folder` with the hash of its bytes: what a command must not change."
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob('*')) if p.is_file() and not p.is_symlink()}


# 1. A small file that would take all the memory
def test_many_large_gif_frames_are_cut_while_decoding(tmp_path):
    "A GIF of 30 frames of 2000x2000 (a few hundred KB): decoding stops at the pixel budget; the cut is listed."
    root = creature_folder(tmp_path/'data', 1)
    frames = [Image.new('P', (2000, 2000), k % 2) for k in range(30)]
    frames[0].save(root/'images'/'00000.gif', save_all=True, append_images=frames[1:])
    assert (root/'images'/'00000.gif').stat().st_size < 2_000_000
    (item,), notes = folder_items(root)
    kept = Image.open(io.BytesIO(item['image']['bytes'])).n_frames
    assert kept <= min(MAX_FRAMES, 25) and notes and notes[0][1].startswith('cut: kept the first')


def test_long_sound_and_long_text_are_read_only_to_their_caps(tmp_path):
    root = creature_folder(tmp_path/'data', 1)
    sf.write(root/'audio'/'00000.wav', np.zeros((8000 * 600, 1), np.int16), 8000, subtype='PCM_16')   # 10 minutes
    (root/'text'/'00000.txt').write_text('word ' * 2_000_000)                                       # 10 MB
    (item,), notes = folder_items(root)
    assert len(item['text']) == 2000
    assert sorted(r for _, r in notes) == ['cut: kept the first 2000 characters',
                                           'cut: longer than 10 s, kept the first 10 s']


# 2. One bad entry stops or hangs the build
@pytest.mark.timeout(60)
def test_bad_entries_are_skipped_with_their_reason(tmp_path):
    root = creature_folder(tmp_path/'data', 3)
    os.mkfifo(root/'text'/'fifo.txt')
    (root/'text'/'dir.txt').mkdir()
    (root/'audio'/'dead.wav').symlink_to(root/'nowhere.wav')
    (root/'audio'/'loop.wav').symlink_to(root/'audio'/'loop.wav')
    (root/'images'/os.fsdecode(b'\xff\xfe.png')).write_bytes(b'x')
    (root/'images'/'00002.png').write_bytes((root/'images'/'00002.gif').read_bytes())
    (root/'text'/'evil\nskipped forged: yes\x1b[2J.txt').write_text('x')
    items, notes = folder_items(root)
    assert [it['number'] for it in items] == ['00000', '00001']
    report_skipped(notes, tmp_path/'skipped.log')
    log = (tmp_path/'skipped.log').read_text()
    assert len(log.splitlines()) == len(notes) + 1 and '\x1b' not in log and '\\xff\\xfe.png' in log
    assert not any(line.startswith('skipped forged') for line in log.splitlines())


# 3. A command never changes a file it did not create
def test_train_refuses_a_users_folder_and_an_output_inside_the_data(tmp_path):
    data = creature_folder(tmp_path/'data', 3)
    mine = tmp_path/'mine'
    mine.mkdir()
    for name, text in (('config.json', '{"mine": 1}'), ('metrics.csv', 'a,b'), ('.x.partial-1', 'keep')):
        (mine/name).write_text(text)
    before = digest(tmp_path)
    code, err = cli('train', '--source', data, '--out', mine, '--epochs', 1)
    assert code == 1 and len(err.splitlines()) == 1 and 'not a PixelBytes run folder' in err
    code, err = cli('train', '--source', data, '--out', data/'run', '--epochs', 1)
    assert code == 1 and 'inside the data folder' in err
    assert digest(tmp_path) == before and not (data/'run').exists()


# 5. A refused retrain has not changed the run
def test_refused_retrain_leaves_run_json_as_it_was(tmp_path):
    run = tmp_path/'run'
    run.mkdir()
    (run/RUN_MARK).write_text('{}')
    (run/'run.json').write_text(json.dumps({'source': 'creatures', 'hidden_size': 128, 'epochs': 1}))
    before = digest(tmp_path)
    code, err = cli('train', '--out', run, '--hidden_size', 64, '--epochs', 1, '--n', 30)
    assert code == 1 and 'other settings' in err and 'hidden_size 128 there, 64 asked' in err
    assert digest(tmp_path)['run/run.json'] == before['run/run.json']        # checked first, not written


def test_a_broken_checkpoint_names_the_way_forward(tmp_path):
    run = tmp_path/'run'
    run.mkdir()
    (run/RUN_MARK).write_text('{}')
    (run/'last.pth').write_bytes(b'PK\x03\x04 truncated')
    code, err = cli('train', '--out', run, '--epochs', 1, '--n', 30)
    assert code == 1 and '--restart' in err and len(err.splitlines()) == 1
    assert not (run/'tokens').exists()                        # refused before any data was built


# 6. Input mistakes are one line, exit 1, and leave no folder behind
@pytest.mark.parametrize('argv, said', [
    (('train', '--epochs', '-1'), 'epochs'),
    (('train', '--source', './my_sprites'), 'no such folder'),
    (('train', '--n', '3'), 'at least 21 items'),
    (('generate', 'RUN', '--text', 'x' * 2001), 'at most 2000'),
    (('generate', 'RUN', '--seconds', '1e9'), 'at most 10'),
    (('evaluate', 'RUN'), 'no such run folder'),
])
def test_input_mistakes_are_one_line(tmp_path, argv, said):
    out = tmp_path/'out'
    argv = tuple(str(tmp_path/'nothing') if a == 'RUN' else a for a in argv)
    code, err = cli(*argv, '--out', out)
    assert code == 1 and len(err.splitlines()) == 1 and said in err, err
    assert not out.exists()


# 7. Nothing changes silently
def test_text_outside_the_alphabet_becomes_question_marks():
    from pixelbytes.tokenizer import fold_text
    assert fold_text('皮卡丘 مرحبا') == '??? ?????'


def test_a_tiny_sprite_is_not_enlarged(tmp_path):
    root = creature_folder(tmp_path/'data', 1)
    Image.new('RGB', (1, 1), 'red').save(root/'images'/'00000.png')
    (root/'images'/'00000.gif').unlink()
    (item,), _ = folder_items(root)
    assert Image.open(io.BytesIO(item['image']['bytes'])).size == (1, 1)


def test_printable_names_never_hold_control_characters():
    name = os.fsdecode(b'a\nb\x1b[31m\xff')
    assert printable(name) == 'a\\nb\\x1b[31m\\xff' and str(InputError('x', name)).count('\n') == 0
