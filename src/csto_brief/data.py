"""Loaders: each reads one raw table, validates it first, and returns typed pandas data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from . import config, paths, schemas
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
    for table in tables:
        found = validate_table(table, raw_dir, as_of, known)
        problems.extend(found)
        if (raw_dir / table.file).exists() and not any(p.rule in ("header", "encoding", "csv") for p in found):
            known.update(key_values(table, raw_dir))
    for layer in geo.LAYERS if layers is None else layers:
        problems.extend(geo.validate_layer(layer, raw_dir))
    return problems


_VALID: set[tuple] = set()  # fingerprints of raw directories already found valid in this process


def _fingerprint(raw_dir: Path) -> tuple:
    return (str(raw_dir),) + tuple(sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns)
                                          for p in raw_dir.rglob("*") if p.is_file()))


def check(raw_dir: Path | None = None) -> None:
    """Raise DataValidationError listing every problem; a directory found valid is not re-read
    until a file in it changes (size or modification time)."""
    raw_dir = raw_dir or paths.RAW_DIR
    key = _fingerprint(raw_dir)
    if key in _VALID:
        return
    problems = validate_all(raw_dir)
    if problems:
        raise DataValidationError(problems)
    _VALID.add(key)


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
    check(raw_dir)
    df = pd.read_csv(raw_dir / table.file, dtype=str, keep_default_na=False, encoding="utf-8")
    return _typed(table, df)
