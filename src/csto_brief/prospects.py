"""What notebook 04 (India's prospects of CSTO status) records for the brief: one function per finding, each adding
its facts to the notebook's ``facts.Recorder`` or saving a display table, so that the notebook shows the model
and records it in a line per finding.
"""

from __future__ import annotations

import pandas as pd

from . import config, tables
from . import status_model as sm

STATUS = ["data/raw/status/criteria.csv", "data/raw/status/scores.csv", "data/raw/status/evidence.csv"]
MODEL = dict(derived_from=STATUS + ["brief.toml"])
MODEL_CODE = "src/csto_brief/status_model.py"
DATED_EVIDENCE = (("statuses_adopted", "E008"), ("cis_observer_proposed", "E021"), ("cis_observer_deferred", "E022"),
                  ("pak_armenia_relations", "E092"))


def record_counts(F, model, criteria: pd.DataFrame, evidence: pd.DataFrame, tor: pd.DataFrame, names: dict) -> None:
    """How many candidates (and which others than India), criteria and pieces of evidence; which criteria move
    India's prospect (the tornado)."""
    F.add("n_candidates", len(model.candidates), unit="states", derived_from=STATUS)
    F.add("n_other_candidates", len(model.candidates) - 1, unit="states", derived_from=STATUS)
    F.add("other_candidate_names", "; ".join(sorted(names[c] for c in model.candidates if c != "IND")),
          derived_from=STATUS + ["data/raw/countries.csv"])  # the text that names them is checked against it
    F.add("n_criteria", len(criteria), unit="criteria", derived_from=STATUS[0])
    shown = int((tor["swing"] > 0).sum())  # the tornado draws the criteria that move India's prospect
    F.add("tornado_n_shown", shown, unit="criteria", derived_from=STATUS)
    F.add("n_criteria_unmoving", len(criteria) - shown, unit="criteria", derived_from=STATUS)
    top = tor.sort_values("swing", ascending=False).head(2)["name"].str.lower().tolist()
    F.add("tornado_top", " and ".join(top), derived_from=STATUS)
    F.add("n_evidence", len(evidence), unit="pieces of evidence", derived_from=STATUS[2])
    F.add("n_evidence_ind", int((evidence["candidate"] == "IND").sum()), unit="pieces of evidence",
          derived_from=STATUS[2])


def record_model(F, judg: pd.DataFrame, cfg: dict, scores: pd.DataFrame) -> None:
    """The model's settings, India's index for each status (central, interval, demand, supply, words,
    confidence, gate), the candidate most likely to become an observer, and the scales the text quotes."""
    F.add("draws", cfg["draws"], unit="draws", derived_from="brief.toml")
    F.add("seed", cfg["seed"], derived_from="brief.toml", display=str(cfg["seed"]))
    for st in sm.STATUSES:
        r = judg[(judg["candidate"] == "IND") & (judg["status"] == st)].iloc[0]
        for k in ("central", "demand", "supply", "p05", "median", "p95"):
            F.add(f"ind_{st}_{k}", float(r[k]), digits=0, **MODEL)
        F.add(f"ind_{st}_words", r["words"], **MODEL)
        F.add(f"ind_{st}_confidence", r["confidence"], **MODEL)
    top = judg[judg["status"] == "observer"].sort_values("central", ascending=False).iloc[0]
    F.add("top_observer_name", top["name"], **MODEL)
    F.add("top_observer_words", top["words"], **MODEL)
    F.add("top_observer_central", float(top["central"]), digits=0, **MODEL)
    F.add("gate_cap", cfg["gate_cap"], digits=0, derived_from="brief.toml")
    gate_scores = scores.set_index(["candidate_iso3", "criterion_id"])["score"]
    for st, cid in (("observer", "C1"), ("partner", "C11")):
        F.add(f"ind_{st}_gate", sm.gate_outcome(float(gate_scores[("IND", cid)])), derived_from=STATUS[:2])
    F.add("index_min", 0, derived_from=MODEL_CODE)
    F.add("index_max", 100, derived_from=MODEL_CODE)
    F.add("score_min", -2, derived_from=STATUS[1], display="−2")
    F.add("score_max", 2, derived_from=STATUS[1], display="+2")
    F.add("interval_share", 90, unit="%", derived_from=MODEL_CODE, note="central 90% of the draws: 5th to 95th percentile")


def record_evidence(F, evidence: pd.DataFrame) -> None:
    """The dated pieces of evidence the text cites: the statuses' adoption and entry into force (and for how many
    years they have been in force), the CIS observer proposal and its deferral, India's exit from Ayni."""
    ev = evidence.set_index("evidence_id")
    for fact_id, eid in DATED_EVIDENCE:
        F.add(fact_id, ev.loc[eid, "date"], type="text", sources=ev.loc[eid, "sources"], derived_from=STATUS[2],
              note=ev.loc[eid, "finding"])
    F.add("ayni_exit_sources", "India's presence at Ayni ended", sources=ev.loc["E040", "sources"] + ev.loc["E051", "sources"],
          derived_from=STATUS[2])
    in_force = ev.loc["E007"]
    F.add("statuses_in_force", in_force["date"], type="text", sources=in_force["sources"], derived_from=STATUS[2],
          note=in_force["finding"])
    F.add("years_in_force", int(config.load().as_of.year) - int(str(in_force["date"])[:4]), unit="years",
          derived_from=[STATUS[2], "brief.toml"])


def _signed(x: float) -> str:
    return f"{x:+.0f}".replace("-", "−") if x else "0"


def save_india_criteria(criteria: pd.DataFrame, scores: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """India's score on each criterion, with its range, the assessment and the first two sources."""
    crit = criteria.set_index("criterion_id")
    ev = evidence.set_index("evidence_id")
    ind_sc = scores[scores["candidate_iso3"] == "IND"].set_index("criterion_id").loc[list(crit.index)]
    return tables.save(pd.DataFrame({
        "Criterion": [f"{crit.loc[c, 'name']} ({crit.loc[c, 'side']})" for c in ind_sc.index],
        "Score (range)": [f"{_signed(r.score)} ({_signed(r.low)} to {_signed(r.high)})" for r in ind_sc.itertuples()],
        "Assessment": ind_sc["rationale"].tolist(),
        "Evidence": [sorted({s for e in r.evidence for s in ev.loc[e, "sources"]})[:2] for r in ind_sc.itertuples()],
    }), "india_criteria")


def save_candidates(judg: pd.DataFrame, names: dict) -> pd.DataFrame:
    """Every candidate's prospect of each status, most likely observer first."""
    piv = judg.pivot(index="candidate", columns="status", values=["central", "words", "confidence"])
    order = judg[judg["status"] == "observer"].sort_values("central", ascending=False)["candidate"]
    return tables.save(pd.DataFrame({
        "State": [names[c] for c in order],
        **{f"{st.capitalize()} status (model score, 0–100)":
           [f"{piv.loc[c, ('words', st)]} ({piv.loc[c, ('central', st)]:.0f})" for c in order] for st in ("observer", "partner")},
        # one word when both statuses agree, else each status's own
        "Robustness": [piv.loc[c, ("confidence", "observer")] if piv.loc[c, ("confidence", "observer")] ==
                       piv.loc[c, ("confidence", "partner")] else
                       f"{piv.loc[c, ('confidence', 'observer')]} (observer), {piv.loc[c, ('confidence', 'partner')]} (partner)"
                       for c in order],
    }), "candidates")
