"""Generation beyond the chapter's examples: the builder equals the tokenizer on random data, streaming equals
re-reading on random prompts (open ones too), outputs are well-formed files, and the console command runs the main job
end to end."""
import json, subprocess, sys
from pathlib import Path
import numpy as np
import pytest
import soundfile as sf
import torch
from hypothesis import given, settings, strategies as st, HealthCheck
from PIL import Image
from pixelbytes.core import NES_PALETTE, InputError
from pixelbytes.tokenizer import PixelBytesTokenizer
from pixelbytes.models import PxByLSTM
from pixelbytes.generate import TextPart, ImagePart, AudioPart, SequenceBuilder, generate, kind_of, PIXEL, continue_cry
from pixelbytes.generate import describe_to_draw, draw_to_describe

TOK = PixelBytesTokenizer(audio_step=1)
ROOT = Path(__file__).resolve().parent.parent


@st.composite
def items(draw):
    "A random text, a random NES sprite (1-3 frames, up to 5x6) and a random 1-3 channel sound, each maybe absent."
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    text = draw(st.one_of(st.none(), st.text(max_size=12)))
    image = NES_PALETTE[
        rng.integers(0, 55, (draw(st.integers(1, 3)), draw(st.integers(1, 5)), draw(st.integers(1, 6))))
    ]
    audio = rng.uniform(-1, 1, (draw(st.integers(1, 3)), draw(st.integers(1, 8))))
    image, audio = (v if draw(st.booleans()) else None for v in (image, audio))
    return (text if text is not None or image is not None or audio is not None else 'x'), image, audio


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items())
def test_builder_equals_tokenizer(item):
    """Given whole, or replayed token by token with no geometry given, every sequence gets the tokenizer's ids and
    contexts."""
    text, image, audio = item
    real = TOK(text=text, image=image, audio=audio)
    present = [(m, v) for m, v in (('text', text), ('image', image), ('audio', audio)) if v is not None]
    make = {'text': TextPart, 'image': ImagePart, 'audio': lambda v=None: AudioPart(v, channels=audio.shape[0])}
    whole = SequenceBuilder([make[m](v) for m, v in present], TOK)
    replay = SequenceBuilder([make[m]() for m, _ in present], TOK)
    for t in real['labels'].tolist():
        if replay.pending and kind_of(t) != PIXEL:
            replay.close()
        replay.push(t)
    if replay.pending:
        replay.close()
    for b in (whole, replay):
        assert b.done
        np.testing.assert_array_equal(b.tokens, real['labels'])
        np.testing.assert_array_equal(np.array(b.contexts).reshape(-1, 6), real['input_ids'])


@pytest.mark.parametrize('objective', ['predict', 'autoregressive'])
def test_streaming_equals_rereading_on_open_prompts(objective):
    """A sprite's first rows and a cry's beginning, continued: the same tokens whether the state is carried or the
    sequence re-read."""
    torch.manual_seed(1)
    model = PxByLSTM(embed_size=24, hidden_size=48, num_layers=2, objective=objective)
    rng = np.random.default_rng(0)
    rows = NES_PALETTE[rng.integers(0, 55, (3, 7))]
    cry = rng.uniform(-1, 1, (2, 30))
    prompts = [[TextPart('a blue one'), ImagePart(rows, complete=False, height=5, frames=2), AudioPart(samples=20)],
               [AudioPart(cry, complete=False, samples=45)],
               [TextPart('a small red', complete=False), ImagePart(width=4, max_height=5, max_frames=3)]]
    for temperature, top_k, top_p in ((1.0, 0, 1.0), (0.7, 20, 0.9), (0, 0, 1.0)):
        fast = generate(model, prompts, TOK, temperature=temperature, top_k=top_k, top_p=top_p, seed=5)
        slow = generate(model, prompts, TOK, temperature=temperature, top_k=top_k, top_p=top_p, seed=5, streaming=False)
        for a, b in zip(fast, slow):
            np.testing.assert_array_equal(a.ids, b.ids)
    frames = fast[0].decoded.frames
    assert (
        frames.shape == (2, 5, 7)
        and (frames[0, :3] == np.array([[np.flatnonzero((NES_PALETTE == c).all(1))[0] for c in r] for r in rows])).all()
    )
    assert fast[1].decoded.audio.shape == (2, 45) and fast[1].audio_params['method'] == 'minmax'
    # the prompt, back in its units
    assert np.allclose(fast[1].waveform()[:, :30], cry, atol=(cry.max() - cry.min()) / 37)


