"""Lever 1: the diffusion controller conditioned on a reachable future (a first-order approach from the last output to
the setpoint with time constant `tau` samples) instead of the setpoint at every future sample."""
from __future__ import annotations
import numpy as np
import torch
from pathlib import Path
from pixelbytes.context import context_3d
from pixelbytes.models import denoise, from_pretrained
from pixelbytes.control import DiffusionController, ControlTokenizer, action_slots


class ReachableDiffusion(DiffusionController):
    def __init__(self, model, tokenizer, tau: float = 10.0, samples: int = 1, **kw):
        super().__init__(model, tokenizer, **kw)
        self.tau, self.samples = tau, samples

    def _plan(self, r):
        past = min(len(self.us), self.history + 1)
        b, h = len(r), self.horizon
        r = np.asarray(r, float)
        ylast = np.array(self.ys[-1]) if self.ys else np.zeros(b)
        k = np.arange(1, h + 1)
        fut = r[:, None] + (ylast - r)[:, None] * (np.exp(-k / self.tau) if self.tau > 0 else 0 * k)
        past_u = np.array(self.us[len(self.us) - past:]).T.reshape(b, past)
        past_y = np.array(self.ys[len(self.ys) - past:]).T.reshape(b, past)
        u = np.concatenate([past_u, np.zeros((b, h))], 1)
        y = np.concatenate([past_y, fut], 1)
        ids = np.stack([self.tok.encode(np.stack([u[i], y[i]]))[0][:-1, 0] for i in range(b)])
        ctx = torch.from_numpy(np.stack([context_3d(f[:, None, :])[0] for f in ids]))
        hidden = torch.zeros(ctx.shape[:2], dtype=torch.bool)
        hidden[:, 2 * past::2] = True
        skip = 2 if past > self.history else 0
        x, mask = ctx[:, skip:], action_slots(hidden)[:, skip:]
        if self.samples > 1:  # several denoisings, averaged
            x, mask = x.repeat(self.samples, 1, 1), mask.repeat(self.samples, 1, 1)
        filled = denoise(self.model, x, mask, self.temperature, self.allowed, self.gen)
        first = 2 * past - skip + 1
        levels = filled[:, first:first + 2 * self.average:2, 5].numpy()
        z = self.tok.to_values(levels, 0).mean(1).reshape(self.samples, b).mean(0)
        return self.tok.denormalize(np.stack([z, z]))[0].clip(*self.tok.u_range)


def reachable(folder, **kw):
    folder = Path(folder)
    model, tok = from_pretrained(folder), ControlTokenizer.load(folder / 'control_tokenizer.json')
    return lambda plants, r: ReachableDiffusion(model, tok, **kw)


def research(folder, **kw):
    folder = Path(folder)
    model, tok = from_pretrained(folder), ControlTokenizer.load(folder / 'control_tokenizer.json')
    return lambda plants, r: DiffusionController(model, tok, **kw)
