"""Every path the project uses, defined once.

The root is the repository that holds this package. A test that works on a copy of the
repository points ``CSTO_BRIEF_ROOT`` at the copy.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

PROJ_ROOT = Path(os.environ.get("CSTO_BRIEF_ROOT") or Path(__file__).resolve().parents[2]).resolve()

CONFIG_FILE = PROJ_ROOT / "brief.toml"
DATA_DIR = PROJ_ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
PROCESSED_DIR = DATA_DIR / "processed"
FIGURES_DIR = PROJ_ROOT / "figures"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORT_DIR = PROJ_ROOT / "report"
BUILD_DIR = PROJ_ROOT / "build"
PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"


def rel(path: Path | str) -> str:
    """A path as the user sees it: relative to the repository root where possible."""
    return _rel(os.fspath(path))


@functools.lru_cache(maxsize=4096)  # validation names every file in every message it might write
def _rel(path: str) -> str:
    p = Path(os.path.abspath(path))  # no symlink lookups for the usual case, a path inside the root
    try:
        return p.relative_to(PROJ_ROOT).as_posix()
    except ValueError:
        pass
    try:
        return Path(path).resolve().relative_to(PROJ_ROOT).as_posix()
    except ValueError:
        return path
