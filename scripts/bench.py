"""Measure the build on this machine: `make bench` (or `.venv/bin/python scripts/bench.py [--runs N]`).

In scratch copies of the repository (nothing in the repository is modified) it times, in the same run:

* a clean build (`pipeline --force`) and the naive way (every notebook through
  `jupyter nbconvert --execute`, then `--to brief_pdf` and `--to brief_html`), alternately, N times each
  (default 3), and reports the medians and their ratio: alternating spreads the machine's noise (other
  builds, other users) over both;
* a no-op rebuild (median of N), a rebuild after one data file changes, and a rebuild after a prose
  template changes (`report/text/*.md`, where the checkout has them; skipped with a note otherwise);
* peak memory, sampled every 0.1 s: of the largest single process and of the whole build (driver and
  kernels together);
* the test suite (`make test`), once.

Results are printed as a table, with the aims and by how much any is missed, and written to build/bench.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from csto_brief import config, paths
from csto_brief.pipeline import copy_repo, topo_order

BIN = Path(sys.executable).parent
AIMS = {"ratio": 2.5, "test_suite_s": 60.0, "peak_mb": 500.0, "noop_s": 2.0, "prose_html_s": 2.0, "prose_pdf_s": 8.0}


class Sampler:
    """Peak resident memory of a process tree: the largest single process and the sum at any moment."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak_one = self.peak_total = 0
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
            except psutil.Error:
                break
            rss = []
            for p in procs:
                try:
                    rss.append(p.memory_info().rss)
                except psutil.Error:
                    pass
            if rss:
                self.peak_one = max(self.peak_one, max(rss))
                self.peak_total = max(self.peak_total, sum(rss))
            self._stop.wait(0.1)

    def stop(self):
        self._stop.set()
        self._t.join()


def run(cmd: list[str], root: Path, cwd: Path | None = None, sample: bool = False, check: bool = True) -> dict:
    env = {**os.environ, "CSTO_BRIEF_ROOT": str(root)}
    before = os.times()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd or root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(proc.pid) if sample else None
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    if sampler:
        sampler.stop()
    after = os.times()
    if proc.returncode != 0 and check:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{out}\n{err}")
    res = {"wall_s": wall, "cpu_s": (after.children_user - before.children_user)
           + (after.children_system - before.children_system), "stdout": out}
    if sampler:
        res["peak_one_mb"] = sampler.peak_one / 2**20
        res["peak_total_mb"] = sampler.peak_total / 2**20
    return res


def pipeline(root: Path, *args: str, sample: bool = False) -> dict:
    return run([sys.executable, "-m", "csto_brief.pipeline", *args], root, sample=sample)


