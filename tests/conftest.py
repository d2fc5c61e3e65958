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


def pytest_terminal_summary(terminalreporter):
    """Count the mutation cases in the test output (tests/test_reliability.py)."""
    stats = terminalreporter.stats
    cases = {k: [r for r in stats.get(k, []) if "test_mutation_is_caught" in getattr(r, "nodeid", "")]
             for k in ("passed", "failed")}
    n = sum(len(v) for v in cases.values())
    if n:
        files = {r.nodeid.split("[", 1)[1].split("|", 1)[0] for v in cases.values() for r in v}
        terminalreporter.write_line(
            f"mutation suite: {len(cases['passed'])} of {n} broken-input cases caught, over {len(files)} files "
            "(raw data and brief.toml)")

