"""A transparent scoring model of a state's prospects of CSTO observer or partner status.

It structures judgement; it does not measure probability. Each criterion has a weight per status (in
``data/raw/status/criteria.csv``, summing to 1) and each candidate a score from -2 (strongly against) to
+2 (strongly for) per criterion, with a plausible low-high range and the evidence behind it
(``scores.csv``, ``evidence.csv``). Criteria are on the demand side (will the state seek the
status?) or the supply side (would the CSTO grant it?); each side's index is its weighted mean score
rescaled to 0-100 (50 = the evidence balances), and the prospect is the lower of the two.

Eligibility is a gate, not a weight: a criterion marked ``gate`` in criteria.csv (``observer``: the
conditions both statuses share; ``partner``: the further conditions of partner status) carries no
weight. A state whose gate score is +1 or more passes; at 0 or -1 it is doubtful and its prospect is
capped at ``gate_cap`` (brief.toml); below -1 it fails and its prospect is 0. Partner status asks all
that observer status asks and more, so a state's partner prospect never exceeds its observer prospect.
The sensitivity analysis draws weights (uniform in their ranges, renormalised) and
scores (triangular on low-score-high) and reports how far the index moves, and a one-at-a-time
tornado of what matters most. A new candidate is a set of rows in scores.csv and evidence.csv.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

STATUSES = ("observer", "partner")
GATE_PASS, GATE_FAIL = 1.0, -1.0  # a gate score >= GATE_PASS passes; < GATE_FAIL fails; between: doubtful
SCORE_MIN, SCORE_MAX = -2.0, 2.0
WEIGHT_SUM = 1.0
TOLERANCE = 1e-6


class ModelError(ValueError):
    pass


@dataclass(frozen=True)
class Model:
    criteria: pd.DataFrame  # indexed by criterion_id
    scores: pd.DataFrame  # columns candidate_iso3, criterion_id, score, low, high, evidence
    evidence: pd.DataFrame
    gate_cap: float = 20.0

    def gates(self, status: str) -> np.ndarray:
        """Which criteria are gates for a status: the shared ones for both, the partner ones for partner."""
        g = self.criteria["gate"].fillna("") if "gate" in self.criteria else pd.Series("", index=self.criteria.index)
        applies = ("observer",) if status == "observer" else ("observer", "partner")
        return g.isin(applies).values

    @property
    def candidates(self) -> list[str]:
        return list(dict.fromkeys(self.scores["candidate_iso3"]))


@dataclass(frozen=True)
class Issue:
    """One problem of the model's inputs, where it is: file (in data/raw/status), data row, column."""
    file: str
    message: str
    row: int | None = None
    column: str | None = None
    who: str = ""  # "(candidate criterion)" for a row of scores.csv

    def __str__(self) -> str:
        where = self.file + (f", row {self.row}" if self.row is not None else "") + (f" {self.who}" if self.who else "")
        return f"{where}" + (f", column '{self.column}'" if self.column else "") + f": {self.message}"


