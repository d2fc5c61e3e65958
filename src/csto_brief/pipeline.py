"""The build: environment check, data validation, notebooks in dependency order, export.

    .venv/bin/python -m csto_brief.pipeline            # build what is out of date (make brief)
    .venv/bin/python -m csto_brief.pipeline --force    # rebuild everything (make rebuild)
    .venv/bin/python -m csto_brief.pipeline --plan     # say what the next build would run (make plan)

Each stage has a key: the SHA-256 of everything it reads (a notebook's own cells, its
declared inputs, the package). A stage whose key matches the last successful run, and
whose outputs exist, is skipped; so a rebuild with nothing changed does nothing, and a
changed data file re-executes only the notebooks that read it (and those that read theirs).

Notebooks whose declared inputs do not depend on each other's outputs run at the same time,
one kernel per notebook, up to one per core (``--jobs``, or ``CSTO_BRIEF_JOBS``); kernels are
started ahead of need while a core is idle. A progress line is printed when a stage starts
and when it ends. Executed notebooks and the brief are written to a temporary file and moved
into place only on success, and a stage that fails (or is interrupted) has its declared
outputs put back as they were: a failed or interrupted build leaves the last good notebooks,
data, figures and brief untouched. One build at a time runs in a checkout (``build/.lock``);
a second one waits for the first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import config, paths, reads

STATE_FILE = "state.json"
LOCK_FILE = "requirements.lock"
BUILD_LOCK = ".lock"
# How the project's interpreter and targets are named in messages (not `python`, which may be another).
PY = ".venv/bin/python"
KERNEL_NAME = "python3"  # the venv's own ipykernel; `make kernel` also registers it as "csto-brief"
# CPython versions with wheels of every compiled package in requirements.lock (checked with
# `pip download --only-binary=:all: --python-version X.Y`); TESTED_PYTHON is the one the tests run on.
SUPPORTED_PYTHON = ((3, 11), (3, 12), (3, 13), (3, 14))
TESTED_PYTHON = (3, 11)
INTERRUPTED = "build interrupted; the last good report/ is unchanged"


class BuildError(RuntimeError):
    pass


# -- hashing --------------------------------------------------------------------------------------
def input_digest(name: str) -> str:
    """The SHA-256 of one input: a file's bytes, or the part of brief.toml that ``brief.toml:<part>`` names."""
    if name.startswith(reads.CONFIG_PREFIX):
        try:
            value = config.declared_part(name)
        except config.ConfigError:
            value = "<missing>"
        return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
    p = paths.PROJ_ROOT / name
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "<missing>"


def _hash_files(h, files) -> None:
    for f in sorted(set(files)):
        h.update(f.encode() + b"\0" + input_digest(f).encode() + b"\0")


