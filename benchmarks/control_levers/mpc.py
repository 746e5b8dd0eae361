"""Lever 4: the autoregressive PixelBytes model as a learned plant inside a model-predictive controller.

Each step: the model reads the last `window` (action, output) frames of each plant (which identifies the sign and size
of its gain), then rolls out `K` candidate action sequences for `horizon` frames, predicting each output as the
expected level of its next-token distribution (fed back as the nearest level); the cost is the mean |ŷ − reference|
(reference: a first-order approach to the setpoint, time constant `tau` samples, or the setpoint itself with tau=0)
plus `smooth`·|u − u_prev|. The action applied is the soft-min (MPPI) weighted mean of the candidates' first actions.
"""
from __future__ import annotations
import numpy as np
import torch
from pixelbytes.core import PAD_ID
from pixelbytes.models import from_pretrained, lstm_step
from pixelbytes.control import ControlTokenizer
from pathlib import Path


class ARModelPredictive:
    def __init__(self, model, tok: ControlTokenizer, horizon: int = 15, window: int = 64, n_levels: int = 21,
                 tau: float = 10.0, smooth: float = 0.05, temp: float = 0.02, local: int = 0, spread: float = 0.2,
                 offset: float = 0.0, probe: float = 0.0, seed: int = 0):
        self.m, self.tok = model.eval(), tok
        self.h, self.window, self.tau, self.smooth, self.temp = horizon, window, tau, smooth, temp
        self.local, self.spread, self.offset, self.probe = local, spread, offset, probe
        self.grid = np.linspace(-1, 1, n_levels)
        self.rng = np.random.default_rng(seed)
        self.us, self.ys, self.last = [], [], None
        V, H = model.config.vocab_size, model.config.hidden_size
        W = model.head.weight.view(6, V, H)[5]
        b = model.head.bias.view(6, V)[5]
        ids = torch.from_numpy(tok.level_ids(1))
        self.Wy, self.by = W[ids].detach(), b[ids].detach()           # output levels only, slot 6 (next token)
        self.yvals = torch.from_numpy(tok.values).float()             # normalized level values
        self.d = None

    # physical -> ids
    def _uid(self, u): return self.tok.to_ids(self.tok.normalize(np.stack([u, np.zeros_like(u)]))[0][0], 0)
    def _yid(self, y): return self.tok.to_ids(self.tok.normalize(np.stack([np.zeros_like(y), y]))[0][1], 1)

    def _yphys(self, z):  # normalized output value -> physical
        lo, hi = self.tok.y_range
        return (z + 1) / 2 * (hi - lo) + lo

    def __call__(self, t, y, r, sign):
        if self.last is not None:
            self.us.append(self.last)
            self.ys.append(y)
        u = self._plan(np.asarray(r, float), y)
        self.last = u
        return u

    @torch.no_grad()
    def _state(self, b):
        """LSTM state after reading the last `window` frames and the context of the next action (predicting u_t)."""
        past = min(len(self.us), self.window)
        toks = np.zeros((b, 2 * past + 1), np.int64)   # tokens u, y, u, y, ..., the last is a dummy (next action)
        if past:
            toks[:, 0:2 * past:2] = self._uid(np.array(self.us[-past:]).T.ravel()).reshape(b, past)
            toks[:, 1:2 * past:2] = self._yid(np.array(self.ys[-past:]).T.ravel()).reshape(b, past)
        L = 2 * past + 1
        ctx = np.full((b, L, 6), PAD_ID, np.int64)
        ctx[:, 1:, 5] = toks[:, :-1]          # previous token
        ctx[:, 2:, 1] = toks[:, :-2]          # same channel, previous frame
        x = self.m.embed(torch.from_numpy(ctx))
        _, (h, c) = self.m.lstm(x)
        state = [(h[k], c[k]) for k in range(h.shape[0])]
        last_y = toks[:, 2 * past - 1] if past else np.full(b, PAD_ID)
        last_u = toks[:, 2 * past - 2] if past else np.full(b, PAD_ID)
        return state, last_y, last_u

    @torch.no_grad()
    def _plan(self, r, y):
        b = len(r)
        state, last_y, last_u = self._state(b)
        uprev = self.last if self.last is not None else np.zeros(b)
        # candidates: constant actions on a grid (+ optional local ones around the previous action)
        cand = np.tile(self.grid, (b, 1))
        if self.local:
            loc = uprev[:, None] + self.spread * self.rng.standard_normal((b, self.local))
            cand = np.concatenate([cand, loc.clip(-1, 1)], 1)
        K = cand.shape[1]
        st = [(h.repeat_interleave(K, 0), c.repeat_interleave(K, 0)) for h, c in state]
        uid = torch.from_numpy(self._uid(cand.ravel()))             # (b*K,)
        prev_y = torch.from_numpy(np.repeat(last_y, K))
        prev_u = torch.from_numpy(np.repeat(last_u, K))
        cost = np.zeros(b * K)
        yb = np.repeat(y, K)
        rr = np.repeat(r, K)
        # the state already holds the step that read context_{2t} (predicting u_t); now read u_t, predict y_{t+1}, ...
        for k in range(self.h):
            ctx = torch.full((b * K, 6), PAD_ID, dtype=torch.long)
            ctx[:, 5], ctx[:, 1] = uid, prev_y          # reads u_{t+k}; slot 2: the output a frame back
            hcur, st = lstm_step(self.m.lstm, self.m.embed(ctx[:, None])[:, 0], st)
            p = torch.softmax(hcur @ self.Wy.T + self.by, -1)
            z = (p * self.yvals).sum(-1).numpy()
            yhat = self._yphys(z)
            if self.d is not None:
                yhat = yhat + np.repeat(self.d, K)
            ref = rr + (yb - rr) * (np.exp(-(k + 1) / self.tau) if self.tau > 0 else 0.0)
            cost += np.abs(yhat - ref)
            yid = torch.from_numpy(self._yid(np.clip(self._yphys(z), *self.tok.y_range)))
            if k == self.h - 1:
                break
            ctx = torch.full((b * K, 6), PAD_ID, dtype=torch.long)
            ctx[:, 5], ctx[:, 1] = yid, uid             # reads ŷ_{t+k+1}; slot 2: the action a frame back
            _, st = lstm_step(self.m.lstm, self.m.embed(ctx[:, None])[:, 0], st)
            prev_y = yid
        cost = cost.reshape(b, K) / self.h + self.smooth * np.abs(cand - uprev[:, None])
        w = np.exp(-(cost - cost.min(1, keepdims=True)) / self.temp)
        w /= w.sum(1, keepdims=True)
        u = (w * cand).sum(1)
        if self.probe and len(self.us) < 1:
            u = u + self.probe * self.rng.choice([-1, 1], b)
        return np.clip(u, -1, 1)


def ar_mpc(folder, **kw):
    folder = Path(folder)
    model, tok = from_pretrained(folder), ControlTokenizer.load(folder / 'control_tokenizer.json')
    assert model.config.objective == 'autoregressive'
    return lambda plants, r: ARModelPredictive(model, tok, **kw)


class BlockMPC(ARModelPredictive):
    """The same MPC for a model trained on frames of `m` samples (experiments/train_decimated.py): plans every `m`
    samples from the block's last measured output, holds the action in between."""
    def __init__(self, model, tok, m: int = 5, **kw):
        super().__init__(model, tok, **kw)
        self.block = m

    def __call__(self, t, y, r, sign):
        if t % self.block:
            return self.last
        if self.last is not None:
            self.us.append(self.last)
            self.ys.append(y)
        self.last = self._plan(np.asarray(r, float), y)
        return self.last


def block_mpc(folder, **kw):
    folder = Path(folder)
    model, tok = from_pretrained(folder), ControlTokenizer.load(folder / 'control_tokenizer.json')
    return lambda plants, r: BlockMPC(model, tok, **kw)
