"""Display tables: the tables the brief shows, made by the analysis notebooks.

Each is declared here (its columns and what each holds) and saved through :func:`save`, which
writes ``data/processed/tables/<name>.csv`` and checks it with the project's validator. The
brief's renderer only formats them: a column of source ids becomes citations, a column of
verdicts becomes coloured labels. A writer places a table in the text by name::

    {% call table("csto_members", widths={"State": "28%"}) %}Caption. Source: ...{% endcall %}
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd

from . import paths
from .schema import Column, DataValidationError, Table, key_values, validate_table
from .vocab import MEMBERSHIP_LABELS, VERDICTS

TABLES_DIR = paths.PROCESSED_DIR / "tables"


@dataclass(frozen=True)
class DisplayTable:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str
    cite: tuple[str, ...] = ()  # columns of source ids, shown as numbered citations
    verdict: tuple[str, ...] = ()  # columns of verdicts, shown as coloured labels

    @property
    def table(self) -> Table:
        return Table(f"tables/{self.name}.csv", self.columns, key=self.key, description=self.description)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _sources(name="Sources"):
    return Column(name, kind="ids", refs="sources.csv:source_id")


DISPLAY_TABLES = (
    DisplayTable("csto_members", (
        Column("State"), Column("Status", choices=tuple(MEMBERSHIP_LABELS.values())), Column("Since")),
        key=("State",), description="States that have been party to the Collective Security Treaty and their status"),
    DisplayTable("border_lengths", (
        Column("Border"), Column("Published by"), Column("km"), Column("Ruler that fits, km"), _sources()),
        key=("Border", "Published by"), cite=("Sources",),
        description="Published lengths of the Afghan borders and the divider step at which the fitted law reaches each"),
    DisplayTable("border_exercises", (
        Column("Year", kind="year"), Column("Exercise"), Column("Range"),
        Column("Where the range lies (as reported)"), _sources()),
        key=("Year", "Exercise"), cite=("Sources",),
        description="CSTO and Russian exercises on ranges in the provinces on the Afghan border"),
    DisplayTable("bloc_totals", (
        Column("Indicator (year)"), Column("NATO"), Column("NATO excl. US"), Column("CSTO"),
        Column("CSTO members taking part"), Column("NATO : CSTO"), Column("US share of NATO"),
        Column("Russia share of CSTO")),
        key=("Indicator (year)",), description="The two alliances as sums of their members"),
    DisplayTable("milex_two_rates", (
        Column("Military spending"), Column("At market exchange rates, US$ billion"),
        Column("At purchasing-power parity, international $ billion"), Column("PPP ÷ market", required=False)),
        key=("Military spending",),
        description="Military spending of the alliances and Russia at market exchange rates and at purchasing-power parity"),
    DisplayTable("crosscheck_notes", (
        Column("State"), Column("Indicator"), Column("Brief's source"), Column("Factbook"), Column("Used"),
        Column("Why")),
        key=("State", "Indicator"),
        description="Where a member's value and the CIA World Factbook's differ beyond tolerance: the value used and why"),
    DisplayTable("india_criteria", (
        Column("Criterion"), Column("Score (range)"), Column("Assessment"), _sources("Evidence")),
        key=("Criterion",), cite=("Evidence",), description="India's score on each criterion of the status model"),
    DisplayTable("candidates", (
        Column("State"), Column("Observer status (model score, 0–100)"), Column("Partner status (model score, 0–100)"),
        Column("Robustness")),
        key=("State",), description="The status model's judgment on each candidate"),
    DisplayTable("claims", (
        Column("ID", pattern=r"[A-Z]\d\d"), Column("Claim (source document)"), Column("Verdict", choices=VERDICTS),
        Column("Value at the cut-off"), _sources()),
        key=("ID",), cite=("Sources",), verdict=("Verdict",),
        description="Every claim of the source documents, its verdict and today's value"),
    DisplayTable("likelihood_scale", (Column("Words"), Column("Probability")),
        key=("Words",), description="The likelihood words of the brief and the probabilities they stand for"),
    DisplayTable("scenarios", (
        Column("Question"), Column("Judgment"), Column("In full"), Column("By end of"), Column("Likelihood"), Column("Central"),
        Column("Confidence"),
        Column("Why"),
        Column("Resolves"), _sources()),
        key=("Judgment",), cite=("Sources",),
        description="Every judgment, scenario sets and single calls, with its likelihood, horizon and reasoning"),
    DisplayTable("resolutions", (Column("Judgment"), Column("By end of"), Column("Settled by")),
        key=("Judgment",), description="What settles each judgment at its horizon, in the order of the judgments table"),
    DisplayTable("forces", (Column("Force"), Column("Size"), Column("Last reported"), _sources()),
        key=("Force",), cite=("Sources",), description="Forces available on the CSTO's southern flank, as last reported"),
    DisplayTable("datasets", (
        Column("File"), Column("Producer"), Column("Edition"), Column("Licence")),
        key=("File",), description="The external datasets behind the brief, with edition and licence"),
)
BY_NAME = {t.name: t for t in DISPLAY_TABLES}


def declared(name: str) -> DisplayTable:
    if name not in BY_NAME:
        from .facts import suggest
        raise KeyError(f"no display table '{name}' is declared in csto_brief.tables{suggest(name, BY_NAME)}")
    return BY_NAME[name]


def save(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """Write a display table to data/processed/tables/<name>.csv after checking it against its declaration.
    Returns the frame, so a notebook cell can end with the call and show the table."""
    t = declared(name)
    if tuple(df.columns) != t.names:
        raise ValueError(f"table '{name}': columns {list(df.columns)} differ from the declared {list(t.names)}")
    if df.isna().any().any():
        bad = df.columns[df.isna().any()].tolist()
        raise ValueError(f"table '{name}' has missing values in {bad}; fill or explain them first")
    out = TABLES_DIR / f"{name}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    frame = df.copy()
    for c in t.columns:
        if c.kind == "ids":
            frame[c.name] = frame[c.name].map(lambda v: ";".join(v) if isinstance(v, (list, tuple)) else v)
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n")
    out.write_text(buf.getvalue(), encoding="utf-8")
    check(name)
    return df


def check(name: str) -> None:
    from . import config
    from .schemas import SOURCES

    problems = validate_table(declared(name).table, paths.PROCESSED_DIR, config.load().as_of,
                              key_values(SOURCES, paths.RAW_DIR))
    if problems:
        raise DataValidationError(problems)


def load(name: str) -> pd.DataFrame:
    check(name)
    return pd.read_csv(TABLES_DIR / f"{name}.csv", dtype=str, keep_default_na=False)
