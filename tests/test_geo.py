"""Border measurement: known geometries, the real extract, and the errors a user can hit."""

import datetime as dt
import json
import math

import geopandas as gpd
import pytest
from shapely.geometry import LineString, Polygon, box

from csto_brief import geo
from csto_brief.schema import DataValidationError

# The WGS84 equator is a circle of radius a = 6378137 m, so one degree of longitude on it is exact.
EQ_DEGREE_KM = 2 * math.pi * 6378.137 / 360


def two_squares(gap=0.0):
    """Two 1x1 degree squares at the equator touching along the meridian 1 E (from 0 to 1 N)."""
    return gpd.GeoDataFrame({"adm0_a3": ["AAA", "BBB"], "name": ["Alpha", "Beta"], "clipped": [False, False]},
                            geometry=[box(0, 0, 1, 1), box(1 + gap, 0, 2 + gap, 1)], crs="EPSG:4326")


def test_equator_degree_has_its_known_length():
    assert geo.length_km(LineString([(0, 0), (1, 0)])) == pytest.approx(EQ_DEGREE_KM, rel=1e-9)


def test_meridian_degree_matches_the_ellipsoid():
    # Meridian arc from 0 to 1 degree N on WGS84 is 110.574 km (standard geodesy tables).
    assert geo.length_km(LineString([(10, 0), (10, 1)])) == pytest.approx(110.574, abs=0.001)


def test_shared_border_of_two_squares_is_one_meridian_degree():
    line = geo.shared_border(two_squares(), "AAA", "BBB")
    assert line.geom_type == "LineString"
    assert geo.length_km(line) == pytest.approx(110.574, abs=0.001)


def test_names_and_codes_both_work_and_order_does_not_matter():
    sq = two_squares()
    assert geo.border_length_km(sq, "alpha", "BBB") == pytest.approx(geo.border_length_km(sq, "BBB", "AAA"))


def test_tolerance_bridges_a_small_gap_only_when_asked():
    sq = two_squares(gap=0.0005)
    with pytest.raises(geo.GeoError, match="share no border"):
        geo.shared_border(sq, "AAA", "BBB")
    assert geo.border_length_km(sq, "AAA", "BBB", tolerance_deg=0.001) == pytest.approx(110.574, abs=0.3)


def test_unknown_country_names_the_layer_and_suggests():
    with pytest.raises(geo.GeoError, match=r"unknown country 'Alfa'.*did you mean Alpha"):
        geo.shared_border(two_squares(), "Alfa", "BBB")


def test_same_country_twice_is_an_error():
    with pytest.raises(geo.GeoError, match="same country"):
        geo.shared_border(two_squares(), "AAA", "Alpha")


def test_border_reaching_the_clip_edge_is_refused():
    sq = two_squares()
    sq.loc[0, "clipped"] = True
    # the shared meridian ends on the layer's outer frame (0 N and 1 N)
    with pytest.raises(geo.GeoError, match="edge of the extracted region"):
        geo.shared_border(sq, "AAA", "BBB")


def test_divider_walk_on_a_straight_line_and_a_zigzag():
    straight = LineString([(0, 0), (10_000, 0)])
    for step in (300, 1000, 2500, 20_000):
        assert geo.divider_length(straight, step) == pytest.approx(10_000)
    # a zigzag of ten 3-4-5 triangles: 50 km of path, 40 km as the crow flies
    zig = LineString([(i * 4000, (i % 2) * 3000) for i in range(11)])
    assert zig.length == pytest.approx(50_000)
    assert geo.divider_length(zig, 5000) == pytest.approx(50_000)  # the ruler fits each leg exactly
    assert geo.divider_length(zig, 8000) == pytest.approx(40_000)  # it spans two legs: the baseline
    with pytest.raises(geo.GeoError):
        geo.divider_length(zig, 0)


def test_power_law_fit_recovers_a_known_dimension():
    steps = [1, 2, 4, 8, 16, 32]
    lengths = [1000 * s ** -0.2 for s in steps]  # D = 1.2
    fit = geo.fit_power_law(steps, lengths)
    assert fit.dimension == pytest.approx(1.2)
    assert fit.predict(0.5) == pytest.approx(1000 * 0.5 ** -0.2)
    lo, hi = fit.interval(0.5)
    assert lo == pytest.approx(hi)  # a perfect fit has no spread
    with pytest.raises(geo.GeoError):
        geo.fit_power_law([1, 2], [3, 4])


