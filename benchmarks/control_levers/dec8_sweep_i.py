import sys, numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, '/work/main/benchmarks/control_levers')
from dec8_sweep import sweep
from pixelbytes.control import ModelPredictiveController
class Integral(ModelPredictiveController):
    def __init__(self, *a, integral=0.0, **kw):
        super().__init__(*a, **kw); self.integral, self.shift = integral, None
    def act(self, k, y, r, sign):
        if self.shift is None: self.shift = np.zeros(len(y))
        if k > 0: self.shift = self.shift + self.integral * (r - y)
        return super().act(k, y, r + self.shift, sign)


if __name__ == '__main__':
    sweep(Integral)
