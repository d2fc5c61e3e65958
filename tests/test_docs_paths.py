"""Every path the docs name exists: the README, each notebook's header cell and the package's docstrings."""

import ast
import json
import re
import subprocess

import pytest

from csto_brief import paths

ROOT = paths.PROJ_ROOT
TOP = ("data/", "notebooks/", "report/", "figures/", "tests/", "src/", "scripts/", ".ci/")
# A path in backticks, or a bare one that starts at a top-level folder of the repository.
PATH = re.compile(r"`([^`\s]+)`|(?<![\w/.-])((?:data|notebooks|report|figures|tests|src|scripts)/[\w./*-]+[\w*])")


def _docstrings():
    """Each module's docstrings, together."""
    for py in sorted((paths.PACKAGE_DIR).glob("*.py")):
        tree = ast.parse(py.read_text(encoding="utf-8"))
        docs = [ast.get_docstring(n) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))]
        yield paths.rel(py), "\n".join(d for d in docs if d)


def _notebook_headers():
    for nb in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        yield paths.rel(nb), "".join(cells[0]["source"])


def documents():
    yield "README.md", (ROOT / "README.md").read_text(encoding="utf-8")
    yield from _notebook_headers()
    yield from _docstrings()


def named_paths(text: str) -> set[str]:
    out = set()
    for m in PATH.finditer(text):
        p = (m.group(1) or m.group(2)).rstrip(".,;:)")
        p = p.removeprefix("../")
        if p.startswith("brief.toml:"):
            continue
        if not p.startswith(TOP) and not re.fullmatch(r"[\w.-]+\.(toml|yml|lock|md|cfg)", p):
            continue
        if re.search(r"[<>{}…]|\.\.\.|\$", p):  # a pattern with a placeholder, not a path
            continue
        out.add(p.rstrip("/"))
    return out


def exists(p: str) -> bool:
    if "*" in p:
        return any(ROOT.glob(p))
    if "/" not in p:  # a bare file name: of the brief's text, or at the root
        return (ROOT / p).exists() or (paths.REPORT_DIR / "text" / p).exists()
    return (ROOT / p).exists() or (paths.PACKAGE_DIR.parent / p).exists()


def test_the_docs_name_paths_at_all():
    """The checker finds what it should (it cannot pass by finding nothing)."""
    assert {"report/brief.pdf", "data/raw/sources.csv"} <= named_paths((ROOT / "README.md").read_text(encoding="utf-8"))
    assert named_paths("see `data/raw/nothing-here.csv` and report/text/missing.md") == {
        "data/raw/nothing-here.csv", "report/text/missing.md"}
    assert not exists("data/raw/nothing-here.csv")


@pytest.mark.parametrize("where,text", list(documents()), ids=[w for w, _ in documents()])
def test_every_path_named_in_the_docs_exists(where, text):
    generated = ("build/",)
    missing = sorted(p for p in named_paths(text) if not p.startswith(generated) and not exists(p))
    assert missing == [], f"{where} names paths that do not exist: {missing}"


def test_the_readme_counts_what_the_lock_holds():
    """The README quotes what `make env` prints: the number of locked packages it installs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    n = sum(1 for line in (ROOT / "requirements.lock").read_text().splitlines() if "==" in line)
    assert f"installing {n} locked packages" in readme


def _layout_block() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Layout", 1)[1]
    return section.split("```")[1]


def test_every_top_level_entry_is_in_the_layout():
    """Nothing lands at the top of the repository unannounced (a tool's leftover, a scratch file): each tracked
    top-level file or folder is named in the README's layout."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    top = {line.split("/", 1)[0] for line in tracked.splitlines() if line}
    top -= {".gitignore", ".gitattributes"}
    assert {"Makefile", "src", "data"} <= top
    block = _layout_block()
    unnamed = sorted(t for t in top if not re.search(rf"(?<![\w.-]){re.escape(t)}(?![\w-])", block))
    assert unnamed == [], f"tracked at the top of the repository but not in the README's layout: {unnamed}"