# --- the committed extract ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def ne10():
    return geo.load("ne_10m_admin0_countries")


def test_committed_layers_are_valid():
    assert geo.validate_all() == []


@pytest.mark.parametrize("a, b, km", [("TJK", "AFG", 1170.2), ("UZB", "AFG", 136.7), ("TKM", "AFG", 722.9),
                                      ("KGZ", "TJK", 837.6)])
def test_pinned_lengths_at_1_10m(ne10, a, b, km):
    assert geo.border_length_km(ne10, a, b) == pytest.approx(km, abs=0.05)


def test_polygons_agree_with_natural_earth_boundary_lines(ne10):
    lines = geo.load("ne_10m_admin0_boundary_lines")
    sel = lines[((lines.left == "TJK") & (lines.right == "AFG")) | ((lines.left == "AFG") & (lines.right == "TJK"))]
    from_lines = sum(geo.length_km(g) for g in sel.geometry)
    assert from_lines == pytest.approx(geo.border_length_km(ne10, "TJK", "AFG"), rel=1e-4)


def test_no_border_between_kyrgyzstan_and_afghanistan(ne10):
    with pytest.raises(geo.GeoError, match="share no border"):
        geo.shared_border(ne10, "Kyrgyzstan", "Afghanistan")


def test_invalid_geometry_is_reported_with_row(tmp_path):
    bow_tie = Polygon([(65, 33), (66, 34), (66, 33), (65, 34), (65, 33)])  # in Afghanistan
    gdf = gpd.GeoDataFrame({"adm0_a3": ["TJK", "AFG"], "clipped": [False, False]},
                           geometry=[box(70, 38, 71, 39), bow_tie], crs="EPSG:4326")
    layer = geo.BY_NAME["dcw_countries"]
    (tmp_path / "geo").mkdir()
    gdf.to_file(tmp_path / layer.file, driver="GeoJSON")
    problems = geo.validate_layer(layer, tmp_path)
    assert [(p.row, p.column, p.rule) for p in problems] == [(2, "geometry", "geometry")]
    assert "Self-intersection" in problems[0].message
    with pytest.raises(DataValidationError, match=r"dcw_countries.geojson, row 2 \(line 3\), column 'geometry'"):
        geo.load("dcw_countries", tmp_path)


def test_missing_column_and_wrong_crs(tmp_path):
    layer = geo.BY_NAME["dcw_countries"]
    (tmp_path / "geo").mkdir()
    gdf = gpd.GeoDataFrame({"code": ["AAA"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:3857")
    gdf.to_file(tmp_path / layer.file, driver="GeoJSON")
    found = [(p.rule, p.message) for p in geo.validate_layer(layer, tmp_path)]
    assert found == [("crs", "CRS is EPSG:3857; expected EPSG:4326 (WGS84 longitude/latitude)"),
                     ("header", "missing columns: adm0_a3, clipped"), ("header", "unexpected columns: code")]


def test_empty_geometry_and_missing_file(tmp_path):
    layer = geo.BY_NAME["dcw_countries"]
    assert [p.rule for p in geo.validate_layer(layer, tmp_path)] == ["file-exists"]
    (tmp_path / "geo").mkdir()
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adm0_a3": "AAA", "clipped": False},
         "geometry": {"type": "Polygon", "coordinates": []}}]}
    (tmp_path / layer.file).write_text(json.dumps(doc))
    problems = geo.validate_layer(layer, tmp_path)
    assert [p.rule for p in problems] == ["geometry"] and "empty" in problems[0].message


def _swap(coords):
    if coords and isinstance(coords[0], (int, float)):
        return [coords[1], coords[0], *coords[2:]]
    return [_swap(c) for c in coords]


