"""Generation speed and cache size of the pixel-token transformer (chapter 18) beside the PixelBytes LSTM of the same size, on CPU.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_pixeltoken.py [--threads N|auto] [--repeats R] [--batches 1,16]

Both models have about 209 k parameters (the sizes of chapter 18's comparison); the cost does not depend on the weights.
The prompt is a description and a sprite of the default data of at least P image tokens (frames repeated as needed), whose
rows closed windows as they do in use; the models then voice a cry. Per-token cost = (median time for K new tokens −
median time for none) / K, as in bench_generate.py: K is 512 when streaming and 4 when re-reading the whole sequence.
The cache line gives the key/value entries the transformer keeps per sequence after the prompt (window summaries, text,
the open window) against the tokens it has read: what a full causal cache would hold. `train_model` gives a transformer
a span of its training window (256 tokens): it reads nothing further back, and its cache stays under 256 entries.
"""
import statistics, sys, time
import numpy as np
import torch
from pixelbytes.models import make_apxby, ModelConfig
from pixelbytes.creatures import make_creatures, DEFAULT_AUDIO_STEP
from pixelbytes.tokenizer import PixelBytesTokenizer
from pixelbytes.generate import TextPart, ImagePart, AudioPart, SequenceBuilder, generate
from pixelbytes.pixeltoken import PixelTokenTransformer, COMPARISON

TOK = PixelBytesTokenizer(audio_step=DEFAULT_AUDIO_STEP)
CREATURE = make_creatures(1, seed=3)[0]


def sprite(tokens: int) -> np.ndarray:
    "Frames of a default-data sprite (repeated as needed) holding at least `tokens` image tokens."
    t, h, w = CREATURE.frames.shape
    frames = -(-tokens // (h * (w + 1)))
    return np.concatenate([CREATURE.rgb] * (frames // t + 1))[:frames]


def prompts(tokens: int, batch: int, new: int) -> list:
    "Description and sprite given, then a cry of new/2 time steps (two channels) to generate: exactly `new` tokens more than new=0."
    rgb = sprite(tokens)
    return [[TextPart(CREATURE.text), ImagePart(rgb, max_frames=len(rgb)), AudioPart(samples=new // 2)] for _ in range(batch)]


def seconds(model, tokens, batch, new, streaming, threads):
    t = time.perf_counter()
    generate(model, prompts(tokens, batch, new), TOK, seed=0, streaming=streaming, threads=threads)
    return time.perf_counter() - t


def tokens_per_s(model, tokens, batch, new, streaming, threads, repeats):
    "Tokens per second of generating `new` tokens after the prompt, reading the prompt subtracted."
    base = statistics.median(seconds(model, tokens, batch, 0, streaming, threads) for _ in range(repeats))
    full = statistics.median(seconds(model, tokens, batch, new, streaming, threads) for _ in range(repeats))
    return batch * new / (full - base)


def cache_entries(model, tokens) -> tuple[int, int]:
    "Entries the window cache keeps after reading the description and sprite, and the tokens read."
    b = SequenceBuilder(prompts(tokens, 1, 0)[0][:2], TOK)
    cache, _ = model.stream().start([torch.tensor(b.contexts).view(-1, 6)])
    return int(cache.keep.sum()), len(b.tokens)


if __name__ == '__main__':
    threads = sys.argv[sys.argv.index('--threads') + 1] if '--threads' in sys.argv else 'auto'
    threads = threads if threads == 'auto' else int(threads)
    repeats = int(sys.argv[sys.argv.index('--repeats') + 1]) if '--repeats' in sys.argv else 3
    batches = sys.argv[sys.argv.index('--batches') + 1] if '--batches' in sys.argv else '1,16'
    torch.set_grad_enabled(False)
    sizes = {k: v for k, v in COMPARISON['pixel-token, NES'].items() if k != 'arch'}
    lstm_kw = COMPARISON['LSTM autoregressive, NES']
    models = {'pixel-token': PixelTokenTransformer(vocab_size=151, **sizes).eval(),
              'pixel-token, span 256': PixelTokenTransformer(vocab_size=151, span=256, **sizes).eval(),
              'LSTM (autoregressive)': make_apxby(ModelConfig(embed_size=lstm_kw['embed_size'], hidden_size=lstm_kw['hidden_size'], num_layers=1)).eval()}
    print(f'threads={threads} ({torch.get_num_threads()} available), median of {repeats};',
          ', '.join(f'{k}: {sum(p.numel() for p in m.parameters()):,} parameters' for k, m in models.items()))
    for prompt in (256, 1024, 4096):
        for name in ('pixel-token', 'pixel-token, span 256'):
            kept, read = cache_entries(models[name], prompt)
            print(f'{name}, prompt {prompt:5d} image tokens: window cache keeps {kept:5d} entries of {read:5d} tokens read ({kept / read:.1%})', flush=True)
    for batch in map(int, batches.split(',')):
        for prompt in (256, 1024, 4096):
            line = f'batch {batch:2d}, prompt {prompt:5d}:'
            for name, model in models.items():
                fast = tokens_per_s(model, prompt, batch, 512, True, threads, repeats)
                line += f' | {name} streaming {fast:7.0f} tokens/s'
            slow = tokens_per_s(models['pixel-token'], prompt, batch, 4, False, threads, 1)
            print(line + f' | pixel-token re-reading {slow:6.1f} tokens/s', flush=True)
