"""The charts of the brief, each a function of data (so notebooks stay thin)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

from . import style
from .facts import STATUS_LABELS
from .schemas import STATUSES

DOC_LABELS = {"A": "Study note (Sep 2020)", "B": "News item (Feb 2022)", "C": "TRT World/AP (Sep 2021)"}


def verdicts(counts: pd.DataFrame):
    """Horizontal stacked bars: claims per source document by verdict."""
    style.use()
    fig, ax = plt.subplots(figsize=(6.8, 2.3))
    order = [d for d in ("A", "C", "B") if d in counts.index]
    left = pd.Series(0, index=order)
    for status in STATUSES:
        vals = counts.loc[order, status]
        ax.barh([DOC_LABELS.get(d, d) for d in order], vals, left=left, color=style.STATUS_COLOURS[status],
                label=STATUS_LABELS[status], height=0.6, edgecolor="white", linewidth=0.8)
        for y, (v, l) in enumerate(zip(vals, left)):
            if v >= 2:
                ax.text(l + v / 2, y, str(int(v)), ha="center", va="center", fontsize=8.5,
                        color="white" if status != "unverifiable" else style.INK, fontweight="semibold")
        left = left + vals
    ax.invert_yaxis()
    ax.set_xlabel("Number of claims")
    ax.set_xlim(0, max(left) * 1.02)
    ax.legend(ncols=5, loc="lower left", bbox_to_anchor=(0, 1.0), handlelength=1, columnspacing=1.2)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return fig


def membership_timeline(counts: pd.DataFrame, annotations: dict[str, list[tuple]], as_of):
    """Step lines: members of each alliance from 1949 to the cut-off, with labelled changes.

    An annotation is (date, text[, dy points above (+) or below (-) the line[, horizontal alignment]]).
    """
    style.use()
    fig, ax = plt.subplots(figsize=(6.8, 3.3))
    for alliance, g in counts.groupby("alliance"):
        c = style.ALLIANCE_COLOURS[alliance]
        ax.step(g["date"], g["members"], where="post", color=c, linewidth=1.8, label=f"{alliance}: members")
        if (g["participating"] != g["members"]).any():
            ax.step(g["date"], g["participating"], where="post", color=c, linewidth=1.2, linestyle=(0, (2, 1.5)),
                    label=f"{alliance}: taking part")
        for spec in annotations.get(alliance, []):
            when, text, dy, ha = (*spec, 7, "center")[:4] if len(spec) == 2 else (*spec, "center")[:4]
            t = pd.Timestamp(when)
            y = g.loc[g["date"] <= t, "members"].iloc[-1]
            ax.annotate(text, (t, y), xytext=(0, dy), textcoords="offset points", fontsize=7.5, color=c, ha=ha,
                        va="bottom" if dy > 0 else "top")
    ax.set_xlim(pd.Timestamp("1945-01-01"), pd.Timestamp(as_of) + pd.Timedelta(days=700))
    ax.set_ylim(0, 36)
    ax.set_ylabel("Member states")
    ax.yaxis.grid(True)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left")
    return fig


def member_lanes(spells: pd.DataFrame, names: dict[str, str], as_of, start="1992-01-01"):
    """One lane per state that has ever been a party: when it was a member, frozen or suspended."""
    style.use()
    order = (spells.groupby("country_iso3")["start"].min().sort_values(kind="stable").index.tolist())
    fig, ax = plt.subplots(figsize=(6.8, 0.32 * len(order) + 0.9))
    for y, iso in enumerate(order):
        for r in spells[spells["country_iso3"] == iso].itertuples():
            ax.barh(y, (r.end - r.start).days, left=r.start, height=0.55,
                    color=style.MEMBERSHIP_COLOURS[r.status], edgecolor="none")
    ax.set_yticks(range(len(order)), [names.get(i, i) for i in order])
    ax.invert_yaxis()
    ax.set_xlim(pd.Timestamp(start), pd.Timestamp(as_of) + pd.Timedelta(days=200))
    ax.axvline(pd.Timestamp("2002-10-07"), color=style.MUTED, linewidth=0.7, linestyle=":")
    ax.text(pd.Timestamp("2002-10-07"), -0.9, " CSTO Charter signed", fontsize=7.5, color=style.MUTED, va="bottom")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.xaxis.grid(True)
    ax.set_axisbelow(True)
    handles = [Patch(color=style.MEMBERSHIP_COLOURS[k], label=lab) for k, lab in
               (("member", "Member, taking part"), ("frozen", "Member, participation frozen"),
                ("suspended", "Membership suspended"))]
    ax.legend(handles=handles, ncols=3, loc="upper left", bbox_to_anchor=(0, -0.12))
    return fig
