"""Closed-loop scoring shared by the experiments: the same unseen plants, setpoints and measurement noise for every
controller; baselines cached per plant draw."""
from __future__ import annotations
import pickle, time
from pathlib import Path
import numpy as np
import pandas as pd
from pixelbytes.plants import (Plant, fresh_plants, run_closed_loop, tracking_metrics, baseline_controllers)

CACHE = Path('/tmp/ctl/baselines')


def summarize(name, u, y, r, dt, secs=None):
    m = tracking_metrics(u, y, r, dt)
    e = m['abs_error']
    half = 1.96 * e.std(ddof=1) / np.sqrt(len(e)) if len(e) > 1 else float('nan')
    return {'controller': name, 'abs_error': e.mean(), 'ci95': half, 'median_err': np.median(e),
            'settled': m['settled'].mean(), 'du': m['smoothness'].mean(), 'secs': secs}


def baselines(n, seed, steps=300):
    CACHE.mkdir(parents=True, exist_ok=True)
    f = CACHE / f'n{n}_s{seed}_T{steps}.pkl'
    if f.exists():
        return pickle.loads(f.read_bytes())
    ps, r = fresh_plants(n, seed)
    t0 = time.time()
    runs = run_closed_loop(baseline_controllers(), ps, r, steps)
    out = (runs, time.time() - t0)
    f.write_bytes(pickle.dumps(out))
    return out


def evaluate(controllers: dict, n=20, seed=11, steps=300, test_plant=True, show=True):
    """Table of every controller (and the two baselines) on `fresh_plants(n, seed)`; and the 1/(s+1), r=0.5 test."""
    ps, r = fresh_plants(n, seed)
    dt = ps[0].dt
    base, bsecs = baselines(n, seed, steps)
    rows = [summarize(k, *v, r, dt) for k, v in base.items()]
    runs = dict(base)
    for name, make in controllers.items():
        t0 = time.time()
        run = run_closed_loop({name: make}, ps, r, steps)
        secs = time.time() - t0
        runs.update(run)
        row = summarize(name, *run[name], r, dt, secs)
        if test_plant:
            tp = [Plant([], [-1.0], 1.0)]
            u, y = run_closed_loop({name: make}, tp, np.array([0.5]), steps)[name]
            row['test_1/(s+1)'] = float(np.abs(y - 0.5).mean())
        rows.append(row)
    df = pd.DataFrame(rows).set_index('controller')
    if show:
        with pd.option_context('display.width', 200, 'display.float_format', '{:.3f}'.format):
            print(f'--- {n} unseen plants, seed {seed}, {steps} steps ---')
            print(df.to_string())
    return df, runs
