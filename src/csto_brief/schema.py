"""A small, strict validator for the project's CSV files.

Every problem is reported with the file, the data row (and its line in the file), the
column and the rule that failed, so a reader can go straight to the cell to mend it.
It reads with the standard library only, so validation runs in well under a second.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from . import paths

KINDS = ("str", "int", "float", "date", "partial_date", "year", "url", "ids")
ID_SEP = ";"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = "str"
    required: bool = True
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    refs: str | None = None  # "file.csv:column": every value (each id of an 'ids' list) must exist there
    # With ``refs`` to a table keyed by that column: (this row's column, the referenced row's column, values
    # of the referenced column that match any row, e.g. 'ALL'); the referenced row must agree on each.
    refs_match: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    one_line: bool = True  # no line breaks or other control characters inside the value
    not_after_as_of: bool = True  # dates and years may not lie after the edition date (brief.toml as_of)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class Table:
    file: str  # relative to data/raw
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""
    covers: str | None = None  # "file.csv:column": every value there must appear in this table's key
    min_rows: int = 1
    # (longitude column, latitude column, country codes column): the point lies in the lon/lat box of one
    # of the row's countries (csto_brief.boxes), so swapped coordinates or a wrong code are refused
    located: tuple[str, str, str] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Problem:
    file: str
    rule: str
    message: str
    row: int | None = None  # 1-based data row; the header is line 1, so line = row + 1
    column: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row} (line {self.row + 1})"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: {self.message} [rule: {self.rule}]"


class DataValidationError(ValueError):
    """Raised with every problem found; the message lists them one per line."""

    def __init__(self, problems: Iterable[Problem], limit: int = 25):
        self.problems = list(problems)
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problems")
        n = len(self.problems)
        super().__init__(f"{n} data problem{'s' if n != 1 else ''}:\n  " + "\n  ".join(lines))


BOM = b"\xef\xbb\xbf"


class ByteOrderMarkError(ValueError):
    """The file starts with a UTF-8 byte-order mark; the project's CSV files are plain UTF-8."""


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a CSV file. Line endings may be LF or CRLF (the csv module reads both the
    same way); a UTF-8 byte-order mark is refused, since it would become part of the first column's name."""
    with open(path, "rb") as fh:
        if fh.read(3) == BOM:
            raise ByteOrderMarkError(path)
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            return [], []
        rows = []
        for fields in reader:
            if not any(f.strip() for f in fields):
                rows.append({"__blank__": ""})
                continue
            row = dict(zip(header, fields))
            if len(fields) != len(header):
                row["__nfields__"] = str(len(fields))
            rows.append(row)
    return header, rows


