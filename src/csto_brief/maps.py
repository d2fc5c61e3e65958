"""Maps in the house style: projections, graticule, scale bar, north arrow, labelled places.

Two projections, chosen for what each map must show:

* ``LOCATOR_CRS``: Albers equal-area conic with standard parallels 32 and 50 N, centred on 66 E. An
  equal-area projection, so shaded countries compare honestly by size across Central Asia.
* ``DETAIL_CRS``: UTM zone 42N (EPSG:32642, central meridian 69 E). Conformal, with scale error under
  0.1 % between 63 and 75 E, so one scale bar holds across the Tajik and Uzbek border maps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.collections import PathCollection
from matplotlib.text import Annotation
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Polygon as MplPolygon
from pyproj import Transformer
from shapely.geometry import LineString, box

from . import style
from .vocab import MEMBERSHIP_MAP_LABELS

LOCATOR_CRS = "+proj=aea +lat_1=32 +lat_2=50 +lat_0=40 +lon_0=66 +datum=WGS84 +units=m +no_defs"
DETAIL_CRS = "EPSG:32642"

LAND = "#F4F1EA"
LAND_OTHER = "#E9E6DF"
WATER = "#CFE3F1"
RIVER = "#5B9BD5"
BORDER = "#8A8A8A"
HIGHLIGHT = style.OKABE_ITO["black"]
STATUS_FILL = {  # CSTO status on the map
    "member": "#F3B38F",       # participating member: light vermillion
    "frozen": "#F6D58E",       # participation frozen (Armenia): light orange
    "suspended": "#D5D5D5",    # suspended membership (Uzbekistan)
    "former": "#EDE6F2",       # left in 1999 (Azerbaijan, Georgia)
}
STATUS_LABEL = MEMBERSHIP_MAP_LABELS
AFGHANISTAN_FILL = "#CBD9C4"

PLACE_STYLE = {  # marker, size, face colour, edge colour
    "capital": ("s", 22, style.INK, "white"),
    "town": ("o", 14, "white", style.INK),
    "crossing": ("D", 20, style.OKABE_ITO["blue"], "white"),
    "base_site": ("^", 34, style.OKABE_ITO["vermillion"], "white"),
    "exercise_range": ("P", 40, style.OKABE_ITO["purple"], "white"),
    "incident_district": ("X", 44, style.OKABE_ITO["orange"], style.INK),
    "incident_raiders_only": ("X", 40, "white", style.OKABE_ITO["orange"]),
}
PLACE_LABEL = {"capital": "Capital", "town": "Town", "crossing": "Border crossing (bridge)",
               "base_site": "Site used by Russia's 201st base", "exercise_range": "Range used in CSTO exercises",
               "incident_district": "Border incident (district centre)",  # a map names the period: place_labels
               "incident_raiders_only": "Clash in which only raiders were hit (district centre)"}
HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]

# Lines are drawn at print resolution: simplified (in the map's projected CRS) to within this distance
# on the printed page, assuming the map's full width spans the A4 text column. A finer vertex is
# invisible in print and only makes the figure larger and slower to lay out; measurements (geo.py)
# always use the full-resolution data.
PRINT_WIDTH_MM = 175.0   # A4 (210 mm) less the brief's 18 + 17 mm margins: the widest a figure prints
PRINT_TOLERANCE_MM = 0.1


def print_tolerance(x0: float, x1: float, width_mm: float = PRINT_WIDTH_MM,
                    tolerance_mm: float = PRINT_TOLERANCE_MM) -> float:
    """Ground distance (map units, metres) that ``tolerance_mm`` on the page covers when the map's
    horizontal extent ``x0..x1`` is printed ``width_mm`` wide."""
    return (x1 - x0) / width_mm * tolerance_mm


def for_print(geoms, crs, frame_xy, tolerance: float):
    """Projected, clipped to the map frame (with a 2 % margin, so no clipped edge shows) and simplified
    to ``tolerance``: what the page can show of ``geoms`` (a GeoDataFrame or GeoSeries in lon/lat)."""
    x0, x1, y0, y1 = frame_xy
    dx, dy = (x1 - x0) * 0.02, (y1 - y0) * 0.02
    view = box(x0 - dx, y0 - dy, x1 + dx, y1 + dy)
    out = geoms.to_crs(crs)
    geom = out.geometry.intersection(view).simplify(tolerance, preserve_topology=True)
    if hasattr(out, "set_geometry"):
        out = out.set_geometry(geom)
    else:
        out = geom
    keep = ~geom.is_empty
    return out[keep.values]


def extent_of(bounds_lonlat, crs, pad=0.0):
    """Projected (xmin, xmax, ymin, ymax) of a lon/lat box, densified so its curved edges count."""
    w, s, e, n = bounds_lonlat
    ring = box(w, s, e, n).exterior.segmentize(0.25)
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = tr.transform(*np.asarray(ring.coords).T)
    dx, dy = (x.max() - x.min()) * pad, (y.max() - y.min()) * pad
    return x.min() - dx, x.max() + dx, y.min() - dy, y.max() + dy


def graticule(ax, crs, step=2.0, label=True, lon_range=(40, 95), lat_range=(20, 60)):
    """Meridians and parallels every ``step`` degrees, labelled where they leave the map frame."""
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    kw = dict(color="#8C96A0", lw=0.3, alpha=0.6, zorder=2.6)  # over the fills, under borders: the grid is curved
    txt = dict(fontsize=7, color=style.MUTED, clip_on=False)
    for lon in np.arange(np.ceil(lon_range[0] / step) * step, lon_range[1] + 1e-9, step):
        lats = np.linspace(*lat_range, 200)
        x, y = tr.transform(np.full_like(lats, lon), lats)
        ax.plot(x, y, **kw)
        if label:
            hit = LineString(np.column_stack([x, y])).intersection(LineString([(x0, y0), (x1, y0)]))
            if not hit.is_empty and hit.geom_type == "Point":
                ax.text(hit.x, y0 - (y1 - y0) * 0.012, f"{lon:g}°E", ha="center", va="top", **txt)
    for lat in np.arange(np.ceil(lat_range[0] / step) * step, lat_range[1] + 1e-9, step):
        lons = np.linspace(*lon_range, 200)
        x, y = tr.transform(lons, np.full_like(lons, lat))
        ax.plot(x, y, **kw)
        if label:
            hit = LineString(np.column_stack([x, y])).intersection(LineString([(x0, y0), (x0, y1)]))
            if not hit.is_empty and hit.geom_type == "Point":
                ax.text(x0 - (x1 - x0) * 0.008, hit.y, f"{lat:g}°N", ha="right", va="center", **txt)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^n km) near a fifth of the map's width."""
    target = span_m / 5 / 1000
    mag = 10 ** np.floor(np.log10(target))
    for f in (5, 2, 1):
        if f * mag <= target:
            return float(f * mag)
    return float(mag)


