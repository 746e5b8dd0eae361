"""Diagnostic: does the autoregressive model's rollout respond to the candidate action, with the right sign?
Open-loop history of 60 random-ish steps on a plant, then the predicted outputs 15 steps ahead for constant actions."""
import sys, numpy as np, torch
torch.set_num_threads(1)
from experiments.mpc import ar_mpc
from pixelbytes.plants import Plant, PlantBatch
mk = ar_mpc(sys.argv[1], horizon=15)
for gain in (1.0, -1.0):
    p = Plant([], [-1.0], gain)
    ctl = mk([p], np.array([0.5]))
    sim = PlantBatch([p]); rng = np.random.default_rng(0)
    u = 0.0
    for t in range(60):
        u = 0.6 * u + 0.4 * rng.uniform(-1, 1)
        y = sim.step(np.array([u]))
        ctl.us.append(np.array([u])); ctl.ys.append(y)
    ctl.last = np.array([u])
    # capture the rollout predictions per candidate
    import types
    grid = ctl.grid
    preds = {}
    orig = ctl._yphys
    hist = []
    def spy(z, _o=orig):
        v = _o(z); hist.append(v.copy()); return v
    ctl._yphys = spy
    ctl._plan(np.array([0.5]), y)
    P = np.array(hist[0::2])  # (H, K): the first call per step is the prediction
    print(f'gain {gain}: y now {y[0]:.3f}, u_prev {u:.2f}')
    for k in (0, 5, 10, 15, 20):
        # true response to constant action grid[k]
        s2 = PlantBatch([Plant([], [-1.0], gain)]); s2.x = sim.x.copy(); s2.line = sim.line.copy()
        tr = [s2.step(np.array([grid[k]]))[0] for _ in range(15)]
        print(f'  u={grid[k]:+.1f} predicted y(t+1,5,10,15)= {P[0,k]:+.3f} {P[4,k]:+.3f} {P[9,k]:+.3f} {P[14,k]:+.3f}   true {tr[0]:+.3f} {tr[4]:+.3f} {tr[9]:+.3f} {tr[14]:+.3f}')
