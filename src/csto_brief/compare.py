"""What notebook 03 (the CSTO next to NATO) records for the brief: one function per finding, each adding its facts
to the notebook's ``facts.Recorder`` (with their sources and the files they come from) and saving its display
table, so that the notebook shows the analysis and records it in a line per finding.
"""

from __future__ import annotations

import pandas as pd

from . import crosscheck, paths, provenance, tables

WDI, SIPRI_USD = "data/raw/indicators/wdi.csv", "data/raw/indicators/sipri_milex_current_usd.csv"
SIPRI_CONSTANT = "data/raw/indicators/sipri_milex_constant_usd.csv"
SIPRI_LOCAL = "data/raw/indicators/sipri_milex_local_currency.csv"
MEMBERSHIP = "data/processed/membership_today.csv"
FACTBOOK, NOTES = "data/raw/indicators/factbook.csv", "data/raw/indicators/crosscheck_notes.csv"
# Where each bloc indicator comes from: its file and source
FILE = {"population": WDI, "area_km2": WDI, "gdp_usd": WDI, "forces": FACTBOOK, "milex_usd": SIPRI_USD}
SOURCES = {WDI: ["worldbank-wdi-2026"], SIPRI_USD: ["sipri-milex-2026"], SIPRI_CONSTANT: ["sipri-milex-2026"],
           SIPRI_LOCAL: ["sipri-milex-2026"],
           FACTBOOK: ["cia-factbook-2026"]}
DIGITS = {"population": 0, "area_km2": 1, "gdp_usd": 1, "milex_usd": 0, "forces": 0}
LABELS = {"population": "Population, million", "area_km2": "Area, million km²", "gdp_usd": "GDP, US$ trillion",
          "milex_usd": "Military spending, US$ billion", "forces": "Active armed forces, thousand"}
TWO_RATE_ROWS = ["NATO", "NATO excl. US", "CSTO", "Russia", "CSTO excl. Russia"]
NOTE_LABELS = {"population": "Population", "area_km2": "Area, km²", "gdp_usd": "GDP, US$",
               "milex_share_gdp": "Military spending, % of GDP", "gdp_ppp": "GDP at PPP",
               "exchange_rate": "Exchange rate per US$"}


def _replaced(checked) -> pd.DataFrame:
    """The cross-check notes under which a member's value is taken from the Factbook."""
    return checked.notes[checked.notes["use"] == "crosscheck"]


def constant_price_year(raw_file: str = "indicators/sipri_milex_constant_usd.csv") -> int:
    """The base year of SIPRI's constant-dollar series, as its provenance record's title names it ('constant
    (2024) US$'), so the text and the series cannot disagree."""
    import re

    title = str(provenance.load_record(paths.RAW_DIR / raw_file)["origin"]["title"])
    m = re.search(r"constant \((\d{4})\) US\$", title, flags=re.I)
    if not m:
        raise ValueError(f"data/raw/{raw_file}.meta.yml, origin.title: expected 'Constant (YYYY) US$' in {title!r}")
    return int(m.group(1))


def _edition(raw_file: str, chars: int) -> str:
    return str(provenance.load_record(paths.RAW_DIR / raw_file)["origin"]["date_published"])[:chars]


