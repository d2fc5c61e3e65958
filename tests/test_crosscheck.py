"""Cross-source checks: every member's indicators against the CIA World Factbook, tolerances in one place,
an unexplained disagreement stops the build with one line, a note lets it through."""

import csv

import pandas as pd
import pytest

from csto_brief import crosscheck, data, provenance
from csto_brief.schema import DataValidationError

MEMBERS = ("ALB BEL BGR CAN HRV CZE DNK EST FIN FRA DEU GRC HUN ISL ITA LVA LTU LUX MNE NLD MKD NOR POL PRT ROU "
           "SVK SVN ESP SWE TUR GBR USA RUS BLR ARM KAZ KGZ TJK").split()
NOTES = "indicators/crosscheck_notes.csv"


def pair(**kw):
    row = {"iso3": "AAA", "indicator": "population", "value": 100.0, "year": 2025, "source": "worldbank-wdi-2026",
           "check_value": 100.0, "check_year": 2025, "check_source": "cia-factbook-2026"}
    row.update(kw)
    return pd.DataFrame([row])


def no_notes():
    return pd.DataFrame(columns=["iso3", "indicator", "use", "value_used", "why"])


def test_every_indicator_has_one_declared_tolerance():
    assert set(crosscheck.TOLERANCES) == {"population", "area_km2", "gdp_usd", "milex_share_gdp", "gdp_ppp",
                                          "exchange_rate"}
    assert crosscheck.TOLERANCES["milex_share_gdp"].kind == "points"
    t = crosscheck.TOLERANCES["population"]
    assert t.gap(105, 100) == pytest.approx(0.05) and t.shown() == "5%"


def test_within_tolerance_passes():
    r = crosscheck.compare(pair(value=104.0), no_notes())
    assert (r.n_checked, r.n_within, r.n_noted) == (1, 1, 0)


def test_disagreement_stops_with_one_line_naming_country_indicator_values_and_sources():
    with pytest.raises(crosscheck.CrossCheckError) as exc:
        crosscheck.compare(pair(value=120.0), no_notes(), {"AAA": "Atlantis"})
    msg = str(exc.value)
    assert "\n" not in msg
    for part in ("Atlantis (AAA)", "population", "120 (worldbank-wdi-2026, 2025)", "100 (cia-factbook-2026, 2025)",
                 "gap 20.0% > 5%", "crosscheck_notes.csv"):
        assert part in msg, part


def test_share_gap_is_in_points():
    with pytest.raises(crosscheck.CrossCheckError, match=r"gap 0\.60 points > 0\.5 points"):
        crosscheck.compare(pair(indicator="milex_share_gdp", value=2.6, check_value=2.0), no_notes())
    assert crosscheck.compare(pair(indicator="milex_share_gdp", value=2.4, check_value=2.0), no_notes()).n_within == 1


def test_a_note_lets_a_disagreement_through_and_must_name_a_value_used():
    note = pd.DataFrame([{"iso3": "AAA", "indicator": "population", "use": "crosscheck", "value_used": 100.0,
                          "why": "the census says so"}])
    r = crosscheck.compare(pair(value=120.0), note)
    assert (r.n_within, r.n_noted) == (0, 1)
    wrong = note.assign(value_used=110.0)
    with pytest.raises(crosscheck.CrossCheckError, match="value_used 110 is not the crosscheck value 100"):
        crosscheck.compare(pair(value=120.0), wrong)


def test_a_stale_note_is_refused():
    note = pd.DataFrame([{"iso3": "AAA", "indicator": "population", "use": "primary", "value_used": 101.0,
                          "why": "no longer needed"}])
    with pytest.raises(crosscheck.CrossCheckError, match="within tolerance; remove it"):
        crosscheck.compare(pair(value=101.0), note)
    with pytest.raises(crosscheck.CrossCheckError, match="matches no value checked"):
        crosscheck.compare(pair(value=101.0), note.assign(iso3="BBB"))


