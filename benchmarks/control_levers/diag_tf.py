"""Diagnostic: teacher-forced one-step output predictions of the autoregressive model on an open-loop trajectory."""
import sys, numpy as np, torch
torch.set_num_threads(1)
from pixelbytes.models import from_pretrained
from pixelbytes.control import ControlTokenizer
from pixelbytes.context import context_3d
from pixelbytes.plants import Plant, simulate, control_dataset
f = sys.argv[1]
m, tok = from_pretrained(f), ControlTokenizer.load(f + '/control_tokenizer.json')
rng = np.random.default_rng(0)
u = np.zeros(200); v = 0
for t in range(200):
    v = 0.6 * v + 0.4 * rng.uniform(-1, 1); u[t] = v
from pixelbytes.plants import PlantBatch
for gain in (1.0, -1.0):
    sim = PlantBatch([Plant([], [-1.0], gain)]); y = np.array([sim.step(np.array([a]))[0] for a in u])
    ids = tok.encode(np.stack([u, y]))[0]
    ctx, tgt = context_3d(ids)
    with torch.no_grad():
        out = m(torch.from_numpy(ctx)[None])[0, :, 5]   # (L, V) scores of each position's own token
    yl = torch.from_numpy(tok.level_ids(1))
    p = torch.softmax(out[1::2][:200, yl], -1)
    z = (p * torch.from_numpy(tok.values).float()).sum(-1).numpy()
    lo, hi = tok.y_range; yhat = (z + 1) / 2 * (hi - lo) + lo
    am = tok.denormalize(np.stack([z*0, tok.values[p.argmax(-1).numpy()]]))[1]
    print(f'gain {gain}: one-step |yhat - y| mean {np.abs(yhat - y).mean():.3f} (argmax {np.abs(am - y).mean():.3f}); '
          f'naive |y_t - y_(t+1)| {np.abs(np.diff(y)).mean():.3f}')
    print('  y   ', np.round(y[100:110], 3)); print('  yhat', np.round(yhat[100:110], 3))
