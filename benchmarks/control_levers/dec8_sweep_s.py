import sys, numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, '/work/main/benchmarks/control_levers')
from dec8_sweep import sweep
from pixelbytes.models import lstm_step
from pixelbytes.control import ModelPredictiveController
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


if __name__ == '__main__':
    sweep(Soft)
