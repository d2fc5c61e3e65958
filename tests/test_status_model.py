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


def test_bands_and_confidence():
    bands = [(20, "very unlikely"), (40, "unlikely"), (60, "even"), (80, "likely"), (101, "very likely")]
    assert sm.judgement(15, bands) == "very unlikely" and sm.judgement(40, bands) == "even"
    assert sm.confidence(22, 35, bands, 0.7) == "high"
    assert sm.confidence(15, 35, bands, 0.7) == "moderate"
    assert sm.confidence(15, 65, bands, 0.7) == "low"


def test_the_committed_model_is_valid_and_covers_every_candidate():
    m = sm.build(data.load("status/criteria.csv"), data.load("status/scores.csv"), data.load("status/evidence.csv"))
    assert "IND" in m.candidates and len(m.candidates) >= 3


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
