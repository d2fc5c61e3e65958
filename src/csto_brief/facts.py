"""Named, sourced facts: every number, date, count and name the brief states.

An analysis notebook records each fact it establishes with a :class:`Recorder`::

    F = facts.Recorder("02-map-and-measure-borders")
    F.add("tjk_border_official_km", 1344.15, unit="km", digits=2, sources=["ministry-of-2013"], as_of="2013")
    F.add("n_exercises_tjk", len(ex), unit="exercises", derived_from=["data/raw/border_exercises.csv"])
    F.save()

and the facts land in ``data/processed/facts/<notebook>.csv``, one schema-checked table per notebook
(together, the brief's fact table). The brief's templates refer to facts by id; the renderer
(``csto_brief.render``) formats them, links each to its sources and lists those it used in
``report/facts.csv``. A fact has sources (ids in ``data/raw/sources.csv``), or is derived from
named input files, or both.

This module also joins the source documents' claims to their verdicts (notebook 01).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import fnmatch
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import paths, reads
from .schema import Column, DataValidationError, Problem, Table, key_values, validate_table
from .vocab import VERDICTS

FACTS_DIR = paths.PROCESSED_DIR / "facts"
TYPES = ("int", "float", "date", "text")
ID_PATTERN = r"[a-z][a-z0-9_]*"

FACT_COLUMNS = (
    Column("fact_id", pattern=ID_PATTERN),
    Column("type", choices=TYPES),
    Column("value"),
    Column("unit", required=False),
    Column("display"),
    Column("sources", kind="ids", refs="sources.csv:source_id", required=False),
    Column("derived_from", kind="ids", pattern=r"(data|figures)/[\w./*-]+|brief\.toml|src/csto_brief/[\w.]+", required=False),
    Column("as_of", kind="partial_date"),
    Column("notebook", pattern=r"\d\d-[a-z0-9-]+"),
    Column("note", required=False),
)


def fact_table(notebook: str) -> Table:
    """The schema of one notebook's facts file (relative to data/processed)."""
    return Table(f"facts/{notebook}.csv", FACT_COLUMNS, key=("fact_id",),
                 description=f"The facts established by notebook {notebook}")


class FactError(ValueError):
    pass


def _significant(x: float, digits: int = 12) -> str:
    """A float written at 12 significant digits: the same text on any machine, whatever the last bit."""
    s = f"{x:.{digits}g}"
    return s if "e" not in s else f"{float(s):.{max(0, digits)}f}".rstrip("0").rstrip(".")


def format_value(type_: str, value, digits: int | None = None) -> tuple[str, str]:
    """(stored value, display form) of a fact's value."""
    if type_ == "int":
        return str(int(value)), f"{int(value):,}"
    if type_ == "float":
        v = float(value)
        if v != v:
            raise FactError("value is NaN; record the gap explicitly")
        d = 1 if digits is None else digits
        return _significant(v), f"{round(v, d):,.{d}f}".replace("-", "\u2212")
    if type_ == "date":
        text = value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)[:10]
        return text, long_date(text)
    return str(value), str(value)


def long_date(value: str) -> str:
    """'2025-11-27' -> '27 November 2025'; '2025-11' -> 'November 2025'; '2025' -> '2025'."""
    parts = str(value).split("-")
    if len(parts) == 3:
        d = dt.date.fromisoformat(value)
        return f"{d.day} {d:%B %Y}"
    if len(parts) == 2:
        return f"{dt.date(int(parts[0]), int(parts[1]), 1):%B %Y}"
    return str(value)


