"""Editions that remember: each published edition's facts and judgments, frozen, and what changed since.

``make publish`` freezes the edition named in brief.toml (``version``, ``as_of``) into ``data/editions/``:

* ``editions.csv``: one row per published edition (number, date, evidence cut-off, where it was taken from);
* ``facts-<N>.csv``: every fact the edition's text used (from ``report/facts.csv``), with its value and sources;
* ``judgments-<N>.csv``: its judgments (from ``data/raw/judgments.csv``) with probabilities and resolution criteria.

Edition 2.0 was rebuilt from the repository's history (``python -m csto_brief.editions reconstruct 2.0 <commit>``).

The brief's annex "Changes since edition N" compares the last published edition with the facts and judgments of
this one (``changes``): every number whose value moved, with its reason from ``data/raw/changes.csv``; every
judgment added, redefined (a new statement under its id), moved (range or confidence) or retired, with the reason
beside it (``judgments.csv``, ``since_last``) or in ``changes.csv``. A moved number or judgment without a reason stops the build, naming it.
When a judgment's horizon passes, ``data/raw/outcomes.csv`` records what happened; ``score`` gives the Brier
score of the judgments settled so far (the validator stops the build while one past its horizon has none).
"""

from __future__ import annotations

import argparse
import fnmatch
import io
import subprocess
import sys
from dataclasses import dataclass

import pandas as pd

from . import paths

EDITIONS_DIR = paths.DATA_DIR / "editions"
INDEX = EDITIONS_DIR / "editions.csv"
FACT_COLUMNS = ["fact_id", "display", "value", "unit", "as_of", "sources", "derived_from"]
JUDGMENT_COLUMNS = ["judgment_id", "kind", "topic", "statement", "label", "horizon", "p_low", "p_high", "p_central",
                    "confidence", "resolution"]
JUDGMENTS_FILE = "data/raw/judgments.csv"


class EditionError(ValueError):
    pass


def _read(path_or_text, columns) -> pd.DataFrame:
    df = pd.read_csv(path_or_text, dtype=str, keep_default_na=False)
    for c in columns:
        if c not in df.columns:
            df[c] = ""
    return df[columns]


def published() -> pd.DataFrame:
    """The published editions, oldest first (an empty table if none)."""
    if not INDEX.exists():
        return pd.DataFrame(columns=["edition", "date", "evidence_cutoff", "taken_from"])
    return pd.read_csv(INDEX, dtype=str, keep_default_na=False)


def _key(edition: str) -> tuple[int, ...]:
    return tuple(int(x) for x in edition.split("."))


def last_before(edition: str) -> str | None:
    """The newest published edition older than ``edition`` (None: this is the first)."""
    older = [e for e in published()["edition"] if _key(e) < _key(edition)]
    return max(older, key=_key) if older else None


def frozen_facts(edition: str) -> pd.DataFrame:
    return _read(EDITIONS_DIR / f"facts-{edition}.csv", FACT_COLUMNS)


def frozen_judgments(edition: str) -> pd.DataFrame:
    return _read(EDITIONS_DIR / f"judgments-{edition}.csv", JUDGMENT_COLUMNS)


def _freeze(edition: str, date: str, cutoff: str, taken_from: str, facts_csv, judgments_csv) -> None:
    if edition in set(published()["edition"]):
        raise EditionError(f"edition {edition} is already published ({paths.rel(INDEX)}); raise brief.toml's version")
    EDITIONS_DIR.mkdir(parents=True, exist_ok=True)
    facts = _read(facts_csv, FACT_COLUMNS).sort_values("fact_id")
    judgments = _read(judgments_csv, JUDGMENT_COLUMNS)
    facts.to_csv(EDITIONS_DIR / f"facts-{edition}.csv", index=False, lineterminator="\n")
    judgments.to_csv(EDITIONS_DIR / f"judgments-{edition}.csv", index=False, lineterminator="\n")
    index = pd.concat([published(), pd.DataFrame([{"edition": edition, "date": date, "evidence_cutoff": cutoff,
                                                    "taken_from": taken_from}])], ignore_index=True)
    index.sort_values("edition", key=lambda s: s.map(_key)).to_csv(INDEX, index=False, lineterminator="\n")


