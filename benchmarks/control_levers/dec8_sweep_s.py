import sys, time, numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, '/work/main/benchmarks/control_levers')
from evaluate import summarize
from pixelbytes.models import from_pretrained, lstm_step
from pixelbytes.control import ControlTokenizer, ModelPredictiveController, RESEARCH_TEST
from pixelbytes.plants import fresh_plants, run_closed_loop, iae
class Soft(ModelPredictiveController):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.table = self.model.embed.embed.weight.detach()
        self.out_table = self.table[torch.from_numpy(self.tok.level_ids(1))]
    def _soft_step(self, state, token_vec, two_back_vec):
        x = torch.zeros(len(token_vec), 6, self.table.shape[1])
        x[:, 5], x[:, 1] = token_vec, two_back_vec
        h, state = lstm_step(self.model.lstm, x.flatten(1), state)
        p = torch.softmax(h @ self.head_w.T + self.head_b, -1)
        return p, state
    @torch.no_grad()
    def _rollout_costs(self, state, last, y, r):
        b, n = len(y), len(self.grid)
        state = [(h.repeat_interleave(n, 0), c.repeat_interleave(n, 0)) for h, c in state]
        action = self.table[torch.from_numpy(self.tok.physical_ids(self.grid, 0))].repeat(b, 1)
        out = self.table[torch.from_numpy(np.repeat(last[:, 1], n))]
        target, start = np.repeat(r, n), np.repeat(y, n)
        lo, hi = self.tok.y_range
        cost = np.zeros(b * n)
        for step in range(self.horizon):
            p, state = self._soft_step(state, action, out)
            pred = ((p * self.values).sum(-1).numpy() + 1) / 2 * (hi - lo) + lo
            reference = target + (start - target) * np.exp(-(step + 1) / self.tau)
            cost += np.abs(pred - reference)
            out = p @ self.out_table
            _, state = self._soft_step(state, out, action)
        return cost.reshape(b, n) / self.horizon
run, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
model, tok = from_pretrained(run), ControlTokenizer.load(run + '/control_tokenizer.json')
ps, r = fresh_plants(n, seed)
for kw in sys.argv[4:]:
    kw = eval(kw)
    make = lambda p, rr: Soft(model, tok, **kw)
    t0 = time.time()
    u, y = run_closed_loop({'m': make}, ps, r, 300)['m']
    row = summarize(str(kw), u, y, r, 0.1, time.time() - t0)
    _, yt = run_closed_loop({'m': make}, [RESEARCH_TEST[0]], [RESEARCH_TEST[1]], 300)['m']
    row['test'] = float(iae(yt, [0.5])[0])
    print({k: (round(float(v), 3) if isinstance(v, (float, np.floating)) else v) for k, v in row.items()}, flush=True)
