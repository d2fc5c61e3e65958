"""The charts of the brief, each a function of data (so notebooks stay thin)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import patheffects
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from . import style
from .vocab import MEMBERSHIP_LABELS, VERDICT_LABELS as STATUS_LABELS
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


def membership_timeline(counts: pd.DataFrame, annotations: dict[str, list[tuple]], as_of, start=None):
    """Step lines: members of each alliance from ``start`` (default: the first count) to the cut-off, with labelled
    changes, both alliances in one panel on one scale, so their sizes compare honestly. A count that began before
    ``start`` enters at its value on that day.

    An annotation is (date, text[, dy points above (+) or below (-) the line[, horizontal alignment]]); ``{year}``
    in the text becomes the date's year, so a label that names its year cannot disagree with where it is drawn.
    An annotation dated before ``start`` is refused: it would not be drawn.
    """
    style.use()
    order = ["NATO", "CSTO"]
    if start is not None:
        start = pd.Timestamp(start)
        early = [(a, when) for a, specs in annotations.items() for when, *_ in specs if pd.Timestamp(when) < start]
        if early:
            raise ValueError(f"annotations dated before the chart's start ({start:%d %b %Y}): {early}")
        parts = []
        for a, g in counts.groupby("alliance", sort=False):
            before, after = g[g["date"] < start], g[g["date"] >= start]
            if len(before) and (not len(after) or after["date"].iloc[0] > start):
                after = pd.concat([before.iloc[[-1]].assign(date=start), after])
            parts.append(after)
        counts = pd.concat(parts, ignore_index=True)
    top = int(counts["members"].max())
    # one panel, one scale: the two alliances' sizes compare at a glance, as they should
    fig, ax = plt.subplots(figsize=(6.8, 3.4))
    for alliance in order:
        g = counts[counts["alliance"] == alliance]
        c = style.ALLIANCE_COLOURS[alliance]
        ax.step(g["date"], g["members"], where="post", color=c, linewidth=1.8, label=f"{alliance}: members")
        if (g["participating"] != g["members"]).any():
            ax.step(g["date"], g["participating"], where="post", color=c, linewidth=1.2, linestyle=(0, (2, 1.5)),
                    label=f"{alliance}: taking part")
            # the members that do not take part, shaded, so the gap shows where the two lines would overlap
            ax.fill_between(g["date"], g["participating"], g["members"], step="post", color=c, alpha=0.45,
                            linewidth=0, label=f"{alliance}: members not taking part")
        for spec in annotations.get(alliance, []):
            when, text, dy, ha = (*spec, 7, "center")[:4] if len(spec) == 2 else (*spec, "center")[:4]
            t = pd.Timestamp(when)
            y = g.loc[g["date"] <= t, "members"].iloc[-1]
            ax.annotate(text.format(year=t.year), (t, y), xytext=(0, dy), textcoords="offset points", fontsize=7.5,
                        color=c, ha=ha, va="bottom" if dy > 0 else "top")
        # where members and those taking part differ at the cut-off, both counts at the line's end, so the
        # reader need not read a thin band off the axis
        last = g.iloc[-1]
        if last["participating"] != last["members"]:
            ax.annotate(f"{int(last['members'])} members, {int(last['participating'])} taking part",
                        (g["date"].iloc[-1], last["participating"]), xytext=(3, -3), textcoords="offset points",
                        fontsize=7.5, color=c, ha="right", va="top", fontweight="semibold")
    ax.set_ylim(0, top + 4)
    # the CSTO's count runs from the Treaty (1992), a decade before the organisation's Charter
    ax.set_ylabel("Member states (NATO; Treaty/CSTO)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))  # counts of states: whole numbers
    ax.yaxis.grid(True)
    ax.set_axisbelow(True)
    # the legend sits where the lines are not: between the two alliances' lines, right of NATO's big rise
    ax.legend(loc="lower right", bbox_to_anchor=(1.0, 0.3), ncols=2)
    first = counts["date"].min() if start is None else start
    ax.set_xlim(first - pd.Timedelta(days=400), pd.Timestamp(as_of) + pd.Timedelta(days=240))
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
               ((s, MEMBERSHIP_LABELS[s]) for s in ("member", "frozen", "suspended"))]
    ax.legend(handles=handles, ncols=3, loc="upper left", bbox_to_anchor=(0, -0.12))
    return fig


CALL_MARKERS = {"troops": ("^", 62), "police": ("s", 44), "aid": ("o", 44), "consultations": ("D", 30)}  # what was asked: shape, size
CALL_ANSWERS = {"forces": ("got troops", style.OKABE_ITO["vermillion"]),
                "standby": ("got a reserve, never sent", style.OKABE_ITO["sky"]),
                "aid": ("got arms, aid or exercises", style.OKABE_ITO["orange"]),
                "none": ("got no military help", "white")}
CALL_ASKED = {"troops": "armed forces", "police": "a police reserve", "aid": "aid", "consultations": "consultations"}


def calls_for_help(calls: pd.DataFrame, names: dict[str, str], as_of, milestone: tuple | None = None, start="1998-01-01"):
    """One lane per call on Russia or the CSTO for help, in date order (``ledger.calls_for_help``): the member and
    year on the left, the call at its date, its shape what was asked and its fill what came, and both in words
    beside it, so the chart reads in black and white. ``milestone``: (date, label) drawn as a dotted line."""
    style.use()
    fig, ax = plt.subplots(figsize=(6.8, 0.235 * len(calls) + 0.45))
    end = pd.Timestamp(as_of) + pd.Timedelta(days=200)
    labels = []
    for y, r in enumerate(calls.itertuples()):
        ax.axhline(y, color=style.GRID, linewidth=0.6, zorder=0)
        marker, size = CALL_MARKERS[r.asked]
        answer, colour = CALL_ANSWERS[r.answered]
        ax.scatter([r.when], [y], marker=marker, s=size, facecolor=colour, edgecolor=style.INK, linewidth=0.8,
                   zorder=3)
        # the words to the right of the call where they fit inside the plot, else to its left
        label = ax.annotate(f"{r.occasion[:1].upper()}{r.occasion[1:]}: asked for {CALL_ASKED[r.asked]}; {answer}",
                            (r.when, y), xytext=(7, 0), textcoords="offset points", fontsize=7.5, va="center",
                            ha="left", color=style.INK,
                            path_effects=[patheffects.withStroke(linewidth=2.5, foreground="white")])
        labels.append(label)
    ax.set_yticks(range(len(calls)), [f"{names.get(r.caller, r.caller)}, {r.when.year}" for r in calls.itertuples()])
    ax.set_ylim(len(calls) - 0.5, -0.9 if milestone is not None else -0.5)
    ax.set_xlim(pd.Timestamp(start), end)
    if milestone is not None:
        when, label = milestone
        ax.axvline(pd.Timestamp(when), color=style.MUTED, linewidth=0.8, linestyle=":", zorder=1)
        ax.text(pd.Timestamp(when), -0.9, f" {label}", fontsize=7.5, color=style.MUTED, va="top")
    ax.tick_params(axis="y", length=0)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    renderer = fig.canvas.get_renderer()
    right_edge = ax.get_window_extent(renderer).x1
    for label in labels:
        if label.get_window_extent(renderer).x1 > right_edge:
            label.set_position((-7, 0))
            label.set_horizontalalignment("right")
    return fig


DATASET_STYLE = {  # Richardson plot: one colour per dataset, finest last
    "NE 1:110m": ("#B0B0B0", "v"), "NE 1:50m": (style.OKABE_ITO["sky"], "s"),
    "NE 1:10m": (style.OKABE_ITO["blue"], "o"), "DCW 1:1M": (style.OKABE_ITO["vermillion"], "D"),
}


def richardson(panels: list[dict]):
    """Richardson plots, one panel per border, both axes log10 (announced in the labels).

    Each panel dict: title; walks (DataFrame: dataset, step_km, length_km); simplified (DataFrame:
    tolerance_km, length_km); fit (geo.PowerLaw) with fit_range (km) and band (DataFrame: step_km,
    lo, hi); published ({label: km})."""
    import numpy as np

    style.use()
    fig, axes = plt.subplots(1, len(panels), figsize=(6.8, 3.5), squeeze=False)
    for ax, p in zip(axes[0], panels):
        for name, g in p["walks"].groupby("dataset", sort=False):
            colour, marker = DATASET_STYLE[name]
            ax.plot(g["step_km"], g["length_km"], marker=marker, ms=3.5, lw=1.1, color=colour, label=name, zorder=3)
        s = p.get("simplified")
        if s is not None:
            ax.plot(s["tolerance_km"], s["length_km"], ls="none", marker="x", ms=4, color=style.INK, zorder=3,
                    label="NE 1:10m simplified (x = tolerance)")
        band, fit = p["band"], p["fit"]
        ax.fill_between(band["step_km"], band["lo"], band["hi"], color=style.OKABE_ITO["vermillion"], alpha=0.13,
                        lw=0, zorder=1, label="Fitted law, 95% interval")
        ax.plot(band["step_km"], [fit.predict(x) for x in band["step_km"]], ls="--", lw=0.9,
                color=style.OKABE_ITO["vermillion"], zorder=2)
        lo, hi = p["fit_range"]
        ax.axvspan(lo, hi, color="#EEEEEE", zorder=0, lw=0)
        for i, (label, km) in enumerate(sorted(p["published"].items(), key=lambda kv: -kv[1])):
            ax.axhline(km, color=style.MUTED, lw=0.6, ls=":", zorder=1)
            left = i % 2 == 1  # alternate sides, so close figures do not print over each other
            ax.text(0.02 if left else 0.985, km, label, transform=ax.get_yaxis_transform(),
                    ha="left" if left else "right", va="top" if left else "bottom", fontsize=7.0, color=style.INK,
                    zorder=5, path_effects=[patheffects.withStroke(linewidth=2.2, foreground="white")])
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("Ruler (divider step), km, log scale")
        ax.set_title(p["title"], fontsize=9.5)
        ticks = [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        ymin, ymax = p["ylim"]
        ax.set_ylim(ymin, ymax)
        yt = [v for v in p["yticks"] if ymin <= v <= ymax]
        ax.set_yticks(yt, [f"{v:,.0f}" for v in yt])
        ax.grid(True, which="major", axis="y", color=style.GRID, lw=0.5)
        ax.text(np.sqrt(lo * hi), ymin * 1.005, "fit range", ha="center", va="bottom", fontsize=7.0, color=style.MUTED)
    axes[0][0].set_ylabel("Measured length, km, log scale")
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncols=3, fontsize=7.5)
    fig.tight_layout()
    return fig


SEGMENT_COLOURS = {  # bloc shares: the leader darker, the rest lighter, per alliance
    "United States": "#0B4F8A", "Other NATO members": style.OKABE_ITO["sky"],
    "Russia": "#A63D00", "Other CSTO members": style.OKABE_ITO["orange"],
}


def bloc_shares(shares: pd.DataFrame):
    """100 % bars, one per indicator: each bloc's share of the two blocs' combined total, with the
    leading member split out. ``shares``: index = indicator label, columns = SEGMENT_COLOURS keys (in %),
    plus 'ratio' (NATO / CSTO) and 'note'."""
    style.use()
    fig, ax = plt.subplots(figsize=(5.7, 0.45 * len(shares) + 1.0))
    y = range(len(shares))
    left = pd.Series(0.0, index=shares.index)
    for seg, colour in SEGMENT_COLOURS.items():
        vals = shares[seg]
        ax.barh(list(y), vals, left=left, color=colour, height=0.62, label=seg, edgecolor="white", linewidth=0.6)
        for i, (v, l) in enumerate(zip(vals, left)):
            if v >= 6:
                ax.text(l + v / 2, i, f"{v:.0f}%", ha="center", va="center", fontsize=7.5, color="white",
                        fontweight="semibold")
        left = left + vals
    for i, (r, note) in enumerate(zip(shares["ratio"], shares["note"])):
        ax.text(101.5, i, f"{r:,.1f} : 1" + (f"  {note}" if note else ""), va="center", fontsize=8, color=style.INK)
    ax.text(101.5, -0.75, "NATO : CSTO", fontsize=7.5, color=style.MUTED, va="center")
    ax.set_yticks(list(y), shares.index)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100%"])
    ax.set_xlabel("Share of the two alliances' combined total (linear scale)")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(ncols=4, loc="lower left", bbox_to_anchor=(0, 1.0), handlelength=1, columnspacing=1.0, fontsize=7.5)
    return fig


def spending_over_time(series: dict[str, pd.DataFrame], colours: dict[str, tuple[str, str]]):
    """Military spending of the blocs by year, US$ billion at current prices, log scale (announced).
    ``series``: label -> DataFrame(year, milex_usd_m); ``colours``: label -> (colour, linestyle)."""
    style.use()
    fig, ax = plt.subplots(figsize=(6.8, 3.2))
    for label, s in series.items():
        colour, ls = colours[label]
        ax.plot(s["year"], s["milex_usd_m"] / 1000, color=colour, ls=ls, lw=1.8 if ls == "-" else 1.3)
        last = s.iloc[-1]
        ax.text(last["year"] + 0.4, last["milex_usd_m"] / 1000, f"{label}  {last['milex_usd_m'] / 1000:,.{0 if last['milex_usd_m'] >= 10_000 else 1}f}",
                va="center", fontsize=7.8, color=colour)
    ax.set_yscale("log")
    ticks = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]
    ax.set_yticks(ticks, [f"{t:,}" for t in ticks])
    ax.minorticks_off()
    ax.set_ylabel("US$ billion, current prices (log scale)")
    ax.grid(True, axis="y", color=style.GRID, lw=0.5)
    first, last = min(s["year"].min() for s in series.values()), max(s["year"].max() for s in series.values())
    ax.set_xlim(first, last + 7)
    ax.set_xticks(range(first, last + 1, 4))
    return fig


def sipri_vs_nato(df: pd.DataFrame, year: int, pledges: pd.DataFrame | None = None):
    """Dot plot: SIPRI's and NATO's figures for military spending as a share of GDP, per NATO member.
    ``df``: name, sipri, nato (percent). ``pledges`` (pledge_id, pct_gdp, label): NATO's pledge lines, drawn
    as vertical lines (default: the 2 % guideline only)."""
    style.use()
    d = df.sort_values("nato")
    fig, ax = plt.subplots(figsize=(5.0, 0.125 * len(d) + 1.1))
    y = range(len(d))
    ax.hlines(list(y), d[["sipri", "nato"]].min(axis=1), d[["sipri", "nato"]].max(axis=1), color=GRID_GREY, lw=1.2)
    ax.scatter(d["nato"], list(y), s=16, color=style.OKABE_ITO["blue"], label=f"NATO's own figure ({year}, estimate)",
               zorder=3)
    ax.scatter(d["sipri"], list(y), s=16, facecolor="white", edgecolor=style.OKABE_ITO["vermillion"], lw=1.1,
               label=f"SIPRI ({year})", zorder=3)
    if pledges is None:
        pledges = pd.DataFrame({"pct_gdp": [2.0], "label": ["2 % guideline"]})
    styles = [":", "--", "-."]
    for i, r in enumerate(pledges.sort_values("pct_gdp").itertuples()):
        ax.axvline(r.pct_gdp, color=style.MUTED, lw=0.8, ls=styles[i % len(styles)], zorder=1)
        ax.text(r.pct_gdp + (0.05 if r.pct_gdp < 4.5 else -0.05), len(d) - 0.4 + 1.0 * i, r.label, fontsize=7.0,
                color=style.MUTED, va="bottom", ha="left" if r.pct_gdp < 4.5 else "right")
    ax.set_yticks(list(y), d["name"], fontsize=7.2)
    ax.set_ylim(-0.8, len(d) + 0.6 + 1.0 * len(pledges))
    ax.set_xlim(0, max(max(d[["sipri", "nato"]].max()), float(pledges["pct_gdp"].max())) * 1.08)
    ax.set_xlabel("Military spending, % of GDP (linear scale, from zero)")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.legend(loc="lower right", fontsize=7.5)
    return fig


def spending_two_rates(df: pd.DataFrame, year: int):
    """Paired bars: military spending of each group at market exchange rates and at purchasing-power parity,
    with the PPP-to-market multiple. ``df``: index = group label, columns market, ppp (billions)."""
    style.use()
    fig, ax = plt.subplots(figsize=(6.8, 0.5 * len(df) + 0.9))
    y = list(range(len(df)))
    h = 0.36
    ax.barh([v - h / 2 for v in y], df["market"], height=h, color=style.OKABE_ITO["blue"],
            label=f"Market exchange rates, US$ billion ({year})")
    ax.barh([v + h / 2 for v in y], df["ppp"], height=h, color=style.OKABE_ITO["orange"],
            label=f"Purchasing-power parity, international $ billion ({year})")
    top = float(df[["market", "ppp"]].max().max())
    for i, r in enumerate(df.itertuples()):
        ax.text(r.market + top * 0.01, i - h / 2, f"{r.market:,.0f}", va="center", fontsize=7, color=style.INK)
        ax.text(r.ppp + top * 0.01, i + h / 2, f"{r.ppp:,.0f}  (×{r.ppp / r.market:.1f})", va="center",
                fontsize=7, color=style.INK)
    ax.set_yticks(y, df.index)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.22)
    ax.set_xlabel("Billions (linear scale, from zero)")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.grid(True, axis="x", color=style.GRID, lw=0.5)
    ax.legend(loc="lower right", fontsize=7.5)
    return fig


GRID_GREY = "#BBBBBB"


def status_prospects(summary: pd.DataFrame, bands: list[tuple[float, str]], names: dict[str, str],
                     gate_cap: float | None = None):
    """Prospect index per candidate and status: the median and 90 % range of the sensitivity draws,
    and the central value, on the 0-100 scale with the bands of words shaded; ``gate_cap``, where a doubtful
    eligibility gate caps the prospect, as a dashed line.
    ``summary``: candidate, status, central, p05, median, p95."""
    style.use()
    cands = list(dict.fromkeys(summary["candidate"]))
    fig, ax = plt.subplots(figsize=(6.8, 0.42 * len(cands) + 1.2))
    shades = ["#F2F2F2", "#FFFFFF"]
    lower = 0
    for i, (upper, words) in enumerate(bands):
        hi = min(upper, 100)
        ax.axvspan(lower, hi, color=shades[i % 2], zorder=0, lw=0)
        ax.text((lower + hi) / 2, -0.75, words, ha="center", va="center", fontsize=7, color=style.MUTED)
        lower = hi
    marks = {"observer": (style.OKABE_ITO["blue"], -0.14, "Observer status"),
             "partner": (style.OKABE_ITO["vermillion"], 0.14, "Partner status")}
    for status, (colour, dy, label) in marks.items():
        d = summary[summary["status"] == status].set_index("candidate").loc[cands]
        y = [i + dy for i in range(len(cands))]
        ax.hlines(y, d["p05"], d["p95"], color=colour, lw=2.2, alpha=0.45, zorder=2)
        ax.scatter(d["central"], y, color=colour, s=26, zorder=3, label=f"{label}: central value, 90 % range")
    if gate_cap is not None:
        ax.axvline(gate_cap, color=style.INK, lw=0.8, ls="--", zorder=1)
        ax.text(gate_cap + 0.8, len(cands) - 0.55, f"cap where eligibility is doubtful ({gate_cap:g})", fontsize=7,
                color=style.INK, va="bottom", ha="left")
    ax.set_yticks(range(len(cands)), [names.get(c, c) for c in cands])
    ax.set_ylim(len(cands) - 0.5, -1.1)
    ax.set_xlim(0, 100)
    ax.set_xlabel("Prospect index, 0-100 (linear; 50 = the evidence balances)")
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.legend(loc="lower right", fontsize=7.5, frameon=True, framealpha=0.95, edgecolor="#DDDDDD")
    return fig


def tornado(t: pd.DataFrame, base: float, title: str):
    """One-at-a-time sensitivity: for each criterion, the range of the index as its score (dark) and
    its weight (light) move over their stated ranges."""
    style.use()
    t = t[t["swing"] > 0].reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(6.8, 0.34 * len(t) + 1.0))
    for i, r in t.iterrows():
        lo, hi = sorted((r["score_low"], r["score_high"]))
        ax.barh(i - 0.17, hi - lo, left=lo, height=0.32, color=style.OKABE_ITO["blue"], label="Score over its range" if i == 0 else None)
        lo, hi = sorted((r["weight_low"], r["weight_high"]))
        ax.barh(i + 0.17, max(hi - lo, 0.05), left=lo, height=0.32, color=style.OKABE_ITO["sky"], label="Weight over its range" if i == 0 else None)
    ax.axvline(base, color=style.INK, lw=0.9)
    ax.text(base, -0.85, f"central {base:.0f}", ha="center", fontsize=7.5, color=style.INK)
    ax.set_yticks(range(len(t)), t["name"])
    ax.set_ylim(len(t) - 0.5, -1.1)
    top = max(t[["score_low", "score_high", "weight_low", "weight_high"]].max())
    ax.set_xlim(0, max(30, top + 3))
    ax.set_xlabel("Prospect index, 0-100 (linear, from zero)")
    ax.set_title(title, fontsize=9.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.legend(loc="lower right", fontsize=7.5)
    return fig
