"""Control beyond the chapter's examples: random plants in any ranges are stable, controllable and observable and match
scipy's simulation; tokenization inverts exactly; masks hide exactly the slots that hold the hidden tokens; bad input
gets clear errors; a killed control run resumes; a closed-loop run with a trained model stays in the actuator limits."""
import json
import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st, HealthCheck
from scipy import signal
from pixelbytes.core import InputError
from pixelbytes.context import context_3d
from pixelbytes.control import Plant, random_plant, is_stable, is_controllable, is_observable, peak_gain, PlantBatch
from pixelbytes.control import ControlTokenizer, action_slots, plan_mask, ControlNoise, control_dataset, train_control
from pixelbytes.control import learned_controller, run_closed_loop, baseline_controllers, fresh_plants, tracking_metrics

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), top=st.integers(1, 6), lo=st.floats(-8, -0.5), width=st.floats(0.05, 5),
       delay=st.integers(0, 4))
def test_random_plants_are_stable_controllable_observable(seed, top, lo, width, delay):
    hi = min(lo + width, -0.01)
    p = random_plant(np.random.default_rng(seed), orders=(1, top), pole_range=(lo, hi), delays=(0, delay))
    assert 1 <= p.order <= top and 0 <= p.delay <= delay
    assert all(lo - 1e-9 <= z.real <= hi + 1e-9 for z in p.poles)
    assert is_stable(p.A) and is_controllable(p.A, p.B) and is_observable(p.A, p.C)
    assert peak_gain(p) <= 3 * abs(p.gain) + 1e-9
    assert np.all(np.abs(np.linalg.eigvals(p.Ad)) < 1)          # the discretized plant is stable too


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_batch_simulation_equals_dlsim(seed):
    rng = np.random.default_rng(seed)
    plants = [random_plant(rng, noise_range=(0, 0)) for _ in range(3)]
    u = rng.uniform(-1, 1, (3, 60))
    sim = PlantBatch(plants)
    ours = np.stack([sim.step(u[:, t]) for t in range(60)], 1)
    for k, p in enumerate(plants):
        _, ref, _ = signal.dlsim((p.Ad, p.Bd, p.Cd, p.Dd, p.dt), np.concatenate([np.zeros(p.delay), u[k], [0]]))
        np.testing.assert_allclose(ours[k], ref[1:61, 0], atol=1e-10)


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), levels=st.sampled_from([38, 141]), n=st.integers(1, 50), separate=st.booleans())
def test_tokens_invert_within_half_a_level(seed, levels, n, separate):
    rng = np.random.default_rng(seed)
    tok = ControlTokenizer(levels, y_range=(-2.0, 3.0), separate=separate)
    x = np.stack([rng.uniform(-1, 1, n), rng.uniform(-2, 3, n)])
    ids, _ = tok.encode(x)
    back = tok.decode(ids)
    assert np.abs(back[0] - x[0]).max() <= 1 / (levels - 1) + 1e-9
    assert ids.max() < tok.vocab_size and (ids[:-1, 0, 1].min() >= tok.first_id + levels) == separate
    assert np.abs(back[1] - x[1]).max() <= 2.5 / (levels - 1) + 1e-9
    z = tok.normalize(back)[0]
    # levels are fixed points
    np.testing.assert_array_equal(np.stack([tok.to_ids(z[0], 0), tok.to_ids(z[1], 1)], 1), ids[:-1, 0])


@SETTINGS
@given(seed=st.integers(0, 2**32 - 1), frames=st.integers(2, 30))
def test_action_slots_hide_exactly_the_hidden_tokens(seed, frames):
    rng = np.random.default_rng(seed)
    ids = (10 + np.arange(2 * frames)).reshape(frames, 1, 2)
    ctx = torch.from_numpy(context_3d(ids)[0])[None]
    hidden = torch.from_numpy(rng.random(2 * frames) < 0.3)[None]
    expected = torch.isin(ctx, torch.from_numpy(ids.reshape(-1)[hidden[0].numpy()]))
    assert torch.equal(action_slots(hidden), expected)


def test_control_masks_cover_both_kinds():
    m = ControlNoise(research_share=0.5).make_mask(200, 64, torch.Generator().manual_seed(0))
    full = m.all(-1).any(-1)                                     # the research's mask noises whole positions
    assert 40 < int(full.sum()) < 160
    plan = plan_mask(50, 64)
    assert not plan[:, 1::2].any() and plan.any(1).all()


