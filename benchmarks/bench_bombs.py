"""Peak memory of a build whatever its files hold: `pixelbytes train` on a folder of ordinary creatures, then on the
same folder with one item replaced by a bomb (a small GIF of many 3000x3000 frames, a 30-minute WAV, a 50 MB text),
each in a fresh process; and the data build alone (`folder_items`) the same way. Prints each peak (max RSS) and its
ratio to the ordinary build's, measured side by side in one run. The goal (issue #37): every ratio <= 1.5.

Usage: PYTHONPATH=. python benchmarks/bench_bombs.py [ITEMS] [--data-only]   (default 24 creatures; --data-only: no
training, the data build alone)"""
import os, subprocess, sys, tempfile
from pathlib import Path
import numpy as np
import soundfile as sf
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
PEAK = """import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
if done.returncode: print(done.stderr[-2000:], file=sys.stderr)"""
DATA_ONLY = ("import sys; from pixelbytes.dataset import folder_items; "
             "items, notes = folder_items(sys.argv[1]); print(len(items), len(notes))")


def peak_mb(*cmd) -> float:
    "The peak resident memory of `cmd` in its own process, in MB (Linux reports ru_maxrss in KB)."
    out = subprocess.run([sys.executable, '-c', PEAK, *map(str, cmd)], capture_output=True, text=True,
                         env={**os.environ, 'PYTHONPATH': str(ROOT)})
    code, kb = out.stdout.split()
    assert code == '0', out.stderr
    return int(kb) / 1024


def creature_folder(root: Path, n: int) -> Path:
    from pixelbytes.creatures import make_creatures
    for d in ('images', 'audio', 'text'):
        (root/d).mkdir(parents=True)
    for c in make_creatures(n):
        (root/'images'/f'{c.number}.gif').write_bytes(c.gif())
        (root/'audio'/f'{c.number}.wav').write_bytes(c.wav())
        (root/'text'/f'{c.number}.txt').write_text(c.text)
    return root


def bombs(root: Path) -> dict:
    "Replace item 00000's files with bombs, each in a copy of the folder; returns name -> folder."
    import shutil
    made = {}
    def copy(name):
        folder = root.parent/name
        shutil.copytree(root, folder)
        made[name] = folder
        return folder
    gif = copy('gif_200_frames_3000px')/'images'/'00000.gif'
    later = (Image.new('P', (3000, 3000), k % 2) for k in range(1, 200))      # made one at a time
    Image.new('P', (3000, 3000), 0).save(gif, save_all=True, append_images=later)
    wav = copy('wav_30_minutes')/'audio'/'00000.wav'
    sf.write(wav, np.zeros((16000 * 1800, 1), np.int16), 16000, subtype='PCM_16')
    text = copy('text_50_MB')/'text'/'00000.txt'
    text.write_text('a very long description ' * (50_000_000 // 24))
    return made, {'gif_200_frames_3000px': gif, 'wav_30_minutes': wav, 'text_50_MB': text}


def main(n: int = 24, train: bool = True):
    with tempfile.TemporaryDirectory() as d:
        ordinary = creature_folder(Path(d)/'ordinary', n)
        folders, files = bombs(ordinary)
        sizes = ', '.join(f'{k} {p.stat().st_size / 1e6:.1f} MB' for k, p in files.items())
        print(f'{n} creatures; bomb files: {sizes}')
        command = [Path(sys.executable).parent/'pixelbytes', 'train', '--epochs', '1', '--embed_size', '12',
                 '--hidden_size', '32', '--seq_length', '128', '--no-progress']
        rows = []
        for name, folder in {'ordinary': ordinary, **folders}.items():
            data = peak_mb(sys.executable, '-c', DATA_ONLY, folder)
            build = peak_mb(*command, '--source', folder, '--out', Path(d)/'runs'/name) if train else float('nan')
            rows.append((name, data, build))
        base_data, base_build = rows[0][1:]
        print(f"{'folder':<24} {'data build MB':>14} {'ratio':>6} {'pixelbytes train MB':>20} {'ratio':>6}")
        for name, data, build in rows:
            print(f'{name:<24} {data:14.0f} {data / base_data:6.2f} {build:20.0f} {build / base_build:6.2f}')


if __name__ == '__main__':
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    main(int(numbers[0]) if numbers else 24, train='--data-only' not in sys.argv)
