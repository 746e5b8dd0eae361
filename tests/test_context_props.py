"""Property tests of the contexts: every slot holds the neighbour it claims, zeros appear only at borders."""
import numpy as np
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays
import pytest
from pixelbytes.context import windows_2d, context_3d, sequence_context_3d
from pixelbytes.core import InputError

ids = st.integers(3, 150)   # real tokens: never 0, so a 0 in a context can only be padding
segments_3d = st.tuples(st.integers(1, 4), st.integers(1, 5), st.integers(1, 6)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=ids))
segments_2d = st.tuples(st.integers(1, 6), st.integers(1, 7)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=ids)
)
NEIGHBOURS_3D = [(-1, -1, 0), (-1, 0, 0), (-1, 1, 0), (0, -1, -1), (0, -1, 0)]


def at(x, idx):
    return x[idx] if all(0 <= i < n for i, n in zip(idx, x.shape)) else 0


@settings(max_examples=60, deadline=None)
@given(segments_3d)
def test_slots_hold_their_neighbours(x):
    ctx, tgt = context_3d(x)
    T, H, W = x.shape
    assert np.array_equal(tgt, x.ravel())
    for n, (t, i, j) in enumerate(np.ndindex(T, H, W)):
        expected = [at(x, (t + dt, i + di, j + dj)) for dt, di, dj in NEIGHBOURS_3D]
        expected.append(x.ravel()[n - 1] if n else 0)
        assert list(ctx[n]) == expected, (t, i, j)


@settings(max_examples=60, deadline=None)
@given(segments_3d)
def test_zeros_only_at_borders(x):
    ctx, _ = context_3d(x)
    T, H, W = x.shape
    for n, (t, i, j) in enumerate(np.ndindex(T, H, W)):
        inside = [0 <= t + dt < T and 0 <= i + di < H and 0 <= j + dj < W for dt, di, dj in NEIGHBOURS_3D] + [n > 0]
        assert [v != 0 for v in ctx[n]] == inside


@settings(max_examples=60, deadline=None)
@given(segments_2d)
def test_windows_2d_hold_their_neighbours(x):
    w = windows_2d(x)
    H, W = x.shape
    for n, (i, j) in enumerate(np.ndindex(H, W)):
        expect = np.array([[at(x, (i - 1, j - 1)), at(x, (i - 1, j)), at(x, (i - 1, j + 1))],
                           [at(x, (i, j - 1)), x[i, j], 0], [0, 0, 0]])
        assert np.array_equal(w[n], expect), (i, j)


@settings(max_examples=30, deadline=None)
@given(st.lists(segments_3d, min_size=1, max_size=3))
def test_segments_do_not_leak(segs):
    ctx, tgt = sequence_context_3d(segs)
    start = 0
    for s in segs:
        c, t = context_3d(s)
        assert np.array_equal(ctx[start:start + len(t)], c) and np.array_equal(tgt[start:start + len(t)], t)
        start += len(t)


@pytest.mark.parametrize('bad', [np.zeros((0, 2, 2), int), np.zeros((2, 2), int), np.zeros((1, 1, 1)), [[['a']]]])
def test_bad_segments_are_refused(bad):
    with pytest.raises(InputError):
        context_3d(np.asarray(bad))
