"""Streaming generation against the bare model step on CPU: the Table 2 LSTM (3.88 M parameters) and the main job's
default model.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_generate.py [--threads N|auto] [--repeats R] [--new K]
        [--prompts 256,1024] [--batches 1,16] [--models table2,described] [--rereading]

Everything `generate` does per token is timed: building each context, the structure's mask, the model, sampling.
The prompt is the beginning of a real cry of the default data (P tokens, its two channels interleaved) and the model
continues it. Per-token cost = (median time for K new tokens − median time for none) / K, so reading the prompt once is
not counted; tokens/s = batch / per-token cost. K is `--new` or half the prompt, the larger: building and reading a
16,384-token prompt takes seconds, and with K = 1,000 its run-to-run spread is as large as the new tokens' whole time.

Beside it, the floor: the model's own step (`models.step`, or `DescribedLSTM.step`) in a bare loop carrying its state,
K steps after the same prompt (fed the prompt's own contexts again, each row from another place, so that the model reads
varied tokens as in generation), at one thread and at the generator's thread count when that is another. For a
`PxByLSTM` the generator steps with `CellStep` (packed weights, the first input looked up, only the slot it reads
scored), so that step in a bare loop is printed too ("fast step", reading the slot the generator reads), and the same
step with the next hidden-state products computed ahead on a second thread ("ahead", what `generate` uses where it
pays: a bare loop leaves the main thread less work to do while the worker computes). The floor is the best of them;
ratio = generate / floor. All are measured in alternation, so a change of machine load hits all of them.

`--rereading` adds the research's generator (re-reading the whole sequence for every token, 4 tokens); its figures on
this machine were about 11 tokens/s at a 1,024-token prompt and 3 at 4,096 (method notes).
"""
import statistics, sys, time
import numpy as np
import torch
from pixelbytes.models import PxByLSTM, DescribedLSTM, ModelConfig, step
from pixelbytes.creatures import make_creatures, DEFAULT_AUDIO_STEP
from pixelbytes.tokenizer import PixelBytesTokenizer, IMAGE_OFFSET
from pixelbytes.metrics import AUDIO_START
from pixelbytes.train import LAYOUT_SIZE
from pixelbytes.generate import AudioPart, SequenceBuilder, CellStep, generate, generation_threads, cpu_threads, _stream

TOK = PixelBytesTokenizer(audio_step=DEFAULT_AUDIO_STEP)
DESCRIBED = ModelConfig(embed_size=48, hidden_size=128, num_layers=1, memory_size=64, position_size=16,
                        image_prior=(IMAGE_OFFSET, AUDIO_START), geometry_prior=True, layout_size=LAYOUT_SIZE,
                        step_prior=True)
MODELS = {'table2': ('Table 2 LSTM', lambda: PxByLSTM()),          # the cost does not depend on the weights
          'described': ('main job default (DescribedLSTM 48/128/1, memory 64, positions 16, priors, layout 16, '
                        'step prior)', lambda: DescribedLSTM(DESCRIBED))}