def package_files() -> list[str]:
    pkg = paths.PACKAGE_DIR
    files = [p for p in pkg.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return [paths.rel(p) for p in files]


def read_notebook_json(path: Path) -> dict:
    """A notebook file as JSON, or a BuildError naming the file and where it stops being a notebook."""
    return _notebook_text(path)[1]


def _notebook_text(path: Path) -> tuple[str, dict]:
    shown = paths.rel(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"{shown}: declared in brief.toml but missing") from None
    except UnicodeDecodeError as exc:
        raise BuildError(f"{shown}: not a valid notebook (not UTF-8 text: byte {exc.start})") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BuildError(f"{shown}: not a valid notebook (JSON error at line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise BuildError(f"{shown}: not a valid notebook (no list of cells)")
    return text, nb


def notebook_source_digest(path: Path) -> bytes:
    """What a person wrote in a notebook (cells' sources), not what execution produced."""
    nb = read_notebook_json(path)
    parts = [json.dumps(nb.get("metadata", {}).get("kernelspec", {}), sort_keys=True)]
    for c in nb.get("cells", []):
        src = c.get("source", "") if isinstance(c, dict) else ""
        parts.append((c.get("cell_type", "") if isinstance(c, dict) else "") + "\0"
                     + ("".join(src) if isinstance(src, list) else str(src)))
    return "\x1e".join(parts).encode()


def stage_key(kind: str, files: list[str], extra: bytes = b"") -> str:
    h = hashlib.sha256(kind.encode() + b"\0" + extra)
    _hash_files(h, files)
    return h.hexdigest()


def notebook_digests(stage, pkg: list[str]) -> dict[str, str]:
    """What a notebook's key is made of, by name: each declared input, its own cells, its declaration in
    brief.toml, the package and the lock (so `make plan` can say which of them changed)."""
    out = {name: input_digest(name) for name in stage.inputs}
    out["its cells"] = hashlib.sha256(notebook_source_digest(paths.PROJ_ROOT / stage.path)).hexdigest()
    out["its entry in brief.toml"] = hashlib.sha256(json.dumps(
        [stage.path, list(stage.declared_inputs), list(stage.outputs)]).encode()).hexdigest()
    out["the package (src/csto_brief)"] = stage_key("package", pkg)
    out[LOCK_FILE] = input_digest(LOCK_FILE)
    return out


def notebook_key(stage, pkg: list[str], digests: dict[str, str] | None = None) -> str:
    digests = digests or notebook_digests(stage, pkg)
    return hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()


def check_reads(stage, recorded: list[str]) -> None:
    """The notebook read exactly what brief.toml declares (its own outputs aside), or a BuildError naming
    the notebook and each file (or brief.toml part) that differs."""
    own = {paths.rel(p) for p in stage_files(stage)}
    declared = list(stage.inputs)
    undeclared = [r for r in recorded if r not in own and not any(reads.covers(d, r) for d in declared)]
    unread = [d for d in declared if not any(reads.covers(d, r) for r in recorded)]
    if undeclared or unread:
        raise BuildError(
            f"{stage.path}: what it read differs from its inputs in brief.toml (recorded by csto_brief.reads)"
            + (f"\n  read, but not declared (add to its inputs): {', '.join(undeclared)}" if undeclared else "")
            + (f"\n  declared, but not read (remove from its inputs): {', '.join(unread)}" if unread else ""))


# -- state and files ------------------------------------------------------------------------------
def load_state() -> dict:
    f = paths.BUILD_DIR / STATE_FILE
    try:
        return json.loads(f.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def save_state(state: dict) -> None:
    atomic_write(paths.BUILD_DIR / STATE_FILE, json.dumps(state, indent=1, sort_keys=True).encode())


def _umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # no other way to read it; set it straight back
    os.umask(mask)
    return mask


UMASK = _umask()


class WriteError(BuildError):
    pass


def _write_error(path: Path, exc: OSError) -> WriteError:
    why = exc.strerror or type(exc).__name__
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        why = f"{paths.rel(path.parent)} is not a directory"
    other = Path(exc.filename) if getattr(exc, "filename", None) else path.parent
    where = "" if other.parent == path.parent or other == path.parent else f" ({paths.rel(other)})"
    return WriteError(f"cannot write {paths.rel(path)}: {why}{where}")


def _temp_beside(path: Path, content: bytes) -> str:
    """``content`` in a temporary file in ``path``'s directory, with the mode ``path`` has (or a new file's
    mode, 0666 less the umask), ready to be moved over it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~UMASK
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise _write_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
            os.fchmod(fh.fileno(), mode)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _write_error(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


@contextlib.contextmanager
def _signals_deferred():
    """Ctrl-C waits until the block is done (so a set of files is replaced all or none)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    got = []
    old = signal.signal(signal.SIGINT, lambda *a: got.append(a))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        if got and callable(old):
            old(*got[0])


def atomic_write_many(files: dict[Path, bytes]) -> None:
    """Write every file completely before any replaces the last good one; then replace them all."""
    tmps: dict[Path, str] = {}
    try:
        for path, content in files.items():
            tmps[path] = _temp_beside(path, content)
        with _signals_deferred():
            for path, tmp in list(tmps.items()):
                try:
                    os.replace(tmp, path)
                except OSError as exc:
                    raise _write_error(path, exc) from None
                del tmps[path]
    finally:
        for tmp in tmps.values():
            Path(tmp).unlink(missing_ok=True)


def atomic_write(path: Path, content: bytes) -> None:
    atomic_write_many({path: content})


def check_writable(files: list[Path]) -> None:
    """Each file's directory takes a new file (the build writes beside a file, then moves it over): checked
    before any work, so a read-only report/ stops the build at once, naming the file, not after the export."""
    seen = set()
    for path in files:
        if path.parent in seen:
            continue
        seen.add(path.parent)
        Path(_temp_beside(path, b"")).unlink()


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
    if sys.version_info[:2] not in SUPPORTED_PYTHON:
        wrong.append(f"Python {sys.version.split()[0]} runs the build; the locked packages have wheels for "
                     f"{python_versions()}")
    if wrong:
        raise BuildError("environment does not match requirements.lock (run 'make env'):\n  " + "\n  ".join(wrong))


def python_versions() -> str:
    return ", ".join(f"{a}.{b}" for a, b in SUPPORTED_PYTHON) + f" (tested: {'.'.join(map(str, TESTED_PYTHON))})"


def raw_inputs() -> list[str]:
    return sorted(paths.rel(p) for p in paths.RAW_DIR.rglob("*") if p.is_file())


def validate() -> None:
    """Every raw file against its schema, provenance and cross-file rules; the kernels then skip it."""
    from .data import check
    from .schema import DataValidationError

    try:
        check()
    except DataValidationError as exc:
        raise BuildError(str(exc)) from None


def dependencies(stages) -> dict[str, set[str]]:
    """For each notebook, the notebooks whose declared outputs it reads."""
    producers = {out: s for s in stages for out in s.outputs}
    return {s.path: {producers[i].path for i in s.inputs if i in producers and producers[i] is not s} for s in stages}


def topo_order(stages) -> list:
    deps = dependencies(stages)
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


def _read_notebook(path: Path):
    import nbformat

    text, _ = _notebook_text(path)
    try:
        return nbformat.reads(text, as_version=4)
    except Exception as exc:  # an old or malformed notebook that nbformat cannot take
        raise BuildError(f"{paths.rel(path)}: not a valid notebook ({type(exc).__name__}: {exc})") from None


def stage_files(stage) -> list[Path]:
    """What a notebook may write: its declared outputs, and the PNG that goes with each SVG figure."""
    out = []
    for o in stage.outputs:
        p = paths.PROJ_ROOT / o
        out.append(p)
        if p.suffix == ".svg":
            out.append(p.with_suffix(".png"))
    return out


class Snapshot:
    """The files a stage may write, as they were before it ran; ``restore`` puts them back."""

    def __init__(self, files: list[Path]):
        self.files = {p: (p.read_bytes() if p.is_file() else None) for p in files}

    def restore(self) -> None:
        for p, content in self.files.items():
            try:
                if content is None:
                    p.unlink(missing_ok=True)
                elif not p.is_file() or p.read_bytes() != content:
                    atomic_write(p, content)
            except (OSError, BuildError):
                pass


_KERNELS: set = set()  # every kernel manager with a kernel that may be running, for a last-resort kill
_kernel_serial = 0


def _new_kernel_manager():
    from jupyter_client.manager import AsyncKernelManager

    global _kernel_serial
    _kernel_serial += 1
    paths.BUILD_DIR.mkdir(exist_ok=True)
    # IPC transport: the kernel talks over local sockets (no TCP ports, no warnings).
    km = AsyncKernelManager(kernel_name=KERNEL_NAME, transport="ipc",
                            ip=str(paths.BUILD_DIR / f"kernel-{os.getpid()}-{_kernel_serial}"))
    km.shutdown_wait_time = 2.0
    _KERNELS.add(km)
    return km


async def _start_kernel(km, cwd: Path):
    await km.start_kernel(cwd=str(cwd))
    return km


def coalesce_streams(nb) -> None:
    """Merge each run of a cell's stream outputs to the same stream into one. How a cell's printing is cut into
    messages depends on timing (a loaded machine flushes between two prints), so without this the same run could
    write different notebook bytes."""
    for cell in nb.cells:
        merged = []
        for out in cell.get("outputs", []):
            prev = merged[-1] if merged else None
            if (out.get("output_type") == "stream" and prev is not None and prev.get("output_type") == "stream"
                    and prev.get("name") == out.get("name")):
                prev["text"] = "".join(prev["text"]) + "".join(out["text"])
            else:
                merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged


async def _stop_kernel(km, client=None) -> None:
    try:
        kc = getattr(client, "kc", None)
        if kc is not None:
            kc.stop_channels()
        if km.has_kernel:
            await km.shutdown_kernel(now=True)  # also removes its connection file and sockets
    except Exception:
        pass
    finally:
        _KERNELS.discard(km)


def kill_kernels() -> None:
    """Last resort (a second Ctrl-C, an error in the driver): kill what is left, without an event loop."""
    for km in list(_KERNELS):
        prov = getattr(km, "provisioner", None)
        pid = getattr(prov, "pid", None)
        with contextlib.suppress(Exception):
            if pid:
                os.killpg(getattr(prov, "pgid", None) or pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            os.unlink(km.connection_file)
        _KERNELS.discard(km)
    for f in paths.BUILD_DIR.glob(f"kernel-{os.getpid()}-*"):
        with contextlib.suppress(OSError):
            f.unlink()


class KernelPool:
    """Kernels started ahead of need, so a notebook does not wait for one to boot. A booted kernel has run
    no code; every notebook still gets a kernel of its own."""

    def __init__(self):
        self.booting: list[tuple[Path, asyncio.Task]] = []

    def boot(self, cwd: Path) -> None:
        self.booting.append((cwd, asyncio.ensure_future(_start_kernel(_new_kernel_manager(), cwd))))

    def spares(self) -> int:
        return len(self.booting)

    def claim(self, cwd: Path) -> asyncio.Task | None:
        """A kernel booting (or booted) in ``cwd``, now no longer a spare; None if there is none."""
        for i, (c, task) in enumerate(self.booting):
            if c == cwd:
                del self.booting[i]
                return task
        return None

    async def close(self) -> None:
        for _, task in self.booting:
            task.cancel()
        for _, task in self.booting:
            with contextlib.suppress(BaseException):
                await _stop_kernel(await task)
        self.booting.clear()


async def execute_notebook_async(stage, km=None) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    import nbformat

    path = paths.PROJ_ROOT / stage.path
    nb = _read_notebook(path)
    km = km or _new_kernel_manager()
    client = NotebookClient(nb, km=km, kernel_name=KERNEL_NAME, timeout=900, record_timing=False,
                            shutdown_kernel="immediate", resources={"metadata": {"path": str(path.parent)}})
    pid = []  # the kernel's process id, which names its record of reads (csto_brief.reads)
    client.on_notebook_start = lambda **_: pid.append(getattr(getattr(km, "provisioner", None), "pid", None))
    try:
        await client.async_execute()
    except CellExecutionError as exc:
        where = next((i for i, c in enumerate(nb.cells, start=1)
                      if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        err = next((o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"), None)
        what = f"{err['ename']}: {ANSI.sub('', err['evalue'])}" if err else ANSI.sub("", str(exc))[-500:]
        raise BuildError(f"{stage.path}, cell {where}: {what}") from None
    except (asyncio.CancelledError, KeyboardInterrupt):
        raise
    except BuildError:
        raise
    except Exception as exc:  # kernel died, timeout
        raise BuildError(f"{stage.path}: execution failed: {type(exc).__name__}: {exc}") from None
    finally:
        await _stop_kernel(km, client)
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)
    coalesce_streams(nb)
    missing = [o for o in stage.outputs if not (paths.PROJ_ROOT / o).exists()]
    if missing:
        raise BuildError(f"{stage.path}: ran, but did not write its declared outputs: {', '.join(missing)}")
    record_dir = os.environ.get(reads.ENV_DIR)
    if record_dir and pid and pid[0]:
        recorded = reads.read_record(record_dir, pid[0])
        if recorded is None:
            raise BuildError(f"{stage.path}: its reads were not recorded, so brief.toml's inputs for it cannot be "
                             "checked; import csto_brief in its first code cell")
        check_reads(stage, recorded)
    atomic_write(path, (nbformat.writes(nb) + "\n").encode("utf-8"))


def execute_notebook(stage) -> None:
    """Execute one notebook in place (outside a build; the build runs several at once)."""
    asyncio.run(execute_notebook_async(stage))


def make_export() -> dict[Path, bytes]:
    """The brief rendered once from its text, and everything published made from that one render: the HTML, the
    PDF laid out from it, and report/facts.csv (as bytes, not yet written)."""
    from .export import html_document, html_to_pdf
    from .render import render

    try:
        rendered = render()
        html_text = html_document(rendered)
        pdf = html_to_pdf(html_text)
        facts_csv = rendered.facts_used().to_csv(index=False, lineterminator="\n").encode("utf-8")
    except (KeyboardInterrupt, BuildError):
        raise
    except Exception as exc:
        raise BuildError(f"export of the brief failed: {type(exc).__name__}: {exc}") from None
    return {paths.REPORT_DIR / "brief.html": html_text.encode("utf-8"), paths.REPORT_DIR / "brief.pdf": pdf,
            paths.REPORT_DIR / "facts.csv": facts_csv}


def export_brief(made: dict[Path, bytes] | None = None) -> None:
    # All files are complete before any replaces the last good one.
    atomic_write_many(made if made is not None else make_export())


class EarlyExport:
    """The export, started in a thread as soon as the brief notebook starts: it reads what the notebooks before
    it wrote, not the brief notebook's outputs, so the two run at once (on two cores). Its files are written only
    after every notebook has succeeded."""

    def __init__(self):
        self.result: dict[Path, bytes] | None = None
        self.error: BaseException | None = None
        self.key: str | None = None
        self.thread: threading.Thread | None = None

    def start(self, key: str) -> None:
        self.key = key

        def work():
            try:
                self.result = make_export()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread by take()
                self.error = exc
        self.thread = threading.Thread(target=work, name="export", daemon=True)
        self.thread.start()

    def take(self, key: str) -> dict[Path, bytes] | None:
        """The export's files if it ran on the inputs that now hold (else None: export again)."""
        if self.thread is None:
            return None
        self.thread.join()
        if self.key != key:
            return None
        if self.error is not None:
            raise self.error
        return self.result


def export_inputs(cfg) -> list[str]:
    stage = next(s for s in cfg.notebooks if s.path == cfg.notebook)
    text = [paths.rel(p) for p in sorted((paths.REPORT_DIR / "text").glob("*.md"))]
    # what the render reads (the text, and what notebook 05 declares), not notebook 05's outputs
    return ["brief.toml", *text, *stage.inputs, *package_files()]


def report_outputs() -> list[str]:
    return ["report/brief.html", "report/brief.pdf", "report/facts.csv"]


# -- driver ---------------------------------------------------------------------------------------
class Progress:
    """One line when a stage starts (if it takes a while) and one when it ends, whole lines only."""

    WIDTH = 58

    def __init__(self, total: int):
        self.total, self.n, self.t0 = total, 0, time.perf_counter()
        self.started: dict[str, float] = {}

    def start(self, label: str, announce: bool = True) -> None:
        self.started[label] = time.perf_counter()
        if announce:
            print(f"{'':6}{'start':>5} {label}", flush=True)

    def done(self, label: str, status: str | None = None) -> None:
        self.n += 1
        t = self.started.pop(label, None)
        if status is None:
            status = f"{time.perf_counter() - t:6.1f} s" if t is not None else "done"
        print(f"{f'[{self.n}/{self.total}] {label}':<{self.WIDTH}} {status}", flush=True)

    def note(self, label: str, status: str) -> None:
        print(f"{'':6}{label:<{self.WIDTH - 6}} {status}", flush=True)

    def run(self, label: str, fn, skip: bool):
        if skip:
            self.done(label, "up to date")
            return
        self.start(label, announce=False)
        try:
            fn()
        except Exception:
            self.done(label, "FAILED")
            raise
        self.done(label)


# What a build reads and writes, relative to the root: enough for a scratch copy to build in.
REPO_ITEMS = ("brief.toml", LOCK_FILE, "data", "notebooks", "figures", "report")


def copy_repo(dest: Path) -> Path:
    """Copy what a build needs into ``dest`` (for tests and benchmarks that must not touch the repository;
    point CSTO_BRIEF_ROOT at the copy). Run again, it refreshes the copy from the repository (what the last run
    there wrote is replaced), so the README's recipe for running a notebook by hand can be repeated."""
    dest.mkdir(parents=True, exist_ok=True)
    for item in REPO_ITEMS:
        src, target = paths.PROJ_ROOT / item, dest / item
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, target)
    return dest


def stale_stages() -> list[tuple[str, bool, str]]:
    """Which notebooks (and the export) the next ``make brief`` would run, and why, without running anything:
    a stage is stale when an input changed since its last run (named), an output is missing, or it reads the
    output of a stale stage."""
    cfg = config.load()
    state = load_state()
    pkg = package_files()
    stale_outputs: dict[str, str] = {}
    out = []
    for s in topo_order(cfg.notebooks):
        digests = notebook_digests(s, pkg)
        why = ""
        if state.get(s.path) != notebook_key(s, pkg, digests):
            before = state.get("digests", {}).get(s.path)
            if before is None:
                why = "never built here"
            else:
                changed = [k for k in digests if before.get(k) != digests[k]]
                why = ", ".join(changed[:4]) + (f" and {len(changed) - 4} more" if len(changed) > 4 else "") + " changed"
        elif any(not (paths.PROJ_ROOT / o).exists() for o in s.outputs):
            why = "an output is missing: " + next(o for o in s.outputs if not (paths.PROJ_ROOT / o).exists())
        else:
            upstream = sorted({stale_outputs[i] for i in s.inputs if i in stale_outputs})
            if upstream:
                why = "it reads the outputs of " + ", ".join(upstream) + ", which will run"
        if why:
            stale_outputs.update({o: s.path for o in s.outputs})
        out.append((s.path, bool(why), why))
    upstream = [p for p, st, _ in out if st]
    if upstream:
        out.append(("export", True, "notebooks run first"))
    elif state.get("export") != stage_key("export", export_inputs(cfg)):
        out.append(("export", True, "the brief's text, brief.toml, a figure or the package changed"
                    if "export" in state else "never built here"))
    else:
        out.append(("export", False, ""))
    return out


def default_jobs() -> int:
    env = os.environ.get("CSTO_BRIEF_JOBS")
    if env:
        try:
            return max(1, int(env))
        except ValueError:
            raise BuildError(f"CSTO_BRIEF_JOBS={env!r} is not a number of notebooks to run at once") from None
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


async def run_notebooks(stages, state: dict, pkg: list[str], prog: Progress, jobs: int, likely: set[str],
                        pool: KernelPool, on_start=None) -> None:
    """Execute the stale notebooks, each as soon as the notebooks whose outputs it reads are done, up to
    ``jobs`` at once. The first failure stops the others (their kernels shut down, their outputs put back).
    ``likely`` are the notebooks expected to run (kernels are booted ahead for them)."""
    deps = dependencies(stages)
    by_path = {s.path: s for s in stages}
    pending = [s.path for s in topo_order(stages)]
    done: set[str] = set()
    running: dict[asyncio.Task, tuple[str, Snapshot, str, dict]] = {}

    def label(p):
        return f"execute {p}"

    async def stop_running(say: bool):
        """Cancel the notebooks still running, wait for them and put their outputs back."""
        for task in list(running):
            task.cancel()
        for task, (p, snap, *_) in list(running.items()):
            with contextlib.suppress(BaseException):
                await task
            snap.restore()
            if say:
                prog.note(label(p), "stopped (outputs as they were)")
        running.clear()

    def top_up_pool():
        # Keep kernels booted ahead for the notebooks likely to run next (one per idle core, at least one):
        # a kernel's start (about a second) then overlaps other work instead of delaying its notebook.
        want = [p for p in pending if p in likely]
        while pool.spares() < min(len(want), max(1, jobs - len(running))):
            pool.boot(paths.PROJ_ROOT / Path(by_path[want[pool.spares()]].path).parent)

    async def run_one(s, booting):
        km = None
        if booting is not None:
            try:
                km = await booting
            except Exception:
                km = None  # it did not boot: the notebook starts its own
        await execute_notebook_async(s, km)

    try:
        top_up_pool()
        failure: BaseException | None = None
        while pending or running:
            for p in list(pending):
                if failure is not None or len(running) >= jobs:
                    break
                if not deps[p] <= done:
                    continue
                s = by_path[p]
                pending.remove(p)
                digests = notebook_digests(s, pkg)
                key = notebook_key(s, pkg, digests)
                if state.get(p) == key and all((paths.PROJ_ROOT / o).exists() for o in s.outputs):
                    prog.done(label(p), "up to date")
                    done.add(p)
                    continue
                snap = Snapshot(stage_files(s))
                prog.start(label(p))
                if on_start is not None:
                    on_start(p)
                booting = pool.claim((paths.PROJ_ROOT / s.path).parent)
                running[asyncio.ensure_future(run_one(s, booting))] = (p, snap, key, digests)
            if failure is None:
                top_up_pool()
            if not running:
                break
            finished, _ = await asyncio.wait(list(running), return_when=asyncio.FIRST_COMPLETED)
            for task in finished:
                p, snap, key, digests = running.pop(task)
                exc = task.exception()
                if exc is None:
                    prog.done(label(p))
                    done.add(p)
                    state[p] = key
                    state.setdefault("digests", {})[p] = digests
                    save_state(state)
                else:
                    snap.restore()
                    if not isinstance(exc, KeyboardInterrupt):
                        prog.done(label(p), "FAILED")
                    failure = failure or exc
            if failure is not None:
                await stop_running(say=True)
                raise failure
    except BaseException:
        await stop_running(say=False)
        raise
    finally:
        await pool.close()


async def _validate_and_run(stages, state, pkg, prog, jobs, likely, val_key, up_to_date, on_start):
    """Validation (in a worker thread) while the first kernels boot, then the notebooks."""
    pool = KernelPool()
    try:
        for p in [s.path for s in topo_order(stages) if s.path in likely][:jobs]:
            pool.boot((paths.PROJ_ROOT / p).parent)  # boots only: no cell runs before the data is valid
        if up_to_date("validate", val_key):
            prog.done("validate data", "up to date")
        else:
            prog.start("validate data", announce=False)
            try:
                await asyncio.get_running_loop().run_in_executor(None, validate)
            except Exception:
                prog.done("validate data", "FAILED")
                raise
            prog.done("validate data")
        state["validate"] = val_key
        save_state(state)
        await run_notebooks(stages, state, pkg, prog, jobs, likely, pool, on_start)
    finally:
        await pool.close()


class _Loop(asyncio.SelectorEventLoop):
    """The build's event loop: Ctrl-C is the driver's to handle (nbclient would install its own handler,
    per notebook, and with several notebooks at once they would undo each other)."""

    def add_signal_handler(self, sig, callback, *args):
        raise RuntimeError("signals are handled by the build driver")

    def remove_signal_handler(self, sig):
        return False


def build(force: bool = False, dry_run: bool = False, jobs: int | None = None) -> int:
    cfg = config.load()
    state = {} if force else load_state()
    stages = topo_order(cfg.notebooks)
    for s in stages:
        read_notebook_json(paths.PROJ_ROOT / s.path)
    jobs = jobs or default_jobs()
    if dry_run:
        print("would check: check environment, validate data, "
              + ", ".join(f"execute {s.path}" for s in stages) + ", export report/brief.pdf + brief.html")
        return 0
    if not (paths.PROJ_ROOT / LOCK_FILE).exists():
        raise BuildError(f"{LOCK_FILE} missing")
    pkg = package_files()
    prog = Progress(3 + len(stages))

    def up_to_date(name, key, outputs=()):
        return state.get(name) == key and all((paths.PROJ_ROOT / o).exists() for o in outputs)

    env_key = stage_key("env", [LOCK_FILE], sys.executable.encode())
    prog.run("check environment", check_environment, up_to_date("env", env_key))
    state["env"] = env_key
    save_state(state)
    val_key = stage_key("validate", raw_inputs() + pkg + ["brief.toml"])
    likely = {s.path for s in stages} if force else {p for p, st, _ in stale_stages() if st}
    check_writable([f for s in stages if s.path in likely for f in [paths.PROJ_ROOT / s.path, *stage_files(s)]]
                   + ([paths.PROJ_ROOT / o for o in report_outputs()] if force or "export" in likely else []))
    # Each kernel records what it reads in build/reads/<pid>.txt; checked against brief.toml after it ran.
    record_dir = paths.BUILD_DIR / "reads"
    shutil.rmtree(record_dir, ignore_errors=True)
    record_dir.mkdir(parents=True, exist_ok=True)
    os.environ[reads.ENV_DIR] = str(record_dir)
    os.environ[reads.ENV_OWNER] = str(os.getpid())
    early = EarlyExport()
    if likely - {"export"}:
        def on_start(p):
            if p == cfg.notebook:  # the export reads what the notebooks before it wrote: it can start now
                key = stage_key("export", export_inputs(cfg))
                if not up_to_date("export", key, report_outputs()):
                    prog.start("export report/brief.pdf + brief.html")
                    early.start(key)
        with asyncio.Runner(loop_factory=_Loop) as runner:
            runner.run(_validate_and_run(stages, state, pkg, prog, jobs, likely, val_key, up_to_date, on_start))
    else:
        prog.run("validate data", validate, up_to_date("validate", val_key))
        state["validate"] = val_key
        save_state(state)
        for s in stages:
            prog.done(f"execute {s.path}", "up to date")
    export_key = stage_key("export", export_inputs(cfg))
    made = None
    try:
        made = early.take(export_key)  # the export started beside the brief notebook, if it ran on these inputs
        if made is not None:
            export_brief(made=made)
    except Exception:
        prog.done("export report/brief.pdf + brief.html", "FAILED")
        raise
    if made is not None:
        prog.done("export report/brief.pdf + brief.html")
    else:
        prog.run("export report/brief.pdf + brief.html", export_brief,
                 up_to_date("export", export_key, report_outputs()))
    state["export"] = export_key
    save_state(state)
    print(f"brief built in {time.perf_counter() - prog.t0:.1f} s: report/brief.pdf, report/brief.html", flush=True)
    return 0


# -- one build at a time --------------------------------------------------------------------------
@contextlib.contextmanager
def build_lock():
    """Hold ``build/.lock`` for the build; a second build in the same checkout waits for the first."""
    lock = paths.BUILD_DIR / BUILD_LOCK
    try:
        paths.BUILD_DIR.mkdir(exist_ok=True)
        fh = open(lock, "a+")
    except OSError as exc:
        raise _write_error(lock, exc) from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip()
            who = f" (process {holder})" if holder.isdigit() else ""
            print(f"another build is running in this checkout{who}; waiting for it to finish", flush=True)
            fcntl.flock(fh, fcntl.LOCK_EX)
            print("the other build has finished; going on", flush=True)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                fh.seek(0)
                fh.truncate()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog=f"{PY} -m csto_brief.pipeline", description=__doc__.split("\n")[0])
    ap.add_argument("--force", action="store_true", help="rebuild every stage")
    ap.add_argument("--dry-run", action="store_true", help="list the stages and exit")
    ap.add_argument("--plan", action="store_true", help="say which stages the next build would run, and exit")
    ap.add_argument("--jobs", "-j", type=int, default=None,
                    help="notebooks run at once (default: CSTO_BRIEF_JOBS or the number of cores)")
    args = ap.parse_args(argv)
    try:
        if args.plan:
            for name, stale, why in stale_stages():
                print(f"{'run' if stale else 'up to date':10} {name}" + (f"  ({why})" if why else ""))
            return 0
        with build_lock():
            return build(force=args.force, dry_run=args.dry_run, jobs=args.jobs)
    except KeyboardInterrupt:
        kill_kernels()
        print(("\n" if sys.stderr.isatty() else "") + INTERRUPTED, file=sys.stderr, flush=True)
        return 130
    except (BuildError, config.ConfigError) as exc:
        kill_kernels()
        what = "plan" if args.plan else "build"
        print(f"\n{what} stopped: {exc}" + ("" if args.plan else "\nThe last good report/ is unchanged."),
              file=sys.stderr, flush=True)
        return 1
    except OSError as exc:
        kill_kernels()
        where = paths.rel(exc.filename) if exc.filename else "a file"
        print(f"\nbuild stopped: cannot use {where}: {exc.strerror or exc}\nThe last good report/ is unchanged.",
              file=sys.stderr, flush=True)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
