#!/usr/bin/env python3
"""Execute notebooks in place so their outputs (pictures, tables) are stored for the docs, honouring test flags.

    python tools/run_nbs.py [--keep-flagged] [nbs/NN_name.ipynb ...]     # default: every notebook in nbs/

Cells flagged with a test flag from settings.ini (`slow`, `cuda`, `net`, `notest`) are not run and keep no output,
unless the flag is listed in PIXELBYTES_TEST_FLAGS; with `--keep-flagged` they keep the output they hold (the results
of a long run made earlier, e.g. with `PIXELBYTES_TEST_FLAGS=slow`) while the other cells are run again.
`nbdev_clean` runs afterwards.
"""
import os, re, subprocess, sys
from configparser import ConfigParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIRECTIVE = re.compile(r'^\s*#\|\s*([\w-]+)')


def skip_flags() -> set[str]:
    cfg = ConfigParser(delimiters=['='])
    cfg.read(ROOT / 'settings.ini')
    return set(cfg['DEFAULT']['tst_flags'].split()) - set(
        os.environ.get('PIXELBYTES_TEST_FLAGS', '').replace(',', ' ').split()
    )


def cell_flags(source: str) -> set[str]:
    return {m.group(1) for m in map(DIRECTIVE.match, source.splitlines()) if m}


def execute(path: Path, flags: set[str], keep_flagged: bool = False) -> None:
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    nb = read_nb(path)
    def skip(cell):
        if cell.cell_type != 'code':
            return True
        if flags & cell_flags(cell.source):
            if not keep_flagged:
                cell.outputs = []
            return True
        cell.outputs = []          # execnb keeps a cell's old outputs when it prints nothing now
        return False
    cwd = os.getcwd()
    os.chdir(path.parent)
    try:
        CaptureShell(path).run_all(nb, exc_stop=True, preproc=skip)
    finally:
        os.chdir(cwd)
    write_nb(nb, path)
    print(f'executed {path.name}')


if __name__ == '__main__':
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault('MPLBACKEND', 'Agg')
    keep = '--keep-flagged' in sys.argv
    paths = [Path(p).resolve() for p in sys.argv[1:] if p != '--keep-flagged'] or sorted((ROOT/'nbs').glob('*.ipynb'))
    flags = skip_flags()
    for p in paths:
        execute(p, flags, keep)
    subprocess.run([Path(sys.executable).parent/'nbdev_clean'], cwd=ROOT, check=True)
