"""Geodata: validated loading of the regional extract, shared borders, and their lengths.

Lengths are geodesic, on the WGS84 ellipsoid (pyproj's Geod, Karney's algorithm), so they do not
depend on a map projection. The divider ("ruler") walk and the simplification series behind the
Richardson plot work in a local azimuthal equidistant projection centred on the line, where
distances over a few hundred kilometres are true to about 0.1 %.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry import MultiLineString
from shapely.geometry.base import BaseGeometry

from . import paths
from .boxes import COUNTRY_BOXES, box_text as _box_text, inside as _inside
from .schema import DataValidationError, Problem

if TYPE_CHECKING:
    import pandas as pd

GEOD = Geod(ellps="WGS84")
GEO_DIR = "geo"  # under data/raw


@dataclass(frozen=True)
class Layer:
    file: str  # relative to data/raw
    geom_types: tuple[str, ...]
    columns: tuple[str, ...]
    key: str | None = None
    description: str = ""
    # (west, south, east, north) in degrees: the region the layer was extracted for (every feature lies in it)
    extent: tuple[float, float, float, float] = (-180.0, -90.0, 180.0, 90.0)
    countries: tuple[str, ...] = ()  # columns holding the country (or countries) a feature lies in
    # How far (degrees) one country's outline may lie from its neighbour's and still be their shared border: a layer
    # whose neighbours share vertices (Natural Earth) needs almost none; one digitised country by country (the DCW)
    # needs about 100 m. shared_border() uses it by default for a layer from load().
    tolerance_deg: float = 1e-6


_POLY = ("Polygon", "MultiPolygon")
_LINE = ("LineString", "MultiLineString")
# The boxes of scripts/extract_geodata.py (--bbox, --detail-bbox); change them with a new extract.
REGION = (34.0, 18.0, 100.0, 60.0)
DETAIL = (52.0, 33.0, 81.0, 46.0)
INSET = (20.0, 36.0, 52.0, 58.0)  # --inset-bbox
LAYERS = (
    Layer(f"{GEO_DIR}/ne_10m_admin0_countries.geojson", _POLY, ("adm0_a3", "admin", "name", "clipped"), "adm0_a3",
          "Natural Earth 1:10m admin-0 countries (detail region)", DETAIL, ("adm0_a3",)),
    Layer(f"{GEO_DIR}/ne_50m_admin0_countries.geojson", _POLY, ("adm0_a3", "admin", "name", "clipped"), "adm0_a3",
          "Natural Earth 1:50m admin-0 countries (wide region)", REGION, ("adm0_a3",)),
    Layer(f"{GEO_DIR}/ne_50m_admin0_countries_inset.geojson", _POLY, ("adm0_a3", "admin", "name", "clipped"), "adm0_a3",
          "Natural Earth 1:50m admin-0 countries (the locator map's inset: Belarus, Armenia and neighbours)", INSET,
          ("adm0_a3",)),
    Layer(f"{GEO_DIR}/ne_110m_admin0_countries.geojson", _POLY, ("adm0_a3", "admin", "name", "clipped"), "adm0_a3",
          "Natural Earth 1:110m admin-0 countries (wide region)", REGION, ("adm0_a3",)),
    Layer(f"{GEO_DIR}/ne_10m_admin0_boundary_lines.geojson", _LINE, ("left", "right", "clipped"), None,
          "Natural Earth 1:10m land boundary lines, with the country on each side", DETAIL, ("left", "right")),
    Layer(f"{GEO_DIR}/ne_10m_lakes.geojson", _POLY, ("name", "featurecla", "scalerank", "clipped"), None,
          "Natural Earth 1:10m lakes and reservoirs", DETAIL),
    Layer(f"{GEO_DIR}/ne_50m_rivers.geojson", _LINE, ("layer", "clipped"), None,
          "Natural Earth 1:50m rivers (centre lines)", REGION),
    Layer(f"{GEO_DIR}/dcw_countries.geojson", _POLY, ("adm0_a3", "clipped"), "adm0_a3",
          "Digital Chart of the World (1:1,000,000) country polygons, GMT edition", DETAIL, ("adm0_a3",), 1e-3),
)
BY_NAME = {Path(layer.file).stem: layer for layer in LAYERS}


class GeoError(ValueError):
    """A geometry or a request about one is not what the code expects."""


def _read(path: Path):
    import geopandas as gpd

    return gpd.read_file(path, engine="pyogrio")


def validate_layer(layer: Layer, raw_dir: Path) -> list[Problem]:
    """Problems with one layer: file, CRS, columns, key, geometry validity and type."""
    path = raw_dir / layer.file
    shown = layer.file
    if not path.exists():
        return [Problem(shown, "file-exists", "file is missing")]
    try:
        gdf = _read(path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a data problem
        return [Problem(shown, "geojson", f"cannot be read as GeoJSON ({type(exc).__name__}: {exc})")]
    problems = []
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        problems.append(Problem(shown, "crs", f"CRS is {gdf.crs}; expected EPSG:4326 (WGS84 longitude/latitude)"))
    missing = [c for c in layer.columns if c not in gdf.columns]
    extra = [c for c in gdf.columns if c not in layer.columns and c != "geometry"]
    if missing:
        problems.append(Problem(shown, "header", f"missing columns: {', '.join(missing)}"))
    if extra:
        problems.append(Problem(shown, "header", f"unexpected columns: {', '.join(extra)}"))
    if missing:
        return problems
    if layer.key:
        dup = gdf[layer.key][gdf[layer.key].duplicated()]
        for i, v in dup.items():
            problems.append(Problem(shown, "duplicate-key", f"{layer.key} '{v}' appears more than once", i + 1,
                                    layer.key))
    for i, geom in enumerate(gdf.geometry, start=1):
        if geom is None or geom.is_empty:
            problems.append(Problem(shown, "geometry", "geometry is empty", i, "geometry"))
        elif geom.geom_type not in layer.geom_types:
            problems.append(Problem(shown, "geometry",
                                    f"geometry is a {geom.geom_type}; expected {' or '.join(layer.geom_types)}",
                                    i, "geometry"))
        elif not geom.is_valid:
            problems.append(Problem(shown, "geometry", f"geometry is invalid ({shapely.is_valid_reason(geom)})",
                                    i, "geometry"))
        else:
            x0, y0, x1, y1 = geom.bounds
            if x0 < -180 or x1 > 180 or y0 < -90 or y1 > 90:
                problems.append(Problem(shown, "range", "coordinates outside longitude/latitude range", i, "geometry"))
            else:
                problems.extend(_check_extent(layer, shown, i, gdf.iloc[i - 1], geom.bounds))
    return problems


def _check_extent(layer: Layer, shown: str, i: int, feature, bounds) -> list[Problem]:
    """The feature lies in the layer's declared extent and in the box of each country it belongs to."""
    x0, y0, x1, y1 = bounds
    got = f"lon {x0:.2f}..{x1:.2f}, lat {y0:.2f}..{y1:.2f}"
    swapped = " (are longitude and latitude swapped?)" if _inside((y0, x0, y1, x1), layer.extent) else ""
    if layer.key:
        what = f"feature {layer.key} '{feature[layer.key]}'"
    elif layer.countries:
        what = "feature " + "/".join(f"{c} '{feature[c]}'" for c in layer.countries)
    else:
        what = "feature" + (f" '{feature['name']}'" if "name" in feature.index and feature["name"] else "")
    out = []
    for col in layer.countries:
        code = str(feature[col])
        box = COUNTRY_BOXES.get(code)
        if box is None:
            out.append(Problem(shown, "extent", f"{what}: no lon/lat box is declared for '{code}' in "
                                                "csto_brief.boxes.COUNTRY_BOXES", i, col))
        elif not _inside(bounds, box):
            flip = " (are longitude and latitude swapped?)" if _inside((y0, x0, y1, x1), box) else ""
            out.append(Problem(shown, "extent", f"{what} spans {got}, outside the box declared for {code} "
                                                f"({_box_text(box)}){flip}", i, "geometry"))
    if not out and not _inside(bounds, layer.extent):
        out.append(Problem(shown, "extent", f"{what} spans {got}, outside the layer's declared extent "
                                            f"{_box_text(layer.extent)}{swapped}", i, "geometry"))
    return out


