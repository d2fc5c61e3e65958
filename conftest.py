"""Collection rules and hooks for the whole repository (pytest reads this before tests/ and notebooks/).

Jupyter leaves copies and checkpoints beside notebooks (``jupyter nbconvert --to notebook`` writes
``*.nbconvert.ipynb``; editors write ``.ipynb_checkpoints/*-checkpoint.ipynb``). They are not part of the
project: nbval must not execute them and git ignores them (.gitignore). The notebooks themselves, which nbval
collects from notebooks/ (tests/conftest.py does not reach them), run in a scratch copy.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

collect_ignore_glob = ["*.nbconvert.*", "*-checkpoint.ipynb", "*/.ipynb_checkpoints/*"]


def pytest_configure(config):
    """Every copy of the repository the tests build in, and every process they start, keeps the web fonts it
    subsets in the checkout's build/webfonts/ (csto_brief.webfonts: a subset depends only on the font, the
    characters and the options, its key), so the same subset is not made once per copy."""
    from csto_brief import paths, webfonts

    os.environ.setdefault(webfonts.CACHE_ENV, str(paths.BUILD_DIR / "webfonts"))

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


# Tests whose cases share nothing (function-scoped fixtures only) and are many: each case is scheduled on its own.
# Every other test runs with the rest of its file (module-scoped fixtures, such as a built copy of the repository,
# are set up once; a notebook's cells run in order in one kernel).
SPREAD = ("test_mutation_is_caught_with_file_row_column_and_rule", "test_a_value_the_analysis_cannot_use_stops_at_validation",
          "test_mutation_is_caught_in_config")


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook; without the plugin (-p no:xdist) it is not called
def pytest_xdist_make_scheduler(config, log):
    """Like pytest-xdist's --dist loadfile, except for the SPREAD tests, whose cases go to whichever worker is free."""
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file, _, rest = nodeid.partition("::")
            if rest.split("[", 1)[0] in SPREAD:
                return nodeid
            return file

    return Scheduling(config, log)


def pytest_sessionfinish(session):
    for root in _NBVAL_ROOT:
        shutil.rmtree(root, ignore_errors=True)

