"""The map grid: view and filter boxes in degrees, grid cells and clusters of events in them.

Used by the event read service (clustering in SQL) and the web map (drawing); no drawing here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from forewarn.errors import InvalidArgument

WIDTH, HEIGHT = 760, 420  # the map canvas, pixels: a box is fitted to its shape
MAX_LAT = 85.0
_MIN_SPAN = 0.02  # degrees: the closest zoom


@dataclass(frozen=True, slots=True)
class BBox:
    """A view or filter box in degrees: west, south, east, north (west < east; no antimeridian crossing)."""

    w: float
    s: float
    e: float
    n: float

    @classmethod
    def parse(cls, text: str) -> BBox:
        parts = text.split(",")
        try:
            w, s, e, n = (float(p) for p in parts)
        except ValueError:
            raise InvalidArgument(f"bbox {text!r} is not four numbers", hint="west,south,east,north in degrees, "
                                  "e.g. 30.5,49.0,40.0,53.5") from None
        if not all(math.isfinite(v) for v in (w, s, e, n)):
            raise InvalidArgument(f"bbox {text!r} is not four numbers", hint="west,south,east,north in degrees")
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            raise InvalidArgument(f"bbox {text!r} is not a box", hint="-180 ≤ west < east ≤ 180 and "
                                  "-90 ≤ south < north ≤ 90 (west,south,east,north)")
        return cls(w, s, e, n)

    @property
    def text(self) -> str:
        return ",".join(num(v) for v in (self.w, self.s, self.e, self.n))

    @property
    def mid_lat(self) -> float:
        return (self.s + self.n) / 2

    def padded(self, fraction: float, minimum: float = 0.25) -> BBox:
        dx = max((self.e - self.w) * fraction, minimum)
        dy = max((self.n - self.s) * fraction, minimum)
        return BBox(self.w - dx, self.s - dy, self.e + dx, self.n + dy).clamped()

    def clamped(self) -> BBox:
        w, e = max(self.w, -180.0), min(self.e, 180.0)
        s, n = max(self.s, -MAX_LAT), min(self.n, MAX_LAT)
        if e - w < _MIN_SPAN:
            c = min(max((w + e) / 2, -180 + _MIN_SPAN / 2), 180 - _MIN_SPAN / 2)
            w, e = c - _MIN_SPAN / 2, c + _MIN_SPAN / 2
        if n - s < _MIN_SPAN:
            c = min(max((s + n) / 2, -MAX_LAT + _MIN_SPAN / 2), MAX_LAT - _MIN_SPAN / 2)
            s, n = c - _MIN_SPAN / 2, c + _MIN_SPAN / 2
        return BBox(w, s, e, n)

    def fitted(self, width: int = WIDTH, height: int = HEIGHT) -> BBox:
        """This box widened or heightened about its centre to the canvas' shape (equal scale at
        mid-latitude), kept inside the world."""
        box = self.clamped()
        cos = max(math.cos(math.radians(box.mid_lat)), 0.05)
        lon_span, lat_span = box.e - box.w, box.n - box.s
        want = width / height  # ground width / height the canvas shows
        if lon_span * cos / lat_span < want:
            lon_span = lat_span * want / cos
        else:
            lat_span = lon_span * cos / want
        lon_span, lat_span = min(lon_span, 360.0), min(lat_span, 2 * MAX_LAT)
        cx = min(max((box.w + box.e) / 2, -180 + lon_span / 2), 180 - lon_span / 2)
        cy = min(max(box.mid_lat, -MAX_LAT + lat_span / 2), MAX_LAT - lat_span / 2)
        return BBox(cx - lon_span / 2, cy - lat_span / 2, cx + lon_span / 2, cy + lat_span / 2)

    def zoomed(self, factor: float) -> BBox:
        """The box ``factor`` times as wide and high about its centre (2: zoom out)."""
        cx, cy = (self.w + self.e) / 2, self.mid_lat
        hx, hy = (self.e - self.w) * factor / 2, (self.n - self.s) * factor / 2
        return BBox(cx - hx, cy - hy, cx + hx, cy + hy).clamped()

    def shifted(self, dx: float, dy: float) -> BBox:
        """The box moved by ``dx``/``dy`` of its own width/height (pan), stopping at the world's edge."""
        w_span, h_span = self.e - self.w, self.n - self.s
        w = min(max(self.w + dx * w_span, -180.0), 180.0 - w_span)
        s = min(max(self.s + dy * h_span, -MAX_LAT), MAX_LAT - h_span)
        return BBox(w, s, w + w_span, s + h_span)


WORLD = BBox(-180.0, -60.0, 180.0, MAX_LAT)  # the default view: the inhabited world


def num(v: float) -> str:
    """A coordinate as short text: four decimals at most, no trailing zeros, never "-0"."""
    text = f"{v:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True, slots=True)
class Cluster:
    """Events in one grid cell: their count, mean position and the cell; for a single event its ids."""

    lat: float
    lon: float
    count: int
    cell: BBox
    event_id: str | None = None
    document_id: str | None = None
    label: str | None = None  # a single event's place and type


def cell_size(box: BBox, columns: int = 30) -> float:
    """A round grid step (degrees) giving at most about ``columns`` cells across the view."""
    span = max(box.e - box.w, (box.n - box.s) * WIDTH / HEIGHT)
    raw = span / columns
    for step in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 15.0, 30.0):
        if step >= raw:
            return step
    return 45.0
