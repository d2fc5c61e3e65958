"""Where each country is, as a longitude/latitude box: a check that coordinates are plausible.

Used by the geodata checks (``geo.validate_layer``: every feature lies in its country's box) and by the
table validator (``Table.located``: a place's point lies in the box of one of its countries), so a layer
or a row with longitude and latitude swapped, or under the wrong code, is refused. Standard library only:
the validator imports it.
"""

from __future__ import annotations

# Where each country is: (west, south, east, north) in degrees, the whole country rounded outwards to
# whole degrees (Russia's east and Chukotka beyond 180 E are outside any extract). A feature of a country
# must lie inside its box (a boundary line inside the boxes of both its sides), so a layer with longitude
# and latitude swapped, or a feature under the wrong code, is refused.
COUNTRY_BOXES: dict[str, tuple[float, float, float, float]] = {
    "AFG": (60, 29, 76, 39), "ARE": (51, 22, 57, 27), "ARM": (43, 38, 47, 42), "AZE": (44, 38, 51, 42),
    "BGD": (88, 20, 93, 27), "BHR": (50, 25, 51, 27), "BTN": (88, 26, 93, 29), "CHN": (73, 18, 135, 54),
    "CYN": (32, 35, 35, 36), "CYP": (32, 34, 35, 36), "EGY": (24, 21, 37, 32), "ERI": (36, 12, 44, 19),
    "GEO": (39, 41, 47, 44), "IND": (68, 6, 98, 36), "IRN": (44, 25, 64, 40), "IRQ": (38, 29, 49, 38),
    "ISR": (34, 29, 36, 34), "JOR": (34, 29, 40, 34), "KAB": (62, 45, 65, 47), "KAS": (76, 35, 78, 36),
    "KAZ": (46, 40, 88, 56), "KGZ": (69, 39, 81, 44), "KWT": (46, 28, 49, 31), "LBN": (35, 33, 37, 35),
    "MMR": (92, 9, 102, 29), "MNG": (87, 41, 120, 53), "NPL": (80, 26, 89, 31), "OMN": (51, 16, 60, 27),
    "PAK": (60, 23, 78, 38), "PSX": (34, 31, 36, 33), "QAT": (50, 24, 52, 27), "RUS": (19, 41, 180, 82),
    "SAU": (34, 16, 56, 33), "SDN": (21, 8, 39, 23), "SYR": (35, 32, 43, 38), "THA": (97, 5, 106, 21),
    "TJK": (67, 36, 76, 42), "TKM": (52, 35, 67, 43), "TUR": (25, 35, 45, 43), "UKR": (22, 44, 41, 53),
    "UZB": (55, 37, 74, 46), "YEM": (41, 12, 55, 20),
    # the locator map's inset (Belarus, Armenia and their neighbours)
    "ALB": (19, 39, 22, 43), "BGR": (22, 41, 29, 45), "BLR": (23, 51, 33, 57), "EST": (21, 57, 29, 60),
    "GRC": (19, 34, 30, 42), "HUN": (16, 45, 23, 49), "KOS": (20, 41, 22, 44), "LTU": (20, 53, 27, 57),
    "LVA": (20, 55, 29, 59), "MDA": (26, 45, 31, 49), "MKD": (20, 40, 24, 43), "MNE": (18, 41, 21, 44),
    "POL": (14, 49, 25, 55), "ROU": (20, 43, 30, 49), "SRB": (18, 42, 23, 47), "SVK": (16, 47, 23, 50),
}
EXTENT_TOLERANCE = 1e-6  # degrees: coordinates are rounded to 6 decimals

Box = tuple[float, float, float, float]


def box_text(box: Box) -> str:
    w, s, e, n = box
    return f"lon {w:g}..{e:g}, lat {s:g}..{n:g}"


def inside(bounds: Box, box: Box, tol: float = EXTENT_TOLERANCE) -> bool:
    """Whether bounds (west, south, east, north) lie in the box."""
    x0, y0, x1, y1 = bounds
    w, s, e, n = box
    return x0 >= w - tol and y0 >= s - tol and x1 <= e + tol and y1 <= n + tol
