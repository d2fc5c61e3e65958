"""The status model: arithmetic, input validation, reproducibility of the sensitivity analysis."""

import numpy as np
import pandas as pd
import pytest

from csto_brief import data, status_model as sm


def toy(weights=(0.5, 0.5, 0.5, 0.5), scores=((2, 2, 2), (-2, -2, -1), (1, 0, 2), (0, -1, 1)), evidence=True):
    criteria = pd.DataFrame({
        "criterion_id": ["C1", "C2", "C3", "C4"], "name": ["a", "b", "c", "d"],
        "side": ["supply", "demand", "supply", "demand"],
        "w_observer": list(weights), "w_observer_low": [0.25] * 4, "w_observer_high": [0.75] * 4,
        "w_partner": list(weights), "w_partner_low": [0.25] * 4, "w_partner_high": [0.75] * 4})
    # weights sum to 1 overall when given as 0.25 each
    criteria[["w_observer", "w_partner"]] = criteria[["w_observer", "w_partner"]] / 2
    criteria[["w_observer_low", "w_partner_low"]] = criteria[["w_observer_low", "w_partner_low"]] / 2
    criteria[["w_observer_high", "w_partner_high"]] = criteria[["w_observer_high", "w_partner_high"]] / 2
    sc = pd.DataFrame([{"candidate_iso3": "AAA", "criterion_id": f"C{i + 1}", "score": float(s), "low": float(lo), "high": float(hi),
                        "evidence": [f"E{i + 1:03d}"]} for i, (s, lo, hi) in enumerate(scores)])
    ev = pd.DataFrame([{"evidence_id": f"E{i + 1:03d}", "candidate": "AAA", "criterion_id": f"C{i + 1}",
                        "confidence": "high"} for i in range(4 if evidence else 3)])
    return criteria, sc, ev


def test_index_arithmetic():
    m = sm.build(*toy())
    idx = sm.index(m, "observer").loc["AAA"]
    # supply: C1 (2) and C3 (1) with equal weights -> mean 1.5 -> 50 + 25*1.5
    assert idx["supply"] == pytest.approx(87.5)
    # demand: C2 (-2) and C4 (0) -> mean -1 -> 25
    assert idx["demand"] == pytest.approx(25.0)
    assert idx["prospect"] == pytest.approx(25.0)  # the lower side binds
    assert sm.to_index(-2) == 0 and sm.to_index(2) == 100


def test_weights_that_do_not_sum_are_refused():
    c, s, e = toy()
    c.loc[0, "w_observer"] = 0.5
    with pytest.raises(sm.ModelError, match="observer weights sum to 1.25"):
        sm.build(c, s, e)


def test_scores_out_of_range_or_unordered_are_refused():
    c, s, e = toy()
    s.loc[1, "high"] = 3
    s.loc[2, "low"] = 1.5
    with pytest.raises(sm.ModelError) as err:
        sm.build(c, s, e)
    msg = str(err.value)
    assert "row 2 (AAA C2), column 'high': 3 is outside -2..2" in msg
    assert "row 3 (AAA C3): needs low <= score <= high" in msg


def test_a_criterion_without_evidence_is_refused():
    with pytest.raises(sm.ModelError, match="no evidence for AAA on criterion C4"):
        sm.build(*toy(evidence=False))
    c, s, e = toy()
    s.loc[0, "evidence"] = []
    with pytest.raises(sm.ModelError, match="a score needs at least one evidence row"):
        sm.build(c, s, e)


def test_a_missing_criterion_score_is_refused():
    c, s, e = toy()
    with pytest.raises(sm.ModelError, match="AAA has no score for criterion C4"):
        sm.build(c, s.iloc[:3], e)


def test_same_seed_same_sensitivity_and_another_seed_differs():
    m = sm.build(*toy())
    a = sm.monte_carlo(m, "observer", 2000, seed=7)
    b = sm.monte_carlo(m, "observer", 2000, seed=7)
    c = sm.monte_carlo(m, "observer", 2000, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["prospect"], c["prospect"])
    # draws stay inside what the ranges allow
    assert a["supply"].between(0, 100).all() and a["demand"].max() <= sm.to_index(1)


def test_triangular_sampler_respects_its_range_and_mode():
    u = np.linspace(0, 1, 10001)
    x = sm._triangular(u, np.array(-2.0), np.array(1.0), np.array(2.0))
    assert x.min() == pytest.approx(-2) and x.max() == pytest.approx(2)
    assert np.median(x) == pytest.approx(-2 + np.sqrt(4 * 3 / 2), abs=0.01)  # analytic median, mode above the midpoint
    assert (sm._triangular(u, np.array(1.0), np.array(1.0), np.array(1.0)) == 1).all()


def test_tornado_swings_only_where_they_can_move_the_prospect():
    m = sm.build(*toy())
    t = sm.tornado(m, "observer", "AAA").set_index("criterion_id")
    assert t.loc["C2", "score_high"] == pytest.approx(sm.to_index((-1 + 0) / 2))  # demand mean with C2 at its high
    assert t.loc["C3", "swing"] == 0  # supply does not bind here
    # demand (25) binds and supply (87.5) stays above it however C1 and C3 move: only demand criteria swing
    assert (t.loc[["C1", "C3"], "swing"] == 0).all() and (t.loc[["C2", "C4"], "swing"] > 0).all()
    assert list(t["swing"]) == sorted(t["swing"], reverse=True) and set(t.index[:2]) == {"C2", "C4"}
    assert np.allclose(t["base"], 25.0)