def test_outputs_are_well_formed_files(tmp_path):
    "The GIF has the frames and the WAV the channels and length the structure fixed; the ids file reloads."
    model = PxByLSTM(embed_size=24, hidden_size=32, num_layers=1)
    g = describe_to_draw(
        model, TOK, 'a tiny green creature', image=ImagePart(width=6, height=4, frames=3), audio=AudioPart(samples=160)
    )[0]
    files = g.save(tmp_path, 'x', frame_ms=120)
    gif = Image.open(files['gif'])
    assert (gif.n_frames, gif.size, gif.info['duration']) == (3, (6, 4), 120)
    wav, rate = sf.read(files['wav'])
    assert rate == 16000 and wav.shape == (160 * 16000 // g.sample_rate, 2) and np.abs(wav).max() <= 1
    np.testing.assert_array_equal(np.load(files['ids']), g.ids)
    assert Path(files['text']).read_text() == 'a tiny green creature'


def test_helpers_and_bad_prompts():
    model = PxByLSTM(embed_size=24, hidden_size=32, num_layers=1)
    cry = np.random.default_rng(0).uniform(-1, 1, (2, 64))
    tok8 = PixelBytesTokenizer(audio_step=8)
    g = continue_cry(model, tok8, cry, seconds=0.01)[0]
    # 64 samples / 8 = 8 steps given, 0.01 s = 20 steps
    assert g.decoded.audio.shape == (2, 20) and g.prompt_length == 16
    with pytest.raises(InputError, match='image → text'):
        draw_to_describe(model, TOK, NES_PALETTE[np.zeros((2, 2), int)])
    image_first = PixelBytesTokenizer(order=('image', 'text', 'audio'))
    d = draw_to_describe(model, image_first, NES_PALETTE[np.zeros((2, 2), int)], text=TextPart(max_tokens=5))[0]
    assert d.segments[0]['modality'] == 'image' and len(d.text) <= 5
    with pytest.raises(InputError, match='no prompt'):
        generate(model, [], TOK)
    with pytest.raises(InputError, match='not a part'):
        generate(model, [['hello']], TOK)
    with pytest.raises(InputError, match='pixels wide'):
        generate(model, [ImagePart(NES_PALETTE[np.zeros((2, 3), int)], width=4)], TOK)
    with pytest.raises(InputError, match='top_k'):
        generate(model, [TextPart()], TOK, top_k=-1)


def test_console_main_job_end_to_end(tmp_path):
    "The installed `pixelbytes` command runs the main job at a tiny budget, then generates from its run folder."
    exe = Path(sys.executable).parent/'pixelbytes'
    run = tmp_path/'demo'
    done = subprocess.run(
        [
            exe,
            'demo',
            '--out',
            run,
            '--n',
            '30',
            '--epochs',
            '1',
            '--embed_size',
            '12',
            '--hidden_size',
            '24',
            '--seq_length',
            '128',
            '--samples',
            '1',
            '--max_frames',
            '2',
            '--no-progress',
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads((run/'report.json').read_text())
    assert {'config.json', 'model.safetensors', 'metrics.csv', 'curves.png', 'report.html'} <= {
        p.name for p in run.iterdir()
    }
    for kind in ('given', 'free'):
        assert (run / report['items'][0][kind]['files']['gif']).exists()
    out = tmp_path/'gen'
    done = subprocess.run([exe, 'generate', run, '--text', 'a large blue creature', '--then', 'image', '--frames', '1',
                           '--n', '3', '--out', out, '--no-progress'], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(p.name for p in out.glob('sample_*.gif')) == ['sample_0.gif', 'sample_1.gif', 'sample_2.gif']
    bad = subprocess.run([exe, 'generate', run, '--then', 'smell', '--out', out], capture_output=True, text=True)
    assert bad.returncode == 1 and 'unknown modality' in bad.stderr


def test_given_gif_keeps_its_frame_durations(tmp_path):
    "A sprite given as a GIF keeps its frames' durations in the saved result; generated frames get `frame_ms`."
    from pixelbytes.pixelize import save_gif
    gif = save_gif(np.random.default_rng(0).integers(0, 55, (2, 4, 5)), [120, 80], tmp_path/'given.gif')
    model = PxByLSTM(embed_size=24, hidden_size=32, num_layers=1)
    g = generate(model, [ImagePart(gif, complete=False, frames=3), AudioPart(samples=5)], TOK)[0]
    assert g.durations == [120, 80] and g.frame_durations(3, frame_ms=150) == [120, 80, 150]
    out = Image.open(g.save(tmp_path, 'x', frame_ms=150)['gif'])
    assert [(out.seek(k), out.info['duration'])[1] for k in range(out.n_frames)] == [120, 80, 150]


def test_given_image_with_more_frames_than_the_cap_is_refused():
    frames = NES_PALETTE[np.zeros((3, 2, 2), np.int64)]
    with pytest.raises(InputError, match='more than max_frames=2'):
        SequenceBuilder([TextPart('x'), ImagePart(frames, max_frames=2)], TOK)
    # 'x' and its end, 3 frames of 2 rows of 2 + 1
    assert len(SequenceBuilder([TextPart('x'), ImagePart(frames, max_frames=3)], TOK).tokens) == 2 + 3 * 2 * 3


@pytest.mark.parametrize('kind', ['predict', 'autoregressive', 'described'])
def test_fast_path_equals_plain_path(kind):
    """The generator's fast path (bound cell step, additive masks, sorted search) gives the plain path's tokens, seed
    for seed, at every setting."""
    from pixelbytes.models import make_apxby
    torch.manual_seed(0)
    model = (
        make_apxby(embed_size=24, hidden_size=32, num_layers=2, memory_size=8, position_size=4)
        if kind == 'described'
        else PxByLSTM(embed_size=24, hidden_size=32, num_layers=2, objective=kind)
    )
    rng = np.random.default_rng(0)
    prompts = [
        [TextPart('a small red one'[:n]), ImagePart(max_width=8, max_height=5, max_frames=3), AudioPart(max_samples=30)]
        for n in (3, 9, 15)
    ]
    prompts += [
        [
            TextPart('green'),
            ImagePart(NES_PALETTE[rng.integers(0, 55, (2, 4))], complete=False, width=4, height=3, frames=2),
            AudioPart(samples=20),
        ],
        [AudioPart(rng.uniform(-1, 1, (2, 12)), complete=False, samples=25)],
    ]
    for settings_ in (dict(), dict(temperature=0), dict(temperature=0.7, top_k=10), dict(top_p=0.8)):
        for batch in (prompts[:4], prompts[:1], prompts[3:4], prompts[4:]):
            for seed in (0, 1):
                fast = generate(model, batch, TOK, seed=seed, **settings_)
                plain = generate(model, batch, TOK, seed=seed, fast=False, **settings_)
                for a, b in zip(fast, plain):
                    np.testing.assert_array_equal(a.ids, b.ids)
                    np.testing.assert_array_equal(a.contexts, b.contexts)


@pytest.mark.parametrize('objective', ['autoregressive', 'predict'])
def test_fast_path_equals_plain_path_at_the_research_size(objective):
    """At the research's Table 2 size, where the fast step packs its products (batch 1) and looks up the first input,
    long generations give the plain path's tokens, seed for seed, alone and in a batch, with the next hidden-state
    products computed ahead on a second thread or not."""
    torch.manual_seed(1)
    model = PxByLSTM(objective=objective)
    rng = np.random.default_rng(1)
    sprite = ImagePart(NES_PALETTE[rng.integers(0, 55, (1, 6, 8))], complete=False, width=8, height=8, frames=4)
    prompts = [
        [TextPart('a round blue creature'), ImagePart(width=12, height=12, frames=2), AudioPart(samples=300)],
        [TextPart('green'), sprite, AudioPart(samples=200)],
        [AudioPart(rng.uniform(-1, 1, (2, 40)), complete=False, samples=400)],
    ]
    for batch in (prompts[:1], prompts[1:2], prompts[2:], prompts):
        for seed in (0, 1):
            plain = generate(model, batch, TOK, seed=seed, fast=False)
            for ahead in (False, True):
                fast = generate(model, batch, TOK, seed=seed, ahead=ahead)
                for a, b in zip(fast, plain):
                    np.testing.assert_array_equal(a.ids, b.ids)
