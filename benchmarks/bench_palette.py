"""Palette lookup speed: the research's per-frame Lab search vs `palette_indices`, side by side on the same GIFs.

    .venv/bin/python benchmarks/bench_palette.py [--gifs 20]

Uses the real Pokémon sample when present (../shared/pokemon-gen1), else synthetic animated sprites.
Prints frames/s of each method (median over GIFs) and their ratio; checks both give identical indices.
"""
import argparse, statistics, time
import numpy as np
from pixelbytes.core import pokemon_sample_path
from pixelbytes.pixelize import image_frames, palette_indices, nearest_palette_bruteforce


def gifs(n):
    root = pokemon_sample_path()
    if root:
        for p in sorted((root/'images').glob('*.gif'))[:n]: yield p.name, image_frames(p)[0]
    else:
        rng = np.random.default_rng(0)
        for k in range(n):
            base = rng.integers(0, 256, (12, 3), dtype=np.uint8)[rng.integers(0, 12, (60, 60))]
            yield f'synthetic-{k}', np.stack([np.roll(base, s, axis=1) for s in range(40)])


def timed(f, x):
    t = time.perf_counter(); out = f(x); return time.perf_counter() - t, out


if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--gifs', type=int, default=20); args = ap.parse_args()
    print('source:', pokemon_sample_path() or 'synthetic sprites')
    old, new = [], []
    for name, frames in gifs(args.gifs):
        t_old, ref = timed(lambda fr: np.stack([nearest_palette_bruteforce(f) for f in fr]), frames)  # per frame, as the research
        t_new, got = timed(palette_indices, frames)
        assert np.array_equal(ref, got), name
        old.append(len(frames) / t_old); new.append(len(frames) / t_new)
    mo, mn = statistics.median(old), statistics.median(new)
    print(f'{len(old)} GIFs, identical indices: yes')
    print(f'per-frame Lab search (research): {mo:10.0f} frames/s (median)')
    print(f'palette_indices (PixelBytes):     {mn:10.0f} frames/s (median)')
    print(f'speed-up: {mn / mo:.1f}x')