@dataclass
class Recorder:
    """Collects the facts a notebook establishes and writes them, checked, to data/processed/facts/."""

    notebook: str
    as_of: str | None = None  # default as-of date: the edition date (brief.toml as_of)
    rows: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self):
        if self.as_of is None:
            from . import config
            self.as_of = config.load().as_of.isoformat()

    def add(self, fact_id: str, value, *, unit: str = "", digits: int | None = None, sources=(), derived_from=(),
            as_of=None, note: str = "", type: str | None = None, display: str | None = None) -> str:
        """Record one fact; returns its display form. ``type`` is inferred from the value."""
        if not re.fullmatch(ID_PATTERN, fact_id):
            raise FactError(f"fact id {fact_id!r} must match {ID_PATTERN}")
        if fact_id in self.rows:
            raise FactError(f"fact {fact_id!r} is recorded twice in {self.notebook}")
        sources = [sources] if isinstance(sources, str) else list(dict.fromkeys(sources))
        derived_from = [derived_from] if isinstance(derived_from, str) else list(dict.fromkeys(derived_from))
        if not sources and not derived_from:
            raise FactError(f"fact {fact_id!r} needs sources or the inputs it was derived from")
        self._check_derived(fact_id, derived_from)
        if type is None:
            if isinstance(value, bool):
                raise FactError(f"fact {fact_id!r}: a yes/no is not a fact the brief states; record a text")
            if isinstance(value, (int,)) or (hasattr(value, "dtype") and str(getattr(value, "dtype", "")).startswith("int")):
                type = "int"
            elif isinstance(value, float) or hasattr(value, "dtype"):
                type = "float"
            elif isinstance(value, (dt.date, pd.Timestamp)):
                type = "date"
            else:
                type = "text"
        stored, shown = format_value(type, value, digits)
        if type == "int" and unit == "year":
            shown = stored
        if type in ("int", "float") and unit == "%":
            shown += "%"
        if type == "text" and re.fullmatch(r"\d{4}(-\d{2}){1,2}", stored):
            shown = long_date(stored)
        if display is not None:
            shown = display
        self.rows[fact_id] = {
            "fact_id": fact_id, "type": type, "value": stored, "unit": unit, "display": shown,
            "sources": ";".join(sources), "derived_from": ";".join(derived_from),
            "as_of": str(as_of if as_of is not None else self.as_of)[:10], "notebook": self.notebook, "note": note,
        }
        return shown

    def _check_derived(self, fact_id: str, derived_from: list[str]) -> None:
        """Each input a fact names was read (or written) by this notebook, as recorded by csto_brief.reads; code
        (src/csto_brief/...) is named as it is."""
        have = reads.recorded() + reads.written()
        for d in derived_from:
            if d.startswith("src/csto_brief/"):
                continue
            if d == "brief.toml":
                ok = any(r.startswith(reads.CONFIG_PREFIX) for r in have)
            elif any(ch in d for ch in "*?["):
                ok = any(fnmatch.fnmatch(r, d) for r in have)
            else:
                ok = any(reads.covers(d, r) for r in have)
            if not ok:
                near = difflib.get_close_matches(d, have, n=3, cutoff=0.5)
                raise FactError(f"fact {fact_id!r} is derived_from {d}, which {self.notebook} has not read"
                                + (f"; it read {', '.join(near)}" if near else "")
                                + " (name the files the value comes from, after reading them)")

    def say(self, text: str):
        """Show the notebook's answer, in a sentence or two, with the numbers taken from the facts it recorded:
        ``F.say("The border measures {{ f.tjk_ne10_km }} km")``, so the answer never goes stale. A number typed
        in the text stops it, as in the brief's templates."""
        import types

        import jinja2
        from IPython.display import Markdown

        from .render import RenderError, typed_digits

        typed = typed_digits(text, f"{self.notebook}, answer")
        if typed:
            raise RenderError("\n".join(typed))
        known = types.SimpleNamespace(**{k: r["display"] for k, r in self.rows.items()})
        try:
            out = jinja2.Environment(undefined=jinja2.StrictUndefined).from_string(text).render(f=known)
        except jinja2.UndefinedError as exc:
            raise FactError(f"{self.notebook}, answer: {exc.message}; record the fact first (F.add)") from None
        return Markdown(out)  # the notebook shows it as the cell's result

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(list(self.rows.values()), columns=[c.name for c in FACT_COLUMNS])

    def save(self) -> Path:
        """Write ``data/processed/facts/<notebook>.csv`` and check it against the schema."""
        out = FACTS_DIR / f"{self.notebook}.csv"
        out.parent.mkdir(parents=True, exist_ok=True)
        df = self.frame().sort_values("fact_id", kind="stable")
        buf = io.StringIO()
        df.to_csv(buf, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        out.write_text(buf.getvalue(), encoding="utf-8")
        problems = check_file(fact_table(self.notebook))
        if problems:
            raise DataValidationError(problems)
        return out

    def __repr__(self) -> str:
        return f"Recorder({self.notebook!r}: {len(self.rows)} facts)"

    def _repr_html_(self):  # a notebook shows what it recorded
        return self.frame()[["fact_id", "display", "unit", "sources", "derived_from", "as_of"]].to_html(index=False)


def _known() -> dict[str, set[str]]:
    from .schemas import SOURCES
    return key_values(SOURCES, paths.RAW_DIR)


def check_file(table: Table) -> list[Problem]:
    from . import config

    problems = validate_table(table, paths.PROCESSED_DIR, config.load().as_of, _known())
    if problems:
        return problems
    df = pd.read_csv(paths.PROCESSED_DIR / table.file, dtype=str, keep_default_na=False)
    for i, r in enumerate(df.itertuples(), start=1):
        if not r.sources and not r.derived_from:
            problems.append(Problem(paths.rel(paths.PROCESSED_DIR / table.file), "sourced",
                                    "fact has neither sources nor the inputs it was derived from", row=i,
                                    column="sources"))
    return problems


def load_all(notebooks=None) -> pd.DataFrame:
    """Every notebook's facts, checked, as one table indexed by fact id."""
    files = sorted(FACTS_DIR.glob("*.csv"))
    if notebooks is not None:
        files = [f for f in files if f.stem in set(notebooks)]
    problems: list[Problem] = []
    frames = []
    for f in files:
        problems.extend(check_file(fact_table(f.stem)))
        frames.append(pd.read_csv(f, dtype=str, keep_default_na=False))
    if problems:
        raise DataValidationError(problems)
    if not frames:
        raise FactError(f"no facts in {paths.rel(FACTS_DIR)}: run the analysis notebooks (make brief)")
    allf = pd.concat(frames, ignore_index=True)
    dup = allf[allf["fact_id"].duplicated(keep=False)]
    if len(dup):
        raise FactError("facts recorded by more than one notebook: "
                        + ", ".join(f"{r.fact_id} ({r.notebook})" for r in dup.itertuples()))
    return allf.set_index("fact_id", drop=False)


def typed_value(row) -> object:
    t, v = row["type"], row["value"]
    if t == "int":
        return int(v)
    if t == "float":
        return float(v)
    return v


def suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def recorded_by(name: str) -> str | None:
    """The notebook whose cells record fact ``name`` (``F.add("name", ...)``), if one does: a fact a notebook
    was given but has not yet recorded exists only once that notebook runs."""
    pattern = re.compile(r'\.add\(\s*f?["\']' + re.escape(name) + r'["\']')
    for nb in sorted(paths.NOTEBOOKS_DIR.glob("*.ipynb")):
        if pattern.search(nb.read_text(encoding="utf-8").replace('\\"', '"')):
            return nb.stem
    return None


# -- the source documents' claims ------------------------------------------------------------------
def checked_claims() -> pd.DataFrame:
    """One row per claim: the claim, its document and date, the verdict and today's value."""
    from . import data

    claims = data.load("claims.csv")
    checks = data.load("claim_checks.csv")
    docs = data.load("documents.csv")[["doc_id", "outlet", "kind", "date_published", "date_precision"]]
    out = claims.merge(checks, on="claim_id", how="left", validate="one_to_one")
    out = out.merge(docs.rename(columns={"date_published": "doc_date"}), on="doc_id", how="left", validate="many_to_one")
    return out.sort_values("claim_id", kind="stable").reset_index(drop=True)


def verdict_counts(checked: pd.DataFrame) -> pd.DataFrame:
    """Claims per document and verdict (documents as rows, verdicts as columns, all verdicts present)."""
    t = pd.crosstab(checked["doc_id"], checked["status"]).reindex(columns=list(VERDICTS), fill_value=0)
    t.columns.name = None
    return t
