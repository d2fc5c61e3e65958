"""The two alliances side by side: one table of member indicators, and bloc totals that never hide a gap.

A bloc total is the sum over its members. A member without a value is not counted as zero: the total
is marked incomplete and names who is missing, and every ratio built on it carries the flag on. Each member
contributes its latest year; a member whose latest year is older than the bloc's is named (``Total.lagging``)
so that a label can say so.

Military spending can also be put at purchasing-power parity (:func:`spending_at_ppp`): SIPRI's figure in local
currency divided by the World Bank's PPP conversion factor for GDP.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from . import data

# Indicator: (label, unit, source id, column in the member table)
INDICATORS = {
    "population": ("Population", "million people", "worldbank-wdi-2026"),
    "area_km2": ("Area", "million km²", "worldbank-wdi-2026"),
    "gdp_usd": ("GDP", "US$ trillion, current", "worldbank-wdi-2026"),
    "milex_usd": ("Military spending", "US$ billion, current", "sipri-milex-2026"),
    "forces": ("Active armed forces", "thousand, estimates", "cia-factbook-2026"),
}
# Fixed conversion rates of currencies replaced by the euro (units per euro), for factors stated in euro
EURO_CONVERSION = {"BGN": 1.95583, "HRK": 7.53450}
WDI_CODES = {"SP.POP.TOTL": "population", "AG.SRF.TOTL.K2": "area_km2", "NY.GDP.MKTP.CD": "gdp_usd",
             "MS.MIL.TOTL.P1": "personnel"}


class BlocError(ValueError):
    pass


# A figure of active forces in the CIA World Factbook's words: "approximately 7,500", "estimated 1.1-1.2 million",
# "approximately 50-60,000" (a range whose first bound drops its thousands)
_FORCES = re.compile(r"(\d[\d,.]*)\s*(?:[-–]\s*(\d[\d,.]*))?\s*(million)?", re.I)


def factbook_forces(text: str) -> float | None:
    """Active armed forces from the Factbook's text on military personnel: the first clause (between semicolons)
    that gives a figure, before any parenthesis (a breakdown by service, the year); a range counts at its midpoint.
    Paramilitary forces, named in later clauses, are left out. ``None`` when no clause gives a figure."""
    for clause in str(text).split(";"):
        m = _FORCES.search(clause.split("(")[0])
        if not m:
            continue
        lo, hi = (float(x.replace(",", "")) for x in (m.group(1), m.group(2) or m.group(1)))
        if m.group(3):
            lo, hi = lo * 1e6, hi * 1e6
        elif m.group(2) and lo < hi / 100:  # "50-60,000": the first bound is in thousands too
            lo *= 1000
        if lo > hi:
            raise BlocError(f"the Factbook's forces text gives a range that falls: {text!r}")
        return (lo + hi) / 2
    return None


@dataclass(frozen=True)
class Total:
    indicator: str
    value: float
    members: tuple[str, ...]
    missing: tuple[str, ...] = field(default=())
    lagging: tuple[tuple[str, int], ...] = field(default=())  # (member, its latest year) where older than the bloc's
    year: int | None = None  # the newest year among the members

    @property
    def complete(self) -> bool:
        return not self.missing


def member_table(members: dict[str, list[str]], raw_dir=None) -> pd.DataFrame:
    """One row per member state: alliance, status, every indicator and its year.

    ``members`` maps an alliance to its members' ISO codes. An unknown code fails here."""
    countries = data.load("countries.csv", raw_dir).set_index("iso3")
    wdi = data.load("indicators/wdi.csv", raw_dir)
    milex = data.load("indicators/sipri_milex_current_usd.csv", raw_dir)
    share = data.load("indicators/sipri_milex_share_gdp.csv", raw_dir)
    factbook = data.load("indicators/factbook.csv", raw_dir)
    forces_text = factbook[factbook["indicator"] == "military_personnel_text"].set_index("iso3")
    rows = []
    for alliance, codes in members.items():
        for iso3 in codes:
            if iso3 not in countries.index:
                raise BlocError(f"{alliance} member '{iso3}' is not a code in countries.csv")
            row = {"alliance": alliance, "iso3": iso3, "name": countries.loc[iso3, "short_name"]}
            for code, col in WDI_CODES.items():
                hit = wdi[(wdi["iso3"] == iso3) & (wdi["indicator"] == code)]
                if len(hit):
                    last = hit.loc[hit["year"].idxmax()]
                    row[col], row[f"{col}_year"] = float(last["value"]), int(last["year"])
                else:
                    row[col], row[f"{col}_year"] = math.nan, pd.NA
            m = milex[(milex["iso3"] == iso3) & milex["milex_usd_m"].notna()]
            if len(m):
                last = m.loc[m["year"].idxmax()]
                row["milex_usd"], row["milex_usd_year"] = float(last["milex_usd_m"]) * 1e6, int(last["year"])
            else:
                row["milex_usd"], row["milex_usd_year"] = math.nan, pd.NA
            s = share[(share["iso3"] == iso3) & share["share_pct"].notna()]
            if len(s):
                last = s.loc[s["year"].idxmax()]
                row["milex_share_gdp"], row["milex_share_gdp_year"] = float(last["share_pct"]), int(last["year"])
            else:
                row["milex_share_gdp"], row["milex_share_gdp_year"] = math.nan, pd.NA
            # active armed forces (CIA World Factbook); a state the World Bank counts with no armed forces at all
            # (Iceland) and the Factbook leaves out has none, not a missing value
            if iso3 in forces_text.index:
                row["forces"] = factbook_forces(forces_text.loc[iso3, "note"])
                row["forces_year"] = int(forces_text.loc[iso3, "year"]) if pd.notna(forces_text.loc[iso3, "year"]) else pd.NA
                if row["forces"] is None:
                    raise BlocError(f"data/raw/indicators/factbook.csv: no figure of active forces for {iso3} in "
                                    f"{forces_text.loc[iso3, 'note']!r}")
            else:
                none = row.get("personnel") == 0
                row["forces"], row["forces_year"] = (0.0 if none else math.nan), pd.NA
            rows.append(row)
    table = pd.DataFrame(rows)
    if table["iso3"].duplicated().any():
        raise BlocError(f"a state is listed in two blocs: {sorted(table.loc[table['iso3'].duplicated(), 'iso3'])}")
    return table


