"Bad-input suite for dataset assembly: every bad file is refused with file + reason, and a build keeps every good item."
import os, subprocess, sys, struct
import numpy as np, pytest, soundfile as sf
from PIL import Image
from pixelbytes.core import InputError, NES_PALETTE
from pixelbytes.creatures import make_creatures
from pixelbytes.dataset import read_image, read_audio, read_text, folder_dataset, decode_audio
from pixelbytes.dataset import build_dataset

GOOD = make_creatures(2)

def _img(path, mode='RGB', size=(20, 16)):
    img = Image.new('RGB', size, (200, 40, 40)).convert(mode)
    img.save(path)
    return path

@pytest.mark.parametrize('make', [
    lambda p: p.write_bytes(GOOD[0].gif()[:40]),                    # truncated GIF
    lambda p: p.write_bytes(b'GIF89a' + os.urandom(200)),          # corrupt GIF
    lambda p: p.write_text('hello, not an image'),                 # non-image named .gif
])
def test_bad_gif_refused(tmp_path, make):
    p = tmp_path / 'x.gif'
    make(p)
    with pytest.raises(InputError) as e:
        read_image(p)
    assert 'x.gif' in str(e.value)

def test_truncated_png_refused(tmp_path):
    p = _img(tmp_path / 'x.png')
    p.write_bytes(p.read_bytes()[:60])
    with pytest.raises(InputError, match='x.png'):
        read_image(p)

@pytest.mark.parametrize('mode', ['P', 'L', 'RGBA', 'CMYK', 'LA', '1'])
def test_image_modes_pixelize_to_palette(tmp_path, mode):
    ext = '.gif' if mode in ('P', 'L', '1') else '.png' if mode != 'CMYK' else '.jpg'
    p = _img(tmp_path / f'x{ext}', mode)
    data = read_image(p, pixelize=True)
    frames = np.asarray(Image.open(__import__('io').BytesIO(data)).convert('RGB'))
    assert {tuple(c) for c in frames.reshape(-1, 3)} <= {tuple(c) for c in NES_PALETTE}

def test_one_pixel_image(tmp_path):
    p = _img(tmp_path / 'x.png', size=(1, 1))
    img = Image.open(__import__('io').BytesIO(read_image(p, pixelize=True)))   # at most 50 px: never enlarged
    assert img.size == (1, 1) and len(np.unique(np.asarray(img.convert('RGB')).reshape(-1, 3), axis=0)) == 1
    assert read_image(p) == p.read_bytes()                                      # not pixelized: kept as is

def test_decompression_bomb_refused_not_decoded(tmp_path):
    p = tmp_path / 'bomb.png'   # a PNG header claiming 100000 x 100000 pixels, no real pixel data
    import zlib
    ihdr = struct.pack('>IIBBBBB', 100_000, 100_000, 8, 2, 0, 0, 0)
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
    p.write_bytes(
        b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(b'\0' * 100)) + chunk(b'IEND', b'')
    )
    with pytest.raises(InputError, match='bomb|larger'):
        read_image(p)

def test_bad_ogg_and_wav(tmp_path):
    ok = tmp_path / 'ok.ogg'
    sf.write(ok, np.sin(np.arange(16000) / 10) * 0.5, 16000, format='OGG')
    bad = tmp_path / 'bad.ogg'
    bad.write_bytes(ok.read_bytes()[:100])
    with pytest.raises(InputError, match='bad.ogg'):
        read_audio(bad)
    assert read_audio(ok).shape[0] == 2

def test_zero_length_audio(tmp_path):
    p = tmp_path / 'z.wav'
    sf.write(p, np.zeros((0, 1)), 16000)
    with pytest.raises(InputError, match='no samples'):
        read_audio(p)