def issues(criteria: pd.DataFrame, scores: pd.DataFrame, evidence: pd.DataFrame) -> list[Issue]:
    """Every problem of the model's inputs taken together (the validator runs this before any notebook)."""
    crit = criteria.set_index("criterion_id")
    crit_row = {cid: n for n, cid in enumerate(criteria["criterion_id"], start=1)}
    out: list[Issue] = []
    if "gate" in crit:
        for cid in crit.index[crit["gate"].fillna("") != ""]:
            if any(float(crit.loc[cid, f"w_{st}{sfx}"]) != 0 for st in STATUSES for sfx in ("", "_low", "_high")):
                out.append(Issue("criteria.csv", f"criterion {cid}: a gate carries no weight (set its weights to 0)",
                                 crit_row[cid], "gate"))
    for status in STATUSES:
        w = crit[f"w_{status}"].astype(float)
        total = w.sum()
        if abs(total - WEIGHT_SUM) > TOLERANCE:
            out.append(Issue("criteria.csv", f"the {status} weights sum to {total:.6f}, not {WEIGHT_SUM:g}",
                             None, f"w_{status}"))
        lo, hi = crit[f"w_{status}_low"].astype(float), crit[f"w_{status}_high"].astype(float)
        for cid in crit.index[(lo > w) | (w > hi) | (lo < 0)]:
            out.append(Issue("criteria.csv", f"criterion {cid}: {status} weight range must satisfy "
                                             f"0 <= low <= weight <= high", crit_row[cid], f"w_{status}"))
    ids = set(crit.index)
    row_of = {}
    for n, r in enumerate(scores.itertuples(), start=1):
        row_of.setdefault((r.candidate_iso3, r.criterion_id), n)
        who = f"({r.candidate_iso3} {r.criterion_id})"
        if r.criterion_id not in ids:
            out.append(Issue("scores.csv", f"unknown criterion; known: {', '.join(crit.index)}", n, "criterion_id", who))
        for col in ("score", "low", "high"):
            v = float(getattr(r, col))
            if not SCORE_MIN <= v <= SCORE_MAX:
                out.append(Issue("scores.csv", f"{v:g} is outside {SCORE_MIN:g}..{SCORE_MAX:g}", n, col, who))
        if not float(r.low) <= float(r.score) <= float(r.high):
            out.append(Issue("scores.csv", f"needs low <= score <= high, got {r.low:g} <= {r.score:g} <= "
                                           f"{r.high:g}", n, None, who))
        if not r.evidence:
            out.append(Issue("scores.csv", "a score needs at least one evidence row", n, "evidence", who))
    dup = scores[scores.duplicated(["candidate_iso3", "criterion_id"])]
    for i, r in zip(dup.index, dup.itertuples()):
        out.append(Issue("scores.csv", f"{r.candidate_iso3} {r.criterion_id} is scored twice",
                         int(scores.index.get_loc(i)) + 1, "criterion_id"))
    known_ev = set(evidence["evidence_id"])
    ev_by_id = evidence.drop_duplicates("evidence_id").set_index("evidence_id")
    for n, r in enumerate(scores.itertuples(), start=1):
        for col in ("evidence", "see_also"):
            for e in getattr(r, col, None) or []:
                where = f"({r.candidate_iso3} {r.criterion_id})"
                if e not in known_ev:
                    out.append(Issue("scores.csv", f"evidence '{e}' is not in evidence.csv", n, col, where))
                    continue
                owner, crit_of = ev_by_id.loc[e, "candidate"], ev_by_id.loc[e, "criterion_id"]
                if owner not in (r.candidate_iso3, "ALL"):
                    out.append(Issue("scores.csv", f"evidence '{e}' is for candidate {owner}, not "
                                                   f"{r.candidate_iso3} or ALL", n, col, where))
                if col == "evidence" and crit_of != r.criterion_id:
                    out.append(Issue("scores.csv", f"evidence '{e}' is on criterion {crit_of}, not "
                                                   f"{r.criterion_id} (related evidence goes in see_also)", n, col, where))
    for cand in dict.fromkeys(scores["candidate_iso3"]):
        have = set(scores.loc[scores["candidate_iso3"] == cand, "criterion_id"])
        for cid in sorted(ids - have, key=list(crit.index).index):
            out.append(Issue("scores.csv", f"{cand} has no score for criterion {cid}", None, "criterion_id"))
        for cid in sorted(have & ids, key=list(crit.index).index):
            ev = evidence[(evidence["criterion_id"] == cid) & evidence["candidate"].isin([cand, "ALL"])]
            if ev.empty:
                out.append(Issue("evidence.csv", f"no evidence for {cand} on criterion {cid} (its own or 'ALL')",
                                 None, "criterion_id"))
    return out


