"""Levers 1 (reachable future) and the research's recipe with the diffusion controller, on the dev plants.
python experiments/exp_diffusion.py MODEL_FOLDER N SEED 'name=research|reachable:dict(...)' ..."""
import sys, time, torch
torch.set_num_threads(1)
from experiments.evaluate import evaluate
from experiments.reachable import reachable, research
folder, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
variants = {}
for spec in sys.argv[4:]:
    name, rest = spec.split('=', 1)
    kind, kw = rest.split(':', 1)
    variants[name] = dict(research=research, reachable=reachable)[kind](folder, **eval(kw))
t0 = time.time()
print('model', folder)
evaluate(variants, n, seed)
print(f'total {time.time() - t0:.0f} s')
