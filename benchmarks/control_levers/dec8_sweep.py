"""python dec8_sweep.py RUN N SEED 'dict(horizon=20, tau=2)' ...: the library's ModelPredictiveController (or, from
the dec8_sweep_*.py scripts, a variant of it) on fresh plants, with the baselines, one line per setting."""
import sys, time, numpy as np, torch
torch.set_num_threads(1)
sys.path.insert(0, '/work/main/benchmarks/control_levers')
from evaluate import baselines, summarize
from pixelbytes.models import from_pretrained
from pixelbytes.control import ControlTokenizer, ModelPredictiveController, RESEARCH_TEST
from pixelbytes.plants import fresh_plants, run_closed_loop, iae


def sweep(controller=ModelPredictiveController, argv=None):
    "Score `controller(model, tokenizer, **kw)` for every `kw` given after RUN N SEED on the command line."
    argv = argv or sys.argv
    run, n, seed = argv[1], int(argv[2]), int(argv[3])
    model, tok = from_pretrained(run), ControlTokenizer.load(run + '/control_tokenizer.json')
    ps, r = fresh_plants(n, seed)
    for name, (u, y) in baselines(n, seed)[0].items():
        print(summarize(name, u, y, r, 0.1))
    for kw in map(eval, argv[4:]):
        make = lambda p, rr, kw=kw: controller(model, tok, **kw)
        t0 = time.time()
        u, y = run_closed_loop({'m': make}, ps, r, 300)['m']
        row = summarize(str(kw), u, y, r, 0.1, time.time() - t0)
        _, yt = run_closed_loop({'m': make}, [RESEARCH_TEST[0]], [RESEARCH_TEST[1]], 300)['m']
        row['test'] = float(iae(yt, [0.5])[0])
        print({k: (round(float(v), 3) if isinstance(v, (float, np.floating)) else v) for k, v in row.items()}, flush=True)


if __name__ == '__main__':
    sweep()
