"""Training throughput (tokens/s) of the fastai Learner against the research's hand-written loop, side by side.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_train.py [--cuda] [--batches N] [--rounds R]

The Table 2 model (autoregressive, embed 128, hidden 512, 2 layers, 3.88 M parameters) on batches of 8 windows of 1,024
tokens of the built-in creatures, then the predictive objective and a small model. The research's loop is re-implemented
as its `_process_epoch` trained (forward on input_ids[:, :-1], cross-entropy over all six slots, AdamW step per batch);
the Learner is `pxby_learner` as a run uses it (honest loss, callbacks, CSV log). Each figure is the median time of one
training batch (forward, backward, optimizer step) over N batches after two warm-up batches;
tokens/s = batch tokens / median. The loops are measured in alternation (`--rounds` rounds of: research loop, research
loop holding memory, Learner), so a change of machine load hits all of them.

`pxby_learner` adds `ReuseMemory`: while it fits, glibc keeps freed memory for the next batch (`hold_memory`) instead
of mapping and zeroing fresh pages for every large tensor. The research's loop ran with glibc's usual behaviour; here
it runs with the thresholds `hold_memory(False)` sets (those glibc's own rule reaches after large blocks; measured as
fast as a fresh process or faster). So two ratios are printed: against the research loop as it ran (what a user
gains), and against the same loop holding memory too (the Learner's own cost: its loop and callbacks).
"""
import statistics, sys, tempfile, time
from pathlib import Path
import torch
import torch.nn.functional as F
from fastai.callback.core import Callback
from pixelbytes.creatures import make_creatures, DEFAULT_AUDIO_STEP
from pixelbytes.tokenizer import PixelBytesTokenizer
from pixelbytes.sequences import build_token_cache, TokenSequences
from pixelbytes.models import ModelConfig, PxByLSTM
from pixelbytes.train import token_dataloaders, pxby_learner, hold_memory

BS, L = 8, 1024


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


class BatchTimer(Callback):
    "Wall time of every training batch, from before the forward pass to after the optimizer step."
    def before_fit(self):
        self.times = []

    def before_batch(self):
        self.t = time.perf_counter()

    def after_batch(self):
        if not self.training:
            return
        if self.dls.device.type == 'cuda':
            torch.cuda.synchronize()
        self.times.append(time.perf_counter() - self.t)


def research_step(model, opt, config: ModelConfig, x, y, device: str):
    "The research's training step (AR: all six slots of the next position, zeros and padding included)."
    with torch.autocast(device, dtype=torch.bfloat16, enabled=device == 'cuda'):
        if config.objective == 'autoregressive':
            out = model(x[:, :-1])
            loss = F.cross_entropy(out.reshape(-1, config.vocab_size).float(), x[:, 1:].reshape(-1))
        else:
            out = model(x)
            loss = F.cross_entropy(out.reshape(-1, config.vocab_size).float(), y.reshape(-1), ignore_index=-100)
    opt.zero_grad()
    loss.backward()
    opt.step()


def research_loop(config: ModelConfig, windows: TokenSequences, n: int, device: str) -> list[float]:
    "Time of each of n research training batches after two warm-up ones."
    model = PxByLSTM(config).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    loader = torch.utils.data.DataLoader(windows, batch_size=BS, shuffle=True)
    times = []
    for k, (x, y) in enumerate(loader):
        if k > n + 1:
            break
        t = time.perf_counter()
        research_step(model, opt, config, x.to(device), y.to(device), device)
        if device == 'cuda':
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t)
    return times[2:]                      # the first batches warm up (the first costs many times a later one)


def research_holding(config: ModelConfig, windows: TokenSequences, n: int, device: str) -> list[float]:
    "The research loop with freed memory held for reuse, as `ReuseMemory` does while a Learner fits."
    hold_memory(True)
    try:
        return research_loop(config, windows, n, device)
    finally:
        hold_memory(False)


def learner_times(config: ModelConfig, windows: TokenSequences, n: int, device: str, folder: Path) -> list[float]:
    dls = token_dataloaders(windows, windows, bs=BS, device=device)
    dls.train.n = min(len(windows), (n + 2) * BS)     # n + 2 training batches (two warm up), one validation batch
    dls.valid.n = BS
    timer = BatchTimer()
    learn = pxby_learner(dls, config, path=folder, cbs=timer)
    with learn.no_bar(), learn.no_logging():
        learn.fit(1, 1e-3)
    return timer.times[2:]


def tokens_per_s(times: list[float]) -> float:
    return BS * L / statistics.median(times)


if __name__ == '__main__':
    device = 'cuda' if '--cuda' in sys.argv else 'cpu'
    n, rounds = int(arg('--batches', 8)), int(arg('--rounds', 2))
    if device == 'cpu':
        torch.set_num_threads(2)
    hold_memory(False)                    # every loop starts from the same allocator settings
    tmp = Path(tempfile.mkdtemp())
    crs = make_creatures(60)
    items = ({'text': c.text, 'image': c.rgb, 'audio': c.audio} for c in crs)
    tokenizer = PixelBytesTokenizer(audio_step=DEFAULT_AUDIO_STEP)
    cache = build_token_cache(items, tokenizer, tmp/'tokens', total=len(crs), progress=False)
    windows = TokenSequences(cache, L, L // 2)
    print(f'device {device}, {torch.get_num_threads()} CPU threads, batch {BS} x {L} tokens, median of {rounds} x {n} '
          'batches (each run drops two warm-up batches), in alternation; held: the research loop keeping freed memory '
          'for reuse, as the Learner does (ReuseMemory)')
    configs = {'Table 2 AR (128/512/2)': ModelConfig(),
               'Table 2 predict (128/512/2)': ModelConfig(objective='predict'),
               'small AR (48/128/1)': ModelConfig(embed_size=48, hidden_size=128, num_layers=1)}
    for name, config in configs.items():
        orig, held, ours = [], [], []
        for r in range(rounds):
            orig += research_loop(config, windows, n, device)
            held += research_holding(config, windows, n, device)
            ours += learner_times(config, windows, n, device, tmp/f'{name.split()[0]}{r}')
        a, b, c = tokens_per_s(orig), tokens_per_s(held), tokens_per_s(ours)
        params = sum(p.numel() for p in PxByLSTM(config).parameters())
        print(f'{name:28s} {params:>9,} params | research loop {a:7,.0f} tok/s, held {b:7,.0f} | '
              f'fastai Learner {c:7,.0f} tok/s | ratio {c / a:.2f} '
              f'(to the held loop {c / b:.2f}: {1e3 * BS * L * (1 / c - 1 / b):+.1f} ms a batch)', flush=True)
