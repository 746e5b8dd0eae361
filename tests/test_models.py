"""Model zoo tests: shapes for every configuration/objective, gradients (padding row frozen), causality, streaming,
save/load, SSM scan."""
import json
import pytest, torch
from torch import nn
from pixelbytes.core import BYTE_TOKENS, NES_PALETTE, ACTION_LEVELS, PAD_ID, InputError
from pixelbytes.models import make_v1, make_apxby, V1Config, V1_KINDS, OBJECTIVES, diffusion_mask, diffusion_loss
from pixelbytes.models import selective_scan, MambaMixer, step, save_pretrained, from_pretrained, denoise
import pixelbytes.models as pm

V1 = len(BYTE_TOKENS) + len(NES_PALETTE)
V2 = V1 + len(ACTION_LEVELS)
SMALL = dict(dim=36, d_state=16)
torch.manual_seed(0)


def v1_ids(b=2, l=9): return torch.randint(0, V1, (b, l, 3, 3))
def v2_ids(b=2, l=8): return torch.randint(0, V2, (b, l, 6))

V1_CONFIGS = [
    dict(kind=k, bidirectional=bi, readout=ro, embed=em, conv=cv)
    for k in V1_KINDS
    for bi in (True, False)
    for ro in ('last', 'all')
    for em, cv in (('pxby', True), ('pxby', False), ('center', True))
]
V1_CONFIGS += [
    dict(kind='attention', causal=True, positions='learned', readout='all'),
    dict(kind='ssm', residual=False, readout='all'),
    dict(kind='rnn', depth=1),
    dict(kind='rnn', depth=3),
]


def test_vocab_sizes(): assert (V1, V2) == (113, 151)


@pytest.mark.parametrize('kw', V1_CONFIGS, ids=lambda kw: ','.join(f'{k}={v}' for k, v in kw.items()))
def test_v1_shapes_and_gradients(kw):
    m = make_v1(**SMALL, **kw)
    x = v1_ids()
    x[:, :, 2] = PAD_ID  # structural zeros, as real windows have
    y = m(x)
    assert y.shape == ((2, V1) if kw.get('readout', 'last') == 'last' else (2, 9, V1))
    y.float().pow(2).mean().backward()
    for name, p in m.named_parameters():
        assert p.grad is not None, name
        if name.endswith('embed.weight'):
            assert p.grad[PAD_ID].abs().sum() == 0, name
            assert p.grad[1:].abs().sum() > 0, name
        elif name == 'first.weight_hh_l0_reverse' and kw.get('depth') == 1 and kw.get('readout', 'last') == 'last':
            # the research's flaw (method notes §4.3): the backward half at the last step saw one window
            assert p.grad.abs().sum() == 0
        elif 'pos.weight' not in name:   # learned positions past L get no gradient, rightly
            assert p.grad.abs().sum() > 0, name


@pytest.mark.parametrize('objective', OBJECTIVES)
@pytest.mark.parametrize('bi', (False, True))
def test_apxby_shapes_and_gradients(objective, bi):
    m = make_apxby(embed_size=24, hidden_size=32, bidirectional=bi, objective=objective)
    x = v2_ids()
    y = m(x)
    assert y.shape == ((2, 8, V2) if objective == 'predict' else (2, 8, 6, V2))
    loss = diffusion_loss(m, x) if objective == 'diffusion' else y.float().logsumexp(-1).mean()
    loss.backward()
    assert m.embed.embed.weight.grad[PAD_ID].abs().sum() == 0
    for name, p in m.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_research_counts():
    assert make_apxby().n_params == 3_879_917
    assert make_apxby(objective='predict').n_params == 3_492_602
    assert make_apxby(hidden_size=256, bidirectional=True, objective='diffusion').n_params == 893_421
    assert make_apxby(hidden_size=256).n_params == 1_155_565
    assert make_v1(kind='ssm', residual=False).n_params == 164_979
    assert make_v1(kind='attention').n_params == 173_317
    assert make_v1().n_params == 78_633


