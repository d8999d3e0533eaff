"""Who holds a place on a date: the dated control table of contested areas (``data/control.yaml``).

Outside the table's areas the holder is the country the gazetteer puts the place in; inside one, the
area's holder while it is held. The packaged table's header documents the format; a user file
(setting ``control_table``) replaces it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from forewarn.errors import ConfigError
from forewarn.model.extraction import Place, PlacePrecision
from forewarn.yamlfile import load_strict

DEFAULT_RESOURCE = "data/control.yaml"
_AREA_KEYS = frozenset({"id", "country", "admin1", "boxes", "holder", "since", "until", "note"})
_CODE = re.compile(r"^[A-Z]{3}$")
_POINTS = frozenset({PlacePrecision.POINT, PlacePrecision.TOWN})

Box = tuple[float, float, float, float]  # south, west, north, east


def region_key(name: str) -> str:
    """A region name for comparison: case, punctuation and the words oblast/region/city ignored."""
    words = re.sub(r"[^\w\s]", "", name.casefold()).split()
    return " ".join(w for w in words if w not in ("oblast", "region", "city"))


@dataclass(frozen=True, slots=True)
class Area:
    id: str
    country: str
    admin1: frozenset[str]  # region keys; empty: the whole country
    boxes: tuple[Box, ...]  # empty: the whole of those regions
    holder: str
    since: date
    until: date | None

    def holds(self, place: Place, on: date) -> bool:
        """The area holds ``place`` on ``on``: same country, one of its regions, inside a box if it has any."""
        if place.country != self.country or on < self.since or (self.until is not None and on >= self.until):
            return False
        if self.admin1 and (place.admin1 is None or region_key(place.admin1) not in self.admin1):
            return False
        if self.boxes and place.precision not in _POINTS:
            return False
        return not self.boxes or any(s <= place.lat <= n and w <= place.lon <= e for s, w, n, e in self.boxes)


@dataclass(frozen=True, slots=True)
class ControlTable:
    areas: tuple[Area, ...]
    version: str  # short SHA-256 of the file: part of the extractor version

    @classmethod
    def load(cls, path: Path | None = None) -> ControlTable:
        """The packaged table, or the file at ``path`` in its place; ``ConfigError`` names what is wrong."""
        raw = path.read_bytes() if path else resources.files("forewarn").joinpath(DEFAULT_RESOURCE).read_bytes()
        label = str(path) if path else "control.yaml (packaged default)"
        try:
            data = load_strict(raw.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError(f"{label}: not a readable YAML file: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("areas"), list):
            raise ConfigError(f"{label}: expected a mapping with a list 'areas'")
        areas = tuple(_area(f"{label}, area {n + 1}", a) for n, a in enumerate(data["areas"]))
        return cls(areas, hashlib.sha256(raw).hexdigest()[:12])

    def holder(self, place: Place, on: date) -> str:
        """The state that holds ``place`` on ``on``: the first area holding it, else its country."""
        return next((a.holder for a in self.areas if a.holds(place, on)), place.country)


def _area(where: str, raw: Any) -> Area:
    if not isinstance(raw, dict) or set(raw) - _AREA_KEYS:
        raise ConfigError(f"{where}: expected a mapping of {', '.join(sorted(_AREA_KEYS))}")
    try:
        return Area(id=str(raw["id"]), country=_code(raw["country"]), holder=_code(raw["holder"]),
                    admin1=frozenset(region_key(str(n)) for n in raw.get("admin1") or ()),
                    boxes=tuple(_box(b) for b in raw.get("boxes") or ()), since=_day(raw["since"]),
                    until=_day(raw["until"]) if raw.get("until") else None)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {type(exc).__name__}: {exc}",
                          hint="each area needs id, country, holder and since; see the packaged control.yaml") from exc


def _code(value: Any) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise ValueError(f"{value!r} is not an ISO alpha-3 country code")
    return value


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _box(value: Any) -> Box:
    s, w, n, e = (float(v) for v in value)
    if not (-90 <= s <= n <= 90 and -180 <= w <= e <= 180):
        raise ValueError(f"box {list(value)} is not [south, west, north, east]")
    return s, w, n, e
