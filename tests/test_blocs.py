"""Bloc aggregation: totals are sums, gaps are named (never zeros), bad codes fail clearly."""

import math

import pandas as pd
import pytest

from csto_brief import blocs


@pytest.fixture(scope="module")
def table():
    return blocs.member_table({"NATO": ["USA", "DEU", "ISL"], "CSTO": ["RUS", "ARM", "TJK"]})


def toy():
    return pd.DataFrame({"alliance": ["X", "X", "X"], "iso3": ["AAA", "BBB", "CCC"],
                         "population": [1.0, 2.5, math.nan]})


def test_total_is_the_sum_of_members_and_names_the_gap():
    t = blocs.total(toy(), "population")
    assert t.value == 3.5 and t.missing == ("CCC",) and not t.complete
    assert blocs.total(toy(), "population", ["AAA", "BBB"]).complete


def test_missing_value_is_not_zero_but_flagged(table):
    # Iceland has no SIPRI share of GDP: a gap, not 0 %
    assert math.isnan(table.set_index("iso3").loc["ISL", "milex_share_gdp"])
    t = blocs.total(table, "milex_share_gdp", ["USA", "ISL"])
    assert t.missing == ("ISL",)


def test_real_totals_match_their_members(table):
    nato = table[table["alliance"] == "NATO"]
    t = blocs.total(nato, "population")
    assert t.value == pytest.approx(nato["population"].sum()) and t.complete
    assert table.set_index("iso3").loc["USA", "population_year"] == 2024
    assert blocs.share_of_leader(table, "milex_usd", "CSTO", "RUS") > 0.9


def test_unknown_code_and_absent_member_fail_with_names(table):
    with pytest.raises(blocs.BlocError, match="'XXX' is not a code in countries.csv"):
        blocs.member_table({"NATO": ["XXX"]})
    with pytest.raises(blocs.BlocError, match="no data row for FRA"):
        blocs.total(table, "population", ["USA", "FRA"])
    with pytest.raises(blocs.BlocError, match="unknown indicator"):
        blocs.total(table, "tanks")
    with pytest.raises(blocs.BlocError, match="two blocs"):
        blocs.member_table({"NATO": ["USA"], "CSTO": ["USA"]})


def test_ratio_and_zero_denominator():
    a = blocs.Total("x", 10.0, ("A",))
    assert blocs.ratio(a, blocs.Total("x", 4.0, ("B",))) == 2.5
    with pytest.raises(blocs.BlocError, match="zero total"):
        blocs.ratio(a, blocs.Total("x", 0.0, ("B",)))


def test_spending_series_lists_the_missing_years():
    milex = pd.DataFrame({"iso3": ["AAA", "AAA", "BBB", "BBB"], "year": [2000, 2001, 2000, 2001],
                          "milex_usd_m": [1.0, 2.0, 3.0, math.nan]})
    s = blocs.spending_series(milex, ["AAA", "BBB"], 2000, 2001)
    assert s["milex_usd_m"].tolist() == [4.0, 2.0] and s["missing"].tolist() == ["", "BBB"]
    with pytest.raises(blocs.BlocError, match="no SIPRI series for ZZZ"):
        blocs.spending_series(milex, ["AAA", "ZZZ"], 2000, 2001)
