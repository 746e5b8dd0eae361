import sys, time, numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, '/work/main/benchmarks/control_levers')
from evaluate import summarize
from pixelbytes.models import from_pretrained
from pixelbytes.control import ControlTokenizer, ModelPredictiveController, RESEARCH_TEST
from pixelbytes.plants import fresh_plants, run_closed_loop, iae
class Dither(ModelPredictiveController):
    def __init__(self, *a, dither=0.0, **kw):
        super().__init__(*a, **kw); self.dither, self.rng = dither, np.random.default_rng(0)
    def __call__(self, t, y, r, sign):
        return super().__call__(t, y + self.dither * self.rng.standard_normal(len(y)) if t % self.frame == 0 else y, r, sign)
run, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
model, tok = from_pretrained(run), ControlTokenizer.load(run + '/control_tokenizer.json')
ps, r = fresh_plants(n, seed)
for kw in sys.argv[4:]:
    kw = eval(kw)
    make = lambda p, rr: Dither(model, tok, **kw)
    t0 = time.time()
    u, y = run_closed_loop({'m': make}, ps, r, 300)['m']
    row = summarize(str(kw), u, y, r, 0.1, time.time() - t0)
    _, yt = run_closed_loop({'m': make}, [RESEARCH_TEST[0]], [RESEARCH_TEST[1]], 300)['m']
    row['test'] = float(iae(yt, [0.5])[0])
    print({k: (round(float(v), 3) if isinstance(v, (float, np.floating)) else v) for k, v in row.items()}, flush=True)