def build(criteria: pd.DataFrame, scores: pd.DataFrame, evidence: pd.DataFrame, gate_cap: float = 20.0) -> Model:
    """Check the model's inputs together and return it; every problem is named."""
    problems = issues(criteria, scores, evidence)
    if problems:
        raise ModelError(f"{len(problems)} problem(s) in the status model:\n  " + "\n  ".join(map(str, problems)))
    crit = criteria.set_index("criterion_id")
    return Model(crit, scores.reset_index(drop=True), evidence, float(gate_cap))


def _matrix(model: Model, column: str) -> pd.DataFrame:
    return model.scores.pivot(index="candidate_iso3", columns="criterion_id", values=column).astype(float)[
        list(model.criteria.index)].loc[model.candidates]


def to_index(weighted_mean):
    """Map a weighted mean score in [-2, 2] to 0-100."""
    return 50.0 + 25.0 * np.asarray(weighted_mean)


def components(s, w, demand_mask, gates=None, gate_cap: float = 20.0) -> dict[str, np.ndarray]:
    """Demand (will the state seek the status?), supply (would the CSTO grant it?) and the prospect,
    the lower of the two: a state that does not apply gets nothing, however welcome. ``s`` and ``w``
    are arrays (..., criteria); each side's weights are renormalised within the side. ``gates`` marks
    the eligibility criteria: their lowest score passes, caps (doubtful) or zeroes (fails) the prospect."""
    s, w = np.asarray(s, dtype=float), np.asarray(w, dtype=float)
    g = np.zeros(s.shape[-1], dtype=bool) if gates is None else np.asarray(gates, dtype=bool)
    d = np.asarray(demand_mask, dtype=bool) & ~g
    p = ~np.asarray(demand_mask, dtype=bool) & ~g
    demand = to_index((s[..., d] * w[..., d]).sum(-1) / w[..., d].sum(-1))
    supply = to_index((s[..., p] * w[..., p]).sum(-1) / w[..., p].sum(-1))
    prospect = np.minimum(demand, supply)
    if g.any():
        gate = s[..., g].min(-1)
        prospect = np.where(gate < GATE_FAIL, 0.0, np.where(gate < GATE_PASS, np.minimum(prospect, gate_cap), prospect))
    return {"demand": demand, "supply": supply, "prospect": prospect}


def gate_outcome(score: float) -> str:
    return "passes" if score >= GATE_PASS else ("fails" if score < GATE_FAIL else "doubtful")


def _both(model: Model, s, w_by_status) -> dict[str, dict[str, np.ndarray]]:
    """Both statuses from the same scores; partner's prospect is capped by observer's."""
    mask = _demand_mask(model)
    out = {st: components(s, w_by_status[st], mask, model.gates(st), model.gate_cap) for st in STATUSES}
    out["partner"]["prospect"] = np.minimum(out["partner"]["prospect"], out["observer"]["prospect"])
    return out


def _demand_mask(model: Model) -> np.ndarray:
    return (model.criteria["side"] == "demand").values


def index(model: Model, status: str) -> pd.DataFrame:
    """Demand, supply and prospect per candidate at the central scores and weights."""
    w = {st: model.criteria[f"w_{st}"].astype(float).values for st in STATUSES}
    c = _both(model, _matrix(model, "score").values, w)[status]
    return pd.DataFrame(c, index=model.candidates)


def monte_carlo(model: Model, status: str, draws: int, seed: int) -> pd.DataFrame:
    """Prospect, demand and supply per draw and candidate (long format): weights uniform in their
    ranges (renormalised), scores triangular on (low, score, high), independently. Same seed, same result."""
    if int(draws) != draws or draws < 1:
        raise ModelError(f"the number of draws must be a whole number of at least 1, not {draws!r}")
    rng = np.random.default_rng(seed)
    crit = model.criteria
    w = {st: rng.uniform(crit[f"w_{st}_low"].astype(float).values, crit[f"w_{st}_high"].astype(float).values,
                         size=(draws, len(crit))) for st in STATUSES}
    s_lo, s_mid, s_hi = (_matrix(model, c).values for c in ("low", "score", "high"))
    frames = []
    for i, cand in enumerate(model.candidates):
        u = rng.uniform(size=(draws, len(crit)))
        c = _both(model, _triangular(u, s_lo[i], s_mid[i], s_hi[i]), w)[status]
        frames.append(pd.DataFrame({"candidate": cand, "draw": np.arange(draws), **c}))
    return pd.concat(frames, ignore_index=True)


