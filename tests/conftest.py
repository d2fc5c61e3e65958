import shutil
from pathlib import Path

import pytest

from csto_brief import paths

ROOT = paths.PROJ_ROOT


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    """A scratch copy of data/raw, for tests that break files on purpose."""
    dest = tmp_path / "raw"
    shutil.copytree(paths.RAW_DIR, dest)
    return dest