def record_totals(F, totals: pd.DataFrame, checked, frozen: list[str], names: pd.Series) -> pd.DataFrame:
    """Each bloc total, ratio and leading member's share; the members whose participation is frozen; the table of
    bloc totals, which it returns."""
    t = totals.set_index("indicator")
    replaced = _replaced(checked)
    for i in t.index:
        fb = i in set(replaced["indicator"])  # some members' values from the Factbook, as the notes say
        src = dict(sources=SOURCES[FILE[i]] + (["cia-factbook-2026"] if fb else []),
                   derived_from=[FILE[i], MEMBERSHIP] + ([FACTBOOK, NOTES] if fb else []), as_of=str(int(t.loc[i, "year"])))
        F.add(f"{i}_year", int(t.loc[i, "year"]), unit="year", **src)
        F.add(f"nato_{i}", float(t.loc[i, "nato"]), unit=t.loc[i, "unit"], digits=DIGITS[i], **src)
        F.add(f"csto_{i}", float(t.loc[i, "csto"]), unit=t.loc[i, "unit"], digits=DIGITS[i], **src)
        F.add(f"ratio_{i}", float(t.loc[i, "ratio"]), digits=1, **src)
        F.add(f"ratio_excl_usa_{i}", float(t.loc[i, "ratio_excl_usa"]), digits=1, **src)
        F.add(f"usa_share_{i}", 100 * float(t.loc[i, "usa_share_of_nato"]), unit="%", digits=0, **src)
        F.add(f"rus_share_{i}", 100 * float(t.loc[i, "rus_share_of_csto"]), unit="%", digits=0, **src)
        # the leading member's share of both alliances together: what Figure 4's bars show
        both = float(t.loc[i, "nato"]) + float(t.loc[i, "csto"])
        F.add(f"usa_share_both_{i}", 100 * float(t.loc[i, "usa_share_of_nato"]) * float(t.loc[i, "nato"]) / both,
              unit="%", digits=0, **src)
        F.add(f"others_share_csto_{i}", 100 * (1 - float(t.loc[i, "rus_share_of_csto"])), unit="%", digits=0, **src)
        if t.loc[i, "unit"].startswith("thousand"):  # beside counts quoted in millions
            F.add(f"nato_{i}_million", float(t.loc[i, "nato"]) / 1000, unit="million", digits=2, **src)
            F.add(f"rus_{i}_million", float(t.loc[i, "csto"]) * float(t.loc[i, "rus_share_of_csto"]) / 1000,
                  unit="million", digits=2, **src)
    F.add("frozen_members", ", ".join(names[c] for c in frozen) if frozen else "none", derived_from=MEMBERSHIP)
    gaps = sorted({g for m in totals["missing"].dropna() for g in str(m).split(";") if g})
    F.add("bloc_gaps_note", f"No value for: {', '.join(gaps)} (counted out, not as zero)." if gaps
          else "Every member has a value for every indicator.", derived_from=sorted(set(FILE.values())))

    def from_factbook(i):
        n = int((replaced["indicator"] == i).sum())
        return f"; {n} members from the CIA Factbook" if n else ""

    def num(x, d):
        return f"{x:,.{d}f}"

    return tables.save(pd.DataFrame({
        "Indicator (year)": [f"{LABELS[i]} ({t.loc[i, 'year_label']}{from_factbook(i)})" for i in t.index],
        "NATO": [num(t.loc[i, "nato"], DIGITS[i]) for i in t.index],
        "NATO excl. US": [num(t.loc[i, "nato_excl_usa"], DIGITS[i]) for i in t.index],
        "CSTO": [num(t.loc[i, "csto"], DIGITS[i]) for i in t.index],
        "CSTO members taking part": [num(t.loc[i, "csto_excl_frozen"], DIGITS[i]) for i in t.index],
        "NATO : CSTO": [f"{t.loc[i, 'ratio']:,.1f}" for i in t.index],
        "US share of NATO": [f"{100 * t.loc[i, 'usa_share_of_nato']:.0f}%" for i in t.index],
        "Russia share of CSTO": [f"{100 * t.loc[i, 'rus_share_of_csto']:.0f}%" for i in t.index],
    }), "bloc_totals")


def record_burden(F, burden: pd.DataFrame) -> None:
    """Each bloc's military spending as a share of its GDP."""
    both = dict(sources=SOURCES[SIPRI_USD] + SOURCES[WDI], derived_from=[SIPRI_USD, WDI, MEMBERSHIP])
    for a in ("NATO", "CSTO"):
        F.add(f"{a.lower()}_milex_share_gdp", float(burden.loc[a, "milex_share_of_gdp_pct"]), unit="%", digits=1, **both)