def validate_all(raw_dir: Path | None = None) -> list[Problem]:
    raw_dir = raw_dir or paths.RAW_DIR
    return [p for layer in LAYERS for p in validate_layer(layer, raw_dir)]


def load(name: str, raw_dir: Path | None = None):
    """Load one layer by its file stem (e.g. ``ne_10m_admin0_countries``), validated first."""
    raw_dir = raw_dir or paths.RAW_DIR
    if name not in BY_NAME:
        raise KeyError(f"no geodata layer '{name}'; known: {', '.join(BY_NAME)}")
    from . import data, reads

    if raw_dir == paths.RAW_DIR:
        data.check(raw_dir)  # every layer, with the tables; once per change of the raw data (the build did it)
    else:
        problems = validate_layer(BY_NAME[name], raw_dir)
        if problems:
            raise DataValidationError(problems)
    reads.record(raw_dir / BY_NAME[name].file)  # GDAL opens the file, out of the audit hook's sight
    gdf = _read(raw_dir / BY_NAME[name].file)
    gdf.attrs.update(layer=name, tolerance_deg=BY_NAME[name].tolerance_deg)
    return gdf


# --- shared borders -----------------------------------------------------------------------------

def _lookup(countries, who: str) -> int:
    """Row index of a country given by code (adm0_a3) or by name, case-insensitively."""
    want = who.strip().casefold()
    for col in ("adm0_a3", "name", "admin"):
        if col in countries.columns:
            hit = countries.index[countries[col].astype(str).str.casefold() == want]
            if len(hit):
                return hit[0]
    if "adm0_a3" in countries.columns and "name" not in countries.columns:  # a layer of codes: names from the project
        code = {n.split(" ", 1)[1].casefold(): n.split(" ", 1)[0] for n in _held(countries) if " " in n}.get(want)
        if code:
            return countries.index[countries["adm0_a3"].astype(str) == code][0]
    names = [str(v) for col in ("adm0_a3", "name") if col in countries.columns for v in countries[col]]
    close = difflib.get_close_matches(who, names, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise GeoError(f"unknown country '{who}' in this layer ({len(countries)} countries){hint}; it holds: "
                   + ", ".join(_held(countries)))


def _held(countries) -> list[str]:
    """The countries a layer holds, as 'CODE Name' (names from data/raw/countries.csv for a layer of codes only)."""
    if "adm0_a3" not in countries.columns:
        return sorted(str(v) for v in countries.get("name", []))
    if "name" in countries.columns:
        names = dict(zip(countries["adm0_a3"], countries["name"]))
    else:
        try:
            from . import data
            names = dict(zip(*data.load("countries.csv")[["iso3", "name"]].T.values))
        except Exception:  # noqa: BLE001 - a layer outside the project: codes only
            names = {}
    return [f"{c} {names.get(c, '')}".strip() for c in sorted(countries["adm0_a3"].astype(str))]


CHECK_TOLERANCE_DEG = 0.01  # about 1 km: wide enough to catch an outline digitised apart from its neighbour's


def shared_border(countries, a: str, b: str, tolerance_deg: float | None = None) -> BaseGeometry:
    """The border of countries ``a`` and ``b``: the part of a's outline lying on (within
    ``tolerance_deg`` of) b. By default the tolerance is the layer's (``Layer.tolerance_deg``: about 0.001
    degrees, ~100 m, for the DCW, whose neighbours do not share vertices; almost none for Natural Earth's,
    which do). A tolerance too small for the layer does not pass silently: if the border comes out much
    shorter than at ``CHECK_TOLERANCE_DEG`` (about 1 km), GeoError names both lengths.
    """
    if tolerance_deg is None:
        tolerance_deg = countries.attrs.get("tolerance_deg", 1e-6) if hasattr(countries, "attrs") else 1e-6
    ia, ib = _lookup(countries, a), _lookup(countries, b)
    if ia == ib:
        raise GeoError(f"'{a}' and '{b}' are the same country")
    ga, gb = countries.geometry[ia], countries.geometry[ib]

    def along(tol):
        return _lines_only(ga.boundary.intersection(gb.buffer(tol) if tol > 0 else gb.boundary))
    line = along(tolerance_deg)
    if line.is_empty or GEOD.geometry_length(line) < 1.0:
        raise GeoError(f"'{a}' and '{b}' share no border in this layer at a tolerance of {tolerance_deg:g} degrees"
                       + ("" if tolerance_deg >= CHECK_TOLERANCE_DEG else
                          f" (try the layer's own, or about 0.001 if its neighbours were digitised apart)"))
    if tolerance_deg < CHECK_TOLERANCE_DEG:
        got, wide = GEOD.geometry_length(line) / 1000, GEOD.geometry_length(along(CHECK_TOLERANCE_DEG)) / 1000
        if got < 0.9 * wide:
            layer = countries.attrs.get("layer", "this layer") if hasattr(countries, "attrs") else "this layer"
            raise GeoError(f"the border of '{a}' and '{b}' in {layer} measures {got:,.1f} km at a tolerance of "
                           f"{tolerance_deg:g} degrees but {wide:,.1f} km at {CHECK_TOLERANCE_DEG:g}: the two outlines "
                           "do not share vertices here, so most of the border is missed; use a tolerance of about "
                           "0.001 degrees (the DCW's default from geo.load)")
    if "clipped" in countries.columns and (countries["clipped"][ia] or countries["clipped"][ib]):
        frame = shapely.box(*countries.total_bounds).boundary
        if line.distance(frame) < 1e-4:
            raise GeoError(f"the border of '{a}' and '{b}' reaches the edge of the extracted region; "
                           "re-extract a larger region (scripts/extract_geodata.py --detail-bbox)")
    return line


def _lines_only(geom: BaseGeometry) -> BaseGeometry:
    parts = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type in ("LineString", "MultiLineString")]
    flat = [p for g in parts for p in getattr(g, "geoms", [g]) if not p.is_empty]
    if not flat:
        return MultiLineString()
    return shapely.line_merge(MultiLineString(flat))


