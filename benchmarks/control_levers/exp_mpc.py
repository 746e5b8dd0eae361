"""Lever 4 (+1): MPC with the autoregressive model as the learned plant, variants on the dev plants.
python experiments/exp_mpc.py MODEL_FOLDER N SEED 'name=dict(...)' ..."""
import sys, time, torch
torch.set_num_threads(1)
from experiments.evaluate import evaluate
from experiments.mpc import ar_mpc, block_mpc
folder, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
variants = {}
for spec in sys.argv[4:]:
    name, kw = spec.split('=', 1)
    kw = eval(kw); variants[name] = (block_mpc if "m" in kw else ar_mpc)(folder, **kw)
t0 = time.time()
print('model', folder)
evaluate(variants, n, seed)
print(f'total {time.time() - t0:.0f} s')
