"""The declared schema of every raw table: its columns, types, ranges and references (the codebook; the README's "Data" section says how a new file is added)."""

from __future__ import annotations

from .schema import Column, Table
from .vocab import CONFIDENCE_ORDER, JUDGMENT_QUESTIONS

STATUSES = ("holds", "outdated", "wrong", "imprecise", "unverifiable")
EVENTS = ("join", "leave", "suspend", "freeze", "unfreeze", "milestone")
ALLIANCES = ("CSTO", "NATO")
DATE_BASES = ("page", "url", "edition", "signature", "content", "stored-copy")

COUNTRIES = Table(
    "countries.csv",
    (
        Column("iso3", pattern=r"[A-Z]{3}"),
        Column("name"),
        Column("short_name"),
    ),
    key=("iso3",),
    description="ISO 3166-1 alpha-3 codes and names of the states the brief refers to",
)

SOURCES = Table(
    "sources.csv",
    (
        Column("source_id", pattern=r"[a-z0-9][a-z0-9-]*"),
        Column("title"),
        Column("publisher"),
        Column("url", kind="url"),
        Column("date_published", kind="partial_date"),
        Column("date_accessed", kind="date"),
        Column("kind", choices=("official", "treaty", "news", "reference", "analysis", "dataset")),
        # How date_published was established: the page's dateline, the URL, the edition, the signature of a
        # text, inferred from the events reported (say how in note), or, only where nothing else works, the
        # date of the stored copy relied on.
        Column("date_basis", choices=DATE_BASES),
        Column("title_kind", choices=("own", "descriptive")),  # the source's own title, or one of ours
        Column("quality", choices=("primary", "standard", "weak")),
        Column("note", required=False),  # one line: why a weak source is kept, how a date was inferred
    ),
    key=("source_id",),
    description="Every public source the fact base cites",
)

DOCUMENTS = Table(
    "documents.csv",
    (
        Column("doc_id", pattern=r"[A-Z]"),
        Column("title"),
        Column("outlet"),
        Column("kind", choices=("study note", "news")),
        Column("date_published", kind="date"),
        Column("date_precision", choices=("day", "approximate")),
        Column("seed_file"),
        Column("seed_sha256", pattern=r"[0-9a-f]{64}"),
    ),
    key=("doc_id",),
    description="The three source documents the brief was commissioned from",
)

CLAIMS = Table(
    "claims.csv",
    (
        Column("claim_id", pattern=r"[A-Z]\d{2}"),
        Column("doc_id", refs="documents.csv:doc_id"),
        Column("topic", choices=("membership", "institutions", "purpose", "india", "border", "afghanistan",
                                 "sco", "events", "people")),
        Column("claim"),
        Column("value_stated", required=False),
    ),
    key=("claim_id",),
    description="Every factual claim of the source documents, in the project's words",
)

CLAIM_CHECKS = Table(
    "claim_checks.csv",
    (
        Column("claim_id", refs="claims.csv:claim_id"),
        Column("status", choices=STATUSES),
        Column("value_today", required=False),
        Column("note"),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
        Column("checked_on", kind="date"),
    ),
    key=("claim_id",),
    covers="claims.csv:claim_id",
    description="The verdict on each claim as of the day it was checked, with sources",
)

ALLIANCE_EVENTS = Table(
    "alliance_events.csv",
    (
        Column("event_id", pattern=r"(CSTO|NATO)-\d{3}"),
        Column("alliance", choices=ALLIANCES),
        Column("date", kind="date"),
        Column("country_iso3", refs="countries.csv:iso3", required=False),
        Column("event", choices=EVENTS),
        Column("detail"),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
    ),
    key=("event_id",),
    description="Dated membership events of both alliances, from which membership over time is derived",
)

