"""The event map page's parts that are not the template: the vendored map library (Leaflet with
leaflet.markercluster, topojson-client and Natural Earth's country borders from world-atlas, fetched
from the npm registry by ``scripts/vendor_assets.sh`` into ``static/vendor/``; a clear error when they
are missing), and the map's data as the page ships it to its script: compact JSON, one row per grid
cell and day, so that the time slider filters them in the browser without asking the server again.

No request leaves the server: the basemap is the countries' outlines drawn as vector layers (no tile
server), and every asset is served from ``/static``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from forewarn.errors import Code
from forewarn.reads.explorer import MapView
from forewarn.web.problems import problem

VENDOR = Path(__file__).parent / "static" / "vendor"
ASSETS = ("leaflet.js", "leaflet.css", "leaflet.markercluster.js", "markercluster.css", "topojson-client.js",
          "countries-110m.json", "countries-50m.json")


def missing_assets(folder: Path | None = None) -> list[str]:
    """The vendored map files that are not there (none after ``make install``)."""
    return [name for name in ASSETS if not ((folder or VENDOR) / name).is_file()]


def assets_problem(missing: list[str], instance: str) -> dict[str, Any]:
    """The problem (503, FW-E010) a map page answers with when its library files are missing."""
    return problem(Code.FILE_MISSING, f"the map's library files are not installed (missing in static/vendor: "
                   f"{', '.join(missing)})", status=503, instance=instance,
                   hint="run `make install` (or `bash scripts/vendor_assets.sh`): it fetches Leaflet and the Natural "
                        "Earth borders from the npm registry")


def payload(view: MapView) -> dict[str, Any]:
    """The map's data for its script: the view (west, south, east, north), the days the points fall on
    (ISO dates, indexed by the points), the points as ``[lat, lon, day index, count, evidence URL or
    null, label or null]``, and the places named most as ``[name, lat, lon, count]``."""
    days = sorted({p.day for p in view.points})
    if view.window is not None:
        days = sorted(set(days) | set(view.window))
    index = {d: i for i, d in enumerate(days)}
    v = view.view
    return {
        "view": [round(v.w, 4), round(v.s, 4), round(v.e, 4), round(v.n, 4)],
        "cell": view.cell,
        "days": [d.isoformat() for d in days],
        "points": [[p.lat, p.lon, index[p.day], p.count,
                    f"/documents/{p.document_id}#ev-{p.event_id}" if p.event_id and p.document_id else None,
                    p.label] for p in view.points],
        "places": [[p.name, round(p.lat, 4), round(p.lon, 4), p.count] for p in view.places],
        "placed": view.placed,
        "unplaced": view.unplaced,
    }