def test_bands_and_confidence():
    bands = [(20, "very unlikely"), (40, "unlikely"), (60, "even"), (80, "likely"), (101, "very likely")]
    assert sm.judgement(15, bands) == "very unlikely" and sm.judgement(40, bands) == "even"
    assert sm.confidence(22, 35, bands, 0.7) == "high"
    assert sm.confidence(15, 35, bands, 0.7) == "moderate"
    assert sm.confidence(15, 65, bands, 0.7) == "low"


def test_the_committed_model_is_valid_and_covers_every_candidate():
    criteria, scores, evidence = (data.load(f"status/{f}.csv") for f in ("criteria", "scores", "evidence"))
    m = sm.build(criteria, scores, evidence)
    assert "IND" in m.candidates and len(m.candidates) >= 3
    assert m.candidates == list(dict.fromkeys(scores["candidate_iso3"]))
    crit_ids = list(criteria["criterion_id"])
    # every candidate has exactly one score on every criterion, within -2..2 and its own range
    grid = scores.pivot(index="candidate_iso3", columns="criterion_id", values="score")
    assert sorted(grid.columns) == sorted(crit_ids) and not grid.isna().any().any()
    assert len(scores) == len(m.candidates) * len(crit_ids)
    assert ((scores["low"] <= scores["score"]) & (scores["score"] <= scores["high"])).all()
    assert scores[["low", "score", "high"]].stack().between(sm.SCORE_MIN, sm.SCORE_MAX).all()
    # each score cites evidence on its own criterion, for its candidate or for all; related evidence likewise
    ev = evidence.set_index("evidence_id")
    for r in scores.itertuples():
        assert r.evidence, (r.candidate_iso3, r.criterion_id)
        for e in r.evidence:
            assert ev.loc[e, "criterion_id"] == r.criterion_id and ev.loc[e, "candidate"] in (r.candidate_iso3, "ALL")
        for e in r.see_also:
            assert ev.loc[e, "candidate"] in (r.candidate_iso3, "ALL")
    # every candidate has evidence of its own, and every evidence row is about a candidate or all of them
    assert set(m.candidates) <= set(evidence["candidate"])
    assert set(evidence["candidate"]) <= set(m.candidates) | {"ALL"}
    # the weights of each status sum to one, within their ranges, and give an index in 0..100 for everyone
    for status in sm.STATUSES:
        w = criteria[f"w_{status}"]
        assert w.sum() == pytest.approx(1.0)
        assert ((criteria[f"w_{status}_low"] <= w) & (w <= criteria[f"w_{status}_high"])).all()
        idx = sm.index(m, status)
        assert list(idx.index) == m.candidates and idx.stack().between(0, 100).all()


def test_evidence_on_another_criterion_or_candidate_is_refused():
    c, s, e = toy()
    s.at[0, "evidence"] = ["E001", "E002"]  # E002 is about C2
    with pytest.raises(sm.ModelError, match=r"\(AAA C1\), column 'evidence': evidence 'E002' is on criterion C2, "
                                            r"not C1 \(related evidence goes in see_also\)"):
        sm.build(c, s, e)
    c, s, e = toy()
    e.loc[0, "candidate"] = "BBB"
    with pytest.raises(sm.ModelError, match=r"\(AAA C1\), column 'evidence': evidence 'E001' is for candidate BBB, "
                                            r"not AAA or ALL"):
        sm.build(c, s, e)
    c, s, e = toy()
    s["see_also"] = [["E002"], [], [], []]  # related evidence may be on another criterion
    assert sm.build(c, s, e).candidates == ["AAA"]
    e.loc[1, "candidate"] = "BBB"  # but not another candidate's
    with pytest.raises(sm.ModelError, match="column 'see_also': evidence 'E002' is for candidate BBB"):
        sm.build(c, s, e)


def test_eligibility_is_a_gate_not_a_weight():
    """A doubtful gate caps the prospect, a failed one zeroes it, a passed one leaves it; the gate's own
    score never enters the weighted sums."""
    s = np.array([[2.0, 2, 2, 2], [0.0, 2, 2, 2], [-2.0, 2, 2, 2]])
    w = np.array([0.0, 0.5, 0.5, 0.0])  # C1 is the gate: no weight
    demand = np.array([False, True, False, False])
    gates = np.array([True, False, False, False])
    out = sm.components(s, w, demand, gates, gate_cap=20)
    assert list(out["demand"]) == [100, 100, 100] and list(out["supply"]) == [100, 100, 100]
    assert list(out["prospect"]) == [100, 20, 0]
    assert [sm.gate_outcome(v) for v in (2, 1, 0, -1, -2)] == ["passes", "passes", "doubtful", "doubtful", "fails"]


def test_partner_status_is_never_likelier_than_observer_status():
    m = sm.build(*toy())
    c = m.criteria.copy()
    c["w_partner"] = [0.0, 0.25, 0.5, 0.25]  # partner weighs the favourable supply criterion more
    c["w_partner_low"], c["w_partner_high"] = c["w_partner"], c["w_partner"]
    m = sm.Model(c, m.scores, m.evidence)
    obs, par = sm.index(m, "observer").loc["AAA"], sm.index(m, "partner").loc["AAA"]
    assert par["prospect"] <= obs["prospect"]
    sims = {st: sm.monte_carlo(m, st, 500, 7) for st in sm.STATUSES}
    assert (sims["partner"]["prospect"].values <= sims["observer"]["prospect"].values + 1e-12).all()


def test_a_gate_with_weight_and_zero_draws_are_refused():
    c, s, e = toy()
    c["gate"] = ["observer", "", "", ""]
    with pytest.raises(sm.ModelError, match="criterion C1: a gate carries no weight"):
        sm.build(c, s, e)
    with pytest.raises(sm.ModelError, match="draws must be a whole number of at least 1"):
        sm.monte_carlo(sm.build(*toy()), "observer", 0, 1)