BORDER_LENGTHS = Table(
    "border_lengths.csv",
    (
        Column("figure_id", pattern=r"[A-Z]{3}-[A-Z]{3}-\d{2}"),
        Column("country_a", refs="countries.csv:iso3"),
        Column("country_b", refs="countries.csv:iso3"),
        Column("length_km", kind="float", min=1, max=10000),
        Column("authority"),
        Column("basis", choices=("official", "reference", "press", "older reference")),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
        Column("note", required=False),
    ),
    key=("figure_id",),
    description="Border lengths published by authorities, to set against the measured ones",
)

PLACE_KINDS = ("capital", "town", "crossing", "base_site", "exercise_range", "incident_district")
PLACES = Table(
    "places.csv",
    (
        Column("place_id", pattern=r"[a-z0-9_]+"),
        Column("name"),
        Column("label"),
        Column("kind", choices=PLACE_KINDS),
        Column("country_iso3", kind="ids", refs="countries.csv:iso3"),
        Column("lat", kind="float", min=-90, max=90),
        Column("lon", kind="float", min=-180, max=180),
        Column("maps", kind="ids", choices=("locator", "tjk", "uzb")),
        Column("label_dx", kind="float", min=-200, max=200),
        Column("label_dy", kind="float", min=-200, max=200),
        Column("label_ha", choices=("left", "right", "center"), required=False),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
        Column("note", required=False),
    ),
    key=("place_id",),
    description="Places on the border maps, each with cited coordinates and its label placement",
    located=("lon", "lat", "country_iso3"),
)

BORDER_EXERCISES = Table(
    "border_exercises.csv",
    (
        Column("exercise_id", pattern=r"EX-\d{2}"),
        Column("name"),
        Column("year", kind="year"),
        Column("dates"),
        Column("ranges"),
        Column("host_iso3", refs="countries.csv:iso3"),
        Column("location"),
        Column("participants"),
        Column("status", choices=("held", "planned")),  # planned: announced, not reported held in the sources
        Column("sources", kind="ids", refs="sources.csv:source_id"),
    ),
    key=("exercise_id",),
    description="CSTO and Russian exercises held in the provinces on the Afghan border since 2021, with their ranges",
)

WDI_INDICATORS = ("SP.POP.TOTL", "AG.SRF.TOTL.K2", "NY.GDP.MKTP.CD", "MS.MIL.TOTL.P1")
WDI = Table(
    "indicators/wdi.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("indicator", choices=WDI_INDICATORS),
        Column("year", kind="year", min=1990),
        Column("value", kind="float", min=0),
    ),
    key=("iso3", "indicator", "year"),
    description="World Bank WDI snapshot: the newest years of each indicator for each country",
)

WDI_PPP = Table(
    "indicators/wdi_ppp.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("indicator", choices=("PA.NUS.PPP", "PA.NUS.FCRF")),
        Column("year", kind="year", min=1990),
        Column("value", kind="float", min=0, max=1e6),
        Column("currency", pattern=r"[A-Z]{3}"),
    ),
    key=("iso3", "indicator", "year"),
    description="World Bank WDI: PPP conversion factor for GDP (currency per international $) and official "
                "exchange rate (currency per US$, period average), with the ISO 4217 currency each is stated in",
)

SIPRI_MILEX = Table(
    "indicators/sipri_milex_current_usd.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("year", kind="year", min=1949),
        Column("milex_usd_m", kind="float", min=0, required=False),
    ),
    key=("iso3", "year"),
    description="SIPRI military expenditure, US$ million at current prices and exchange rates (blank = no data)",
)

SIPRI_CONSTANT = Table(
    "indicators/sipri_milex_constant_usd.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("year", kind="year", min=1949),
        Column("milex_const_usd_m", kind="float", min=0, required=False),
    ),
    key=("iso3", "year"),
    description="SIPRI military expenditure, US$ million at constant prices and exchange rates of the base year "
                "the provenance record names (blank = no data)",
)

SIPRI_SHARE = Table(
    "indicators/sipri_milex_share_gdp.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("year", kind="year", min=1949),
        Column("share_pct", kind="float", min=0, max=100, required=False),
    ),
    key=("iso3", "year"),
    description="SIPRI military expenditure as a share of GDP, percent (blank = no data)",
)

