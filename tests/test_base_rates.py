"""Base rates (brief.toml [[likelihood.base_rates]]): the record's rate and the chance it gives by a horizon."""

import math

import pandas as pd
import pytest

from csto_brief import config, ledger


class Recorder:
    def __init__(self):
        self.facts = {}

    def add(self, fact_id, value, **kw):
        self.facts[fact_id] = value


JUDGMENTS = pd.DataFrame({"judgment_id": ["ask"], "horizon": [pd.Timestamp("2027-12-31")],
                          "p_low": [10], "p_high": [20]})
DEVS = pd.DataFrame({"dev_id": ["a", "b", "c", "other"], "sources": [["s1"], ["s2"], ["s3"], ["s4"]],
                     "date": ["2010-05", "2016-01-02", "2020-06-30", "2015-12-31"]})
EVENTS = pd.DataFrame({"event_id": ["start"], "date": [pd.Timestamp("2007-12-31")]})


@pytest.fixture
def declared(monkeypatch):
    entries = []
    monkeypatch.setattr(config, "declared_part", lambda spec: {"base_rates": entries})
    monkeypatch.setattr(ledger, "evidence_cutoff_end", lambda: pd.Timestamp("2025-12-31"))
    return entries


def test_the_chance_from_a_rate():
    assert ledger.base_rate_chance(0, 20, 2) == 0
    assert ledger.base_rate_chance(2, 20, 10) == pytest.approx(1 - math.exp(-1))
    # more cases in the record, or a longer horizon, make one more case likelier
    assert ledger.base_rate_chance(3, 23, 1.4) < ledger.base_rate_chance(4, 23, 1.4) < ledger.base_rate_chance(4, 23, 3)
    with pytest.raises(ValueError, match="positive length"):
        ledger.base_rate_chance(3, 0, 1)


def test_the_range_a_few_cases_leave_open():
    # the exact Poisson 90% limits for three events are 0.818 and 7.754 events per record (Garwood); none seen: 0 and
    # -ln(0.05) = 2.996
    low, high = ledger.base_rate_interval(3, 1, 1)
    assert low == pytest.approx(1 - math.exp(-0.8177), abs=1e-4) and high == pytest.approx(1 - math.exp(-7.7537), abs=1e-5)
    assert ledger.base_rate_interval(0, 1, 1) == (0, pytest.approx(1 - math.exp(-2.9957), abs=1e-4))
    # the range holds the central chance, and narrows as the record grows at the same rate
    for n, years in ((1, 23.6), (3, 23.6), (30, 236)):
        low, high = ledger.base_rate_interval(n, years, 1.5)
        assert low < ledger.base_rate_chance(n, years, 1.5) < high
    assert (ledger.base_rate_interval(30, 236, 1.5)[1] - ledger.base_rate_interval(30, 236, 1.5)[0]
            < ledger.base_rate_interval(3, 23.6, 1.5)[1] - ledger.base_rate_interval(3, 23.6, 1.5)[0])
    with pytest.raises(ValueError, match="between 0 and 1"):
        ledger.base_rate_interval(3, 10, 1, level=90)
    with pytest.raises(ValueError, match="positive length"):
        ledger.base_rate_interval(3, 0, 1)


def test_the_record_gives_the_facts(declared):
    declared.append({"name": "asks", "judgment": "ask", "cases": ["a", "b", "c"], "since": "start"})
    F = Recorder()
    table = ledger.record_base_rates(F, JUDGMENTS, DEVS, EVENTS)
    assert F.facts["base_asks_n"] == 3 and F.facts["base_asks_years"] == 18
    # three in 18 years; two years ahead: 1 - e^(-1/3)
    assert F.facts["base_asks_chance"] == round(100 * (1 - math.exp(-3 * 2.0 / 18.0)), 0) == 28
    assert F.facts["base_asks_chance_low"] < 28 < F.facts["base_asks_chance_high"]
    assert table.loc[0, "90% range"] == F.facts["base_asks_chance_range"] == f"{F.facts['base_asks_chance_low']}–{F.facts['base_asks_chance_high']}%"
    assert table.loc[0, "judged"] == "10–20%"