def record_spending(F, series: dict[str, pd.DataFrame], names: pd.Series,
                    constant: dict[str, pd.DataFrame] | None = None) -> None:
    """Spending over time (first and last year, the ratio and growth, the years a member has no figure) and the
    editions of SIPRI's and NATO's tables; with ``constant`` (the same series in constant dollars), the growth net
    of inflation and exchange-rate swings, and the price year."""
    sipri = dict(sources=SOURCES[SIPRI_USD], derived_from=[SIPRI_USD, MEMBERSHIP])
    nato, csto = series["NATO"], series["CSTO"]
    F.add("spending_first_year", int(nato.iloc[0]["year"]), unit="year", **sipri)
    F.add("spending_last_year", int(nato.iloc[-1]["year"]), unit="year", **sipri)
    F.add("spending_ratio_first", float(nato.iloc[0]["milex_usd_m"] / csto.iloc[0]["milex_usd_m"]), digits=0, **sipri)
    F.add("spending_ratio_last", float(nato.iloc[-1]["milex_usd_m"] / csto.iloc[-1]["milex_usd_m"]), digits=0, **sipri)
    F.add("nato_spending_growth", float(nato.iloc[-1]["milex_usd_m"] / nato.iloc[0]["milex_usd_m"]), digits=0, **sipri)
    F.add("csto_spending_growth", float(csto.iloc[-1]["milex_usd_m"] / csto.iloc[0]["milex_usd_m"]), digits=0, **sipri)
    if constant is not None:
        real = dict(sources=SOURCES[SIPRI_CONSTANT], derived_from=[SIPRI_CONSTANT, MEMBERSHIP])
        for bloc in ("NATO", "CSTO"):
            s = constant[bloc]
            if (int(s.iloc[0]["year"]), int(s.iloc[-1]["year"])) != (int(nato.iloc[0]["year"]), int(nato.iloc[-1]["year"])):
                raise ValueError(f"{bloc}: the constant-dollar series runs {s.iloc[0]['year']}-{s.iloc[-1]['year']}, "
                                 f"the current-dollar one {nato.iloc[0]['year']}-{nato.iloc[-1]['year']}")
            F.add(f"{bloc.lower()}_spending_growth_real", float(s.iloc[-1]["milex_const_usd_m"] / s.iloc[0]["milex_const_usd_m"]),
                  digits=1, **real)
        # the NATO : CSTO ratio at constant prices, first and last year: how much of the narrowing is the exchange rate
        for end, i in (("first", 0), ("last", -1)):
            F.add(f"spending_ratio_real_{end}", float(constant["NATO"].iloc[i]["milex_const_usd_m"]
                                                      / constant["CSTO"].iloc[i]["milex_const_usd_m"]), digits=0, **real)
        F.add("constant_price_year", constant_price_year(), unit="year", derived_from=SIPRI_CONSTANT + ".meta.yml")
    long = pd.concat([s.assign(group=k) for k, s in series.items() if k in ("NATO", "CSTO")], ignore_index=True)
    gap_years = long[long["missing"] != ""].assign(iso3=lambda d: d["missing"].str.split(";")).explode(
        "iso3").groupby("iso3")["year"].agg(["min", "max", "count"])
    F.add("spending_gaps_note", "; ".join(
        f"{names[i]}: {r['count']} year{'s' if r['count'] > 1 else ''} between {r['min']} and {r['max']}"
        for i, r in gap_years.iterrows()) or "none", **sipri)
    F.add("sipri_edition", _edition("indicators/sipri_milex_current_usd.csv", 7), derived_from=SIPRI_USD, type="text")
    F.add("nato_edition", _edition("indicators/nato_share_gdp.csv", 7),
          derived_from="data/raw/indicators/nato_share_gdp.csv", type="text")


def _record_change(F, fact_id: str, growth: float, raw: str) -> None:
    """A year-on-year change as the text states it: the size (per cent, unsigned) and its verb from the sign."""
    pct = 100 * (growth - 1)
    src = dict(sources=SOURCES[raw], derived_from=raw)
    F.add(fact_id, abs(pct), unit="%", digits=0, **src)
    F.add(f"{fact_id}_verb", "fell" if pct < 0 else "rose", type="text", **src)


