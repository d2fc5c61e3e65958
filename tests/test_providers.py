"""The providers' parsers, run on recorded samples of each real file format (tests/samples/)."""

import csv
from pathlib import Path

import pytest

from csto_brief import paths, providers

SAMPLES = Path(__file__).parent / "samples"


def read(name):
    return (SAMPLES / name).read_text(encoding="utf-8")


def test_wdi_population_sample():
    meta, rows = providers.parse_wdi(read("wdi_SP.POP.TOTL.csv"), {"ALB", "ARM"})
    assert meta == {"last_updated": "2025-10-07"}
    by = {(r["iso3"], r["year"]): r["value"] for r in rows}
    assert by[("ALB", 2024)] == 2714617 and by[("ARM", 2024)] == 3033500
    assert {r["indicator"] for r in rows} == {"SP.POP.TOTL"}
    assert not any(r["iso3"] == "ABW" for r in rows)  # filtered to the wanted economies


@pytest.mark.parametrize("code", ["AG.SRF.TOTL.K2", "NY.GDP.MKTP.CD", "MS.MIL.TOTL.P1"])
def test_every_wdi_sample_of_the_2025_edition_parses(code):
    _, rows = providers.parse_wdi(read(f"wdi_{code}.csv"))
    assert rows and {r["indicator"] for r in rows} == {code}


def _snapshot(name):
    return {(r["iso3"], r["indicator"], int(r["year"])): float(r["value"])
            for r in csv.DictReader(open(paths.RAW_DIR / "indicators" / name))}


@pytest.mark.parametrize("sample, snapshot", [
    ("wdi2026_SP.POP.TOTL.csv", "wdi.csv"), ("wdi2026_NY.GDP.MKTP.CD.csv", "wdi.csv"),
    ("wdi2026_AG.SRF.TOTL.K2.csv", "wdi.csv"), ("wdi_MS.MIL.TOTL.P1.csv", "wdi.csv"),
    ("wdi2026_PA.NUS.PPP.csv", "wdi_ppp.csv")])
def test_every_wdi_sample_of_the_snapshot_edition_matches_the_snapshot(sample, snapshot):
    meta, rows = providers.parse_wdi(read(sample))
    assert rows
    if "2026" in sample:
        assert meta == {"last_updated": "2026-07-13"}  # the edition of the snapshot
    snap = _snapshot(snapshot)
    mine = {k for k in snap if k[1] == rows[0]["indicator"]}
    assert mine
    compared = 0
    for r in rows:
        key = (r["iso3"], r["indicator"], r["year"])
        if key in snap:
            assert r["value"] == pytest.approx(snap[key]), key
            compared += 1
    # the snapshot holds the newest years of the same provider file
    for iso3 in {r["iso3"] for r in rows} & {k[0] for k in mine}:
        newest = max(r["year"] for r in rows if r["iso3"] == iso3)
        assert newest == max(k[2] for k in mine if k[0] == iso3), iso3
    assert compared >= 2


def test_wdi_rejects_a_file_without_its_header():
    with pytest.raises(providers.ProviderFormatError, match="Country Name,Country Code"):
        providers.parse_wdi('"Data Source","World Development Indicators",\n\n"a","b"\n')


def test_sipri_sample_missing_markers_and_regions():
    rows = providers.parse_sipri(read("sipri_current_usd_head.csv"))
    assert {r["country"] for r in rows} >= {"Algeria", "Libya"}
    assert not any(r["country"] in ("Africa", "North Africa") for r in rows)  # region rows carry no values
    algeria = {r["year"]: r["value"] for r in rows if r["country"] == "Algeria"}
    assert algeria[2024] == 21811.2 and algeria[2023] == 18264
    assert 1949 not in algeria  # '...' is missing, never zero