def test_the_record_can_start_from_a_development(declared):
    # a rate since a change next door (a development), not since an alliance event: one case in ten years
    declared.append({"name": "since_change", "judgment": "ask", "cases": ["c"], "since": "other"})
    F = Recorder()
    ledger.record_base_rates(F, JUDGMENTS, DEVS, EVENTS)
    assert F.facts["base_since_change_years"] == 10
    assert F.facts["base_since_change_chance"] == round(100 * (1 - math.exp(-2.0 / 10.0))) == 18


@pytest.mark.parametrize("entry,text", [
    ({"name": "x", "judgment": "ask", "cases": ["a", "zz"], "since": "start"}, "cases names zz, not found in data/raw/developments.csv \\(column dev_id\\)"),
    ({"name": "x", "judgment": "nope", "cases": ["a"], "since": "start"}, "judgment names nope, not found in data/raw/judgments.csv"),
    ({"name": "x", "judgment": "ask", "cases": ["a"], "since": "never"}, "since names never, not found in data/raw/alliance_events.csv \\(column event_id\\) or data/raw/developments.csv"),
    ({"name": "x", "judgment": "ask", "cases": ["a"]}, "needs name, judgment, cases"),
    ({"name": "Bad name", "judgment": "ask", "cases": ["a"], "since": "start"}, "must be unique, in lower case"),
])
def test_a_base_rate_that_names_nothing_is_refused(declared, entry, text):
    declared.append(entry)
    with pytest.raises(config.ConfigError, match=text):
        ledger.record_base_rates(Recorder(), JUDGMENTS, DEVS, EVENTS)


def test_two_base_rates_with_one_name_are_refused(declared):
    entry = {"name": "asks", "judgment": "ask", "cases": ["a"], "since": "start"}
    declared.extend([entry, dict(entry, cases=["b"])])
    with pytest.raises(config.ConfigError, match="'asks' must be unique"):
        ledger.record_base_rates(Recorder(), JUDGMENTS, DEVS, EVENTS)


def _calls_table():
    return pd.DataFrame({"dev_id": ["b", "a", "plain"], "date": ["2022-09-14", "1999-08", "2020-01-01"],
                         "caller": ["ARM", "KGZ", None], "occasion": ["attacks", "raids", None],
                         "asked": ["troops", "aid", None],
                         "answered": ["none", "aid", None], "event": ["x", "y", "z"], "sources": ["s1", "s2", "s3"]})


def test_calls_for_help_are_the_developments_with_a_caller_in_date_order():
    calls = ledger.calls_for_help(_calls_table())
    assert calls["dev_id"].tolist() == ["a", "b"]
    assert calls["when"].tolist() == [pd.Timestamp("1999-08-01"), pd.Timestamp("2022-09-14")]
    f = Recorder()
    ledger.record_calls(f, _calls_table())
    assert (f.facts["n_calls_for_help"], f.facts["n_calls_troops"], f.facts["n_calls_forces_sent"]) == (2, 1, 0)


def test_a_call_missing_what_came_is_refused_naming_the_row_and_column():
    devs = _calls_table()
    devs.loc[0, "answered"] = None
    with pytest.raises(ValueError, match=r"developments.csv, dev_id b, column answered: a call for help needs "
                                         r"caller, occasion, asked, answered all given"):
        ledger.calls_for_help(devs)


def test_the_troop_requests_base_rate_counts_the_calls_for_troops_since_the_charter():
    """The base rate's cases (brief.toml) and the figure's calls (developments.csv) are one record: every call for
    troops since the Charter came into force is a case, and every case is such a call."""
    from csto_brief import data

    calls = ledger.calls_for_help(data.load("developments.csv"))
    rate = next(b for b in config.declared_part("likelihood")["base_rates"] if b["name"] == "troop_requests")
    events = data.load("alliance_events.csv").set_index("event_id")
    since = pd.Timestamp(events.loc[rate["since"], "date"])
    asked = calls[(calls["asked"] == "troops") & (calls["when"] >= since)]["dev_id"]
    assert sorted(asked) == sorted(rate["cases"])
    # the alliance's one answer with troops is the one deployment the unrest base rate counts
    unrest = next(b for b in config.declared_part("likelihood")["base_rates"] if b["name"] == "unrest_deployments")
    assert calls[calls["answered"] == "forces"]["dev_id"].tolist() == unrest["cases"]