def publish() -> str:
    """Freeze the edition brief.toml names, from the built brief (report/facts.csv) and data/raw/judgments.csv."""
    from . import config, export

    cfg = config.load()
    facts_csv = paths.REPORT_DIR / "facts.csv"
    if not facts_csv.exists():
        raise EditionError("report/facts.csv is missing: run `make brief` first, then publish")
    _freeze(cfg.version, cfg.as_of.isoformat(), export.evidence_cutoff(), "make publish",
            facts_csv, paths.PROJ_ROOT / JUDGMENTS_FILE)
    return cfg.version


def reconstruct(edition: str, commit: str) -> None:
    """Freeze a past edition from the repository's history: its report/facts.csv, judgments and brief.toml."""
    import tomllib

    def show(path: str) -> str:
        return subprocess.run(["git", "show", f"{commit}:{path}"], cwd=paths.PROJ_ROOT, check=True,
                              capture_output=True, text=True).stdout

    toml = tomllib.loads(show("brief.toml"))
    if toml["brief"]["version"] != edition:
        raise EditionError(f"commit {commit} is edition {toml['brief']['version']}, not {edition}")
    facts_text = show("report/facts.csv")
    cutoff = pd.read_csv(io.StringIO(facts_text), dtype=str).set_index("fact_id")["display"].get("evidence_cutoff", "")
    _freeze(edition, str(toml["brief"]["as_of"]), cutoff, f"git {commit}", io.StringIO(facts_text),
            io.StringIO(show(JUDGMENTS_FILE)))


# -- what changed ------------------------------------------------------------------------------------
@dataclass
class Changes:
    since: str
    facts: pd.DataFrame  # fact_id, what, old, new, reason_kind, reason
    added: list[str]  # facts the text uses now but did not then
    dropped: list[str]  # facts the text no longer uses
    judgments: pd.DataFrame  # judgment_id, change (added, redefined, moved, retired), old, old_confidence, new,
    #                          new_confidence, reason
    problems: list[str]


def _judgment_range(row) -> str:
    """A judgment's likelihood as printed beside its confidence, in a column of its own (ICD 203 keeps the two
    apart)."""
    return f"{row['p_low']}–{row['p_high']}%"


def _reason(reasons: pd.DataFrame, kind: str, item: str, since: str):
    for r in reasons.itertuples():
        if r.item_kind == kind and r.since == since and fnmatch.fnmatchcase(item, r.item):
            return r.reason_kind, r.reason, getattr(r, "what", "")
    return None


def changes(since: str, facts_now: pd.DataFrame, used_now: list[str], judgments_now: pd.DataFrame,
            reasons: pd.DataFrame) -> Changes:
    """What moved between edition ``since`` and now. ``facts_now``: every fact (indexed by id); ``used_now``: the
    ids the text uses; ``judgments_now``: data/raw/judgments.csv; ``reasons``: data/raw/changes.csv."""
    old = frozen_facts(since).set_index("fact_id")
    problems = []
    rows = []
    # Facts made from the judgments move with them: they are reported as judgments, not as numbers.
    judged = {f for f in old.index if JUDGMENTS_FILE in old.loc[f, "derived_from"]}
    for f in old.index:
        if f in judged or f not in facts_now.index or f not in used_now:
            continue
        if str(facts_now.loc[f, "value"]) != old.loc[f, "value"]:
            why = _reason(reasons, "fact", f, since)
            if why is None:
                problems.append(f"fact '{f}' changed since edition {since} ({old.loc[f, 'display']} -> "
                                f"{facts_now.loc[f, 'display']}) with no reason in data/raw/changes.csv")
                why = ("", "", "")
            rows.append({"fact_id": f, "what": why[2] or f.replace("_", " "), "old": old.loc[f, "display"],
                         "new": facts_now.loc[f, "display"], "reason_kind": why[0], "reason": why[1]})
    used_then = set(old.index) - judged
    is_judged = {f for f in used_now if f in facts_now.index and JUDGMENTS_FILE in str(facts_now.loc[f, "derived_from"])}
    added = sorted(set(used_now) - set(old.index) - is_judged)
    dropped = sorted(used_then - set(used_now))

    then = frozen_judgments(since).set_index("judgment_id")
    now = judgments_now.set_index("judgment_id")
    jrows = []
    for jid in now.index:
        r = now.loc[jid]
        if jid not in then.index:
            change, before = "added", None
        elif " ".join(str(then.loc[jid, "statement"]).split()) != " ".join(str(r["statement"]).split()):
            # a new question under the old id: not the same call moved, so a reader is not told it was
            change, before = "redefined", then.loc[jid]
        elif (then.loc[jid, "p_low"], then.loc[jid, "p_high"], then.loc[jid, "confidence"]) != \
                (str(r["p_low"]), str(r["p_high"]), r["confidence"]):
            change, before = "moved", then.loc[jid]
        else:
            if str(r.get("since_last", "")).strip():
                problems.append(f"judgment '{jid}' is unchanged since edition {since} but data/raw/judgments.csv "
                                "gives a reason for a change (since_last): clear it")
            continue
        reason = str(r.get("since_last", "")).strip()
        if not reason:
            problems.append(f"judgment '{jid}' is {change} since edition {since} with no reason (data/raw/judgments.csv, "
                            "column since_last)")
        jrows.append({"judgment_id": jid, "change": change,
                      "old": "" if before is None else _judgment_range(before),
                      "old_confidence": "" if before is None else before["confidence"],
                      "new": _judgment_range(r), "new_confidence": r["confidence"], "reason": reason})
    for jid in then.index.difference(now.index):
        why = _reason(reasons, "judgment", jid, since)
        if why is None:
            problems.append(f"judgment '{jid}' of edition {since} is retired with no reason in data/raw/changes.csv")
        jrows.append({"judgment_id": jid, "change": "retired", "old": _judgment_range(then.loc[jid]),
                      "old_confidence": then.loc[jid, "confidence"], "new": "", "new_confidence": "",
                      "reason": why[1] if why else ""})
    for r in reasons.itertuples():
        if r.since == since and r.item_kind == "fact" and not any(fnmatch.fnmatchcase(x["fact_id"], r.item) for x in rows):
            problems.append(f"data/raw/changes.csv gives a reason for '{r.item}', which did not change since "
                            f"edition {since}: remove the row")
    return Changes(since, pd.DataFrame(rows, columns=["fact_id", "what", "old", "new", "reason_kind", "reason"]), added,
                   dropped, pd.DataFrame(jrows, columns=["judgment_id", "change", "old", "old_confidence", "new", "new_confidence", "reason"]), problems)