def scale_bar(ax, crs, where=(0.04, 0.05)):
    """A two-segment scale bar in km. Its length is true on the ground at the bar's latitude
    (the projection's scale factor there is applied), so it is honest on conformal maps."""
    from pyproj import CRS, Proj

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    bx, by = x0 + (x1 - x0) * where[0], y0 + (y1 - y0) * where[1]
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(bx, by)
    k = Proj(CRS.from_user_input(crs)).get_factors(lon, lat).meridional_scale
    km = nice_length(x1 - x0)
    length = km * 1000 * k
    h = (y1 - y0) * 0.008
    for i, colour in enumerate((style.INK, "white")):
        ax.add_patch(MplPolygon([(bx + i * length / 2, by), (bx + (i + 1) * length / 2, by),
                                 (bx + (i + 1) * length / 2, by + h), (bx + i * length / 2, by + h)],
                                closed=True, facecolor=colour, edgecolor=style.INK, lw=0.6, zorder=6))
    for frac, value in ((0, 0), (0.5, km / 2), (1, km)):
        ax.text(bx + frac * length, by + h * 1.8, f"{value:g}", ha="center", va="bottom", fontsize=7,
                color=style.INK, zorder=6, path_effects=HALO)
    ax.text(bx + length + (x1 - x0) * 0.022, by + h * 1.8, "km", ha="left", va="bottom", fontsize=7,
            color=style.INK, zorder=6, path_effects=HALO)


