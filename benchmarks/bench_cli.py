"""Start-up time of the `pixelbytes` command: help, version and argument errors import no torch or fastai.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_cli.py [--repeat 5]

Prints, as medians of fresh processes (wall seconds): `pixelbytes --help`, `--version`, `train --help`,
an argument error, a missing run folder, and for comparison what every one of them cost before the command
imported lazily: importing the modules behind the commands (`pixelbytes.train`, `.evaluate`, `.control`).
"""
import argparse, statistics, subprocess, sys, time

CASES = {
    'pixelbytes --help': ['-m', 'pixelbytes.cli', '--help'],
    'pixelbytes --version': ['-m', 'pixelbytes.cli', '--version'],
    'pixelbytes train --help': ['-m', 'pixelbytes.cli', 'train', '--help'],
    'pixelbytes train --epochs x (argument error)': ['-m', 'pixelbytes.cli', 'train', '--epochs', 'x'],
    'pixelbytes generate no-such-folder': ['-m', 'pixelbytes.cli', 'generate', 'no-such-folder'],
    'import pixelbytes': ['-c', 'import pixelbytes'],
    'before: import the command modules': ['-c', 'import pixelbytes.train, pixelbytes.evaluate, pixelbytes.control'],
}


def seconds(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], capture_output=True)
    return time.perf_counter() - start


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--repeat', type=int, default=5, help='fresh processes per case (the median is printed)')
    repeat = ap.parse_args().repeat
    for name, args in CASES.items():
        times = [seconds(args) for _ in range(repeat)]
        print(f'{name:<48} {statistics.median(times):6.2f} s  (min {min(times):.2f}, max {max(times):.2f})', flush=True)
