"""Helpers that compose the brief in its notebook: numbered figures and tables with captions
and source lines, numbered citations, and the list of sources.

Everything returns an IPython display object, so the notebook shows what the PDF will show.
Numbers in prose are formatted here, from data, never typed by hand.
"""

from __future__ import annotations

import base64
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Markdown

from . import config, data, paths


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def long_date(d) -> str:
    d = pd.Timestamp(d)
    return f"{d.day} {d:%B %Y}"


def partial_date(value: str) -> str:
    """'2025-11-27' -> '27 November 2025'; '2025-11' -> 'November 2025'; '2025' -> '2025'."""
    parts = str(value).split("-")
    if len(parts) == 3:
        return long_date(value)
    if len(parts) == 2:
        return f"{pd.Timestamp(value + '-01'):%B %Y}"
    return str(value)


def month_year(d) -> str:
    return f"{pd.Timestamp(d):%B %Y}"


def number(x, digits: int = 0) -> str:
    """Thousands separated by commas, as in English-language policy writing."""
    if x is None or (isinstance(x, float) and x != x):
        raise ValueError("refusing to format a missing value; handle it explicitly")
    return f"{x:,.{digits}f}"


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@dataclass
class Brief:
    """The running state of one brief: counters and the sources cited so far."""

    cfg: config.BriefConfig = field(default_factory=config.load)
    figures: int = 0
    tables: int = 0
    cited: list[str] = field(default_factory=list)
    plan: list[str] = field(default_factory=list)  # figure names in the order they appear, for ref()

    def __post_init__(self):
        self.sources = data.load("sources.csv").set_index("source_id")

    # -- citations -------------------------------------------------------------------------
    def number_of(self, source_id: str) -> int:
        if source_id not in self.sources.index:
            raise KeyError(f"source '{source_id}' is not in data/raw/sources.csv")
        if source_id not in self.cited:
            self.cited.append(source_id)
        return self.cited.index(source_id) + 1

    def cite(self, *source_ids: str) -> str:
        """An inline citation such as [3, 7], each number a link to the list of sources."""
        ids = []
        for s in source_ids:
            ids.extend(s if isinstance(s, (list, tuple)) else [s])
        nums = sorted({self.number_of(s) for s in ids})
        links = ", ".join(f'<a class="cite" href="#src-{n}">{n}</a>' for n in nums)
        return f"[{links}]"

    # -- prose, figures and tables -----------------------------------------------------------
    @staticmethod
    def md(text: str) -> Markdown:
        return Markdown(text)

    def ref(self, name: str) -> str:
        """'Figure N', linked, for a figure planned in ``plan`` (so the text can point ahead)."""
        if name not in self.plan:
            raise KeyError(f"figure '{name}' is not in the brief's plan; add it to Brief(plan=[...])")
        n = self.plan.index(name) + 1
        return f'<a href="#figure-{n}">Figure {n}</a>'

    def figure(self, name: str, caption: str, source: str, *, width: str = "100%") -> HTML:
        """Embed ``figures/<name>.svg`` with a numbered caption and a source line."""
        svg = (paths.FIGURES_DIR / f"{name}.svg").read_bytes()
        self.figures += 1
        if self.plan and (self.figures > len(self.plan) or self.plan[self.figures - 1] != name):
            raise ValueError(f"figure '{name}' appears as Figure {self.figures}, but the plan puts it elsewhere: {self.plan}")
        uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
        return HTML(
            f'<figure class="figure" id="figure-{self.figures}">'
            f'<img src="{uri}" alt="{esc(caption)}" style="width:{width}"/>'
            f'<figcaption><span class="label">Figure {self.figures}.</span> {caption}'
            f'<span class="source">Source: {source}</span></figcaption></figure>'
        )

    def table(self, df: pd.DataFrame, caption: str, source: str, *, widths: dict | None = None,
              classes: str = "", raw_html_columns: tuple[str, ...] = ()) -> HTML:
        """A numbered, styled table. Cells are escaped unless their column is raw HTML."""
        if df.isna().any().any():
            bad = df.columns[df.isna().any()].tolist()
            raise ValueError(f"table '{caption}' has missing values in {bad}; fill or explain them first")
        self.tables += 1
        widths = widths or {}
        head = "".join(
            f'<th style="width:{widths[c]}">{esc(c)}</th>' if c in widths else f"<th>{esc(c)}</th>"
            for c in df.columns)
        body = []
        for _, row in df.iterrows():
            cells = "".join(
                f"<td>{row[c] if c in raw_html_columns else esc(row[c])}</td>" for c in df.columns)
            body.append(f"<tr>{cells}</tr>")
        return HTML(
            f'<figure class="table {classes}" id="table-{self.tables}">'
            f'<figcaption><span class="label">Table {self.tables}.</span> {caption}</figcaption>'
            f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
            f'<p class="source">Source: {source}</p></figure>'
        )

    def sources_section(self) -> HTML:
        """The numbered list of every source cited, in order of first citation. An access date shared by
        every source is stated once, above the list."""
        accessed = {self.sources.loc[sid, "date_accessed"] for sid in self.cited}
        common = accessed.pop() if len(accessed) == 1 else None
        items = []
        for n, sid in enumerate(self.cited, start=1):
            s = self.sources.loc[sid]
            published = f", {partial_date(s['date_published'])}" if s["date_published"] else ""
            shown = re.sub(r"^https?://(www\.)?", "", s["url"])
            when = "" if common else f" (accessed {long_date(s['date_accessed'])})"
            items.append(
                f'<li id="src-{n}" value="{n}">{esc(s["publisher"])}, <i>{esc(s["title"])}</i>{published}. '
                f'<a href="{esc(s["url"])}">{esc(shown)}</a>{when}.</li>'
            )
        note = (f'<p class="sources-note">Every source was read, as a stored copy, on {long_date(common)}.</p>'
                if common else "")
        return HTML(f'{note}<ol class="sources">{"".join(items)}</ol>')