def test_a_layer_with_longitude_and_latitude_swapped_is_refused(tmp_path):
    """Once accepted, a swapped extract measured the Tajik-Afghan border as 1,091 km."""
    layer = geo.BY_NAME["ne_10m_admin0_countries"]
    doc = json.loads((geo.paths.RAW_DIR / layer.file).read_text(encoding="utf-8"))
    for ft in doc["features"]:
        ft["geometry"]["coordinates"] = _swap(ft["geometry"]["coordinates"])
    (tmp_path / "geo").mkdir()
    (tmp_path / layer.file).write_text(json.dumps(doc), encoding="utf-8")
    problems = geo.validate_layer(layer, tmp_path)
    codes = [ft["properties"]["adm0_a3"] for ft in doc["features"]]
    assert [p.rule for p in problems] == ["extent"] * len(codes)  # every feature, each named
    tjk = next(p for p in problems if "'TJK'" in p.message)
    assert str(tjk) == (f"geo/ne_10m_admin0_countries.geojson, row {codes.index('TJK') + 1} (line {codes.index('TJK') + 2}), "
                        "column 'geometry': feature adm0_a3 'TJK' spans lon 36.68..41.04, lat 67.34..75.16, outside the "
                        "box declared for TJK (lon 67..76, lat 36..42) (are longitude and latitude swapped?) [rule: extent]")
    with pytest.raises(DataValidationError, match="ne_10m_admin0_countries.geojson.*'AFG'.*swapped"):
        geo.load("ne_10m_admin0_countries", tmp_path)


def test_a_feature_outside_its_country_or_the_layer_extent_is_refused(tmp_path):
    layer = geo.BY_NAME["dcw_countries"]
    (tmp_path / "geo").mkdir()
    gdf = gpd.GeoDataFrame({"adm0_a3": ["TJK", "AFG", "QQQ"], "clipped": [False] * 3},
                           geometry=[box(60, 30, 62, 32), box(55, 30, 56, 31), box(70, 38, 71, 39)], crs="EPSG:4326")
    gdf.to_file(tmp_path / layer.file, driver="GeoJSON")
    found = [(p.row, p.column, p.rule, p.message) for p in geo.validate_layer(layer, tmp_path)]
    assert found == [
        (1, "geometry", "extent", "feature adm0_a3 'TJK' spans lon 60.00..62.00, lat 30.00..32.00, outside the box "
                                  "declared for TJK (lon 67..76, lat 36..42)"),
        (2, "geometry", "extent", "feature adm0_a3 'AFG' spans lon 55.00..56.00, lat 30.00..31.00, outside the box "
                                  "declared for AFG (lon 60..76, lat 29..39)"),
        (3, "adm0_a3", "extent", "feature adm0_a3 'QQQ': no lon/lat box is declared for 'QQQ' in "
                                 "csto_brief.boxes.COUNTRY_BOXES")]
    lakes = geo.BY_NAME["ne_10m_lakes"]
    gpd.GeoDataFrame({"name": ["Far"], "featurecla": ["Lake"], "scalerank": [1], "clipped": [False]},
                     geometry=[box(10, 10, 11, 11)], crs="EPSG:4326").to_file(tmp_path / lakes.file, driver="GeoJSON")
    found = geo.validate_layer(lakes, tmp_path)
    assert [str(p) for p in found] == [
        "geo/ne_10m_lakes.geojson, row 1 (line 2), column 'geometry': feature 'Far' spans lon 10.00..11.00, "
        "lat 10.00..11.00, outside the layer's declared extent lon 52..81, lat 33..46 [rule: extent]"]


def test_every_country_of_the_extract_has_a_box_and_lies_in_it():
    for layer in geo.LAYERS:
        gdf = geo.load(geo.Path(layer.file).stem)
        for col in layer.countries:
            assert set(gdf[col]) <= set(geo.COUNTRY_BOXES), layer.file
        assert geo._inside(tuple(gdf.total_bounds), layer.extent), layer.file


@pytest.mark.parametrize("layer", ["dcw_countries", "ne_10m_admin0_countries", "ne_50m_admin0_countries",
                                   "ne_110m_admin0_countries"])
def test_another_border_measures_plausibly_on_every_layer_with_its_default_tolerance(layer):
    """Turkmenistan-Afghanistan, a border the brief does not use: published figures run 744-804 km; a layer's own
    tolerance gives a length of that order (the DCW once gave 93 km silently), by code or by name."""
    g = geo.load(layer)
    km = geo.border_length_km(g, "TKM", "AFG")
    assert 600 < km < 820
    assert geo.border_length_km(g, "Turkmenistan", "Afghanistan") == pytest.approx(km)


