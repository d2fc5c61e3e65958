"""Editions that remember: frozen facts and judgments, the changes annex with a reason for every move, scoring."""

import csv
import io
import os
import subprocess
import sys

import pandas as pd
import pytest

from csto_brief import editions, paths, pipeline, rules

FACTS = """fact_id,display,value,unit,as_of,sources,derived_from
border_km,"1,344",1344,km,2026-01-01,src-a,data/raw/border_lengths.csv
members,6,6,states,2026-01-01,,data/raw/alliance_events.csv
kj_x,likely,likely,,2026-01-01,src-a,data/raw/judgments.csv
"""
JUDGMENTS = """judgment_id,kind,topic,statement,label,horizon,p_low,p_high,p_central,confidence,resolution
x,key,csto,X happens,X,2027-12-31,55,70,60,low,Yes if X
old,key,csto,Old call,Old,2027-12-31,80,90,85,high,Yes if old
"""


@pytest.fixture
def frozen(tmp_path, monkeypatch):
    monkeypatch.setattr(editions, "EDITIONS_DIR", tmp_path / "editions")
    monkeypatch.setattr(editions, "INDEX", tmp_path / "editions" / "editions.csv")
    editions._freeze("1.0", "2026-01-01", "December 2025", "test", io.StringIO(FACTS), io.StringIO(JUDGMENTS))
    return tmp_path


def _now(border="1344", p=("55", "70", "60"), since_last=""):
    facts = pd.DataFrame([
        {"fact_id": "border_km", "value": border, "display": f"{int(border):,}", "derived_from": "data/raw/border_lengths.csv"},
        {"fact_id": "members", "value": "6", "display": "6", "derived_from": "data/raw/alliance_events.csv"},
        {"fact_id": "kj_x", "value": "unlikely", "display": "unlikely", "derived_from": "data/raw/judgments.csv"},
        {"fact_id": "new_fact", "value": "1", "display": "1", "derived_from": "data/raw/x.csv"},
    ]).set_index("fact_id", drop=False)
    judgments = pd.DataFrame([{"judgment_id": "x", "kind": "key", "topic": "csto", "statement": "X happens", "label": "X",
                               "horizon": "2027-12-31", "p_low": p[0], "p_high": p[1], "p_central": p[2],
                               "confidence": "low", "resolution": "Yes if X", "since_last": since_last}])
    return facts, ["border_km", "members", "kj_x", "new_fact"], judgments


REASONS = ["item_kind", "item", "since", "reason_kind", "reason"]


def test_an_edition_is_frozen_once_and_listed(frozen):
    assert list(editions.published()["edition"]) == ["1.0"]
    assert editions.frozen_facts("1.0")["fact_id"].tolist() == ["border_km", "kj_x", "members"]
    assert editions.last_before("1.1") == "1.0" and editions.last_before("1.0") is None
    with pytest.raises(editions.EditionError, match="edition 1.0 is already published"):
        editions._freeze("1.0", "2026-02-01", "", "test", io.StringIO(FACTS), io.StringIO(JUDGMENTS))


def test_every_moved_number_and_judgment_needs_its_reason(frozen):
    facts, used, judgments = _now(border="1357", p=("5", "20", "15"))
    ch = editions.changes("1.0", facts, used, judgments, pd.DataFrame(columns=REASONS))
    assert ch.problems == [
        "fact 'border_km' changed since edition 1.0 (1,344 -> 1,357) with no reason in data/raw/changes.csv",
        "judgment 'x' is moved since edition 1.0 with no reason (data/raw/judgments.csv, column since_last)",
        "judgment 'old' of edition 1.0 is retired with no reason in data/raw/changes.csv"]
    assert ch.added == ["new_fact"] and ch.dropped == []  # a judgment's words move with the judgment, not as a number


