"""Per-token cost on CPU of streaming `step` vs re-running the whole sequence: the Table 2 model, then the v1 SSM and Transformer.

    .venv/bin/python benchmarks/bench_streaming.py

The research's generator re-ran the model over the whole sequence for every new token; `step` carries the state.
Prints tokens/s (median over repeats) of the Table 2 LSTM (3.88 M parameters) at batch 1 and 16 for prompts of 256, 1,024
and 4,096 tokens; then, at batch 1, of a unidirectional v1 SSM (Mamba conv/scan state) and a causal v1 Transformer
(key/value cache) of the Table 1 sizes (dim 81, d_state 64, depth 2) with 64, 256 and 1,024 positions already read.
"""
import statistics, time
import torch
from pixelbytes.models import PxByLSTM, step, make_v1

torch.set_grad_enabled(False)


def median_time(f, repeats):
    ts = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def v1_models():
    "The Table 1 sizes, unidirectional SSM and causal Transformer (learned positions; max_len leaves room for the step after 1,024)."
    return {'SSM, uni': make_v1(kind='ssm', bidirectional=False).eval(),
            'Att, causal': make_v1(kind='attention', causal=True, positions='learned', max_len=2048).eval()}


def state_after(model, x):
    "The streaming state after reading every window of x (B, L, 3, 3)."
    state = None
    for t in range(x.shape[1]): _, state = model.step(x[:, t], state)
    return state


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
    print('v1 (Table 1 sizes), batch 1: one more window after `cache` positions')
    for name, model in v1_models().items():
        for cache in (64, 256, 1024):
            x = torch.randint(0, 113, (1, cache + 1, 3, 3))
            state = state_after(model, x[:, :-1])
            t_step = median_time(lambda: model.step(x[:, -1], state), 50)
            t_full = median_time(lambda: model(x), 5 if cache < 1024 else 3)
            print(f'{name:11s} ({model.n_params:,} parameters), cache {cache:5d}: streaming {1 / t_step:7.0f} tokens/s | '
                  f're-reading {1 / t_full:7.1f} tokens/s | {t_full / t_step:5.0f}x')
