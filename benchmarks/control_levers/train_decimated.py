"""Lever 'a longer history / coarser token rate': chapter 16's data generated at the plants' 0.1 s, then one
(action, output) frame per `m` samples (action: the block's mean, output: the block's last measured sample); the
'bang_bang' half replaced by exploration (random actions held m..hold samples, in whole blocks) when EXPLORE=1.
python experiments/train_decimated.py OUT OBJECTIVE N EPOCHS HIDDEN M [EXPLORE]"""
import sys, time
import numpy as np
import datasets
import pixelbytes.plants as plants
import pixelbytes.control as control
from pixelbytes.control import train_control

out, obj, n, ep, hid, M = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
EXPLORE = len(sys.argv) > 7 and sys.argv[7] == '1'

class RandomHold:
    "Exploration: a new uniform random action every k·M samples, k in 1..4 (per plant)."
    def __init__(self, n, rng):
        self.rng, self.u, self.left = rng, np.zeros(n), np.zeros(n, int)
    def __call__(self, t, y, r, sign):
        due = self.left <= 0
        self.u = np.where(due, self.rng.uniform(-1, 1, len(y)), self.u)
        self.left = np.where(due, M * self.rng.integers(1, 5, len(y)) - 1, self.left - 1)
        return self.u.copy()

_orig_policy = plants._data_policy
def _data_policy(name, ps, rng):
    if EXPLORE and name == 'bang_bang':
        return RandomHold(len(ps), np.random.default_rng(int(rng.integers(2**31))))
    return _orig_policy(name, ps, rng)
plants._data_policy = _data_policy

_orig_ds = plants.control_dataset
def decimated_dataset(n=200, seed=0, steps=400, **kw):
    ds = _orig_ds(n, seed, steps * M, **kw)
    u = np.array(ds['u']).reshape(n, steps, M).mean(2)
    y = np.array(ds['y']).reshape(n, steps, M)[:, :, -1]
    return ds.remove_columns(['u', 'y']).add_column('u', u.astype(np.float32).tolist()).add_column(
        'y', y.astype(np.float32).tolist())
control.control_dataset = decimated_dataset

t0 = time.time()
train_control(out, n=n, objective=obj, epochs=ep, hidden_size=hid, levels=int(__import__('os').environ.get('LEVELS', 141)), progress=False)
print(f'{out} {obj} decimated m={M} explore={EXPLORE} n={n} epochs={ep} hidden={hid}: {time.time()-t0:.0f} s')