def total(table: pd.DataFrame, indicator: str, members: list[str] | None = None) -> Total:
    """The sum of ``indicator`` over ``members`` (default: every row). Missing values are listed,
    not counted as zero; a member absent from the table is an error."""
    if indicator not in table.columns:
        raise BlocError(f"unknown indicator '{indicator}'; known: {', '.join(INDICATORS)}")
    sel = table if members is None else table.set_index("iso3").reindex(members).reset_index()
    absent = [c for c in (members or []) if c not in set(table["iso3"])]
    if absent:
        raise BlocError(f"no data row for {', '.join(absent)}; add the state to the member table first")
    values = sel[indicator]
    missing = tuple(sel.loc[values.isna(), "iso3"])
    lagging, newest = (), None
    if f"{indicator}_year" in sel.columns:
        years = pd.to_numeric(sel.loc[values.notna(), f"{indicator}_year"], errors="coerce")
        if years.notna().any():
            newest = int(years.max())
            lagging = tuple((str(sel.loc[i, "iso3"]), int(y)) for i, y in years.items() if pd.notna(y) and y < newest)
    return Total(indicator, float(values.sum(skipna=True)), tuple(sel["iso3"]), missing, lagging, newest)


def year_label(t: Total, names=None) -> str:
    """'2025' or '2025; Uzbekistan 2018': the bloc's year and every member counted at an older year.
    ``names``: a mapping (or Series) from code to name."""
    if t.year is None:
        return ""
    names = {} if names is None else dict(names)
    older = "; ".join(f"{names.get(c, c)} {y}" for c, y in t.lagging)
    return f"{t.year}" + (f"; {older}" if older else "")


