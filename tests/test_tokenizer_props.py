"""Round trips and bad inputs of the tokenizer: decode(encode(x)) == quantize(x) for every modality."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image
from pixelbytes.core import ACTION_LEVELS, InputError
from pixelbytes.pixelize import palette_indices
from pixelbytes.tokenizer import PixelBytesTokenizer, fold_text, encode_text, encode_image, encode_audio, decode
from pixelbytes.tokenizer import normalize_audio, quantize_levels

images = st.tuples(st.integers(1, 3), st.integers(1, 6), st.integers(1, 6)).flatmap(
    lambda s: arrays(np.uint8, s + (3,)))
audios = st.tuples(st.integers(1, 3), st.integers(1, 40)).flatmap(
    lambda s: arrays(np.float64, s, elements=st.floats(-10, 10, allow_nan=False)))


@settings(max_examples=100, deadline=None)
@pytest.mark.filterwarnings('ignore:.*outside the byte alphabet')   # random text loses characters by design
@given(st.text(max_size=60))
def test_text_round_trip(text):
    ids = encode_text(text).ravel()
    assert decode(ids).text == fold_text(text)
    assert (ids[:-1] > 2).all() and ids[-1] == 2     # text never produces padding or separators before its end


@settings(max_examples=60, deadline=None)
@given(images)
def test_image_round_trip(rgb):
    assert np.array_equal(decode(encode_image(rgb).ravel()).frames, palette_indices(rgb))


@settings(max_examples=60, deadline=None)
@given(audios, st.sampled_from(['minmax', 'zscore']))
def test_audio_round_trip(x, norm):
    ids, _ = encode_audio(x, norm=norm)
    expected = ACTION_LEVELS[quantize_levels(normalize_audio(x, norm)[0])]
    assert np.array_equal(decode(ids.ravel()).audio, expected)


@settings(max_examples=40, deadline=None)
@pytest.mark.filterwarnings('ignore:.*outside the byte alphabet')   # random text loses characters by design
@given(st.text(max_size=20), images, audios)
def test_item_round_trip(text, rgb, x):
    out = PixelBytesTokenizer()(text, rgb, x)
    d = decode(out['labels'])
    assert d.text == fold_text(text)
    assert np.array_equal(d.frames, palette_indices(rgb))
    assert d.audio.shape == x.shape


@pytest.mark.parametrize('audio', [np.zeros(100), np.full((2, 50), 0.3), np.zeros((2, 1))])
def test_silent_and_constant_audio(audio):
    ids, params = encode_audio(audio)
    assert np.isfinite(decode(ids.ravel()).audio).all()


@pytest.mark.parametrize(
    'audio,msg',
    [
        (np.array([0.0, np.inf]), 'NaN or infinite'),
        (np.array([np.nan]), 'NaN or infinite'),
        (np.zeros((2, 0)), 'samples > 0'),
        (np.zeros((1, 2, 3)), 'channels, samples'),
    ],
)
def test_bad_audio(audio, msg):
    with pytest.raises(InputError, match=msg):
        encode_audio(audio)


@pytest.mark.parametrize('mode', ['P', 'L', 'LA', 'RGBA', 'CMYK', 'I;16', '1'])
def test_image_modes(mode):
    out = PixelBytesTokenizer()(image=Image.new(mode, (3, 2)))
    assert decode(out['labels']).frames.shape == (1, 2, 3)


def test_bad_images(tmp_path):
    (tmp_path/'x.gif').write_bytes(b'GIF89a truncated')
    with pytest.raises(InputError, match='x.gif'):
        encode_image(tmp_path / 'x.gif')
    with pytest.raises(InputError, match='empty image'):
        encode_image(np.zeros((0, 2, 3), np.uint8))
    with pytest.raises(InputError, match='uint8'):
        encode_image(np.zeros((2, 2, 3)))
