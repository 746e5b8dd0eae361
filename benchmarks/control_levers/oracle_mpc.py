"""Control: the same MPC (constant-action candidates, first-order reference, soft-min mean) with the TRUE plant as its
predictor (privileged, like the tuned PI): what the planner could give with a perfect learned plant, and whether the
planner's design is the bottleneck.  python experiments/oracle_mpc.py N SEED"""
import sys, numpy as np
from pixelbytes.plants import PlantBatch
from experiments.evaluate import evaluate

class OracleMPC:
    def __init__(self, plants, horizon=15, tau=10., n_levels=41, smooth=0.05, temp=0.02, m=1):
        self.sim = PlantBatch(plants)          # a noise-free twin fed the same actions
        self.h, self.tau, self.smooth, self.temp, self.m = horizon, tau, smooth, temp, m
        self.grid, self.last = np.linspace(-1, 1, n_levels), None
    def __call__(self, t, y, r, sign):
        if self.last is not None:
            self.sim.step(self.last)
        if self.last is not None and t % self.m:
            return self.last
        s, b, K = self.sim, len(r), len(self.grid)
        x = np.repeat(s.x, K, 0); line = np.repeat(s.line, K, 0)
        Ad, Bd, Cd = (np.repeat(a, K, 0) for a in (s.Ad, s.Bd, s.Cd)); d = np.repeat(s.delay, K)
        u = np.tile(self.grid, b); rr, yb = np.repeat(r, K), np.repeat(y, K)
        cost = np.zeros(b * K)
        for k in range(self.h):
            line = np.roll(line, 1, 1); line[:, 0] = u
            x = np.einsum('bij,bj->bi', Ad, x) + Bd * line[np.arange(b * K), d][:, None]
            ref = rr + (yb - rr) * (np.exp(-(k + 1) / self.tau) if self.tau > 0 else 0)
            cost += np.abs(np.einsum('bn,bn->b', Cd, x) - ref)
        uprev = self.last if self.last is not None else np.zeros(b)
        cost = cost.reshape(b, K) / self.h + self.smooth * np.abs(self.grid[None] - uprev[:, None])
        w = np.exp(-(cost - cost.min(1, keepdims=True)) / self.temp); w /= w.sum(1, keepdims=True)
        self.last = np.clip((w * self.grid).sum(1), -1, 1)
        return self.last

if __name__ == '__main__':
    n, seed = int(sys.argv[1]), int(sys.argv[2])
    evaluate({'oracle MPC H15 tau10': lambda p, r: OracleMPC(p),
              'oracle MPC H50 tau10': lambda p, r: OracleMPC(p, horizon=50),
              'oracle MPC m5 H10x5 tau10': lambda p, r: OracleMPC(p, horizon=50, m=5)}, n, seed)
