"""Every indicator of every member checked against a second source, with tolerances declared in one place.

The brief's figures come from the World Bank (population, area, GDP; PPP factors and exchange rates) and SIPRI
(military spending). Each member's value is set against the CIA World Factbook's (final edition, January 2026)
for the same year where the brief's source has that year, and against SIPRI's implied exchange rate for the
World Bank's. A gap beyond the indicator's tolerance stops the build with one line naming country, indicator,
both values and both sources, unless ``data/raw/indicators/crosscheck_notes.csv`` says which value the brief
uses and why. Notebook 03 runs :func:`run` before it uses any indicator, and :func:`apply` puts the values the
notes choose into the member table::

    result = crosscheck.run(members)          # raises CrossCheckError on an unexplained disagreement
    table = crosscheck.apply(table, result)   # the notes' choices, with the source of each value
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from . import data

PRIMARY = {"wdi": "worldbank-wdi-2026", "sipri": "sipri-milex-2026"}
FACTBOOK = "cia-factbook-2026"
NOTES_FILE = "indicators/crosscheck_notes.csv"
# Where the brief's value of each checked indicator lies: file (in data/raw), column, and its code in that file
# (the validator names file, row and column of a disagreement from this: csto_brief.rules).
VALUE_FILES = {
    "population": ("indicators/wdi.csv", "value", "SP.POP.TOTL"),
    "area_km2": ("indicators/wdi.csv", "value", "AG.SRF.TOTL.K2"),
    "gdp_usd": ("indicators/wdi.csv", "value", "NY.GDP.MKTP.CD"),
    "gdp_ppp": ("indicators/wdi_ppp.csv", "value", "PA.NUS.PPP"),
    "exchange_rate": ("indicators/wdi_ppp.csv", "value", "PA.NUS.FCRF"),
    "milex_share_gdp": ("indicators/sipri_milex_share_gdp.csv", "share_pct", None),
}


@dataclass(frozen=True)
class Tolerance:
    limit: float
    kind: str  # "relative": |a / b - 1|; "points": |a - b| in percentage points
    why: str

    def gap(self, a: float, b: float) -> float:
        return abs(a / b - 1) if self.kind == "relative" else abs(a - b)

    def shown(self) -> str:
        return f"{100 * self.limit:g}%" if self.kind == "relative" else f"{self.limit:g} points"


# The one place where the tolerances are declared.
TOLERANCES = {
    "population": Tolerance(0.05, "relative", "estimates of the same year from different census bases"),
    "area_km2": Tolerance(0.02, "relative", "area changes little; definitions of water and territories differ"),
    "gdp_usd": Tolerance(0.15, "relative", "different revisions and exchange rates of the same year"),
    "milex_share_gdp": Tolerance(0.5, "points", "SIPRI's and NATO's definitions and GDP estimates differ"),
    "gdp_ppp": Tolerance(0.15, "relative", "GDP at PPP relative to the US: checks the PPP factor read by hand"),
    "exchange_rate": Tolerance(0.03, "relative", "annual averages of the same official rate"),
}
LABELS = {"population": "population", "area_km2": "area (km²)", "gdp_usd": "GDP (US$)",
          "milex_share_gdp": "military spending (% of GDP)", "gdp_ppp": "GDP at PPP",
          "exchange_rate": "exchange rate (currency per US$)"}
# The brief's indicator: (its source, the Factbook's indicator)
FACTBOOK_OF = {"population": "population", "area_km2": "area_total", "gdp_usd": "gdp_official_exchange_rate",
               "milex_share_gdp": "military_expenditure_pct_gdp", "gdp_ppp": "real_gdp_ppp"}


class CrossCheckError(ValueError):
    """``items``: (iso3, indicator, year of the brief's value or None, message, what: 'gap' or 'note')."""

    def __init__(self, message: str, items: list[tuple] = ()):
        super().__init__(message)
        self.items = list(items)


@dataclass(frozen=True)
class Result:
    checks: pd.DataFrame  # one row per value checked, with its verdict: within, noted
    notes: pd.DataFrame

    @property
    def n_checked(self) -> int:
        return len(self.checks)

    @property
    def n_within(self) -> int:
        return int(self.checks["within"].sum())

    @property
    def n_noted(self) -> int:
        return int(self.checks["noted"].sum())

    def largest(self, kind: str = "relative") -> pd.Series:
        rows = self.checks[self.checks["kind"] == kind]
        return rows.loc[rows["gap"].idxmax()]


def _fmt(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


def _year(y) -> str:
    return "undated" if y is None or (isinstance(y, float) and math.isnan(y)) or y is pd.NA else str(int(y))


def _latest(df: pd.DataFrame, year: int | None) -> tuple[float, int] | None:
    df = df[df["value"].notna()]
    if df.empty:
        return None
    hit = df[df["year"] == year] if year is not None else df.iloc[0:0]
    row = hit.iloc[0] if len(hit) else df.loc[df["year"].idxmax()]
    return float(row["value"]), int(row["year"])


def pairs(members: list[str], raw_dir=None) -> pd.DataFrame:
    """The values to compare: one row per member and indicator with the brief's value (its year and source)
    and the second source's. Same year where the brief's source has the second source's year."""
    wdi = data.load("indicators/wdi.csv", raw_dir)
    ppp = data.load("indicators/wdi_ppp.csv", raw_dir)
    share = data.load("indicators/sipri_milex_share_gdp.csv", raw_dir).rename(columns={"share_pct": "value"})
    usd = data.load("indicators/sipri_milex_current_usd.csv", raw_dir)
    lcu = data.load("indicators/sipri_milex_local_currency.csv", raw_dir)
    fb = data.load("indicators/factbook.csv", raw_dir).set_index(["iso3", "indicator"])
    code = {ind: c for ind, (f, _, c) in VALUE_FILES.items() if f == "indicators/wdi.csv"}
    rows = []

    def add(iso3, ind, mine, src, other, other_src, other_year):
        if mine is None or other is None or (isinstance(other, float) and math.isnan(other)):
            return
        rows.append({"iso3": iso3, "indicator": ind, "value": mine[0], "year": mine[1], "source": src,
                     "check_value": float(other), "check_year": other_year, "check_source": other_src})

    for iso3 in members:
        def factbook(ind):
            key = (iso3, FACTBOOK_OF[ind])
            if key not in fb.index or pd.isna(fb.loc[key, "value"]):
                return None, None
            y = fb.loc[key, "year"]
            return float(fb.loc[key, "value"]), (int(y) if pd.notna(y) else None)

        for ind, c in code.items():
            v, y = factbook(ind)
            add(iso3, ind, _latest(wdi[(wdi["iso3"] == iso3) & (wdi["indicator"] == c)], y),
                PRIMARY["wdi"], v, FACTBOOK, y)
        v, y = factbook("milex_share_gdp")
        add(iso3, "milex_share_gdp", _latest(share[share["iso3"] == iso3], y), PRIMARY["sipri"], v, FACTBOOK, y)
        # GDP at PPP = GDP (US$) x exchange rate / PPP factor: checks the PPP factor read from WDI. The
        # Factbook's is in 2021 dollars, WDI's in current international $: both are put relative to the US,
        # whose GDP at PPP is its GDP in US$ (factor 1), and shown in the Factbook's dollars.
        v, y = factbook("gdp_ppp")
        if y is not None:
            g = wdi[(wdi["iso3"] == iso3) & (wdi["indicator"] == "NY.GDP.MKTP.CD") & (wdi["year"] == y)]["value"]
            fx = ppp[(ppp["iso3"] == iso3) & (ppp["indicator"] == "PA.NUS.FCRF") & (ppp["year"] == y)]
            pf = ppp[(ppp["iso3"] == iso3) & (ppp["indicator"] == "PA.NUS.PPP") & (ppp["year"] == y)]
            if len(g) and len(fx) and len(pf):
                factor = float(pf["value"].iloc[0])
                if pf["currency"].iloc[0] != fx["currency"].iloc[0]:
                    from .blocs import EURO_CONVERSION
                    factor *= EURO_CONVERSION[fx["currency"].iloc[0]]
                us_wdi = wdi[(wdi["iso3"] == "USA") & (wdi["indicator"] == "NY.GDP.MKTP.CD") & (wdi["year"] == y)]
                us_fb = fb.loc[("USA", "real_gdp_ppp"), "value"] if ("USA", "real_gdp_ppp") in fb.index else math.nan
                if len(us_wdi) and pd.notna(us_fb):
                    rebased = float(g.iloc[0]) * float(fx["value"].iloc[0]) / factor * float(us_fb) / float(us_wdi["value"].iloc[0])
                    add(iso3, "gdp_ppp", (rebased, y), PRIMARY["wdi"] + " (derived)", v, FACTBOOK, y)
        # WDI's exchange rate against the rate implied by SIPRI's local-currency and US$ figures, each year
        for r in ppp[(ppp["iso3"] == iso3) & (ppp["indicator"] == "PA.NUS.FCRF")].itertuples():
            u = usd[(usd["iso3"] == iso3) & (usd["year"] == r.year)]["milex_usd_m"]
            m = lcu[(lcu["iso3"] == iso3) & (lcu["year"] == r.year)]["milex_lcu_m"]
            if len(u) and len(m) and pd.notna(u.iloc[0]) and pd.notna(m.iloc[0]) and u.iloc[0] > 0:
                add(iso3, "exchange_rate", (float(r.value), int(r.year)), PRIMARY["wdi"],
                    float(m.iloc[0]) / float(u.iloc[0]), PRIMARY["sipri"] + " (implied)", int(r.year))
    return pd.DataFrame(rows)


def compare(p: pd.DataFrame, notes: pd.DataFrame, names: dict[str, str] | None = None) -> Result:
    """Judge every pair against its tolerance; raise CrossCheckError naming every disagreement that no note
    explains, every note that explains nothing, and every note whose value is neither source's."""
    names = names or {}
    out = p.copy()
    tol = out["indicator"].map(TOLERANCES)
    out["kind"] = tol.map(lambda t: t.kind)
    out["limit"] = tol.map(lambda t: t.limit)
    out["gap"] = [t.gap(a, b) for t, a, b in zip(tol, out["value"], out["check_value"])]
    out["within"] = out["gap"] <= out["limit"] + 1e-12
    keyed = notes.set_index(["iso3", "indicator"]) if len(notes) else None
    noted = []
    problems = []
    items = []
    beyond = set(zip(out.loc[~out["within"], "iso3"], out.loc[~out["within"], "indicator"]))
    for r in out.itertuples():
        has = keyed is not None and (r.iso3, r.indicator) in keyed.index
        noted.append(bool(has and not r.within))
        who = f"{names.get(r.iso3, r.iso3)} ({r.iso3})"
        if not r.within and not has:
            t = TOLERANCES[r.indicator]
            gap = f"{100 * r.gap:.1f}%" if t.kind == "relative" else f"{r.gap:.2f} points"
            problems.append(
                f"cross-check: {who}, {LABELS[r.indicator]}: {_fmt(r.value)} ({r.source}, {r.year}) against "
                f"{_fmt(r.check_value)} ({r.check_source}, {_year(r.check_year)}), gap {gap} > {t.shown()}; "
                f"add a row to data/raw/{NOTES_FILE} saying which value the brief uses and why")
            items.append((r.iso3, r.indicator, int(r.year), problems[-1], "gap"))
        elif has:
            n = keyed.loc[(r.iso3, r.indicator)]
            chosen = r.value if n["use"] == "primary" else r.check_value
            if r.within:
                if (r.iso3, r.indicator) in beyond:
                    continue  # another year of the same pair is the one the note explains
                problems.append(f"cross-check: {who}, {LABELS[r.indicator]}: a note in data/raw/{NOTES_FILE} "
                                f"explains a gap that is within tolerance; remove it")
                items.append((r.iso3, r.indicator, None, problems[-1], "note"))
            elif not math.isclose(float(n["value_used"]), chosen, rel_tol=1e-6):
                problems.append(f"cross-check: {who}, {LABELS[r.indicator]}: the note's value_used "
                                f"{_fmt(float(n['value_used']))} is not the {n['use']} value {_fmt(chosen)}")
                items.append((r.iso3, r.indicator, None, problems[-1], "note"))
    out["noted"] = noted
    if keyed is not None:
        known = set(zip(out["iso3"], out["indicator"]))
        for (iso3, ind) in keyed.index:
            if (iso3, ind) not in known:
                problems.append(f"cross-check: a note in data/raw/{NOTES_FILE} for {iso3} {ind} matches no value checked")
                items.append((iso3, ind, None, problems[-1], "note"))
    if problems:
        raise CrossCheckError("\n".join(problems), items)
    return Result(out, notes)


def run(members: list[str], raw_dir=None) -> Result:
    names = data.load("countries.csv", raw_dir).set_index("iso3")["short_name"].to_dict()
    return compare(pairs(members, raw_dir), data.load(NOTES_FILE, raw_dir), names)


def apply(table: pd.DataFrame, result: Result) -> pd.DataFrame:
    """The member table with the value each note chose (``use`` = crosscheck puts the Factbook's value in),
    and a ``<indicator>_source`` column naming the source of every value."""
    out = table.copy()
    for ind in ("population", "area_km2", "gdp_usd", "milex_share_gdp"):
        if ind in out.columns:
            out[f"{ind}_source"] = PRIMARY["sipri" if ind == "milex_share_gdp" else "wdi"]
    for n in result.notes.itertuples():
        if n.use != "crosscheck" or n.indicator not in out.columns:
            continue
        hit = out["iso3"] == n.iso3
        out.loc[hit, n.indicator] = float(n.value_used)
        out.loc[hit, f"{n.indicator}_source"] = FACTBOOK
        checked = result.checks[(result.checks["iso3"] == n.iso3) & (result.checks["indicator"] == n.indicator)]
        if len(checked) and pd.notna(checked["check_year"].iloc[0]) and f"{n.indicator}_year" in out.columns:
            out.loc[hit, f"{n.indicator}_year"] = int(checked["check_year"].iloc[0])
    return out
