import json

import nbformat
import pytest

from csto_brief import config, paths, pipeline
from csto_brief.config import NotebookStage


def test_order_follows_declared_inputs_and_outputs():
    a = NotebookStage("a.ipynb", ("data/raw/x.csv",), ("data/processed/a.csv",))
    b = NotebookStage("b.ipynb", ("data/processed/a.csv",), ("figures/b.svg",))
    c = NotebookStage("c.ipynb", ("figures/b.svg", "data/processed/a.csv"), ())
    assert [s.path for s in pipeline.topo_order([c, b, a])] == ["a.ipynb", "b.ipynb", "c.ipynb"]


def test_cycle_is_an_error():
    a = NotebookStage("a.ipynb", ("b.out",), ("a.out",))
    b = NotebookStage("b.ipynb", ("a.out",), ("b.out",))
    with pytest.raises(pipeline.BuildError, match="cycle"):
        pipeline.topo_order([a, b])


def test_declared_pipeline_is_runnable():
    cfg = config.load()
    order = [s.path for s in pipeline.topo_order(cfg.notebooks)]
    assert order[-1] == cfg.notebook
    for s in cfg.notebooks:
        assert (paths.PROJ_ROOT / s.path).exists()
        for f in s.inputs:
            if f.startswith("brief.toml:"):
                config.declared_part(f)  # a part of brief.toml that exists
                continue
            assert (paths.PROJ_ROOT / f).exists(), f"{s.path} declares a missing input {f}"


def test_source_digest_ignores_outputs_but_not_code(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    f = tmp_path / "n.ipynb"
    nbformat.write(nb, f)
    before = pipeline.notebook_source_digest(f)
    nb.cells[0].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"}, execution_count=1)]
    nbformat.write(nb, f)
    assert pipeline.notebook_source_digest(f) == before
    nb.cells[0].source = "1 + 2"
    nbformat.write(nb, f)
    assert pipeline.notebook_source_digest(f) != before


def test_failing_cell_is_named_and_notebook_left_intact(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "PROJ_ROOT", tmp_path)
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path / "build")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("raise KeyError('no such column')")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    f = tmp_path / "bad.ipynb"
    nbformat.write(nb, f)
    original = f.read_bytes()
    with pytest.raises(pipeline.BuildError, match=r"bad.ipynb, cell 2: KeyError: 'no such column'"):
        pipeline.execute_notebook(NotebookStage("bad.ipynb", (), ()))
    assert f.read_bytes() == original


def test_state_file_round_trip(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "BUILD_DIR", tmp_path)
    pipeline.save_state({"validate": "abc"})
    assert pipeline.load_state() == {"validate": "abc"}
    (tmp_path / "state.json").write_text("{broken")
    assert pipeline.load_state() == {}
    json.dumps(pipeline.load_state())


# --- the driver end to end, on a small project ---------------------------------------------------
# A copy of the real brief.toml and data/raw (so the environment check and validation run as in a real
# build), with three small notebooks: a and b read different raw files (so they run at the same time),
# the brief notebook c reads what they write. MINI_SLEEP makes a and b take a while on purpose.

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

MINI_TOML = '''
[brief]
title = "Mini"
subtitle = "A small project for the build driver's tests"
author = "tests"
version = "0"
as_of = "{as_of}"
notebook = "notebooks/c.ipynb"

[status_model]
draws = 10
seed = 1
bands = [[50, "low"], [100, "high"]]

[[notebooks]]
path = "notebooks/a.ipynb"
inputs = ["data/raw/countries.csv"]
outputs = ["data/processed/a.txt"]

[[notebooks]]
path = "notebooks/b.ipynb"
inputs = ["data/raw/sources.csv"]
outputs = ["data/processed/b.txt"]

[[notebooks]]
path = "notebooks/c.ipynb"
inputs = ["data/processed/a.txt", "data/processed/b.txt"]
outputs = []
'''

