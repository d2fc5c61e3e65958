"""Rebuild the indicator snapshots in data/raw/indicators/ from the providers' published files.

Needs the network and, for the SIPRI and NATO spreadsheets, openpyxl (``pip install openpyxl``); the
build never runs it. It parses with the same functions the tests check on recorded samples
(csto_brief.providers), writes the snapshots, and prints what changed. Afterwards review the diff, run the
cross-check (``make brief`` stops on a new disagreement with the CIA World Factbook; explain it in
data/raw/indicators/crosscheck_notes.csv), update each provenance record's dates and edition, and run
``python -m csto_brief.provenance update data/raw/indicators/*.csv``.

    python scripts/refresh_indicators.py [--sipri-xlsx URL] [--nato-xlsx URL] [--skip-factbook]
    python scripts/refresh_indicators.py --from DIR [--only wdi] [--only sipri] [--only nato] [--only factbook]

With --from, nothing is downloaded: the providers' files are read from DIR as downloaded (WDI: the bulk CSV
``API_<code>_*.csv`` or its zip, per indicator; SIPRI and NATO: the spreadsheet under its published file name;
Factbook: ``factbook/<region>/<code>.json``), so a refresh can be rerun offline and kept with its inputs.
--only refreshes the named providers and leaves the other snapshots as they are.

Editions it follows: SIPRI 1949-2025 (April 2026 release: Current US$, Constant (2024) US$, Share of GDP - stored as fractions -
and Local currency calendar years - stored in units); WDI bulk files (SP.POP.TOTL and NY.GDP.MKTP.CD: the two
newest years; AG.SRF.TOTL.K2 and MS.MIL.TOTL.P1: the newest; PA.NUS.PPP and PA.NUS.FCRF: the two newest years,
with the currency each is stated in); the CIA World Factbook as JSON (factbook/factbook.json; the Factbook was
discontinued in February 2026, so its last profiles stay the cross-check); NATO's personnel (Table 7), read
from the release's PDF with pdftotext. Not refreshed automatically: NATO's 2025-2026 figures as quoted
(nato_share_gdp_quoted.csv), NATO's pledges (nato_pledges.csv) and the cross-check notes: they are read and
typed from their sources.
"""

from __future__ import annotations

import argparse
import csv
import io
import urllib.request
import zipfile
from pathlib import Path

from csto_brief import paths, providers

WDI_URL = "https://api.worldbank.org/v2/en/indicator/{code}?downloadformat=csv"
SIPRI_XLSX = "https://www.sipri.org/sites/default/files/SIPRI-Milex-data-1949-2025_v1.2.xlsx"
NATO_XLSX = "https://www.nato.int/nato_static_fl2014/assets/pdf/2024/6/pdf/240617-def-exp-2024-TABLES-en.xlsx"
NATO_PDF = "https://www.nato.int/nato_static_fl2014/assets/pdf/2024/6/pdf/240617-def-exp-2024-en.pdf"
FACTBOOK_URL = "https://raw.githubusercontent.com/factbook/factbook.json/master/{path}.json"
# Factbook (GEC) paths of the states the brief measures
FACTBOOK_PATHS = {
    "ALB": "europe/al", "BEL": "europe/be", "BGR": "europe/bu", "CAN": "north-america/ca", "HRV": "europe/hr",
    "CZE": "europe/ez", "DNK": "europe/da", "EST": "europe/en", "FIN": "europe/fi", "FRA": "europe/fr",
    "DEU": "europe/gm", "GRC": "europe/gr", "HUN": "europe/hu", "ISL": "europe/ic", "ITA": "europe/it",
    "LVA": "europe/lg", "LTU": "europe/lh", "LUX": "europe/lu", "MNE": "europe/mj", "NLD": "europe/nl",
    "MKD": "europe/mk", "NOR": "europe/no", "POL": "europe/pl", "PRT": "europe/po", "ROU": "europe/ro",
    "SVK": "europe/lo", "SVN": "europe/si", "ESP": "europe/sp", "SWE": "europe/sw", "TUR": "middle-east/tu",
    "GBR": "europe/uk", "USA": "north-america/us", "RUS": "central-asia/rs", "BLR": "europe/bo",
    "ARM": "central-asia/am", "KAZ": "central-asia/kz", "KGZ": "central-asia/kg", "TJK": "central-asia/ti",
    "UZB": "central-asia/uz", "TKM": "central-asia/tx",
}
# ISO 4217 currency of each state's WDI exchange rate (and, unless WDI says otherwise, its PPP factor)
EURO = "BEL EST FIN FRA DEU GRC ITA LVA LTU LUX MNE NLD PRT SVK SVN ESP HRV".split()
CURRENCY = {**{c: "EUR" for c in EURO}, "ALB": "ALL", "ARM": "AMD", "BGR": "BGN", "BLR": "BYN", "CAN": "CAD",
            "CZE": "CZK", "DNK": "DKK", "HUN": "HUF", "ISL": "ISK", "KAZ": "KZT", "KGZ": "KGS", "MKD": "MKD",
            "NOR": "NOK", "POL": "PLN", "ROU": "RON", "RUS": "RUB", "SWE": "SEK", "TJK": "TJS", "TKM": "TMT",
            "TUR": "TRY", "GBR": "GBP", "USA": "USD", "UZB": "UZS"}
