"""The pixel-token family beyond the chapter's examples: colour folding round trips on random data (audio too), the
windowed attention reads only what it should, streaming equals reading the whole sequence on random prompts, checkpoints
load back or are refused, bad settings get clear errors, and the comparison runs end to end and resumes."""
import json, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from pixelbytes.core import InputError
from pixelbytes.tokenizer import PixelBytesTokenizer, IMAGE_OFFSET
from pixelbytes.models import save_pretrained, from_pretrained
from pixelbytes.train import train_model
from pixelbytes.generate import generate, TextPart, ImagePart, AudioPart, load_run
from pixelbytes.pixeltoken import FoldTokenizer, tokens_per_image, PixelTokenConfig, PixelTokenTransformer
from pixelbytes.pixeltoken import window_layout, visibility, compare_models, SIZES

ROOT = Path(__file__).resolve().parent.parent


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    factor=st.sampled_from([8, 16]),
    nes=st.booleans(),
    shape=st.tuples(st.integers(1, 3), st.integers(1, 6), st.integers(1, 7)),
    text=st.one_of(st.none(), st.text(max_size=10)),
    samples=st.one_of(st.none(), st.integers(1, 40)),
)
def test_fold_round_trip(seed, factor, nes, shape, text, samples):
    tok = FoldTokenizer(factor, nes, audio_step=1)
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, shape + (3,), dtype=np.uint8)
    audio = None if samples is None else rng.uniform(-1, 1, (2, samples))
    ids = tok.encode(text, image, audio)
    assert ids.min() >= 0 and ids.max() < tok.vocab_size
    back = tok.decode(ids)
    np.testing.assert_array_equal(back.rgb, tok.fold(image))
    np.testing.assert_array_equal(tok.encode(text, back.rgb, audio), ids)
    text_len = 0 if text is None else len(back.text) + 1
    audio_len = 0 if audio is None else 2 * (samples + 1)
    assert len(ids) == text_len + tokens_per_image(shape[1], shape[2], shape[0]) + audio_len
    if audio is not None:
        assert back.audio.shape == (2, samples)
        out = tok(text, image, audio)
        np.testing.assert_array_equal(out['labels'], ids)


ids_strategy = st.tuples(st.integers(0, 2**32 - 1), st.integers(1, 50), st.floats(0, 1))


def random_ids(seed: int, length: int, pixel_share: float, batch: int = 2, vocab: int = 151) -> torch.Tensor:
    "Ids where about `pixel_share` of the tokens are local (pixels or levels), the rest word-like."
    g = torch.Generator().manual_seed(seed)
    local = torch.rand(batch, length, generator=g) < pixel_share
    return torch.where(
        local,
        torch.randint(IMAGE_OFFSET, vocab, (batch, length), generator=g),
        torch.randint(0, IMAGE_OFFSET, (batch, length), generator=g),
    )


@settings(max_examples=40, deadline=None)
@given(spec=ids_strategy, window=st.integers(1, 8), lookback=st.integers(0, 2))
def test_visibility_reads_only_windows_and_summaries(spec, window, lookback):
    ids = random_ids(*spec)
    v = visibility(ids, window, lookback)
    closes, win = window_layout(ids, window)
    l = ids.shape[1]
    assert not v.triu(1).any() and v.diagonal(dim1=1, dim2=2).all()             # causal, each token reads itself
    for b in range(ids.shape[0]):
        for t in range(l):
            for s in range(t):
                assert bool(v[b, t, s]) == bool(closes[b, s] or win[b, t] - win[b, s] <= lookback)
        # a local run closes every `window` tokens
        run = 0
        for t in range(l):
            run = 0 if ids[b, t] < IMAGE_OFFSET else run + 1
            assert bool(closes[b, t]) == (ids[b, t] < IMAGE_OFFSET or run % window == 0)


MODELS = {
    k: PixelTokenTransformer(vocab_size=151, dim=16, heads=2, depth=2, window=4, lookback=k).eval() for k in (0, 1, 2)
}
MODEL = MODELS[1]