# The mini notebooks a and b. With MINI_MARKS set (a directory outside the project), each leaves a mark there
# when its cell starts, so a test can wait for the kernels to be in their cells instead of sleeping; with
# MINI_MEET set too, each then waits (up to 20 s) for the other's mark, which it can only see if the two run
# at the same time; with MINI_HOLD set, a cell waits until that file exists (the test releases it).
WORKER = """import os, pathlib, time
import csto_brief  # records what the notebook reads (csto_brief.reads), checked against brief.toml
pathlib.Path("../{reads}").read_text()
t0 = time.time()
marks = os.environ.get("MINI_MARKS")
if marks:
    pathlib.Path(marks, "{name}").touch()
met = ""
if marks and os.environ.get("MINI_MEET"):
    other = pathlib.Path(marks, "b" if "{name}" == "a" else "a")
    while not other.exists() and time.time() - t0 < 20:
        time.sleep(0.02)
    met = "met" if other.exists() else "alone"
hold = os.environ.get("MINI_HOLD")
while hold and not pathlib.Path(hold).exists() and time.time() - t0 < 60:
    time.sleep(0.02)
time.sleep(float(os.environ.get("MINI_SLEEP_{name}", os.environ.get("MINI_SLEEP", "0"))))
pathlib.Path("../data/processed/{name}.txt").write_text(f"{name} {{t0}} {{time.time()}} {{met}}".strip())"""


def _mini_notebook(path: Path, cells) -> None:
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, path)


def make_mini(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(paths.RAW_DIR, root / "data" / "raw")
    shutil.copytree(paths.PROCESSED_DIR / "facts", root / "data" / "processed" / "facts")  # what its text could use
    shutil.copy2(paths.PROJ_ROOT / "requirements.lock", root / "requirements.lock")
    (root / "brief.toml").write_text(MINI_TOML.format(as_of=config.load().as_of.isoformat()))
    (root / "notebooks").mkdir()
    for name in ("a", "b"):
        reads = {"a": "data/raw/countries.csv", "b": "data/raw/sources.csv"}[name]
        _mini_notebook(root / "notebooks" / f"{name}.ipynb",
                       [nbformat.v4.new_code_cell(WORKER.format(name=name, reads=reads))])
    _mini_notebook(root / "notebooks" / "c.ipynb", [
        nbformat.v4.new_markdown_cell("## The mini brief\n\nIt has one paragraph."),
        nbformat.v4.new_code_cell("import csto_brief\n"
                                  "a = open('../data/processed/a.txt').read(); b = open('../data/processed/b.txt').read()")])
    (root / "report" / "text").mkdir(parents=True)
    (root / "report" / "text" / "01-brief.md").write_text("## The mini brief {.unnumbered}\n\nIt has one paragraph.\n")
    return root


def mini_env(root: Path, **extra) -> dict:
    return {**os.environ, "CSTO_BRIEF_ROOT": str(root), "PYTHONUNBUFFERED": "1", **extra}


def run_mini(root: Path, *args, timeout=120, **extra) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "csto_brief.pipeline", *args], cwd=root, env=mini_env(root, **extra),
                          capture_output=True, text=True, timeout=timeout)


def digest(root: Path, sub: str) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / sub).rglob("*")) if p.is_file()}


