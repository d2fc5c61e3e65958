"""Bloc aggregation: totals are sums, gaps are named (never zeros), bad codes fail clearly."""

import math

import pandas as pd
import pytest

from csto_brief import blocs


@pytest.fixture(scope="module")
def table():
    return blocs.member_table({"NATO": ["USA", "DEU", "ISL"], "CSTO": ["RUS", "ARM", "TJK"], "Other": ["UZB", "TKM"]})


def toy():
    return pd.DataFrame({"alliance": ["X", "X", "X"], "iso3": ["AAA", "BBB", "CCC"],
                         "population": [1.0, 2.5, math.nan]})


def test_total_is_the_sum_of_members_and_names_the_gap():
    t = blocs.total(toy(), "population")
    assert t.value == 3.5 and t.missing == ("CCC",) and not t.complete
    assert blocs.total(toy(), "population", ["AAA", "BBB"]).complete


def test_missing_value_is_not_zero_but_flagged(table):
    # Turkmenistan has no SIPRI share of GDP in any year: a gap, not 0 %
    assert math.isnan(table.set_index("iso3").loc["TKM", "milex_share_gdp"])
    t = blocs.total(table, "milex_share_gdp", ["USA", "TKM"])
    assert t.missing == ("TKM",)


def test_a_member_without_the_newest_year_counts_with_its_latest_and_is_named(table):
    # Uzbekistan's last SIPRI share of GDP is 2018: counted at 2018, and the label says so
    t = blocs.total(table, "milex_share_gdp", ["USA", "UZB"])
    assert t.year == 2025 and t.lagging == (("UZB", 2018),) and not t.missing
    assert blocs.year_label(t, {"UZB": "Uzbekistan"}) == "2025; Uzbekistan 2018"
    assert blocs.year_label(blocs.total(table, "milex_share_gdp", ["USA", "DEU"])) == "2025"


def test_spending_at_ppp_is_local_currency_over_the_ppp_factor():
    t = blocs.spending_at_ppp(["USA", "RUS", "BGR"], 2025).set_index("iso3")
    assert t.loc["USA", "milex_ppp"] == pytest.approx(t.loc["USA", "milex_usd"], rel=1e-3)  # factor 1 by construction
    assert t.loc["RUS", "milex_ppp"] > 2 * t.loc["RUS", "milex_usd"]
    # WDI states Bulgaria's factor in euro, SIPRI its spending in leva: converted at the fixed rate
    assert "1.95583" in t.loc["BGR", "note"]
    assert 1 < t.loc["BGR", "milex_ppp"] / t.loc["BGR", "milex_usd"] < 4
    gap = blocs.spending_at_ppp(["TKM"], 2025).iloc[0]
    assert math.isnan(gap["milex_ppp"])  # no SIPRI figure for Turkmenistan: a gap, never zero


def test_real_totals_match_their_members(table):
    nato = table[table["alliance"] == "NATO"]
    t = blocs.total(nato, "population")
    assert t.value == pytest.approx(nato["population"].sum()) and t.complete
    assert table.set_index("iso3").loc["USA", "population_year"] == 2025
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
    real = milex.rename(columns={"milex_usd_m": "milex_const_usd_m"}).assign(milex_const_usd_m=[2.0, 2.0, 6.0, 7.0])
    r = blocs.spending_series(real, ["AAA", "BBB"], 2000, 2001, col="milex_const_usd_m")
    assert r["milex_const_usd_m"].tolist() == [8.0, 9.0] and r["missing"].tolist() == ["", ""]


@pytest.mark.parametrize("text,expected", [
    ("approximately 7,500 active-duty military personnel (2025)", 7_500),
    ("approximately 900 active military personnel (2025)", 900),
    ("approximately 1.28 million active duty Armed Forces (450,000 Army; 334,000 Navy) (2025)", 1_280_000),
    ("estimated 1.1-1.2 million active Armed Forces; estimated 350,000 Federal National Guard Troops (2025)", 1_150_000),
    ("approximately 50-60,000 active-duty military personnel (2025)", 55_000),
    ("available information varies widely; estimated 50,000 active Armed Forces; estimated 30,000 National Guard", 50_000),
    ("approximately 138,000 Regular Forces (75,000 Army including the Gurkhas; 32,000 Navy) (2025)", 138_000),
    ("approximately 200,000 active duty Armed Forces; approximately 150,000 National Gendarmerie (2025)", 200_000),
])
def test_the_factbook_forces_text_gives_active_forces(text, expected):
    """Active forces only: paramilitaries in later clauses and service breakdowns in parentheses are left out; a
    range counts at its midpoint, and '50-60,000' is fifty to sixty thousand."""
    assert blocs.factbook_forces(text) == expected


