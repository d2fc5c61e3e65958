"""Provenance records: every raw file has a ``<file>.meta.yml`` beside it.

A record says where the file came from (title, producer, URL, dates, licence, how it was
obtained) and pins its content with a SHA-256 checksum and size. ``verify`` finds raw files
with no record, records with no file, missing fields and checksums that do not match.

After a deliberate edit of a raw file, refresh its checksum with::

    .venv/bin/python -m csto_brief.provenance update data/raw/claims.csv
"""

from __future__ import annotations

import copy
import functools

import hashlib
import sys
from pathlib import Path

import yaml

from . import paths
from .schema import Problem

SUFFIX = ".meta.yml"
ORIGIN_FIELDS = ("title", "producer", "url_main", "date_published", "date_accessed", "license", "description")


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: same result, faster


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def record_path(data_file: Path) -> Path:
    return data_file.with_name(data_file.name + SUFFIX)


def raw_files(raw_dir: Path | None = None) -> list[Path]:
    raw_dir = raw_dir or paths.RAW_DIR
    return sorted(p for p in raw_dir.rglob("*") if p.is_file() and not p.name.endswith(SUFFIX)
                  and not p.name.startswith("."))


def external_datasets(raw_dir: Path | None = None) -> list[tuple[Path, dict]]:
    """The raw files that are other producers' datasets (not the project's own compilations), each with the origin
    part of its provenance record: the table of datasets and the evidence cut-off both read these."""
    out = []
    for f in raw_files(raw_dir):
        origin = load_record(f)["origin"]
        if not str(origin["producer"]).startswith("csto-brief project"):
            out.append((f, origin))
    return out


def load_record(data_file: Path) -> dict:
    return copy.deepcopy(_read_record(data_file))


def _read_record(data_file: Path) -> dict:
    """The parsed record, shared with other readers: not to be changed (load_record gives a copy)."""
    with open(record_path(data_file), encoding="utf-8") as fh:
        return _parse(fh.read())


@functools.lru_cache(maxsize=512)
def _parse(text: str) -> dict:
    """A record's YAML, parsed once per distinct text (validation reads every record, every time)."""
    return yaml.load(text, Loader=_LOADER) or {}


def verify(raw_dir: Path | None = None) -> list[Problem]:
    raw_dir = raw_dir or paths.RAW_DIR
    problems: list[Problem] = []
    for data_file in raw_files(raw_dir):
        rec_file = record_path(data_file)
        shown = paths.rel(data_file)
        if not rec_file.exists():
            problems.append(Problem(shown, "provenance", f"no provenance record; expected {paths.rel(rec_file)}"))
            continue
        try:
            rec = _read_record(data_file)  # read only here
        except yaml.YAMLError as exc:
            problems.append(Problem(paths.rel(rec_file), "provenance", f"record is not valid YAML ({exc})"))
            continue
        origin = rec.get("origin") or {}
        for f in ORIGIN_FIELDS:
            if not origin.get(f):
                problems.append(Problem(paths.rel(rec_file), "provenance", f"origin lacks '{f}'"))
        lic = origin.get("license")
        if lic and not (isinstance(lic, dict) and lic.get("name")):
            problems.append(Problem(paths.rel(rec_file), "provenance", "license must have a 'name'"))
        outs = {o.get("path"): o for o in rec.get("outs") or []}
        out = outs.get(data_file.name)
        if out is None:
            problems.append(Problem(paths.rel(rec_file), "provenance", f"outs lacks an entry for '{data_file.name}'"))
            continue
        actual = sha256(data_file)
        if out.get("sha256") != actual:
            problems.append(Problem(
                shown, "checksum",
                f"SHA-256 is {actual[:12]}..., the provenance record says {str(out.get('sha256'))[:12]}...; "
                "the file changed since its record was written (after a deliberate edit run "
                f"'.venv/bin/python -m csto_brief.provenance update {shown}')"))
        if out.get("size") != data_file.stat().st_size:
            problems.append(Problem(shown, "checksum", f"size is {data_file.stat().st_size} bytes, the record says {out.get('size')}"))
    for rec_file in sorted(raw_dir.rglob("*" + SUFFIX)):
        target = rec_file.with_name(rec_file.name[: -len(SUFFIX)])
        if not target.exists():
            problems.append(Problem(paths.rel(target), "file-exists", f"file is missing (its record {paths.rel(rec_file)} exists)"))
    return problems


def update(data_file: Path) -> None:
    """Rewrite the checksum and size in a file's record (after a deliberate edit)."""
    data_file = Path(data_file).resolve()
    rec_file = record_path(data_file)
    if not rec_file.exists():
        raise SystemExit(f"{paths.rel(rec_file)}: no record to update; write one first (see the 'Data' section of README.md: a record names the source, date and licence)")
    rec = load_record(data_file)
    rec["outs"] = [{"path": data_file.name, "sha256": sha256(data_file), "size": data_file.stat().st_size}]
    with open(rec_file, "w", encoding="utf-8") as fh:
        yaml.safe_dump(rec, fh, sort_keys=False, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["update"] and len(argv) > 1:
        for f in argv[1:]:
            update(Path(f))
            print(f"updated {paths.rel(record_path(Path(f).resolve()))}")
        return 0
    if argv[:1] == ["verify"]:
        problems = verify()
        for p in problems:
            print(p)
        return 1 if problems else 0
    print("usage: .venv/bin/python -m csto_brief.provenance (verify | update FILE...)")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