def record_leader_change(F, current: pd.DataFrame, constant: pd.DataFrame, last_year: int,
                         leaders: dict[str, str] = {"usa": "USA", "rus": "RUS"},
                         local: pd.DataFrame | None = None) -> None:
    """How each alliance's leading member's spending moved in the last year against the year before, in current
    and constant dollars (and, given ``local``, in its own currency, which separates the exchange rate's part):
    facts ``<key>_milex_change`` (per cent, unsigned), ``<key>_milex_change_verb`` ("rose" or "fell") and the same
    with ``_real`` (and ``_local``), so the text's verb follows the data's sign."""
    measures = [("", current, "milex_usd_m", SIPRI_USD), ("_real", constant, "milex_const_usd_m", SIPRI_CONSTANT)]
    if local is not None:
        measures.append(("_local", local, "milex_lcu_m", SIPRI_LOCAL))
    for key, iso3 in leaders.items():
        growth = {}
        for suffix, frame, col, raw in measures:
            s = frame[frame["iso3"] == iso3].set_index("year")[col]
            if last_year not in s.index or last_year - 1 not in s.index or pd.isna(s[last_year - 1]):
                raise ValueError(f"{raw}: {iso3} has no figure for {last_year - 1} or {last_year}")
            growth[suffix] = float(s[last_year]) / float(s[last_year - 1])
            _record_change(F, f"{key}_milex_change{suffix}", growth[suffix], raw)
        if "_local" in growth:  # dollars grew faster than the local figure: the currency gained on the dollar
            F.add(f"{key}_currency_moved", "stronger" if growth[""] > growth["_local"] else "weaker", type="text",
                  sources=SOURCES[SIPRI_LOCAL], derived_from=[SIPRI_USD, SIPRI_LOCAL],
                  note="the currency's move against the dollar implied by spending in dollars and in local currency")


def record_group_change(F, current: pd.DataFrame, members: list[str], last_year: int, key: str) -> None:
    """How a group's summed spending (current US dollars) moved in the last year against the year before: facts
    ``<key>_milex_change`` (per cent, unsigned) and ``_verb``. Every member needs both years, or the sum would move
    with the gaps."""
    rows = current[current["iso3"].isin(members) & current["year"].isin([last_year - 1, last_year])]
    years = rows.dropna(subset=["milex_usd_m"]).groupby("iso3")["year"].nunique()
    missing = sorted(m for m in set(members) if years.get(m, 0) < 2)
    if missing:
        raise ValueError(f"{SIPRI_USD}: the group {key} lacks a figure for {last_year - 1} or {last_year} "
                         f"for {', '.join(missing)}")
    total = rows.groupby("year")["milex_usd_m"].sum()
    _record_change(F, f"{key}_milex_change", float(total[last_year]) / float(total[last_year - 1]), SIPRI_USD)


def record_definitions(F, cmp_share: pd.DataFrame, share_year: int, cmp_pers: pd.DataFrame, names: pd.Series) -> None:
    """Where NATO's own figures and the other sources differ most: spending as a share of GDP, and personnel."""
    shares = dict(sources=["nato-defexp-2024", "sipri-milex-2026"],
                  derived_from=["data/raw/indicators/nato_share_gdp.csv", "data/raw/indicators/sipri_milex_share_gdp.csv"])
    F.add("share_compare_year", share_year, unit="year", **shares)
    gap = cmp_share.loc[(cmp_share["sipri"] - cmp_share["nato"]).abs().idxmax()]
    F.add("share_max_gap_country", gap["name"], **shares)
    F.add("share_max_gap_sipri", float(gap["sipri"]), unit="%", digits=2, **shares)
    F.add("share_max_gap_nato", float(gap["nato"]), unit="%", digits=2, **shares)
    personnel = dict(sources=["nato-defexp-2024", "worldbank-wdi-2026"],
                     derived_from=["data/raw/indicators/nato_personnel.csv", WDI])
    # the World Bank's series (paramilitaries included) ends here; the brief's forces are the Factbook's
    F.add("personnel_year", int(cmp_pers["personnel_year"].max()), unit="year", **personnel)
    top = (cmp_pers["personnel"] - cmp_pers["nato_personnel"]).idxmax()  # the most soldiers counted apart
    F.add("personnel_gap_max_country", names[top], **personnel)
    F.add("personnel_gap_max_pct", float(cmp_pers.loc[top, "difference_pct"]), unit="%", digits=0, **personnel)
    F.add("personnel_gap_year", int(cmp_pers.loc[top, "personnel_year"]), unit="year", **personnel)
    F.add("personnel_gap_total_pct", 100 * (cmp_pers["personnel"].sum() / cmp_pers["nato_personnel"].sum() - 1),
          unit="%", digits=0, **personnel)