def test_reasons_are_carried_into_the_annex_and_stale_reasons_refused(frozen):
    facts, used, judgments = _now(border="1357", p=("5", "20", "15"), since_last="New evidence on X")
    reasons = pd.DataFrame([["fact", "border_*", "1.0", "correction", "The ministry's figure"],
                            ["judgment", "old", "1.0", "retired", "A near-certainty"],
                            ["fact", "members", "1.0", "new-data", "A new member"]], columns=REASONS)
    ch = editions.changes("1.0", facts, used, judgments, reasons)
    assert ch.facts[["fact_id", "old", "new", "reason_kind"]].values.tolist() == [["border_km", "1,344", "1,357", "correction"]]
    cols = ["judgment_id", "change", "old", "old_confidence", "new", "new_confidence", "reason"]
    assert ch.judgments[cols].values.tolist() == [
        ["x", "moved", "55–70%", "low", "5–20%", "low", "New evidence on X"],
        ["old", "retired", "80–90%", "high", "", "", "A near-certainty"]]
    assert ch.problems == ["data/raw/changes.csv gives a reason for 'members', which did not change since edition 1.0: "
                           "remove the row"]


def test_a_judgment_that_asks_a_new_question_under_its_old_id_is_redefined_not_moved(frozen):
    facts, used, judgments = _now(p=("5", "20", "15"), since_last="Now asks about Y")
    judgments.loc[0, "statement"] = "Y happens"
    reasons = pd.DataFrame([["judgment", "old", "1.0", "retired", "A near-certainty"]], columns=REASONS)
    ch = editions.changes("1.0", facts, used, judgments, reasons)
    assert ch.judgments[["judgment_id", "change"]].values.tolist() == [["x", "redefined"], ["old", "retired"]]
    # the same wording, however it is wrapped, is the same question
    judgments.loc[0, "statement"] = "X  happens"
    assert editions.changes("1.0", facts, used, judgments, reasons).judgments.loc[0, "change"] == "moved"


def test_the_brier_score_of_settled_judgments(frozen):
    assert editions.score(pd.DataFrame(columns=["judgment_id", "edition", "outcome"])) == (0, None)
    # a conditional judgment whose condition never arose is void: settled, not scored
    void = pd.DataFrame([{"judgment_id": "x", "edition": "1.0", "outcome": None}])
    assert editions.score(void) == (0, None)
    out = pd.DataFrame([{"judgment_id": "x", "edition": "1.0", "outcome": 1},
                        {"judgment_id": "old", "edition": "1.0", "outcome": 0}])
    n, brier = editions.score(out)
    assert n == 2 and brier == pytest.approx(((0.60 - 1) ** 2 + 0.85 ** 2) / 2)