SIPRI_LCU = Table(
    "indicators/sipri_milex_local_currency.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("year", kind="year", min=1949),
        Column("milex_lcu_m", kind="float", min=0, required=False),
        Column("currency"),
    ),
    key=("iso3", "year"),
    description="SIPRI military expenditure in millions of local currency at current prices, calendar years, "
                "with SIPRI's name of the currency (blank = no data)",
)

NATO_SHARE = Table(
    "indicators/nato_share_gdp.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("year", kind="year", min=2014),
        Column("share_pct", kind="float", min=0, max=100),
        Column("estimate", choices=("yes", "no")),
    ),
    key=("iso3", "year"),
    description="NATO's own figures: defence expenditure as a share of real GDP (NATO definition)",
)

NATO_EDITIONS = ("nato-defexp-2025", "nato-definv-2026", "nato-annual-report-2025")
NATO_SHARE_QUOTED = Table(
    "indicators/nato_share_gdp_quoted.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("year", kind="year", min=2014),
        Column("edition", choices=NATO_EDITIONS),
        Column("share_pct", kind="float", min=0, max=100, required=False),
        Column("estimate", choices=("yes", "no")),
        Column("precision", kind="int", min=0, max=4, required=False),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
        Column("note", required=False),
    ),
    key=("iso3", "year", "edition"),
    description="NATO's newer figures of defence expenditure as a share of GDP, as quoted where the tables "
                "were not readable (blank = not quoted; the note says what was said)",
)

NATO_PLEDGES = Table(
    "indicators/nato_pledges.csv",
    (
        Column("pledge_id", pattern=r"[a-z]+-\d{4}(-[a-z]+)?"),
        Column("summit"),
        Column("agreed", kind="date"),
        Column("measure", choices=("total", "core")),
        Column("pct_gdp", kind="float", min=0, max=100),
        Column("target_year", kind="year", min=2014, not_after_as_of=False),
        Column("label"),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
        Column("note", required=False),
    ),
    key=("pledge_id",),
    description="NATO's spending pledges: the share of GDP, what it counts and the year it is due",
)

NATO_PERSONNEL = Table(
    "indicators/nato_personnel.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("year", kind="year", min=2014),
        Column("personnel_thousands", kind="float", min=0, max=5000),
        Column("estimate", choices=("yes", "no")),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
        Column("note", required=False),
    ),
    key=("iso3", "year"),
    description="NATO's own figures of military personnel (thousands), as quoted where the table was not readable",
)

FACTBOOK_INDICATORS = ("population", "area_total", "gdp_official_exchange_rate", "real_gdp_ppp",
                       "military_expenditure_pct_gdp", "military_personnel_text", "land_boundary_with_afghanistan",
                       "land_boundaries_afghanistan_all")
FACTBOOK = Table(
    "indicators/factbook.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("indicator", choices=FACTBOOK_INDICATORS),
        Column("value", kind="float", min=0, required=False),
        Column("unit"),
        Column("year", kind="year", min=1990, required=False),
        Column("data_date", kind="date"),
        Column("source"),
        Column("note", required=False),
    ),
    key=("iso3", "indicator"),
    description="CIA World Factbook (final edition) values used to cross-check the indicators; the note holds "
                "the Factbook's own text",
)

CROSSCHECK_INDICATORS = ("population", "area_km2", "gdp_usd", "milex_share_gdp", "gdp_ppp", "exchange_rate")
CROSSCHECK_NOTES = Table(
    "indicators/crosscheck_notes.csv",
    (
        Column("iso3", refs="countries.csv:iso3"),
        Column("indicator", choices=CROSSCHECK_INDICATORS),
        Column("use", choices=("primary", "crosscheck")),
        Column("value_used", kind="float", min=0),
        Column("why"),
    ),
    key=("iso3", "indicator"),
    min_rows=0,
    description="Disagreements between sources beyond the declared tolerance: which value the brief uses "
                "(the primary source's or the cross-check's) and why",
)

