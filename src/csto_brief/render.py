"""The brief's renderer: Markdown templates in ``report/text/`` filled with named facts.

Each ``report/text/<NN>-<name>.md`` is one section, in file-name order; ``<X>-<name>.md`` (a letter) is an annex. A
section starts with its heading, ``## Title``: the renderer numbers body sections (1, 2, ...) and letters annexes
(Annex A, B, ...) in file order; ``## Title {.unnumbered}`` stays unnumbered (the contents, the summary, the
sources), and ``{.new-page}`` starts it on a new page in print (classes combine: ``{.unnumbered .new-page}``). A template is Markdown with Jinja placeholders; it reads only the facts (``data/processed/facts/``), the display tables
(``data/processed/tables/``), the figures (``figures/``) and the source list. What a writer has:

* ``{{ f.some_fact }}``: a fact in its display form, e.g. ``1,344.15``; in the HTML brief it carries
  its id and shows its value, sources and the notebook that made it on hover or tap;
* filters: ``num(d)`` (d decimals), ``words`` ("five"), ``cap`` ("Five"), ``plural("state")``
  ("5 states"), ``pl("state")`` ("states" or "state"), ``year``, ``month``, ``date``, ``lower``;
* ``{{ rng(f.a, f.b) }}`` for a range ("1.1–1.2"); ``{{ cite("source-id", ...) }}`` or
  ``{{ cite(f.some_fact) }}`` for numbered citations; ``{{ ref("fig-name") }}`` or
  ``{{ ref("table-name") }}`` for "Figure 3" / "Table 2", numbered in order of appearance;
* ``{% call figure("fig-name", width="80%") %}Caption. Source: ...{% endcall %}`` and
  ``{% call table("name", widths={...}, classes="compact") %}Caption. Source: ...{% endcall %}``;
* ``{{ sources_list() }}``: the numbered list of every source cited.

An unknown name stops the build naming the template file and line. A digit typed outside a
placeholder stops it too (except the few patterns in ``ALLOWED_DIGITS``): numbers come from data.

The brief is rendered once per build (``render()``); the HTML and PDF (``export``), ``make preview`` and
``report/facts.csv`` are all made from that one ``Rendered``. Notebook 05 shows the same text with
``render(notebook=True)``: figures by reference to ``figures/`` and the facts without their cards.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import os
import re
import traceback
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import facts as facts_mod
from . import paths, tables

TEXT_DIR = paths.REPORT_DIR / "text"

# A citation in print names at most this many sources (each item cited keeps its best one, even past the cap); the
# HTML edition names every source. Best means these ranks, lowest first (sources.csv: quality, kind).
PRINT_CITES = 3
QUALITY_RANK = {"primary": 0, "standard": 1, "weak": 2}
KIND_RANK = {"treaty": 0, "official": 0, "dataset": 0, "analysis": 1, "news": 2, "reference": 3}


@functools.lru_cache(maxsize=1)
def _edition_day() -> str:
    """The edition date (brief.toml), which most facts are as of: notebook 05's tooltips name only other dates."""
    from . import config

    return config.load().as_of.isoformat()
BLOCK = "\x00block:{}\x00"
BLOCK_RE = re.compile(r"\x00block:(\d+)\x00")

# Digits a writer may type: everything else that is a number must come from a fact.
ALLOWED_DIGITS = (
    (r"^\s*\d+\. ", "the number of an item in a numbered list"),
    (r"\b1:\d+(?:m|M)\b", "map scales that name a dataset (Natural Earth 1:10m, DCW 1:1M)"),
    (r"\bUTM zone \d+N\b", "the name of a map projection"),
    (r"\bICD 203\b", "the name of the analytic standard whose likelihood words the brief uses"),
    (r"\bCC BY \d\.\d\b", "the name of a licence"),
    (r"\bto 1\b", "a ratio written as 'N to 1'"),
    (r"\b\d+(?:st|nd|rd|th) (?:military )?(?:base|division|brigade|regiment)\b", "the name of a military unit"),
    (r"\bWGS84\b", "the name of the reference ellipsoid"),
)

URL_SAFE = ":/?#[]@!$&'()*+,;=%~"
NOTEBOOK_ROWS = 12  # rows of a long ("online") table that notebook 05 shows
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve")


class RenderError(ValueError):
    pass


def esc(text) -> str:
    return html.escape(str(text), quote=True)


def _card_text(text) -> str:
    """Text inside a fact's card: escaped, and safe from Markdown emphasis."""
    return esc(text).replace("*", "&#42;").replace("_", "&#95;")


# -- facts as the templates see them ---------------------------------------------------------------
@dataclass
class FactRef:
    """One fact as placed in the text: its row, and the text shown (the display form or a filter's)."""

    row: dict
    shown: str
    brief: "Renderer"

    @property
    def id(self) -> str:
        return self.row["fact_id"]

    @property
    def value(self):
        return facts_mod.typed_value(self.row)

    def with_text(self, text: str) -> "FactRef":
        return FactRef(self.row, text, self.brief)

    def __str__(self) -> str:
        return self.brief.place(self)

    __html__ = __str__

    def __bool__(self) -> bool:
        v = self.value
        return bool(v)


