"""Table 1 beyond the chapter's examples: on random v1 rows the protocol's circular blocks read and continue exactly
the research's windows (row indices modulo L), the training pairs are the research's, and a killed run keeps what it
finished."""
import json, subprocess, sys, textwrap
from pathlib import Path
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck
from pixelbytes.core import NES_PALETTE, InputError
from pixelbytes.table1 import WindowBuilder
from pixelbytes.table1 import v1_tokenizer, block_starts, block_example, block_scores, V1Subsequences, table1
from pixelbytes.table1 import SCORES, BASELINE
from pixelbytes.sequences import build_token_cache

ROOT = Path(__file__).resolve().parent.parent


@st.composite
def rows(draw):
    "A random v1 row: a caption of 1-90 characters and a random NES image of 1-6 × 1-7 pixels."
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    text = ''.join(rng.choice(list('abcdefgh ,.'), draw(st.integers(1, 90))))
    return text, NES_PALETTE[rng.integers(0, 55, (draw(st.integers(1, 6)), draw(st.integers(1, 7))))]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows(), st.sampled_from([(64, 16), (64, 32), (8, 4), (3, 40)]))
def test_blocks_are_the_research_windows_modulo_length(row, sizes):
    """Every block's 64 windows read and its true continuation are the row's windows at (start + k) mod L, however short
    the row."""
    text, image = row
    context, new = sizes
    out = v1_tokenizer()(text=text, image=image)
    tokens, windows, n = out['labels'], out['input_ids'], len(out['labels'])
    for s in block_starts(n, context + 16):
        e = block_example(tokens, s, context, new)
        idx = (s + np.arange(context + new)) % n
        assert np.array_equal(np.array(WindowBuilder(e['prompt']).windows[-context:]), windows[idx[:context]])
        assert np.array_equal(e['windows'], windows[idx[context:]]) and np.array_equal(
            e['tokens'], tokens[idx[context:]]
        )
        perfect = block_scores(e, e, new)
        assert [perfect[k] for k in SCORES] == [0., 1., 1., 0., 1., 1.]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows(), min_size=1, max_size=3), st.integers(1, 40), st.integers(1, 9))
def test_training_pairs_are_the_research_pairs(tmp_path_factory, items, seq_length, stride):
    """PxByDataset: starts 0, stride, … < L in each row, seq_length windows circularly, and the token after them as the
    target."""
    folder = tmp_path_factory.mktemp('cache')
    tok = v1_tokenizer()
    rows_ = [tok(text=t, image=i) for t, i in items]
    build_token_cache([{'text': t, 'image': i} for t, i in items], tok, folder, progress=False)
    pairs, k = V1Subsequences(folder, seq_length, stride), 0
    for r in rows_:
        n = len(r['labels'])
        for s in range(0, n, stride):
            x, y = pairs[k]
            k += 1
            idx = (s + np.arange(seq_length + 1)) % n
            assert np.array_equal(x.numpy(), r['input_ids'][idx[:-1]]) and int(y) == r['labels'][idx[-1]]
    assert k == len(pairs)


def test_killed_run_keeps_finished_models(tmp_path):
    "A runner killed (SIGKILL) after its first model keeps that model; the rerun skips it and finishes the rest."
    run = tmp_path/'run'
    args = dict(
        models=['RNN d1', 'RNN 32-state'],
        n=60,
        batches=4,
        bs=8,
        seq_length=32,
        valid_samples=8,
        rows=1,
        threads=1,
        device='cpu',
    )
    script = textwrap.dedent(f"""
        import os, signal, pixelbytes.table1 as t
        real = t._run_row
        def once(m, *a, **k):
            row = real(m, *a, **k)
            if m is not None and m.name == 'RNN 32-state': os.kill(os.getpid(), signal.SIGKILL)
            return row
        t._run_row = once
        t.table1({str(run)!r}, **{args!r}, show=False)
    """)
    p = subprocess.run([sys.executable, '-c', script], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == -9, p.stderr[-2000:]
    first = json.loads((run/'models'/'rnn-d1'/'train.json').read_text())
    assert (run/'models'/'rnn-32-state'/'train.json').exists()              # trained; killed before its results line
    df = table1(run, **args, show=False)
    assert df['model'].tolist() == [BASELINE, 'RNN d1', 'RNN 32-state']
    assert df.loc[1, 'train_s'] == pytest.approx(first['train_s'])
    with pytest.raises(InputError, match='no Table 1 model'):
        table1(run, **{**args, 'models': ['RNN 7']}, show=False)