def record_nato_personnel(F, pers: pd.DataFrame, members: list[str]) -> None:
    """NATO's own count of its members' armed forces (gendarmeries excluded): its newest year and the year the
    World Bank's series ends, for today's members with a figure in both."""
    own = dict(sources=["nato-defexp-2024"], derived_from=["data/raw/indicators/nato_personnel.csv"])
    pers = pers[pers["iso3"].isin(members)]
    last = int(pers["year"].max())
    F.add("nato_own_personnel_year", last, unit="year", **own)
    F.add("nato_own_personnel_estimate", "an estimate" if (pers.loc[pers["year"] == last, "estimate"] == "yes").any()
          else "a count", type="text", **own)
    for key, year in (("nato_own_personnel_latest", last), ("nato_own_personnel_2020", 2020)):
        F.add(key, float(pers.loc[pers["year"] == year, "personnel_thousands"].sum()) / 1000, unit="million",
              digits=2, **own)


def record_crosscheck(F, checked, names: pd.Series) -> pd.DataFrame:
    """What the cross-check with the Factbook found (counts, the largest gaps, the values replaced, its tolerances and
    editions); the table of its notes, for the methods section, which it returns."""
    xc = dict(sources=["cia-factbook-2026", "worldbank-wdi-2026", "sipri-milex-2026"],
              derived_from=[FACTBOOK, NOTES, WDI, "data/raw/indicators/wdi_ppp.csv",
                            "data/raw/indicators/sipri_milex_share_gdp.csv",
                            "data/raw/indicators/sipri_milex_local_currency.csv", SIPRI_USD, "src/csto_brief/crosscheck.py"])
    main4 = checked.checks[checked.checks["indicator"].isin(["population", "area_km2", "gdp_usd", "milex_share_gdp"])]
    F.add("crosscheck_n_values", checked.n_checked, unit="values", **xc)
    F.add("crosscheck_n_within", checked.n_within, unit="values", **xc)
    F.add("crosscheck_n_noted", checked.n_noted, unit="values", **xc)
    F.add("crosscheck_n_beyond_unexplained", checked.n_checked - checked.n_within - checked.n_noted, unit="values", **xc)
    F.add("crosscheck_n_indicator_values", len(main4), unit="values", **xc)
    F.add("crosscheck_n_indicator_within", int(main4["within"].sum()), unit="values", **xc)
    F.add("crosscheck_n_states", checked.checks["iso3"].nunique(), unit="states", **xc)
    big = checked.largest("relative")
    F.add("crosscheck_max_gap_pct", 100 * float(big["gap"]), unit="%", digits=0, **xc)
    F.add("crosscheck_max_gap_country", names[big["iso3"]], **xc)
    F.add("crosscheck_max_gap_indicator", crosscheck.LABELS[big["indicator"]], **xc)
    big_pts = checked.largest("points")
    F.add("crosscheck_max_share_gap_pts", float(big_pts["gap"]), unit="percentage points", digits=2, **xc)
    F.add("crosscheck_max_share_gap_country", names[big_pts["iso3"]], **xc)
    F.add("crosscheck_tolerances_note", "; ".join(f"{crosscheck.LABELS[k]} {t.shown()}"
                                                  for k, t in crosscheck.TOLERANCES.items()),
          derived_from="src/csto_brief/crosscheck.py")
    by_ind = _replaced(checked).groupby("indicator")["iso3"].apply(lambda s: ", ".join(sorted(names[c] for c in s)))
    F.add("crosscheck_replaced_note", "; ".join(f"{crosscheck.LABELS[i]} of {c} from the CIA World Factbook"
                                                for i, c in by_ind.items()) or "no value replaced",
          sources=["cia-factbook-2026"], derived_from=[NOTES])
    F.add("factbook_edition", _edition("indicators/factbook.csv", 10), derived_from=FACTBOOK, type="text")
    F.add("wdi_edition", _edition("indicators/wdi.csv", 7), derived_from=WDI, type="text")
    noted = checked.checks[checked.checks["noted"]].merge(checked.notes, on=["iso3", "indicator"])
    worst = noted.sort_values("gap").groupby(["iso3", "indicator"]).last().reset_index()

    def fmt(v):
        return f"{v:,.0f}" if v >= 1000 else f"{v:.2f}"

    return tables.save(pd.DataFrame({
        "State": [names[c] for c in worst["iso3"]], "Indicator": [NOTE_LABELS[i] for i in worst["indicator"]],
        "Brief's source": [f"{fmt(v)} ({y})" for v, y in zip(worst["value"], worst["year"])],
        "Factbook": [fmt(v) if s == "cia-factbook-2026" else f"{fmt(v)} (SIPRI, implied)"
                     for v, s in zip(worst["check_value"], worst["check_source"])],
        "Used": ["brief's source" if u == "primary" else "Factbook" for u in worst["use"]],
        "Why": worst["why"],
    }).sort_values(["Indicator", "State"]), "crosscheck_notes")


