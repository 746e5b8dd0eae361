#!/usr/bin/env python3
"""The chapter import graph: which `pixelbytes` module imports which, in pipeline (chapter) order.

Every module is exported by one notebook (`#| default_exp NAME` in `nbs/NN_*.ipynb`); its chapter is NN. A module may
import only earlier chapters; `back_imports` lists those that import a later one (tests/test_module_graph.py keeps the
list from growing). Imports inside functions count, and so does `importlib.import_module('pixelbytes.NAME')`.

    python tools/module_graph.py      # redraw nbs/images/module_graph.svg (an arc diagram in chapter order)
"""
import ast, json, re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PICTURE = ROOT/'nbs'/'images'/'module_graph.svg'
EDGES_MARK = re.compile(r'<!-- pixelbytes imports: (.*?) -->')


def chapters(root: Path = ROOT) -> dict[str, int]:
    "Module name (`tokenizer`) -> chapter number (7), from each notebook's `#| default_exp`."
    found = {}
    for nb in sorted((root/'nbs').glob('[0-9]*_*.ipynb')):
        cells = json.loads(nb.read_text(encoding='utf-8'))['cells']
        for cell in cells:
            m = re.search(r'^#\|\s*default_exp\s+(\S+)', ''.join(cell['source']), re.M)
            if m:
                found[m.group(1)] = int(nb.name.split('_')[0])
                break
    return found


def _imported(node: ast.AST) -> list[str]:
    "The pixelbytes modules one AST node imports (module names without the package)."
    if isinstance(node, ast.Import):
        return [a.name.split('.')[1] for a in node.names if a.name.startswith('pixelbytes.')]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ''
        if node.level == 0 and not (base == 'pixelbytes' or base.startswith('pixelbytes.')):
            return []
        base = base.removeprefix('pixelbytes').lstrip('.') if node.level == 0 else base
        return [base.split('.')[0]] if base else [a.name for a in node.names]
    if isinstance(node, ast.Call) and getattr(node.func, 'attr', getattr(node.func, 'id', None)) == 'import_module':
        arg = node.args[0] if node.args else None
        if isinstance(arg, ast.Constant) and str(arg.value).startswith('pixelbytes.'):
            return [arg.value.split('.')[1]]
    return []


def imports(root: Path = ROOT) -> set[tuple[str, str]]:
    "Every (importer, imported) pair of pixelbytes modules, from each exported module's source (`ast`, all depths)."
    known = chapters(root)
    pairs = set()
    for module in known:
        tree = ast.parse((root/'pixelbytes'/f'{module}.py').read_text(encoding='utf-8'))
        for node in ast.walk(tree):
            pairs |= {(module, m) for m in _imported(node) if m in known and m != module}
    return pairs


def back_imports(root: Path = ROOT) -> set[tuple[str, str]]:
    "The (importer, imported) pairs where the imported module's chapter comes after the importer's."
    order = chapters(root)
    return {(a, b) for a, b in imports(root) if order[b] > order[a]}


def edges_text(pairs) -> str:
    "The pairs as the picture records them (so a test can tell whether the picture is current)."
    return ' '.join(f'{a}>{b}' for a, b in sorted(pairs))


def recorded_edges(svg: str) -> str | None:
    "The import pairs a picture was drawn from (None: not recorded)."
    m = EDGES_MARK.search(svg)
    return m.group(1) if m else None


def draw(path: Path = PICTURE, root: Path = ROOT) -> Path:
    """An arc diagram: chapters left to right, each import an arc from the imported chapter to the importer
    (back-imports red)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch
    matplotlib.rcParams['svg.hashsalt'] = 'pixelbytes'
    matplotlib.rcParams['svg.fonttype'] = 'none'              # text stays text: a small file
    order = chapters(root)
    mods = sorted(order, key=order.get)
    x = {m: k for k, m in enumerate(mods)}
    pairs = imports(root)
    fig, ax = plt.subplots(figsize=(12, 4.2))
    for a, b in sorted(pairs):
        back = order[b] > order[a]
        arc = FancyArrowPatch(
            (x[b], 0),
            (x[a], 0),
            connectionstyle='arc3,rad=-0.45',
            arrowstyle='-|>',
            mutation_scale=7,
            color='#d62728' if back else '#1f77b4',
            alpha=0.9 if back else 0.35,
            lw=1.6 if back else 0.8,
        )
        ax.add_patch(arc)
    for m in mods:
        ax.plot(x[m], 0, 'o', color='black', ms=5, zorder=3)
        ax.text(x[m], -0.35, f'{order[m]:02d} {m}', rotation=45, ha='right', va='top', fontsize=9)
    ax.set_xlim(-1, len(mods))
    ax.set_ylim(-3, len(mods) * 0.25)
    ax.axis('off')
    ax.set_title('Chapter imports in pipeline order: each arc points from a chapter to one that imports it; '
                 'blue arcs go forward, red ones are the back-imports that remain', fontsize=9)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format='svg', metadata={'Date': None})
    plt.close(fig)
    svg = path.read_text(encoding='utf-8')
    path.write_text(
        svg.replace('<svg ', f'<!-- pixelbytes imports: {edges_text(pairs)} -->\n<svg ', 1), encoding='utf-8'
    )
    return path


if __name__ == '__main__':
    print('wrote', draw())
    print('back-imports:', edges_text(back_imports()) or 'none')