def kernels_of(root: Path) -> list[int]:
    """Kernel processes still running for the project at ``root`` (their working directory is in it)."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes()
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if b"ipykernel" in cmd and cwd.startswith(str(root)):
            out.append(int(proc.name))
    return out


def forget(root: Path, *stages: str) -> None:
    """Make stages stale by dropping their keys from the build state (cheaper than --force)."""
    f = root / "build" / "state.json"
    state = json.loads(f.read_text())
    for s in stages:
        state.pop(s, None)
    f.write_text(json.dumps(state))


FIRST_BUILD: dict = {}


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    """A mini project, built once (a and b each wait for the other's mark, to show they run at the same time)."""
    root = make_mini(tmp_path_factory.mktemp("mini"))
    os.chmod(root / "notebooks" / "a.ipynb", 0o640)  # test_rewritten_files_keep_their_mode
    res = run_mini(root, MINI_MARKS=str(tmp_path_factory.mktemp("marks")), MINI_MEET="1")
    assert res.returncode == 0, res.stdout + res.stderr
    assert (root / "report" / "brief.pdf").stat().st_size > 1000
    FIRST_BUILD["res"] = res
    FIRST_BUILD["spans"] = {n: (root / "data" / "processed" / f"{n}.txt").read_text() for n in ("a", "b")}
    return root


def test_independent_notebooks_run_at_the_same_time(mini):
    res = FIRST_BUILD["res"]
    spans = {}
    for name in ("a", "b"):
        _, t0, t1, met = FIRST_BUILD["spans"][name].split()
        spans[name] = (float(t0), float(t1), met)
    (a0, a1, a_met), (b0, b1, b_met) = spans["a"], spans["b"]
    assert a_met == b_met == "met", f"a and b did not run at the same time: {spans}"
    assert a0 < b1 and b0 < a1, f"a and b did not overlap: {spans}"
    lines = res.stdout.splitlines()
    # Whole lines only: each stage's end is one line "[n/N] label   time", starts are announced first.
    ends = [ln for ln in lines if ln.startswith("[")]
    assert [ln.split()[0] for ln in ends] == [f"[{i}/6]" for i in range(1, 7)], res.stdout
    for nb in ("a", "b", "c"):
        start = next(i for i, ln in enumerate(lines) if ln.split()[-1:] == [f"notebooks/{nb}.ipynb"] and "start" in ln)
        end = next(i for i, ln in enumerate(lines) if ln.startswith("[") and f"notebooks/{nb}.ipynb" in ln)
        assert start < end
    c_start = next(i for i, ln in enumerate(lines) if "start" in ln and "notebooks/c.ipynb" in ln)
    assert all(next(i for i, ln in enumerate(lines) if ln.startswith("[") and f"notebooks/{n}.ipynb" in ln) < c_start
               for n in ("a", "b"))  # c waits for what it reads


def test_failure_names_the_cell_stops_the_other_notebook_and_keeps_its_outputs(mini, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(mini, root)
    before = digest(root, "data/processed")
    report = digest(root, "report")
    nb = nbformat.read(root / "notebooks" / "a.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('no such member')"))
    nbformat.write(nb, root / "notebooks" / "a.ipynb")
    notebooks = digest(root, "notebooks")
    t = time.monotonic()
    res = run_mini(root, "--force", MINI_SLEEP_a="0.5", MINI_SLEEP_b="30")  # b is still running when a fails
    assert res.returncode == 1
    assert time.monotonic() - t < 25, "b was not stopped"
    assert "notebooks/a.ipynb, cell 3: ValueError: no such member" in res.stderr, res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert "execute notebooks/b.ipynb" in res.stdout and "stopped" in res.stdout, res.stdout
    assert digest(root, "report") == report
    assert digest(root, "notebooks") == notebooks
    assert digest(root, "data/processed") == before  # a's output put back as it was; b never finished
    assert _no_kernels_left(root)


def _no_kernels_left(root: Path, timeout: float = 10) -> bool:
    """No kernel of the project at ``root`` is running, within ``timeout`` (they end just after the driver)."""
    deadline = time.monotonic() + timeout
    while kernels_of(root) and time.monotonic() < deadline:
        time.sleep(0.05)
    return kernels_of(root) == []


def _wait_for(proc, text: str, timeout: float = 60) -> str:
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"never saw {text!r}; output so far:\n{seen}")


