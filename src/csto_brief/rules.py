"""Rules across files, run by the validator (``make validate``, the build's first stage) once every table has
passed its own schema, so that no bad value reaches a notebook: each problem names the file, the row (where
one row is at fault), the column and the rule, like the schema's.

* ``transition``: the membership events of each alliance follow one another (no state leaves an alliance it
  is not in, or joins one twice): data/raw/alliance_events.csv;
* ``status-model``: the India status model's inputs taken together (weights summing to one, ranges, scores
  in range, every criterion scored and evidenced): data/raw/status/*.csv;
* ``cross-check``: every member's indicators against a second source, within the tolerances of
  ``csto_brief.crosscheck`` or explained in data/raw/indicators/crosscheck_notes.csv;
* ``currency``: a PPP factor is stated in the currency of the state's exchange rate, or in euro where the
  fixed conversion is known: data/raw/indicators/wdi_ppp.csv;
* ``probability-order``, ``probability-band``, ``probability-central-edge``, ``probability-width``, ``probability-chain``,
  ``scenario-confidence``, ``scenario-horizon``, ``scenario-sum``: a judgment's range runs from low through its
  central value to high and lies inside one band of the likelihood scale (ICD 203, brief.toml ``[likelihood]``),
  its central value not on an edge two bands share, and the whole band when held with low confidence; an event reached only through a condition and some of its
  outcomes (``[[likelihood.chains]]``) holds their product in its range; the scenarios of one topic are one set,
  exclusive and exhaustive: one confidence, one horizon, central values summing to 100: data/raw/judgments.csv;
* ``judgment-sources``: the sources a judgment prints first are not graded weak: data/raw/judgments.csv;
* ``judgment-quotes``: a judgment's own text (statement, reasoning, test) quotes no probability in figures, its
  own or another's: the figures live in their columns and the text quoting them would fall behind:
  data/raw/judgments.csv;
* ``outcome-due``: a judgment past its horizon (this edition's, or a published edition's in data/editions/) has
  its outcome recorded in data/raw/outcomes.csv.

The notebooks run the same code (``membership``, ``status_model``, ``crosscheck``) on the same files; here it
runs first, so a mistake stops the build before any notebook starts.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from . import vocab
from .schema import Problem

def _rows(raw_dir: Path, file: str) -> list[dict[str, str]]:
    with open(raw_dir / file, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _row_of(raw_dir: Path, file: str, **match) -> int | None:
    for n, r in enumerate(_rows(raw_dir, file), start=1):
        if all(r.get(k) == str(v) for k, v in match.items() if v is not None):
            return n
    return None


def _shown(raw_dir: Path, file: str) -> str:
    from . import paths

    return paths.rel(raw_dir / file)


def membership_rules(raw_dir: Path, as_of: dt.date) -> list[Problem]:
    from . import data, membership

    events = data.load("alliance_events.csv", raw_dir)
    out = []
    for alliance in sorted(set(events["alliance"])):
        try:
            membership.status_changes(events, alliance)
        except membership.MembershipError as exc:
            event_id = str(exc).split()[1].rstrip(":")
            out.append(Problem(_shown(raw_dir, "alliance_events.csv"), "transition", str(exc),
                               _row_of(raw_dir, "alliance_events.csv", event_id=event_id), "event"))
    return out


def status_model_rules(raw_dir: Path, as_of: dt.date) -> list[Problem]:
    from . import data, status_model

    criteria, scores, evidence = (data.load(f"status/{f}.csv", raw_dir) for f in ("criteria", "scores", "evidence"))
    return [Problem(_shown(raw_dir, f"status/{i.file}"), "status-model", f"{i.who} {i.message}".strip(), i.row,
                    i.column) for i in status_model.issues(criteria, scores, evidence)]


def crosscheck_rules(raw_dir: Path, as_of: dt.date) -> list[Problem]:
    from . import crosscheck, data, membership

    events = data.load("alliance_events.csv", raw_dir)
    members = []
    for alliance in ("NATO", "CSTO"):
        try:
            status = membership.status_on(events, alliance, as_of)
        except membership.MembershipError:
            return []  # the transition rule names the event; the members are not known until it is mended
        members += sorted(status[status.isin(membership.IN_ALLIANCE)].index)
    try:
        crosscheck.run(members, raw_dir)
    except crosscheck.CrossCheckError as exc:
        out = []
        for iso3, indicator, year, message, what in exc.items:
            if what == "gap" and indicator in crosscheck.VALUE_FILES:
                file, column, code = crosscheck.VALUE_FILES[indicator]
                row = _row_of(raw_dir, file, iso3=iso3, indicator=code, year=year)
            else:
                file, column = crosscheck.NOTES_FILE, "value_used"
                row = _row_of(raw_dir, file, iso3=iso3, indicator=indicator)
            out.append(Problem(_shown(raw_dir, file), "cross-check", message.removeprefix("cross-check: "), row, column))
        return out
    return []


def currency_rules(raw_dir: Path, as_of: dt.date) -> list[Problem]:
    from .blocs import EURO_CONVERSION

    file = "indicators/wdi_ppp.csv"
    rows = _rows(raw_dir, file)
    home = {r["iso3"]: r["currency"] for r in rows if r["indicator"] == "PA.NUS.FCRF"}
    out = []
    for n, r in enumerate(rows, start=1):
        h = home.get(r["iso3"], r["currency"])
        if r["indicator"] == "PA.NUS.PPP" and r["currency"] != h and not (r["currency"] == "EUR" and h in EURO_CONVERSION):
            out.append(Problem(_shown(raw_dir, file), "currency",
                               f"{r['iso3']} {r['year']}: PPP factor in {r['currency']}, its exchange rate in {h}; no "
                               f"conversion is known (csto_brief.blocs.EURO_CONVERSION)", n, "currency"))
    return out


def judgment_rules(raw_dir: Path, as_of: dt.date) -> list[Problem]:
    from . import config

    shown = _shown(raw_dir, "judgments.csv")
    rows = _rows(raw_dir, "judgments.csv")
    cfg = config.load()
    edges = ", ".join(f"{lo:g}–{hi:g}" for lo, hi, _ in config.bands(cfg.likelihood, cfg.likelihood_lowest))
    # a band's upper edge is the next band's lower one: a central value there belongs to neither
    shared = {hi for _, hi, _ in config.bands(cfg.likelihood, cfg.likelihood_lowest)[:-1]} if cfg.likelihood else set()
    out = []
    for n, r in enumerate(rows, start=1):
        lo, hi, mid = int(r["p_low"]), int(r["p_high"]), int(r["p_central"])
        if not lo <= mid <= hi:
            out.append(Problem(shown, "probability-order", f"judgment {r['judgment_id']}: needs p_low <= p_central <= "
                                                           f"p_high, got {lo} <= {mid} <= {hi}", n, "p_central"))
        elif cfg.likelihood and config.likelihood_band(lo, hi, cfg.likelihood, cfg.likelihood_lowest) is None:
            out.append(Problem(shown, "probability-band", f"judgment {r['judgment_id']}: the range {lo}–{hi}% crosses "
                                                          f"the edge of a likelihood band (ICD 203: {edges}); narrow it "
                                                          f"to one band", n, "p_low"))
        elif cfg.likelihood and mid in shared:
            out.append(Problem(shown, "probability-central-edge", f"judgment {r['judgment_id']}: the central value "
                                                                  f"{mid}% is the edge two likelihood bands share "
                                                                  f"(ICD 203: {edges}); put it inside the judgment's band",
                               n, "p_central"))
    out += _width_problems(shown, rows, cfg)
    out += _chain_problems(shown, rows)
    out += _subset_problems(shown, rows)
    out += _printed_source_problems(raw_dir, shown, rows)
    out += _quoted_probability_problems(shown, rows)
    sets: dict[str, list[tuple[int, dict]]] = {}
    for n, r in enumerate(rows, start=1):
        if r["kind"] == "scenario":
            sets.setdefault(r["topic"], []).append((n, r))
    for topic, members in sets.items():
        ids = ", ".join(r["judgment_id"] for _, r in members)
        if len({r["confidence"] for _, r in members}) > 1:
            out.append(Problem(shown, "scenario-confidence", f"the {topic} scenarios ({ids}) are one set and take one "
                                                             f"confidence, not {', '.join(sorted({r['confidence'] for _, r in members}))}",
                               members[0][0], "confidence"))
        if len({r["horizon"] for _, r in members}) > 1:
            out.append(Problem(shown, "scenario-horizon", f"the {topic} scenarios ({ids}) need one horizon",
                               members[0][0], "horizon"))
        total = sum(int(r["p_central"]) for _, r in members)
        if total != 100:
            out.append(Problem(shown, "scenario-sum", f"the {topic} scenarios ({ids}) are exclusive and exhaustive, so "
                                                      f"their central values sum to 100, not {total}",
                               members[0][0], "p_central"))
    return out


def _printed_source_problems(raw_dir: Path, shown: str, rows: list[dict]) -> list[Problem]:
    """``judgment-sources``: the sources a judgment's row prints (the first few) are not ones the data grade weak
    (a repost kept for want of better, or a report the text itself corrects)."""
    from .ledger import PRINTED_SOURCES

    weak = {r["source_id"] for r in _rows(raw_dir, "sources.csv") if r["quality"] == "weak"}
    out = []
    for n, r in enumerate(rows, start=1):
        first = [s for s in r["sources"].split(";")[:PRINTED_SOURCES] if s in weak]
        if first:
            out.append(Problem(shown, "judgment-sources", f"judgment {r['judgment_id']}: its printed sources include "
                                                          f"{', '.join(first)}, graded weak in sources.csv; put a "
                                                          f"standard or primary source first", n, "sources"))
    return out


# a percentage, or a range of them, that is not a share of something ("2% of GDP")
_QUOTED_PROBABILITY = re.compile(r"\d+(?:\.\d+)?\s*(?:[–-]\s*\d+(?:\.\d+)?\s*)?(?:%|per\s?cent)(?!\s*of\b)")


def _quoted_probability_problems(shown: str, rows: list[dict]) -> list[Problem]:
    """``judgment-quotes``: the words of a judgment (statement, basis, resolution) carry no percentage: a chance typed
    there (its own or another judgment's) goes stale when the figures in p_low, p_high and p_central move."""
    out = []
    for n, r in enumerate(rows, start=1):
        for col in ("statement", "basis", "resolution"):
            m = _QUOTED_PROBABILITY.search(r.get(col) or "")
            if m:
                out.append(Problem(shown, "judgment-quotes", f"judgment {r['judgment_id']}: its {col} quotes "
                                                             f"'{m.group(0)}'; say it in words, or point to the "
                                                             "judgment, whose figures are in their columns", n, col))
    return out


def _width_problems(shown: str, rows: list[dict], cfg) -> list[Problem]:
    """``probability-width``: a judgment held with a confidence that brief.toml lists in [likelihood] whole_band
    (low) takes the whole band of its words: thin or conflicting evidence does not support a range narrower than
    the words themselves, and a narrow range beside a low confidence claims a precision the confidence denies."""
    from . import config

    try:
        whole = config.declared_part("brief.toml:likelihood").get("whole_band", [])
    except config.ConfigError:
        whole = []
    if not cfg.likelihood or not whole:
        return []
    out = []
    for n, r in enumerate(rows, start=1):
        if r["confidence"] not in whole:
            continue
        lo, hi = int(r["p_low"]), int(r["p_high"])
        band = config.likelihood_band(lo, hi, cfg.likelihood, cfg.likelihood_lowest)
        if band is not None and (lo, hi) != (int(band[0]), int(band[1])):
            out.append(Problem(shown, "probability-width", f"judgment {r['judgment_id']}: held with {r['confidence']} "
                                                           f"confidence, so its range is its band's whole range, "
                                                           f"{band[0]:g}–{band[1]:g}% ({band[2]}), not {lo}–{hi}%",
                               n, "p_low" if lo != int(band[0]) else "p_high"))
    return out


def _subset_problems(shown: str, rows: list[dict]) -> list[Problem]:
    """``probability-subset``: an event that is one way of another (brief.toml, [[likelihood.subsets]]: India's status
    is one way of a first grant to anyone) is no likelier than it, on range and central value, and held with no more
    confidence than it."""
    from . import config

    by_id = {r["judgment_id"]: (n, r) for n, r in enumerate(rows, start=1)}
    try:
        subsets = config.declared_part("brief.toml:likelihood").get("subsets", [])
    except config.ConfigError:
        subsets = []
    levels = vocab.CONFIDENCE_ORDER
    out = []
    for s in subsets:
        if not isinstance(s, dict) or not {"event", "within"} <= s.keys():
            out.append(Problem("brief.toml", "probability-subset", "each [[likelihood.subsets]] entry needs event and "
                                                                   "within (judgment ids)"))
            continue
        missing = [i for i in (s["event"], s["within"]) if i not in by_id]
        if missing:
            out.append(Problem(shown, "probability-subset", f"brief.toml [[likelihood.subsets]] names "
                                                            f"{', '.join(missing)}, not in the judgments", None, "judgment_id"))
            continue
        (n, e), (_, w) = by_id[s["event"]], by_id[s["within"]]
        for col in ("p_high", "p_central"):
            if int(e[col]) > int(w[col]):
                out.append(Problem(shown, "probability-subset", f"judgment {s['event']} is one way of {s['within']}, so "
                                   f"its {col} ({e[col]}%) cannot exceed that one's ({w[col]}%)", n, col))
        if e["confidence"] in levels and w["confidence"] in levels and \
                levels.index(e["confidence"]) > levels.index(w["confidence"]):
            out.append(Problem(shown, "probability-subset", f"judgment {s['event']} is one way of {s['within']}, so its "
                               f"confidence '{e['confidence']}' cannot exceed that one's ('{w['confidence']}')", n,
                               "confidence"))
    return out


def _chain_problems(shown: str, rows: list[dict]) -> list[Problem]:
    """``probability-chain``: an event that comes about only through a condition and some of its outcomes (brief.toml,
    [[likelihood.chains]]) has the condition's chance times theirs, on central values, inside its own range; with
    ``gap`` (percentage points: the other paths the entry names), its central value lies between that product and
    the product plus the gap, so the two cannot tell a reader different stories; and it is held with no more
    confidence than the weakest judgment it is derived from."""
    from . import config

    by_id = {r["judgment_id"]: (n, r) for n, r in enumerate(rows, start=1)}
    out = []
    try:
        chains = config.declared_part("brief.toml:likelihood").get("chains", [])
    except config.ConfigError:  # no likelihood scale, so no chains
        chains = []
    for chain in chains:
        if not isinstance(chain, dict) or not {"event", "given", "outcomes"} <= chain.keys():
            out.append(Problem("brief.toml", "probability-chain", "each [[likelihood.chains]] entry needs event, given "
                                                                  "and outcomes (judgment ids)"))
            continue
        ids = [chain["event"], chain["given"], *chain["outcomes"]]
        missing = [i for i in ids if i not in by_id]
        if missing:
            out.append(Problem(shown, "probability-chain", f"brief.toml [[likelihood.chains]] names "
                                                           f"{', '.join(missing)}, not in the judgments", None,
                               "judgment_id"))
            continue
        n, event = by_id[chain["event"]]
        given = int(by_id[chain["given"]][1]["p_central"])
        through = sum(int(by_id[o][1]["p_central"]) for o in chain["outcomes"])
        chance = given * through / 100
        # a chance derived from other judgments is held with no more confidence than the weakest of them
        levels = vocab.CONFIDENCE_ORDER
        weakest = min((by_id[i][1]["confidence"] for i in [chain["given"], *chain["outcomes"]]),
                      key=lambda c: levels.index(c) if c in levels else -1)
        if event["confidence"] in levels and weakest in levels and levels.index(event["confidence"]) > levels.index(weakest):
            out.append(Problem(shown, "probability-chain",
                               f"judgment {chain['event']}: its confidence '{event['confidence']}' is higher than that "
                               f"of the judgments its chance is derived from ({weakest})", n, "confidence"))
        if not int(event["p_low"]) <= chance <= int(event["p_high"]):
            out.append(Problem(shown, "probability-chain",
                               f"judgment {chain['event']}: its range {event['p_low']}–{event['p_high']}% must hold "
                               f"the chance of {chain['given']} ({given}%) times that of "
                               f"{' or '.join(chain['outcomes'])} ({through}%), {chance:g}%", n, "p_low"))
        elif "gap" in chain and not chance <= int(event["p_central"]) <= chance + float(chain["gap"]):
            out.append(Problem(shown, "probability-chain",
                               f"judgment {chain['event']}: its central value {event['p_central']}% must lie between "
                               f"the chance of {chain['given']} ({given}%) times that of "
                               f"{' or '.join(chain['outcomes'])} ({through}%), {chance:g}%, and that plus the "
                               f"{chain['gap']} points brief.toml allows for other paths", n, "p_central"))
    return out


def outcome_rules(raw_dir: Path, as_of: dt.date) -> list[Problem]:
    """``outcome-due``: a judgment whose horizon has passed by the edition date (of this edition, or of a published
    one in data/editions/) has its outcome in outcomes.csv, so every edition is scored."""
    settled = {(r["judgment_id"], r["edition"]) for r in _rows(raw_dir, "outcomes.csv")}
    out = []
    for n, r in enumerate(_rows(raw_dir, "judgments.csv"), start=1):
        if dt.date.fromisoformat(r["horizon"]) < as_of and not any(j == r["judgment_id"] for j, _ in settled):
            out.append(Problem(_shown(raw_dir, "judgments.csv"), "outcome-due",
                               f"judgment {r['judgment_id']}: its horizon {r['horizon']} has passed; record what "
                               f"happened in outcomes.csv (by its resolution criteria, with a source)", n, "horizon"))
    index = raw_dir.parent / "editions" / "editions.csv"
    if index.exists():
        for ed in _rows(index.parent, "editions.csv"):
            for n, r in enumerate(_rows(index.parent, f"judgments-{ed['edition']}.csv"), start=1):
                if dt.date.fromisoformat(r["horizon"]) < as_of and (r["judgment_id"], ed["edition"]) not in settled:
                    out.append(Problem(_shown(index.parent, f"judgments-{ed['edition']}.csv"), "outcome-due",
                                       f"judgment {r['judgment_id']} of edition {ed['edition']}: its horizon "
                                       f"{r['horizon']} has passed; record what happened in "
                                       f"{_shown(raw_dir, 'outcomes.csv')}", n, "horizon"))
    return out


# The cross-check needs the members (the transition rule) and the currencies (the currency rule) right: it
# runs only when the rules before it found nothing.
RULES = (membership_rules, status_model_rules, currency_rules, judgment_rules, outcome_rules)
AFTER = (crosscheck_rules,)


def check_all(raw_dir: Path, as_of: dt.date) -> list[Problem]:
    from . import data

    out = []
    with data.without_check():
        for rule in RULES:
            out.extend(rule(raw_dir, as_of))
        if not out:
            for rule in AFTER:
                out.extend(rule(raw_dir, as_of))
    return out
