"""Diagnostic: how much does the autoregressive model use the actions? Output bits per token on unseen plants'
trajectories (exploration actions, held 1-20 samples) with the true actions vs the actions of another trajectory."""
import sys, numpy as np, torch
torch.set_num_threads(1)
from pixelbytes.models import from_pretrained
from pixelbytes.control import ControlTokenizer
from pixelbytes.context import context_3d
from pixelbytes.plants import fresh_plants, simulate

class RandomHold:
    def __init__(self, n, rng, hold=20):
        self.rng, self.hold, self.u, self.left = rng, hold, np.zeros(n), np.zeros(n, int)
    def __call__(self, t, y, r, sign):
        due = self.left <= 0
        self.u = np.where(due, self.rng.uniform(-1, 1, len(y)), self.u)
        self.left = np.where(due, self.rng.integers(1, self.hold + 1, len(y)), self.left - 1)
        return self.u.copy()

ps, r = fresh_plants(20, 11)
u, y, _ = simulate(ps, RandomHold(20, np.random.default_rng(5)), r, 300, seed=3)
for f in sys.argv[1:]:
    m, tok = from_pretrained(f), ControlTokenizer.load(f + '/control_tokenizer.json')
    res = {}
    for name, uu in (('true actions', u), ('actions of another trajectory', np.roll(u, 1, 0)), ('zero actions', 0 * u)):
        bits, err = [], []
        for i in range(len(ps)):
            ids = tok.encode(np.stack([uu[i], y[i]]))[0]
            ctx, tgt = context_3d(ids)
            with torch.no_grad():
                out = m(torch.from_numpy(ctx)[None])[0, :, 5]
            yl = torch.from_numpy(tok.level_ids(1))
            logp = torch.log_softmax(out[1:-2:2][:, yl], -1)
            t = torch.from_numpy(tgt[1:-2:2] - tok.level_ids(1)[0])
            bits.append(-logp.gather(1, t[:, None]).mean().item() / np.log(2))
            z = (logp.exp() * torch.from_numpy(tok.values).float()).sum(-1).numpy()
            lo, hi = tok.y_range
            err.append(np.abs((z + 1) / 2 * (hi - lo) + lo - y[i]).mean())
        res[name] = (np.mean(bits), np.mean(err))
    print(f, ' | '.join(f'{k}: {b:.3f} bits/output, |yhat-y| {e:.4f}' for k, (b, e) in res.items()))
