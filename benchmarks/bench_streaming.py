"""Per-token cost of the Table 2 model (3.88 M parameters) on CPU: streaming `step` vs re-running the whole sequence.

    .venv/bin/python benchmarks/bench_streaming.py

The research's generator re-ran the LSTM over the whole sequence for every new token; `step` carries the state.
Prints tokens/s (median over repeats) at batch 1 and 16 for prompts of 256, 1,024 and 4,096 tokens.
"""
import statistics, time
import torch
from pixelbytes.models import PxByLSTM, step

torch.set_grad_enabled(False)


def median_time(f, repeats):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)


if __name__ == '__main__':
    model = PxByLSTM().eval()
    print(f'model: {model.n_params:,} parameters, {torch.get_num_threads()} CPU threads')
    for batch in (1, 16):
        for prompt in (256, 1024, 4096):
            x = torch.randint(0, 151, (batch, prompt, 6))
            _, (hn, cn) = model.lstm(model.embed(x))   # the state after the prompt
            state = [(hn[k], cn[k]) for k in range(model.config.num_layers)]
            t_step = median_time(lambda: step(model, x[:, -1], state), 50)
            t_full = median_time(lambda: model(x), 3 if prompt < 4096 else 1)
            print(f'batch {batch:2d}, prompt {prompt:5d}: streaming {batch / t_step:9.0f} tokens/s | '
                  f'full recompute {batch / t_full:7.1f} tokens/s | {t_full / t_step:6.0f}x')