def perturbed_changes_past(model, x, k):
    model.eval()
    x2 = x.clone()
    x2[:, k] = (x2[:, k] + 5) % x.max().clamp(min=2)
    with torch.no_grad():
        a, b = model(x), model(x2)
    return not torch.allclose(a[:, :k], b[:, :k], atol=1e-6), not torch.allclose(a[:, k:], b[:, k:], atol=1e-6)


@pytest.mark.parametrize('kw', [dict(kind='rnn', bidirectional=False), dict(kind='ssm', bidirectional=False),
                                dict(kind='ssm', bidirectional=False, residual=False),
                                dict(kind='attention', causal=True, positions='learned')])
@pytest.mark.parametrize('k', (1, 5, 8))
def test_causal_v1_never_sees_future(kw, k):
    past, future = perturbed_changes_past(make_v1(readout='all', **SMALL, **kw), v1_ids(), k)
    assert not past and future


@pytest.mark.parametrize('kw', [dict(kind='rnn'), dict(kind='ssm'), dict(kind='attention')])
def test_bidirectional_and_unmasked_see_future(kw):
    assert perturbed_changes_past(make_v1(readout='all', **SMALL, **kw), v1_ids(), 5)[0]


@pytest.mark.parametrize('objective', ('predict', 'autoregressive'))
def test_causal_apxby(objective):
    past, future = perturbed_changes_past(make_apxby(embed_size=24, hidden_size=32, objective=objective), v2_ids(), 4)
    assert not past and future


def test_streaming_matches_full_pass():
    m = make_v1(kind='rnn', bidirectional=False, readout='all', **SMALL).eval()
    x = v1_ids()
    full, state = m(x), None
    for t in range(x.shape[1]):
        y, state = m.step(x[:, t], state)
        torch.testing.assert_close(y, full[:, t], atol=1e-5, rtol=1e-5)
    a = make_apxby(embed_size=24, hidden_size=32).eval()
    x2, s = v2_ids(), None
    full2 = a(x2)
    for t in range(x2.shape[1]):
        y, s = step(a, x2[:, t], s)
    torch.testing.assert_close(y, full2[:, -1], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    'kw',
    [
        dict(kind='ssm', bidirectional=False),
        dict(kind='ssm', bidirectional=False, residual=False, depth=3),
        dict(kind='attention', causal=True, positions='learned'),
        dict(kind='attention', causal=True, depth=1),
    ],
)
def test_v1_streaming_matches_full_pass(kw):
    m = make_v1(readout='all', **SMALL, **kw).eval()
    x, state = v1_ids(), None
    full = m(x)
    for t in range(x.shape[1]):
        y, state = m.step(x[:, t], state)
        torch.testing.assert_close(y, full[:, t], atol=1e-5, rtol=1e-5)


def test_bidirectional_refused_for_generation():
    for kw in (dict(kind='rnn'), dict(kind='ssm'), dict(kind='attention')):
        with pytest.raises(InputError, match='cannot generate token by token'):
            make_v1(**SMALL, **kw).step(v1_ids()[:, 0])
    with pytest.raises(InputError, match='cannot generate'):
        step(make_apxby(embed_size=24, hidden_size=32, bidirectional=True), v2_ids()[:, 0])


def test_diffusion_mask_per_sample_without_replacement():
    g = torch.Generator().manual_seed(3)
    m = diffusion_mask(16, 20, generator=g)
    assert (m.all(-1).sum(1) >= 15).all()                      # ⌊0.75·20⌋ distinct positions at least
    assert len({tuple(r.flatten().tolist()) for r in m}) == 16  # not shared across the batch
    full = m.all(-1)
    assert m[:, 1:][full[:, :-1]][:, :5].all()                 # the next position's slots 1–5 are noised too


def test_diffusion_trains_every_level(monkeypatch):
    seen = []
    real = pm.noise_embeddings
    monkeypatch.setattr(pm, 'noise_embeddings', lambda e, mask, t, n: (seen.extend(t.tolist()), real(e, mask, t, n))[1])
    m = make_apxby(embed_size=12, hidden_size=8, objective='diffusion').train()
    for _ in range(20):
        m(v2_ids(b=8))
    assert set(seen) == set(range(m.config.diffusion_steps + 1))


