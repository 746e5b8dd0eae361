"""Conditioning on a tiny budget: one word decides one colour.

A synthetic task where the only way to draw the right sprite is to read the colour word: every item is a description
naming one of four colours (among filler words) and a one-colour sprite. The training windows are short, so most of them
hold pixels and no description at all: the model has to get the words from `TokenSequences.history`.
"""
import numpy as np
import pytest
import torch
from fastai.torch_core import set_seed
from pixelbytes.core import NES_PALETTE
from pixelbytes.generate import generate, TextPart, ImagePart
from pixelbytes.models import ModelConfig, DescribedLSTM, PxByLSTM
from pixelbytes.sequences import TokenSequences, build_token_cache, split_items
from pixelbytes.tokenizer import PixelBytesTokenizer, IMAGE_OFFSET, AUDIO_OFFSET, encode_text
from pixelbytes.train import pxby_learner, token_dataloaders

COLOURS = {'red': 27, 'blue': 7, 'green': 43, 'yellow': 34}     # palette indices, one per creatures' colour family
FILLER = ('small', 'round', 'odd', 'calm', 'shy', 'tall')


def item(rng) -> tuple[dict, str]:
    colour = str(rng.choice(list(COLOURS)))
    words = list(rng.choice(FILLER, 3, replace=False))
    words.insert(int(rng.integers(0, 4)), colour)
    sprite = np.repeat(np.repeat(NES_PALETTE[COLOURS[colour]][None, None], 6, 0), 8, 1).astype(np.uint8)
    return {'text': 'a ' + ' '.join(words) + ' blob', 'image': sprite}, colour


@pytest.fixture(scope='module')
def task(tmp_path_factory):
    rng = np.random.default_rng(0)
    made = [item(rng) for _ in range(240)]
    tok = PixelBytesTokenizer(audio_step=8)
    cache = build_token_cache([i for i, _ in made], tok, tmp_path_factory.mktemp('cond') / 'tokens', progress=False)
    train, valid = split_items(len(made), 0.1, seed=0)
    windows = [TokenSequences(cache, 16, 16, items) for items in (train, valid)]   # most windows: pixels only
    prompts = [item(np.random.default_rng(100 + k)) for k in range(24)]            # descriptions never trained on
    return tok, windows, prompts, tmp_path_factory.mktemp('runs')


def trained(config: ModelConfig, windows, path) -> torch.nn.Module:
    """Train on one thread: the same numbers on every machine and under any load (threads sum in a varying order),
    and from fixed seeds (fastai's loader shuffles with Python's `random`, which earlier tests leave anywhere)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    set_seed(0)
    described = bool(config.memory_size or config.position_size)
    learn = pxby_learner(token_dataloaders(*windows, bs=16, device='cpu', history=described), config, path)
    try:
        with learn.no_bar(), learn.no_logging():
            learn.fit_one_cycle(5, 1e-2)
    finally:
        torch.set_num_threads(threads)
    return learn.model.eval()


def colour_agreement(model, tok, prompts, empty: bool = False) -> float:
    parts = [[TextPart('' if empty else p['text']), ImagePart(width=8, height=6, frames=1)] for p, _ in prompts]
    made = generate(model, parts, tok, temperature=0, seed=0)     # greedy: is the named colour its first choice?
    family = {v: k for k, v in COLOURS.items()}
    drawn = [family.get(int(np.bincount(g.decoded.frames.ravel()).argmax())) for g in made]
    return float(np.mean([d == c for d, (_, c) in zip(drawn, prompts)]))


def test_described_model_draws_the_named_colour(task):
    tok, windows, prompts, path = task
    small = dict(embed_size=12, hidden_size=32, num_layers=1)
    model = trained(ModelConfig(**small, memory_size=8, position_size=4), windows, path / 'described')
    assert isinstance(model, DescribedLSTM)
    told, blind = colour_agreement(model, tok, prompts), colour_agreement(model, tok, prompts, empty=True)
    assert told >= 0.9, f'the described model drew the named colour {told:.0%} of the time'
    assert blind <= 0.6, f'without a description it still drew the colour {blind:.0%} of the time'


def test_research_model_cannot_read_words_outside_its_window(task):
    "The control: the same budget without the memory, on windows that mostly hold no words, stays far below."
    tok, windows, prompts, path = task
    model = trained(ModelConfig(embed_size=12, hidden_size=32, num_layers=1), windows, path / 'research')
    assert type(model) is PxByLSTM
    assert colour_agreement(model, tok, prompts) <= 0.7


def test_image_prior_reads_the_colour_from_the_words(task):
    "With the image prior (chapter 10), the prior alone, from the words, puts the named colour first among image ids."
    tok, windows, prompts, path = task
    first, end = IMAGE_OFFSET, AUDIO_OFFSET
    config = ModelConfig(
        embed_size=12, hidden_size=32, num_layers=1, memory_size=8, position_size=4, image_prior=(first, end)
    )
    model = trained(config, windows, path / 'prior')
    assert colour_agreement(model, tok, prompts) >= 0.9
    with torch.no_grad():
        named = []
        for p, colour in prompts:
            words = torch.as_tensor(encode_text(p['text']).ravel())[None]
            memory = model.features(words)[0, -1, :config.memory_size]
            named.append(int(model.prior(memory).argmax()) + first == first + COLOURS[colour])
    assert np.mean(named) >= 0.9, f'the prior named the colour for {np.mean(named):.0%} of the descriptions'
