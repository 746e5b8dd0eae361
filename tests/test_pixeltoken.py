"""Colour folding on random images: ids stay in the vocabulary, decoding gives the folded image, and folded images encode to the same ids."""
import numpy as np
from hypothesis import given, settings, strategies as st
from pixelbytes.pixeltoken import FoldTokenizer, tokens_per_image


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), factor=st.sampled_from([8, 16]), nes=st.booleans(),
       shape=st.tuples(st.integers(1, 3), st.integers(1, 6), st.integers(1, 7)), text=st.one_of(st.none(), st.text(max_size=10)))
def test_fold_round_trip(seed, factor, nes, shape, text):
    tok = FoldTokenizer(factor, nes)
    image = np.random.default_rng(seed).integers(0, 256, shape + (3,), dtype=np.uint8)
    ids = tok.encode(text, image)
    assert ids.min() >= 0 and ids.max() < tok.vocab_size
    back = tok.decode(ids)
    np.testing.assert_array_equal(back.rgb, tok.fold(image))
    np.testing.assert_array_equal(tok.encode(text, back.rgb), ids)
    assert len(ids) == (0 if text is None else len(tok.decode(ids).text) + 1) + tokens_per_image(shape[1], shape[2], shape[0])