# Unicode's control characters (category Cc) and line and paragraph separators (Zl, Zp); tested against
# unicodedata over every code point.
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _check_value(col: Column, value: str, as_of: dt.date, known: dict) -> tuple[str, str] | None:
    """Return (rule, message) if the value breaks a rule of its column, else None."""
    if value == "":
        return ("required", "is empty; a value is required") if col.required else None
    if col.one_line:
        found = _NOT_ONE_LINE.search(value)
        if found is not None:
            bad, at = found.group(), found.start()
            return ("one-line", f"value must be one line, but has {_char_name(bad)} after "
                                f"{value[max(0, at - 30):at]!r}")
    if value != value.strip():
        return ("whitespace", f"value {value!r} has leading or trailing spaces")
    if col.kind in ("int", "year"):
        if not re.fullmatch(r"-?\d+", value):
            return ("type", f"value {value!r} is not a whole number")
        number: float = int(value)
    elif col.kind == "float":
        try:
            number = float(value)
        except ValueError:
            return ("type", f"value {value!r} is not a number")
        if number != number:
            return ("type", "value is NaN")
    elif col.kind == "date":
        try:
            d = dt.date.fromisoformat(value)
        except ValueError:
            return ("type", f"value {value!r} is not a date YYYY-MM-DD")
        if len(value) != 10:
            return ("type", f"value {value!r} is not a date YYYY-MM-DD")
        if col.not_after_as_of and d > as_of:
            return ("not-after-cut-off", f"date {value} lies after the edition date {as_of.isoformat()} (brief.toml as_of)")
        number = None
    elif col.kind == "partial_date":
        m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
        if not m:
            return ("type", f"value {value!r} is not a date YYYY, YYYY-MM or YYYY-MM-DD")
        y, mo, d = int(m[1]), int(m[2] or 1), int(m[3] or 1)
        try:
            first = dt.date(y, mo, d)
        except ValueError:
            return ("type", f"value {value!r} is not a real date")
        if col.not_after_as_of and first > as_of:
            return ("not-after-cut-off", f"date {value} lies after the edition date {as_of.isoformat()} (brief.toml as_of)")
        number = None
    elif col.kind == "url":
        if not re.fullmatch(r"https?://[^\s]+", value):
            return ("type", f"value {value!r} is not an http(s) URL")
        number = None
    else:
        number = None
    if col.kind == "year" and col.not_after_as_of and int(value) > as_of.year:
        return ("not-after-cut-off", f"year {value} lies after the edition date {as_of.isoformat()} (brief.toml as_of)")
    if number is not None:
        if col.min is not None and number < col.min:
            return ("range", f"value {value} is below the minimum {col.min:g}")
        if col.max is not None and number > col.max:
            return ("range", f"value {value} is above the maximum {col.max:g}")
    items = [v.strip() for v in value.split(ID_SEP)] if col.kind == "ids" else [value]
    if col.kind == "ids" and any(v == "" for v in items):
        return ("type", f"list {value!r} has an empty item (items are separated by '{ID_SEP}')")
    for item in items:
        if col.choices and item not in col.choices:
            return ("choices", f"value {item!r} is not one of: {', '.join(col.choices)}{suggest(item, col.choices)}")
        if col.pattern and not re.fullmatch(col.pattern, item):
            hint = f"; did you mean {item.upper()!r}?" if re.fullmatch(col.pattern, item.upper()) else ""
            return ("pattern", f"value {item!r} does not match the pattern {col.pattern}{hint}")
        if col.refs:
            ref_file, ref_col = col.refs.split(":")
            if col.refs in known and item not in known[col.refs]:
                return ("reference", f"value {item!r} is not a {ref_col} in {ref_file}{suggest(item, known[col.refs])}")
    return None


def _char_name(ch: str) -> str:
    name = {"\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\t": "CHARACTER TABULATION"}.get(ch) or unicodedata.name(ch, "")
    return f"a line break or control character U+{ord(ch):04X}" + (f" {name}" if name else "")


def suggest(value: str, choices: Iterable[str]) -> str:
    """"; did you mean 'X'?" for the likely intended value: the same letters in another case, else the
    closest spellings; empty when nothing is close."""
    choices = sorted(c for c in choices if c)
    same = [c for c in choices if c.casefold() == value.casefold()]
    close = same or difflib.get_close_matches(value, choices, n=3, cutoff=0.6)
    if not close and value.upper() != value:
        close = difflib.get_close_matches(value.upper(), choices, n=3, cutoff=0.6)
    if not close:
        return ""
    return "; did you mean " + " or ".join(repr(c) for c in close) + "?"


def _check_match(col: Column, row: dict[str, str], known: dict) -> tuple[str, str] | None:
    """The referenced rows of a ``refs_match`` column agree with this row (e.g. a score's evidence is
    about the same criterion and the same candidate, or 'ALL')."""
    ref_file, ref_key = col.refs.split(":")
    items = [v.strip() for v in row[col.name].split(ID_SEP)] if col.kind == "ids" else [row[col.name]]
    for item in items:
        for mine, theirs, wildcard in col.refs_match:
            lookup = known.get(f"{ref_file}:{ref_key}=>{theirs}")
            if lookup is None or item not in lookup:
                continue
            value = lookup[item]
            if value != row.get(mine) and value not in wildcard:
                allowed = " or ".join(repr(v) for v in (row.get(mine),) + wildcard)
                return ("reference-match", f"{ref_key} {item!r} has {theirs} {value!r} in {ref_file}; "
                                           f"this row's {mine} needs {allowed}")
    return None


