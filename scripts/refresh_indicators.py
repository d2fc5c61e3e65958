"""Rebuild the indicator snapshots in data/raw/indicators/ from the providers' published files.

Needs the network and, for the SIPRI and NATO spreadsheets, openpyxl (``pip install openpyxl``); the
build never runs it. It parses with the same functions the tests check on recorded samples
(csto_brief.providers), writes the snapshots, and prints what changed. Afterwards review the diff,
update each provenance record's dates and edition, and run
``python -m csto_brief.provenance update data/raw/indicators/*.csv``.

    python scripts/refresh_indicators.py [--sipri-xlsx URL] [--nato-xlsx URL]

NATO's personnel table is not refreshed automatically: its figures come from the release's Table 7.
"""

from __future__ import annotations

import argparse
import csv
import io
import urllib.request
import zipfile

from csto_brief import paths, providers

WDI_URL = "https://api.worldbank.org/v2/en/indicator/{code}?downloadformat=csv"
SIPRI_XLSX = "https://www.sipri.org/sites/default/files/SIPRI-Milex-data-1949-2024_2.xlsx"
OWID_CSV = "https://ourworldindata.org/grapher/military-spending-as-a-share-of-gdp-sipri.csv"
NATO_XLSX = "https://www.nato.int/nato_static_fl2014/assets/pdf/2024/6/pdf/240617-def-exp-2024-TABLES-en.xlsx"
OUT = paths.RAW_DIR / "indicators"


def get(url: str) -> bytes:
    req = urllib.request.Request(url, headers={"User-Agent": "csto-brief refresh"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return resp.read()


def countries() -> set[str]:
    import pandas as pd

    ev = pd.read_csv(paths.RAW_DIR / "alliance_events.csv", dtype=str)
    return set(ev["country_iso3"].dropna()) | {"UZB", "TKM"}


def sheet_as_csv(xlsx: bytes, sheet: str, header_starts: str, sep: str = ",", decimal: str = ".") -> str:
    import pandas as pd

    raw = pd.read_excel(io.BytesIO(xlsx), sheet_name=sheet, header=None, dtype=object)
    first = raw.index[raw[0].astype(str).str.strip() == header_starts][0]
    table = raw.iloc[first:].fillna("")
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep)
    for row in table.itertuples(index=False):
        cells = []
        for v in row:
            s = str(int(v)) if isinstance(v, float) and v.is_integer() and abs(v) > 1900 else str(v)
            cells.append(s.replace(".", decimal) if decimal != "." and isinstance(v, float) else s)
        w.writerow(cells)
    return buf.getvalue()


def write(name: str, fields: list[str], rows: list[dict]) -> None:
    path = OUT / name
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fields, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    print(f"{paths.rel(path)}: {len(rows)} rows, {'unchanged' if old == buf.getvalue() else 'CHANGED'}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sipri-xlsx", default=SIPRI_XLSX)
    ap.add_argument("--nato-xlsx", default=NATO_XLSX)
    ap.add_argument("--first-year", type=int, default=2000)
    args = ap.parse_args(argv)
    wanted = countries()

    rows = []
    for code in ("SP.POP.TOTL", "AG.SRF.TOTL.K2", "NY.GDP.MKTP.CD", "MS.MIL.TOTL.P1"):
        with zipfile.ZipFile(io.BytesIO(get(WDI_URL.format(code=code)))) as z:
            name = next(n for n in z.namelist() if n.startswith("API_"))
            _, found = providers.parse_wdi(z.read(name).decode("utf-8-sig"), wanted - {"TKM"})
        latest = {}
        for r in found:
            if r["iso3"] not in latest or r["year"] > latest[r["iso3"]]["year"]:
                latest[r["iso3"]] = r
        rows += [{**r, "value": f"{r['value']:.15g}"} for r in sorted(latest.values(), key=lambda r: r["iso3"])]
    write("wdi.csv", ["iso3", "indicator", "year", "value"], sorted(rows, key=lambda r: (r["indicator"], r["iso3"])))

    sipri = providers.parse_sipri(sheet_as_csv(get(args.sipri_xlsx), "Current US$", "Country"))
    have = {(r["iso3"], r["year"]): r["value"] for r in sipri if r["iso3"] in wanted}
    last = max(y for _, y in have)
    write("sipri_milex_current_usd.csv", ["iso3", "year", "milex_usd_m"],
          [{"iso3": c, "year": y, "milex_usd_m": "" if (c, y) not in have else f"{have[(c, y)]:g}"}
           for c in sorted(wanted) for y in range(args.first_year, last + 1)])

    owid = providers.parse_owid(get(OWID_CSV).decode("utf-8"), "Military expenditure (% of GDP)")
    latest = {}
    for r in owid:
        if r["iso3"] in wanted - {"TKM"} and (r["iso3"] not in latest or r["year"] > latest[r["iso3"]]["year"]):
            latest[r["iso3"]] = r
    write("sipri_milex_share_gdp.csv", ["iso3", "year", "share_pct"],
          [{"iso3": c, "year": r["year"], "share_pct": f"{r['value']:g}"} for c, r in sorted(latest.items())])

    nato = providers.parse_nato_table(sheet_as_csv(get(args.nato_xlsx), "TABLE3", "Country", sep=";", decimal=","))
    write("nato_share_gdp.csv", ["iso3", "year", "share_pct", "estimate"],
          [{"iso3": r["iso3"], "year": r["year"], "share_pct": f"{r['value']:.4f}",
            "estimate": "yes" if r["estimate"] else "no"} for r in sorted(nato, key=lambda r: (r["iso3"], r["year"]))])


if __name__ == "__main__":
    main()
