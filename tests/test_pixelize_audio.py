"""Bad inputs and properties of pixelization (`pixelbytes.pixelize`) and audio (`pixelbytes.audio`); fixtures are
generated here."""
import io, struct, time, zlib
import numpy as np, pytest, soundfile as sf
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image
from pixelbytes.core import NES_PALETTE, InputError, pokemon_sample_path
from pixelbytes.pixelize import palette_indices, nearest_palette_bruteforce, palette_lab, image_frames, pixelize_gif
from pixelbytes.pixelize import pixelize_frames, pixelize_miniature, save_gif, MAX_PIXELS
from pixelbytes.audio import load_audio, gameboy_channel, action_state, peak_normalize, second_order_channel
from pixelbytes.audio import SAMPLE_RATE

# ---------------------------------------------------------------- palette lookup: exactly the brute-force Lab argmin

@settings(max_examples=60, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 40), st.just(3))))
def test_palette_indices_equal_bruteforce(rgb):
    np.testing.assert_array_equal(palette_indices(rgb), nearest_palette_bruteforce(rgb))

def test_palette_indices_many_random_colours():
    rgb = np.random.default_rng(7).integers(0, 256, (200_000, 3), dtype=np.uint8)
    np.testing.assert_array_equal(palette_indices(rgb), nearest_palette_bruteforce(rgb))

def test_palette_maps_to_itself_and_shapes_are_kept():
    np.testing.assert_array_equal(palette_indices(NES_PALETTE), np.arange(55))
    frames = NES_PALETTE[np.random.default_rng(0).integers(0, 55, (3, 4, 5))]
    assert palette_indices(frames).shape == (3, 4, 5)

def test_near_duplicate_entries_whole_neighbourhood():
    "Every colour within ±6 of the near-duplicate pairs (252/248 whites, 124/120 greys), and every grey level."
    r = np.arange(-6, 7)
    cube = np.stack(np.meshgrid(r, r, r, indexing='ij'), -1).reshape(-1, 3)
    cols = (
        np.concatenate([(c + cube) for c in (250, 122)] + [np.repeat(np.arange(256)[:, None], 3, 1)])
        .clip(0, 255)
        .astype(np.uint8)
    )
    np.testing.assert_array_equal(palette_indices(cols), nearest_palette_bruteforce(cols))

def test_ties_go_to_the_lowest_index():
    "A constructed exact tie: a Lab point equidistant from two palette colours picks the lower index."
    lab = palette_lab()
    d = ((lab[:, None] - lab[None]) ** 2).sum(-1) + np.eye(55) * 1e9
    i, j = np.unravel_index(d.argmin(), d.shape)   # the closest pair of palette colours
    mid = (lab[i] + lab[j]) / 2
    dist = ((mid - lab) ** 2).sum(-1)
    # numpy's argmin, the rule nearest_palette_bruteforce uses
    assert dist[i] == dist[j] and dist.argmin() == min(i, j)

def test_palette_indices_bad_input():
    with pytest.raises(InputError, match='uint8'):
        palette_indices(np.zeros((2, 3), np.float32))
    with pytest.raises(InputError, match=r'\(\.\.\., 3\)'):
        palette_indices(np.zeros((2, 4), np.uint8))

# ---------------------------------------------------------------- images: every mode, tiny, corrupt, bombs

def gif_bytes(n=3, size=(20, 12)):
    frames = [
        Image.fromarray(np.random.default_rng(k).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))
        for k in range(n)
    ]
    buf = io.BytesIO()
    frames[0].save(buf, 'GIF', save_all=True, append_images=frames[1:], duration=[30, 40, 50][:n], loop=0)
    return buf.getvalue()

@pytest.mark.parametrize(
    'mode', ['1', 'L', 'LA', 'P', 'PA', 'RGB', 'RGBA', 'CMYK', 'I;16', 'I', 'F', 'YCbCr', 'HSV', 'LAB']
)
def test_every_pil_mode(mode):
    frames, durations = pixelize_gif(Image.new(mode, (7, 3)))
    assert frames.shape == (1, 3, 7, 3) and durations == [100]         # smaller than 50 px: kept
    assert {tuple(c) for c in frames.reshape(-1, 3)} <= {tuple(c) for c in NES_PALETTE}

def test_transparent_pixels_become_palette_white():
    rgba = np.zeros((4, 4, 4), np.uint8)        # fully transparent black
    frames, _ = pixelize_gif(Image.fromarray(rgba, 'RGBA'))
    assert (frames == (252, 252, 252)).all()

