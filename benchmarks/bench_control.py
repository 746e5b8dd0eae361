"""Issue #38's goal, measured: `pixelbytes control` with its defaults, timed, and the learned controllers' figures as
ratios to the bang-bang's and the tuned PI's, from the same run (the same unseen plants, setpoints and noise).

    OMP_NUM_THREADS=1 python benchmarks/bench_control.py [OUT]     # OUT: a new folder (default runs/bench_control)

A finished OUT is reused (training resumes or is skipped), so the time printed is the time of what was left to do."""
import os, sys, time
from pathlib import Path
import numpy as np
import pandas as pd
from pixelbytes.control import control_experiment, control_verdict, BASELINES
from pixelbytes.plants import interval_half_width


def goal_rows(per_run: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    "Per learned controller: the goal's figures and ratios (error vs bang-bang and PI, settled, |Δu|, research test)."
    by = per_run.groupby('controller', sort=False)
    err, settled, du = by.abs_error.mean(), by.settled.mean(), by.smoothness.mean()
    bang, pi = (err[b] for b in BASELINES)
    rows = []
    for name in err.index:
        e = by.get_group(name).abs_error
        rows.append({'controller': name, 'abs_error': f'{e.mean():.3f} ± {interval_half_width(e):.3f}',
                     'x bang-bang (goal <= 0.5)': round(err[name] / bang, 2),
                     'x PI (goal <= 2)': round(err[name] / pi, 2),
                     'settled (goal >= 50 %)': f'{100 * settled[name]:.0f} %',
                     'mean |du| (goal <= bang-bang)': round(du[name], 3),
                     'research test (goal <= 0.05)': table.loc[name, 'research_test_error']})
    return pd.DataFrame(rows).set_index('controller')


if __name__ == '__main__':
    out = Path(sys.argv[1] if len(sys.argv) > 1 else 'runs/bench_control')
    start = time.time()
    control_experiment(out, progress=False)
    minutes = (time.time() - start) / 60
    per_run = pd.read_csv(out / 'closed_loop_runs.csv')
    table = pd.read_csv(out / 'closed_loop.csv', index_col=0)
    print(f'\npixelbytes control, defaults: {minutes:.1f} min (goal <= 20) on {os.cpu_count()} CPU cores, '
          f'OMP_NUM_THREADS={os.environ.get("OMP_NUM_THREADS", "unset")}, load average at the end '
          f'{np.round(os.getloadavg(), 1).tolist()}')
    with pd.option_context('display.width', 250, 'display.max_columns', 20):
        print(goal_rows(per_run, table).to_string())
    print(control_verdict(per_run))
