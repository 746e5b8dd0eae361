"""Baselines (research bang-bang, PI tuned per plant) on the dev plants (20, seed 11) and the final ones (50, seed 1)."""
import sys, time
from experiments.evaluate import evaluate
for n, seed in [(20, 11), (50, 1)][: int(sys.argv[1]) if len(sys.argv) > 1 else 2]:
    t0 = time.time()
    evaluate({}, n, seed)
    print(f'baselines on {n} plants (seed {seed}): {time.time() - t0:.0f} s (PI tuning included)')