def _check_location(located: tuple[str, str, str], row: dict[str, str]) -> str | None:
    """A message if the row's point lies in the box of none of its countries."""
    from .boxes import COUNTRY_BOXES, box_text, inside

    lon_col, lat_col, codes_col = located
    lon, lat = float(row[lon_col]), float(row[lat_col])
    codes = [c.strip() for c in row[codes_col].split(ID_SEP) if c.strip()]
    boxes = {c: COUNTRY_BOXES.get(c) for c in codes}
    unknown = [c for c, b in boxes.items() if b is None]
    if unknown:
        return f"no lon/lat box is declared for {', '.join(map(repr, unknown))} in csto_brief.boxes.COUNTRY_BOXES"
    if any(inside((lon, lat, lon, lat), b) for b in boxes.values()):
        return None
    swapped = any(inside((lat, lon, lat, lon), b) for b in boxes.values())
    where = "; ".join(f"{c} ({box_text(b)})" for c, b in boxes.items())
    return (f"point lon {lon:g}, lat {lat:g} lies outside the box of {where}"
            + (" (are longitude and latitude swapped?)" if swapped else ""))


def key_values(table: Table, root: Path) -> dict:
    """The values of each column of a table, for references from other tables; for a table with a
    one-column key also ``file:key=>column``, the value of each column by key (for ``refs_match``)."""
    header, rows = read_rows(root / table.file)
    out: dict = {f"{table.file}:{name}": {r.get(name, "") for r in rows} for name in header}
    if len(table.key) == 1:
        k = table.key[0]
        for name in header:
            out[f"{table.file}:{k}=>{name}"] = {r[k]: r.get(name, "") for r in rows if k in r}
    return out


def validate_table(table: Table, root: Path, as_of: dt.date, known: dict) -> list[Problem]:
    path = root / table.file
    shown = paths.rel(path)
    if not path.exists():
        return [Problem(shown, "file-exists", "file is missing")]
    try:
        header, rows = read_rows(path)
    except ByteOrderMarkError:
        return [Problem(shown, "encoding", "file starts with a UTF-8 byte-order mark (BOM, bytes EF BB BF); "
                                           "save it as UTF-8 without a BOM")]
    except UnicodeDecodeError as exc:
        return [Problem(shown, "encoding", f"file is not UTF-8 text ({exc.reason} at byte {exc.start})")]
    except csv.Error as exc:
        return [Problem(shown, "csv", f"file is not valid CSV ({exc})")]
    problems: list[Problem] = []
    if not header:
        return [Problem(shown, "header", "file is empty; expected a header line: " + ",".join(table.names))]
    dupes = sorted({h for h in header if header.count(h) > 1})
    for h in dupes:
        problems.append(Problem(shown, "header", "column appears more than once", column=h))
    for name in table.names:
        if name not in header:
            problems.append(Problem(shown, "header", "column is missing", column=name))
    for h in header:
        if h not in table.names:
            problems.append(Problem(shown, "header", f"unexpected column; expected only: {', '.join(table.names)}", column=h))
    if problems:
        return problems
    if len(rows) < table.min_rows:
        problems.append(Problem(shown, "rows", f"file has {len(rows)} data rows; expected at least {table.min_rows}"))
    seen: dict[tuple[str, ...], int] = {}
    for i, row in enumerate(rows, start=1):
        if "__blank__" in row:
            problems.append(Problem(shown, "blank-row", "row is blank", row=i))
            continue
        if "__nfields__" in row:
            problems.append(Problem(shown, "fields", f"row has {row['__nfields__']} fields; the header has {len(header)}", row=i))
            continue
        for col in table.columns:
            bad = _check_value(col, row[col.name], as_of, known)
            if not bad and col.refs_match and row[col.name]:
                bad = _check_match(col, row, known)
            if bad:
                problems.append(Problem(shown, bad[0], bad[1], row=i, column=col.name))
        if table.located and not any(p.row == i and p.column in table.located for p in problems):
            bad = _check_location(table.located, row)
            if bad:
                problems.append(Problem(shown, "location", bad, row=i, column="/".join(table.located[:2])))
        key = tuple(row[k] for k in table.key)
        if key in seen:
            problems.append(Problem(
                shown, "unique-key",
                f"duplicate key {'/'.join(key)!r}; first seen in row {seen[key]}",
                row=i, column="/".join(table.key)))
        else:
            seen[key] = i
    if table.covers:
        ref = known.get(table.covers)
        if ref is not None:
            mine = {row.get(table.key[0], "") for row in rows}
            ref_file, ref_col = table.covers.split(":")
            for missing in sorted(ref - mine - {""}):
                problems.append(Problem(
                    shown, "coverage", f"{ref_col} {missing!r} of {ref_file} has no row here",
                    column=table.key[0]))
    return problems