def test_sipri_2026_samples_match_the_snapshots():
    # the April 2026 release: '. .' for no data, shares stored as fractions, local currency in units with a
    # Currency column before the notes
    cur = providers.parse_sipri(read("sipri2026_current_usd_head.csv"))
    share = providers.parse_sipri(read("sipri2026_share_of_gdp_head.csv"), 100)
    lcu = providers.parse_sipri(read("sipri2026_local_currency_head.csv"), 1e-6)
    assert not any(r["country"] == "Libya" and r["year"] == 2025 for r in cur)  # '...' is missing, never zero
    assert {r["currency"] for r in lcu if r["iso3"] == "RUS"} == {"Roubles"}
    for parsed, name, col, rel in ((cur, "sipri_milex_current_usd.csv", "milex_usd_m", 1e-3),
                                   (share, "sipri_milex_share_gdp.csv", "share_pct", 1e-6),
                                   (lcu, "sipri_milex_local_currency.csv", "milex_lcu_m", 1e-3)):
        snap = {(r["iso3"], int(r["year"])): r[col] for r in csv.DictReader(open(paths.RAW_DIR / "indicators" / name))}
        checked = 0
        for r in parsed:
            if r["iso3"] in ("RUS", "BGR") and r["year"] >= 2000:
                assert float(snap[(r["iso3"], r["year"])]) == pytest.approx(r["value"], rel=rel, abs=0.06), (name, r)
                checked += 1
        assert checked >= 40, name


def test_sipri_constant_dollar_sample_matches_the_snapshot():
    # the constant-dollar sheet has an empty column between Country and Notes and marks no data with an ellipsis
    rows = providers.parse_sipri(read("sipri2026_constant_usd_head.csv"))
    assert not any(r["country"] == "Cuba" for r in rows)  # '…' throughout: missing, never zero
    snap = {(r["iso3"], int(r["year"])): r["milex_const_usd_m"]
            for r in csv.DictReader(open(paths.RAW_DIR / "indicators" / "sipri_milex_constant_usd.csv"))}
    checked = 0
    for r in rows:
        if r["iso3"] in ("RUS", "BGR") and r["year"] >= 2000:
            assert float(snap[(r["iso3"], r["year"])]) == pytest.approx(r["value"], rel=1e-3, abs=0.06), r
            checked += 1
    assert checked == 52
    # without the spacer dropped, the notes would be read as the first year
    with pytest.raises(providers.ProviderFormatError):
        providers.parse_sipri("Country,X,Notes,2024\nRussia,,83,lots\n")


def test_constant_price_year_comes_from_the_provenance_record(tmp_path, monkeypatch):
    from csto_brief import compare
    assert compare.constant_price_year() == 2024
    rec = (paths.RAW_DIR / "indicators" / "sipri_milex_constant_usd.csv.meta.yml").read_text()
    (tmp_path / "indicators").mkdir()
    (tmp_path / "indicators" / "sipri_milex_constant_usd.csv.meta.yml").write_text(
        rec.replace("constant (2024) US$", "real US$"))
    monkeypatch.setattr(paths, "RAW_DIR", tmp_path)
    with pytest.raises(ValueError, match=r"origin.title: expected 'Constant \(YYYY\) US\$'"):
        compare.constant_price_year()


def test_sipri_local_currency_header_must_name_the_notes():
    with pytest.raises(providers.ProviderFormatError, match="Country,Currency,Notes"):
        providers.parse_sipri("Country,Currency,2024\nRussia,Roubles,1\n")


def test_factbook_sample_and_the_snapshot():
    rows = providers.parse_factbook(read("factbook_en_excerpt.json"), "EST")
    by = {r["indicator"]: r for r in rows}
    assert by["population"]["value"] == 1340478 and by["population"]["year"] == 2025
    assert by["area_total"]["value"] == 45228 and by["area_total"]["year"] is None
    assert by["gdp_official_exchange_rate"]["value"] == pytest.approx(42.765e9)
    assert by["real_gdp_ppp"]["year"] == 2024  # the latest of the three years given
    assert by["military_expenditure_pct_gdp"]["value"] == 3.4
    snap = {(r["iso3"], r["indicator"]): r for r in csv.DictReader(open(paths.RAW_DIR / "indicators" / "factbook.csv"))}
    for ind, r in by.items():
        s = snap[("EST", ind)]
        assert float(s["value"]) == pytest.approx(r["value"]) and s["note"] == r["note"], ind
    with pytest.raises(providers.ProviderFormatError, match="population"):
        providers.parse_factbook('{"People and Society": {"Population": {"text": "many"}}}', "XXX")


