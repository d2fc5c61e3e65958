"""The two alliances side by side: one table of member indicators, and bloc totals that never hide a gap.

A bloc total is the sum over its members. A member without a value is not counted as zero: the total
is marked incomplete and names who is missing, and every ratio built on it carries the flag on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from . import data

# Indicator: (label, unit, source id, column in the member table)
INDICATORS = {
    "population": ("Population", "million people", "worldbank-wdi-2025"),
    "area_km2": ("Area", "million km²", "worldbank-wdi-2025"),
    "gdp_usd": ("GDP", "US$ trillion, current", "worldbank-wdi-2025"),
    "milex_usd": ("Military spending", "US$ billion, current", "sipri-milex-2025"),
    "personnel": ("Armed forces personnel", "thousand, incl. paramilitary", "worldbank-wdi-2025"),
}
WDI_CODES = {"SP.POP.TOTL": "population", "AG.SRF.TOTL.K2": "area_km2", "NY.GDP.MKTP.CD": "gdp_usd",
             "MS.MIL.TOTL.P1": "personnel"}


class BlocError(ValueError):
    pass


@dataclass(frozen=True)
class Total:
    indicator: str
    value: float
    members: tuple[str, ...]
    missing: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return not self.missing


def member_table(members: dict[str, list[str]], raw_dir=None) -> pd.DataFrame:
    """One row per member state: alliance, status, every indicator and its year.

    ``members`` maps an alliance to its members' ISO codes. An unknown code fails here."""
    countries = data.load("countries.csv", raw_dir).set_index("iso3")
    wdi = data.load("indicators/wdi.csv", raw_dir)
    milex = data.load("indicators/sipri_milex_current_usd.csv", raw_dir)
    share = data.load("indicators/sipri_milex_share_gdp.csv", raw_dir).set_index("iso3")
    rows = []
    for alliance, codes in members.items():
        for iso3 in codes:
            if iso3 not in countries.index:
                raise BlocError(f"{alliance} member '{iso3}' is not a code in countries.csv")
            row = {"alliance": alliance, "iso3": iso3, "name": countries.loc[iso3, "short_name"]}
            for code, col in WDI_CODES.items():
                hit = wdi[(wdi["iso3"] == iso3) & (wdi["indicator"] == code)]
                row[col] = float(hit["value"].iloc[0]) if len(hit) else math.nan
                row[f"{col}_year"] = int(hit["year"].iloc[0]) if len(hit) else pd.NA
            m = milex[(milex["iso3"] == iso3) & milex["milex_usd_m"].notna()]
            if len(m):
                last = m.loc[m["year"].idxmax()]
                row["milex_usd"], row["milex_usd_year"] = float(last["milex_usd_m"]) * 1e6, int(last["year"])
            else:
                row["milex_usd"], row["milex_usd_year"] = math.nan, pd.NA
            row["milex_share_gdp"] = float(share.loc[iso3, "share_pct"]) if iso3 in share.index else math.nan
            row["milex_share_gdp_year"] = int(share.loc[iso3, "year"]) if iso3 in share.index else pd.NA
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
    return Total(indicator, float(values.sum(skipna=True)), tuple(sel["iso3"]), missing)


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


def spending_series(milex: pd.DataFrame, members: list[str], first: int, last: int) -> pd.DataFrame:
    """Yearly bloc spending (US$ million, current) for a fixed set of members, with the members
    missing in each year listed (the sum then covers the others only)."""
    unknown = sorted(set(members) - set(milex["iso3"]))
    if unknown:
        raise BlocError(f"no SIPRI series for {', '.join(unknown)}")
    out = []
    for year in range(first, last + 1):
        rows = milex[(milex["year"] == year) & milex["iso3"].isin(members)]
        gaps = sorted(set(members) - set(rows.loc[rows["milex_usd_m"].notna(), "iso3"]))
        out.append({"year": year, "milex_usd_m": float(rows["milex_usd_m"].sum(skipna=True)),
                    "missing": ";".join(gaps)})
    return pd.DataFrame(out)
