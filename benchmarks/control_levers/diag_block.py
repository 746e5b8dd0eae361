"""Diagnostic for a decimated model (frames of m samples): predicted outputs 1, 3, 6, 10 frames ahead under constant
candidate actions, after 40 frames of random held actions, vs the true plant.  python experiments/diag_block.py MODEL M"""
import sys, numpy as np, torch
torch.set_num_threads(1)
from experiments.mpc import block_mpc
from pixelbytes.plants import Plant, PlantBatch
M = int(sys.argv[2])
mk = block_mpc(sys.argv[1], m=M, horizon=10)
for poles, gain in (([-1.0], 1.0), ([-1.0], -1.0), ([-0.3, -2.0], 0.7)):
    p = Plant([], poles, gain)
    ctl = mk([p], np.array([0.5])); sim = PlantBatch([p]); rng = np.random.default_rng(0)
    for k in range(40):
        u = rng.uniform(-1, 1)
        for _ in range(M):
            y = sim.step(np.array([u]))
        ctl.us.append(np.array([u])); ctl.ys.append(y)
    ctl.last = np.array([u]); hist = []; o = ctl._yphys
    ctl._yphys = lambda z: (hist.append(o(z).copy()), o(z))[1]
    ctl._plan(np.array([0.5]), y)
    P = np.array(hist[0::2])
    print(f'plant poles {poles} gain {gain}: y now {y[0]:+.3f}')
    for k in (0, 5, 10, 15, 20):
        s2 = PlantBatch([p]); s2.x = sim.x.copy(); s2.line = sim.line.copy()
        tr = [s2.step(np.array([ctl.grid[k]]))[0] for _ in range(10 * M)][M - 1::M]
        print(f'  u={ctl.grid[k]:+.1f} predicted (1,3,6,10 frames) ' + ' '.join(f'{P[i, k]:+.3f}' for i in (0, 2, 5, 9))
              + '   true ' + ' '.join(f'{tr[i]:+.3f}' for i in (0, 2, 5, 9)))