def test_ctrl_c_ends_with_one_line_and_leaves_the_last_good_brief(mini, tmp_path):
    """Ctrl-C during the notebooks: one line, no traceback, kernels shut down, every output as it was."""
    root = tmp_path / "p"
    shutil.copytree(mini, root)
    before = {sub: digest(root, sub) for sub in ("report", "notebooks", "data/processed")}
    marks = tmp_path / "marks"
    marks.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "csto_brief.pipeline", "--force"], cwd=root,
                            env=mini_env(root, MINI_SLEEP="30", MINI_MARKS=str(marks)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(proc, "start execute notebooks/b.ipynb")
        deadline = time.monotonic() + 60
        while not ((marks / "a").exists() and (marks / "b").exists()) and time.monotonic() < deadline:
            time.sleep(0.05)  # until the kernels are in their cells
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err.strip() == pipeline.INTERRUPTED, err
    assert "Traceback" not in out
    for sub, files in before.items():
        assert digest(root, sub) == files, sub
    assert _no_kernels_left(root)


def test_ctrl_c_during_the_export_leaves_the_last_good_brief(mini, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(mini, root)
    (root / "report" / "brief.html").write_text("the last good html")
    (root / "report" / "brief.pdf").write_text("the last good pdf")
    before = digest(root, "report")
    forget(root, "export")
    proc = subprocess.Popen([sys.executable, "-m", "csto_brief.pipeline"], cwd=root, env=mini_env(root),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(proc, "execute notebooks/c.ipynb ")  # the notebooks are done (up to date): the export runs now
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    if proc.returncode == 0:
        pytest.skip("the export finished before the interrupt arrived")
    assert proc.returncode == 130 and err.strip() == pipeline.INTERRUPTED, err
    assert digest(root, "report") == before


def test_two_builds_at_once_take_turns(mini, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(mini, root)
    forget(root, "notebooks/a.ipynb")
    release = tmp_path / "release"  # notebook a's cell waits for it: the first build holds the lock until then
    first = subprocess.Popen([sys.executable, "-m", "csto_brief.pipeline"], cwd=root,
                             env=mini_env(root, MINI_HOLD=str(release)), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    second = None
    try:
        seen = _wait_for(first, "start execute")
        assert "start execute notebooks/a.ipynb" in seen
        # The plan needs no lock: it answers while a build runs.
        t = time.monotonic()
        plan = run_mini(root, "--plan", timeout=20)
        assert plan.returncode == 0 and time.monotonic() - t < 2.5, plan.stderr
        assert "run        notebooks/a.ipynb" in plan.stdout
        second = subprocess.Popen([sys.executable, "-m", "csto_brief.pipeline"], cwd=root,
                                  env=mini_env(root, MINI_SLEEP="3"), stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        waiting = _wait_for(second, "waiting")
        release.touch()
        out1, err1 = first.communicate(timeout=60)
        out2, err2 = second.communicate(timeout=60)
    finally:
        first.kill()
        if second is not None:
            second.kill()
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    out2 = waiting + out2
    assert "another build is running in this checkout" in out2 and "waiting" in out2
    assert "start execute" not in out2  # the first built everything; the second found it up to date
    assert out2.count("up to date") == 6


def _read_only_prefix(directory: Path) -> list[str] | None:
    """Run a command with ``directory`` mounted read-only (a private mount namespace), which stops writes even
    as root (chmod does not). None where user namespaces are not allowed."""
    if not shutil.which("unshare"):
        return None
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", f"mount --bind -o ro '{directory}' '{directory}'"],
                           capture_output=True)
    if probe.returncode != 0:
        return None
    return ["unshare", "-rm", "sh", "-c", 'mount --bind -o ro "$0" "$0" && shift && exec "$@"', str(directory), "--"]


def test_unwritable_report_says_which_path_and_why(mini, tmp_path):
    root = tmp_path / "p"
    shutil.copytree(mini, root)
    before = digest(root, "report")
    prefix = _read_only_prefix(root / "report")
    forget(root, "export")
    if prefix is None:  # no user namespaces here: a report/ that is not a directory is refused the same way
        shutil.rmtree(root / "report")
        (root / "report").write_text("not a directory")
        res = run_mini(root)
        assert res.returncode == 1 and "Traceback" not in res.stderr
        assert "build stopped: cannot write report/brief.html: report is not a directory" in res.stderr, res.stderr
        return
    res = subprocess.run(prefix + [sys.executable, "-m", "csto_brief.pipeline"], cwd=root,
                         env=mini_env(root), capture_output=True, text=True, timeout=120)
    assert res.returncode == 1
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert lines[0] == "build stopped: cannot write report/brief.html: Read-only file system", res.stderr
    assert "Traceback" not in res.stderr + res.stdout
    assert "start export" not in res.stdout and "validate data" not in res.stdout  # stopped before any work
    assert digest(root, "report") == before


def test_rewritten_files_keep_their_mode(mini):
    """The mini project's first build rewrote a notebook whose mode was 0640 and wrote the brief anew."""
    mode = lambda p: stat.S_IMODE((mini / p).stat().st_mode)  # noqa: E731
    assert mode("notebooks/a.ipynb") == 0o640
    umask = os.umask(0)
    os.umask(umask)
    for new in ("report/brief.html", "report/brief.pdf", "build/state.json", "notebooks/b.ipynb"):
        assert mode(new) == 0o666 & ~umask, new  # as open() makes a file (not mkstemp's 0600)


def test_atomic_write_keeps_the_mode(tmp_path):
    f = tmp_path / "x.txt"
    f.write_text("old")
    os.chmod(f, 0o640)
    pipeline.atomic_write(f, b"new")
    assert f.read_text() == "new" and stat.S_IMODE(f.stat().st_mode) == 0o640


@pytest.mark.parametrize("args", [(), ("--plan",)])
def test_notebook_that_is_not_json_is_named(mini, tmp_path, args):
    root = tmp_path / "p"
    shutil.copytree(mini, root)
    (root / "notebooks" / "b.ipynb").write_text('{\n "cells": [\n  {"cell_type": "code",\n}')
    res = run_mini(root, *args)
    assert res.returncode == 1
    assert "notebooks/b.ipynb: not a valid notebook (JSON error at line 4, column 1: " in res.stderr, res.stderr
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) <= 2, res.stderr


def test_hints_name_the_project_interpreter(raw_copy, monkeypatch):
    """Hints name the project's interpreter (.venv/bin/python) or a make target, never a bare `python`."""
    from csto_brief import data

    (raw_copy / "countries.csv").write_text((raw_copy / "countries.csv").read_text() + "\n")
    text = "\n".join(str(p) for p in data.validate_all(raw_copy))
    assert "'.venv/bin/python -m csto_brief.provenance update " in text and "countries.csv'" in text, text
    assert "'python -m" not in text
    usage = subprocess.run([sys.executable, "-m", "csto_brief.pipeline", "--help"], capture_output=True, text=True).stdout
    assert usage.startswith("usage: .venv/bin/python -m csto_brief.pipeline")
    monkeypatch.setattr(pipeline, "LOCK_FILE", "no-such.lock")
    with pytest.raises(FileNotFoundError):
        pipeline.check_environment()
    monkeypatch.setattr(pipeline, "SUPPORTED_PYTHON", ((2, 7),))
    monkeypatch.setattr(pipeline, "LOCK_FILE", "requirements.lock")
    with pytest.raises(pipeline.BuildError, match=r"run 'make env'"):
        pipeline.check_environment()


def test_plan_imports_nothing_heavy():
    code = ("import sys; from csto_brief import pipeline; pipeline.stale_stages(); "
            "print(sorted(m for m in ('weasyprint', 'geopandas', 'nbclient', 'nbconvert', 'matplotlib', 'pandas') "
            "if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "[]"


def test_make_lab_starts_jupyterlab_with_the_project_kernel():
    """`make lab` serves JupyterLab on 127.0.0.1 (as root too: --allow-root) with the kernel "Python (csto-brief)"."""
    import socket
    import urllib.request

    if not (paths.PROJ_ROOT / "Makefile").exists() or shutil.which("make") is None:
        pytest.skip("needs the repository's Makefile and make")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = "csto-brief-test"
    # -o: take .venv as it is (make test has just checked it); never rebuild it under the running tests.
    proc = subprocess.Popen(["make", "-o", ".venv/.installed", "lab", f"LAB_PORT={port}",
                             f"LAB_ARGS=--IdentityProvider.token={token}"],
                            cwd=paths.PROJ_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline, specs = time.monotonic() + 90, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/kernelspecs?token={token}", timeout=2) as r:
                    specs = json.loads(r.read())
                break
            except OSError:
                time.sleep(0.5)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        out = proc.communicate(timeout=30)[0]
    assert specs is not None, out[-2000:]
    assert specs["kernelspecs"]["csto-brief"]["spec"]["display_name"] == "Python (csto-brief)"
    assert Path(specs["kernelspecs"]["csto-brief"]["spec"]["argv"][0]).resolve() == Path(sys.executable).resolve()
def test_reads_and_writes_are_declared_once():
    """Each notebook's Reads/Writes and the README's notebook table are generated from brief.toml."""
    from csto_brief import docs

    assert docs.sync(check=True) == []


def test_the_evidence_cut_off_reads_every_table_that_cites_sources():
    """Notebook 01 dates the brief by the newest source any table relies on, so it declares them all."""
    from csto_brief import schemas

    citing = {f"data/raw/{t.file}" for t in schemas.TABLES if any(c.refs == "sources.csv:source_id" for c in t.columns)}
    first = next(s for s in config.load().notebooks if s.path.startswith("notebooks/01"))
    assert citing - set(first.inputs) == set()


def test_committed_notebooks_show_no_warnings():
    """A warning in a notebook's output would carry this machine's paths into the committed file (and make a
    rebuild elsewhere differ), and tells a reader that something went unnoticed."""
    for stage in config.load().notebooks:
        nb = nbformat.read(paths.PROJ_ROOT / stage.path, as_version=4)
        for i, cell in enumerate(nb.cells, start=1):
            for out in cell.get("outputs", []):
                assert not (out.get("output_type") == "stream" and out.get("name") == "stderr"), \
                    f"{stage.path}, cell {i}: {''.join(out.get('text', ''))[:200]}"


def test_copy_repo_can_be_run_again_and_refreshes_the_copy(tmp_path):
    """The README's recipe for running a notebook by hand starts with copy_repo; a second run must not fail
    (it once raised FileExistsError) and must bring back what the last run there changed."""
    dest = tmp_path / "csto"
    pipeline.copy_repo(dest)
    stale = dest / "data" / "processed" / "facts" / "01-load-and-check-facts.csv"
    stale.write_text("changed by a run in the copy")
    (dest / "data" / "processed" / "leftover.csv").write_text("x")
    pipeline.copy_repo(dest)
    assert stale.read_bytes() == (paths.PROCESSED_DIR / "facts" / stale.name).read_bytes()
    assert not (dest / "data" / "processed" / "leftover.csv").exists()


def test_a_cells_printing_is_one_stream_output_however_it_was_flushed():
    """Two prints in one cell arrive as one message or two depending on timing (seen on a loaded machine, where a
    clean rebuild of notebook 03 differed from the committed one); the build writes them as one output."""
    import nbformat

    from csto_brief import pipeline
    split = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1); print(2)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
        nbformat.v4.new_output("stream", name="stdout", text="2\n"),
        nbformat.v4.new_output("stream", name="stderr", text="w\n"),
        nbformat.v4.new_output("stream", name="stdout", text="3\n")])])
    whole = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1); print(2)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="1\n2\n"),
        nbformat.v4.new_output("stream", name="stderr", text="w\n"),
        nbformat.v4.new_output("stream", name="stdout", text="3\n")])])
    pipeline.coalesce_streams(split)
    assert split.cells[0].outputs == whole.cells[0].outputs
    assert len(split.cells[0].outputs) == 3
