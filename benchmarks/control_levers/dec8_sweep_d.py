import sys, numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, '/work/main/benchmarks/control_levers')
from dec8_sweep import sweep
from pixelbytes.control import ModelPredictiveController
class Dither(ModelPredictiveController):
    def __init__(self, *a, dither=0.0, **kw):
        super().__init__(*a, **kw); self.dither, self.rng = dither, np.random.default_rng(0)
    def __call__(self, t, y, r, sign):
        return super().__call__(t, y + self.dither * self.rng.standard_normal(len(y)) if t % self.frame == 0 else y, r, sign)


if __name__ == '__main__':
    sweep(Dither)