def test_one_by_one_images():
    for img in (Image.new('RGB', (1, 1), (10, 200, 30)), Image.new('P', (1, 1)), Image.new('LA', (1, 1))):
        frames, _ = pixelize_gif(img)
        assert frames.shape == (1, 1, 1, 3) and len(np.unique(frames.reshape(-1, 3), axis=0)) == 1
        assert pixelize_miniature(img).shape == (25, 25, 3)

def test_gif_file_every_frame_and_durations(tmp_path):
    p = tmp_path / '0001.gif'
    p.write_bytes(gif_bytes())
    frames, durations = pixelize_gif(p)
    assert frames.shape == (3, 12, 20, 3) and durations == [30, 40, 50]
    assert pixelize_gif(p, drop_first=True)[1] == [40, 50]
    out = save_gif(frames, durations, tmp_path / 'out' / '0001.gif')
    back, back_d = image_frames(out)
    np.testing.assert_array_equal(back, frames)
    assert back_d == durations

def test_single_frame_drop_first_keeps_it():
    "Dropping frame 0 of a still image would leave nothing: the frame is kept."
    assert len(pixelize_gif(Image.new('RGB', (4, 4)), drop_first=True)[0]) == 1

@pytest.mark.parametrize('content', [b'', b'this is not a gif', b'GIF89a\x05\x00', 'half-gif', 'half-png'])
def test_corrupt_or_truncated_images_name_the_file(tmp_path, content):
    if content == 'half-gif':
        content = gif_bytes()[: len(gif_bytes()) // 2]
    if content == 'half-png':
        buf = io.BytesIO()
        Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 40, 3), dtype=np.uint8)).save(buf, 'PNG')
        content = buf.getvalue()[:len(buf.getvalue()) // 2]
    p = tmp_path / 'bad.gif'
    p.write_bytes(content)
    with pytest.raises(InputError, match='bad.gif'):
        pixelize_gif(p)
    with pytest.raises(InputError, match='bad.gif'):
        pixelize_miniature(p)

def png_header_only(width, height):
    "A PNG that claims width x height pixels and holds no pixel data: decoding it would fail, refusing it must not."
    def chunk(kind, data):
        return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
    return (
        b'\x89PNG\r\n\x1a\n'
        + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
        + chunk(b'IEND', b'')
    )

@pytest.mark.parametrize('size', [(8000, 8000), (100_000, 100_000)])   # over our cap; over PIL's own bomb limit
def test_decompression_bombs_are_refused_without_decoding(tmp_path, size):
    assert size[0] * size[1] > MAX_PIXELS
    p = tmp_path / 'bomb.png'
    p.write_bytes(png_header_only(*size))
    t = time.perf_counter()
    with pytest.raises(InputError, match=r'bomb\.png.*(decompression bomb|DecompressionBomb|exceeds limit)'):
        pixelize_gif(p)
    assert time.perf_counter() - t < 1

def test_pixelize_frames_and_save_bad_input(tmp_path):
    with pytest.raises(InputError, match='uint8'):
        pixelize_frames(np.zeros((2, 4, 4, 3), np.float64))
    with pytest.raises(InputError, match='durations'):
        save_gif(np.zeros((2, 4, 4, 3), np.uint8), [100], tmp_path / 'x.gif')
    assert not (tmp_path / 'x.gif').exists()

@settings(max_examples=25, deadline=None)
@given(st.integers(1, 120), st.integers(1, 120), st.integers(1, 3))
def test_pixelized_size_and_colours(h, w, t):
    rgb = np.random.default_rng(h * w).integers(0, 256, (t, h, w, 3), dtype=np.uint8)
    idx = pixelize_frames(rgb)
    assert idx.shape[0] == t and max(idx.shape[1:]) == min(50, max(h, w)) and min(idx.shape[1:]) >= 1   # never enlarged
    assert idx.min() >= 0 and idx.max() < 55

@pytest.mark.skipif(pokemon_sample_path() is None, reason='the Pokémon sample is not on this machine')
def test_real_sprites_pixelize_and_round_trip(tmp_path):
    for p in sorted((pokemon_sample_path() / 'images').glob('*.gif'))[:3]:
        frames, durations = pixelize_gif(p)
        full = image_frames(p)[0]
        assert len(frames) == len(durations) == len(full) and max(frames.shape[1:3]) == min(50, max(full.shape[1:3]))
        back, back_d = image_frames(save_gif(frames, durations, tmp_path / p.name))
        np.testing.assert_array_equal(back, frames)
        assert back_d == durations

# ---------------------------------------------------------------- audio: formats, rates, channels, bad files

@pytest.mark.parametrize(
    'fmt,rate,channels',
    [('OGG', 44100, 1), ('OGG', 32728, 2), ('WAV', 8000, 1), ('WAV', 48000, 2), ('WAV', 16000, 1), ('FLAC', 22050, 2)],
)
def test_load_any_rate_and_channels(tmp_path, fmt, rate, channels):
    n = rate // 2
    x = 0.5 * np.sin(2 * np.pi * 440 * np.arange(n) / rate)
    p = tmp_path / f'cry.{fmt.lower()}'
    sf.write(p, np.repeat(x[:, None], channels, 1), rate, format=fmt)
    y = load_audio(p)
    assert y.dtype == np.float32 and y.ndim == 1 and abs(len(y) - SAMPLE_RATE // 2) <= 1
    assert 0.4 < np.abs(y).max() < 0.6

def test_more_than_two_channels_are_averaged(tmp_path):
    "Documented handling: any number of channels is mixed to mono by averaging."
    x = np.random.default_rng(0).uniform(-.5, .5, (1600, 6))
    sf.write(tmp_path / 'six.wav', x, 16000, subtype='FLOAT')
    np.testing.assert_allclose(load_audio(tmp_path / 'six.wav'), x.mean(1), atol=1e-6)

def test_bad_audio_files_name_the_file(tmp_path):
    sf.write(tmp_path / 'good.ogg', 0.3 * np.sin(np.arange(22050) / 5), 22050)
    data = (tmp_path / 'good.ogg').read_bytes()
    cases = {
        'empty.ogg': b'',
        'text.ogg': b'not audio at all',
        'half.ogg': data[: len(data) // 2],
        'head.ogg': data[:200],
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(InputError, match=name.replace('.', r'\.')):
            load_audio(tmp_path / name)
    sf.write(tmp_path / 'zero.wav', np.zeros((0, 1)), 16000)
    with pytest.raises(InputError, match=r'zero\.wav.*no samples'):
        load_audio(tmp_path / 'zero.wav')
    sf.write(tmp_path / 'nan.wav', np.array([0, np.nan, 0.5, np.inf]), 16000, subtype='FLOAT')
    with pytest.raises(InputError, match=r'nan\.wav.*2 NaN or infinite'):
        load_audio(tmp_path / 'nan.wav')

@pytest.mark.parametrize('x', [np.zeros(5000), np.full(5000, 0.25), np.full(3, -1.0), np.ones(1)])
def test_silent_and_constant_audio(x):
    pair = action_state(x, SAMPLE_RATE)
    assert pair.shape == (2, len(x)) and pair.dtype == np.float32 and np.isfinite(pair).all()
    np.testing.assert_array_equal(pair[1], 0)                              # nothing in the 100-3000 Hz band
    np.testing.assert_array_equal(pair[0], peak_normalize(x).astype(np.float32))

def test_nan_inf_samples_refused():
    for bad in (np.array([0., np.nan]), np.array([np.inf, 0.])):
        with pytest.raises(InputError, match='NaN or infinite'):
            action_state(bad)
        with pytest.raises(InputError, match='NaN or infinite'):
            gameboy_channel(bad, SAMPLE_RATE)

@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4000), st.sampled_from([8000, 16000, 22050, 44100]), st.booleans())
def test_gameboy_channel_properties(n, sr, zero_phase):
    x = np.random.default_rng(n).normal(size=n)
    y = gameboy_channel(x, sr, zero_phase=zero_phase)
    assert y.shape == x.shape and np.isfinite(y).all() and np.abs(y).max() <= 1 + 1e-12

def test_gameboy_band():
    "Energy inside 100-3000 Hz is kept, energy outside is removed (relative to the in-band tone)."
    sr = 16000
    t = np.arange(sr) / sr
    tone = lambda f: np.sin(2 * np.pi * f * t)
    y = gameboy_channel(tone(1000) + tone(30) + tone(6000), sr)
    spec = np.abs(np.fft.rfft(y * np.hanning(sr)))
    assert spec[30] < 0.01 * spec[1000] and spec[6000] < 0.01 * spec[1000]

def test_second_order_form():
    sr = 16000
    wn = 2 * np.pi * 300
    step = second_order_channel(np.ones(sr), sr, K=3.0, wn=wn, zeta=0.2)
    assert abs(step[-1] - 3.0) < 1e-3 and step.max() > 3.0 * 1.4    # settles at K; zeta=0.2 overshoots (~53%)