def naive_scan(u, delta, A, B, C, D):
    y = torch.zeros_like(u)
    for b in range(u.shape[0]):
        for d in range(u.shape[1]):
            h = torch.zeros(A.shape[1], dtype=u.dtype)
            for t in range(u.shape[2]):
                h = torch.exp(delta[b, d, t] * A[d]) * h + delta[b, d, t] * B[b, :, t] * u[b, d, t]
                y[b, d, t] = (C[b, :, t] * h).sum() + D[d] * u[b, d, t]
    return y


@pytest.mark.parametrize('seed', range(3))
def test_selective_scan_matches_naive(seed):
    g = torch.Generator().manual_seed(seed)
    b, d, n, l = 2, 5, 3, 11
    u, delta = torch.randn(b, d, l, generator=g), torch.rand(b, d, l, generator=g) * 2
    A, B, C, D = (
        -torch.rand(d, n, generator=g) * 3,
        torch.randn(b, n, l, generator=g),
        torch.randn(b, n, l, generator=g),
        torch.randn(d, generator=g),
    )
    torch.testing.assert_close(
        selective_scan(u, delta, A, B, C, D), naive_scan(u, delta, A, B, C, D), atol=1e-5, rtol=1e-5
    )


def test_mamba_names_match_mamba_ssm():
    names = {n for n, _ in MambaMixer(81, 64).named_parameters()}
    assert names == {
        'in_proj.weight',
        'conv1d.weight',
        'conv1d.bias',
        'x_proj.weight',
        'dt_proj.weight',
        'dt_proj.bias',
        'A_log',
        'D',
        'out_proj.weight',
    }
    assert sum(p.numel() for p in MambaMixer(81, 64).parameters()) == 73_548


@pytest.mark.parametrize(
    'kw', [dict(kind='rnn'), dict(kind='attention', causal=True, positions='learned'), dict(kind='ssm')]
)
def test_save_load_round_trip_v1(tmp_path, kw):
    m = make_v1(**SMALL, **kw).eval()
    save_pretrained(m, tmp_path)
    cfg = json.loads((tmp_path/'config.json').read_text())
    assert cfg['model_type'] == 'v1' and cfg['kind'] == kw['kind']
    x = v1_ids()
    m2 = from_pretrained(tmp_path)
    assert type(m2) is type(m) and not m2.training
    assert torch.equal(m2(x), m(x))


@pytest.mark.parametrize('objective', OBJECTIVES)
def test_save_load_round_trip_apxby(tmp_path, objective):
    m = make_apxby(embed_size=24, hidden_size=32, objective=objective).eval()
    save_pretrained(m, tmp_path)
    x = v2_ids()
    m2 = from_pretrained(tmp_path, vocab_size=151, objective=objective)
    assert type(m2) is type(m)
    assert torch.equal(m2(x), m(x))