def length_km(geom: BaseGeometry) -> float:
    """Geodesic length on the WGS84 ellipsoid, in kilometres."""
    if geom.is_empty:
        raise GeoError("cannot measure an empty geometry")
    return GEOD.geometry_length(geom) / 1000.0


def border_length_km(countries, a: str, b: str, tolerance_deg: float | None = None) -> float:
    """The length (km, geodesic) of the border of ``a`` and ``b`` in a layer from ``load()`` (codes or names), e.g.
    ``border_length_km(load("dcw_countries"), "TKM", "AFG")``: checked as ``shared_border`` checks it."""
    return length_km(shared_border(countries, a, b, tolerance_deg))


# --- the coastline paradox ----------------------------------------------------------------------

def local_crs(geom: BaseGeometry) -> CRS:
    c = geom.centroid
    return CRS.from_proj4(f"+proj=aeqd +lat_0={c.y:.4f} +lon_0={c.x:.4f} +datum=WGS84 +units=m +no_defs")


def to_local(geom: BaseGeometry) -> BaseGeometry:
    tr = Transformer.from_crs("EPSG:4326", local_crs(geom), always_xy=True)
    return shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))


def _parts(geom: BaseGeometry) -> list[np.ndarray]:
    return [np.asarray(g.coords) for g in getattr(geom, "geoms", [geom])]