class Facts:
    """``f.name`` in a template: the fact, or a clear error naming the nearest ids."""

    def __init__(self, brief: "Renderer"):
        self._brief = brief

    def __getattr__(self, name: str) -> FactRef:
        if name.startswith("__"):
            raise AttributeError(name)
        table = self._brief.facts
        if name not in table.index:
            by = facts_mod.recorded_by(name)
            if by:
                raise RenderError(f"no fact '{name}' in data/processed/facts yet: notebook {by} records it; run "
                                  "`make brief`, which runs it first")
            raise RenderError(f"no fact '{name}' in data/processed/facts{facts_mod.suggest(name, table.index)}; "
                              "record it in the notebook that establishes it (F.add), then `make brief`")
        row = table.loc[name].to_dict()
        return FactRef(row, row["display"], self._brief)

    __getitem__ = __getattr__


def _ref(x) -> FactRef:
    if not isinstance(x, FactRef):
        raise RenderError(f"this filter formats a fact (f.name), not {x!r}")
    return x


def f_num(x, digits: int = 0):
    r = _ref(x)
    v = float(r.value)
    return r.with_text(f"{round(v, digits):,.{digits}f}".replace("-", "\u2212") + ("%" if r.row["unit"] == "%" else ""))


def f_words(x):
    r = _ref(x)
    v = int(r.value)
    return r.with_text(WORDS[v] if 0 <= v < len(WORDS) else f"{v:,}")


def f_cap(x):
    if isinstance(x, FactRef):
        return x.with_text(x.shown[:1].upper() + x.shown[1:])
    s = str(x)
    return s[:1].upper() + s[1:]


def f_lower(x):
    return x.with_text(x.shown.lower()) if isinstance(x, FactRef) else str(x).lower()


def _is_one(r: FactRef) -> bool:
    return r.row["type"] == "int" and int(r.value) == 1


def f_pl(x, singular: str, plural: str | None = None) -> str:
    """The word that follows the count: 'state' or 'states'."""
    return singular if _is_one(_ref(x)) else (plural or singular + "s")


def f_plural(x, singular: str, plural: str | None = None, words: bool = False) -> str:
    """The count and its word: '5 states', '1 state' (or 'five states' with words=True)."""
    r = _ref(x)
    shown = f_words(r) if words else r
    return f"{shown} {f_pl(r, singular, plural)}"


def _date_text(r: FactRef) -> str:
    v = str(r.row["value"])
    if not re.fullmatch(r"\d{4}(-\d{2}){0,2}", v):
        raise RenderError(f"fact '{r.id}' is not a date: {v!r}")
    return v


def f_year(x):
    r = _ref(x)
    return r.with_text(_date_text(r)[:4])


def f_month(x):
    r = _ref(x)
    return r.with_text(facts_mod.long_date(_date_text(r)[:7]))


def f_date(x):
    r = _ref(x)
    return r.with_text(facts_mod.long_date(_date_text(r)))


# -- the renderer ----------------------------------------------------------------------------------
@dataclass
class Block:
    kind: str  # "markdown" or "html"
    content: str


@dataclass
class Section:
    name: str
    blocks: list[Block]
    online: bool = False  # marked {.online}: in the HTML edition only


def _italic_lacks(ch: str) -> bool:
    """A letter the brief's italic serif face has no glyph for (Cyrillic, for one)."""
    from .glyphs import cmap, families

    italic = families()["Source Serif Pro"].get((400, "italic"))
    return ch.isalpha() and italic is not None and ord(ch) not in cmap(italic)


def _title(source) -> str:
    """A source's title as a list of sources prints it: its own title in italics; a title we supplied, because the
    copy read shows none, in square brackets (the bibliographic convention), without our 'Report on:' and year."""
    title = str(source["title"]).strip()
    if title.endswith(".") and not title.endswith("..."):
        title = title[:-1]  # the list adds its own punctuation
    if source.get("title_kind", "") != "descriptive":
        # the italic faces have no Cyrillic (a browser would take those letters from a system font, and the PDF
        # would slant the upright ones): a title in another script is set upright, as bibliographies allow
        if any(_italic_lacks(ch) for ch in title):
            return f'<i class="upright">{esc(title)}</i>'
        return f"<i>{esc(title)}</i>"
    title = re.sub(r"^Report on:?\s+", "", title)
    title = re.sub(r"\s+\(\d{4}\)$", "", title)
    return f"[{esc(title[:1].upper() + title[1:])}]"