def test_a_tolerance_too_small_for_the_layer_stops_naming_both_lengths():
    with pytest.raises(geo.GeoError, match=r"'TKM' and 'AFG' in dcw_countries measures 93\.0 km at a tolerance of "
                                           r"1e-06 degrees but 737\.5 km at 0\.01.*about 0\.001 degrees"):
        geo.border_length_km(geo.load("dcw_countries"), "TKM", "AFG", tolerance_deg=1e-6)


def test_an_unknown_country_lists_what_the_layer_holds():
    with pytest.raises(geo.GeoError, match=r"unknown country 'Turkmenia'.*it holds: AFG Afghanistan, KGZ Kyrgyzstan, "
                                           r"TJK Tajikistan, TKM Turkmenistan, UZB Uzbekistan"):
        geo.shared_border(geo.load("dcw_countries"), "Turkmenia", "AFG")


def test_colliding_place_labels_are_found_however_they_are_placed():
    """Place labels are annotations, offset in points from the place they name: the collision check tests the place,
    not the offset, so two labels drawn over each other are caught, and labels apart are not."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from csto_brief import maps

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(500_000, 600_000)
    ax.set_ylim(4_100_000, 4_200_000)
    ax.annotate("Farkhor", (550_000, 4_150_000), xytext=(6, 0), textcoords="offset points", fontsize=7)
    ax.annotate("Panji Poyon", (552_000, 4_150_000), xytext=(6, 0), textcoords="offset points", fontsize=7)
    ax.annotate("Khorugh", (510_000, 4_110_000), xytext=(6, 0), textcoords="offset points", fontsize=7)
    assert maps.text_overlaps(fig) == [("Farkhor", "Panji Poyon")]
    with pytest.raises(ValueError, match="labels collide: 'Farkhor' and 'Panji Poyon'"):
        maps.check_labels(fig)
    plt.close(fig)


def test_a_label_over_another_places_marker_is_found_and_a_rotated_label_by_its_own_outline():
    """A label drawn over another place's marker reads as naming it (an attack marker once sat at the end of
    'Kulob'); a rotated label (a river's) is its rotated rectangle, so a marker beside it, inside the upright box
    around it, is not a collision."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from csto_brief import maps

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    for name, x, dy in (("Kulob (base until 2015)", 40, 0), ("Shohin", 52, -15)):
        ax.scatter([x], [50], s=30)
        ax.annotate(name, (x, 50), xytext=(4, dy), textcoords="offset points", fontsize=7, va="center")
    assert maps.text_overlaps(fig) == [("Kulob (base until 2015)", "Shohin")]
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4, 3))
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.text(50, 50, "Vakhsh river", rotation=45, ha="center", va="center", fontsize=7)
    ax.scatter([44], [57], s=20)  # in the upright box's corner, off the slanted text
    ax.annotate("Bokhtar", (44, 57), xytext=(-4, 0), textcoords="offset points", ha="right", fontsize=7)
    assert maps.text_overlaps(fig) == []
    ax.scatter([50], [50], s=20)  # on the text itself
    assert maps.text_overlaps(fig) == [("Vakhsh river", "a marker")]
    plt.close(fig)