def ratio(a: Total, b: Total) -> float:
    if b.value == 0:
        raise BlocError(f"cannot divide by a zero total of {b.indicator}")
    return a.value / b.value


def share_of_leader(table: pd.DataFrame, indicator: str, alliance: str, leader: str) -> float:
    rows = table[table["alliance"] == alliance]
    t = total(rows, indicator)
    lead = rows.loc[rows["iso3"] == leader, indicator]
    if lead.empty or lead.isna().all():
        raise BlocError(f"{leader} has no {indicator} value in {alliance}")
    return float(lead.iloc[0]) / t.value


def spending_series(milex: pd.DataFrame, members: list[str], first: int, last: int,
                    col: str = "milex_usd_m") -> pd.DataFrame:
    """Yearly bloc spending (US$ million, current; or the column ``col``, such as constant dollars) for a fixed set
    of members, with the members missing in each year listed (the sum then covers the others only)."""
    unknown = sorted(set(members) - set(milex["iso3"]))
    if unknown:
        raise BlocError(f"no SIPRI series for {', '.join(unknown)}")
    out = []
    for year in range(first, last + 1):
        rows = milex[(milex["year"] == year) & milex["iso3"].isin(members)]
        gaps = sorted(set(members) - set(rows.loc[rows[col].notna(), "iso3"]))
        out.append({"year": year, col: float(rows[col].sum(skipna=True)),
                    "missing": ";".join(gaps)})
    return pd.DataFrame(out)


def spending_at_ppp(members: list[str], year: int, raw_dir=None) -> pd.DataFrame:
    """Military spending of ``members`` in ``year`` at market exchange rates (SIPRI, current US$) and at
    purchasing-power parity (SIPRI local currency / WDI PPP conversion factor for GDP, international $).

    A factor stated in another currency than SIPRI's (WDI gives Bulgaria's in euro) is converted at the fixed
    euro rate first. A member without a value or a factor for that year has NaN and is named by :func:`total`;
    nothing is filled."""
    usd = data.load("indicators/sipri_milex_current_usd.csv", raw_dir)
    lcu = data.load("indicators/sipri_milex_local_currency.csv", raw_dir)
    wdi = data.load("indicators/wdi_ppp.csv", raw_dir)
    rows = []
    for iso3 in members:
        u = usd[(usd["iso3"] == iso3) & (usd["year"] == year)]["milex_usd_m"]
        m = lcu[(lcu["iso3"] == iso3) & (lcu["year"] == year)]["milex_lcu_m"]
        own = wdi[(wdi["iso3"] == iso3)]
        national = own.loc[own["indicator"] == "PA.NUS.FCRF", "currency"]
        f = own[(own["indicator"] == "PA.NUS.PPP") & (own["year"] == year)]
        factor, note = math.nan, ""
        if len(f):
            factor, cur = float(f["value"].iloc[0]), str(f["currency"].iloc[0])
            home = str(national.iloc[0]) if len(national) else cur
            if cur != home:
                if cur == "EUR" and home in EURO_CONVERSION:
                    factor *= EURO_CONVERSION[home]
                    note = f"PPP factor stated in EUR, converted at {EURO_CONVERSION[home]} {home} per EUR"
                else:
                    raise BlocError(f"{iso3} {year}: PPP factor in {cur}, spending in {home}; no conversion known")
        milex_usd = float(u.iloc[0]) * 1e6 if len(u) and pd.notna(u.iloc[0]) else math.nan
        milex_lcu = float(m.iloc[0]) * 1e6 if len(m) and pd.notna(m.iloc[0]) else math.nan
        rows.append({"iso3": iso3, "year": year, "milex_usd": milex_usd, "milex_lcu": milex_lcu,
                     "ppp_factor": factor, "milex_ppp": milex_lcu / factor, "note": note})
    out = pd.DataFrame(rows)
    out["milex_usd_year"] = out["milex_ppp_year"] = year
    return out