@dataclass
class Renderer:
    text_dir: Path = TEXT_DIR
    figure_order: list[str] = field(default_factory=list)  # from the first pass
    table_order: list[str] = field(default_factory=list)
    cite_order: list[str] = field(default_factory=list)
    final: bool = False  # the second pass: every reference must resolve
    notebook: bool = False  # for notebook 05: figures by reference, facts without their cards
    used_first: list[str] = field(default_factory=list)  # the facts the whole text uses (from the first pass)
    online_order: list[str] = field(default_factory=list)  # exhibits placed in an online section (first pass)
    cite_print_order: list[str] = field(default_factory=list)  # sources cited outside online sections (first pass)

    def __post_init__(self):
        from . import data

        self.facts = facts_mod.load_all()
        self.sources = data.load("sources.csv").set_index("source_id")
        self.figures_seen: list[str] = []
        self.tables_seen: list[str] = []
        self.cited: list[str] = []
        self.cited_print: list[str] = []  # cited outside an online section: the printed list
        self.online_seen: list[str] = []  # exhibits placed in an online section
        self.in_online = False  # rendering a section marked {.online}: in the HTML edition only
        self.used: list[dict] = []
        self.blocks: list[str] = []
        self.template = ""

    # -- facts ----------------------------------------------------------------------------------
    def place(self, ref: FactRef) -> str:
        self.used.append({"fact_id": ref.id, "shown": ref.shown, "template": self.template})
        if self.notebook:  # Jupyter and GitHub show no hover card: the id, and a date other than the edition's, as a tooltip
            when = str(ref.row["as_of"])
            dated = "" if when == _edition_day() else f", as of {esc(facts_mod.long_date(when))}"
            return f'<span class="fact" title="{esc(ref.id)}{dated}">{esc(ref.shown)}</span>'

        return (f'<span class="fact" data-fact="{esc(ref.id)}" tabindex="0">{esc(ref.shown)}'
                f'{self.card(ref.row)}</span>')

    def card(self, row: dict) -> str:
        value = row["display"] + (f" {row['unit']}" if row["unit"] and row["unit"] != "%" else "")
        parts = [f'<span class="fact-card" role="tooltip"><b>{_card_text(value)}</b>',
                 f' <span class="fact-id">{_card_text(row["fact_id"])}</span>',
                 # a fact dated by the edition was recorded then, not true as of then: say which
                 f'<br>{"Recorded" if str(row["as_of"]) == _edition_day() else "As of"} '
                 f'{_card_text(facts_mod.long_date(row["as_of"]))}']
        if row["sources"]:
            links = []
            for sid in row["sources"].split(";"):
                s = self.sources.loc[sid]
                links.append(f'<a href="{esc(s["url"])}">{_card_text(s["publisher"])}: {_card_text(s["title"])}</a>')
            parts.append("<br>Sources: " + "; ".join(links))
        if row["derived_from"]:
            parts.append("<br>Derived from " + ", ".join(_card_text(p) for p in row["derived_from"].split(";")))
        parts.append(f'<br>Made by notebook {_card_text(row["notebook"])}</span>')
        return "".join(parts)

    # -- citations ------------------------------------------------------------------------------
    def _cite_rank(self, sid: str, position: int) -> tuple:
        """How a source ranks for a printed citation: primary before standard before weak, a treaty, official text
        or dataset before analysis before news before a reference work, then the writer's order."""
        s = self.sources.loc[sid]
        return (QUALITY_RANK.get(s.get("quality", ""), len(QUALITY_RANK)),
                KIND_RANK.get(s.get("kind", ""), len(KIND_RANK)), position)

    def cite(self, *items) -> str:
        """Numbered citations of sources (ids) or of facts (their sources). In print a citation names at most
        ``PRINT_CITES`` sources, the best of each item cited first, then the best of the rest; the HTML edition
        names them all, the others after the printed ones."""
        groups: list[list[str]] = []  # one per fact cited; sources named directly form one more
        named: list[str] = []
        for it in items:
            if isinstance(it, FactRef):
                srcs = [s for s in it.row["sources"].split(";") if s]
                if not srcs:
                    raise RenderError(f"fact '{it.id}' has no sources to cite (it is derived)")
                groups.append(srcs)
            elif isinstance(it, (list, tuple)):
                named.extend(it)
            else:
                named.extend(s for s in str(it).split(";") if s)
        if named:
            groups.append(named)
        ids = list(dict.fromkeys(s for g in groups for s in g))
        for sid in ids:
            if sid not in self.sources.index:
                raise RenderError(f"source '{sid}' is not in data/raw/sources.csv"
                                  + facts_mod.suggest(sid, self.sources.index))
        rank = {sid: self._cite_rank(sid, n) for n, sid in enumerate(ids)}
        shown: list[str] = []
        for g in groups:  # every fact cited keeps its best source, even past the cap
            best = min(g, key=rank.__getitem__) if g else None
            if best is not None and best not in shown:
                shown.append(best)
        for sid in sorted(ids, key=rank.__getitem__):
            if len(shown) >= PRINT_CITES:
                break
            if sid not in shown:
                shown.append(sid)
        if self.in_online or self.notebook:
            shown = ids
        for sid in ids:
            if sid not in self.cited:
                self.cited.append(sid)
        if not self.in_online:
            for sid in shown:
                if sid not in self.cited_print:
                    self.cited_print.append(sid)
        order = self.cite_order or self.cited

        def links(sids):
            nums = sorted({order.index(s) + 1 for s in sids})
            return ", ".join(f'<a class="cite" href="#src-{n}">{n}</a>' for n in nums)

        extra = [s for s in ids if s not in shown]
        more = f'<span class="online-only">, {links(extra)}</span>' if extra else ""
        return "[" + links(shown) + more + "]"

    # -- figures and tables ---------------------------------------------------------------------
    def _number(self, name: str) -> tuple[str, int]:
        if name in self.figure_order:
            return "Figure", self.figure_order.index(name) + 1
        if name in self.table_order:
            return "Table", self.table_order.index(name) + 1
        if self.final:
            raise RenderError(f"'{name}' is neither a figure nor a table placed in the brief"
                              + facts_mod.suggest(name, self.figure_order + self.table_order))
        return "Figure", 0  # first pass: numbers are not known yet

    def heading(self, name: str) -> tuple[str, str, str]:
        """(number, title, anchor) of a section: ('2', 'Title', 'southern-flank'), ('Annex B', ...) or ('', ...)."""
        numbers = self.numbering()
        if name not in numbers:
            raise RenderError(f"no section '{name}' in {paths.rel(self.text_dir)}" + facts_mod.suggest(name, numbers))
        return numbers[name]

    def numbering(self) -> dict[str, tuple[str, str, str]]:
        """Every section's number, title and anchor, from the file order: body sections (a digit first) are numbered,
        annexes (a letter first) lettered, and a heading marked {.unnumbered} is neither."""
        if getattr(self, "_numbers", None) is None:
            numbers, body, annex = {}, 0, 0
            for path in self.template_files():
                m = HEADING.search(path.read_text(encoding="utf-8"))
                if not m:
                    raise RenderError(f"{paths.rel(path)}: no heading; a section starts with '## Title' "
                                      "(or '## Title {.unnumbered}')")
                title, unnumbered = m.group(1).strip(), "unnumbered" in _classes(m)
                anchor = re.sub(r"^[0-9A-Z]+-", "", path.stem)
                if unnumbered:
                    num = ""
                elif path.stem[:1].isdigit():
                    body += 1
                    num = str(body)
                else:
                    annex += 1
                    num = f"Annex {chr(ord('A') + annex - 1)}"
                numbers[path.stem] = (num, title, anchor)
            self._numbers = numbers
        return self._numbers

    def sec(self, *names: str) -> str:
        """'Section 2', 'Annex B' or 'Sections 2 and 3', linked, for the templates named (file names without .md)."""
        parts, online = [], False
        for name in names:
            num, _, anchor = self.heading(name)
            if not num:
                raise RenderError(f"section '{name}' is not numbered, so it cannot be referred to by number")
            parts.append((num.startswith("Annex"), f'<a href="#{esc(anchor)}">{num.removeprefix("Annex ")}</a>'))
            online = online or self.is_online(self.text_dir / f"{name}.md")
        annex = parts[0][0]
        word = ("Annex" if annex else "Section") + ("es" if annex and len(parts) > 1 else "s" if len(parts) > 1 else "")
        links = [p for _, p in parts]
        where = ('<span class="print-only"> in the HTML edition</span>'
                 if online and not self.in_online and not self.notebook else "")
        return f"{word} " + (links[0] if len(links) == 1 else ", ".join(links[:-1]) + " and " + links[-1]) + where

    def contents(self) -> str:
        """The list of sections and annexes, each linked (the PDF adds page numbers)."""
        items, online = [], []
        for path in self.template_files():
            if path.stem == self.template.removesuffix(".md"):
                continue
            num, title, anchor = self.heading(path.stem)
            label = f"{num}. {title}" if num else title
            cls = "annex" if num.startswith("Annex") else ("section" if num else "unnumbered")
            if self.is_online(path):
                cls += " online-only"
                online.append(label)
            items.append(f'<li class="{cls}"><a href="#{esc(anchor)}">{esc(label)}</a></li>')
        if online:  # print names what only the HTML edition holds, so a reader knows where to look
            items.append('<li class="print-only online-note">In the HTML edition only: '
                         + "; ".join(esc(x) for x in online) + ".</li>")
        return self._block(f'<nav class="contents"><ol>{"".join(items)}</ol></nav>')

    def ref(self, name: str) -> str:
        """'Table 3', linked; an exhibit of an online section, referred to from a printed one, says where it is."""
        kind, n = self._number(name)
        where = ('<span class="print-only"> in the HTML edition</span>'
                 if name in (self.online_order or self.online_seen) and not self.in_online and not self.notebook else "")
        return f'<a href="#{kind.lower()}-{n}">{kind} {n}</a>{where}'

    @staticmethod
    def _split_caption(text: str) -> tuple[str, str]:
        text = " ".join(text.split())
        if " Source: " not in f" {text}":
            raise RenderError("a figure or table needs a caption and a source line ('... Source: ...')")
        cap, src = (" " + text).rsplit(" Source: ", 1)
        return _inline(cap.strip()), _inline(src.strip())

    def _block(self, html_text: str) -> str:
        self.blocks.append(html_text)
        return "\n\n" + BLOCK.format(len(self.blocks) - 1) + "\n\n"

    def figure(self, name: str, width: str = "100%", caller=None) -> str:
        """A numbered figure from figures/ (in a section marked {.online}: in the HTML edition only)."""
        path = paths.FIGURES_DIR / f"{name}.svg"
        if not path.exists():
            raise RenderError(f"figure '{name}' not found: {paths.rel(path)}")
        if name in self.figures_seen:
            raise RenderError(f"figure '{name}' is placed twice")
        self.figures_seen.append(name)
        if self.in_online:
            self.online_seen.append(name)
        n = len(self.figures_seen)
        caption, source = self._split_caption(caller() if caller else "")
        svg = path.read_bytes()
        if self.notebook:  # by reference, so the notebook stays small; the version tag changes when the figure does
            uri = (os.path.relpath(path, paths.NOTEBOOKS_DIR).replace(os.sep, "/")
                   + "?v=" + hashlib.sha256(svg).hexdigest()[:12])
        else:  # the HTML brief is one self-contained file
            uri = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
        alt = re.sub(r"<[^>]+>", "", re.sub(r'<span class="fact-card".*?</span></span>', "</span>", caption))
        return self._block(
            f'<figure class="figure" id="figure-{n}">'
            f'<img src="{uri}" alt="{esc(html.unescape(alt))}" style="width:{esc(width)}"/>'
            f'<figcaption><span class="label">Figure {n}.</span> {caption}'
            f'<span class="source">Source: {source}</span></figcaption></figure>')

    def table(self, name: str, widths: dict | None = None, classes: str = "", online_columns=(), group_by: str = "",
              caller=None) -> str:
        """A numbered table; ``online_columns`` (long prose, such as each scenario's reasoning) are shown in the HTML
        edition only, and the PDF says so under the table; ``group_by`` rules a line above each row that starts a
        new value of that column (a new scenario set), so the groups show even where the column is not printed."""
        t = tables.declared(name)
        df = tables.load(name)
        if name in self.tables_seen:
            raise RenderError(f"table '{name}' is placed twice")
        self.tables_seen.append(name)
        if self.in_online:
            self.online_seen.append(name)
        n = len(self.tables_seen)
        caption, source = self._split_caption(caller() if caller else "")
        widths = widths or {}
        unknown = (set(widths) | set(online_columns) | ({group_by} - {""})) - set(t.names)
        if unknown:
            raise RenderError(f"table '{name}' has no column {sorted(unknown)}; its columns: {list(t.names)}")
        col = {c: ' class="online-col"' if c in online_columns else "" for c in t.names}
        # the notebook stays small: a column kept for the HTML edition (long prose) is left out of it altogether
        names = [c for c in t.names if not (self.notebook and c in online_columns)]
        head = "".join(f'<th{col[c]} style="width:{esc(widths[c])}">{esc(c)}</th>' if c in widths else f"<th{col[c]}>{esc(c)}</th>"
                       for c in names)
        body = []
        shown = df
        if self.notebook and self.in_online and len(df) > NOTEBOOK_ROWS:
            shown = df.head(NOTEBOOK_ROWS)  # the notebook stays small: the first rows, the rest in the HTML brief
        groups = list(shown[group_by]) if group_by else [None] * len(shown)
        for i, row in enumerate(shown.itertuples(index=False)):
            cells = []
            for c, v in zip(t.names, row):
                if c not in names:
                    continue
                if c == group_by and c not in online_columns:
                    # a printed group column names its group once, in a cell that spans the group's rows
                    if i == 0 or groups[i] != groups[i - 1]:
                        span = next((k for k in range(i + 1, len(groups)) if groups[k] != groups[i]), len(groups)) - i
                        cells.append(f'<td class="group-label" rowspan="{span}">{esc(v)}</td>')
                elif c in t.cite:
                    cells.append(f"<td{col[c]}>{self.cite(*v.split(';'))}</td>")
                elif c in t.verdict:
                    from .vocab import VERDICT_LABELS
                    cells.append(f'<td{col[c]}><span class="status status-{esc(v)}">{esc(VERDICT_LABELS[v])}</span></td>')
                else:
                    cells.append(f"<td{col[c]}>{esc(v)}</td>")
            starts = group_by and i > 0 and groups[i] != groups[i - 1]
            body.append(('<tr class="group-start">' if starts else "<tr>") + "".join(cells) + "</tr>")
        notes = ""
        if len(shown) < len(df):
            notes += (f"<p>The first {len(shown)} of {len(df):,} rows; all are in report/brief.html and "
                       f"data/processed/tables/{name}.csv.</p>")
        if online_columns:
            notes += (f'<p class="print-note print-only">The column{"s" if len(online_columns) > 1 else ""} '
                       f'{", ".join(online_columns)} {"are" if len(online_columns) > 1 else "is"} in the HTML edition.</p>')
        return self._block(
            f'<figure class="table {esc(classes)}" id="table-{n}">'
            f'<figcaption><span class="label">Table {n}.</span> {caption}</figcaption>'
            f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{notes}'
            f'<p class="source">Source: {source}</p></figure>')

    def names(self, ref, caller=None) -> str:
        """``{% call names(f.other_candidate_names) %}text{% endcall %}``: text that names, in prose, each item of a
        list the data holds ('A; B; C'). The build stops if the text leaves one out, so a list written by hand
        cannot fall behind the data (a new candidate, member or observer)."""
        r = _ref(ref)
        text = caller() if caller else ""
        plain = html.unescape(re.sub(r'<span class="fact-card".*?</span></span>', "", text, flags=re.S))
        plain = re.sub(r"<[^>]+>", "", plain)
        missing = [n for n in (x.strip() for x in str(r.value).split(";")) if n and n not in plain]
        if missing:
            raise RenderError(f"the text that names {r.id} leaves out {', '.join(missing)}, which the data holds: "
                              "name each in it")
        return text

    def n_cited(self, where: str = "print") -> str:
        """How many sources the printed text cites (the list ``sources_list`` prints), or with ``"online"`` how
        many more the online sections alone cite; counted in the first pass."""
        everything = self.cite_order or self.cited
        printed = self.cite_print_order if self.cite_order else self.cited_print
        if where not in ("print", "online"):
            raise RenderError(f"n_cited('{where}'): say 'print' or 'online'")
        return f"{len(printed) if where == 'print' else len(everything) - len(printed):,}"

    def changes_since(self) -> str:
        """The annex on what changed since the last published edition (data/editions/): numbers that moved, with
        their reasons (data/raw/changes.csv), and judgments added, moved or retired, with theirs (judgments.csv,
        since_last); then how past judgments fared. A change without a reason stops the build, naming it."""
        from . import config, data, editions

        cfg = config.load()
        since = editions.last_before(cfg.version)
        if since is None:
            return self._block('<p>This is the first published edition: there is nothing to compare it with.</p>')
        judgments = data.load("judgments.csv")
        jtext = pd.read_csv(paths.RAW_DIR / "judgments.csv", dtype=str, keep_default_na=False)
        reasons = pd.read_csv(paths.RAW_DIR / "changes.csv", dtype=str, keep_default_na=False)
        used = list(dict.fromkeys(self.used_first or [u["fact_id"] for u in self.used]))
        ch = editions.changes(since, self.facts, used, jtext, reasons)
        if ch.problems and self.final:
            raise RenderError("changes since edition " + since + " without a reason:\n  " + "\n  ".join(ch.problems))
        date = facts_mod.long_date(editions.published().set_index("edition").loc[since, "date"])
        if date == facts_mod.long_date(cfg.as_of.isoformat()):
            date += ", earlier the same day"
        # an edition that weighs the same evidence as the last one says so: its changes are corrections and
        # second readings, and a reader should not take them for news
        then_cutoff = str(editions.published().set_index("edition").loc[since, "evidence_cutoff"])
        now_cutoff = str(self.facts.loc["evidence_cutoff", "display"]) if "evidence_cutoff" in self.facts.index else ""
        same = (f' Both weigh evidence to {esc(now_cutoff)}: the changes come from a review, not from new events.'
                if then_cutoff == now_cutoff else "")
        kinds = {"correction": "correction", "new-data": "new data year", "new-source": "new source", "method": "method"}
        frows = "".join(f'<tr><td>{esc(r.what)}</td><td class="online-col">{esc(r.fact_id)}</td><td>{esc(r.old)}</td>'
                        f'<td>{esc(r.new)}</td><td>{esc(kinds.get(r.reason_kind, r.reason_kind))}</td><td>{esc(r.reason)}</td></tr>'
                        for r in ch.facts.itertuples())
        then = editions.frozen_judgments(since)
        # a retired judgment of an edition that had no short labels takes the one its reason row gives (what)
        named = {r.item: r.what for r in reasons.itertuples() if r.item_kind == "judgment" and r.what}
        label = {**named, **{k: v for k, v in zip(then["judgment_id"], then["label"]) if v},
                 **dict(zip(jtext["judgment_id"], jtext["label"]))}
        statement = {**dict(zip(then["judgment_id"], then["statement"])),
                     **dict(zip(jtext["judgment_id"], jtext["statement"]))}
        old_statement = dict(zip(then["judgment_id"], then["statement"]))

        def in_full(r):  # a redefined judgment shows what it asked before
            now = statement[r.judgment_id]
            return f"{now} (edition {since}: {old_statement[r.judgment_id]})" if r.change == "redefined" else now

        jrows = "".join(f'<tr><td>{esc(label.get(r.judgment_id) or statement[r.judgment_id])}</td>'
                        f'<td class="online-col">{esc(in_full(r))}</td>'
                        f'<td>{esc(r.change)}</td><td>{esc(r.old)}</td><td>{esc(r.old_confidence)}</td><td>{esc(r.new)}</td>'
                        f'<td>{esc(r.new_confidence)}</td><td class="online-col">{esc(r.reason)}</td></tr>'
                        for r in ch.judgments.itertuples())
        # an earlier edition's range that crossed a band edge of the scale is shown as published, and said to be so
        crossed = sum(1 for r in ch.judgments.itertuples() if _crosses_band(r.old))
        broke = (f'{crossed} of the ranges of edition {esc(since)} crossed a band edge of the scale '
                 f'({self.ref("likelihood_scale")}), which this edition no longer allows. ' if crossed else "")
        self.tables_seen.append("changes-facts")
        nf = len(self.tables_seen)
        self.tables_seen.append("changes-judgments")
        nj = len(self.tables_seen)
        outcomes = data.load("outcomes.csv")
        n, brier = editions.score(outcomes)
        first_due = facts_mod.long_date(min(judgments["horizon"]).date().isoformat())
        fared = (esc(f"{n} judgments of past editions have been settled; their Brier score is {brier:.2f} (0 is "
                     "perfect, 0.25 what always saying fifty-fifty would score).") if n else
                 esc(f"No judgment of a published edition has reached its horizon yet; the first fall due on {first_due}, "
                     "when each is settled by its test in ") + self.ref("resolutions") + " and scored here.")
        more = (f'<p class="print-note print-only">The {len(ch.added)} numbers new to the text and the {len(ch.dropped)} it no '
                'longer uses are listed in the HTML edition.</p>'
                f'<p class="online-only">New to the text: {esc(", ".join(ch.added)) or "none"}. No longer used: '
                f'{esc(", ".join(ch.dropped)) or "none"}.</p>')
        return self._block(
            f'<p>Edition {esc(since)} was published on {esc(date)}. Since then {len(ch.facts)} numbers of the text '
            f'have changed value and {len(ch.judgments)} judgments have been added, redefined, moved or retired; each with its '
            f'reason.{same}</p>'
            f'<figure class="table compact" id="table-{nf}"><figcaption><span class="label">Table {nf}.</span> Numbers '
            f'of the text whose value changed since edition {esc(since)}.</figcaption><table><thead><tr>'
            '<th style="width:22%">Number</th><th class="online-col">Fact</th><th style="width:12%">Then</th>'
            '<th style="width:12%">Now</th><th style="width:10%">Reason</th><th>Why</th></tr></thead>'
            f'<tbody>{frows}</tbody></table>{more}<p class="source">Source: csto-brief, published editions and change log.</p>'
            '</figure>'
            f'<figure class="table compact" id="table-{nj}"><figcaption><span class="label">Table {nj}.</span> '
            f'Judgments added, redefined (a new statement), moved (range or confidence) or retired since edition '
            f'{esc(since)}.</figcaption><table>'
            '<thead><tr><th style="width:40%">Judgment</th><th class="online-col">In full</th><th style="width:10%">Change</th>'
            '<th style="width:12%">Then</th><th style="width:13%">Confidence then</th>'
            f'<th style="width:12%">Now</th><th style="width:13%">Confidence now</th><th class="online-col">Why</th></tr></thead>'
            f'<tbody>{jrows}</tbody></table>'
            f'<p class="print-note">{broke}<span class="print-only">Why each judgment was added, redefined, moved or retired is '
            'given beside it in the HTML edition and in the data.</span></p>'
            '<p class="source">Source: csto-brief, published editions and judgments.</p></figure>'
            f'<p><strong>How past judgments fared.</strong> {fared}</p>')

    def sources_list(self) -> str:
        order = self.cite_order or self.cited
        printed = set(self.cite_print_order if self.cite_order else self.cited_print)
        # the second pass numbers the printed sources first (render()), so the printed list, which leaves out those
        # cited only online (in an online section, or past a printed citation's cap), has no gap in its numbers
        accessed = {self.sources.loc[sid, "date_accessed"] for sid in order}
        common = accessed.pop() if len(accessed) == 1 else None
        items = []
        for n, sid in enumerate(order, start=1):
            s = self.sources.loc[sid]
            # a page with no date of its own (dated only by the copy that was read) is "n.d.", with its access date
            undated = s.get("date_basis", "") == "stored-copy" or not s["date_published"]
            published = ", n.d." if undated else f", {facts_mod.long_date(s['date_published'])}"
            # URLs are shown percent-encoded: a path in another script (Armenian, say) needs no extra font
            shown = urllib.parse.quote(re.sub(r"^https?://(www\.)?", "", s["url"]), safe=URL_SAFE)
            if self.notebook:  # the notebook stays small: the link shows the site, the full address is behind it
                shown = (urllib.parse.urlsplit(s["url"]).hostname or shown).removeprefix("www.")
            when = "" if (common and not undated) or (self.notebook and not undated) else \
                f" (accessed {facts_mod.long_date(s['date_accessed'].date().isoformat())})"
            # (the notebook stays small: a dated page's access date is in the HTML brief and the data; the printed
            # list gives it only for a page with no date of its own, where it is the only date there is)
            if when and not undated:
                when = f'<span class="online-only">{when}</span>'

            stop = "" if published.endswith(".") else "."  # 'n.d.' ends the date already: no 'n.d..'
            online = "" if sid in printed else ' class="online-only"'
            items.append(f'<li id="src-{n}" value="{n}"{online}>{esc(s["publisher"])}, {_title(s)}{published}{stop} '
                         f'<a href="{esc(s["url"])}">{esc(shown)}</a>{when}.</li>')
        note = (f'<p class="sources-note">Every source was read, as a stored copy, on '
                f'{facts_mod.long_date(common.date().isoformat())}.</p>' if common is not None else "")
        return self._block(f'{note}<ol class="sources">{"".join(items)}</ol>')

    # -- templates ------------------------------------------------------------------------------
    def environment(self):
        import jinja2

        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(self.text_dir)), undefined=jinja2.StrictUndefined,
                                 autoescape=False, keep_trailing_newline=True)
        env.filters.update(num=f_num, words=f_words, cap=f_cap, lower=f_lower, pl=f_pl, plural=f_plural,
                           year=f_year, month=f_month, date=f_date)
        env.globals.update(f=Facts(self), cite=self.cite, ref=self.ref, sec=self.sec, contents=self.contents, figure=self.figure, table=self.table,
                           sources_list=self.sources_list, n_cited=self.n_cited, print_cites=WORDS[PRINT_CITES], changes_since=self.changes_since,
                           names=self.names,
                           rng=lambda a, b: f"{a}\u2013{b}")
        return env

    @staticmethod
    def is_online(path: Path) -> bool:
        """A section whose heading is marked {.online} is in the HTML edition only (full tables, supporting charts)."""
        m = HEADING.search(path.read_text(encoding="utf-8"))
        return bool(m) and "online" in _classes(m)

    def template_files(self) -> list[Path]:
        files = sorted(self.text_dir.glob("*.md"))
        if not files:
            raise RenderError(f"no templates in {paths.rel(self.text_dir)}")
        return files

    def render_all(self) -> list[Section]:
        env = self.environment()
        sections = []
        for path in self.template_files():
            self.template = path.name
            self.blocks = []
            self.in_online = self.is_online(path)
            try:
                text = env.get_template(path.name).render()
            except Exception as exc:  # noqa: BLE001 - every failure is reported with file and line
                raise RenderError(_where(exc, path) + f": {_message(exc)}") from None
            num, title, anchor = self.heading(path.stem)
            label = f"{num}. {title}" if num else title
            # the heading's classes other than 'unnumbered' reach the page: {.new-page} starts a new page in print
            text = HEADING.sub(lambda m: self._block(
                f'<h2 id="{esc(anchor)}"'
                + (f' class="{esc(" ".join(c for c in _classes(m) if c != "unnumbered"))}"'
                   if [c for c in _classes(m) if c != "unnumbered"] else "")
                + f'>{esc(label)}</h2>'), text, count=1)
            if self.in_online:
                text = self._block('<section class="online-only">') + text + self._block("</section>")
            sections.append(Section(path.stem, _split(text, self.blocks), self.in_online))
        return sections


