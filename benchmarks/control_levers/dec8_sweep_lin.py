import sys, time, numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, '/work/main/benchmarks/control_levers')
from evaluate import summarize
from pixelbytes.models import from_pretrained
from pixelbytes.control import ControlTokenizer, ModelPredictiveController, RESEARCH_TEST
from pixelbytes.plants import fresh_plants, run_closed_loop, iae
class Linear(ModelPredictiveController):
    @torch.no_grad()
    def _rollout_costs(self, state, last, y, r):
        b, n = len(y), len(self.grid)
        state = [(h.repeat_interleave(n, 0), c.repeat_interleave(n, 0)) for h, c in state]
        action = torch.from_numpy(self.tok.physical_ids(self.grid, 0)).repeat(b)
        out = torch.from_numpy(np.repeat(last[:, 1], n))
        preds = []
        for step in range(self.horizon):
            pred, state = self._step(state, action, out)
            preds.append(pred)
            out = torch.from_numpy(self.tok.physical_ids(pred, 1))
            _, state = self._step(state, out, action)
        P = np.stack(preds, 1).reshape(b, n, self.horizon)            # (b, n, H)
        X = np.stack([np.ones(n), self.grid], 1)                       # (n, 2)
        coef = np.linalg.lstsq(X, P.transpose(1, 0, 2).reshape(n, -1), rcond=None)[0]   # (2, b*H)
        fit = (X @ coef).reshape(n, b, self.horizon).transpose(1, 0, 2)
        ref = r[:, None] + (y - r)[:, None] * np.exp(-(np.arange(self.horizon) + 1) / self.tau)[None]
        return np.abs(fit - ref[:, None, :]).mean(2)
run, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
model, tok = from_pretrained(run), ControlTokenizer.load(run + '/control_tokenizer.json')
ps, r = fresh_plants(n, seed)
for kw in sys.argv[4:]:
    kw = eval(kw)
    make = lambda p, rr: Linear(model, tok, **kw)
    t0 = time.time()
    u, y = run_closed_loop({'m': make}, ps, r, 300)['m']
    row = summarize(str(kw), u, y, r, 0.1, time.time() - t0)
    _, yt = run_closed_loop({'m': make}, [RESEARCH_TEST[0]], [RESEARCH_TEST[1]], 300)['m']
    row['test'] = float(iae(yt, [0.5])[0])
    print({k: (round(float(v), 3) if isinstance(v, (float, np.floating)) else v) for k, v in row.items()}, flush=True)