def record_two_rates(F, two: pd.DataFrame, ppp_year: int) -> pd.DataFrame:
    """Spending at market exchange rates and at purchasing-power parity, by bloc and for Russia; the table, returned."""
    pp = dict(sources=["sipri-milex-2026", "worldbank-wdi-2026"],
              derived_from=["data/raw/indicators/sipri_milex_local_currency.csv", "data/raw/indicators/wdi_ppp.csv",
                            SIPRI_USD, MEMBERSHIP], as_of=str(ppp_year))
    ratio_ppp = two.loc["NATO", "ppp"] / two.loc["CSTO", "ppp"]
    F.add("ppp_year", ppp_year, unit="year", **pp)
    F.add("ratio_milex_ppp", float(ratio_ppp), digits=1, **pp)
    F.add("ratio_excl_usa_milex_ppp", float(two.loc["NATO excl. US", "ppp"] / two.loc["CSTO", "ppp"]), digits=1, **pp)
    for g, key in (("NATO", "nato"), ("CSTO", "csto"), ("Russia", "rus"), ("NATO excl. US", "nato_excl_usa")):
        F.add(f"{key}_milex_market_bn", float(two.loc[g, "market"]), unit="US$ billion", digits=0, **pp)
        F.add(f"{key}_milex_ppp_bn", float(two.loc[g, "ppp"]), unit="international $ billion", digits=0, **pp)
        F.add(f"{key}_ppp_to_market", float(two.loc[g, "ppp_to_market"]), digits=1, **pp)
    F.add("rus_share_milex_ppp", 100 * float(two.loc["Russia", "ppp"] / two.loc["CSTO", "ppp"]), unit="%", digits=0, **pp)
    F.add("usa_share_milex_ppp", 100 * float(1 - two.loc["NATO excl. US", "ppp"] / two.loc["NATO", "ppp"]),
          unit="%", digits=0, **pp)

    def bn(x):  # a small group's few billions keep a decimal, so that their ratio can be read off them
        return f"{x:,.0f}" if x >= 100 else f"{x:,.1f}"

    rows = TWO_RATE_ROWS

    def ratio(num, rate):
        return f"{two.loc[num, rate] / two.loc['CSTO', rate]:.1f} : 1"

    return tables.save(pd.DataFrame({
        "Military spending": [f"{g} ({ppp_year})" for g in rows] + ["NATO : CSTO", "NATO excl. US : CSTO"],
        "At market exchange rates, US$ billion": [bn(two.loc[g, "market"]) for g in rows]
                                                  + [ratio("NATO", "market"), ratio("NATO excl. US", "market")],
        "At purchasing-power parity, international $ billion": [bn(two.loc[g, "ppp"]) for g in rows]
                                                                + [ratio("NATO", "ppp"), ratio("NATO excl. US", "ppp")],
        "PPP ÷ market": [f"{two.loc[g, 'ppp_to_market']:.1f}" for g in rows] + ["", ""],
    }), "milex_two_rates")


