"""Held-out comparison on `pixelbytes control`'s default plants (50, seed 1): the best variant of each lever measured
on the dev plants (20, seed 11), beside the baselines.  python experiments/exp_final.py [block-model]"""
import sys, time, torch
torch.set_num_threads(1)
from experiments.evaluate import evaluate
from experiments.reachable import reachable, research
from experiments.mpc import ar_mpc, block_mpc
from experiments.oracle_mpc import OracleMPC
if len(sys.argv) > 1:
    H = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    ctl = {f'AR-model MPC, frames of 5 samples, H{H} ({sys.argv[1]})': block_mpc(sys.argv[1], m=5, horizon=H, tau=2)}
else:
    ctl = {'diffusion, research recipe (setpoint as future)': research('/tmp/ctl/dif_h128_e20'),
           'diffusion, reachable future tau=10, mean of 3': reachable('/tmp/ctl/dif_h128_e20', tau=10, average=3),
           'AR-model MPC, exploration data (frame rate)': ar_mpc('/tmp/ctl/ar_explore'),
           'oracle MPC (true plant, privileged) H50': lambda p, r: OracleMPC(p, horizon=50)}
t0 = time.time()
evaluate(ctl, 50, 1)
print(f'total {time.time() - t0:.0f} s')