@settings(max_examples=25, deadline=None)
@given(spec=ids_strategy, cut=st.tuples(st.integers(0, 50), st.integers(0, 50)), lookback=st.sampled_from([0, 1, 2]))
def test_streaming_equals_full_read(spec, cut, lookback):
    MODEL = MODELS[lookback]
    ids = random_ids(*spec)
    l = ids.shape[1]
    lengths = [min(c, l - 1) for c in cut]
    with torch.no_grad():
        full = MODEL(ids)
    longer = torch.cat([ids, torch.zeros(2, 1, dtype=torch.long)], 1)   # one more query: which keys does it read?
    stream = MODEL.stream()
    cache, last = stream.start([ids[b, :p] for b, p in enumerate(lengths)])
    for b, p in enumerate(lengths):
        if p:
            torch.testing.assert_close(last[b], full[b, p - 1], atol=1e-4, rtol=1e-4)
    for k in range(l - max(lengths)):
        scores, cache = stream.step(torch.stack([ids[b, p + k] for b, p in enumerate(lengths)]), cache)
        for b, p in enumerate(lengths):
            torch.testing.assert_close(scores[b], full[b, p + k], atol=1e-4, rtol=1e-4)
        # what the next query reads besides itself
        reads = visibility(longer, 4, lookback)[torch.arange(2), [p + k + 1 for p in lengths]].sum(1) - 1
        # the cache keeps exactly that
        assert cache.keep.sum(1).tolist() == reads.tolist()


def test_checkpoint_round_trip_and_refusals(tmp_path):
    folder = save_pretrained(MODEL, tmp_path/'m')
    assert json.loads((folder/'config.json').read_text())['model_type'] == 'pixeltoken'
    back = from_pretrained(folder)
    ids = random_ids(0, 30, 0.6)
    torch.testing.assert_close(back(ids), MODEL(ids))
    with pytest.raises(InputError, match='vocab_size is 151'):
        from_pretrained(folder, vocab_size=4192)
    cfg = json.loads((folder / 'config.json').read_text())
    cfg['dim'] = 32
    (folder/'config.json').write_text(json.dumps(cfg))
    with pytest.raises(InputError, match='has shape'):
        from_pretrained(folder)
    cfg['model_type'] = 'nonsense'
    (folder/'config.json').write_text(json.dumps(cfg))
    with pytest.raises(InputError, match='no readable model configuration'):
        from_pretrained(folder)


def test_bad_settings_are_refused(tmp_path):
    with pytest.raises(InputError, match="objective must be 'predict'"):
        PixelTokenConfig(objective='autoregressive')
    with pytest.raises(InputError, match='even whole number'):
        PixelTokenConfig(dim=12, heads=4)
    with pytest.raises(InputError, match='sizes must be positive'):
        PixelTokenConfig(window=0)
    with pytest.raises(InputError, match='lookback and span must be >= 0, got -1 and 0'):
        PixelTokenConfig(lookback=-1)
    with pytest.raises(InputError, match='lookback and span must be >= 0, got 1 and -2'):
        PixelTokenConfig(span=-2)
    with pytest.raises(InputError, match='arch must be one of'):
        train_model(out=str(tmp_path / 'a'), arch='cnn')
    with pytest.raises(InputError, match="objective must be 'predict'"):
        train_model(out=str(tmp_path / 'b'), arch='pixeltoken', objective='diffusion')
    with pytest.raises(InputError, match='factor must be one of'):
        train_model(out=str(tmp_path / 'c'), fold=4)
    with pytest.raises(InputError, match='research order'):
        train_model(out=str(tmp_path / 'd'), fold=16, order='image,text,audio')
    with pytest.raises(InputError, match='the tokenizer writes 151'):
        generate(
            PixelTokenTransformer(vocab_size=FoldTokenizer(16).vocab_size, **SIZES['tiny']),
            [TextPart('x')],
            PixelBytesTokenizer(),
        )
    with pytest.raises(InputError, match='expected \\(B, L\\) ids'):
        MODEL(torch.zeros(1, 2, 3, dtype=torch.long))
    with pytest.raises(InputError, match='not colours'):
        FoldTokenizer(16).colours([FoldTokenizer(16).audio_offset])


def test_generation_streams_like_rereading_with_folded_colours():
    tok = FoldTokenizer(16)
    model = PixelTokenTransformer(vocab_size=tok.vocab_size, dim=16, heads=2, depth=1, window=5).eval()
    prompts = [
        [TextPart('red'), ImagePart(width=5, height=4, frames=2), AudioPart(samples=12)],
        [
            TextPart('a long blue creature'),
            ImagePart(max_width=6, max_height=5, max_frames=2),
            AudioPart(max_samples=20),
        ],
    ]
    fast, slow = (generate(model, prompts, tok, seed=3, streaming=s) for s in (True, False))
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a.ids, b.ids)
    d = fast[0].decoded
    assert d.rgb.shape == (2, 4, 5, 3) and d.audio.shape == (2, 12)
    # every generated colour is a folded one
    assert np.array_equal(tok.fold(d.rgb), d.rgb)


