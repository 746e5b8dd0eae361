"""Training as users run it, in real processes: `pixelbytes train` killed with SIGKILL resumes, and the same command
runs on two CPU processes under `accelerate launch` (PyTorch DDP, gloo backend). Tiny models, a few seconds per
epoch."""
import json, math, os, random, re, signal, subprocess, sys, time
from pathlib import Path
import pandas as pd
import pytest
from pixelbytes.train import read_checkpoint
from pixelbytes.sequences import TokenSequences
from pixelbytes.train import TrainWindows

TINY = [
    '--n',
    '24',
    '--embed_size',
    '12',
    '--hidden_size',
    '24',
    '--seq_length',
    '64',
    '--stride',
    '64',
    '--bs',
    '4',
    '--no-progress',
]


def train_cmd(out: Path, epochs: int) -> list[str]:
    return [sys.executable, '-m', 'pixelbytes.cli', 'train', '--out', str(out), '--epochs', str(epochs), *TINY]


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 300):
    deadline = time.time() + timeout
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f'training ended before {path.name} appeared: {proc.stderr.read()}')
        if time.time() > deadline:
            proc.kill()
            pytest.fail(f'no {path.name} after {timeout} s')
        time.sleep(0.02)


def test_sigkill_then_resume(tmp_path):
    out, epochs = tmp_path/'run', 6
    proc = subprocess.Popen(train_cmd(out, epochs), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(out/'last.pth', proc)
    time.sleep(random.uniform(0, 1.5))                      # any moment after the first checkpoint
    proc.send_signal(signal.SIGKILL)
    proc.wait()
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


# the default described LSTM, and the research's LSTM, whose head the loss applies outside the forward (KeptSlotsOnly)
@pytest.mark.parametrize('model_args', [[], ['--memory_size', '0', '--position_size', '0']], ids=['described', 'lstm'])
def test_two_processes_with_accelerate(tmp_path, model_args):
    pytest.importorskip('accelerate')
    out = tmp_path/'ddp'
    env = {**os.environ, 'OMP_NUM_THREADS': '1'}
    cmd = [
        sys.executable,
        '-m',
        'accelerate.commands.launch',
        '--multi_gpu',
        '--num_processes',
        '2',
        '--num_machines',
        '1',
        '--mixed_precision',
        'no',
        '--dynamo_backend',
        'no',
        '--main_process_port',
        str(random.randint(20000, 40000)),
        '-m',
        'pixelbytes.cli',
        'train',
        '--out',
        str(out),
        '--epochs',
        '1',
        *TINY,
        *model_args,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    for rank in (0, 1):
        assert f'process {rank} of 2: trained' in done.stdout, done.stdout
    # lines may interleave
    batches = [int(b) for b in re.findall(r'process \d of 2: trained (\d+) batches', done.stdout)]
    data = json.loads((out/'data.json').read_text())
    repeats = json.loads((out/'run.json').read_text())['start_repeats']           # item starts seen more often
    windows = len(TrainWindows(TokenSequences(out/'tokens', 64, 64, data['train']), start_repeats=repeats))
    # each process its half of the windows; fastai drops a last short batch
    assert batches == [math.ceil(windows / 2) // 4] * 2
    assert len(pd.read_csv(out/'metrics.csv')) == 1        # one log, written once
    assert read_checkpoint(out/'last.pth')['epoch'] == 0
    assert (out/'model.safetensors').exists()
    run = json.loads((out/'run.json').read_text())
    assert (run['memory_size'], run['position_size']) == ((0, 0) if model_args else (64, 16))   # the model asked for


def test_finished_run_reruns(tmp_path):
    "A finished run run again trains nothing, keeps its log and checkpoint, and rewrites its outputs."
    out = tmp_path/'done'
    first = subprocess.run(train_cmd(out, 1), capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr
    log, last = (out/'metrics.csv').read_text(), (out/'last.pth').read_bytes()
    again = subprocess.run(train_cmd(out, 1), capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr
    assert 'all 1 epochs were already trained' in again.stdout
    assert (out/'metrics.csv').read_text() == log and (out/'last.pth').read_bytes() == last
    assert (out/'model.safetensors').exists() and (out/'best.safetensors').exists()


def test_second_process_is_refused_or_waits(tmp_path):
    "A second `pixelbytes train` on a folder in use names the process that holds it and stops, or waits when asked."
    out, epochs = tmp_path/'busy', 8                       # long enough for the second process to start meanwhile
    first = subprocess.Popen(train_cmd(out, epochs), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(out/'run.lock.json', first)
    refused = subprocess.run(train_cmd(out, epochs), capture_output=True, text=True, timeout=300)
    assert refused.returncode == 1
    assert f'process {first.pid} ' in refused.stderr and 'PIXELBYTES_LOCK_WAIT' in refused.stderr, refused.stderr
    waiting = subprocess.Popen(train_cmd(out, epochs), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, 'PIXELBYTES_LOCK_WAIT': '900'})
    assert first.wait(timeout=900) == 0, first.stderr.read()
    stdout, stderr = waiting.communicate(timeout=900)
    assert waiting.returncode == 0, stderr
    assert f'all {epochs} epochs were already trained' in stdout      # it waited, then found the run finished
    assert pd.read_csv(out/'metrics.csv').epoch.tolist() == list(range(epochs))   # every epoch once
    assert (out/'command.txt').read_text().startswith('pixelbytes train')        # written while the folder was held


def test_sigkill_during_best_model_write(tmp_path):
    "A kill while the best weights are being written leaves no truncated best model; the rerun completes."
    out = tmp_path/'best'
    stall = ("import time, pathlib, pixelbytes.train as t\n"
             "def stalled(tensors, file):\n"
             "    pathlib.Path(file).write_bytes(b'half a file')\n"
             f"    pathlib.Path({str(tmp_path/'writing')!r}).touch(); time.sleep(600)\n"
             "t.save_file = stalled\n"
             "from pixelbytes.cli import main\n"
             f"main({train_cmd(out, 2)[3:]!r})\n")
    proc = subprocess.Popen([sys.executable, '-c', stall], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(tmp_path/'writing', proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out/'best.safetensors').exists()                # the half-written file never took the real name
    done = subprocess.run(train_cmd(out, 2), capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    from safetensors.torch import load_file
    assert load_file(out/'best.safetensors')                  # whole and readable
    assert pd.read_csv(out/'metrics.csv').epoch.tolist() == [0, 1]
    assert not [p.name for p in out.iterdir() if '.partial-' in p.name]   # no partial file left behind


def test_sigkill_during_token_cache_build(tmp_path):
    "A kill while the token cache is built leaves no data record; the rerun builds the cache and trains."
    out = tmp_path/'cache'
    cmd = [*train_cmd(out, 1)[:-len(TINY)], *TINY[2:], '--n', '120']
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(out/'tokenizer.json', proc)                       # written just before the cache
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out/'data.json').exists(), 'the cache was finished before the kill: use more items'
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert json.loads((out/'tokens'/'cache.json').read_text())['items'] == 120   # every item, tokenized once
    assert (out/'data.json').exists() and (out/'model.safetensors').exists()
    assert not [p for p in out.rglob('*') if '.partial-' in p.name]


def test_sigkill_during_demo_generation_then_rerun(tmp_path):
    "`pixelbytes demo` killed while it generates: the rerun trains nothing and finishes the report."
    out = tmp_path/'demo'
    cmd = [sys.executable, '-m', 'pixelbytes.cli', 'demo', '--out', str(out), '--n', '30', '--epochs', '1',
           '--embed_size', '12', '--hidden_size', '24', '--seq_length', '128', '--samples', '1', '--max_frames', '1',
           '--no-progress']
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, 'PYTHONUNBUFFERED': '1'})
    for line in proc.stdout:
        if line.startswith('Generating for'):
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out/'report.html').exists(), 'the demo finished before it was killed'
    log = (out/'metrics.csv').read_text()
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    assert 'all 1 epochs were already trained' in done.stdout
    assert (out/'metrics.csv').read_text() == log and (out/'report.html').exists()
    assert not [p for p in out.rglob('*') if '.partial-' in p.name]