def divider_length(geom_m: BaseGeometry, step: float) -> float:
    """Length measured by walking dividers of opening ``step`` along each part of a line given in
    metres: the count of whole steps times the step, plus the last partial chord."""
    if step <= 0:
        raise GeoError("the divider step must be positive")
    total = 0.0
    for xy in _parts(geom_m):
        pos = start = xy[0]  # the divider's point; where the current segment is searched from
        seg, n_steps = 0, 0
        while seg < len(xy) - 1:
            q = xy[seg + 1]
            if np.hypot(*(q - pos)) < step:  # the segment ends inside the circle: move on
                seg += 1
                start = xy[seg]
                continue
            # ``start`` is inside the circle and q outside: the segment crosses it once (the disc is convex)
            d, f = q - start, start - pos
            a, b, c = d @ d, 2 * f @ d, f @ f - step * step
            t = min(max((-b + math.sqrt(max(b * b - 4 * a * c, 0.0))) / (2 * a), 0.0), 1.0)
            pos = start = start + t * d
            n_steps += 1
        total += n_steps * step + float(np.hypot(*(xy[-1] - pos)))
    return total


def simplified_length(geom_m: BaseGeometry, tolerance: float) -> float:
    """Length in metres after Douglas-Peucker simplification with ``tolerance`` metres."""
    return float(shapely.simplify(geom_m, tolerance, preserve_topology=False).length)


