"""Training-step cost of the Table 1 models on this machine: forward + backward of one batch (B=32, L=256 windows).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_models.py [--cuda]

Prints the median over repeats per model, last-position readout (research) and every-position readout, so the cost of
the plain-PyTorch selective scan (a Python loop over time) can be compared with the LSTM and the Transformer side by side.
"""
import statistics, sys, time
import torch
from pixelbytes.models import make_v1

def median_time(f, repeats=3):
    f(); ts = []
    for _ in range(repeats):
        t = time.perf_counter(); f()
        if torch.cuda.is_available(): torch.cuda.synchronize()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)

if __name__ == '__main__':
    dev = 'cuda' if '--cuda' in sys.argv else 'cpu'
    b, l = (32, 256) if dev == 'cuda' else (8, 128)
    x = torch.randint(0, 113, (b, l, 3, 3), device=dev)
    print(f'device {dev}, batch {b}, {l} windows, {torch.get_num_threads()} CPU threads')
    for name, kw in {'RNN bi 81/64/2': {}, 'Att d2 (research)': dict(kind='attention'),
                     'Att d2 causal+learned': dict(kind='attention', causal=True, positions='learned'),
                     'SSM bi d2 (residual)': dict(kind='ssm')}.items():
        for ro in ('last', 'all'):
            m = make_v1(readout=ro, **kw).to(dev)
            def f():
                y = m(x); y.float().mean().backward()
            t = median_time(f)
            print(f'{name:24s} readout {ro:4s}: {t * 1000:8.1f} ms/step | {b * l / t:9.0f} windows/s')
