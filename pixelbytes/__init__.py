__version__ = "0.1.0"

# Hand-written (nbdev only keeps `__version__` above up to date). The names a user needs, at the top level, imported on
# first use: `import pixelbytes` stays light (no torch, no fastai) and `pixelbytes --help` stays fast.
import importlib as _importlib

_EXPORTS = {
    'PixelBytesTokenizer': 'tokenizer', 'TokenizerConfig': 'tokenizer',
    'build_dataset': 'dataset',
    'train_model': 'train', 'Run': 'core',
    'load_run': 'hub', 'push_run': 'hub', 'download_run': 'hub',
    'generate': 'generate', 'describe_to_draw': 'generate', 'draw_to_describe': 'generate',
    'TextPart': 'generate', 'ImagePart': 'generate', 'AudioPart': 'generate',
    'evaluate_run': 'evaluate',
    'demo': 'mainjob',
}
__all__ = ['__version__', *_EXPORTS]

# The modules that plug into earlier chapters' registries, per registry (chapter 00's `load_plugins`). The package
# declares them here, above every chapter, so that no chapter imports a later one; they are imported on first need
# (`pixelbytes.core.registered`), never by `import pixelbytes`.
_PLUGINS = {
    'sources': ('creatures',),        # chapter 04: `build_dataset('creatures')` (`register_source`)
    'tokenizers': ('pixeltoken',),    # chapter 07: a colour-folding run's tokenizer.json (`register_tokenizer`)
    'model_types': ('pixeltoken',),   # chapter 10: a pixel-token checkpoint (`register_model_type`)
    'archs': ('pixeltoken',),         # chapter 12: `train_model(arch='pixeltoken')` (`register_arch`)
}


def __getattr__(name: str):
    "Import an exported name from its module on first use."
    if name not in _EXPORTS: raise AttributeError(f"module 'pixelbytes' has no attribute {name!r}")
    module = _importlib.import_module(f'{__name__}.{_EXPORTS[name]}')
    value = module if name == 'generate' else getattr(module, name)    # the generation module is callable: it generates
    globals()[name] = value
    return value


def __dir__(): return sorted(set(globals()) | set(_EXPORTS))
