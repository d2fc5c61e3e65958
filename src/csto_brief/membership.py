"""Membership of an alliance over time, derived from its dated events (never typed in).

Each event moves one state between four statuses:

- ``member``: a member taking part;
- ``frozen``: still a member by law, but not taking part (Armenia since 2024);
- ``suspended``: membership suspended, counted as out (Uzbekistan since 2012);
- ``former``: left, or did not renew.

``join`` makes a state a member, ``leave`` makes it former, ``suspend`` suspended, ``freeze``
frozen and ``unfreeze`` a member again; ``milestone`` rows (treaty in force, charter signed)
change no one. An event that does not fit the state's current status (leaving an alliance
it is not in, say) is an error that names the event.
"""

from __future__ import annotations

import pandas as pd

TRANSITIONS = {
    "join": ({None, "former", "suspended"}, "member"),
    "leave": ({"member", "frozen", "suspended"}, "former"),
    "suspend": ({"member", "frozen"}, "suspended"),
    "freeze": ({"member"}, "frozen"),
    "unfreeze": ({"frozen"}, "member"),
}
IN_ALLIANCE = ("member", "frozen")


class MembershipError(ValueError):
    pass


def status_changes(events: pd.DataFrame, alliance: str) -> pd.DataFrame:
    """One row per status change: alliance, country_iso3, date, status, event_id."""
    ev = events[(events["alliance"] == alliance) & (events["event"] != "milestone")]
    ev = ev.sort_values(["date", "event_id"], kind="stable")
    current: dict[str, str | None] = {}
    rows = []
    for r in ev.itertuples(index=False):
        if not r.country_iso3:
            raise MembershipError(f"event {r.event_id}: a '{r.event}' event needs a country_iso3")
        allowed, new = TRANSITIONS[r.event]
        now = current.get(r.country_iso3)
        if now not in allowed:
            raise MembershipError(
                f"event {r.event_id} ({r.date:%Y-%m-%d}, {r.country_iso3} {r.event}): "
                f"the state is {now or 'not yet in the alliance'}, so it cannot {r.event}")
        current[r.country_iso3] = new
        rows.append({"alliance": alliance, "country_iso3": r.country_iso3, "date": r.date,
                     "status": new, "event_id": r.event_id})
    return pd.DataFrame(rows, columns=["alliance", "country_iso3", "date", "status", "event_id"])


def status_on(events: pd.DataFrame, alliance: str, when) -> pd.Series:
    """Status of every state that has ever been in the alliance, on a given day."""
    ch = status_changes(events, alliance)
    ch = ch[ch["date"] <= pd.Timestamp(when)]
    return ch.groupby("country_iso3")["status"].last().sort_index()


def members_on(events: pd.DataFrame, alliance: str, when, participating_only: bool = False) -> list[str]:
    st = status_on(events, alliance, when)
    keep = ("member",) if participating_only else IN_ALLIANCE
    return sorted(st[st.isin(keep)].index)


def counts_over_time(events: pd.DataFrame, alliance: str, until) -> pd.DataFrame:
    """Step series: on each date a status changed, the number of members (law) and participants."""
    ch = status_changes(events, alliance)
    dates = sorted(set(ch["date"]))
    rows = []
    for d in dates:
        st = ch[ch["date"] <= d].groupby("country_iso3")["status"].last()
        rows.append({"alliance": alliance, "date": d, "members": int(st.isin(IN_ALLIANCE).sum()),
                     "participating": int((st == "member").sum())})
    out = pd.DataFrame(rows, columns=["alliance", "date", "members", "participating"])
    if len(out) and pd.Timestamp(until) > out["date"].iloc[-1]:
        last = out.iloc[-1].to_dict()
        last["date"] = pd.Timestamp(until)
        out = pd.concat([out, pd.DataFrame([last])], ignore_index=True)
    return out


def spells(events: pd.DataFrame, alliance: str, until) -> pd.DataFrame:
    """Intervals of each status for each state: country_iso3, status, start, end."""
    ch = status_changes(events, alliance)
    rows = []
    for iso, g in ch.groupby("country_iso3", sort=True):
        g = g.sort_values("date", kind="stable")
        starts = list(g["date"])
        ends = starts[1:] + [pd.Timestamp(until)]
        for (s, e, status) in zip(starts, ends, g["status"]):
            if status != "former" and e > s:
                rows.append({"country_iso3": iso, "status": status, "start": s, "end": e})
    return pd.DataFrame(rows, columns=["country_iso3", "status", "start", "end"])