def test_bad_checkpoints(tmp_path):
    m = make_apxby(embed_size=24, hidden_size=32)
    save_pretrained(m, tmp_path)
    with pytest.raises(InputError, match='vocab_size is 151 in the checkpoint, expected 113'):
        from_pretrained(tmp_path, vocab_size=113)
    cfg = json.loads((tmp_path/'config.json').read_text())
    (tmp_path/'config.json').write_text(json.dumps({**cfg, 'hidden_size': 64}))
    with pytest.raises(
        InputError, match=r"'lstm.weight_ih_l0' has shape \(128, 24\), the configuration needs \(256, 24\)"
    ):
        from_pretrained(tmp_path)
    (tmp_path/'config.json').write_text(json.dumps({**cfg, 'vocab_size': 113}))
    with pytest.raises(InputError, match=r'\(151, 4\), the configuration needs \(113, 4\)'):
        from_pretrained(tmp_path)
    (tmp_path/'config.json').write_text(json.dumps({**cfg, 'colour': 'red'}))
    with pytest.raises(InputError, match='no readable model configuration'):
        from_pretrained(tmp_path)
    (tmp_path/'config.json').write_text(json.dumps(cfg))
    w = (tmp_path/'model.safetensors').read_bytes()
    for cut in (8, len(w) // 3, len(w) - 10):
        (tmp_path/'model.safetensors').write_bytes(w[:cut])
        with pytest.raises(InputError, match='not a readable safetensors file'):
            from_pretrained(tmp_path)
    (tmp_path/'model.safetensors').write_bytes(b'\x80\x04K\x01.')        # a pickle is never loaded
    with pytest.raises(InputError, match='not a readable safetensors file'):
        from_pretrained(tmp_path)
    with pytest.raises(InputError, match='no readable model configuration'):
        from_pretrained(tmp_path / 'missing')


def test_bad_configs():
    with pytest.raises(InputError, match='kind must be one of'):
        V1Config(kind='gru')
    with pytest.raises(InputError, match='depth must be at least 1'):
        V1Config(depth=0)
    with pytest.raises(InputError, match='longer than max_len'):
        make_v1(kind='attention', positions='learned', causal=True, max_len=4, **SMALL)(v1_ids(l=5))


@pytest.mark.cuda
@pytest.mark.parametrize('kind', V1_KINDS)
def test_cuda_mixed_precision(kind):
    torch.manual_seed(0)
    m = make_v1(kind=kind, readout='all', **SMALL).cuda().eval()
    x = v1_ids().cuda()
    with torch.no_grad():
        ref = m(x).float()
        with torch.autocast('cuda', dtype=torch.bfloat16):
            y = m(x).float()
    # bf16 keeps 8 bits of mantissa: scores move by about 1 % of their size. An untrained model's scores are near ties,
    # so its argmax may flip under that noise; where the two best scores stand apart, it must not.
    top2 = ref.topk(2, -1).values
    clear = (top2[..., 0] - top2[..., 1]) > 0.05 * ref.std()
    relative_error = ((y - ref).norm() / ref.norm()).item()
    agree = (y.argmax(-1) == ref.argmax(-1))[clear].float().mean().item()
    print(f'{kind}: relative error {relative_error:.4f}, argmax agreement {agree:.3f} on {clear.sum()} positions')
    assert torch.isfinite(y).all() and relative_error < 0.03 and clear.sum() > 0 and agree > 0.99
    with torch.autocast('cuda', dtype=torch.bfloat16):                  # and a training step runs in bf16
        m.train()(x).float().logsumexp(-1).mean().backward()
    assert all(torch.isfinite(p.grad).all() for p in m.parameters() if p.grad is not None)


@pytest.mark.cuda
def test_cuda_mamba_kernel_matches_pure_scan():
    pytest.importorskip('mamba_ssm')
    assert pm._mamba_scan is not None
    mix = MambaMixer(36, 16).cuda().eval()
    x = torch.randn(2, 40, 36, device='cuda')
    with torch.no_grad():
        kernel = mix(x)
        mix.use_kernel = False
        pure = mix(x)
    torch.testing.assert_close(kernel, pure, atol=1e-4, rtol=1e-3)


def test_denoise_fills_only_masked_slots():
    m = make_apxby(embed_size=12, hidden_size=8, bidirectional=True, objective='diffusion').eval()
    x = v2_ids(b=3, l=10)
    mask = diffusion_mask(3, 10, generator=torch.Generator().manual_seed(0))
    out = denoise(m, x, mask, temperature=0.5, generator=torch.Generator().manual_seed(1))
    assert torch.equal(out[~mask], x[~mask]) and out.shape == x.shape
    assert ((out >= 0) & (out < V2)).all()
    with pytest.raises(InputError, match='temperature must be positive'):
        denoise(m, x, mask, temperature=0)


@pytest.mark.parametrize(
    'kw', [dict(kind='rnn'), dict(kind='attention', causal=True, positions='learned'), dict(kind='ssm')]
)
def test_v1_models_can_fit_a_batch(kw):
    torch.manual_seed(0)
    m = make_v1(readout='all', **SMALL, **kw)
    x, y = v1_ids(b=2, l=6), torch.randint(0, V1, (2, 6))
    opt = torch.optim.AdamW(m.parameters(), lr=1e-2)
    losses = []
    for _ in range(25):
        loss = nn.functional.cross_entropy(m(x).flatten(0, 1), y.flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0], (losses[0], losses[-1])