@pytest.mark.timeout(1200)
def test_comparison_end_to_end_and_resumes(tmp_path):
    models = {'lstm': dict(arch='lstm', objective='predict', embed_size=12, hidden_size=16),
              'fold': dict(arch='pixeltoken', fold=16, dim=8, heads=2, depth=1)}
    table = compare_models(tmp_path, models, n=24, epochs=1, coherence_samples=2, progress=False)
    assert list(table.index) == ['lstm', 'fold']
    assert table.loc['lstm', 'vocabulary'] == 151 and table.loc['fold', 'vocabulary'] == FoldTokenizer(16).vocab_size
    # one token per pixel in both schemes
    assert table.loc['lstm', 'image_tokens_per_item'] == table.loc['fold', 'image_tokens_per_item'] > 0
    for m in ('all', 'text', 'image', 'audio'):
        assert (table[f'{m}_bits_per_token'] > 0).all()
    # the test split of 24 creatures, at most 2 of them
    assert table['coherence_creatures'].between(1, 2).all()
    rates = (
        table[[f'{a}_{p}' for a in ('colour', 'size', 'pitch') for p in ('description', 'empty', 'shuffled')]]
        .stack()
        .dropna()
    )
    # agreement rates (attributes nothing showed are left out)
    assert rates.between(0, 1).all()
    stamp = (tmp_path/'fold'/'model.safetensors').stat().st_mtime_ns
    # finished runs are not trained again
    again = compare_models(tmp_path, models, n=24, epochs=1, coherence_samples=2, progress=False)
    assert (tmp_path/'fold'/'model.safetensors').stat().st_mtime_ns == stamp
    assert again.equals(table) and (tmp_path/'comparison.csv').exists()


def test_cli_trains_and_generates_with_folded_colours(tmp_path):
    run = tmp_path/'run'
    cmd = [sys.executable, '-m', 'pixelbytes.cli']
    subprocess.run(
        cmd
        + [
            'train',
            '--out',
            str(run),
            '--n',
            '24',
            '--epochs',
            '1',
            '--arch',
            'pixeltoken',
            '--fold',
            '16',
            '--dim',
            '8',
            '--heads',
            '2',
            '--depth',
            '1',
            '--no-progress',
        ],
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )
    model, tok = load_run(run)
    assert isinstance(tok, FoldTokenizer) and tok.factor == 16 and model.config.vocab_size == tok.vocab_size
    done = subprocess.run(
        cmd
        + [
            'generate',
            str(run),
            '--text',
            'a red creature',
            '--width',
            '6',
            '--height',
            '5',
            '--frames',
            '1',
            '--seconds',
            '0.05',
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


LOAD_FRESH = """
import sys
from pixelbytes.generate import load_run
from pixelbytes.train import arch_entry
before = 'pixelbytes.pixeltoken' in sys.modules
model, tok = load_run(sys.argv[1], 'cpu')
print(before, type(model).__name__, type(tok).__name__, arch_entry('pixeltoken')[1].__name__)
"""


def test_a_pixel_token_run_loads_without_importing_its_chapter(tmp_path):
    "The earlier chapters import chapter 18 through their registries when they meet its names, never by themselves."
    tok = FoldTokenizer(16)
    save_pretrained(PixelTokenTransformer(vocab_size=tok.vocab_size, dim=8, heads=2, depth=1), tmp_path)
    tok.save(tmp_path/'tokenizer.json')
    done = subprocess.run([sys.executable, '-c', LOAD_FRESH, str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ['False', 'PixelTokenTransformer', 'FoldTokenizer', 'pixeltoken_model']


def test_shared_rotary_angles_give_the_same_numbers():
    """The stream computes the rotary angles once per step for every block: exactly the numbers of turning queries and
    keys apart."""
    from pixelbytes.pixeltoken import rotary_angles
    torch.manual_seed(0)
    c = MODEL.config
    x, pos = torch.randn(3, 5, c.dim), torch.randint(0, 5000, (3, 5))
    mask = torch.ones(3, 5, 5, dtype=torch.bool).tril()
    cache = (torch.randn(3, c.heads, 7, c.dim // c.heads), torch.randn(3, c.heads, 7, c.dim // c.heads))
    for block in MODEL.blocks:
        a, (ka, va) = block(x, pos, F_pad(mask), cache)
        b, (kb, vb) = block(x, pos, F_pad(mask), cache, rotary_angles(pos, c.dim // c.heads // 2, c.rope_base))
        assert torch.equal(a, b) and torch.equal(ka, kb) and torch.equal(va, vb)


def F_pad(mask):
    return torch.cat([torch.ones(*mask.shape[:2], 7, dtype=torch.bool), mask], -1)  # the cached keys are read too