STATUS_CRITERIA = Table(
    "status/criteria.csv",
    tuple([Column("criterion_id", pattern=r"C\d+"), Column("name"), Column("side", choices=("demand", "supply")),
           Column("question")]
          + [Column(f"w_{st}{sfx}", kind="float", min=0, max=1) for st in ("observer", "partner")
             for sfx in ("", "_low", "_high")]
          + [Column("gate", choices=("observer", "partner"), required=False), Column("note", required=False)]),
    key=("criterion_id",),
    description="Criteria of the status model, with each status's weight and its plausible range",
)

STATUS_EVIDENCE = Table(
    "status/evidence.csv",
    (
        Column("evidence_id", pattern=r"E\d{3}"),
        Column("candidate", pattern=r"ALL|[A-Z]{3}"),  # a candidate in scores.csv, or ALL
        Column("criterion_id", refs="status/criteria.csv:criterion_id"),
        Column("direction", choices=("for", "against", "mixed")),
        Column("finding"),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
        Column("date", kind="partial_date", required=False),
        Column("confidence", choices=("high", "medium", "low")),
    ),
    key=("evidence_id",),
    description="Evidence for and against each candidate on each criterion (ALL: applies to every candidate)",
)

STATUS_SCORES = Table(
    "status/scores.csv",
    (
        Column("candidate_iso3", refs="countries.csv:iso3"),
        Column("criterion_id", refs="status/criteria.csv:criterion_id"),
        Column("score", kind="float", min=-2, max=2),
        Column("low", kind="float", min=-2, max=2),
        Column("high", kind="float", min=-2, max=2),
        # each piece of evidence is about this row's criterion, and this row's candidate or 'ALL'
        Column("evidence", kind="ids", refs="status/evidence.csv:evidence_id",
               refs_match=(("criterion_id", "criterion_id", ()), ("candidate_iso3", "candidate", ("ALL",)))),
        # evidence filed under another criterion that bears on this score too (this candidate's or 'ALL')
        Column("see_also", kind="ids", required=False, refs="status/evidence.csv:evidence_id",
               refs_match=(("candidate_iso3", "candidate", ("ALL",)),)),
        Column("rationale"),
    ),
    key=("candidate_iso3", "criterion_id"),
    description="Each candidate's score on each criterion (-2..+2), its range, the evidence on that criterion behind "
                "it and related evidence filed under other criteria",
)

DEVELOPMENTS = Table(
    "developments.csv",
    (
        Column("dev_id", pattern=r"[a-z0-9][a-z0-9-]*"),
        Column("date", kind="partial_date"),
        Column("topic", choices=("csto-record", "armenia", "csto", "ukraine-war", "afghanistan", "border", "forces",
                                 "nato", "candidates", "precedent")),  # precedent: a case from another alliance
        Column("event"),
        Column("value", kind="float", required=False),
        Column("unit", required=False),
        # where it happened, for the maps: the places (district centres) that mark it
        Column("places", kind="ids", required=False, refs="places.csv:place_id"),
        # for a border incident: an attack by an armed group, or a clash with smugglers, as the Tajik authorities
        # reported it (the map's two markers)
        Column("incident", choices=("attack", "smuggling"), required=False),
        # for a border incident: people killed or wounded on the Tajik side (border guards, soldiers, civilians, Tajik
        # or foreign; the intruders not counted), at least as many as reported. The border judgments count this, not
        # the label above, so that their test does not turn on what Dushanbe calls the men who crossed
        Column("harmed", kind="int", min=0, max=10000, required=False),
        # for a member's call on Russia or the CSTO for help against a threat: what it asked for, and what came
        # (forces: troops sent; standby: a force formed but never sent; aid: arms, equipment, advisers or exercises; none:
        # no military help, whatever was said or offered), with the member that called. The calls drawn in the figure of calls for help
        Column("caller", required=False, refs="countries.csv:iso3"),
        Column("occasion", required=False),  # what the call was about, in a few words, for the figure's labels
        Column("asked", choices=("troops", "police", "aid", "consultations"), required=False),
        Column("answered", choices=("forces", "standby", "aid", "none"), required=False),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
        Column("confidence", choices=tuple(reversed(CONFIDENCE_ORDER))),
    ),
    key=("dev_id",),
    description="Dated developments since the source documents that the brief reports, each with its sources",
)

