"""Shared test set-up: a headless plotting backend, and the project's test flags for library tests.

Tests marked `slow`, `cuda` or `net` are skipped unless the flag is listed in PIXELBYTES_TEST_FLAGS
(e.g. `PIXELBYTES_TEST_FLAGS="slow net"`); `cuda` tests also run by themselves when a GPU is present.
"""
import os
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ('slow', 'cuda', 'net')


def requested_flags() -> set[str]:
    flags = set(os.environ.get('PIXELBYTES_TEST_FLAGS', '').replace(',', ' ').split())
    try:
        import torch

        if torch.cuda.is_available():
            flags.add('cuda')
    except ImportError:
        pass
    return flags


@pytest.fixture(scope='session')
def root() -> Path:
    return ROOT


def pytest_configure(config):
    os.environ.setdefault('MPLBACKEND', 'Agg')  # notebooks and tests draw without a display


def pytest_collection_modifyitems(config, items):
    wanted = requested_flags()
    for item in items:
        missing = [f for f in FLAGS if f in item.keywords and f not in wanted]
        if missing:
            item.add_marker(pytest.mark.skip(reason=f'flag {missing[0]!r} not requested (PIXELBYTES_TEST_FLAGS)'))
