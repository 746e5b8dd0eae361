#!/usr/bin/env python3
"""PixelBytes developer commands; needs only Python >= 3.10 (it builds its own virtual environment).

    python3 tools/dev.py demo    # set up .venv and run the main job on the built-in default data
    python3 tools/dev.py test    # set up .venv with the dev extras (and Chromium) and run every test
    python3 tools/dev.py docs    # build the documentation site into _docs/

Extra arguments after the command are passed on (to `pixelbytes demo`, to pytest, or to the docs builder).
"""
import hashlib, os, shutil, subprocess, sys, venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get('PIXELBYTES_VENV', ROOT / '.venv'))
BIN = VENV / ('Scripts' if os.name == 'nt' else 'bin')


def run(*cmd, **kw):
    print('+', ' '.join(map(str, cmd)), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def ensure_venv(extras: str = '') -> None:
    "Create `.venv` and install the project (editable) with `extras`; skipped when nothing changed."
    if sys.version_info < (3, 10):
        sys.exit(f'PixelBytes needs Python >= 3.10, this is {sys.version.split()[0]}')
    if not (BIN / 'python').exists():
        print(f'Creating the virtual environment {VENV}', flush=True)
        try:
            venv.create(VENV, with_pip=True)
        except (OSError, subprocess.CalledProcessError) as e:
            shutil.rmtree(VENV, ignore_errors=True)
            sys.exit(
                f'Could not create {VENV} ({e}). On Debian/Ubuntu install the venv module first: '
                f'apt-get install python3-venv'
            )
    spec = '.' + (f'[{extras}]' if extras else '')
    stamp = VENV / f'.pixelbytes-installed{"-" + extras if extras else ""}'
    digest = hashlib.sha256(b''.join((ROOT / f).read_bytes() for f in ('settings.ini', 'setup.py'))).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f'Installing PixelBytes{" with " + extras + " extras" if extras else ""} into {VENV} '
          '(several minutes the first time: PyTorch is large)', flush=True)
    run(BIN / 'python', '-m', 'pip', 'install', '--quiet', '--upgrade', 'pip', cwd=ROOT)
    run(BIN / 'python', '-m', 'pip', 'install', '--quiet', '-e', spec, cwd=ROOT)
    stamp.write_text(digest)


def find_chromium():
    return next((p for p in map(shutil.which, ('chromium', 'chromium-browser', 'google-chrome')) if p), None)


def ensure_chromium() -> None:
    "The docs browser test needs Debian's Chromium; install it when we may (root + apt-get)."
    if find_chromium():
        return
    if shutil.which('apt-get') and hasattr(os, 'geteuid') and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
        run('apt-get', 'update', '-q', env=env)
        run('apt-get', 'install', '-y', '-q', '--no-install-recommends', 'chromium', env=env)
    else:
        print('Chromium not found and not installable here (needs root and apt-get): '
              'the docs browser test will be skipped (it fails under CI).', flush=True)


def demo(args):
    ensure_venv()
    run(BIN / 'pixelbytes', 'demo', *args, cwd=ROOT)


def test(args):
    ensure_venv('dev')
    ensure_chromium()
    run(BIN / 'python', '-m', 'pytest', 'tests', *args, cwd=ROOT)


def docs(args):
    ensure_venv('dev')
    run(BIN / 'python', 'tools/build_docs.py', *args, cwd=ROOT)


COMMANDS = {'demo': demo, 'test': test, 'docs': docs}

if __name__ == '__main__':
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    try:
        COMMANDS[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as e:
        sys.exit(e.returncode)
