import sys, time, numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, '/work/main/benchmarks/control_levers')
from evaluate import summarize
from pixelbytes.models import from_pretrained
from pixelbytes.control import ControlTokenizer, ModelPredictiveController, RESEARCH_TEST
from pixelbytes.plants import fresh_plants, run_closed_loop, iae
class OffsetFree(ModelPredictiveController):
    def __init__(self, *a, gain=0.2, **kw):
        super().__init__(*a, **kw); self.L, self.d, self.pred = gain, None, None
    @torch.no_grad()
    def act(self, k, y, r, sign):
        b = len(y)
        if self.d is None: self.d = np.zeros(b)
        if self.pred is not None:
            self.d = self.d + self.L * (y - self.pred - self.d)
        state, last = self._read_history(b)
        costs = self._rollout_costs(state, last, y - self.d, r - self.d)
        prev = self.last if self.last is not None else np.zeros(b)
        costs = costs + self.smooth * np.abs(self.grid[None] - prev[:, None])
        w = np.exp(-(costs - costs.min(1, keepdims=True)) / max(self.temperature, 1e-9))
        u = (w * self.grid).sum(1) / w.sum(1)
        self.pred, _ = self._step(state, torch.from_numpy(self.tok.physical_ids(u, 0)), torch.from_numpy(last[:, 1]))
        return u
run, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
model, tok = from_pretrained(run), ControlTokenizer.load(run + '/control_tokenizer.json')
ps, r = fresh_plants(n, seed)
for kw in sys.argv[4:]:
    kw = eval(kw)
    make = lambda p, rr: OffsetFree(model, tok, **kw)
    t0 = time.time()
    u, y = run_closed_loop({'m': make}, ps, r, 300)['m']
    row = summarize(str(kw), u, y, r, 0.1, time.time() - t0)
    _, yt = run_closed_loop({'m': make}, [RESEARCH_TEST[0]], [RESEARCH_TEST[1]], 300)['m']
    row['test'] = float(iae(yt, [0.5])[0])
    print({k: (round(float(v), 3) if isinstance(v, (float, np.floating)) else v) for k, v in row.items()}, flush=True)