def test_a_published_judgment_past_its_horizon_without_an_outcome_stops_validation(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (tmp_path / "editions").mkdir()
    for name, text in (("judgments.csv", "judgment_id,horizon\n"), ("outcomes.csv", "judgment_id,edition\n"),
                       ("editions/editions.csv", "edition,date\n1.0,2025-01-01\n"),
                       ("editions/judgments-1.0.csv", "judgment_id,horizon\nx,2025-12-31\ny,2030-12-31\n")):
        (raw / name if not name.startswith("editions") else tmp_path / name).write_text(text)
    import datetime as dt

    found = rules.outcome_rules(raw, dt.date(2026, 12, 2))
    assert [(p.rule, p.row, p.column) for p in found] == [("outcome-due", 1, "horizon")]
    assert "judgment x of edition 1.0: its horizon 2025-12-31 has passed" in found[0].message
    (raw / "outcomes.csv").write_text("judgment_id,edition\nx,1.0\n")
    assert rules.outcome_rules(raw, dt.date(2026, 12, 2)) == []


def test_publish_then_change_a_number_and_a_judgment_and_find_both_in_the_annex(tmp_path):
    """As an editor does it, in a copy of the repository: publish this edition, start the next, change a raw data
    value (and run the notebook that reads it) and a judgment's probability, each with its reason, and read the
    changes annex of the new edition."""
    root = pipeline.copy_repo(tmp_path / "repo")
    env = {**os.environ, "CSTO_BRIEF_ROOT": str(root)}

    def py(*args):
        return subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True)

    res = py("-m", "csto_brief.editions", "publish")
    assert res.returncode == 0, res.stderr
    toml = (root / "brief.toml").read_text()
    current = toml.split('version = "', 1)[1].split('"', 1)[0]
    assert py("-m", "csto_brief.editions", "publish").returncode == 1  # the same edition twice is refused
    nxt = f"{current.split('.')[0]}.{int(current.split('.')[1]) + 1}"
    (root / "brief.toml").write_text(toml.replace(f'version = "{current}"', f'version = "{nxt}"'))
    # a value in the raw data moves (as an amended budget would move it), and the notebook that reads it runs ...
    dev = pd.read_csv(root / "data/raw/developments.csv", dtype=str, keep_default_na=False)
    dev.loc[dev["dev_id"] == "rus-defence-2026", "value"] = "13100"
    dev.to_csv(root / "data/raw/developments.csv", index=False, lineterminator="\n")
    with open(root / "data/raw/changes.csv", "a", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(["fact", "dev_rus_defence_2026_n", "Russia's 2026 defence budget",
                                                      current, "new-data", "The budget as amended"])
    # ... and a judgment's probability, with its reason beside it
    j = pd.read_csv(root / "data/raw/judgments.csv", dtype=str, keep_default_na=False)
    k = j.index[j["judgment_id"] == "any-status"][0]
    before = f"{j.loc[k, 'p_low']}–{j.loc[k, 'p_high']}%"  # the published edition's range, from its data
    j.loc[k, ["p_low", "p_high", "p_central", "since_last"]] = ["20", "40", "30", "A state applied for observer status"]
    j["since_last"] = [s if n == k else "" for n, s in enumerate(j["since_last"])]
    j.to_csv(root / "data/raw/judgments.csv", index=False, lineterminator="\n")
    for raw in ("judgments.csv", "changes.csv", "developments.csv"):
        assert py("-m", "csto_brief.provenance", "update", f"data/raw/{raw}").returncode == 0
    res = py("-c", "from csto_brief import config, pipeline, render; "
                   "s = next(s for s in config.load().notebooks if s.path.startswith('notebooks/01')); "
                   "pipeline.execute_notebook(s); r = render.render(); "
                   "s = next(s for s in r.sections if s.name == 'B-changes'); print(r.section_html(s))")
    assert res.returncode == 0, res.stderr
    annex = res.stdout
    assert f"Edition {current} was published" in annex
    assert ("<td>Russia&#x27;s 2026 defence budget</td><td class=\"online-col\">dev_rus_defence_2026_n</td>"
            "<td>12,930</td><td>13,100</td><td>new data year</td><td>The budget as amended</td>") in annex
    assert (f"<td>moved</td><td>{before}</td><td>moderate</td><td>20–40%</td><td>moderate</td>"
            "<td class=\"online-col\">A state applied for observer status</td>") in annex


def test_no_judgment_is_past_its_horizon_today_without_an_outcome():
    """By the calendar, not the edition date: once a horizon passes, make test fails until data/raw/outcomes.csv
    records what happened (the build's own rule, outcome-due, uses the edition date so that a build stays the same
    bytes on any day)."""
    import datetime as dt

    now = pd.read_csv(paths.RAW_DIR / "judgments.csv", dtype=str)
    outcomes = pd.read_csv(paths.RAW_DIR / "outcomes.csv", dtype=str)
    late = editions.due(dt.date(2028, 1, 2), now, outcomes)  # the check bites once the first horizons pass
    assert "armenia-exit (this edition, horizon 2027-12-31)" in late and "armenia-exit (2.0, horizon 2027-12-31)" in late
    due = editions.due(dt.date.today(), now, outcomes)
    assert due == [], "record the outcome of each in data/raw/outcomes.csv: " + "; ".join(due)
