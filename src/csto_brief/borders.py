"""What notebook 02 (the Tajik–Afghan and Uzbek–Afghan borders) records for the brief, and the fit it reads
the published lengths with: one function per finding, each adding its facts to the notebook's
``facts.Recorder`` or saving a display table, so that the notebook shows the measurement and records it in a line
per finding.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re

import pandas as pd

from . import geo, maps, tables

GEO = {"NE 1:10m": "data/raw/geo/ne_10m_admin0_countries.geojson", "DCW 1:1M": "data/raw/geo/dcw_countries.geojson"}
PUBLISHED = ["data/raw/border_lengths.csv"]
EXERCISES = ["data/raw/border_exercises.csv"]
FIT_DATASET = "DCW 1:1M"  # the most detailed layer: the one the power law is fitted on
# Published figures the text quotes: (figure id, fact id)
QUOTED = [("AFG-TJK-01", "tjk_official_km"), ("AFG-TJK-02", "tjk_cia_km"), ("AFG-TJK-05", "tjk_older_km"),
          ("AFG-UZB-01", "uzb_cia_km"), ("AFG-UZB-02", "uzb_other_km")]


def fit_for(walks: pd.DataFrame, country: str, step_range: tuple[float, float]) -> geo.PowerLaw:
    """The power law of length against ruler for ``country``'s border with Afghanistan, fitted on the DCW layer's
    divider walks whose ruler lies in ``step_range`` (km)."""
    w = walks[(walks["country_a"] == country) & (walks["dataset"] == FIT_DATASET) & walks["step_km"].between(*step_range)]
    return geo.fit_power_law(w["step_km"], w["length_km"])


def ruler_range(walks: pd.DataFrame, country: str, km: float, ranges) -> tuple[float, float]:
    """The shortest and longest ruler that, on the fits over ``ranges``, gives a border ``km`` long."""
    rulers = [geo.step_for_length(fit_for(walks, country, r), km) for r in ranges]
    return min(rulers), max(rulers)


def record_lengths(F, published: pd.DataFrame, measured: pd.DataFrame, datasets) -> None:
    """The published lengths the text quotes (and the range of the Tajik ones), and the lengths measured on each
    map (``datasets``: the maps' names, in order)."""
    by_id = published.set_index("figure_id")
    for fid, fact_id in QUOTED:
        r = by_id.loc[fid]
        F.add(fact_id, float(r["length_km"]), unit="km", digits=2 if r["length_km"] % 1 else 0, sources=r["sources"],
              derived_from=PUBLISHED, note=r["authority"])
    tjk_pub = published.loc[published["country_a"] == "TJK", "length_km"]
    F.add("tjk_published_min_km", float(tjk_pub.min()), unit="km", digits=0, derived_from=PUBLISHED)
    F.add("tjk_published_max_km", float(tjk_pub.max()), unit="km", digits=0, derived_from=PUBLISHED)
    m = measured.set_index(["country_a", "dataset"])["length_km"]
    for a in ("TJK", "UZB"):
        for ds, key in (("NE 1:10m", "ne10m"), ("DCW 1:1M", "dcw")):
            F.add(f"{a.lower()}_{key}_km", float(m[(a, ds)]), unit="km", digits=0, derived_from=GEO[ds])
    F.add("measured_lengths_note", "; ".join(f"{d}: {m[('TJK', d)]:,.0f} and {m[('UZB', d)]:,.0f} km" for d in datasets),
          derived_from=list(GEO.values()) + ["data/raw/geo/ne_50m_admin0_countries.geojson",
                                             "data/raw/geo/ne_110m_admin0_countries.geojson"])


def record_fit(F, walks: pd.DataFrame, fits: dict, sensitivity: pd.DataFrame, fit_range, alt_ranges,
               published: pd.DataFrame) -> None:
    """The Tajik border's fractal dimension (and its range over other fit ranges), the rulers at which the
    official and the older published lengths are reached, the gap between the CIA's and the official figure, the
    length extrapolated to a 100 m ruler, and the fit's settings."""
    dcw = GEO[FIT_DATASET]
    pub = published.set_index("figure_id")["length_km"]
    F.add("fit_lo_km", fit_range[0], unit="km", derived_from=dcw)
    F.add("fit_hi_km", fit_range[1], unit="km", derived_from=dcw)
    tj_sens = sensitivity[sensitivity["country_a"] == "TJK"]
    F.add("tjk_dimension", float(fits["TJK"].dimension), digits=2, derived_from=dcw)
    F.add("tjk_dimension_lo", float(tj_sens["D"].min()), digits=2, derived_from=dcw)
    F.add("tjk_dimension_hi", float(tj_sens["D"].max()), digits=2, derived_from=dcw)
    official = float(pub["AFG-TJK-01"])
    for what, km in (("official", official), ("older", float(pub["AFG-TJK-05"]))):
        lo, hi = ruler_range(walks, "TJK", km, [fit_range] + list(alt_ranges))
        F.add(f"tjk_ruler_{what}_lo_km", lo, unit="km", digits=1, derived_from=[dcw] + PUBLISHED)
        F.add(f"tjk_ruler_{what}_hi_km", hi, unit="km", digits=1, derived_from=[dcw] + PUBLISHED)
    F.add("tjk_cia_vs_official_pct", abs(float(pub["AFG-TJK-02"]) / official - 1) * 100, unit="%", digits=0,
          derived_from=PUBLISHED)
    F.add("extrapolation_ruler_m", 100, unit="m", derived_from=dcw)
    F.add("tjk_at_100m_lo_km", float(tj_sens["length_at_100m_km"].min()), unit="km", digits=0, derived_from=dcw)
    F.add("tjk_at_100m_hi_km", float(tj_sens["length_at_100m_km"].max()), unit="km", digits=0, derived_from=dcw)
    F.add("fit_interval_level", round(100 * inspect.signature(geo.PowerLaw.interval).parameters["level"].default),
          unit="%", derived_from="src/csto_brief/geo.py")
    F.add("n_alt_fit_ranges", len(alt_ranges), unit="fit ranges", derived_from=dcw)


def record_exercises(F, exercises: pd.DataFrame) -> pd.DataFrame:
    """CSTO and Russian exercises on ranges in the provinces on the Afghan border: how many were held in Tajikistan (the
    concurrent phases of one named exercise counted once), over which years, how many are planned; the table of
    them, which it returns."""
    held = exercises[exercises["status"] == "held"]  # a planned exercise is listed, not counted
    ex_tj = held[(held["host_iso3"] == "TJK") & ~held["location"].str.startswith("near Dushanbe")]
    # the concurrent phases of one named exercise (e.g. "... part of Combat Brotherhood-2021") count once
    one = ex_tj["name"].str.extract(r"part of ([^,()]+)")[0].fillna(ex_tj["exercise_id"])
    F.add("n_exercises_tjk", one.nunique(), unit="exercises", sources=sorted({s for ids in ex_tj["sources"] for s in ids}),
          derived_from=EXERCISES)
    near = exercises[~exercises["location"].str.startswith("near Dushanbe")].sort_values(["year", "exercise_id"])
    near_held = near[near["status"] == "held"]
    F.add("exercises_first_year", int(near_held["year"].min()), unit="year", derived_from=EXERCISES)
    F.add("exercises_last_year", int(near_held["year"].max()), unit="year", derived_from=EXERCISES)
    F.add("n_exercises_planned", int((near["status"] == "planned").sum()), unit="exercises", derived_from=EXERCISES)
    return tables.save(pd.DataFrame({
        "Year": near["year"].astype(str),
        "Exercise": near["name"] + near["status"].map({"held": "", "planned": " (planned; not reported held)"}),
        "Range": near["ranges"],
        "Where the range lies (as reported)": near["location"],
        "Sources": near["sources"].map(lambda s: s[:1])}), "border_exercises")


def record_locator(F) -> None:
    """The standard parallels of the locator map's projection, which its caption names."""
    lat = dict(re.findall(r"\+(lat_[12])=(-?[\d.]+)", maps.LOCATOR_CRS))
    F.add("locator_lat_1", int(float(lat["lat_1"])), unit="degrees", derived_from="src/csto_brief/maps.py")
    F.add("locator_lat_2", int(float(lat["lat_2"])), unit="degrees", derived_from="src/csto_brief/maps.py")


def save_border_lengths(compared: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """The published lengths of the two borders, who publishes each, and the ruler that fits it."""
    t = compared[compared["border"].isin(["TJK-AFG", "UZB-AFG"])]
    return tables.save(pd.DataFrame({
        "Border": t["border"].map(lambda b: "–".join(names[x] for x in b.split("-"))),
        "Published by": t["authority"],
        "km": t["published_km"].map(lambda x: f"{x:,.2f}" if x % 1 else f"{x:,.0f}"),
        "Ruler that fits, km": [f"{lo:.1f}–{hi:.1f}" for lo, hi in zip(t["ruler_lo_km"], t["ruler_hi_km"])],
        "Sources": t["sources"].map(lambda s: s.split(";")),
    }), "border_lengths")


def mapped_incidents(devs: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """The border incidents a map marks: developments that name their places, joined to places marked as
    incident districts. Every incident district must be named by an incident, and every incident's place must
    be an incident district, so the map and the record of incidents cannot drift apart."""
    inc = devs[devs["places"].map(len) > 0].assign(place_id=lambda d: d["places"]).explode("place_id")
    kinds = places.set_index("place_id")["kind"]
    wrong = inc[inc["place_id"].map(kinds) != "incident_district"]
    if len(wrong):
        raise ValueError("data/raw/developments.csv, column places: "
                         + "; ".join(f"{r.dev_id} names {r.place_id}, which places.csv does not mark incident_district"
                                     for r in wrong.itertuples()))
    unmarked = sorted(set(kinds[kinds == "incident_district"].index) - set(inc["place_id"]))
    if unmarked:
        raise ValueError(f"data/raw/places.csv: incident districts {unmarked} are named by no development "
                         "(developments.csv, column places)")
    untyped = inc[~inc["incident"].fillna("").isin(["attack", "smuggling"])]["dev_id"].unique()
    if len(untyped):
        raise ValueError(f"data/raw/developments.csv, column incident: {', '.join(untyped)} name a place on the map "
                         "but not whether it was an attack or a clash with smugglers (attack, smuggling)")
    uncounted = inc[pd.to_numeric(inc["harmed"], errors="coerce").isna()]["dev_id"].unique()
    if len(uncounted):
        raise ValueError(f"data/raw/developments.csv, column harmed: {', '.join(uncounted)} name a place on the map "
                         "but not how many people were killed or wounded on the Tajik side (a whole number, 0 if none "
                         "was reported)")
    return inc


INCIDENT_KINDS = {"harm": "incident_district", "raiders_only": "incident_raiders_only"}  # the map's place kinds


def _harmful(inc: pd.DataFrame) -> pd.Series:
    """Incidents that killed or wounded someone on the Tajik side: what the border judgments count, whatever the
    authorities called the men who crossed."""
    return pd.to_numeric(inc["harmed"]) > 0


def incident_places(places: pd.DataFrame, inc: pd.DataFrame) -> pd.DataFrame:
    """The places with the kind of marker each takes, by the border judgments' test: an incident that harmed
    someone on the Tajik side where any was reported, otherwise clashes in which only the intruders were hit."""
    worst = inc.assign(harm=_harmful(inc)).groupby("place_id")["harm"].any()
    kind = worst.map({True: INCIDENT_KINDS["harm"], False: INCIDENT_KINDS["raiders_only"]})
    out = places.copy()
    at = out["place_id"].isin(kind.index)
    out.loc[at, "kind"] = out["place_id"].map(kind)
    # one marker per district, so a label says how many incidents it stands for where there were several
    n = inc.drop_duplicates(["dev_id", "place_id"]).groupby("place_id").size()
    several = out["place_id"].map(n).fillna(0) > 1
    out.loc[several, "label"] = out.loc[several, "label"] + "\n(" + out.loc[several, "place_id"].map(n).astype(int).astype(str) + " incidents)"
    return out


def _span(dates) -> str:
    first, last = pd.to_datetime(dates).min(), pd.to_datetime(dates).max()
    return f"{first:%b %Y}" if (first.year, first.month) == (last.year, last.month) else f"{first:%b %Y} – {last:%b %Y}"


def incident_legend(inc: pd.DataFrame) -> dict[str, str]:
    """The map legend's words for each kind of incident marker, with the period each covers."""
    out = {}
    harmful = inc[_harmful(inc)]
    if len(harmful):
        out[INCIDENT_KINDS["harm"]] = f"Casualties on the Tajik side, {_span(harmful['date'])}"
    # the clashes that hit only the raiders, wherever they were: a district with both shows the worst, and the
    # legend's dates still cover every clash of the kind
    only = inc[~_harmful(inc)]
    if len(only) and (~inc["place_id"].isin(harmful["place_id"])).any():
        out[INCIDENT_KINDS["raiders_only"]] = f"Only raiders hit, {_span(only['date'])}"
    return out


def record_incidents(F, inc: pd.DataFrame) -> None:
    """The period of the incidents the map marks, which its caption names."""
    src = dict(sources=sorted({s for v in inc["sources"] for s in v}),
               derived_from=["data/raw/developments.csv", "data/raw/places.csv"])
    F.add("map_incidents_first", pd.to_datetime(inc["date"]).min().date(), **src)
    F.add("map_incidents_last", pd.to_datetime(inc["date"]).max().date(), **src)
    # the border judgments count incidents that killed or wounded someone on the Tajik side, whatever the
    # authorities called the men who crossed
    harmful = inc.loc[_harmful(inc)].drop_duplicates("dev_id")
    first, last, run = longest_run_of_months(harmful["date"], span=True)
    F.add("attack_months_run", run, unit="months", **src)
    F.add("attack_run_first", first, **src)
    F.add("attack_run_last", last, **src)


def longest_run_of_months(dates, span=False):
    """The most consecutive calendar months with at least one of ``dates`` (the border judgments count attacks by
    month). With ``span``, (first month, last month, length) of the latest such run, months as the 1st's date."""
    months = sorted({pd.Timestamp(d).year * 12 + pd.Timestamp(d).month - 1 for d in dates})
    best = run = 0
    end = None
    for i, m in enumerate(months):
        run = run + 1 if i and m == months[i - 1] + 1 else 1
        if run >= best:
            best, end = run, m
    if not span:
        return best
    if end is None:
        return None, None, 0
    as_date = lambda m: dt.date(m // 12, m % 12 + 1, 1)  # noqa: E731
    return as_date(end - best + 1), as_date(end), best
