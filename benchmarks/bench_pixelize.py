"""GIF pixelization speed: PixelBytes vs a re-implementation of the research's method, side by side on the same GIFs.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_pixelize.py [--gifs 151]

Needs the real Pokémon sample (../shared/pokemon-gen1, or PIXELBYTES_POKEMON); exits with a message otherwise.
Prints, as medians over GIFs:
  * frames/s of the pixelization step alone (decoded RGB frames -> palette colours), both methods on the same frames;
  * ms per GIF of the whole pipeline (read the file, pixelize, write the pixelized GIF), each method with its own I/O:
    the research read and wrote with imageio, PixelBytes reads with PIL and writes with `save_gif` (atomic, fsync) via `pixelize_gif_file`.
It also checks that both give the same palette colour on every pixel the research did not paint pure white.
"""
import argparse, statistics, sys, tempfile, time
from pathlib import Path
import numpy as np, cv2, imageio.v2 as imageio
from skimage.color import rgb2lab
from pixelbytes.core import NES_PALETTE, pokemon_sample_path
from pixelbytes.pixelize import image_frames, pixelize_frames, pixelize_gif_file, palette_lab

# ---- the research's method (method notes §1.2), re-implemented: one frame at a time, Lab of every pixel ----
def original_frame(frame, max_size=50, white_threshold=250):
    if frame.shape[-1] == 4:
        a = frame[..., 3:4] / 255.0
        frame = (frame[..., :3] * a + 255 * (1 - a)).astype(np.uint8)
    h, w = frame.shape[:2]; s = max_size / max(h, w)
    small = cv2.resize(frame, (max(1, int(w * s)), max(1, int(h * s))), interpolation=cv2.INTER_NEAREST)
    white = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY) > white_threshold
    lab = rgb2lab(small)
    d = ((lab[:, :, None, :] - palette_lab()[None, None]) ** 2).sum(-1)
    out = NES_PALETTE[d.argmin(-1)]
    out[white] = 255
    return out

def original_pipeline(path, out):
    frames = imageio.mimread(path, memtest=False)
    pix = [original_frame(f) for i, f in enumerate(frames) if i > 0]   # "first image bug": frame 0 dropped
    imageio.mimsave(out, pix, duration=100)
    return pix

def new_pipeline(path, out):
    return pixelize_gif_file(path, out)

def timed(f, *a):
    t = time.perf_counter(); r = f(*a); return time.perf_counter() - t, r

if __name__ == '__main__':
    ap = argparse.ArgumentParser(); ap.add_argument('--gifs', type=int, default=151); args = ap.parse_args()
    root = pokemon_sample_path()
    if root is None: sys.exit('The Pokémon sample (../shared/pokemon-gen1) is not on this machine: nothing to benchmark.')
    paths = sorted((root/'images').glob('*.gif'))[:args.gifs]
    fps_old, fps_new, ms_old, ms_new, frames_total, size_differs = [], [], [], [], 0, []
    with tempfile.TemporaryDirectory() as d:
        for p in paths:
            rgb = image_frames(p)[0]                       # the same decoded frames for both pixelizers
            t_old, ref = timed(lambda: np.stack([original_frame(f) for f in rgb]))
            t_new, got = timed(pixelize_frames, rgb)
            if ref.shape[:3] != got.shape:                 # the research's float sizes can truncate 50 to 49
                size_differs.append(f'{p.name} {ref.shape[1:3]} vs {got.shape[1:]}')
            else:
                painted_white = (ref == 255).all(-1)
                assert np.array_equal(ref[~painted_white], NES_PALETTE[got][~painted_white]), p.name
                assert (got[painted_white] == 1).all(), p.name
            fps_old.append(len(rgb) / t_old); fps_new.append(len(rgb) / t_new); frames_total += len(rgb)
            ms_old.append(1000 * timed(original_pipeline, p, f'{d}/old.gif')[0])
            ms_new.append(1000 * timed(new_pipeline, p, f'{d}/new.gif')[0])
    med = statistics.median
    print(f'{len(paths)} GIFs, {frames_total} frames; same colour on every pixel the research did not paint white: yes '
          f'(on the {len(paths) - len(size_differs)} GIFs whose size both compute alike; research size bug on: {size_differs or "none"})')
    print(f'pixelization only      research {med(fps_old):8.0f} frames/s   PixelBytes {med(fps_new):8.0f} frames/s   speed-up {med(fps_new) / med(fps_old):5.1f}x')
    print(f'whole GIF pipeline     research {med(ms_old):8.1f} ms/GIF     PixelBytes {med(ms_new):8.1f} ms/GIF     speed-up {med(ms_old) / med(ms_new):5.1f}x')