HEADING = re.compile(r"^## (.+?)(?: \{((?:\.[\w-]+ ?)+)\})?[ \t]*$", re.M)  # '## Title {.unnumbered .new-page}'


def _crosses_band(shown: str) -> bool:
    """Whether a range as printed ('2–8%') crosses a band edge of the likelihood scale; a blank is no range."""
    from . import config

    m = re.fullmatch(r"(\d+(?:\.\d+)?)\u2013(\d+(?:\.\d+)?)%", str(shown).strip())
    return bool(m) and config.likelihood_band(float(m.group(1)), float(m.group(2))) is None


def _classes(m) -> list[str]:
    return [c.lstrip(".") for c in (m.group(2) or "").split()]


def markdown_html(text: str) -> str:
    """Markdown as HTML (CommonMark, raw HTML passed through), the one converter of the brief's text."""
    return _markdown()(text)


@functools.lru_cache(maxsize=1)
def _markdown():
    import mistune

    return mistune.create_markdown(escape=False, plugins=["strikethrough", "table", "url"])


def _inline(text: str) -> str:
    """A caption's Markdown (inline: emphasis, links) as HTML, without the paragraph around it."""
    out = markdown_html(text).strip()
    return out.removeprefix("<p>").removesuffix("</p>") if out.count("<p>") == 1 else out