def _triangular(u, a, m, b):
    """Inverse CDF of the triangular distribution; a degenerate range returns the mode."""
    width = b - a
    safe = np.where(width > 0, width, 1.0)
    f = np.where(width > 0, (m - a) / safe, 0.0)
    left = a + np.sqrt(u * safe * (m - a))
    right = b - np.sqrt((1 - u) * safe * (b - m))
    return np.where(width > 0, np.where(u < f, left, right), m)


def summarise(sims: pd.DataFrame, central: pd.DataFrame, measure: str = "prospect") -> pd.DataFrame:
    q = sims.groupby("candidate", sort=False)[measure].quantile([0.05, 0.5, 0.95]).unstack()
    q.columns = ["p05", "median", "p95"]
    q.insert(0, "central", central[measure])
    return q


def tornado(model: Model, status: str, candidate: str, measure: str = "prospect") -> pd.DataFrame:
    """One-at-a-time swings of a candidate's index: each score from low to high, and each weight from
    low to high (the weights are renormalised within each side). Sorted by the larger swing."""
    crit = model.criteria
    w0 = crit[f"w_{status}"].astype(float)
    s = _matrix(model, "score").loc[candidate]
    lo, hi = _matrix(model, "low").loc[candidate], _matrix(model, "high").loc[candidate]
    w_all = {st: crit[f"w_{st}"].astype(float) for st in STATUSES}

    def value(sv, wv):
        return float(_both(model, sv.values, {**{k: v.values for k, v in w_all.items()}, status: wv.values})[status][measure])

    base = value(s, w0)
    rows = []
    for cid in crit.index:
        is_gate = bool(model.gates(status)[list(crit.index).index(cid)])
        if w0[cid] == 0 and crit.loc[cid, f"w_{status}_high"] == 0 and not is_gate:
            continue  # not part of this status
        s_lo, s_hi = s.copy(), s.copy()
        s_lo[cid], s_hi[cid] = lo[cid], hi[cid]
        w_lo, w_hi = w0.copy(), w0.copy()
        w_lo[cid], w_hi[cid] = float(crit.loc[cid, f"w_{status}_low"]), float(crit.loc[cid, f"w_{status}_high"])
        rows.append({"criterion_id": cid, "name": crit.loc[cid, "name"], "side": crit.loc[cid, "side"],
                     "base": base, "score_low": value(s_lo, w0), "score_high": value(s_hi, w0),
                     "weight_low": value(s, w_lo), "weight_high": value(s, w_hi)})
    t = pd.DataFrame(rows)
    t["swing"] = np.maximum((t["score_high"] - t["score_low"]).abs(), (t["weight_high"] - t["weight_low"]).abs())
    return t.sort_values(["swing", "criterion_id"], ascending=[False, True]).reset_index(drop=True)


def judgement(value: float, bands: list[tuple[float, str]]) -> str:
    """The words for an index value: ``bands`` are (upper bound, words), ascending."""
    for upper, words in bands:
        if value < upper:
            return words
    return bands[-1][1]


def confidence(p05: float, p95: float, bands: list[tuple[float, str]], share_high_evidence: float) -> str:
    """High if the 90 % range stays in one band and most evidence is direct; moderate if it spans at
    most two bands; low otherwise."""
    lower = [0.0] + [upper for upper, _ in bands[:-1]]
    span = [words for lo, (upper, words) in zip(lower, bands) if lo <= p95 and p05 < upper]
    if len(span) == 1 and share_high_evidence >= 0.6:
        return "high"
    if len(span) <= 2:
        return "moderate"
    return "low"
