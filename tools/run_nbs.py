#!/usr/bin/env python3
"""Execute notebooks in place so their outputs (pictures, tables) are stored for the docs, honouring test flags.

    python tools/run_nbs.py [--keep-flagged] [--keep-cells ID,ID] [nbs/NN_name.ipynb ...]  # default: every notebook

Cells flagged with a test flag from settings.ini (`slow`, `cuda`, `net`, `notest`) are not run and keep no output,
unless the flag is listed in PIXELBYTES_TEST_FLAGS; with `--keep-flagged` they keep the output they hold (the results
of a long run made earlier, e.g. with `PIXELBYTES_TEST_FLAGS=slow`) while the other cells are run again.
`--keep-cells` names cells (by id) that keep their stored output without being run, e.g. a slow cell whose code did
not change and which no later cell needs.
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


def execute(path: Path, flags: set[str], keep_flagged: bool = False, keep_cells: frozenset = frozenset()) -> None:
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    nb = read_nb(path)
    def skip(cell):
        if cell.cell_type != 'code' or cell.get('id') in keep_cells:
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
    args = sys.argv[1:]
    keep = '--keep-flagged' in args
    cells = frozenset(args[args.index('--keep-cells') + 1].split(',')) if '--keep-cells' in args else frozenset()
    given = [a for i, a in enumerate(args) if a.endswith('.ipynb') and (i == 0 or args[i - 1] != '--keep-cells')]
    paths = [Path(p).resolve() for p in given] or sorted((ROOT/'nbs').glob('*.ipynb'))
    flags = skip_flags()
    for p in paths:
        execute(p, flags, keep, cells)
    subprocess.run([Path(sys.executable).parent/'nbdev_clean'], cwd=ROOT, check=True)