def record_pledges(F, pledges: pd.DataFrame, at_pledge: dict[str, int], n_spending: int, latest_year: int,
                   quoted_2025: pd.DataFrame) -> None:
    """NATO's pledges (Wales, The Hague), how many allies meet each on SIPRI's newest figures, out of how many spend
    on armed forces at all (Iceland has none), and how many NATO's own 2025 estimates, as quoted, cover."""
    pl = dict(sources=["nato-wales-2014", "nato-hague-2025"], derived_from="data/raw/indicators/nato_pledges.csv")
    by_id = pledges.set_index("pledge_id")
    F.add("pledge_old_pct", float(by_id.loc["wales-2014", "pct_gdp"]), unit="%", digits=0, **pl)
    F.add("pledge_core_pct", float(by_id.loc["hague-2025-core", "pct_gdp"]), unit="%", digits=1, **pl)
    F.add("pledge_total_pct", float(by_id.loc["hague-2025-total", "pct_gdp"]), unit="%", digits=0, **pl)
    F.add("pledge_total_year", int(by_id.loc["hague-2025-total", "target_year"]), unit="year", **pl)
    F.add("pledge_hague_date", pd.Timestamp(by_id.loc["hague-2025-total", "agreed"]).date(), **pl)
    sp = dict(sources=["sipri-milex-2026"] + pl["sources"],
              derived_from=["data/raw/indicators/sipri_milex_share_gdp.csv", pl["derived_from"], MEMBERSHIP],
              as_of=str(latest_year))
    F.add("share_latest_year", latest_year, unit="year", **sp)
    F.add("n_nato_at_old_pledge_sipri", at_pledge["wales-2014"], unit="states", **sp)
    F.add("n_nato_with_forces_sipri", n_spending, unit="states", **sp)
    F.add("n_nato_at_core_pledge_sipri", at_pledge["hague-2025-core"], unit="states", **sp)
    F.add("n_nato_at_total_pledge_sipri", at_pledge["hague-2025-total"], unit="states", **sp)
    q = quoted_2025
    qq = dict(sources=sorted({s for v in q["sources"] for s in v}),
              derived_from="data/raw/indicators/nato_share_gdp_quoted.csv", as_of="2025")
    F.add("n_nato_quoted_2025", int(q.loc[q["edition"] == "nato-defexp-2025", "iso3"].nunique()), unit="states", **qq)
    F.add("n_nato_quoted_2025_annual_report", int(q.loc[q["edition"] == "nato-annual-report-2025", "iso3"].nunique()),
          unit="states", **qq)
    # Germany, for which NATO's release of August 2025 gave no figure: its 2026 edition's value, as reported
    deu = q[(q["iso3"] == "DEU") & (q["edition"] == "nato-definv-2026")].iloc[0]
    F.add("nato_newest_deu", float(deu["share_pct"]), unit="%", digits=2, sources=list(deu["sources"]),
          derived_from="data/raw/indicators/nato_share_gdp_quoted.csv", note=deu["note"], as_of="2025")
    F.add("nato_newest_deu_year", int(deu["year"]), unit="year", derived_from="data/raw/indicators/nato_share_gdp_quoted.csv")
    # and the figure NATO's annual report gave it, as the press quoted it
    ar = q[(q["iso3"] == "DEU") & (q["edition"] == "nato-annual-report-2025")].iloc[0]
    F.add("nato_annual_report_deu", float(ar["share_pct"]), unit="%", digits=1, sources=list(ar["sources"]),
          derived_from="data/raw/indicators/nato_share_gdp_quoted.csv", note=ar["note"], as_of="2025")