# -- scoring -----------------------------------------------------------------------------------------
def score(outcomes: pd.DataFrame) -> tuple[int, float | None]:
    """How many judgments of the published editions are settled, and their Brier score (the mean squared gap
    between the central probability and what happened; 0 is perfect, 0.25 is always saying 50 %)."""
    if outcomes.empty:
        return 0, None
    gaps = []
    for r in outcomes.itertuples():
        if pd.isna(r.outcome) or str(r.outcome).strip() == "":
            continue  # void: a conditional judgment whose condition never arose is settled, not scored
        j = frozen_judgments(r.edition).set_index("judgment_id")
        if r.judgment_id not in j.index:
            raise EditionError(f"data/raw/outcomes.csv: judgment '{r.judgment_id}' is not in edition {r.edition}")
        p = float(j.loc[r.judgment_id, "p_central"] or (float(j.loc[r.judgment_id, "p_low"])
                                                         + float(j.loc[r.judgment_id, "p_high"])) / 2) / 100
        gaps.append((p - int(r.outcome)) ** 2)
    return (len(gaps), sum(gaps) / len(gaps)) if gaps else (0, None)


def due(on, judgments_now: pd.DataFrame, outcomes: pd.DataFrame) -> list[str]:
    """Judgments (of this edition and of every published one) whose horizon is before ``on`` and that have no
    outcome yet, as 'id (edition, horizon)'."""
    import datetime as dt

    settled = set(outcomes["judgment_id"])
    judged = [("this edition", judgments_now)] + [(e, frozen_judgments(e)) for e in published()["edition"]]
    return [f"{r.judgment_id} ({edition}, horizon {r.horizon})" for edition, j in judged for r in j.itertuples()
            if dt.date.fromisoformat(str(r.horizon)[:10]) < on and r.judgment_id not in settled]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m csto_brief.editions", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("publish", help="freeze the edition brief.toml names (make publish)")
    rc = sub.add_parser("reconstruct", help="freeze a past edition from a commit")
    rc.add_argument("edition")
    rc.add_argument("commit")
    args = ap.parse_args(argv)
    try:
        if args.cmd == "publish":
            print(f"published edition {publish()}: {paths.rel(EDITIONS_DIR)}")
        else:
            reconstruct(args.edition, args.commit)
            print(f"edition {args.edition} frozen from {args.commit}: {paths.rel(EDITIONS_DIR)}")
    except (EditionError, subprocess.CalledProcessError) as exc:
        print(f"not published: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