@pytest.mark.parametrize('channels', [1, 2])
def test_nan_inf_audio(tmp_path, channels):
    x = np.zeros((200, channels), np.float32)
    x[5] = np.nan
    x[9] = np.inf
    p = tmp_path / 'n.wav'
    sf.write(p, x, 16000, subtype='FLOAT')
    with pytest.raises(InputError, match='NaN or infinite'):
        read_audio(p)

def test_more_than_two_channels(tmp_path):
    p = tmp_path / 'c.wav'
    sf.write(p, np.zeros((100, 3)), 16000)
    with pytest.raises(InputError, match='3 channels'):
        read_audio(p)

def test_silent_audio_kept_finite(tmp_path):
    p = tmp_path / 's.wav'
    sf.write(p, np.zeros(1600), 16000)
    a = read_audio(p)
    assert a.shape == (2, 1600) and np.isfinite(a).all() and not a.any()

def test_stereo_kept_and_resampled(tmp_path):
    x = np.stack([np.linspace(-1, 1, 4410), np.zeros(4410)], 1) * .5
    p = tmp_path / 's.wav'
    sf.write(p, x, 44100)
    a = read_audio(p)
    assert a.shape == (2, 1600) and np.abs(a[1]).max() < 1e-6

def test_text_handling(tmp_path):
    p = tmp_path / 't.txt'
    p.write_text('a 🐉 dragon 龍 تنين\x07 bell\x00\n', encoding='utf-8')
    assert read_text(p) == 'a 🐉 dragon 龍 تنين  bell'
    p.write_text('  \n\t')
    pytest.raises(InputError, read_text, p)
    p.write_bytes(b'\xff\xfe bad')
    with pytest.raises(InputError, match='not UTF-8'):
        read_text(p)

def test_folder_build_keeps_good_items_and_logs(tmp_path, capsys):
    root = tmp_path / 'data'
    for d in ('images', 'audio', 'text'):
        (root / d).mkdir(parents=True)
    for c in GOOD:
        (root / 'images' / f'{c.number}.gif').write_bytes(c.gif())
        (root / 'audio' / f'{c.number}.wav').write_bytes(c.wav())
        (root / 'text' / f'{c.number}.txt').write_text(c.text)
    (root / 'images' / 'bad.gif').write_text('nope')
    (root / 'audio' / 'bad.wav').write_bytes(GOOD[0].wav())
    (root / 'text' / 'bad.txt').write_text('t')
    (root / 'images' / 'noaud.gif').write_bytes(GOOD[0].gif())
    (root / 'text' / 'noaud.txt').write_text('t')
    (root / 'images' / 'notext.gif').write_bytes(GOOD[0].gif())
    (root / 'audio' / 'notext.wav').write_bytes(GOOD[0].wav())
    ds = folder_dataset(root, log=tmp_path / 'run' / 'skipped.log')
    assert ds['number'] == ['00000', '00001']
    out = capsys.readouterr().out
    log = (tmp_path / 'run' / 'skipped.log').read_text()
    assert not (root / 'skipped.log').exists()                # the data folder is left as it was
    for s in ('bad.gif', 'noaud: missing audio', 'notext: missing text'):
        assert s in out and s in log
    a = decode_audio(ds[0]['audio'])
    np.testing.assert_allclose(a, GOOD[0].audio, atol=1e-4)

def test_unknown_source():
    with pytest.raises(InputError):
        build_dataset('/no/such/folder/x/y')

def test_hub_offline_clear_error(tmp_path):
    code = ("from pixelbytes.dataset import hub_dataset\n"
            f"hub_dataset('ffurfaro/PixelBytes-PokemonAll', cache_dir={str(tmp_path)!r})\n")
    env = {**os.environ, 'HF_HUB_OFFLINE': '1', 'HF_DATASETS_OFFLINE': '1', 'HF_HOME': str(tmp_path / 'home')}
    r = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, timeout=120)
    assert (
        r.returncode != 0
        and 'cannot load Hub data set: offline mode' in r.stderr
        and 'PixelBytes-PokemonAll' in r.stderr
    )
