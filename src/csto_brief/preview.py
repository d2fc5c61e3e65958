"""``make preview``: the HTML brief served on 127.0.0.1, rebuilt when its text or data change.

    .venv/bin/python -m csto_brief.preview [--port 8000] [--once]

Renders the templates in ``report/text/`` with the facts, tables and figures already in the repository
(the analysis notebooks are not run) into ``build/preview/brief.html``, serves that folder, and watches
the templates, ``data/processed/``, ``figures/`` and the brief's stylesheet: after an edit, reload the
page. An error in a template is printed with its file and line, and the last good page stays up.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
import time
from pathlib import Path

from . import paths

OUT_DIR = paths.BUILD_DIR / "preview"


def build() -> Path:
    from .export import html_document

    out = OUT_DIR / "brief.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    text = html_document()
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out


def watched() -> dict[Path, int]:
    files = [*(paths.REPORT_DIR / "text").glob("*.md"), *paths.PROCESSED_DIR.rglob("*.csv"),
             *paths.FIGURES_DIR.glob("*.svg"), *(paths.TEMPLATES_DIR / "brief").glob("*"), paths.RAW_DIR / "sources.csv"]
    return {f: f.stat().st_mtime_ns for f in files if f.is_file()}


def rebuild(label: str) -> None:
    t = time.perf_counter()
    try:
        build()
        print(f"{label}: build/preview/brief.html in {time.perf_counter() - t:.1f} s", flush=True)
    except Exception as exc:  # noqa: BLE001 - a writer's error is shown, the last good page stays
        print(f"{label}: not rebuilt: {exc}", flush=True)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="make preview", description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--once", action="store_true", help="build once and exit")
    ap.add_argument("--interval", type=float, default=0.5, help="seconds between checks for changes")
    args = ap.parse_args(argv)
    rebuild("built")
    if args.once:
        return 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), functools.partial(_Quiet, directory=str(OUT_DIR)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving http://127.0.0.1:{server.server_address[1]}/brief.html (Ctrl-C to stop); "
          "edit report/text/*.md and reload the page", flush=True)
    seen = watched()
    try:
        while True:
            time.sleep(args.interval)
            now = watched()
            if now != seen:
                changed = sorted(paths.rel(f) for f in set(now) | set(seen) if now.get(f) != seen.get(f))
                seen = now
                rebuild("changed " + ", ".join(changed[:3]) + (" ..." if len(changed) > 3 else ""))
    except KeyboardInterrupt:
        print("preview stopped", flush=True)
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