JUDGMENTS = Table(
    "judgments.csv",
    (
        Column("judgment_id", pattern=r"[a-z][a-z0-9-]*"),
        Column("kind", choices=("key", "scenario")),
        Column("topic", choices=tuple(JUDGMENT_QUESTIONS)),  # csto_brief.vocab: the question each topic answers
        Column("statement"),
        Column("label"),  # the judgment in a few words, for the tables that list judgments by name
        Column("horizon", kind="date", not_after_as_of=False),
        Column("p_low", kind="int", min=0, max=100),
        Column("p_high", kind="int", min=0, max=100),
        Column("p_central", kind="int", min=0, max=100),  # the central estimate; a scenario set's sum to 100
        Column("confidence", choices=tuple(reversed(CONFIDENCE_ORDER))),
        Column("basis"),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
        # How the judgment will be scored once its horizon passes: what exactly counts, and on which kind of source.
        Column("resolution"),
        # Why it is new or moved (likelihood or confidence) since the last published edition (data/editions/);
        # empty when it is unchanged (csto_brief.editions checks both ways).
        Column("since_last", required=False),
    ),
    key=("judgment_id",),
    description="Forward-looking judgments and scenarios: a probability range over a horizon, a separate confidence, "
                "the reasoning and its sources, and how each will be scored",
)

OUTCOMES = Table(
    "outcomes.csv",
    (
        Column("judgment_id", pattern=r"[a-z][a-z0-9-]*"),  # of this edition or of a published one (data/editions/)
        Column("edition", pattern=r"\d+\.\d+"),
        Column("resolved_on", kind="date"),
        # 1: it happened as judged; 0: it did not; empty: void, the condition of a conditional judgment never arose
        Column("outcome", kind="int", min=0, max=1, required=False),
        Column("sources", kind="ids", refs="sources.csv:source_id"),
        Column("note", required=False),
    ),
    key=("judgment_id", "edition"),
    min_rows=0,  # no horizon has passed yet
    description="What happened to each judgment whose horizon has passed, with the source that settles it",
)

CHANGES = Table(
    "changes.csv",
    (
        Column("item_kind", choices=("fact", "judgment")),
        Column("item", pattern=r"[a-z0-9_*-]+"),  # a fact or judgment id, or a pattern with * for a group
        Column("what", required=False),  # what the number is, in a few words (for a fact; a judgment has its label)
        Column("since", pattern=r"\d+\.\d+"),  # the published edition the change is measured from
        Column("reason_kind", choices=("correction", "new-data", "new-source", "method", "retired")),
        Column("reason"),
    ),
    key=("item_kind", "item", "since"),
    description="Why a number of the brief, or a retired judgment, changed since a published edition",
)

# In dependency order: a table's references point only to tables listed before it.
TABLES: tuple[Table, ...] = (COUNTRIES, SOURCES, DOCUMENTS, CLAIMS, CLAIM_CHECKS, ALLIANCE_EVENTS,
                             BORDER_LENGTHS, PLACES, BORDER_EXERCISES, WDI, WDI_PPP, SIPRI_MILEX, SIPRI_CONSTANT, SIPRI_SHARE, SIPRI_LCU,
                             NATO_SHARE, NATO_SHARE_QUOTED, NATO_PLEDGES, NATO_PERSONNEL, FACTBOOK, CROSSCHECK_NOTES,
                             STATUS_CRITERIA, STATUS_EVIDENCE, STATUS_SCORES, DEVELOPMENTS, JUDGMENTS, OUTCOMES, CHANGES)
BY_FILE = {t.file: t for t in TABLES}
