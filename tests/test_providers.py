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
def test_every_wdi_sample_parses_and_matches_the_snapshot(code):
    _, rows = providers.parse_wdi(read(f"wdi_{code}.csv"))
    assert rows and {r["indicator"] for r in rows} == {code}
    snap = {(r["iso3"], r["indicator"]): (int(r["year"]), float(r["value"]))
            for r in csv.DictReader(open(paths.RAW_DIR / "indicators" / "wdi.csv"))}
    for iso3 in {r["iso3"] for r in rows} & {k[0] for k in snap}:
        year, value = snap[(iso3, code)]
        latest = max((r for r in rows if r["iso3"] == iso3), key=lambda r: r["year"])
        # the snapshot holds the latest year of the same provider file
        assert (latest["year"], latest["value"]) == (year, pytest.approx(value)), iso3


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


def test_owid_sample():
    rows = providers.parse_owid(read("owid_milex_share_gdp_head.csv"), "Military expenditure (% of GDP)")
    assert rows[0] == {"iso3": "AFG", "year": 1970, "value": pytest.approx(1.6296061)}
    with pytest.raises(providers.ProviderFormatError, match="missing columns"):
        providers.parse_owid(read("owid_milex_share_gdp_head.csv"), "Share")
