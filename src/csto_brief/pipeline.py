"""The build: environment check, data validation, notebooks in dependency order, export.

    python -m csto_brief.pipeline            # build what is out of date (make brief)
    python -m csto_brief.pipeline --force    # rebuild everything
    python -m csto_brief.pipeline --dry-run  # say what would run

Each stage has a key: the SHA-256 of everything it reads (a notebook's own cells, its
declared inputs, the package). A stage whose key matches the last successful run, and
whose outputs exist, is skipped; so a rebuild with nothing changed does nothing, and a
changed data file re-executes only the notebooks that read it (and those that read theirs).
Executed notebooks and the brief are written to a temporary file and moved into place only
on success: a failed build leaves the last good notebooks and brief untouched.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import config, paths

STATE_FILE = "state.json"
LOCK_FILE = "requirements.lock"


class BuildError(RuntimeError):
    pass


# -- hashing --------------------------------------------------------------------------------------
def _hash_files(h, files) -> None:
    for f in sorted(set(files)):
        p = paths.PROJ_ROOT / f
        h.update(f.encode() + b"\0")
        h.update(p.read_bytes() if p.exists() else b"<missing>")
        h.update(b"\0")


def package_files() -> list[str]:
    pkg = paths.PACKAGE_DIR
    files = [p for p in pkg.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return [paths.rel(p) for p in files]


def notebook_source_digest(path: Path) -> bytes:
    """What a person wrote in a notebook (cells' sources), not what execution produced."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = [json.dumps(nb.get("metadata", {}).get("kernelspec", {}), sort_keys=True)]
    for c in nb.get("cells", []):
        src = c.get("source", "")
        parts.append(c.get("cell_type", "") + "\0" + ("".join(src) if isinstance(src, list) else src))
    return "\x1e".join(parts).encode()


def stage_key(kind: str, files: list[str], extra: bytes = b"") -> str:
    h = hashlib.sha256(kind.encode() + b"\0" + extra)
    _hash_files(h, files)
    return h.hexdigest()


# -- state ----------------------------------------------------------------------------------------
def load_state() -> dict:
    f = paths.BUILD_DIR / STATE_FILE
    try:
        return json.loads(f.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def save_state(state: dict) -> None:
    paths.BUILD_DIR.mkdir(exist_ok=True)
    atomic_write(paths.BUILD_DIR / STATE_FILE, json.dumps(state, indent=1, sort_keys=True).encode())


def atomic_write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- stages ---------------------------------------------------------------------------------------
def check_environment() -> None:
    """The installed packages are the locked versions (else `make env` has not run)."""
    from importlib import metadata

    lock = paths.PROJ_ROOT / LOCK_FILE
    wrong = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or "==" not in line:
            continue
        name, version = (x.strip() for x in line.split("==", 1))
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name} is not installed (locked {version})")
            continue
        if have != version:
            wrong.append(f"{name} {have} is installed, {LOCK_FILE} pins {version}")
    if sys.version_info[:2] != (3, 11):
        wrong.append(f"Python {sys.version.split()[0]} runs the build; the project pins 3.11")
    if wrong:
        raise BuildError("environment does not match requirements.lock (run 'make env'):\n  " + "\n  ".join(wrong))


def raw_inputs() -> list[str]:
    return sorted(paths.rel(p) for p in paths.RAW_DIR.rglob("*") if p.is_file())


def validate() -> None:
    from .data import validate_all
    from .schema import DataValidationError

    problems = validate_all()
    if problems:
        raise BuildError(str(DataValidationError(problems)))


def topo_order(stages) -> list:
    producers = {out: s for s in stages for out in s.outputs}
    deps = {s.path: {producers[i].path for i in s.inputs if i in producers and producers[i] is not s} for s in stages}
    order, done = [], set()
    pending = list(stages)
    while pending:
        ready = [s for s in pending if deps[s.path] <= done]
        if not ready:
            raise BuildError("the notebooks' declared inputs and outputs form a cycle: "
                             + ", ".join(s.path for s in pending))
        for s in ready:
            order.append(s)
            done.add(s.path)
            pending.remove(s)
    return order


ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def execute_notebook(stage) -> None:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = paths.PROJ_ROOT / stage.path
    nb = nbformat.read(path, as_version=4)
    from jupyter_client.manager import KernelManager

    # IPC transport: the kernel talks over local sockets (no TCP ports, no warnings).
    km = KernelManager(kernel_name="python3", transport="ipc",
                       ip=str(paths.BUILD_DIR / f"kernel-{os.getpid()}"))
    paths.BUILD_DIR.mkdir(exist_ok=True)
    client = NotebookClient(nb, km=km, kernel_name="python3", timeout=900, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except CellExecutionError as exc:
        where = next((i for i, c in enumerate(nb.cells, start=1)
                      if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        err = next((o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"), None)
        what = f"{err['ename']}: {ANSI.sub('', err['evalue'])}" if err else ANSI.sub("", str(exc))[-500:]
        raise BuildError(f"{stage.path}, cell {where}: {what}") from None
    except Exception as exc:  # kernel died, timeout
        raise BuildError(f"{stage.path}: execution failed: {type(exc).__name__}: {exc}") from None
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=False)
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    missing = [o for o in stage.outputs if not (paths.PROJ_ROOT / o).exists()]
    if missing:
        raise BuildError(f"{stage.path}: ran, but did not write its declared outputs: {', '.join(missing)}")
    atomic_write(path, (nbformat.writes(nb) + "\n").encode("utf-8"))


def export_brief(cfg) -> None:
    import nbformat

    from .export import BriefHTMLExporter, html_to_pdf

    nb = nbformat.read(paths.PROJ_ROOT / cfg.notebook, as_version=4)
    try:
        html_text, _ = BriefHTMLExporter().from_notebook_node(nb)
        pdf = html_to_pdf(html_text)
    except Exception as exc:
        raise BuildError(f"export of {cfg.notebook} failed: {type(exc).__name__}: {exc}") from None
    facts_csv = facts_table_csv()
    # All files are complete before any replaces the last good one.
    atomic_write(paths.REPORT_DIR / "facts.csv", facts_csv)
    atomic_write(paths.REPORT_DIR / "brief.html", html_text.encode("utf-8"))
    atomic_write(paths.REPORT_DIR / "brief.pdf", pdf)


def facts_table_csv() -> bytes:
    """report/facts.csv: every fact the brief's text uses, with its sources and where it appears."""
    from .render import render

    return render().facts_used().to_csv(index=False, lineterminator="\n").encode("utf-8")


def export_inputs(cfg) -> list[str]:
    stage = next(s for s in cfg.notebooks if s.path == cfg.notebook)
    return [cfg.notebook, "brief.toml", *stage.inputs, *package_files()]


def report_outputs() -> list[str]:
    return ["report/brief.html", "report/brief.pdf", "report/facts.csv"]


# -- driver ---------------------------------------------------------------------------------------
class Progress:
    def __init__(self, total: int):
        self.total, self.n, self.t0 = total, 0, time.perf_counter()

    def run(self, label: str, fn, skip: bool):
        self.n += 1
        prefix = f"[{self.n}/{self.total}] {label}"
        if skip:
            print(f"{prefix:<52} up to date", flush=True)
            return
        print(f"{prefix:<52} ...", end="", flush=True)
        t = time.perf_counter()
        try:
            fn()
        except BaseException:
            print(" FAILED", flush=True)
            raise
        print(f" {time.perf_counter() - t:6.1f} s", flush=True)


# What a build reads and writes, relative to the root: enough for a scratch copy to build in.
REPO_ITEMS = ("brief.toml", LOCK_FILE, "data", "notebooks", "figures", "report")


def copy_repo(dest: Path) -> Path:
    """Copy what a build needs into ``dest`` (for tests and benchmarks that must not touch the repository;
    point CSTO_BRIEF_ROOT at the copy)."""
    dest.mkdir(parents=True, exist_ok=True)
    for item in REPO_ITEMS:
        src = paths.PROJ_ROOT / item
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / item)
    return dest


def stale_stages() -> list[tuple[str, bool]]:
    """Which notebooks (and the export) the next ``make brief`` would run, without running anything: a
    stage is stale when its key changed, an output is missing, or it reads the output of a stale stage."""
    cfg = config.load()
    state = load_state()
    pkg = package_files()
    stale_outputs: set[str] = set()
    out = []
    for s in topo_order(cfg.notebooks):
        key = stage_key("notebook", list(s.inputs) + pkg + [LOCK_FILE], notebook_source_digest(paths.PROJ_ROOT / s.path))
        stale = (state.get(s.path) != key or any(not (paths.PROJ_ROOT / o).exists() for o in s.outputs)
                 or bool(stale_outputs & set(s.inputs)))
        if stale:
            stale_outputs.update(s.outputs)
        out.append((s.path, stale))
    export_stale = any(st for _, st in out) or state.get("export") != stage_key("export", export_inputs(cfg))
    out.append(("export", export_stale))
    return out


def build(force: bool = False, dry_run: bool = False) -> int:
    cfg = config.load()
    state = {} if force else load_state()
    stages = topo_order(cfg.notebooks)
    pkg = package_files()
    prog = Progress(3 + len(stages))

    def up_to_date(name, key, outputs=()):
        return state.get(name) == key and all((paths.PROJ_ROOT / o).exists() for o in outputs)

    lock = paths.PROJ_ROOT / LOCK_FILE
    env_key = stage_key("env", [LOCK_FILE], sys.executable.encode())
    plan = []
    plan.append(("check environment", "env", env_key, (), check_environment))
    val_key = stage_key("validate", raw_inputs() + pkg + ["brief.toml"])
    plan.append(("validate data", "validate", val_key, (), validate))
    for s in stages:
        nb_path = paths.PROJ_ROOT / s.path
        if not nb_path.exists():
            raise BuildError(f"{s.path}: declared in brief.toml but missing")
        extra = notebook_source_digest(nb_path)
        plan.append((f"execute {s.path}", s.path, None, s, extra))
    plan.append(("export report/brief.pdf + brief.html", "export", None, (), None))

    if dry_run:
        print("would check:", ", ".join(p[0] for p in plan))
        return 0
    assert lock.exists(), f"{LOCK_FILE} missing"
    for label, name, key, s, fn in plan:
        if name in ("env", "validate"):
            prog.run(label, fn, up_to_date(name, key))
            state[name] = key
            save_state(state)
        elif name == "export":
            key = stage_key("export", export_inputs(cfg))
            prog.run(label, lambda: export_brief(cfg), up_to_date(name, key, report_outputs()))
            state[name] = key
            save_state(state)
        else:
            key = stage_key("notebook", list(s.inputs) + pkg + [LOCK_FILE], fn)
            prog.run(label, lambda s=s: execute_notebook(s), up_to_date(name, key, s.outputs))
            state[name] = key
            save_state(state)
    print(f"brief built in {time.perf_counter() - prog.t0:.1f} s: report/brief.pdf, report/brief.html", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m csto_brief.pipeline", description=__doc__.split("\n")[0])
    ap.add_argument("--force", action="store_true", help="rebuild every stage")
    ap.add_argument("--dry-run", action="store_true", help="list the stages and exit")
    ap.add_argument("--plan", action="store_true", help="say which stages the next build would run, and exit")
    args = ap.parse_args(argv)
    if args.plan:
        for name, stale in stale_stages():
            print(f"{'run' if stale else 'up to date':10} {name}")
        return 0
    try:
        return build(force=args.force, dry_run=args.dry_run)
    except (BuildError, config.ConfigError) as exc:
        print(f"\nbuild stopped: {exc}\nThe last good report/ is unchanged.", file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
