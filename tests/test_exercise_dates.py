"""One exercise, one set of dates: where the claims' checks or the developments give the dates of an exercise that the
table of exercises also dates, the two agree (Kobalt-2021 was once 17-19 Nov in one and 15-20 Nov in the other)."""

import re

import pandas as pd
import pytest

from csto_brief import paths

MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
SPAN = re.compile(r"^(\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})")
MENTION = r"{name}\b[^.;]{{0,80}}?\b(\d{{1,2}})\s*[-–]\s*(\d{{1,2}}) ({months})[a-z]* (\d{{4}})"


def dated_exercises(table: pd.DataFrame) -> list[tuple[str, str, pd.Timestamp, pd.Timestamp]]:
    """(exercise id, a name it goes by, first day, last day) for each exercise dated by a plain span."""
    out = []
    for r in table.itertuples():
        m = SPAN.match(str(r.dates))
        if m:
            for name in set(re.findall(r"[A-Z][A-Za-z]+-\d{4}", r.name)):
                out.append((r.exercise_id, name, pd.Timestamp(m.group(1)), pd.Timestamp(m.group(2))))
    return out


def disagreements(table: pd.DataFrame, texts: dict[str, str]) -> list[str]:
    found = []
    for ex, name, first, last in dated_exercises(table):
        pattern = re.compile(MENTION.format(name=re.escape(name), months="|".join(MONTHS)))
        for where, text in texts.items():
            for m in pattern.finditer(text):
                a, b, mon, year = int(m.group(1)), int(m.group(2)), MONTHS[m.group(3)], int(m.group(4))
                if (year, mon, a, b) != (last.year, last.month, first.day, last.day) or first.month != mon:
                    found.append(f"{where}: {name} dated {a}-{b} {m.group(3)} {year}; border_exercises.csv {ex}: "
                                 f"{first:%d %b %Y} to {last:%d %b %Y}")
    return found


def texts_of(raw) -> dict[str, str]:
    checks = pd.read_csv(raw / "claim_checks.csv")
    devs = pd.read_csv(raw / "developments.csv")
    out = {f"claim_checks.csv {r.claim_id}": f"{r.value_today}. {r.note}" for r in checks.itertuples()}
    out.update({f"developments.csv {r.dev_id}": str(r.event) for r in devs.itertuples()})
    return out


def test_the_data_date_each_exercise_once():
    table = pd.read_csv(paths.RAW_DIR / "border_exercises.csv")
    assert len(dated_exercises(table)) >= 3
    assert disagreements(table, texts_of(paths.RAW_DIR)) == []


def test_a_second_date_for_an_exercise_is_found():
    table = pd.read_csv(paths.RAW_DIR / "border_exercises.csv")
    bad = {"claim_checks.csv C99": "a special-forces drill, Kobalt-2021, followed on 17-19 Nov 2021."}
    assert disagreements(table, bad) == ["claim_checks.csv C99: Kobalt-2021 dated 17-19 Nov 2021; border_exercises.csv "
                                         "EX-07: 15 Nov 2021 to 20 Nov 2021"]
    assert disagreements(table, {"x": "Kobalt-2021 was held on 15-20 Nov 2021."}) == []
