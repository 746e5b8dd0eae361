import sys, numpy as np, torch
torch.set_num_threads(1)
from pixelbytes.models import from_pretrained
from pixelbytes.control import ControlTokenizer, ModelPredictiveController
from pixelbytes.plants import fresh_plants, simulate
run, idx = sys.argv[1], int(sys.argv[2])
model, tok = from_pretrained(run), ControlTokenizer.load(run + '/control_tokenizer.json')
ps, r = fresh_plants(50, 1)
p, rr = ps[idx], r[idx:idx+1]
c = ModelPredictiveController(model, tok, candidates=41, horizon=20)
u, y, yt = simulate([p], c, rr, 300, seed=0)
s = np.sign(p.gain)
print('r', rr * s, 'K', abs(p.gain), 'needed u', rr * s / abs(p.gain), 'noise', p.noise)
print('u every frame (last 10):', np.round(u[0, ::5][-10:], 3))
print('y true (last 10 frames):', np.round((yt[0] * s)[4::5][-10:], 3))
print('y tokens seen (last 10):', np.round(tok.denormalize(np.stack([np.zeros(10), tok.to_values(tok.physical_ids(np.array(c.ys[-10:])[:, 0], 1), 1)]))[1], 3))
# the model's predicted rollout end for candidates
state, last = c._read_history(1)
n = len(c.grid)
st = [(h.repeat_interleave(n, 0), cc.repeat_interleave(n, 0)) for h, cc in state]
action = torch.from_numpy(tok.physical_ids(c.grid, 0))
out = torch.from_numpy(np.repeat(last[:, 1], n))
with torch.no_grad():
    for k in range(20):
        pred, st = c._step(st, action, out)
        out = torch.from_numpy(tok.physical_ids(pred, 1))
        _, st = c._step(st, out, action)
for g, pr in zip(c.grid[::2], pred[::2]):
    print(f'u {g:+.2f} -> predicted y after 20 frames {pr:+.3f} (true steady {abs(p.gain) * g:+.3f})')