def _md(text: str) -> Block:
    return Block("markdown", text + "\n")


def _split(text: str, blocks: list[str]) -> list[Block]:
    out: list[Block] = []
    pos = 0
    for m in BLOCK_RE.finditer(text):
        md = text[pos:m.start()].strip()
        if md:
            out.append(_md(md))
        out.append(Block("html", blocks[int(m.group(1))]))
        pos = m.end()
    rest = text[pos:].strip()
    if rest:
        out.append(_md(rest))
    return out


def _where(exc: BaseException, path: Path) -> str:
    line = getattr(exc, "lineno", None)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and frame.filename.endswith(path.name):
            line = frame.lineno
    return f"{paths.rel(path)}, line {line}" if line else paths.rel(path)


def _message(exc: BaseException) -> str:
    import jinja2

    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined name: {exc.message}"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template syntax: {exc.message}"
    return str(exc) if isinstance(exc, (RenderError, KeyError)) else f"{type(exc).__name__}: {exc}"


# -- checks ----------------------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def typed_digits(text: str, name: str = "template") -> list[str]:
    """Digits typed outside a placeholder, each as 'file, line N: ...', except ALLOWED_DIGITS."""
    stripped = PLACEHOLDER.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    problems = []
    for n, line in enumerate(stripped.splitlines(), start=1):
        rest = line
        for pattern, _why in ALLOWED_DIGITS:
            rest = re.sub(pattern, " ", rest)
        m = re.search(r"\d[\d,.]*", rest)
        if m:
            problems.append(f"{name}, line {n}: the number {m.group(0)!r} is typed; take it from a fact "
                            f"({{{{ f.name }}}}), so it follows the data")
    return problems


