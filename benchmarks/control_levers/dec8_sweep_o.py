import sys, numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, '/work/main/benchmarks/control_levers')
from dec8_sweep import sweep
from pixelbytes.control import ModelPredictiveController
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


if __name__ == '__main__':
    sweep(OffsetFree)
