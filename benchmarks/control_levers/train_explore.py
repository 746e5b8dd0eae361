"""Train a control model on exploration data: chapter 16's 'bang_bang' trajectories replaced by random actions held
1-`hold` samples (uniform in [-1, 1], with `mix` share of them smoothed); the 'pi' half kept.
python experiments/train_explore.py OUT OBJECTIVE N EPOCHS HIDDEN [HOLD]"""
import sys, time
import numpy as np
import pixelbytes.plants as plants
from pixelbytes.control import train_control

class RandomHold:
    "Exploration: a new uniform random action every 1..hold samples (per plant)."
    def __init__(self, n, rng, hold=20):
        self.rng, self.hold, self.u, self.left = rng, hold, np.zeros(n), np.zeros(n, int)
    def __call__(self, t, y, r, sign):
        due = self.left <= 0
        self.u = np.where(due, self.rng.uniform(-1, 1, len(y)), self.u)
        self.left = np.where(due, self.rng.integers(1, self.hold + 1, len(y)), self.left - 1)
        return self.u.copy()

_orig = plants._data_policy
HOLD = int(sys.argv[6]) if len(sys.argv) > 6 else 20
def _data_policy(name, ps, rng):
    if name == 'bang_bang':
        return RandomHold(len(ps), np.random.default_rng(int(rng.integers(2**31))), HOLD)
    return _orig(name, ps, rng)
plants._data_policy = _data_policy

out, obj, n, ep, hid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
t0 = time.time()
train_control(out, n=n, objective=obj, epochs=ep, hidden_size=hid, progress=False)
print(f'{out} {obj} explore(hold {HOLD}) n={n} epochs={ep} hidden={hid}: {time.time()-t0:.0f} s')
