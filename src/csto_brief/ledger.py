"""What notebook 01 (load and check the facts) records for the brief: one function per finding, each adding its
facts to the notebook's ``facts.Recorder`` (with their sources and the files they come from) and saving its display
tables, so that the notebook shows the checks and records them in a line per finding.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pandas as pd

from . import config, data, facts, membership, paths, schemas, tables, vocab

CLAIMS = ["data/raw/claims.csv", "data/raw/claim_checks.csv"]
EVENTS = ["data/raw/alliance_events.csv"]
DOCUMENTS = ["data/raw/documents.csv"]
JUDGMENTS = ["data/raw/judgments.csv", "brief.toml"]
# How many of a judgment's sources its row in the table of judgments prints (the rest are in the data); the
# validator keeps weak sources out of them (csto_brief.rules, ``judgment-sources``)
PRINTED_SOURCES = 2
DEVELOPMENTS = "data/raw/developments.csv"
SOURCES = ["data/raw/sources.csv"]
CITED_CLAIMS = ("A11", "B01", "B02", "B06", "B07", "C09")  # the checks the brief quotes


def record_claims(F, checked: pd.DataFrame, docs: pd.DataFrame) -> None:
    """How many claims each verdict has, the source documents and their months, the checks the text quotes, and
    the date the border programme was adopted (from claim C02's check)."""
    F.add("n_claims", len(checked), unit="claims", derived_from=CLAIMS)
    for v in vocab.VERDICTS:
        F.add(f"n_claims_{v}", int((checked["status"] == v).sum()), unit="claims", derived_from=CLAIMS)
    F.add("n_documents", len(docs), unit="documents", derived_from=DOCUMENTS)
    for d, r in docs.iterrows():  # the month each source document appeared
        F.add(f"doc_{d.lower()}_date", f"{r['date_published']:%Y-%m}", derived_from=DOCUMENTS)
    by_id = checked.set_index("claim_id")
    for cid in CITED_CLAIMS:
        r = by_id.loc[cid]
        F.add(f"claim_{cid.lower()}", r["value_today"], sources=r["sources"], as_of=f"{r['checked_on']:%Y-%m-%d}",
              derived_from=CLAIMS)
    c02 = by_id.loc["C02"]
    adopted = re.search(r"programme adopted (\d{1,2} \w{3} \d{4})", c02["value_today"])
    F.add("border_programme_adopted", pd.Timestamp(adopted.group(1)).date(), sources=c02["sources"],
          derived_from=CLAIMS, note=c02["value_today"])


def timeline_start(events: pd.DataFrame) -> pd.Timestamp:
    """Where the membership chart starts: 1 January two years before the Collective Security Treaty was signed, so
    NATO's count at the end of the Cold War is the first thing drawn and the CSTO's whole life fills its panel."""
    signed = events.set_index("event_id").loc["CSTO-001", "date"]
    return pd.Timestamp(year=signed.year - 2, month=1, day=1)


def record_membership(F, events: pd.DataFrame, today: pd.DataFrame, names: dict, docs: pd.DataFrame,
                      as_of: pd.Timestamp) -> None:
    """Members of each alliance at the edition date (and NATO's when the source documents appeared), the edition
    date, and the dated events the text quotes: the Treaty and the Charter, NATO's founding, who left the Treaty
    and when, Armenia's freeze, Uzbekistan's suspension, the CSTO's last accession."""
    ev = events.set_index("event_id")
    F.add("csto_members", len(membership.members_on(events, "CSTO", as_of)), unit="states", derived_from=EVENTS)
    F.add("csto_participating", len(membership.members_on(events, "CSTO", as_of, participating_only=True)),
          unit="states", derived_from=EVENTS)
    F.add("nato_members", len(membership.members_on(events, "NATO", as_of)), unit="states", derived_from=EVENTS)
    first_doc = docs["date_published"].min()  # the membership the source documents knew
    F.add("n_members_nato_2020", len(membership.members_on(events, "NATO", first_doc)), unit="states",
          derived_from=EVENTS + DOCUMENTS, as_of=f"{first_doc:%Y-%m-%d}")
    F.add("edition_date", as_of.date(), derived_from=["brief.toml"])
    F.add("next_year", as_of.year + 1, unit="year", derived_from=["brief.toml"])

    def event_fact(fact_id, event_id):
        r = ev.loc[event_id]
        F.add(fact_id, r["date"].date(), sources=r["sources"], derived_from=EVENTS, note=r["detail"])

    event_fact("treaty_signed", "CSTO-001")
    F.add("timeline_from", timeline_start(events).date(), derived_from=EVENTS,
          note="Figure 1 starts two years before the Collective Security Treaty, at the end of the Cold War")
    event_fact("charter_signed", "CSTO-016")
    nato_first = events[(events["alliance"] == "NATO") & (events["event"] == "join")].sort_values("date").iloc[0]
    F.add("nato_founded", nato_first["date"].date(), sources=nato_first["sources"], derived_from=EVENTS)
    # the treaty's former parties: who left, and when (the base rate for a member stepping back)
    left = events[(events["alliance"] == "CSTO") & (events["event"] == "leave")].sort_values("date")
    names_left = [names[c] for c in left["country_iso3"]]
    left_sources = sorted({s for ids in left["sources"] for s in ids})
    F.add("csto_leavers", ", ".join(names_left[:-1]) + " and " + names_left[-1], sources=left_sources,
          derived_from=EVENTS)
    F.add("csto_leave_year", int(left["date"].dt.year.max()), unit="year", sources=left_sources, derived_from=EVENTS)
    for fact_id, iso3 in (("armenia_frozen_since", "ARM"), ("uzbekistan_suspended_since", "UZB")):
        row = today[(today["alliance"] == "CSTO") & (today["country_iso3"] == iso3)].iloc[0]
        event_fact(fact_id, row["event_id"])
    # Uzbekistan's return, between its lapse of 1999 and its suspension of 2012
    uzb = events[(events["alliance"] == "CSTO") & (events["country_iso3"] == "UZB") & (events["event"] == "join")]
    event_fact("uzb_rejoined", uzb.sort_values("date")["event_id"].iloc[-1])
    last_join = events[(events["alliance"] == "CSTO") & (events["event"] == "join")].sort_values("date").iloc[-1]
    F.add("csto_last_accession", last_join["date"].date(), sources=last_join["sources"], derived_from=EVENTS,
          note=f"{names[last_join['country_iso3']]}: {last_join['detail']}")


def record_judgments(F, judgments: pd.DataFrame, cfg) -> pd.DataFrame:
    """The likelihood scale (a table) and each judgment: its words (the one band that holds its range), range,
    central value, horizon, confidence and statement; the table of judgments grouped by the question each
    answers, which it returns."""
    scale, lowest = cfg.likelihood, cfg.likelihood_lowest
    bands = config.bands(scale, lowest)
    tables.save(pd.DataFrame({"Words": [w for _, _, w in bands],
                              "Probability": [f"{lo:.0f}–{hi:.0f}%" for lo, hi, _ in bands]}), "likelihood_scale")
    for r in judgments.itertuples():
        k = "kj_" + r.judgment_id.replace("-", "_")
        words = config.likelihood_words(r.p_low, r.p_high, scale, lowest)
        F.add(k, words, sources=r.sources, derived_from=JUDGMENTS, note=r.statement)
        F.add(f"{k}_range", f"{r.p_low}–{r.p_high}%", sources=r.sources, derived_from=JUDGMENTS)
        F.add(f"{k}_central", int(r.p_central), unit="%", sources=r.sources, derived_from=JUDGMENTS)
        F.add(f"{k}_by", int(r.horizon.year), unit="year", derived_from=JUDGMENTS)
        F.add(f"{k}_confidence", r.confidence, derived_from=JUDGMENTS)
        F.add(f"{k}_statement", r.statement, derived_from=JUDGMENTS)  # the summary quotes what is judged
    F.add("n_judgments", len(judgments), unit="judgments", derived_from=JUDGMENTS)
    F.add("n_judgments_low", int((judgments["confidence"] == "low").sum()), unit="judgments", derived_from=JUDGMENTS)
    F.add("n_scenario_sets", int(judgments.loc[judgments["kind"] == "scenario", "topic"].nunique()), unit="sets",
          derived_from=JUDGMENTS)
    # the sets by the question each answers, as Table 6 heads them, so a caption can name them
    set_topics = [t for t in vocab.JUDGMENT_QUESTIONS if t in set(judgments.loc[judgments["kind"] == "scenario", "topic"])]
    F.add("scenario_set_questions", "; ".join(vocab.JUDGMENT_QUESTIONS[t] for t in set_topics), derived_from=JUDGMENTS)
    # Grouped by the question each answers: each scenario set (exclusive, exhaustive), then the single calls.
    order = {t: i for i, t in enumerate(vocab.JUDGMENT_QUESTIONS)}
    sc = judgments.assign(_q=judgments["topic"].map(order)).sort_values("_q", kind="stable")
    # What settles each, in the same order: printed with the methods, so a reader can score the edition later
    tables.save(pd.DataFrame({"Judgment": sc["label"], "By end of": sc["horizon"].dt.year.astype(str),
                              "Settled by": sc["resolution"]}), "resolutions")
    return tables.save(pd.DataFrame({
        "Question": sc["topic"].map(vocab.JUDGMENT_QUESTIONS), "Judgment": sc["label"], "In full": sc["statement"],
        "By end of": sc["horizon"].dt.year.astype(str),
        "Likelihood": [f"{config.likelihood_words(a, b, scale, lowest)} ({a}–{b}%)"
                       for a, b in zip(sc["p_low"], sc["p_high"])],
        "Central": [f"{c}%" for c in sc["p_central"]],
        "Confidence": sc["confidence"], "Why": sc["basis"], "Resolves": sc["resolution"],
        "Sources": sc["sources"].map(lambda s: s[:PRINTED_SOURCES]),
    }), "scenarios")


def record_developments(F, devs: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Each development since the source documents (its date, and its value where it has one), NATO's last three
    accessions, and the table of forces, which it returns."""
    for r in devs.itertuples():
        k = "dev_" + r.dev_id.replace("-", "_")
        F.add(k, r.date, type="text", sources=r.sources, derived_from=DEVELOPMENTS, note=r.event)
        if pd.notna(r.value):
            # shown as precisely as the source gives it: 49.75 with two decimals, 1502640 with none
            decimals = max(0, -Decimal(repr(float(r.value))).normalize().as_tuple().exponent)
            if r.unit == "year":  # a year a development names (a vote planned for 2027) prints as a year, not 2,027
                if decimals or not 1000 <= float(r.value) <= 2999:
                    raise ValueError(f"data/raw/developments.csv, dev_id {r.dev_id}, column value: a value in unit "
                                     f"'year' must be a whole four-digit year, not {r.value}")
                F.add(f"{k}_n", int(r.value), unit="year", sources=r.sources, derived_from=DEVELOPMENTS)
            else:
                F.add(f"{k}_n", float(r.value), unit=r.unit, digits=decimals, sources=r.sources, derived_from=DEVELOPMENTS)
    for code in ("MKD", "FIN", "SWE"):
        r = events[(events["alliance"] == "NATO") & (events["event"] == "join") & (events["country_iso3"] == code)].iloc[0]
        F.add(f"nato_join_{code.lower()}", r["date"].date(), sources=r["sources"], derived_from=EVENTS, note=r["detail"])
    forces = devs[devs["topic"] == "forces"]
    return tables.save(pd.DataFrame({
        "Force": forces["event"], "Size": forces.apply(lambda r: f"{r['value']:,.0f} {r['unit']}", axis=1),
        "Last reported": forces["date"].map(facts.long_date), "Sources": forces["sources"]}), "forces")


CALL_COLUMNS = ("caller", "occasion", "asked", "answered")


def calls_for_help(devs: pd.DataFrame) -> pd.DataFrame:
    """The members' calls on Russia or the CSTO for help (developments with a caller): date, caller, what was asked
    and what came, in date order. A row with some of the four columns (``CALL_COLUMNS``) and not all stops, naming it."""
    given = devs[list(CALL_COLUMNS)].fillna("").astype(str).ne("")
    partial = devs[given.any(axis=1) & ~given.all(axis=1)]
    if len(partial):
        r = partial.iloc[0]
        missing = [c for c in CALL_COLUMNS if not str(r[c] if pd.notna(r[c]) else "")]
        raise ValueError(f"data/raw/developments.csv, dev_id {r['dev_id']}, column {missing[0]}: a call for help "
                         f"needs {', '.join(CALL_COLUMNS)} all given")
    calls = devs[given.all(axis=1)].copy()
    calls["when"] = pd.to_datetime(calls["date"].astype(str).str.slice(0, 10).map(
        lambda d: d if len(d) == 10 else (d + "-01" if len(d) == 7 else d + "-01-01")))
    return calls.sort_values("when", kind="stable")[["dev_id", "when", *CALL_COLUMNS, "event",
                                                     "sources"]].reset_index(drop=True)


def record_calls(F, devs: pd.DataFrame) -> pd.DataFrame:
    """The calls for help (``calls_for_help``) and their counts: all, those asking for armed forces, and those
    answered with troops. Returns the calls."""
    calls = calls_for_help(devs)
    F.add("n_calls_for_help", len(calls), unit="calls", derived_from=DEVELOPMENTS)
    F.add("n_calls_troops", int((calls["asked"] == "troops").sum()), unit="calls", derived_from=DEVELOPMENTS)
    F.add("n_calls_forces_sent", int((calls["answered"] == "forces").sum()), unit="calls", derived_from=DEVELOPMENTS)
    F.add("calls_from", calls["when"].min().date(), derived_from=DEVELOPMENTS)
    return calls


def evidence_cutoff_end() -> pd.Timestamp:
    """The last day the evidence cut-off covers (the end of its month when it is dated to the month only): where a
    chart of states over time stops, as its caption says."""
    _, dated, _ = _dated_sources()
    newest = max(dated["date_published"], key=lambda d: (d + "-99-99")[:10])
    if len(newest) == 4:
        return pd.Timestamp(f"{newest}-12-31")
    start = pd.Timestamp(newest if len(newest) > 7 else newest + "-01")
    return start if len(newest) > 7 else start + pd.offsets.MonthEnd(0)


def _dated_sources():
    """(sources.csv, the dates of every source and dataset edition the tables rely on, the ids relied on)."""
    src = data.load("sources.csv").set_index("source_id")
    relied = set()
    for t in schemas.TABLES:
        for c in t.columns:
            if c.refs == "sources.csv:source_id":
                relied |= {s for ids in data.load(t.file)[c.name] for s in (ids if isinstance(ids, list) else [ids]) if s}
    dated = src.loc[sorted(relied)]
    if "date_basis" in dated:
        dated = dated[dated["date_basis"] != "stored-copy"]
    # the external datasets the analysis reads (their provenance records give each edition's date) are evidence too
    from . import provenance

    editions = {paths.rel(f): str(origin["date_published"]) for f, origin in provenance.external_datasets()}
    dated = pd.concat([dated[["date_published"]],
                       pd.DataFrame({"date_published": list(editions.values())}, index=list(editions))])
    return src, dated, relied


def record_cutoff(F) -> pd.Series:
    """The evidence cut-off: the publication date of the newest source any table relies on (a source dated only by
    the stored copy that was read, with no date of its own, does not move it); how many sources are relied on and
    held. Returns the three, for the notebook to show."""
    src, dated, relied = _dated_sources()
    newest = max(dated["date_published"], key=lambda d: (d + "-99-99")[:10])
    F.add("evidence_cutoff", newest, type="text",
          sources=[i for i in dated.index[dated["date_published"] == newest] if i in src.index][:3],
          derived_from=SOURCES, note="the publication date of the newest source the fact base relies on")
    days = dated[dated["date_published"].str.fullmatch(r"\d{4}-\d{2}-\d{2}")]["date_published"]
    F.add("evidence_newest_day", max(days), type="text",
          sources=[i for i in days.index[days == max(days)] if i in src.index][:3],
          derived_from=SOURCES, note="the newest source (or dataset edition) relied on that is dated to the day")
    reports = days[[i in src.index and src.loc[i, "kind"] != "dataset" for i in days.index]]
    F.add("evidence_newest_report", max(reports), type="text",
          sources=[i for i in reports.index[reports == max(reports)]][:3],
          derived_from=SOURCES, note="the newest report (not a dataset) relied on that is dated to the day")
    editions_by_day = days[[i not in src.index or src.loc[i, "kind"] == "dataset" for i in days.index]]
    F.add("evidence_newest_dataset", max(editions_by_day), type="text",
          sources=[i for i in editions_by_day.index[editions_by_day == max(editions_by_day)] if i in src.index][:3],
          derived_from=SOURCES, note="the newest dataset edition relied on that is dated to the day")
    F.add("n_sources_relied", len(relied), unit="sources", derived_from=SOURCES)
    F.add("n_sources", len(src), unit="sources", derived_from=SOURCES)
    return pd.Series({"sources relied on": len(relied), "evidence cut-off": newest})


def base_rate_chance(n: int, years: float, horizon_years: float) -> float:
    """The chance (0–1) of at least one event in ``horizon_years`` if events come at the rate of the record, ``n`` in
    ``years`` (a Poisson process): 1 − e^(−n·h/years)."""
    if years <= 0 or horizon_years < 0 or n < 0:
        raise ValueError(f"a base rate needs a record of positive length and a horizon not in the past "
                         f"(got {n} events in {years:g} years, horizon {horizon_years:g} years)")
    return 1 - math.exp(-n * horizon_years / years)


BASE_RATE_LEVEL = 0.9  # the share of the chance's plausible values the printed range of a base rate covers


def base_rate_interval(n: int, years: float, horizon_years: float, level: float = BASE_RATE_LEVEL) -> tuple[float, float]:
    """The range (0–1) of the chance of at least one event in ``horizon_years`` that a record of ``n`` events in
    ``years`` leaves open at ``level``: the exact (Garwood) Poisson interval for the rate, turned into chances. With
    few cases it is wide, which is the point of printing it beside the central rate."""
    base_rate_chance(n, years, horizon_years)  # the same checks on the record and the horizon
    if not 0 < level < 1:
        raise ValueError(f"a confidence level lies between 0 and 1, not {level:g}")
    from scipy.stats import chi2
    tail = (1 - level) / 2
    rate_low = chi2.ppf(tail, 2 * n) / (2 * years) if n > 0 else 0.0
    rate_high = chi2.ppf(1 - tail, 2 * n + 2) / (2 * years)
    return 1 - math.exp(-rate_low * horizon_years), 1 - math.exp(-rate_high * horizon_years)


def record_base_rates(F, judgments: pd.DataFrame, devs: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """For each base rate declared in brief.toml ([[likelihood.base_rates]]: its name, the judgment it informs, the
    developments that are the record's cases, and the alliance event or development the record starts from, such as
    a change of regime next door), how many cases in how
    many years to the evidence cut-off, and the chance of at least one more by the judgment's horizon at that rate:
    where a reader sees how far the judgment departs from the record. Returns the table the notebook shows."""
    entries = config.declared_part("brief.toml:likelihood").get("base_rates", [])
    end = evidence_cutoff_end()
    rows = []
    F.add("base_rate_level", round(100 * BASE_RATE_LEVEL), unit="%", derived_from="src/csto_brief/ledger.py",
          note="the confidence level of the range printed beside each base rate")
    for e in entries:
        if not isinstance(e, dict) or not {"name", "judgment", "cases", "since"} <= e.keys():
            raise config.ConfigError("brief.toml: each [[likelihood.base_rates]] entry needs name, judgment, cases "
                                     "(developments.csv dev_id) and since (alliance_events.csv event_id or "
                                     "developments.csv dev_id)")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(e["name"])) or e["name"] in {r["name"] for r in rows}:
            raise config.ConfigError(f"brief.toml [[likelihood.base_rates]] name {e['name']!r} must be unique, in "
                                     "lower case, letters, digits and underscores")
        starts = pd.concat([events.set_index("event_id")["date"], devs.set_index("dev_id")["date"]])
        for key, ids, known, file in (
                ("judgment", [e["judgment"]], set(judgments["judgment_id"]), "judgments.csv (column judgment_id)"),
                ("cases", e["cases"], set(devs["dev_id"]), "developments.csv (column dev_id)"),
                ("since", [e["since"]], set(starts.index),
                 "alliance_events.csv (column event_id) or data/raw/developments.csv (column dev_id)")):
            missing = [i for i in ids if i not in known]
            if missing:
                raise config.ConfigError(f"brief.toml [[likelihood.base_rates]] {key} names {', '.join(missing)}, "
                                         f"not found in data/raw/{file}")
        j = judgments.set_index("judgment_id").loc[e["judgment"]]
        start = pd.Timestamp(starts.loc[e["since"]])
        cases = devs[devs["dev_id"].isin(e["cases"])]
        years = (end - start).days / 365.25
        ahead = (j["horizon"] - end).days / 365.25
        chance = base_rate_chance(len(cases), years, ahead)
        k = "base_" + e["name"]
        srcs = [s for ids in cases["sources"] for s in (ids if isinstance(ids, list) else [ids])]
        derived = [DEVELOPMENTS, *EVENTS, *JUDGMENTS]
        F.add(f"{k}_n", len(cases), unit="cases", sources=srcs, derived_from=derived)
        F.add(f"{k}_years", round(years), unit="years", derived_from=derived,
              note=f"from {start:%d %b %Y} to the end of the evidence cut-off")
        F.add(f"{k}_chance", round(100 * chance), unit="%", derived_from=derived,
              note=f"at least one case by {j['horizon']:%d %b %Y} at the record's rate")
        low, high = base_rate_interval(len(cases), years, ahead)
        for end_name, value in (("low", low), ("high", high)):
            F.add(f"{k}_chance_{end_name}", round(100 * value), unit="%", derived_from=derived,
                  note=f"the {end_name} end of the {100 * BASE_RATE_LEVEL:.0f}% range the record's {len(cases)} cases leave open for the chance "
                       f"(exact Poisson interval for the rate)")
        F.add(f"{k}_chance_range", f"{round(100 * low)}–{round(100 * high)}%", type="text", derived_from=derived,
              note=f"the {100 * BASE_RATE_LEVEL:.0f}% range of the chance, as printed")
        rows.append({"name": e["name"], "judgment": e["judgment"], "cases": len(cases), "since": start.date(), "years": round(years, 1),
                     "years ahead": round(ahead, 2), "chance at the record's rate": f"{100 * chance:.0f}%",
                     f"{100 * BASE_RATE_LEVEL:.0f}% range": f"{100 * low:.0f}–{100 * high:.0f}%",
                     "judged": f"{j['p_low']}–{j['p_high']}%"})
    return pd.DataFrame(rows)
