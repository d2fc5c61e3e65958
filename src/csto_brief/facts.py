"""The fact base: the source documents' claims joined to their verdicts."""

from __future__ import annotations

import pandas as pd

from . import data
from .schemas import STATUSES

STATUS_LABELS = {"holds": "Holds", "outdated": "Outdated", "wrong": "Wrong", "imprecise": "Imprecise",
                 "unverifiable": "Unverifiable"}


def checked_claims() -> pd.DataFrame:
    """One row per claim: the claim, its document and date, the verdict and today's value."""
    claims = data.load("claims.csv")
    checks = data.load("claim_checks.csv")
    docs = data.load("documents.csv")[["doc_id", "outlet", "kind", "date_published", "date_precision"]]
    out = claims.merge(checks, on="claim_id", how="left", validate="one_to_one")
    out = out.merge(docs.rename(columns={"date_published": "doc_date"}), on="doc_id", how="left", validate="many_to_one")
    return out.sort_values("claim_id", kind="stable").reset_index(drop=True)


def verdict_counts(checked: pd.DataFrame) -> pd.DataFrame:
    """Claims per document and verdict (documents as rows, verdicts as columns, all verdicts present)."""
    t = pd.crosstab(checked["doc_id"], checked["status"]).reindex(columns=list(STATUSES), fill_value=0)
    t.columns.name = None
    return t


def headline(checked: pd.DataFrame) -> str:
    n = checked["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    parts = [f"{n['holds']} still hold", f"{n['outdated']} are outdated", f"{n['wrong']} were wrong",
             f"{n['imprecise']} are imprecise", f"{n['unverifiable']} cannot be verified"]
    return (f"Of the {len(checked)} claims in the three source documents, "
            + ", ".join(parts[:-1]) + " and " + parts[-1] + ".")
