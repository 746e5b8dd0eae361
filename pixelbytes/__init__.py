__version__ = "0.1.0"

# Hand-written (nbdev only keeps `__version__` above up to date). The names a user needs, at the top level, imported on
# first use: `import pixelbytes` stays light (no torch, no fastai) and `pixelbytes --help` stays fast.
import importlib as _importlib
import types as _types

_EXPORTS = {
    'PixelBytesTokenizer': 'tokenizer', 'TokenizerConfig': 'tokenizer',
    'build_dataset': 'dataset',
    'train_model': 'train',
    'load_run': 'hub', 'push_run': 'hub', 'download_run': 'hub',
    'generate': 'generate', 'describe_to_draw': 'generate', 'draw_to_describe': 'generate',
    'TextPart': 'generate', 'ImagePart': 'generate', 'AudioPart': 'generate',
    'evaluate_run': 'evaluate',
    'demo': 'cli',
}
__all__ = ['__version__', *_EXPORTS]


def __getattr__(name: str):
    "Import an exported name from its module on first use."
    if name not in _EXPORTS: raise AttributeError(f"module 'pixelbytes' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f'{__name__}.{_EXPORTS[name]}'), name)
    globals()[name] = value
    return value


def __dir__(): return sorted(set(globals()) | set(_EXPORTS))


class _Package(_types.ModuleType):
    "The package module: `pixelbytes.generate` stays the function when the submodule of the same name is imported."
    def __setattr__(self, name, value):
        if name in _EXPORTS and isinstance(value, _types.ModuleType): return   # only `generate` is both
        super().__setattr__(name, value)


import sys as _sys
_sys.modules[__name__].__class__ = _Package