def naive(root: Path, cfg) -> dict:
    """The way without the pipeline: each notebook through nbconvert in order, then both exports."""
    t0 = time.perf_counter()
    before = os.times()
    for s in topo_order(cfg.notebooks):
        run([str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--inplace", s.path], root)
    for fmt in ("brief_pdf", "brief_html"):
        run([str(BIN / "jupyter"), "nbconvert", "--to", fmt, "--output-dir", "report", cfg.notebook], root)
    after = os.times()
    return {"wall_s": time.perf_counter() - t0,
            "cpu_s": (after.children_user - before.children_user) + (after.children_system - before.children_system)}


def stage_times(output: str) -> dict[str, float]:
    out = {}
    for line in output.splitlines():
        m = re.match(r"\[\d+/\d+\] (.+?)\s+([\d.]+) s$", line)
        if m:
            out[m[1].strip()] = float(m[2])
    return out


def reran(output: str) -> list[str]:
    return [k.removeprefix("execute ") for k in stage_times(output) if k.startswith("execute")]


def edit_scores(root: Path) -> tuple[str, dict[Path, bytes]]:
    rel = "data/raw/status/scores.csv"
    path = root / rel
    record = path.with_name(path.name + ".meta.yml")
    saved = {path: path.read_bytes(), record: record.read_bytes()}
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[1][rows[0].index("rationale")] += " (restated)"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    run([sys.executable, "-m", "csto_brief.provenance", "update", str(path)], root)
    return rel, saved


def edit_prose(root: Path) -> tuple[str, dict[Path, bytes]] | None:
    texts = sorted((root / "report" / "text").glob("*.md"))
    if not texts:
        return None
    path = texts[0]
    saved = {path: path.read_bytes()}
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n\nThis sentence was added by the benchmark.\n", encoding="utf-8")
    return path.relative_to(root).as_posix(), saved


PREVIEW_EDIT = """
import sys, time
from pathlib import Path
from csto_brief import preview
preview.build()  # the server's first build (imports, caches)
p = sorted(Path("report/text").glob("*.md"))[0]
saved = p.read_bytes()
p.write_text(p.read_text(encoding="utf-8").rstrip() + "\\n\\nA sentence added by the benchmark.\\n", encoding="utf-8")
try:
    t = time.perf_counter()
    preview.build()
    print(f"{time.perf_counter() - t:.3f}")
finally:
    p.write_bytes(saved)
"""


def preview_edit_seconds(root: Path) -> float:
    """Prose edit to HTML in `make preview`: the rebuild the running preview does after a template is saved."""
    res = run([sys.executable, "-c", PREVIEW_EDIT], root, cwd=root)
    return float(res["stdout"].strip().splitlines()[-1])


def restore(saved: dict[Path, bytes]) -> None:
    for p, content in saved.items():
        p.write_bytes(content)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(prog=".venv/bin/python scripts/bench.py", description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="clean and naive builds, alternately, this many times each")
    ap.add_argument("--no-tests", action="store_true", help="do not time the test suite")
    args = ap.parse_args(argv)
    cfg = config.load()
    r: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M"), "runs": args.runs,
               "load_before": os.getloadavg()[0]}
    clean, naive_runs, peaks = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        ours = copy_repo(Path(tmp) / "pipeline")
        other = copy_repo(Path(tmp) / "naive")
        for i in range(args.runs):
            res = pipeline(ours, "--force", sample=True)
            clean.append(res)
            peaks.append((res["peak_one_mb"], res["peak_total_mb"]))
            naive_runs.append(naive(other, cfg))
            print(f"run {i + 1}/{args.runs}: clean {res['wall_s']:.1f} s, naive {naive_runs[-1]['wall_s']:.1f} s",
                  file=sys.stderr, flush=True)
        r["clean_s"] = [c["wall_s"] for c in clean]
        r["clean_cpu_s"] = [c["cpu_s"] for c in clean]
        r["naive_s"] = [n["wall_s"] for n in naive_runs]
        r["naive_cpu_s"] = [n["cpu_s"] for n in naive_runs]
        best = sorted(clean, key=lambda c: c["wall_s"])[len(clean) // 2]
        r["stages_s"] = stage_times(best["stdout"])
        r["peak_one_mb"] = max(p[0] for p in peaks)
        r["peak_total_mb"] = max(p[1] for p in peaks)
        r["noop_s"] = [pipeline(ours)["wall_s"] for _ in range(args.runs)]

        changed, saved = edit_scores(ours)
        res = pipeline(ours)
        r["one_file"], r["one_file_s"], r["one_file_reran"] = changed, res["wall_s"], reran(res["stdout"])
        restore(saved)
        pipeline(ours)  # back to the committed state (not timed)

        prose = edit_prose(ours)
        if prose is None:
            r["prose"] = None
        else:
            changed, saved = prose
            res = pipeline(ours)
            r["prose"], r["prose_s"], r["prose_reran"] = changed, res["wall_s"], reran(res["stdout"])
            restore(saved)
            r["prose_html_s"] = preview_edit_seconds(ours)
    if not args.no_tests:
        res = run([sys.executable, "-m", "pytest", "-q"], paths.PROJ_ROOT, cwd=paths.PROJ_ROOT,
                  check=False)
        r["test_suite_s"] = res["wall_s"]
        r["test_summary"] = (res["stdout"].strip().splitlines() or ["no output"])[-1].strip("= ")
    r["load_after"] = os.getloadavg()[0]
    report(r)
    out = paths.BUILD_DIR / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(r, indent=1) + "\n")
    print(f"\nwritten to {paths.rel(out)}")


def report(r: dict) -> None:
    c, n = med(r["clean_s"]), med(r["naive_s"])
    ratio = n / c
    runs = r["runs"]
    print(f"\ncsto-brief benchmark, {r['date']}, on {r['machine']}")
    print(f"load average {r['load_before']:.1f} before, {r['load_after']:.1f} after (other work on the machine "
          "slows every number)\n")
    print(f"{'measure':62} {'seconds':>8}")
    ccpu, ncpu = med(r["clean_cpu_s"]), med(r["naive_cpu_s"])
    label = f"clean build, pipeline --force (median of {runs}; cpu {ccpu:.1f} s)"
    print(f"{label:62} {c:8.1f}")
    for k, v in r["stages_s"].items():
        print(f"{'  ' + k:62} {v:8.1f}")
    print(f"{'naive: nbconvert --execute each notebook, then both exports':62} {n:8.1f}")
    label = f"  (median of {runs}, same run, alternating; cpu {ncpu:.1f} s)"
    print(f"{label:62}")
    label = f"no-op rebuild (median of {runs})"
    print(f"{label:62} {med(r['noop_s']):8.2f}")
    print(f"{'rebuild after editing ' + r['one_file']:62} {r['one_file_s']:8.1f}")
    print(f"{'  re-ran: ' + ', '.join(r['one_file_reran'])}")
    if r.get("prose"):
        print(f"{'prose edit -> HTML in make preview (' + r['prose'] + ')':62} {r['prose_html_s']:8.2f}")
        print(f"{'prose edit -> PDF and HTML, make brief (' + r['prose'] + ')':62} {r['prose_s']:8.1f}")
        print(f"{'  re-ran: ' + ', '.join(r['prose_reran'])}")
    else:
        print(f"{'rebuild after a prose edit':62} {'skipped':>8}  (no report/text/*.md templates in this checkout)")
    if "test_suite_s" in r:
        print(f"{'test suite (make test): ' + r['test_summary']:62} {r['test_suite_s']:8.1f}")
    print(f"{'peak memory, largest single process (MB)':62} {r['peak_one_mb']:8.0f}")
    print(f"{'peak memory, whole build at once: driver + kernels (MB)':62} {r['peak_total_mb']:8.0f}")
    print(f"\nnaive / clean build: {ratio:.2f}x (runs: clean {', '.join(f'{x:.1f}' for x in r['clean_s'])}; "
          f"naive {', '.join(f'{x:.1f}' for x in r['naive_s'])})")
    print(f"naive / no-op rebuild: {n / med(r['noop_s']):.0f}x")
    misses, notes = [], []
    if ratio < AIMS["ratio"]:
        misses.append(f"clean build {ratio:.2f}x faster than the naive way, aim {AIMS['ratio']}x: short by "
                      f"{c - n / AIMS['ratio']:.1f} s of clean build time (the export, one WeasyPrint process, is "
                      f"{r['stages_s'].get('export report/brief.pdf + brief.html', float('nan')):.1f} s of it)")
    if r.get("test_suite_s", 0) > AIMS["test_suite_s"]:
        misses.append(f"test suite {r['test_suite_s']:.0f} s, aim < {AIMS['test_suite_s']:.0f} s: over by "
                      f"{r['test_suite_s'] - AIMS['test_suite_s']:.0f} s")
    if r["peak_one_mb"] > AIMS["peak_mb"]:
        misses.append(f"peak memory of the largest process {r['peak_one_mb']:.0f} MB, aim < {AIMS['peak_mb']:.0f} MB: "
                      f"over by {r['peak_one_mb'] - AIMS['peak_mb']:.0f} MB")
    if r["peak_total_mb"] > AIMS["peak_mb"]:
        notes.append(f"the whole build (driver and the kernels running side by side) peaks at {r['peak_total_mb']:.0f}"
                     f" MB, {r['peak_total_mb'] - AIMS['peak_mb']:.0f} MB over {AIMS['peak_mb']:.0f} MB: two notebooks "
                     "at once hold two kernels (CSTO_BRIEF_JOBS=1 runs one at a time)")
    if med(r["noop_s"]) > AIMS["noop_s"]:
        misses.append(f"no-op rebuild {med(r['noop_s']):.2f} s, aim < {AIMS['noop_s']} s")
    if r.get("prose") and r["prose_html_s"] > AIMS["prose_html_s"]:
        misses.append(f"prose edit to HTML {r['prose_html_s']:.1f} s, aim < {AIMS['prose_html_s']:.0f} s")
    if r.get("prose") and r["prose_s"] > AIMS["prose_pdf_s"]:
        misses.append(f"prose edit to PDF {r['prose_s']:.1f} s, aim < {AIMS['prose_pdf_s']:.0f} s: over by "
                      f"{r['prose_s'] - AIMS['prose_pdf_s']:.1f} s (the export, started beside notebook 05, is one WeasyPrint "
                      "process that lays out every page and draws every vector figure)")
    print("\naims: " + ("all met (clean >= 2.5x naive, tests < 60 s, largest process < 500 MB, no-op < 2 s, "
                        "prose edit < 2 s to HTML and < 8 s to PDF)"
                        if not misses else "missed:\n  " + "\n  ".join(misses)))
    for note in notes:
        print(f"note: {note}")


if __name__ == "__main__":
    main()
