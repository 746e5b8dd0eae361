"""Generation speed of the Table 2 model (3.88 M parameters) on CPU: the streaming generator vs re-reading the sequence.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_generate.py [--threads N|auto] [--repeats R] [--streaming-only]

Everything `generate` does per token is timed: building each context, the structure's mask, the model, sampling.
The prompt is the beginning of a real cry of the default data (P tokens, its two channels interleaved) and the model
continues it. Per-token cost = (median time for K new tokens − median time for none) / K, so reading the prompt once is
not counted; tokens/s = batch / per-token cost. K is 1,000 for streaming and 4 for re-reading (the research's
generator), whose every token re-reads the whole prompt. The research's figures on this machine were about 11 tokens/s at a 1,024-token prompt
and 3 at 4,096 (method notes).
"""
import statistics, sys, time
import numpy as np
import torch
from pixelbytes.models import PxByLSTM
from pixelbytes.creatures import make_creatures, DEFAULT_AUDIO_STEP
from pixelbytes.tokenizer import PixelBytesTokenizer
from pixelbytes.generate import AudioPart, generate

TOK = PixelBytesTokenizer(audio_step=DEFAULT_AUDIO_STEP)


def cry_prompt(tokens: int) -> np.ndarray:
    "A (2, N) sound whose first `tokens` tokens (two channels per step) come from real cries, repeated as needed."
    cries = np.concatenate([c.audio for c in make_creatures(12)], axis=1)
    n = tokens // 2 * DEFAULT_AUDIO_STEP
    return np.tile(cries, (1, n // cries.shape[1] + 1))[:, :n]


def seconds(model, cry, batch, new, streaming, threads):
    steps = cry.shape[1] // DEFAULT_AUDIO_STEP + new // 2
    prompts = [[AudioPart(cry, complete=False, samples=steps)] for _ in range(batch)]
    t = time.perf_counter()
    generate(model, prompts, TOK, seed=0, streaming=streaming, threads=threads)
    return time.perf_counter() - t


def tokens_per_s(model, cry, batch, new, streaming, threads, repeats):
    base = statistics.median(seconds(model, cry, batch, 0, streaming, threads) for _ in range(repeats))
    full = statistics.median(seconds(model, cry, batch, new, streaming, threads) for _ in range(repeats))
    return batch * new / (full - base)


if __name__ == '__main__':
    threads = sys.argv[sys.argv.index('--threads') + 1] if '--threads' in sys.argv else 'auto'
    threads = threads if threads == 'auto' else int(threads)
    repeats = int(sys.argv[sys.argv.index('--repeats') + 1]) if '--repeats' in sys.argv else 3
    torch.set_grad_enabled(False)
    model = PxByLSTM().eval()          # the Table 2 configuration; the cost does not depend on the weights
    print(f'model: {model.n_params:,} parameters, generating with threads={threads} ({torch.get_num_threads()} available), median of {repeats}')
    for batch in (1, 16):
        for prompt in (256, 1024, 4096):
            cry = cry_prompt(prompt)
            fast = tokens_per_s(model, cry, batch, 1000, True, threads, repeats)
            if '--streaming-only' in sys.argv:
                print(f'batch {batch:2d}, prompt {prompt:5d}: streaming {fast:8.0f} tokens/s', flush=True); continue
            slow = tokens_per_s(model, cry, batch, 4, False, threads, 1 if prompt * batch > 4096 else repeats)
            print(f'batch {batch:2d}, prompt {prompt:5d}: streaming {fast:8.0f} tokens/s | re-reading {slow:7.1f} tokens/s | {fast / slow:6.0f}x', flush=True)
