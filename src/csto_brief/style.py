"""One look for every chart and for the brief: fonts, colours, and deterministic saving.

Fonts are Source Sans Pro (SIL OFL 1.1), installed from PyPI with the environment, so charts
and the PDF use the same face on every machine. Colours are the Okabe-Ito palette, which
stays distinguishable for the common forms of colour-blindness.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib
import matplotlib.text

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from . import cpu, paths  # noqa: E402

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
ALLIANCE_COLOURS = {"CSTO": OKABE_ITO["vermillion"], "NATO": OKABE_ITO["blue"]}
STATUS_COLOURS = {  # verdicts on the source documents' claims
    "holds": OKABE_ITO["green"], "outdated": OKABE_ITO["orange"], "imprecise": OKABE_ITO["sky"],
    "wrong": OKABE_ITO["vermillion"], "unverifiable": "#9A9A9A",
}
MEMBERSHIP_COLOURS = {"member": OKABE_ITO["vermillion"], "frozen": OKABE_ITO["orange"],
                      "suspended": "#B0B0B0"}
INK = "#222222"
MUTED = "#666666"
GRID = "#DDDDDD"

FONT_FAMILY = "Source Sans Pro"
SVG_SALT = "csto-brief"


def font_files() -> list[Path]:
    import font_source_sans_pro

    return sorted((Path(font_source_sans_pro.__file__).parent / "files").glob("SourceSansPro-*.ttf"))


def serif_font_files() -> list[Path]:
    import font_source_serif_pro

    return sorted((Path(font_source_serif_pro.__file__).parent / "files").glob("SourceSerifPro-*.ttf"))


def use() -> None:
    """Apply the house style to matplotlib (idempotent); refuse to draw with CPU-specific numpy kernels."""
    cpu.check()
    known = {f.fname for f in font_manager.fontManager.ttflist}
    for f in font_files():
        if str(f) not in known:
            font_manager.fontManager.addfont(str(f))
    plt.rcParams.update({
        "font.family": FONT_FAMILY,
        "font.size": 9.5,
        "axes.titlesize": 11,
        "axes.titleweight": "semibold",
        "axes.titlelocation": "left",
        "axes.labelsize": 9.5,
        "axes.labelcolor": INK,
        "axes.edgecolor": MUTED,
        "axes.linewidth": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": False,
        "grid.color": GRID,
        "grid.linewidth": 0.6,
        "xtick.color": INK,
        "ytick.color": INK,
        "xtick.labelsize": 8.5,
        "ytick.labelsize": 8.5,
        "legend.frameon": False,
        "legend.fontsize": 8.5,
        "figure.dpi": 100,
        "savefig.dpi": 200,
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.05,
        "svg.hashsalt": SVG_SALT,
        "svg.fonttype": "path",
        "path.simplify": True,
    })


# matplotlib names clip paths, markers and hatches in an SVG by a hash of their coordinates (e.g. 'p0f5306bd5a'),
# so the last bit of a float moves the id. They are renamed in order of appearance, after the figure.
HASHED_ID = re.compile(r'(?<=id=")([pmh])([0-9a-f]{10})(?=")')


def stable_svg_ids(svg: str, name: str) -> str:
    """``svg`` with every hashed id renamed ``<name>-<kind><n>`` in order of first appearance (unique when
    several figures are inlined in one HTML page, and independent of the coordinates' last bits)."""
    names: dict[str, str] = {}
    for m in HASHED_ID.finditer(svg):
        names.setdefault(m.group(0), f"{name}-{m.group(1)}{len(names) + 1}")
    if not names:
        return svg
    pattern = re.compile("|".join(re.escape(k) for k in names))
    return pattern.sub(lambda m: names[m.group(0)], svg)


def save(fig, name: str, directory: Path | None = None) -> dict[str, Path]:
    """Write ``figures/<name>.svg`` and ``.png`` byte-stably (no dates, no software stamp, no hashed ids)."""
    directory = directory or paths.FIGURES_DIR
    directory.mkdir(parents=True, exist_ok=True)
    out = {"svg": directory / f"{name}.svg", "png": directory / f"{name}.png"}
    buf = io.StringIO()
    # The smallest text drawn, in points at the figure's own size: a test scales it to the width the brief places the
    # figure at and requires 7 pt on the page (tests/test_brief.py).
    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text().strip() and t.get_window_extent().width > 0]
    description = f"min-text-pt={min(sizes):.2f}" if sizes else "min-text-pt=none"
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None, "Description": description})
    out["svg"].write_text(stable_svg_ids(buf.getvalue(), name), encoding="utf-8")
    fig.savefig(out["png"], format="png", metadata={"Software": None})
    plt.close(fig)  # shown once, from the file, by show(): the same output under any backend
    return out


def show(saved: dict[str, Path], width: int = 680):
    """Display a saved figure (its PNG) in the notebook."""
    from IPython.display import Image

    return Image(filename=str(saved["png"]), width=width)
