"""What a run folder or a data folder could do to the user who runs PixelBytes on it: a planted checkpoint must not
run code, a link must not smuggle a file from outside the data folder into the tokens."""
import ast
from pathlib import Path
import numpy as np
from pixelbytes.core import BYTE_TOKENS
from pixelbytes.creatures import make_creatures
from pixelbytes.train import token_data

LIB = Path(__file__).resolve().parent.parent/'pixelbytes'


def _calls(name: str):
    "Every call of `<something>.name(...)` in the library, with its file and line."
    for file in sorted(LIB.glob('*.py')):
        for node in ast.walk(ast.parse(file.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name:
                yield file.name, node


def test_no_checkpoint_is_unpickled():
    "The library reads checkpoints with safetensors or `torch.load(weights_only=True)`, never fastai's `Learner.load`."
    for file, call in _calls('load'):
        owner = ast.unparse(call.func.value)
        if owner == 'torch':
            safe = [k for k in call.keywords if k.arg == 'weights_only' and ast.unparse(k.value) == 'True']
            assert safe, f'{file}:{call.lineno}: torch.load without weights_only=True'
        assert owner != 'learn', f'{file}:{call.lineno}: Learner.load unpickles with fastai`s settings: use load_best'


def write_folder(root: Path, n: int = 12) -> Path:
    for d in ('images', 'audio', 'text'):
        (root / d).mkdir(parents=True)
    for c in make_creatures(n):
        (root/'images'/f'{c.number}.gif').write_bytes(c.gif())
        (root/'audio'/f'{c.number}.wav').write_bytes(c.wav())
        (root/'text'/f'{c.number}.txt').write_text(c.text)
    return root


def test_link_out_of_the_data_folder_is_not_read(tmp_path):
    "A text linking outside the data folder is skipped, reported in the run folder, and never reaches the tokens."
    data = write_folder(tmp_path/'data')
    secret = tmp_path/'secret.txt'
    secret.write_text('zq zq zq private zq zq zq')
    victim = data/'text'/'00003.txt'
    victim.unlink()
    victim.symlink_to(secret)
    (data / 'text' / '00004.txt').unlink()
    (data / 'text' / '00004.txt').symlink_to(data / 'text' / '00005.txt')  # inside: fine
    before = sorted(p.name for p in data.rglob('*'))
    cache, train, valid = token_data(tmp_path/'run', str(data), progress=False)
    assert len(train) + len(valid) == 11                       # every item but the one that links out
    log = (tmp_path/'run'/'skipped.log').read_text()
    assert '00003.txt: a link that leaves the data folder' in log
    assert sorted(p.name for p in data.rglob('*')) == before   # nothing written into the data folder
    text = ''.join(BYTE_TOKENS[i].decode('latin-1') for i in np.load(cache/'labels.npy') if i < len(BYTE_TOKENS))
    assert 'private' not in text


def test_folder_images_are_pixelized_unless_asked(tmp_path):
    "A 200 px image from a data folder is brought to at most 50 px by default; `pixelize=False` keeps its size."
    from PIL import Image
    data = tmp_path/'data'
    for d in ('images', 'audio', 'text'):
        (data / d).mkdir(parents=True)
    cry = make_creatures(1)[0].wav()
    for k in range(12):
        Image.new('RGB', (200, 120), (200, 40, 40)).save(data/'images'/f'{k:04d}.png')
        (data/'audio'/f'{k:04d}.wav').write_bytes(cry)
        (data/'text'/f'{k:04d}.txt').write_text('a red block')
    small, _, _ = token_data(tmp_path/'small', str(data), progress=False)
    large, _, _ = token_data(tmp_path/'large', str(data), progress=False, pixelize=False)
    pixels = [
        int(((labels >= 58) & (labels < 113)).sum()) // 12
        for labels in (np.load(c / 'labels.npy') for c in (small, large))
    ]
    assert pixels == [50 * 30, 200 * 120]                  # per item: pixelized to 50 px on the long side, or kept