def test_mapped_incidents_tie_the_map_to_the_record_of_incidents():
    import pandas as pd

    from csto_brief import borders
    places = pd.DataFrame({"place_id": ["a", "b", "c"], "kind": ["incident_district", "incident_district", "town"],
                           "label": ["A", "B", "C"]})
    devs = pd.DataFrame({"dev_id": ["x", "y", "z"], "date": ["2025-11-30", "2026-04-17", "2026-01-01"],
                         "places": [["a"], ["a", "b"], []], "incident": ["attack", "smuggling", ""],
                         "harmed": [5, 0, None], "sources": [["s1"], ["s2"], ["s3"]]})
    inc = borders.mapped_incidents(devs, places)
    assert sorted(inc["place_id"]) == ["a", "a", "b"]
    # a place with any incident that harmed someone on the Tajik side takes the full marker, whatever the label;
    # a place where only the raiders were hit, the other
    assert borders.incident_legend(inc) == {
        "incident_district": "Casualties on the Tajik side, Nov 2025",
        "incident_raiders_only": "Only raiders hit, Apr 2026"}
    relabelled = inc.assign(incident=["smuggling", "smuggling", "attack"][:len(inc)])
    assert borders.incident_legend(relabelled) == borders.incident_legend(inc)
    # a raiders-only clash in a district whose marker shows worse still counts in its kind's dates
    earlier = pd.DataFrame({"dev_id": ["w"], "date": ["2026-01-18"], "places": [["a"]], "incident": ["attack"],
                            "harmed": [0], "sources": [["s4"]]})
    more = borders.mapped_incidents(pd.concat([devs, earlier], ignore_index=True), places)
    assert borders.incident_legend(more)["incident_raiders_only"] == "Only raiders hit, Jan 2026 – Apr 2026"
    marked = borders.incident_places(places, inc).set_index("place_id")
    assert marked["kind"].to_dict() == {"a": "incident_district", "b": "incident_raiders_only", "c": "town"}
    # one marker per district: its label says how many incidents it stands for where there were several
    assert marked["label"].to_dict() == {"a": "A\n(2 incidents)", "b": "B", "c": "C"}
    with pytest.raises(ValueError, match="y name a place on the map but not whether it was an attack"):
        borders.mapped_incidents(devs.assign(incident=["attack", "", ""]), places)
    with pytest.raises(ValueError, match="y names c, which places.csv does not mark incident_district"):
        borders.mapped_incidents(devs.assign(places=[["a"], ["a", "b", "c"], []]), places)
    with pytest.raises(ValueError, match=r"incident districts \['b'\] are named by no development"):
        borders.mapped_incidents(devs.assign(places=[["a"], ["a"], []]), places)


def test_longest_run_of_months_counts_calendar_months_in_a_row():
    from csto_brief import borders
    assert borders.longest_run_of_months(["2025-11-26", "2025-11-30", "2025-12-24", "2026-01-18", "2026-04-17"]) == 3
    assert borders.longest_run_of_months(["2025-12-31", "2026-02-01"]) == 1
    assert borders.longest_run_of_months([]) == 0
    # the span names the run's months, the latest run where two are as long
    assert borders.longest_run_of_months(["2024-11-18", "2025-11-30", "2025-12-24"], span=True) == (
        dt.date(2025, 11, 1), dt.date(2025, 12, 1), 2)
    assert borders.longest_run_of_months(["2024-01-05", "2025-06-01"], span=True) == (
        dt.date(2025, 6, 1), dt.date(2025, 6, 1), 1)


def test_the_border_record_counts_harm_on_the_tajik_side_not_the_label():
    """The border judgments' test counts incidents that killed or wounded someone on the Tajik side, whatever the
    authorities called the men who crossed: an incident labelled an attack that harmed no one does not count, a
    clash labelled smuggling that killed a guard does; an incident without the count stops the build."""
    import pandas as pd

    from csto_brief import borders, facts, reads
    places = pd.DataFrame({"place_id": ["a"], "kind": ["incident_district"]})
    for read in ("data/raw/developments.csv", "data/raw/places.csv"):
        reads.record(read)
    devs = pd.DataFrame({"dev_id": ["x", "y", "z"], "date": ["2025-11-30", "2025-12-24", "2026-01-18"],
                         "places": [["a"], ["a"], ["a"]], "incident": ["attack", "smuggling", "attack"],
                         "harmed": [3, 2, 0], "sources": [["s1"], ["s2"], ["s3"]]})
    F = facts.Recorder("t")
    borders.record_incidents(F, borders.mapped_incidents(devs, places))
    got = {k: r["value"] for k, r in F.rows.items()}
    assert got["attack_months_run"] == "2"
    assert (got["attack_run_first"], got["attack_run_last"]) == ("2025-11-01", "2025-12-01")
    with pytest.raises(ValueError, match="column harmed: z name a place"):
        borders.mapped_incidents(devs.assign(harmed=[3, 2, None]), places)