def north_arrow(ax, crs, where=(0.95, 0.86)):
    """An arrow pointing to true north at its own position (grid north differs on a conic map)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ax_x, ax_y = x0 + (x1 - x0) * where[0], y0 + (y1 - y0) * where[1]
    inv = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lon, lat = inv.transform(ax_x, ax_y)
    nx, ny = fwd.transform(lon, lat + 0.05)
    v = np.array([nx - ax_x, ny - ax_y])
    v = v / np.hypot(*v) * (y1 - y0) * 0.07
    ax.annotate("", xy=(ax_x + v[0], ax_y + v[1]), xytext=(ax_x, ax_y),
                arrowprops=dict(arrowstyle="-|>", color=style.INK, lw=1.0), zorder=6)
    ax.text(ax_x + v[0] * 1.25, ax_y + v[1] * 1.25, "N", ha="center", va="center", fontsize=8,
            fontweight="semibold", color=style.INK, zorder=6)


def frame(ax):
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(True)
        ax.spines[side].set_linewidth(0.6)
        ax.spines[side].set_color(style.MUTED)
    ax.set_facecolor(LAND_OTHER)


def plot_places(ax, places: pd.DataFrame, crs, kinds=None):
    """Markers and labels for the places, with the label offsets the data gives (in points)."""
    tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    shown = places if kinds is None else places[places["kind"].isin(kinds)]
    texts = []
    for row in shown.itertuples():
        x, y = tr.transform(row.lon, row.lat)
        marker, size, face, edge = PLACE_STYLE[row.kind]
        on_top = 7.5 if row.kind.startswith("incident") else 7  # an incident stays visible over a crossing
        ax.scatter([x], [y], marker=marker, s=size, c=face, edgecolors=edge, linewidths=0.7, zorder=on_top)
        dx, dy = float(row.label_dx), float(row.label_dy)
        ha = row.label_ha or ("left" if dx >= 0 else "right")
        weight = "semibold" if row.kind == "capital" else "normal"
        texts.append(ax.annotate(row.label, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                                 va="center", fontsize=7, fontweight=weight, color=style.INK, zorder=8,
                                 path_effects=HALO, annotation_clip=False))
    return texts


def place_legend_handles(kinds, labels: dict | None = None):
    labels = {**PLACE_LABEL, **(labels or {})}
    out = []
    for kind in kinds:
        marker, size, face, edge = PLACE_STYLE[kind]
        out.append(Line2D([], [], marker=marker, ls="", markersize=np.sqrt(size), markerfacecolor=face,
                          markeredgecolor=edge if edge != "white" else face, label=labels[kind]))
    return out


def fill_handle(colour, label, edge=BORDER):
    return Patch(facecolor=colour, edgecolor=edge, linewidth=0.6, label=label)


def text_overlaps(fig) -> list[tuple[str, str]]:
    """Pairs of texts in the figure whose rendered outlines overlap (labels that collide), and labels drawn over the
    marker of another place (named by that place's label), which would read as naming it. A rotated label is its
    rotated rectangle, not the upright box around it."""
    from shapely import affinity

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    items, markers = [], []
    for ax in fig.axes:
        named = {}
        for t in ax.texts:
            # an annotation's position is its offset from the point it labels: test the point, in data units
            anchor = t.xy if isinstance(t, Annotation) else t.get_position()
            if t.get_clip_on() and not ax.bbox.contains(*ax.transData.transform(anchor)):
                continue  # clipped away: not drawn
            if not (t.get_visible() and t.get_text().strip()):
                continue
            ext = t.get_window_extent(renderer)
            outline = box(*ext.shrunk(0.96, 0.9).extents)
            angle = t.get_rotation()
            if angle % 180:
                # the upright box of a rotated text is centred on it: rotate the text's own box about that centre
                t.set_rotation(0)
                w, h = t.get_window_extent(renderer).width * 0.96, t.get_window_extent(renderer).height * 0.9
                t.set_rotation(angle)
                cx, cy = (ext.x0 + ext.x1) / 2, (ext.y0 + ext.y1) / 2
                outline = affinity.rotate(box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), angle, origin=(cx, cy))
            at = tuple(np.round(ax.transData.transform(anchor), 1)) if isinstance(t, Annotation) else None
            items.append((t.get_text(), outline, at))
            if at is not None:
                named[at] = t.get_text()
        for coll in ax.collections:
            if not isinstance(coll, PathCollection) or not coll.get_visible():
                continue  # point markers only (scatter); areas and lines are not places
            sizes = coll.get_sizes()
            for k, xy in enumerate(coll.get_offset_transform().transform(coll.get_offsets())):
                r = np.sqrt(sizes[k % len(sizes)] if len(sizes) else 36) / 2 * fig.dpi / 72 * 0.8
                at = tuple(np.round(xy, 1))
                markers.append((named.get(at, "a marker"), box(xy[0] - r, xy[1] - r, xy[0] + r, xy[1] + r), at))

    def hit(a, b):
        return a.intersection(b).area > 0

    pairs = [(a, b) for i, (a, ea, _) in enumerate(items) for (b, eb, _) in items[i + 1:] if hit(ea, eb)]
    pairs += [(a, m) for a, ea, at in items for m, em, mat in markers if mat != at and hit(ea, em)]
    return pairs


# --- the three maps of the brief ----------------------------------------------------------------

def _plot(geoms, **kw):
    """Plot what is there: an empty layer (nothing of it in the frame) is skipped, not warned about."""
    if len(geoms):
        geoms.plot(**kw)


def _in_view(gdf, extent_lonlat, margin=3.0):
    """Only what can show in the map's frame (plus a margin), so the figure files stay small."""
    w, s, e, n = extent_lonlat
    view = box(w - margin, s - margin, e + margin, n + margin)
    out = gdf[gdf.intersects(view)].copy()
    out["geometry"] = out.geometry.intersection(view)
    return out[~out.geometry.is_empty]


def _draw_base(ax, countries, crs, fills: dict[str, str], frame_xy, tolerance, lw=0.5):
    gdf = for_print(countries, crs, frame_xy, tolerance)
    colours = [fills.get(code, LAND) for code in gdf["adm0_a3"]]
    gdf.plot(ax=ax, color=colours, edgecolor=BORDER, linewidth=lw, zorder=2)
    return gdf


INSET_CRS = "+proj=aea +lat_1=51 +lat_2=56 +lat_0=53.5 +lon_0=28 +datum=WGS84 +units=m +no_defs"


def _inset(ax, countries, statuses: dict[str, str], extent_lonlat, labels: dict[str, tuple], where):
    """The members west of the main map (Belarus) in a framed panel of their own."""
    sub = ax.inset_axes(where)
    fills = {code: STATUS_FILL[s] for code, s in statuses.items()}
    frame_xy = x0, x1, y0, y1 = extent_of(extent_lonlat, INSET_CRS)
    tol = print_tolerance(x0, x1, width_mm=PRINT_WIDTH_MM * where[2])
    _draw_base(sub, _in_view(countries, extent_lonlat, 4.0), INSET_CRS, fills, frame_xy, tol, lw=0.35)
    sub.set_xlim(x0, x1)
    sub.set_ylim(y0, y1)
    tr = Transformer.from_crs("EPSG:4326", INSET_CRS, always_xy=True)
    for code, (text, lon, lat, size) in labels.items():
        x, y = tr.transform(lon, lat)
        sub.text(x, y, text, ha="center", va="center", fontsize=size, color=style.INK, zorder=8, clip_on=True,
                 path_effects=HALO, fontweight="semibold" if code in statuses else "normal")
    frame(sub)
    sub.set_facecolor(WATER)
    for side in sub.spines.values():
        side.set_linewidth(0.8)
        side.set_color(style.INK)
    return sub


def locator_map(countries, statuses: dict[str, str], borders: dict[str, object], lakes=None,
                extent_lonlat=(46, 28.5, 86, 51.5), labels: dict[str, tuple] | None = None,
                inset=None):
    """Central Asia and its neighbours, CSTO states shaded by status, Afghanistan and the borders
    of interest highlighted. ``borders`` maps a legend label to a lon/lat line. ``inset`` is
    (countries, extent, labels, where) for the members west of the frame, drawn in a panel of their own."""
    import geopandas as gpd
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.7, 4.6))
    fills = {code: STATUS_FILL[s] for code, s in statuses.items()}
    fills["AFG"] = AFGHANISTAN_FILL
    frame_xy = x0, x1, y0, y1 = extent_of(extent_lonlat, LOCATOR_CRS)
    tol = print_tolerance(x0, x1)
    gdf = _draw_base(ax, _in_view(countries, extent_lonlat, 8.0), LOCATOR_CRS, fills, frame_xy, tol, lw=0.45)
    if lakes is not None:
        _plot(for_print(_in_view(lakes, extent_lonlat, 8.0), LOCATOR_CRS, frame_xy, tol),
              ax=ax, color=WATER, edgecolor="none", zorder=2.5)
    handles = []
    # three borders told apart in print by weight, pattern and tone: the Tajik one solid, the Uzbek one dotted, the
    # context border grey and dashed
    widths = (2.0, 2.2, 1.3)
    dashes = ("solid", (0, (1, 0.6)), (0, (4, 2)))
    colours = (HIGHLIGHT, HIGHLIGHT, "#7a7a7a")
    for (label, line), lw, ls, c in zip(borders.items(), widths, dashes, colours):
        for_print(gpd.GeoSeries([line], crs="EPSG:4326"), LOCATOR_CRS, frame_xy, tol).plot(
            ax=ax, color=c, linewidth=lw, linestyle=ls, zorder=4)
        handles.append(Line2D([], [], color=c, lw=lw, ls=ls, label=label))
    rect = box(x0, y0, x1, y1).exterior.segmentize((x1 - x0) / 50)
    inv = Transformer.from_crs(LOCATOR_CRS, "EPSG:4326", always_xy=True)
    lon, lat = inv.transform(*np.asarray(rect.coords).T)
    w, s, e, n = countries.total_bounds
    if lon.min() < w or lon.max() > e or lat.min() < s or lat.max() > n:
        raise ValueError("the map frame reaches beyond the extracted region; extract a larger --bbox")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    graticule(ax, LOCATOR_CRS, step=5)
    for code, (text, lon, lat, size) in (labels or {}).items():
        x, y = Transformer.from_crs("EPSG:4326", LOCATOR_CRS, always_xy=True).transform(lon, lat)
        ax.text(x, y, text, ha="center", va="center", fontsize=size, color=style.INK, zorder=8, clip_on=True,
                path_effects=HALO, fontweight="semibold" if code in statuses or code == "AFG" else "normal")
    scale_bar(ax, LOCATOR_CRS, where=(0.04, 0.05))
    north_arrow(ax, LOCATOR_CRS, where=(0.955, 0.83))
    if inset is not None:
        _inset(ax, inset[0], statuses, inset[1], inset[2], inset[3])
    present = [s for s in STATUS_FILL if s in statuses.values()]
    fill_handles = [fill_handle(STATUS_FILL[s], STATUS_LABEL[s]) for s in present]
    fill_handles.append(fill_handle(AFGHANISTAN_FILL, "Afghanistan"))
    ax.legend(handles=fill_handles + handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2,
              fontsize=7.5, handlelength=2.4, borderaxespad=0, columnspacing=1.6)
    frame(ax)
    ax.set_facecolor(WATER)  # inside the extract, what no country covers is the Caspian
    del gdf
    return fig, ax