def test_sipri_snapshot_has_blanks_not_zeros_for_gaps():
    rows = list(csv.DictReader(open(paths.RAW_DIR / "indicators" / "sipri_milex_current_usd.csv")))
    tjk = {int(r["year"]): r["milex_usd_m"] for r in rows if r["iso3"] == "TJK"}
    assert tjk[2006] == "" and tjk[2013] == "" and float(tjk[2024]) > 0


def test_sipri_bad_number_names_line_and_column():
    text = "Country,Notes,2023,2024\nRussia,,109203.6,lots\n"
    with pytest.raises(providers.ProviderFormatError, match=r"line 2 \(Russia\), column 2024: 'lots'"):
        providers.parse_sipri(text)


def test_nato_table_sample_decimal_commas_and_estimates():
    rows = providers.parse_nato_table(read("nato_table3_share_of_gdp.csv"))
    usa = {(r["year"], r["estimate"]): r["value"] for r in rows if r["iso3"] == "USA"}
    assert usa[(2014, False)] == pytest.approx(3.71392)
    assert usa[(2024, True)] == pytest.approx(3.3790207262385600)
    assert len({r["iso3"] for r in rows}) == 31  # Iceland has no armed forces and no row


def test_nato_table_unknown_country_and_bad_header():
    with pytest.raises(providers.ProviderFormatError, match="unknown country name 'Atlantis'"):
        providers.parse_nato_table("Country;2024e\nAtlantis;1,5\n")
    with pytest.raises(providers.ProviderFormatError, match="not a year"):
        providers.parse_nato_table("Country;FY2024\nCanada;1,5\n")


def test_nato_pdf_table_from_the_release_text():
    """Table 7 (personnel) as pdftotext lays it out: thousands separators dropped, estimates marked, aggregates
    left out."""
    rows = providers.parse_nato_table(providers.nato_pdf_table(read("nato2024_table7_pdftotext.txt"), "7"))
    by = {(r["iso3"], r["year"]): (r["value"], r["estimate"]) for r in rows}
    assert by[("USA", 2014)] == (pytest.approx(1338.2), False)
    assert by[("ITA", 2020)] == (pytest.approx(173.4), False)
    assert by[("TUR", 2024)] == (pytest.approx(481.0), True)
    assert {r["iso3"] for r in rows} == {"ALB", "ITA", "SVK", "TUR", "USA"}


def test_nato_pdf_table_errors_name_the_table_and_line():
    text = read("nato2024_table7_pdftotext.txt")
    with pytest.raises(providers.ProviderFormatError, match="no line starting 'Table 8 :'"):
        providers.nato_pdf_table(text, "8")
    broken = text.replace("6.7             6.2", "6.7")
    with pytest.raises(providers.ProviderFormatError, match=r"Table 7, text line 9: expected a name and 11 values, found 11 cells"):
        providers.nato_pdf_table(broken, "7")
    with pytest.raises(providers.ProviderFormatError, match="no aggregate line"):
        providers.nato_pdf_table(text.split("NATO Europe")[0], "7")


def test_owid_sample():
    rows = providers.parse_owid(read("owid_milex_share_gdp_head.csv"), "Military expenditure (% of GDP)")
    assert rows[0] == {"iso3": "AFG", "year": 1970, "value": pytest.approx(1.6296061)}
    with pytest.raises(providers.ProviderFormatError, match="missing columns"):
        providers.parse_owid(read("owid_milex_share_gdp_head.csv"), "Share")
