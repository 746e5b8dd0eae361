"""Tokenization throughput and window-lookup cost, side by side with the research's approach.

    .venv/bin/python benchmarks/bench_sequences.py

1. Items/s of tokenization (text + animated sprite) on the real Pokémon sample when present (else synthetic
   sprites): `PixelBytesTokenizer` vs the research's per-frame Lab conversion of every pixel; and items/s on the
   built-in creatures (text, sprite and cry).
2. µs per `__getitem__` at 100 and 10,000 items: `TokenSequences` (constant time) vs the research's lookup,
   which scanned the items in Python on every call.
"""
import statistics, tempfile, time
from pathlib import Path
import numpy as np
from pixelbytes.core import pokemon_sample_path
from pixelbytes.pixelize import image_frames, nearest_palette_bruteforce
from pixelbytes.tokenizer import PixelBytesTokenizer
from pixelbytes.sequences import build_token_cache, TokenSequences


def sample_items(n=20):
    root = pokemon_sample_path()
    if root:
        for p in sorted((root/'images').glob('*.gif'))[:n]:
            yield {'text': (root/'text'/f'{p.stem}.txt').read_text(), 'image': image_frames(p)[0][:, ::2, ::2]}
    else:
        rng = np.random.default_rng(0)
        for _ in range(n):
            yield {'text': 'a synthetic creature ' * 4, 'image': rng.integers(0, 256, (8, 3), dtype=np.uint8)[rng.integers(0, 8, (40, 30, 30))]}


def research_tokenize(item):
    "The research's cost centre: Lab conversion and palette search of every pixel, frame by frame."
    return [nearest_palette_bruteforce(f) for f in item['image']], item['text'].lower().encode('ascii', 'ignore')


def per_item(f, items):
    times = []
    for it in items:
        t = time.perf_counter(); f(it); times.append(time.perf_counter() - t)
    return 1 / statistics.median(times)


class ResearchLookup:
    "The research's indexing: a Python scan over items on every lookup."
    def __init__(self, lengths, seq, stride):
        self.lengths, self.seq, self.stride = lengths, seq, stride
        self.counts = [max(1, (L - seq) // stride + 1) for L in lengths]
    def __len__(self): return sum(self.counts)
    def __getitem__(self, i):
        for item, c in enumerate(self.counts):
            if i < c: return item, i * self.stride
            i -= c
        raise IndexError(i)


def lookup_us(ds, n=2000):
    idx = np.random.default_rng(0).integers(0, len(ds), n)
    t = time.perf_counter()
    for i in idx: ds[int(i)]
    return (time.perf_counter() - t) / n * 1e6


if __name__ == '__main__':
    tok = PixelBytesTokenizer()
    items = list(sample_items())
    print('source:', pokemon_sample_path() or 'synthetic sprites', f'({len(items)} items, median per item)')
    ours, theirs = per_item(lambda it: tok(it['text'], it['image']), items), per_item(research_tokenize, items)
    print(f'tokenization: research-style {theirs:8.1f} items/s | PixelBytes {ours:8.1f} items/s | {ours / theirs:.1f}x')
    from pixelbytes.creatures import make_creatures, DEFAULT_AUDIO_STEP
    crs = make_creatures(50)
    default_tok = PixelBytesTokenizer(audio_step=DEFAULT_AUDIO_STEP)
    rate = per_item(lambda c: default_tok(c.text, c.rgb, c.audio), crs)
    print(f'tokenization of the default data (50 creatures: text, 4-frame sprite, 2-channel cry): {rate:8.1f} items/s')
    with tempfile.TemporaryDirectory() as d:
        for n in (100, 10_000):
            texts = [{'text': f'creature number {k} ' * 8} for k in range(n)]
            ds = TokenSequences(build_token_cache(texts, tok, Path(d)/f'c{n}', progress=False), seq_length=64, stride=32)
            lengths = list(np.diff(ds.offsets))
            print(f'{n:6d} items: __getitem__ {lookup_us(ds):6.1f} µs (TokenSequences) | '
                  f'{lookup_us(ResearchLookup(lengths, 64, 32)):7.1f} µs (research scan, index only)')
