"""Train one small control model: python experiments/train_small.py OUT OBJECTIVE N EPOCHS HIDDEN [EMBED]"""
import sys, time
from pixelbytes.control import train_control
out, obj, n, ep, hid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
emb = int(sys.argv[6]) if len(sys.argv) > 6 else 128
t0 = time.time()
train_control(out, n=n, objective=obj, epochs=ep, hidden_size=hid, embed_size=emb, progress=False)
print(f'{out} {obj} n={n} epochs={ep} hidden={hid} embed={emb}: {time.time()-t0:.0f} s')