def test_apply_puts_the_chosen_value_in_and_names_its_source():
    table = pd.DataFrame({"iso3": ["AAA", "BBB"], "population": [120.0, 50.0], "population_year": [2025, 2025]})
    note = pd.DataFrame([{"iso3": "AAA", "indicator": "population", "use": "crosscheck", "value_used": 100.0,
                          "why": "x"}])
    r = crosscheck.compare(pair(value=120.0), note)
    out = crosscheck.apply(table, r)
    assert out["population"].tolist() == [100.0, 50.0]
    assert out["population_source"].tolist() == ["cia-factbook-2026", "worldbank-wdi-2026"]


def test_the_committed_data_pass():
    r = crosscheck.run(MEMBERS)
    assert r.n_checked == r.n_within + r.n_noted
    assert set(r.checks["iso3"]) == set(MEMBERS)
    for ind in ("population", "area_km2", "gdp_usd", "milex_share_gdp"):
        assert len(r.checks[r.checks["indicator"] == ind]) >= len(MEMBERS) - 1, ind  # Iceland: no Factbook share


def _edit_notes(raw, keep):
    path = raw / NOTES
    rows = list(csv.DictReader(open(path, encoding="utf-8")))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, ["iso3", "indicator", "use", "value_used", "why"], lineterminator="\n")
        w.writeheader()
        w.writerows([r for r in rows if keep(r)])
    rec = provenance.record_path(path)
    text = rec.read_text(encoding="utf-8")
    old = provenance.load_record(path)["outs"][0]
    rec.write_text(text.replace(old["sha256"], provenance.sha256(path)).replace(f"size: {old['size']}",
                                                                               f"size: {path.stat().st_size}"),
                   encoding="utf-8")


def test_removing_a_committed_note_stops_the_build(raw_copy):
    """At validation, before any notebook: the value's file, row and column, and the rule."""
    _edit_notes(raw_copy, lambda r: not (r["iso3"] == "NOR" and r["indicator"] == "area_km2"))
    with pytest.raises(DataValidationError,
                       match=r"indicators/wdi\.csv, row \d+ \(line \d+\), column 'value': Norway \(NOR\), area \(km²\): "
                             r"624,500 \(worldbank-wdi-2026, 2023\) against 323,802 \(cia-factbook-2026, undated\), "
                             r"gap 92\.9% > 2%.*\[rule: cross-check\]"):
        crosscheck.run(MEMBERS, raw_copy)


def test_a_changed_value_beyond_tolerance_stops_the_build(raw_copy):
    path = raw_copy / "indicators" / "wdi.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    hit = (df["iso3"] == "DEU") & (df["indicator"] == "SP.POP.TOTL") & (df["year"] == "2025")
    df.loc[hit, "value"] = str(float(df.loc[hit, "value"].iloc[0]) * 1.5)
    df.to_csv(path, index=False, lineterminator="\n")
    rec = provenance.record_path(path)
    old = provenance.load_record(path)["outs"][0]
    rec.write_text(rec.read_text(encoding="utf-8").replace(old["sha256"], provenance.sha256(path)).replace(
        f"size: {old['size']}", f"size: {path.stat().st_size}"), encoding="utf-8")
    problems = data.validate_all(raw_copy)  # stops at validation, naming file, row, column and rule
    row = int(df.index[hit][0]) + 1
    assert [(p.rule, p.row, p.column) for p in problems] == [("cross-check", row, "value")], problems
    assert problems[0].file.endswith("indicators/wdi.csv")
    assert "Germany (DEU), population: " in problems[0].message and "gap 49.1% > 5%" in problems[0].message
    with data.without_check():  # the notebook's own check says the same
        with pytest.raises(crosscheck.CrossCheckError, match=r"Germany \(DEU\), population: .* gap 49\.1% > 5%"):
            crosscheck.run(MEMBERS, raw_copy)