@pytest.mark.parametrize('call, message', [
    (lambda: Plant([], [], 1.0), 'at least one pole'),
    (lambda: Plant([-1, -2], [-3, -4], 1.0), 'strictly proper'),
    (lambda: Plant([], [-1], 1.0, delay=-1), 'delay >= 0'),
    (lambda: random_plant(np.random.default_rng(0), pole_range=(-1, 0.5)), 'must be negative'),
    (lambda: ControlTokenizer(u_range=(1, -1)), 'low < high'),
    (lambda: ControlTokenizer(norm='zscore'), "norm must be"),
    (lambda: ControlTokenizer().encode(np.zeros((2, 0))), 'N > 0'),
    (lambda: ControlTokenizer().encode(np.full((2, 3), np.inf)), 'NaN or infinite'),
    (lambda: ControlTokenizer().decode([150, 150, 150]), 'even number'),
    (lambda: ControlTokenizer()(text='no signal'), 'needs its (action, output) signal'),
    (lambda: control_dataset(1), 'at least 2'),
    (lambda: train_control('unused', objective='predict'), "'diffusion' or 'autoregressive'"),
])
def test_bad_input_is_refused_clearly(call, message):
    with pytest.raises(InputError, match=message.replace('(', r'\(').replace(')', r'\)')):
        call()


def test_tokenizer_file_round_trip(tmp_path):
    tok = ControlTokenizer(38, y_range=(-0.5, 2.0))
    assert ControlTokenizer.load(tok.save(tmp_path/'t.json')) == tok
    (tmp_path/'other.json').write_text(json.dumps({'levels': 38}))
    with pytest.raises(InputError, match='not a control tokenizer'):
        ControlTokenizer.load(tmp_path / 'other.json')


def test_tracking_metrics_of_a_first_order_step():
    t = np.arange(200) * 0.1
    y = 0.5 * (1 - np.exp(-t))[None]                            # 1/(s+1) step to 0.5: within 5 % after ln(20) = 3.0 s
    m = tracking_metrics(np.full((1, 200), 0.5), y, [0.5], dt=0.1)
    assert m['overshoot'][0] == 0 and abs(m['settling_time'][0] - 3.0) < 0.11 and m['smoothness'][0] == 0


@pytest.fixture(scope='module')
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp('control')/'run'
    return train_control(out, data=dict(n=12, steps=100), embed_size=24, hidden_size=32, num_layers=1, seq_length=64,
                         stride=32, bs=4, epochs=2, progress=False)


def test_a_control_run_resumes_and_refuses_another_recipe(tiny_run):
    lines = (tiny_run/'metrics.csv').read_text().splitlines()
    assert len(lines) == 3                                       # header + two epochs
    train_control(tiny_run, data=dict(n=12, steps=100), embed_size=24, hidden_size=32, num_layers=1, seq_length=64,
                  stride=32, bs=4, epochs=2, progress=False)
    # finished: nothing trained again, log unchanged
    assert (tiny_run/'metrics.csv').read_text().splitlines() == lines
    with pytest.raises(InputError, match='use another folder'):
        train_control(tiny_run, data=dict(n=13), progress=False)


def test_closed_loop_with_a_trained_model_stays_in_limits(tiny_run):
    plants, r = fresh_plants(4, seed=7)
    runs = run_closed_loop(
        {**baseline_controllers(), **learned_controller(tiny_run, history=8, horizon=4)}, plants, r, steps=25
    )
    for u, y in runs.values():
        assert u.shape == (4, 25) and np.isfinite(y).all() and np.abs(u).max() <= 1
    tok = ControlTokenizer.load(tiny_run/'control_tokenizer.json')
    levels = tok.to_ids(tok.normalize(np.stack([runs['diffusion (learned)'][0][0]] * 2))[0][0], 0)
    np.testing.assert_allclose(tok.denormalize(np.stack([tok.values[levels - tok.first_id]] * 2))[0],
                               # every action applied is a level, in physical units
                               runs['diffusion (learned)'][0][0], atol=1e-9)


def test_the_control_command_runs_the_experiment(tmp_path):
    from pixelbytes.cli import main
    out = tmp_path/'control'
    args = [
        'control',
        '--out',
        str(out),
        '--n',
        '8',
        '--steps',
        '60',
        '--epochs',
        '1',
        '--embed_size',
        '12',
        '--hidden_size',
        '16',
        '--num_layers',
        '1',
        '--seq_length',
        '32',
        '--stride',
        '16',
        '--bs',
        '4',
        '--plants',
        '2',
        '--loop_steps',
        '10',
        '--no-progress',
    ]
    assert main(args) == 0
    assert {'closed_loop.csv', 'closed_loop_runs.csv', 'trajectories.png', 'report.html', 'diffusion',
            'autoregressive'} <= {
        p.name for p in out.iterdir()
    }
    # another recipe in the same folder: refused, clearly
    assert main(args[:3] + ['--n', '9', '--no-progress']) == 1