@dataclass(frozen=True)
class PowerLaw:
    """log10(L) = intercept + slope * log10(s): Richardson's law, D = 1 - slope."""
    slope: float
    intercept: float
    slope_se: float
    n: int
    resid_sd: float
    x_mean: float
    sxx: float

    @property
    def dimension(self) -> float:
        return 1.0 - self.slope

    def predict(self, s: float) -> float:
        return 10 ** (self.intercept + self.slope * math.log10(s))

    def interval(self, s: float, level: float = 0.95) -> tuple[float, float]:
        """Prediction interval of the fitted (mean) line at step ``s``, from the regression's
        standard errors (t distribution with n-2 degrees of freedom)."""
        from scipy import stats

        x = math.log10(s)
        se = self.resid_sd * math.sqrt(1 / self.n + (x - self.x_mean) ** 2 / self.sxx)
        t = stats.t.ppf(0.5 + level / 2, self.n - 2)
        y = self.intercept + self.slope * x
        return 10 ** (y - t * se), 10 ** (y + t * se)


def fit_power_law(steps, lengths) -> PowerLaw:
    x = np.log10(np.asarray(steps, dtype=float))
    y = np.log10(np.asarray(lengths, dtype=float))
    if len(x) < 3:
        raise GeoError("a Richardson fit needs at least three measurements")
    xm = x.mean()
    sxx = float(((x - xm) ** 2).sum())
    slope = float(((x - xm) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * xm)
    resid = y - (intercept + slope * x)
    sd = float(math.sqrt((resid ** 2).sum() / (len(x) - 2)))
    return PowerLaw(slope, intercept, sd / math.sqrt(sxx), len(x), sd, float(xm), sxx)


def richardson(geom: BaseGeometry, steps_km) -> "pd.DataFrame":
    """Divider lengths (km) of a lon/lat line at each step (km): the data of a Richardson plot."""
    import pandas as pd

    local = to_local(geom)
    return pd.DataFrame({"step_km": [float(s) for s in steps_km],
                         "length_km": [divider_length(local, s * 1000) / 1000 for s in steps_km]})


def simplification_series(geom: BaseGeometry, tolerances_km) -> "pd.DataFrame":
    """Lengths (km) of a lon/lat line after Douglas-Peucker simplification at each tolerance (km)."""
    import pandas as pd

    local = to_local(geom)
    return pd.DataFrame({"tolerance_km": [float(t) for t in tolerances_km],
                         "length_km": [simplified_length(local, t * 1000) / 1000 for t in tolerances_km]})


def step_for_length(fit: PowerLaw, length: float) -> float:
    """The divider step (same unit as the fit) at which the fitted law reaches ``length``."""
    return 10 ** ((math.log10(length) - fit.intercept) / fit.slope)
