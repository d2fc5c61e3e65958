"""Loaders: each reads one raw table, validates it first, and returns typed pandas data."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from . import config, paths, reads, schemas
from .schema import DataValidationError, Problem, Table, key_values, validate_table


def validate_all(raw_dir: Path | None = None, as_of: dt.date | None = None,
                 tables: tuple[Table, ...] = schemas.TABLES, layers: tuple | None = None) -> list[Problem]:
    """Validate provenance, every declared table and every geodata layer; return all problems found."""
    from . import geo
    from .provenance import verify

    raw_dir = raw_dir or paths.RAW_DIR
    as_of = as_of or config.load().as_of
    problems = verify(raw_dir)
    known: dict[str, set[str]] = {}
    in_tables: list[Problem] = []
    for table in tables:
        found, keys = _validated(table, raw_dir, as_of, known)
        in_tables.extend(found)
        if keys is not None:
            known.update(keys)
    problems.extend(in_tables)
    for layer in geo.LAYERS if layers is None else layers:
        problems.extend(geo.validate_layer(layer, raw_dir))
    if not in_tables and tables == schemas.TABLES:
        from .rules import check_all  # rules across files, on tables known to be well formed

        problems.extend(check_all(raw_dir, as_of))
    return problems


_MEMO: dict[tuple, tuple] = {}  # a table's problems and keys, by its bytes and everything it is checked against
_MEMO_SIZE = 256


def _validated(table: Table, raw_dir: Path, as_of: dt.date, known: dict) -> tuple[list[Problem], dict | None]:
    """validate_table and key_values of one table, remembered by content: the same bytes checked against the
    same edition date and the same referenced keys give the same problems (a table validated again unchanged, as
    in the mutation suite or a rebuild after one edit, is not read twice)."""
    import dataclasses
    import hashlib

    path = raw_dir / table.file
    try:
        content = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return validate_table(table, raw_dir, as_of, known), None
    refs = {c.refs.split(":")[0] for c in table.columns if c.refs} | ({table.covers.split(":")[0]} if table.covers else set())
    used = tuple(sorted((k, hash(frozenset(v.items()) if isinstance(v, dict) else frozenset(v)))
                        for k, v in known.items() if k.split(":")[0] in refs))
    key = (table, hashlib.sha256(content).digest(), as_of, used)
    hit = _MEMO.get(key)
    if hit is None:
        found = validate_table(table, raw_dir, as_of, known)
        keys = None if any(p.rule in ("header", "encoding", "csv") for p in found) else key_values(table, raw_dir)
        rel = paths.rel(path)
        hit = ([dataclasses.replace(p, file=table.file) if p.file == rel else p for p in found], keys)
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = hit
    shown = paths.rel(path)
    return [dataclasses.replace(p, file=shown) if p.file == table.file else p for p in hit[0]], hit[1]


_UNCHECKED = [0]  # > 0 while the validator's own rules load tables (they are being validated)


@contextlib.contextmanager
def without_check():
    _UNCHECKED[0] += 1
    try:
        yield
    finally:
        _UNCHECKED[0] -= 1


_VALID: set[tuple] = set()  # fingerprints of raw directories already found valid in this process
MARKER = "validated.json"  # in build/: the fingerprint of the raw data last found valid (by any process)


def _fingerprint(raw_dir: Path) -> tuple:
    """Every raw file, brief.toml (the edition date bounds the dates) and the package's code (the rules), by
    path, size and modification time."""
    files = [p for p in raw_dir.rglob("*") if p.is_file()] + [paths.CONFIG_FILE]
    files += [p for p in paths.PACKAGE_DIR.rglob("*.py")]
    return (str(raw_dir),) + tuple(sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                                          for p in files if p.exists()))


def _marker_holds(key: tuple) -> bool:
    try:
        return json.loads((paths.BUILD_DIR / MARKER).read_text(encoding="utf-8")) == json.loads(json.dumps(key))
    except (OSError, ValueError):
        return False


def _write_marker(key: tuple) -> None:
    try:
        paths.BUILD_DIR.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=paths.BUILD_DIR, prefix=".validated.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(key, fh)
        os.replace(tmp, paths.BUILD_DIR / MARKER)
    except OSError:
        pass  # a read-only checkout validates again next time


def check(raw_dir: Path | None = None) -> None:
    """Raise DataValidationError listing every problem. Data found valid (by the build's validation stage, or
    earlier in this process) is not read again until a file in it changes (size or modification time); the
    reading for validation is not recorded as the notebook's reads (csto_brief.reads)."""
    raw_dir = raw_dir or paths.RAW_DIR
    key = _fingerprint(raw_dir)
    if key in _VALID or (raw_dir == paths.RAW_DIR and _marker_holds(key)):
        _VALID.add(key)
        return
    with reads.paused():
        problems = validate_all(raw_dir)
    if problems:
        raise DataValidationError(problems)
    _VALID.add(key)
    if raw_dir == paths.RAW_DIR:
        _write_marker(key)


def _typed(table: Table, df: pd.DataFrame) -> pd.DataFrame:
    for col in table.columns:
        s = df[col.name]
        if col.kind == "date":
            df[col.name] = pd.to_datetime(s.where(s != ""), format="%Y-%m-%d")
        elif col.kind in ("int", "year"):
            df[col.name] = pd.to_numeric(s.where(s != "")).astype("Int64")
        elif col.kind == "float":
            df[col.name] = pd.to_numeric(s.where(s != ""))
        elif col.kind == "ids":
            df[col.name] = s.map(lambda v: [x.strip() for x in v.split(";")] if v else [])
    return df


def load(name: str, raw_dir: Path | None = None) -> pd.DataFrame:
    """Load ``data/raw/<name>`` after validating all raw tables (references cross files)."""
    raw_dir = raw_dir or paths.RAW_DIR
    table = schemas.BY_FILE.get(name)
    if table is None:
        raise KeyError(f"no schema is declared for '{name}'; declared: {', '.join(schemas.BY_FILE)}")
    if not _UNCHECKED[0]:
        check(raw_dir)
        reads.record(raw_dir / table.file)
    df = pd.read_csv(raw_dir / table.file, dtype=str, keep_default_na=False, encoding="utf-8")
    return _typed(table, df)
