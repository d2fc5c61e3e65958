"""Measure the build on this machine: `make bench` (or `.venv/bin/python scripts/bench.py`).

In a scratch copy of the repository it times a clean full build (per stage), a no-op rebuild and a
rebuild after one data file changes, records the peak memory of the largest process, and in a second
copy does the same work the naive way (every notebook through `jupyter nbconvert --execute`, then the
export) so the ratio is reported. It also times the test suite in the repository itself. Results are
printed as a table and written to build/bench.json; nothing in the repository is modified.
"""

from __future__ import annotations

import csv
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from csto_brief import config, paths
from csto_brief.pipeline import copy_repo, topo_order

BIN = Path(sys.executable).parent


def run(cmd: list[str], root: Path, cwd: Path | None = None) -> tuple[float, str]:
    env = {**os.environ, "CSTO_BRIEF_ROOT": str(root)}
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=cwd or root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if res.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{res.stdout}\n{res.stderr}")
    return elapsed, res.stdout


def stage_times(output: str) -> dict[str, float]:
    out = {}
    for line in output.splitlines():
        m = re.match(r"\[\d+/\d+\] (.+?)\s+\.\.\.\s+([\d.]+) s", line)
        if m:
            out[m[1].strip()] = float(m[2])
    return out


def touch_one_data_file(root: Path) -> str:
    rel = "data/raw/status/scores.csv"
    path = root / rel
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[1][rows[0].index("rationale")] += " (restated)"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    run([sys.executable, "-m", "csto_brief.provenance", "update", str(path)], root)
    return rel


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # kB on Linux


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem = float("nan")
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    cfg = config.load()
    results: dict = {"machine": machine(), "date": time.strftime("%Y-%m-%d")}
    with tempfile.TemporaryDirectory() as tmp:
        ours = copy_repo(Path(tmp) / "incremental")
        t, out = run([sys.executable, "-m", "csto_brief.pipeline", "--force"], ours)
        results["clean_build_s"] = t
        results["stages_s"] = stage_times(out)
        results["peak_rss_mb"] = peak_rss_mb()
        results["noop_build_s"], _ = run([sys.executable, "-m", "csto_brief.pipeline"], ours)
        changed = touch_one_data_file(ours)
        t, out = run([sys.executable, "-m", "csto_brief.pipeline"], ours)
        results["one_file_build_s"] = t
        results["one_file"] = changed
        results["one_file_reran"] = [k for k in stage_times(out) if k.startswith("execute")]

        naive = copy_repo(Path(tmp) / "naive")
        t0 = time.perf_counter()
        order = [s.path for s in topo_order(cfg.notebooks)]
        per_nb = {}
        for nb in order:
            per_nb[nb], _ = run([str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--execute", "--inplace",
                                 nb], naive)
        for fmt in ("brief_pdf", "brief_html"):
            run([str(BIN / "jupyter"), "nbconvert", "--to", fmt, "--output-dir", "report", cfg.notebook], naive)
        results["naive_build_s"] = time.perf_counter() - t0
        results["naive_notebooks_s"] = per_nb
    results["peak_rss_mb"] = max(results["peak_rss_mb"], peak_rss_mb())
    results["test_suite_s"], _ = run([sys.executable, "-m", "pytest", "-q"], paths.PROJ_ROOT, cwd=paths.PROJ_ROOT)

    n = results["naive_build_s"]
    rows = [("clean full build", results["clean_build_s"], "< 60 s")]
    rows += [(f"  {k}", v, "") for k, v in results["stages_s"].items()]
    rows += [("no-op rebuild", results["noop_build_s"], "< 2 s"),
             (f"rebuild after editing {results['one_file']}", results["one_file_build_s"], ""),
             ("naive: nbconvert --execute every notebook, then export", n, ""),
             ("test suite (make test)", results["test_suite_s"], "< 180 s")]
    print(f"\ncsto-brief benchmark, {results['date']}, on {results['machine']}\n")
    print(f"{'measure':58} {'seconds':>8}  {'target':>8}")
    for label, secs, target in rows:
        print(f"{label:58} {secs:8.2f}  {target:>8}")
    print(f"{'peak memory of the largest process (MB)':58} {results['peak_rss_mb']:8.0f}  {'< 1536':>8}")
    print(f"\nnaive / clean build:  {n / results['clean_build_s']:5.1f} x")
    print(f"naive / one-file rebuild: {n / results['one_file_build_s']:5.1f} x (re-ran: "
          f"{', '.join(results['one_file_reran'])})")
    print(f"naive / no-op rebuild: {n / results['noop_build_s']:5.0f} x")
    out = paths.BUILD_DIR / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"\nwritten to {paths.rel(out)}")


if __name__ == "__main__":
    main()