# the described model is `train_model`'s LSTM with its defaults (chapter 12: memory 64, positions 16, the priors on)


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def cry_prompt(tokens: int) -> np.ndarray:
    "A (2, N) sound whose first `tokens` tokens (two channels per step) come from real cries, repeated as needed."
    cries = np.concatenate([c.audio for c in make_creatures(12)], axis=1)
    n = tokens // 2 * DEFAULT_AUDIO_STEP
    return np.tile(cries, (1, n // cries.shape[1] + 1))[:, :n]


def prompts(cry, batch, new):
    steps = cry.shape[1] // DEFAULT_AUDIO_STEP + new // 2
    return [[AudioPart(cry, complete=False, samples=steps)] for _ in range(batch)]


def seconds(model, cry, batch, new, streaming=True, threads='auto'):
    ps = prompts(cry, batch, new)
    t = time.perf_counter()
    generate(model, ps, TOK, seed=0, streaming=streaming, threads=threads)
    return time.perf_counter() - t


def own_step(model, fast, ahead=False):
    "The model's own step, or (fast) `CellStep` reading the slot the generator reads, computing products ahead or not."
    if isinstance(model, DescribedLSTM):
        return model.step
    if not fast:
        return lambda x, s: step(model, x, s)
    cell = CellStep(model, ahead=ahead)
    six = model.n_out == 6

    def fast_step(x, s):
        out, s = cell(x, s)
        return (out[..., 5, :] if six else out), s
    return fast_step


def bare_seconds(model, cry, batch, new, threads, fast=False, ahead=False):
    "K steps of the model's own step after the prompt, in a bare loop carrying the state (the floor of any generator)."
    b = SequenceBuilder(prompts(cry, 1, 0)[0], TOK)
    ctx = torch.tensor(b.contexts).view(-1, 6)
    with cpu_threads(threads), torch.inference_mode():
        own = own_step(model, fast, ahead)
        state, _ = _stream(model).start([ctx] * batch)
        # the prompt's contexts replayed, each row from elsewhere, prepared before the clock starts
        rows_ = (torch.arange(new)[:, None] + torch.arange(batch) * 97) % len(ctx)
        xs = list(ctx[rows_])
        t = time.perf_counter()
        for x in xs:
            _, state = own(x, state)
        return time.perf_counter() - t


if __name__ == '__main__':
    threads = arg('--threads', 'auto')
    threads = threads if threads == 'auto' else int(threads)
    repeats, new = int(arg('--repeats', 5)), int(arg('--new', 1000))
    sizes = [int(p) for p in arg('--prompts', '256,1024,4096,16384').split(',')]
    batches = [int(b) for b in arg('--batches', '1,16').split(',')]
    torch.set_grad_enabled(False)
    print(f'generating with threads={threads} ({torch.get_num_threads()} available), at least {new} new tokens, '
          f'median of {repeats}; floor: the bare model step at 1 thread / all threads, and the fast step')
    for key in arg('--models', 'table2,described').split(','):
        name, make = MODELS[key]
        model = make().eval()
        print(f'{name}: {model.n_params:,} parameters', flush=True)
        for batch in batches:
            for prompt in sizes:
                cry = cry_prompt(prompt)
                k = max(new, prompt // 2)
                used = generation_threads(model, threads, batch)
                cell = not isinstance(model, DescribedLSTM)
                base, full, one, every, quick, early = [], [], [], [], [], []
                for _ in range(repeats):       # in alternation
                    base.append(seconds(model, cry, batch, 0, threads=threads))
                    full.append(seconds(model, cry, batch, k, threads=threads))
                    one.append(bare_seconds(model, cry, batch, k, 1))
                    if used != 1:
                        every.append(bare_seconds(model, cry, batch, k, used))
                    if cell:
                        quick.append(bare_seconds(model, cry, batch, k, used, fast=True))
                        early.append(bare_seconds(model, cry, batch, k, used, fast=True, ahead=True))
                m = statistics.median
                fast = batch * k / (m(full) - m(base))
                floor1 = batch * k / m(one)
                floor_used = batch * k / m(every) if every else floor1
                floor_fast = batch * k / m(quick) if quick else 0
                floor_ahead = batch * k / m(early) if early else 0
                floor = max(floor1, floor_used, floor_fast, floor_ahead)
                n_used = used or torch.get_num_threads()
                line = (f'  batch {batch:2d}, prompt {prompt:5d}, {k:5d} new: generate {fast:7.0f} tokens/s '
                        f'({n_used} thread) | bare step {floor1:7.0f} (1 thread)')
                line += f' {floor_used:7.0f} ({n_used} threads)' if every else ''
                line += f' | fast step {floor_fast:7.0f}, ahead {floor_ahead:7.0f}' if quick else ''
                line += f' | ratio {fast / floor:.2f}'
                if '--rereading' in sys.argv:
                    slow = batch * 4 / (seconds(model, cry, batch, 4, False, threads) - m(base))
                    line += f' | re-reading {slow:6.1f} tokens/s'
                print(line, flush=True)