PPP_IN_EURO = {"BGR"}  # the July 2026 WDI states Bulgaria's PPP factor in euro, its exchange rate in leva
OUT = paths.RAW_DIR / "indicators"


FROM_DIR: list[Path] = []  # --from: where the providers' files were saved (nothing is downloaded)


def get(url: str, local: str | None = None) -> bytes:
    """The file at ``url``; with --from, the file ``local`` (default: the URL's file name) in that directory."""
    if FROM_DIR:
        path = FROM_DIR[0] / (local or url.rsplit("/", 1)[-1])
        if not path.exists():
            raise SystemExit(f"{path}: no such provider file (--from {FROM_DIR[0]}; it stands for {url})")
        return path.read_bytes()
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


def _wdi_text(code: str) -> str:
    """The World Bank's bulk CSV of one indicator: from its zip as downloaded, or (--from) the CSV or zip saved."""
    if FROM_DIR:
        saved = sorted(FROM_DIR[0].glob(f"API_{code}_*.csv")) + sorted(FROM_DIR[0].glob(f"API_{code}*.zip"))
        if not saved:
            raise SystemExit(f"{FROM_DIR[0]}: no API_{code}_*.csv or .zip (the WDI bulk file of {code}, from "
                             f"{WDI_URL.format(code=code)})")
        data = saved[0].read_bytes()
        if saved[0].suffix == ".csv":
            return data.decode("utf-8-sig")
    else:
        data = get(WDI_URL.format(code=code))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        name = next(n for n in z.namelist() if n.startswith("API_"))
        return z.read(name).decode("utf-8-sig")


def wdi(code: str, wanted: set[str]) -> dict[str, list[dict]]:
    meta, found = providers.parse_wdi(_wdi_text(code), wanted)
    print(f"WDI {code}: last updated {meta.get('last_updated')}")
    by: dict[str, list[dict]] = {}
    for r in found:
        by.setdefault(r["iso3"], []).append(r)
    return {k: sorted(v, key=lambda r: r["year"]) for k, v in by.items()}


PROVIDERS = ("wdi", "sipri", "nato", "factbook")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sipri-xlsx", default=SIPRI_XLSX)
    ap.add_argument("--nato-xlsx", default=NATO_XLSX)
    ap.add_argument("--nato-pdf", default=NATO_PDF, help="the release itself, for Table 7 (personnel)")
    ap.add_argument("--first-year", type=int, default=2000)
    ap.add_argument("--skip-factbook", action="store_true")
    ap.add_argument("--from", dest="from_dir", type=Path, help="read the providers' files from this directory")
    ap.add_argument("--only", action="append", choices=PROVIDERS, help="refresh these providers only")
    args = ap.parse_args(argv)
    if args.from_dir is not None:
        FROM_DIR[:] = [args.from_dir]
    only = set(args.only or PROVIDERS) - ({"factbook"} if args.skip_factbook else set())
    wanted = countries()
    if "wdi" in only:
        refresh_wdi(wanted)
    if "sipri" in only:
        refresh_sipri(args.sipri_xlsx, wanted, args.first_year)
    if "nato" in only:
        refresh_nato(args.nato_xlsx)
        refresh_nato_personnel(args.nato_pdf)
    if "factbook" in only:
        refresh_factbook()


