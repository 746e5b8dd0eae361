"""Training as users run it, in real processes: `pixelbytes train` killed with SIGKILL resumes, and the same command runs
on two CPU processes under `accelerate launch` (PyTorch DDP, gloo backend). Tiny models, a few seconds per epoch."""
import json, math, os, random, signal, subprocess, sys, time
from pathlib import Path
import pandas as pd
import pytest
from pixelbytes.train import read_checkpoint
from pixelbytes.sequences import TokenSequences

TINY = ['--n', '24', '--embed_size', '12', '--hidden_size', '24', '--seq_length', '64', '--stride', '64', '--bs', '4', '--no-progress']


def train_cmd(out: Path, epochs: int) -> list[str]:
    return [sys.executable, '-m', 'pixelbytes.cli', 'train', '--out', str(out), '--epochs', str(epochs), *TINY]


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 300):
    deadline = time.time() + timeout
    while not path.exists():
        if proc.poll() is not None: pytest.fail(f'training ended before {path.name} appeared: {proc.stderr.read()}')
        if time.time() > deadline: proc.kill(); pytest.fail(f'no {path.name} after {timeout} s')
        time.sleep(0.02)


def test_sigkill_then_resume(tmp_path):
    out, epochs = tmp_path/'run', 6
    proc = subprocess.Popen(train_cmd(out, epochs), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(out/'last.pth', proc)
    time.sleep(random.uniform(0, 1.5))                      # any moment after the first checkpoint
    proc.send_signal(signal.SIGKILL); proc.wait()
    state = read_checkpoint(out/'last.pth')                  # whole: written atomically
    killed_at = state['epoch']
    assert killed_at < epochs - 1, 'the run finished before it was killed: make the epochs longer'
    before = pd.read_csv(out/'metrics.csv')
    done = subprocess.run(train_cmd(out, epochs), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert f'resumed at epoch {killed_at + 1}' in done.stdout
    log = pd.read_csv(out/'metrics.csv')
    assert log.epoch.tolist() == list(range(epochs))         # every epoch once, none repeated, none lost
    kept = before[before.epoch <= killed_at].reset_index(drop=True)
    pd.testing.assert_frame_equal(log.iloc[:killed_at + 1].drop(columns='time'), kept.drop(columns='time'))
    assert read_checkpoint(out/'last.pth')['epoch'] == epochs - 1
    assert (out/'model.safetensors').exists() and (out/'curves.png').exists()


def test_two_processes_with_accelerate(tmp_path):
    pytest.importorskip('accelerate')
    out = tmp_path/'ddp'
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    cmd = [sys.executable, '-m', 'accelerate.commands.launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1',
           '--mixed_precision', 'no', '--dynamo_backend', 'no', '--main_process_port', str(random.randint(20000, 40000)),
           '-m', 'pixelbytes.cli', 'train', '--out', str(out), '--epochs', '1', *TINY]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for rank in (0, 1): assert f'process {rank} of 2: trained' in done.stdout, done.stdout
    batches = [int(l.split('trained ')[1].split()[0]) for l in done.stdout.splitlines() if ': trained' in l]
    data = json.loads((out/'data.json').read_text())
    windows = len(TokenSequences(out/'tokens', 64, 64, data['train']))
    assert batches == [math.ceil(math.ceil(windows / 2) / 4)] * 2   # each process trained its half of the windows
    assert len(pd.read_csv(out/'metrics.csv')) == 1        # one log, written once
    assert read_checkpoint(out/'last.pth')['epoch'] == 0
    assert (out/'model.safetensors').exists()