def test_a_forces_text_without_a_figure_or_with_a_falling_range():
    assert blocs.factbook_forces("limited available information") is None
    with pytest.raises(blocs.BlocError, match="falls"):
        blocs.factbook_forces("estimated 90-60,000 active forces")


def test_a_member_without_armed_forces_counts_none_not_missing():
    """Iceland: the World Bank counts no armed forces and the Factbook gives no figure, so its forces are zero; a
    member with no figure anywhere would stay missing."""
    table = blocs.member_table({"NATO": ["ISL", "USA"]})
    isl = table.set_index("iso3").loc["ISL"]
    assert isl["forces"] == 0 and table.set_index("iso3").loc["USA", "forces"] == 1_280_000


def test_the_leaders_change_splits_the_exchange_rate_from_the_budget():
    """A rise in dollars is read beside the rise in the member's own currency: the gap is the exchange rate's part.
    The verbs follow the data's signs."""
    import pandas as pd

    from csto_brief import compare

    class Recorder:
        def __init__(self):
            self.facts = {}

        def add(self, fact_id, value, **kw):
            self.facts[fact_id] = value

    def frame(col, a, b):
        return pd.DataFrame({"iso3": ["RUS", "RUS"], "year": [2024, 2025], col: [a, b]})

    F = Recorder()
    compare.record_leader_change(F, frame("milex_usd_m", 100.0, 127.0), frame("milex_const_usd_m", 100.0, 106.0), 2025,
                                 leaders={"rus": "RUS"}, local=frame("milex_lcu_m", 9000.0, 10350.0))
    assert round(F.facts["rus_milex_change"]) == 27 and F.facts["rus_milex_change_verb"] == "rose"
    assert round(F.facts["rus_milex_change_local"]) == 15 and F.facts["rus_milex_change_local_verb"] == "rose"
    assert F.facts["rus_currency_moved"] == "stronger"  # +27% in dollars from +15% at home
    F = Recorder()
    compare.record_leader_change(F, frame("milex_usd_m", 100.0, 105.0), frame("milex_const_usd_m", 100.0, 101.0), 2025,
                                 leaders={"rus": "RUS"}, local=frame("milex_lcu_m", 9000.0, 10350.0))
    assert F.facts["rus_currency_moved"] == "weaker"  # +5% in dollars from +15% at home
    F = Recorder()
    compare.record_leader_change(F, frame("milex_usd_m", 100.0, 95.0), frame("milex_const_usd_m", 100.0, 92.0), 2025,
                                 leaders={"rus": "RUS"})
    assert F.facts["rus_milex_change_verb"] == F.facts["rus_milex_change_real_verb"] == "fell"
    assert "rus_milex_change_local" not in F.facts
    with pytest.raises(ValueError, match="no figure for 2024 or 2025"):
        compare.record_leader_change(Recorder(), frame("milex_usd_m", 100.0, 95.0).iloc[1:], frame("milex_const_usd_m", 1.0, 1.0),
                                     2025, leaders={"rus": "RUS"})


def test_a_groups_change_sums_its_members_and_needs_every_one():
    import pandas as pd

    from csto_brief import compare

    class Recorder:
        def __init__(self):
            self.facts = {}

        def add(self, fact_id, value, **kw):
            self.facts[fact_id] = value

    milex = pd.DataFrame({"iso3": ["A", "A", "B", "B", "C", "C"], "year": [2024, 2025] * 3,
                          "milex_usd_m": [100.0, 110.0, 50.0, 70.0, 1000.0, 900.0]})
    F = Recorder()
    compare.record_group_change(F, milex, ["A", "B"], 2025, "group")
    assert round(F.facts["group_milex_change"]) == 20 and F.facts["group_milex_change_verb"] == "rose"  # 150 -> 180
    compare.record_group_change(F, milex, ["C"], 2025, "c")
    assert F.facts["c_milex_change_verb"] == "fell"
    gap = milex.assign(milex_usd_m=[100.0, None, 50.0, 70.0, 1000.0, 900.0])
    with pytest.raises(ValueError, match="lacks a figure for 2024 or 2025 for A"):
        compare.record_group_change(Recorder(), gap, ["A", "B"], 2025, "group")