def refresh_wdi(wanted: set[str]) -> None:
    rows = []
    for code, keep in (("SP.POP.TOTL", 2), ("NY.GDP.MKTP.CD", 2), ("AG.SRF.TOTL.K2", 1), ("MS.MIL.TOTL.P1", 1)):
        for iso3, series in wdi(code, wanted).items():
            rows += [{**r, "value": f"{r['value']:.15g}"} for r in series[-keep:]]
    write("wdi.csv", ["iso3", "indicator", "year", "value"],
          sorted(rows, key=lambda r: (r["indicator"], r["iso3"], r["year"])))
    rows = []
    for code in ("PA.NUS.PPP", "PA.NUS.FCRF"):
        for iso3, series in wdi(code, wanted).items():
            cur = "EUR" if code == "PA.NUS.PPP" and iso3 in PPP_IN_EURO else CURRENCY[iso3]
            rows += [{**r, "value": f"{r['value']:.15g}", "currency": cur} for r in series[-2:]]
    write("wdi_ppp.csv", ["iso3", "indicator", "year", "value", "currency"],
          sorted(rows, key=lambda r: (r["indicator"], r["iso3"], r["year"])))



def refresh_sipri(url: str, wanted: set[str], first_year: int) -> None:
    xlsx = get(url)
    for sheet, name, col, scale, fmt in (
            ("Current US$", "sipri_milex_current_usd.csv", "milex_usd_m", 1.0, ".1f"),
            ("Constant (2024) US$", "sipri_milex_constant_usd.csv", "milex_const_usd_m", 1.0, ".1f"),
            ("Share of GDP", "sipri_milex_share_gdp.csv", "share_pct", 100.0, ".7g"),
            ("Local currency calendar years", "sipri_milex_local_currency.csv", "milex_lcu_m", 1e-6, ".10g")):
        parsed = providers.parse_sipri(sheet_as_csv(xlsx, sheet, "Country"), scale)
        have = {(r["iso3"], r["year"]): r for r in parsed if r["iso3"] in wanted}
        currency = {r["iso3"]: r.get("currency", "") for r in have.values()}
        last = max(y for _, y in have)
        out = []
        for c in sorted(wanted):
            for y in range(first_year, last + 1):
                r = have.get((c, y))
                row = {"iso3": c, "year": y, col: "" if r is None else f"{r['value']:{fmt}}"}
                if col == "milex_lcu_m":
                    row["currency"] = currency.get(c, "")
                out.append(row)
        write(name, ["iso3", "year", col] + (["currency"] if col == "milex_lcu_m" else []), out)



def refresh_nato(url: str) -> None:
    nato = providers.parse_nato_table(sheet_as_csv(get(url), "TABLE3", "Country", sep=";", decimal=","))
    write("nato_share_gdp.csv", ["iso3", "year", "share_pct", "estimate"],
          [{"iso3": r["iso3"], "year": r["year"], "share_pct": f"{r['value']:.4f}",
            "estimate": "yes" if r["estimate"] else "no"} for r in sorted(nato, key=lambda r: (r["iso3"], r["year"]))])



def refresh_nato_personnel(url: str) -> None:
    """Table 7 of the release (military personnel, thousands), read from the PDF's text (pdftotext -layout)."""
    import subprocess
    import tempfile
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(get(url))
        pdf.flush()
        text = subprocess.run(["pdftotext", "-layout", pdf.name, "-"], check=True, capture_output=True,
                              text=True).stdout
    rows = providers.parse_nato_table(providers.nato_pdf_table(text, "7"))
    write("nato_personnel.csv", ["iso3", "year", "personnel_thousands", "estimate", "sources", "note"],
          [{"iso3": r["iso3"], "year": r["year"], "personnel_thousands": f"{r['value']:.1f}",
            "estimate": "yes" if r["estimate"] else "no", "sources": "nato-defexp-2024", "note": ""}
           for r in sorted(rows, key=lambda r: (r["iso3"], r["year"]))])


def refresh_factbook() -> None:
    rows = []
    for iso3, path in sorted(FACTBOOK_PATHS.items()):
        url = FACTBOOK_URL.format(path=path)
        for r in providers.parse_factbook(get(url, f"factbook/{path}.json").decode("utf-8"), iso3):
            rows.append({**r, "value": f"{r['value']:g}", "year": r["year"] or "", "data_date": "",
                         "source": url})
    print("factbook.csv: fill data_date (the date of the last commit that changed each file) before use")
    write("factbook.csv", ["iso3", "indicator", "value", "unit", "year", "data_date", "source", "note"], rows)


if __name__ == "__main__":
    main()
