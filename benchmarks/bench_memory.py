"""The cost of the description memory's levers (#39): one training batch of the main job's described LSTM with the
plain running mean of the n-grams (3, 4, 5), with learned gates, and with gates and 8-grams (`train_model`'s default).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_memory.py [--batches N] [--rounds R]

The main job's model (predict, embedding 48, hidden 128, one layer, memory 64, rows and columns 16, the priors and the
layout `train_model` gives it) on batches of 8 windows of 256 tokens of the built-in creatures, each window given the
text before it, as `pixelbytes demo` trains. A batch: forward, the loss with the priors' own, backward, an AdamW step.
Each figure is the median over N batches after two warm-up batches; the three models are measured in alternation
(`--rounds` rounds), so a change of machine load hits all of them. Run it at one thread on a quiet machine.
"""
import statistics, sys, time
import torch
import torch.nn.functional as F
from pixelbytes.creatures import make_creatures, DEFAULT_AUDIO_STEP
from pixelbytes.tokenizer import PixelBytesTokenizer
from pixelbytes.models import ModelConfig, DescribedLSTM
from pixelbytes.metrics import AUDIO_START
from pixelbytes.tokenizer import IMAGE_OFFSET

BS, L = 8, 256


def arg(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def batches(n: int):
    "Windows of the first creatures' token contexts, with the text before each (as the training windows have it)."
    tok = PixelBytesTokenizer(audio_step=DEFAULT_AUDIO_STEP, frame_step=2)
    seqs = [torch.as_tensor(tok(text=c.told, image=c.rgb, audio=c.audio)['input_ids']) for c in make_creatures(40)]
    g = torch.Generator().manual_seed(0)
    out = []
    for _ in range(n):
        xs, texts = [], []
        for k in torch.randint(len(seqs), (BS,), generator=g).tolist():
            s = seqs[k]
            start = int(torch.randint(max(1, len(s) - L - 1), (1,), generator=g))
            xs.append(s[start:start + L + 1])
            texts.append(torch.zeros(64, dtype=torch.long))
        out.append((torch.stack(xs), torch.stack(texts)))
    return out


def model(**kw) -> DescribedLSTM:
    torch.manual_seed(0)
    return DescribedLSTM(ModelConfig(embed_size=48, hidden_size=128, num_layers=1, objective='predict',
                                     memory_size=64, position_size=16, image_prior=(IMAGE_OFFSET, AUDIO_START),
                                     geometry_prior=True, layout_size=16, step_prior=True, **kw))


def batch_time(m, opt, x, text) -> float:
    t = time.perf_counter()
    out = m(x[:, :-1], text)
    loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), x[:, 1:, 5].reshape(-1)) + (m.prior_loss or 0)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return time.perf_counter() - t


if __name__ == '__main__':
    torch.set_num_threads(1)
    n, rounds = arg('--batches', 20), arg('--rounds', 3)
    data = batches(n + 2)
    kinds = {'plain mean, n-grams 3-5': {}, 'gates, n-grams 3-5': dict(memory_gates=True),
             'gates, n-grams 3-5 and 8 (default)': dict(memory_gates=True, ngrams=(3, 4, 5, 8))}
    models = {k: model(**kw) for k, kw in kinds.items()}
    opts = {k: torch.optim.AdamW(m.parameters(), 1e-3) for k, m in models.items()}
    times = {k: [] for k in kinds}
    for _ in range(rounds):
        for k, m in models.items():
            m.train()
            ts = [batch_time(m, opts[k], x, text) for x, text in data]
            times[k] += ts[2:]
    base = statistics.median(times[next(iter(kinds))])
    for k, ts in times.items():
        med = statistics.median(ts)
        print(f'{k:38s} {1000 * med:7.1f} ms a batch  ({med / base:.2f} x the plain mean)')