def check_templates(text_dir: Path = TEXT_DIR) -> None:
    problems = []
    for path in sorted(text_dir.glob("*.md")):
        problems.extend(typed_digits(path.read_text(encoding="utf-8"), paths.rel(path)))
    if problems:
        raise RenderError("numbers typed in the brief's text:\n  " + "\n  ".join(problems))


@dataclass
class Rendered:
    sections: list[Section]
    used: list[dict]
    cited: list[str]
    figures: list[str]
    tables: list[str]
    facts: pd.DataFrame

    @staticmethod
    def section_html(section: Section) -> str:
        return "\n".join(f'<div class="prose">\n{markdown_html(b.content)}</div>' if b.kind == "markdown" else b.content
                         for b in section.blocks)

    def body_html(self) -> str:
        """The brief's body: every section, as HTML (the export wraps it in the title page and the stylesheet)."""
        return "\n".join(self.section_html(s) for s in self.sections)

    def show(self) -> None:
        """Display the brief in a notebook, one output per section."""
        from IPython.display import HTML, display

        for s in self.sections:
            if s.online:  # the notebook stays small: the HTML edition's own full tables and charts are named, not shown
                heading = next(b.content for b in s.blocks if b.content.startswith("<h2"))
                display(HTML(f'{heading}<p>In the HTML edition only: see report/brief.html.</p>'))
                continue
            display(HTML(self.section_html(s)))

    def facts_used(self) -> pd.DataFrame:
        """Every fact the prose uses, once, with its sources and where it appears: report/facts.csv."""
        used = pd.DataFrame(self.used, columns=["fact_id", "shown", "template"])
        where = used.groupby("fact_id", sort=False)["template"].agg(lambda t: ";".join(dict.fromkeys(t)))
        shown = used.groupby("fact_id", sort=False)["shown"].agg(lambda t: " | ".join(dict.fromkeys(t)))
        rows = self.facts.loc[list(where.index)].reset_index(drop=True)
        from . import data

        src = data.load("sources.csv").set_index("source_id")["url"]
        rows["source_urls"] = rows["sources"].map(lambda s: " ".join(src[x] for x in s.split(";") if x))
        rows["shown_as"] = rows["fact_id"].map(shown)
        rows["used_in"] = rows["fact_id"].map(where)
        return rows[["fact_id", "display", "shown_as", "value", "type", "unit", "as_of", "sources", "source_urls",
                     "derived_from", "notebook", "used_in", "note"]].sort_values("fact_id").reset_index(drop=True)


def render(text_dir: Path | None = None, notebook: bool = False) -> Rendered:
    """Render every section twice: the first pass numbers figures, tables and citations in order of
    appearance, the second writes them. ``notebook=True``: as notebook 05 shows it (figures by reference, no
    fact cards)."""
    text_dir = text_dir or TEXT_DIR
    check_templates(text_dir)
    first = Renderer(text_dir, notebook=notebook)
    first.render_all()
    second = Renderer(text_dir, figure_order=first.figures_seen, table_order=first.tables_seen,
                      cite_order=first.cited_print + [s for s in first.cited if s not in first.cited_print],
                      final=True, notebook=notebook,
                      used_first=[u["fact_id"] for u in first.used], online_order=first.online_seen,
                      cite_print_order=first.cited_print)
    sections = second.render_all()
    return Rendered(sections, second.used, second.cited, second.figures_seen, second.tables_seen, second.facts)
