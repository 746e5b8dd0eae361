"""Dataset building speed: creatures/s of generation, items/s of `datasets.Dataset` building from the creatures,
from a folder of N creatures, and from the real Pokémon sample when present (`pokemon_sample_path()`).
Usage: PYTHONPATH=. python benchmarks/bench_dataset.py [N]   (figures are medians of 3 runs)"""
import sys, time, tempfile, statistics, contextlib, io
from pathlib import Path
from pixelbytes.core import pokemon_sample_path
from pixelbytes.creatures import make_creatures, creatures_dataset
from pixelbytes.dataset import folder_dataset

def median_time(f, reps=3):
    ts = []
    for _ in range(reps):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)

def quiet(f):
    def g():
        with contextlib.redirect_stdout(io.StringIO()): return f()
    return g

def main(n=500):
    t = median_time(lambda: make_creatures(n)); print(f'creature generation      : {n / t:8.0f} creatures/s ({n} creatures, {t:.2f} s)')
    t = median_time(lambda: creatures_dataset(n)); print(f'creatures -> Dataset     : {n / t:8.0f} items/s')
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        for sub in ('images', 'audio', 'text'): (root / sub).mkdir()
        for c in make_creatures(n):
            (root / 'images' / f'{c.number}.gif').write_bytes(c.gif()); (root / 'audio' / f'{c.number}.wav').write_bytes(c.wav())
            (root / 'text' / f'{c.number}.txt').write_text(c.text)
        t = median_time(quiet(lambda: folder_dataset(root, log=None))); print(f'folder of creatures      : {n / t:8.0f} items/s (stereo WAV kept)')
        t = median_time(quiet(lambda: folder_dataset(root, pixelize=True, log=None))); print(f'  ... with pixelization  : {n / t:8.0f} items/s')
    pk = pokemon_sample_path()
    if pk is None: print('pokemon sample           : absent, skipped'); return
    m = len(quiet(lambda: folder_dataset(pk, log=None))())
    t = median_time(quiet(lambda: folder_dataset(pk, log=None)), 1); print(f'pokemon sample ({m} items): {m / t:8.1f} items/s (mono OGG -> action/state)')
    t = median_time(quiet(lambda: folder_dataset(pk, pixelize=True, log=None)), 1); print(f'  ... with pixelization  : {m / t:8.1f} items/s')

if __name__ == '__main__': main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
