import os
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent

@pytest.fixture(scope='session')
def root() -> Path:
    return ROOT

def pytest_configure(config):
    os.environ.setdefault('MPLBACKEND', 'Agg')  # notebooks and tests draw without a display
