import os
import shutil
import tempfile
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


def pytest_terminal_summary(terminalreporter):
    """Count the mutation cases in the test output (tests/test_reliability.py)."""
    stats = terminalreporter.stats
    cases = {k: [r for r in stats.get(k, []) if "test_mutation_is_caught" in getattr(r, "nodeid", "")]
             for k in ("passed", "failed")}
    n = sum(len(v) for v in cases.values())
    if n:
        files = {r.nodeid.split("[", 1)[1].split("|", 1)[0] for v in cases.values() for r in v}
        terminalreporter.write_line(
            f"mutation suite: {len(cases['passed'])} of {n} broken-input cases caught, over {len(files)} raw files")


# nbval re-executes the notebooks, and they write data/processed/ and figures/. They do so in a scratch copy
# of the repository (CSTO_BRIEF_ROOT for their kernels), so that the tests that read or copy the committed
# outputs, in this process or in another pytest-xdist worker, never see a file half rewritten.
_NBVAL_ROOT: list[Path] = []


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    if not str(item.fspath).endswith(".ipynb"):
        yield
        return
    from csto_brief.pipeline import copy_repo

    if not _NBVAL_ROOT:
        _NBVAL_ROOT.append(copy_repo(Path(tempfile.mkdtemp(prefix="csto-nbval-"))))
    saved = os.environ.get("CSTO_BRIEF_ROOT")
    os.environ["CSTO_BRIEF_ROOT"] = str(_NBVAL_ROOT[0])  # the notebook's kernel starts in this setup
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("CSTO_BRIEF_ROOT", None)
        else:
            os.environ["CSTO_BRIEF_ROOT"] = saved


def pytest_sessionfinish(session):
    for root in _NBVAL_ROOT:
        shutil.rmtree(root, ignore_errors=True)