def border_map(countries, rivers, lakes, places: pd.DataFrame, border_line, extent_lonlat, statuses,
               country_labels: dict[str, tuple], river_labels: dict[str, tuple] | None = None,
               figsize=(6.7, 4.4), scale_where=(0.04, 0.05), arrow_where=(0.955, 0.83), border_label="",
               river_mask=None, place_labels: dict | None = None):
    """A border in detail: the border itself, rivers and lakes, places and crossings, in UTM 42N.

    Where the border follows a river, the 1:10m border line is the better trace of the river; the
    coarser 1:50m river lines are drawn only where they run more than about 6 km from it (or from
    ``river_mask``, e.g. all of a country's river borders)."""
    import geopandas as gpd
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    frame(ax)
    fills = {code: STATUS_FILL[s] for code, s in statuses.items()}
    fills["AFG"] = AFGHANISTAN_FILL
    frame_xy = x0, x1, y0, y1 = extent_of(extent_lonlat, DETAIL_CRS)
    tol = print_tolerance(x0, x1)
    _draw_base(ax, _in_view(countries, extent_lonlat), DETAIL_CRS, fills, frame_xy, tol, lw=0.6)
    if lakes is not None:
        _plot(for_print(_in_view(lakes, extent_lonlat), DETAIL_CRS, frame_xy, tol),
              ax=ax, color=WATER, edgecolor=RIVER, linewidth=0.3, zorder=3)
    if rivers is not None:
        off = _in_view(rivers, extent_lonlat).geometry.difference((river_mask if river_mask is not None else border_line).buffer(0.06))
        _plot(for_print(gpd.GeoSeries(off[~off.is_empty], crs="EPSG:4326"), DETAIL_CRS, frame_xy, tol),
              ax=ax, color=RIVER, linewidth=0.8, zorder=3)
    for_print(gpd.GeoSeries([border_line], crs="EPSG:4326"), DETAIL_CRS, frame_xy, tol).plot(
        ax=ax, color=HIGHLIGHT, linewidth=2.2, zorder=4, alpha=0.85)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    graticule(ax, DETAIL_CRS, step=1, lon_range=(60, 80), lat_range=(33, 45))
    tr = Transformer.from_crs("EPSG:4326", DETAIL_CRS, always_xy=True)
    for code, (text, lon, lat) in country_labels.items():
        x, y = tr.transform(lon, lat)
        ax.text(x, y, text, ha="center", va="center", fontsize=9, color=style.MUTED, fontweight="semibold",
                zorder=5, path_effects=HALO)
    for text, (lon, lat, angle) in (river_labels or {}).items():
        x, y = tr.transform(lon, lat)
        ax.text(x, y, text, rotation=angle, ha="center", va="center", fontsize=7, fontstyle="italic",
                color="#2F6FA8", zorder=5, path_effects=HALO)
    w, s_, e, n = extent_lonlat
    inside = places[(places["lon"].between(w, e)) & (places["lat"].between(s_, n))]
    plot_places(ax, inside, DETAIL_CRS)
    scale_bar(ax, DETAIL_CRS, where=scale_where)
    north_arrow(ax, DETAIL_CRS, where=arrow_where)
    kinds = [k for k in PLACE_STYLE if k in set(inside["kind"])]
    handles = [Line2D([], [], color=HIGHLIGHT, lw=2.2, alpha=0.85, label=border_label or "Border with Afghanistan (NE 1:10m)"),
               Line2D([], [], color=RIVER, lw=0.8, label="River (NE 1:50m)"),
               fill_handle(AFGHANISTAN_FILL, "Afghanistan")]
    shown_status = [statuses[c] for c in country_labels if c in statuses]
    handles += [fill_handle(STATUS_FILL[st], STATUS_LABEL[st]) for st in STATUS_FILL if st in shown_status]
    handles += place_legend_handles(kinds, place_labels)
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=3, fontsize=7,
              borderaxespad=0, columnspacing=1.4, handlelength=2.0)
    frame(ax)
    return fig, ax



def check_labels(fig) -> None:
    """Raise if any two labels collide, naming them (move one in places.csv or in the call)."""
    pairs = text_overlaps(fig)
    if pairs:
        raise ValueError("labels collide: " + "; ".join(f"'{a}' and '{b}'" for a, b in pairs))
