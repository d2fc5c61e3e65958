import pandas as pd
import pytest

from csto_brief import data, membership


def ev(rows):
    return pd.DataFrame(rows, columns=["event_id", "alliance", "date", "country_iso3", "event"]).assign(
        date=lambda d: pd.to_datetime(d["date"]))


TOY = ev([
    ("X-001", "X", "2000-01-01", "AAA", "join"), ("X-002", "X", "2000-01-01", "BBB", "join"),
    ("X-003", "X", "2001-01-01", "CCC", "join"), ("X-004", "X", "2002-01-01", "BBB", "leave"),
    ("X-005", "X", "2003-01-01", "AAA", "freeze"), ("X-006", "X", "2004-01-01", "CCC", "suspend"),
    ("X-007", "X", "2004-06-01", "", "milestone"),
])


def test_counts_follow_the_events():
    c = membership.counts_over_time(TOY, "X", "2005-01-01")
    assert c["members"].tolist() == [2, 3, 2, 2, 1, 1]
    assert c["participating"].tolist() == [2, 3, 2, 1, 0, 0]
    assert membership.members_on(TOY, "X", "2003-06-01") == ["AAA", "CCC"]
    assert membership.members_on(TOY, "X", "2003-06-01", participating_only=True) == ["CCC"]


def test_impossible_transition_names_the_event():
    bad = pd.concat([TOY, ev([("X-008", "X", "2005-01-01", "BBB", "leave")])])
    with pytest.raises(membership.MembershipError, match=r"X-008 .*BBB leave.*former"):
        membership.status_changes(bad, "X")


def test_spells_cover_each_status():
    s = membership.spells(TOY, "X", "2005-01-01")
    assert set(s["status"]) == {"member", "frozen", "suspended"}
    assert (s["end"] > s["start"]).all()


def test_real_membership_counts():
    events = data.load("alliance_events.csv")
    assert len(membership.members_on(events, "NATO", "1949-04-04")) == 12
    assert len(membership.members_on(events, "NATO", "2020-09-03")) == 30
    assert len(membership.members_on(events, "NATO", "2026-11-23")) == 32
    assert membership.members_on(events, "CSTO", "2026-11-23") == ["ARM", "BLR", "KAZ", "KGZ", "RUS", "TJK"]
    assert "ARM" not in membership.members_on(events, "CSTO", "2026-11-23", participating_only=True)
    assert len(membership.members_on(events, "CSTO", "2010-01-01")) == 7  # Uzbekistan 2006-2012


@pytest.mark.parametrize("newest, end", [("2026-07", "2026-07-31"), ("2026-07-13", "2026-07-13"), ("2025", "2025-12-31")])
def test_a_chart_drawn_to_the_cut_off_ends_where_its_newest_source_does(monkeypatch, newest, end):
    """Figure 1's lines stop at the end of the cut-off's month (or day, or year), the period its caption names."""
    import pandas as pd

    from csto_brief import ledger
    dated = pd.DataFrame({"date_published": ["2024-02-22", newest, "2019"]}, index=["a", "b", "c"])
    monkeypatch.setattr(ledger, "_dated_sources", lambda: (None, dated, set()))
    assert ledger.evidence_cutoff_end() == pd.Timestamp(end)


def test_the_timeline_writes_both_counts_where_members_and_those_taking_part_differ():
    """The band between members and those taking part is a sliver at print size: where they differ at the cut-off,
    the chart writes both numbers at the line's end, from the data; where they agree, it adds nothing."""
    import matplotlib

    matplotlib.use("Agg")
    from csto_brief import charts

    counts = pd.DataFrame({"alliance": ["NATO", "NATO", "CSTO", "CSTO"],
                           "date": pd.to_datetime(["1949-08-24", "2024-03-07", "1992-05-15", "2024-02-22"]),
                           "members": [12, 32, 6, 6], "participating": [12, 32, 6, 5]})
    fig = charts.membership_timeline(counts, {}, "2026-07-13")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "6 members, 5 taking part" in texts
    assert not any("32 members" in t for t in texts)
    fig2 = charts.membership_timeline(counts.assign(participating=counts["members"]), {}, "2026-07-13")
    assert not any("taking part" in t.get_text() for ax in fig2.axes for t in ax.texts)


def test_a_timeline_label_takes_its_year_from_its_date():
    """A label that names a year is written from the date it is drawn at, so the two cannot disagree."""
    import matplotlib

    matplotlib.use("Agg")
    from csto_brief import charts

    counts = pd.DataFrame({"alliance": ["NATO", "CSTO", "CSTO"],
                           "date": pd.to_datetime(["1949-08-24", "1992-05-15", "2024-02-22"]),
                           "members": [12, 6, 6], "participating": [12, 6, 5]})
    fig = charts.membership_timeline(counts, {"CSTO": [("2024-02-22", "ARM freezes, {year}", 5, "right")]},
                                     "2026-07-13")
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert "ARM freezes, 2024" in texts and not any("{year}" in t for t in texts)


def test_a_timeline_from_a_later_start_enters_each_count_at_its_value_then():
    """Drawn from a start after an alliance's first count, the line begins at the start with the count of that day,
    the axis begins there, and a label dated before the start is refused rather than silently dropped."""
    import matplotlib
    import matplotlib.dates as mdates

    matplotlib.use("Agg")
    from csto_brief import charts, ledger

    counts = pd.DataFrame({"alliance": ["NATO", "NATO", "NATO", "CSTO"],
                           "date": pd.to_datetime(["1949-08-24", "1982-05-30", "1999-03-12", "1992-05-15"]),
                           "members": [12, 16, 19, 6], "participating": [12, 16, 19, 6]})
    fig = charts.membership_timeline(counts, {}, "2026-07-13", start="1990-01-01")
    nato = fig.axes[0].lines[0]
    assert pd.Timestamp(nato.get_xdata()[0]) == pd.Timestamp("1990-01-01")
    assert list(nato.get_ydata())[:2] == [16, 19]
    assert mdates.num2date(fig.axes[-1].get_xlim()[0]).year == 1988
    with pytest.raises(ValueError, match="before the chart's start"):
        charts.membership_timeline(counts, {"NATO": [("1982-05-30", "ESP")]}, "2026-07-13", start="1990-01-01")
    events = pd.DataFrame({"event_id": ["CSTO-001"], "date": pd.to_datetime(["1992-05-15"])})
    assert ledger.timeline_start(events) == pd.Timestamp("1990-01-01")


def test_the_timeline_draws_both_alliances_on_one_scale():
    """Two panels on their own scales made the CSTO's six to nine members look like NATO's thirty: both counts are
    drawn against one y axis, so a step of one state is the same height for either alliance."""
    import matplotlib

    matplotlib.use("Agg")
    from csto_brief import charts

    counts = pd.DataFrame({"alliance": ["NATO", "NATO", "CSTO", "CSTO"],
                           "date": pd.to_datetime(["1949-08-24", "2024-03-07", "1992-05-15", "2024-02-22"]),
                           "members": [12, 32, 6, 6], "participating": [12, 32, 6, 5]})
    fig = charts.membership_timeline(counts, {}, "2026-07-13")
    ylims = {ax.get_ylim() for ax in fig.axes for line in ax.lines if "members" in line.get_label()}
    drawn = {line.get_label() for ax in fig.axes for line in ax.lines}
    assert {"NATO: members", "CSTO: members"} <= drawn
    assert len(ylims) == 1 and next(iter(ylims))[0] == 0
