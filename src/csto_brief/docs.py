"""What each notebook reads and writes, declared once in brief.toml and written from it into each
notebook's first cell and into the README's notebook table (``make docs``; a test checks both).

    .venv/bin/python -m csto_brief.docs          # rewrite the generated parts
    .venv/bin/python -m csto_brief.docs --check  # exit 1 and list what differs
"""

from __future__ import annotations

import argparse
import re
import sys

from . import config, paths

START, END = "<!-- generated from brief.toml: start -->", "<!-- generated from brief.toml: end -->"
BLOCK = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)


def _files(items) -> str:
    return ", ".join(f"`{i}`" for i in items) if items else "nothing (its outputs are the brief)"


def header_block(stage) -> str:
    return (f"{START}\n**Reads:** {_files(stage.declared_inputs)}.\n\n**Writes:** {_files(stage.outputs)}.\n{END}")


def readme_block(cfg) -> str:
    rows = ["| notebook | question | reads | writes |", "|---|---|---|---|"]
    for s in cfg.notebooks:
        rows.append(f"| `{s.name}` | {s.question} | {_files(s.declared_inputs)} | {_files(s.outputs)} |")
    return f"{START}\n" + "\n".join(rows) + f"\n{END}"


def sync(check: bool = False) -> list[str]:
    """Rewrite (or, with check, compare) the generated parts; returns what differed."""
    import nbformat

    cfg = config.load()
    differ = []
    readme = paths.PROJ_ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    if not BLOCK.search(text):
        differ.append("README.md: no generated notebook table (markers missing)")
    else:
        new = BLOCK.sub(lambda m: readme_block(cfg), text)
        if new != text:
            differ.append("README.md: the notebook table differs from brief.toml")
            if not check:
                readme.write_text(new, encoding="utf-8")
    for s in cfg.notebooks:
        path = paths.PROJ_ROOT / s.path
        nb = nbformat.read(path, as_version=4)
        cell = nb.cells[0]
        if cell.cell_type != "markdown" or not BLOCK.search(cell.source):
            differ.append(f"{s.path}: its first cell has no generated Reads/Writes block (markers missing)")
            continue
        new = BLOCK.sub(lambda m: header_block(s), cell.source)
        if new != cell.source:
            differ.append(f"{s.path}: the Reads/Writes of its first cell differ from brief.toml")
            if not check:
                cell.source = new
                nbformat.write(nb, path)
    return differ


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog=".venv/bin/python -m csto_brief.docs", description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="only say what differs")
    args = ap.parse_args(argv)
    differ = sync(check=args.check)
    for d in differ:
        print(d)
    return 1 if (differ and args.check) else 0


if __name__ == "__main__":
    sys.exit(main())
