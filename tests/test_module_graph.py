"""One direction: every pixelbytes module imports only earlier chapters, except the back-imports listed here.

A module's chapter is the number of the notebook that exports it (`#| default_exp`). Imports inside functions count,
and so does `importlib.import_module('pixelbytes.NAME')`. The allowlist can only shrink: a new back-import fails, and
so does an entry that no longer exists (remove it when you fix it). tools/module_graph.py draws the picture on the home
page.
"""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (importer, imported): the back-imports that remain, each with the chapter that owns it (none: keep it so)
ALLOWED_BACK_IMPORTS = set()


def _graph():
    spec = importlib.util.spec_from_file_location('module_graph', ROOT/'tools'/'module_graph.py')
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_module_has_a_chapter():
    chapters = _graph().chapters()
    modules = {p.stem for p in (ROOT/'pixelbytes').glob('*.py') if not p.stem.startswith('_')}
    assert set(chapters) == modules, (
        f'modules without a notebook, or notebooks without a module: {set(chapters) ^ modules}'
    )
    assert len(set(chapters.values())) == len(chapters), 'two notebooks share a chapter number'


def test_no_new_back_imports():
    found = _graph().back_imports()
    new = found - ALLOWED_BACK_IMPORTS
    assert not new, f'these modules import a later chapter: {sorted(new)}; move what they need to an earlier chapter'
    fixed = ALLOWED_BACK_IMPORTS - found
    assert not fixed, f'fixed, well done: remove {sorted(fixed)} from ALLOWED_BACK_IMPORTS'


def test_the_finder_sees_every_kind_of_import(tmp_path):
    "Top-level, relative, inside a function, `from pixelbytes import x` and `importlib.import_module` are all found."
    g = _graph()
    (tmp_path/'nbs').mkdir()
    (tmp_path/'pixelbytes').mkdir()
    for k, name in enumerate(['a', 'b', 'c', 'd', 'e', 'f']):
        cell = {'cell_type': 'code', 'source': [f'#| default_exp {name}']}
        (tmp_path/'nbs'/f'{k:02d}_{name}.ipynb').write_text(__import__('json').dumps({'cells': [cell]}))
    (tmp_path/'pixelbytes'/'a.py').write_text(
        'from .b import x\nimport pixelbytes.c\ndef f():\n    from pixelbytes import d\n'
        '    import importlib\n    importlib.import_module("pixelbytes.e")\n')
    for name in 'bcdef':
        (tmp_path / 'pixelbytes' / f'{name}.py').write_text('import os\n')
    assert g.back_imports(tmp_path) == {('a', n) for n in 'bcde'}


def test_the_picture_is_current():
    "nbs/images/module_graph.svg was drawn from today's imports (redraw: python tools/module_graph.py)."
    g = _graph()
    recorded = g.recorded_edges(g.PICTURE.read_text(encoding='utf-8'))
    assert recorded == g.edges_text(g.imports()), (
        'the module graph picture is stale: run `python tools/module_graph.py`'
    )
