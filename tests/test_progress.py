"""Progress written to a file: `train_model` called from Python with its output piped, as `python script.py > log` does,
prints one labelled line per epoch and no progress bar (no `\\r` redraws, no stray `█` from fastprogress)."""
import os, re, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, 'PYTHONPATH': str(ROOT), 'OMP_NUM_THREADS': '1', 'MPLBACKEND': 'Agg'}


def test_piped_training_prints_lines_not_bars(tmp_path):
    code = ('from pixelbytes.train import train_model\n'
            f'train_model(out={str(tmp_path / "job")!r}, n=24, embed_size=24, hidden_size=48, memory_size=0, '
            'position_size=0, seq_length=128, stride=128, bs=8, epochs=2)\n')
    # bytes, not text: universal newlines would turn a bar's `\r` into `\n`
    done = subprocess.run([sys.executable, '-c', code], capture_output=True, env=ENV, cwd=tmp_path, timeout=600)
    stdout, stderr = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, stderr[-3000:]
    for name, out in (('stdout', stdout), ('stderr', stderr)):
        assert '█' not in out and '\r' not in out, f'a progress bar was drawn into {name}:\n{out[-2000:]!r}'
    epochs = [line for line in stdout.split('\n') if line.startswith('epoch ')]
    assert [line.split(':')[0] for line in epochs] == ['epoch 0', 'epoch 1'], stdout
    assert all(re.search(r'train_loss [\d.]+, valid_loss [\d.]+', line) for line in epochs), epochs
