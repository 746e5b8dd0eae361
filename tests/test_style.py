"""The code reads well: ruff checks the notebooks (the source of the library), tests/ and tools/ with ruff.toml's rules.

Lines of at most 120 characters (E501), one statement per line (E701 `if x: y`, E702 `a; b`, E703 a stray `;`), imports
at the top of a cell (E402) and pyflakes (F: unused imports, undefined names, ...). Notebooks that are not reformatted
yet keep an allowance: how many violations of a rule each may still hold. The allowance can only shrink: one more
violation fails, and so does an allowance larger than what is left (lower it when you fix some). To see the lines:
`ruff check nbs/NAME.ipynb`; to break a long statement, `ruff format --range LINE` on a plain Python file, or by hand.
"""
import importlib.util, json, subprocess, sys
from collections import defaultdict
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent

ALLOWED = {   # (notebook, rule): how many violations it may still hold (the notebooks still to reformat)
}


def ruff(*paths: Path) -> list[dict]:
    "ruff's findings on `paths`, with the project's ruff.toml."
    if importlib.util.find_spec('ruff') is None:
        pytest.fail('ruff is not installed: it is in dev_requirements (settings.ini); `pip install ruff`')
    done = subprocess.run([sys.executable, '-m', 'ruff', 'check', '--no-cache', '--output-format', 'json',
                           '--config', str(ROOT/'ruff.toml'), *map(str, paths)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode in (0, 1), f'ruff failed: {done.stderr}'
    return json.loads(done.stdout)


def where(d: dict) -> str:
    cell = f":cell {d['cell']}" if d.get('cell') else ''
    return f"{Path(d['filename']).relative_to(ROOT)}{cell}:{d['location']['row']}: {d['code']} {d['message']}"


def by_file_and_rule(found: list[dict]) -> dict[tuple[str, str], list[str]]:
    res = defaultdict(list)
    for d in found:
        res[(Path(d['filename']).name, d['code'])].append(where(d))
    return res


def test_notebooks():
    found = by_file_and_rule(ruff(*sorted((ROOT/'nbs').glob('*.ipynb'))))
    new = [line for key, lines in sorted(found.items()) if len(lines) > ALLOWED.get(key, 0) for line in lines]
    assert not new, 'style: fix these lines (`ruff check nbs/NAME.ipynb` lists them):\n' + '\n'.join(new)
    fixed = {key: len(found.get(key, ())) for key, allowed in ALLOWED.items() if len(found.get(key, ())) < allowed}
    assert not fixed, f'fixed some, well done: lower these allowances in tests/test_style.py to {fixed}'


def test_tests_and_tools():
    found = ruff(*sorted((ROOT/'tests').glob('*.py')), *sorted((ROOT/'tools').glob('*.py')))
    assert not found, 'style: fix these lines:\n' + '\n'.join(map(where, found))


def test_the_rules_catch_what_they_should(tmp_path):
    "A long line, `if x: y`, `a; b`, a trailing `;` and an unused import are each reported, in a notebook too."
    src = 'import os\nx = 1; y = 2\nif x: y = 3\nz = 4;\ns = "' + 'a' * 120 + '"\n'
    (tmp_path/'a.py').write_text(src)
    cell = {'cell_type': 'code', 'id': 'c0', 'metadata': {}, 'execution_count': None, 'outputs': [],
            'source': src.splitlines(keepends=True)}
    nb = {'cells': [cell], 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}
    (tmp_path/'b.ipynb').write_text(json.dumps(nb))
    codes = {(Path(d['filename']).suffix, d['code']) for d in ruff(tmp_path/'a.py', tmp_path/'b.ipynb')}
    assert codes == {(s, c) for s in ('.py', '.ipynb') for c in ('F401', 'E702', 'E701', 'E703', 'E501')}
