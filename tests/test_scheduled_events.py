"""An event dated after every source that reports it was only announced or expected when those sources wrote.

The summary once said NATO's Ankara summit 'opened on 7 July 2026', citing an announcement of August 2025: nothing
cited reported that it had opened. A development whose day comes after all its sources' publication dates must say
it is scheduled (its account in developments.csv), and the brief's text must present it so where it names its date.
"""
import re
from pathlib import Path

import pandas as pd

# words that mark an event as announced, not reported as having happened
SCHEDULED = re.compile(r"\b(set for|set to|expected|due|scheduled|planned|reckoning)\b", re.I)


def scheduled_developments(devs: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """Developments dated to the day after the newest of their sources (a date given as a year or month covers a
    span, such as a budget for a year, and is not compared)."""
    published = sources.set_index("source_id")["date_published"].astype(str)
    rows = []
    for r in devs.itertuples():
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(r.date)):
            continue
        dates = [published[s] for s in str(r.sources).split(";") if s in published.index]
        newest = max(dates, default="")
        if newest and newest < r.date[:len(newest)]:
            rows.append({"dev_id": r.dev_id, "date": r.date, "newest_source": newest, "event": r.event})
    return pd.DataFrame(rows, columns=["dev_id", "date", "newest_source", "event"])


def told_as_past(devs: pd.DataFrame, sources: pd.DataFrame) -> list[tuple[str, str, str]]:
    """Developments dated after every source whose account does not say they were only scheduled."""
    ahead = scheduled_developments(devs, sources)
    return [(r.dev_id, r.date, r.newest_source) for r in ahead.itertuples() if not SCHEDULED.search(r.event)]


def _data():
    return (pd.read_csv("data/raw/developments.csv", dtype=str, keep_default_na=False),
            pd.read_csv("data/raw/sources.csv", dtype=str, keep_default_na=False))


def test_an_event_dated_after_its_sources_is_described_as_scheduled():
    assert len(scheduled_developments(*_data())) >= 3  # the Moscow summit, the Ankara summit, the court's ruling
    unmarked = told_as_past(*_data())
    assert not unmarked, f"dated after every source but told as having happened: {unmarked}"


def test_the_text_names_a_scheduled_event_as_scheduled():
    ahead = scheduled_developments(*_data())
    wrong = []
    for path in sorted(Path("report/text").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for dev_id in ahead["dev_id"]:
            for m in re.finditer(r"\{\{\s*f\.dev_" + re.escape(dev_id.replace("-", "_")) + r"\s*(\||\}\})", text):
                before = text[max(0, m.start() - 60):m.start()]
                if not SCHEDULED.search(before):
                    wrong.append((path.name, dev_id, " ".join(before.split())[-50:]))
    assert not wrong, wrong


def test_the_check_catches_an_event_told_as_past():
    devs, sources = _data()
    devs = devs.copy()
    i = devs.index[devs["dev_id"] == "nato-ankara-summit"][0]
    devs.loc[i, "event"] = "NATO's summit opens in Ankara"
    assert [d for d, _, _ in told_as_past(devs, sources)] == ["nato-ankara-summit"]
