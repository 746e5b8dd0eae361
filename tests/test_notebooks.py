"""Every notebook runs as a test (nbdev's own tester), and the library is exactly what the notebooks export."""
import os, shutil, subprocess, sys
from configparser import ConfigParser
from pathlib import Path
import pytest
import nbdev.test as nbt  # imported as a module so pytest does not collect `test_nb` itself
from conftest import requested_flags

ROOT = Path(__file__).resolve().parent.parent
NBS = sorted(p for p in (ROOT/'nbs').glob('*.ipynb') if not p.name.startswith('_'))
CFG = ConfigParser(delimiters=['='])
CFG.read(ROOT / 'settings.ini')


def skip_flags() -> set[str]:
    "`tst_flags` from settings.ini, less those asked for in PIXELBYTES_TEST_FLAGS and `cuda` when a GPU is present."
    return set(CFG['DEFAULT']['tst_flags'].split()) - requested_flags()


REGISTRIES = (('dataset', 'SOURCES'), ('tokenizer', 'TOKENIZERS'), ('models', 'MODEL_TYPES'),
              ('models', 'CONFIG_SCHEMAS'), ('train', 'ARCHS'))


@pytest.fixture
def registries_kept():
    """A notebook registers its own classes (chapter 18: tokenizer, model, architecture) in the library's registries;
    the tests after it, in the same process, must find the library's: each registry is put back as it was."""
    import importlib
    import pixelbytes
    from pixelbytes.core import load_plugins
    for registry in pixelbytes._PLUGINS:   # the library's own entries first: a later import of them is a no-op
        load_plugins(registry)
    kept = {(m, name): dict(getattr(importlib.import_module(f'pixelbytes.{m}'), name)) for m, name in REGISTRIES}
    yield
    for (m, name), entries in kept.items():
        registry = getattr(importlib.import_module(f'pixelbytes.{m}'), name)
        registry.clear()
        registry.update(entries)


@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb, monkeypatch, registries_kept):
    monkeypatch.setenv('MPLBACKEND', 'Agg')
    ok, _ = nbt.test_nb(nb, skip_flags=skip_flags(), basepath=ROOT)
    assert ok, f'{nb.name} failed (its traceback is printed above)'


def _nbdev(cmd: str, cwd: Path):
    "Run an nbdev command in `cwd`; IN_TEST (set by the notebook tests) would turn it into a no-op."
    env = {k: v for k, v in os.environ.items() if k != 'IN_TEST'}
    subprocess.run([Path(sys.executable).parent/cmd], cwd=cwd, env=env, check=True)


def _copy_project(dst: Path) -> Path:
    for f in ('settings.ini', 'setup.py', 'README.md'):
        shutil.copy(ROOT / f, dst / f)
    shutil.copytree(ROOT/'nbs', dst/'nbs', symlinks=True)
    shutil.copytree(ROOT/'pixelbytes', dst/'pixelbytes', ignore=shutil.ignore_patterns('__pycache__'))
    return dst


def _tree(path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob('*.py')) if '__pycache__' not in p.parts
    }


def test_library_matches_notebooks(tmp_path):
    "`nbdev_export` on a copy of the project changes nothing: the notebooks and the library never drift apart."
    proj = _copy_project(tmp_path)
    shutil.rmtree(proj/'pixelbytes')
    (proj/'pixelbytes').mkdir()
    shutil.copy(ROOT/'pixelbytes'/'__init__.py', proj/'pixelbytes'/'__init__.py')
    _nbdev('nbdev_export', proj)
    exported, committed = _tree(proj/'pixelbytes'), _tree(ROOT/'pixelbytes')
    assert sorted(exported) == sorted(committed), 'modules differ: run nbdev_export and commit'
    stale = [f for f in exported if exported[f] != committed[f]]
    assert not stale, f'out of date with the notebooks: {stale}; run nbdev_export and commit'


def test_notebooks_are_clean(tmp_path):
    "`nbdev_clean` leaves every committed notebook unchanged (metadata clean, outputs kept)."
    proj = _copy_project(tmp_path)
    _nbdev('nbdev_clean', proj)
    dirty = [p.name for p in NBS if (proj/'nbs'/p.name).read_bytes() != p.read_bytes()]
    assert not dirty, f'run nbdev_clean and commit: {dirty}'
