"""Sign-known learned plant: data in the gain's direction (y' = sign(K)·y), 0.5 s frames, exploration + PI data.
python signed.py train OUT EPOCHS [POLICIES]   |  python signed.py eval OUT N SEED [H] [TAU] [OFFSET]"""
import sys, os, time, json
import numpy as np, torch
torch.set_num_threads(1)
import pixelbytes.plants as plants
import pixelbytes.control as control
from pixelbytes.control import train_control
M = 5

class RandomHold:
    def __init__(self, n, rng):
        self.rng, self.u, self.left = rng, np.zeros(n), np.zeros(n, int)
    def __call__(self, t, y, r, sign):
        due = self.left <= 0
        self.u = np.where(due, self.rng.uniform(-1, 1, len(y)), self.u)
        self.left = np.where(due, M * self.rng.integers(1, 5, len(y)) - 1, self.left - 1)
        return self.u.copy()

_orig_policy = plants._data_policy
def _data_policy(name, ps, rng):
    if name == 'bang_bang' and os.environ.get('EXPLORE', '1') == '1':
        return RandomHold(len(ps), np.random.default_rng(int(rng.integers(2**31))))
    return _orig_policy(name, ps, rng)
plants._data_policy = _data_policy

_orig_ds = plants.control_dataset
def signed_dataset(n=200, seed=0, steps=400, **kw):
    ds = _orig_ds(n, seed, steps * M, **kw)
    sign = np.sign([json.loads(p)['gain'] for p in ds['plant']])[:, None]
    u = np.array(ds['u']).reshape(n, steps, M).mean(2)
    y = (np.array(ds['y']) * sign).reshape(n, steps, M)
    y = y.mean(2) if os.environ.get('YMEAN') == '1' else y[:, :, -1]
    return ds.remove_columns(['u', 'y']).add_column('u', u.astype(np.float32).tolist()).add_column(
        'y', y.astype(np.float32).tolist())
control.control_dataset = signed_dataset
if os.environ.get('YR'):
    lo, hi = map(float, os.environ['YR'].split(','))
    control.ControlTokenizer.fitted = classmethod(lambda cls, signals, levels=141, u_range=(-1.0, 1.0), margin=0.1,
                                                  separate=True: cls(levels, u_range, (lo, hi), separate=separate))

if sys.argv[1] == 'train':
    out, ep = sys.argv[2], int(sys.argv[3])
    t0 = time.time()
    train_control(out, n=int(os.environ.get('N', 400)), objective='autoregressive', epochs=ep,
                  hidden_size=int(os.environ.get('HID', 128)), levels=int(os.environ.get('LEVELS', 38)), progress=False,
                  lr=float(os.environ.get('LR', 3e-3)))
    print(f'trained {out} {ep} epochs: {time.time()-t0:.0f} s', flush=True)
else:
    from mpc import BlockMPC
    from evaluate import evaluate
    from pixelbytes.models import from_pretrained
    from pixelbytes.control import ControlTokenizer
    out, n, seed = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    H = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    tau = float(sys.argv[6]) if len(sys.argv) > 6 else 2
    offset = len(sys.argv) > 7 and sys.argv[7] == '1'
    class Signed(BlockMPC):
        def __call__(self, t, y, r, sign):
            return super().__call__(t, y * sign, r * sign, sign)
    model, tok = from_pretrained(out), ControlTokenizer.load(out + '/control_tokenizer.json')
    evaluate({f'signed MPC {out} H{H} tau{tau}': lambda p, r: Signed(model, tok, m=M, horizon=H, tau=tau)}, n, seed)
