"""The structured part of a CSV/JSONL row: a row with coordinates is an observation (docs/observations.md).

Fields (each found through the column map, like ``text`` and ``date``): ``lat``, ``lon`` (decimal
degrees; or one ``coordinates`` field "lat,lon"), ``type`` and ``mode`` (PLOVER), ``actor``,
``actor_country`` (ISO alpha-3 or a country name the gazetteer knows), ``actor_sector``, the same three
for the ``recipient``, ``place`` (a name shown to people), ``precision`` (point, town, region, country) and
``confidence`` (0 to 1). Each field's default column is its own name (``latitude``/``longitude``, ``lng``
… too); they are read only in a row with coordinates; ``fatalities`` (a whole number) is kept in the meta. With
the reader option ``preset=acled`` (or ``types=acled``) ACLED's export columns come first and its event types,
sub-event types, actor types (``inter1``/``inter2``) and geo precision are translated by :data:`ACLED_TYPES` and
the tables beside it; with ``preset=gdelt`` GDELT's CAMEO codes, actor types and geo types are
(:mod:`forewarn.sources.presets`).

:func:`observation` checks one row: a wrong value is one coded issue (FW-E032 coordinates, FW-E033 a value
forewarn does not know, naming the allowed ones) and the row is refused; the rest of the file proceeds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from forewarn.errors import Code, Issue
from forewarn.geo.gazetteer import Gazetteer
from forewarn.model.document import Observation
from forewarn.model.extraction import PlacePrecision, Sector
from forewarn.model.query import EVENT_MODES, EVENT_TYPES
from forewarn.sources import presets

FIELDS = ("lat", "lon", "coordinates", "type", "mode", "actor", "actor_country", "actor_sector", "recipient",
          "recipient_country", "recipient_sector", "place", "precision", "confidence", "fatalities")
FATALITIES = "fatalities"  # the meta key of a structured row's count of dead (ACLED's column): PLOVER's ``size``
# each field's own name is its default column; a few usual names besides for the point
DEFAULTS: Mapping[str, tuple[str, ...]] = {field: (field,) for field in FIELDS} | {
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "coordinates": ("coordinates", "coords", "latlon"),
}
ACLED = presets.ACLED  # the reader option ``preset`` (or ``types``) that reads ACLED exports
# ACLED's export columns for forewarn's fields (the defaults with ``--option types=acled``)
ACLED_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "id": ("event_id_cnty",), "date": ("event_date",), "text": ("notes",), "type": ("event_type",),
    "mode": ("sub_event_type",), "actor": ("actor1",), "recipient": ("actor2",), "actor_sector": ("inter1",),
    "recipient_sector": ("inter2",), "place": ("location",), "precision": ("geo_precision",),
    "fatalities": ("fatalities",),
}
# ACLED's event types (its codebook) and, for each, PLOVER's type and mode when the sub-event type is
# missing; None: the row's text decides the type.
ACLED_EVENT_TYPES: Mapping[str, tuple[str, str | None] | None] = {
    "battles": ("ASSAULT", None),
    "explosions/remote violence": ("ASSAULT", None),
    "violence against civilians": ("ASSAULT", None),
    "protests": ("PROTEST", "demo"),
    "riots": ("PROTEST", "riot"),
    "strategic developments": None,
}
# ACLED's sub-event types → PLOVER (type, mode); None: no PLOVER type says it, the row's text decides.
ACLED_TYPES: Mapping[str, tuple[str, str | None] | None] = {
    "armed clash": ("ASSAULT", "firearms"),
    "government regains territory": ("ASSAULT", None),
    "non-state actor overtakes territory": ("ASSAULT", None),
    "chemical weapon": ("ASSAULT", "unconventional"),
    "air/drone strike": ("ASSAULT", "aerial"),
    "suicide bomb": ("ASSAULT", "suicide-attack"),
    "shelling/artillery/missile attack": ("ASSAULT", "heavy-weapons"),
    "remote explosive/landmine/ied": ("ASSAULT", "explosives"),
    "grenade": ("ASSAULT", "explosives"),
    "sexual violence": ("ASSAULT", "sexual"),
    "attack": ("ASSAULT", None),
    "abduction/forced disappearance": ("ASSAULT", "abduct"),
    "peaceful protest": ("PROTEST", "demo"),
    "protest with intervention": ("PROTEST", "demo"),
    "excessive force against protesters": ("ASSAULT", "crowd-control"),
    "violent demonstration": ("PROTEST", "riot"),
    "mob violence": ("ASSAULT", "beat"),
    "agreement": ("AGREE", None),
    "arrests": ("COERCE", "arrest"),
    "change to group/activity": None,
    "disrupted weapons use": None,
    "headquarters or base established": ("MOBILIZE", "troops"),
    "looting/property destruction": ("COERCE", "seize"),
    "non-violent transfer of territory": ("RETREAT", "withdraw"),
    "other": None,
}
# ACLED's actor types (``inter1``/``inter2``: a number, or its name in newer exports) → sector
ACLED_SECTORS: Mapping[str, Sector | None] = {
    "0": None, "1": Sector.MILITARY, "2": Sector.REBEL, "3": Sector.REBEL, "4": Sector.REBEL,
    "5": Sector.CIVILIAN, "6": Sector.CIVILIAN, "7": Sector.CIVILIAN, "8": Sector.MILITARY,
    "state forces": Sector.MILITARY, "rebel group": Sector.REBEL, "political militia": Sector.REBEL,
    "identity militia": Sector.REBEL, "rioters": Sector.CIVILIAN, "protesters": Sector.CIVILIAN,
    "civilians": Sector.CIVILIAN, "external/other forces": Sector.MILITARY,
}
# ACLED's geo precision: 1 the named town, 2 near it or a part of a region, 3 a larger region
ACLED_PRECISION: Mapping[str, PlacePrecision] = {"1": PlacePrecision.TOWN, "2": PlacePrecision.TOWN,
                                                 "3": PlacePrecision.REGION}
_HINT = "fix the value, or map another column with --map {field}=<column>; the other rows were read"


class _Bad(Exception):
    """One bad value in a row: the issue's code and message."""

    def __init__(self, code: Code, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


def defaults(options: Mapping[str, str]) -> Mapping[str, tuple[str, ...]]:
    """The default column names of the structured fields and, with ``types=acled``, ACLED's for the others."""
    return {**DEFAULTS, **ACLED_COLUMNS} if acled(options) else DEFAULTS


def acled(options: Mapping[str, str]) -> bool:
    return presets.preset(options) == ACLED


def structured(fields: Mapping[str, Any]) -> bool:
    """Whether the row carries coordinates (any of lat, lon, coordinates not blank)."""
    return any(_text(fields.get(name)) is not None for name in ("lat", "lon", "coordinates"))


def observation(fields: Mapping[str, Any], columns: Mapping[str, str], options: Mapping[str, str],
                location: str, item: str) -> Observation | Issue:
    """The row's observation, or the issue with its first bad value. ``columns``: field → column read."""
    try:
        return _observation(fields, columns, presets.preset(options))
    except _Bad as bad:
        hint = _HINT.format(field=bad.field)
        return Issue(bad.code, f"{bad.field} ({columns.get(bad.field, bad.field)}): {bad}", location, item, hint=hint)


def size(fields: Mapping[str, Any], columns: Mapping[str, str], location: str,
         item: str) -> tuple[tuple[str, str], ...] | Issue:
    """A structured row's count of dead as meta (none when blank), or the issue when it is not a whole number."""
    value = _text(fields.get(FATALITIES))
    if value is None:
        return ()
    if not value.removesuffix(".0").isdigit():
        return Issue(Code.VALUE_UNKNOWN, f"{FATALITIES} ({columns.get(FATALITIES, FATALITIES)}): {value!r} is not a "
                     "whole number", location, item, hint=_HINT.format(field=FATALITIES))
    return ((FATALITIES, value.removesuffix(".0")),)


def _observation(fields: Mapping[str, Any], columns: Mapping[str, str], preset: str | None) -> Observation:
    get = lambda name: _text(fields.get(name))  # noqa: E731
    lat, lon = _point(get("lat"), get("lon"), get("coordinates"))
    typed = {ACLED: _acled_type, presets.GDELT: _cameo_type}.get(preset or "", _plover_type)
    kind, mode, source_type = typed(get("type"), get("mode"))
    sector = {ACLED: _acled_sector, presets.GDELT: _gdelt_sector}.get(preset or "", _sector)
    country = _gdelt_country if preset == presets.GDELT else _country
    return Observation(
        lat=lat, lon=lon, type=kind, mode=mode, actor=get("actor"),
        actor_country=country("actor_country", get("actor_country")),
        actor_sector=sector("actor_sector", get("actor_sector")), recipient=get("recipient"),
        recipient_country=country("recipient_country", get("recipient_country")),
        recipient_sector=sector("recipient_sector", get("recipient_sector")), place=get("place"),
        precision=_precision(get("precision"), preset), confidence=_confidence(get("confidence")),
        source_type=source_type, columns=tuple((f, c) for f, c in columns.items() if get(f) is not None),
    )


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list | bool):
        return None
    return str(value).strip() or None


def _point(lat: str | None, lon: str | None, coordinates: str | None) -> tuple[float, float]:
    if lat is None and lon is None and coordinates is not None:
        lat, _, lon = coordinates.partition(",")
        if not lon:
            raise _Bad(Code.COORDINATES_INVALID, "coordinates", f"{coordinates!r} is not \"latitude,longitude\"")
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        raise _Bad(Code.COORDINATES_INVALID, missing, "missing: a row with coordinates needs both lat and lon")
    return _degrees("lat", lat, 90.0), _degrees("lon", lon, 180.0)


def _degrees(field: str, value: str, limit: float) -> float:
    try:
        number = float(value.strip())
    except ValueError:
        raise _Bad(Code.COORDINATES_INVALID, field, f"{value!r} is not a number in decimal degrees") from None
    if not math.isfinite(number) or abs(number) > limit:
        raise _Bad(Code.COORDINATES_INVALID, field, f"{value} is outside -{limit:g} to {limit:g}")
    return number


def _plover_type(kind: str | None, mode: str | None) -> tuple[str | None, str | None, str | None]:
    if kind is None:
        if mode is not None:
            raise _Bad(Code.VALUE_UNKNOWN, "mode", f"{mode!r} without a type: a mode belongs to a type")
        return None, None, None
    upper = kind.upper()
    if upper not in EVENT_TYPES:
        raise _Bad(Code.VALUE_UNKNOWN, "type", f"unknown PLOVER type {kind!r} (known: {', '.join(EVENT_TYPES)})")
    allowed = EVENT_MODES[upper]
    if mode is not None and mode.lower() not in allowed:
        known = ", ".join(allowed) or f"none: {upper} has no modes"
        raise _Bad(Code.VALUE_UNKNOWN, "mode", f"unknown mode {mode!r} for {upper} (known: {known})")
    return upper, mode.lower() if mode else None, None


def _acled_type(kind: str | None, sub: str | None) -> tuple[str | None, str | None, str | None]:
    """ACLED's event type and sub-event type → PLOVER (type, mode) and the row's own words for them."""
    if kind is None:
        return None, None, None
    if kind.lower() not in ACLED_EVENT_TYPES:
        known = ", ".join(k.capitalize() for k in ACLED_EVENT_TYPES)
        raise _Bad(Code.VALUE_UNKNOWN, "type", f"unknown ACLED event type {kind!r} (known: {known})")
    if sub is not None and sub.lower() not in ACLED_TYPES:
        known = ", ".join(k.capitalize() for k in ACLED_TYPES)
        raise _Bad(Code.VALUE_UNKNOWN, "mode", f"unknown ACLED sub-event type {sub!r} (known: {known})")
    mapped = ACLED_TYPES[sub.lower()] if sub is not None else ACLED_EVENT_TYPES[kind.lower()]
    words = f"{kind}: {sub}" if sub else kind
    return (mapped[0], mapped[1], words) if mapped else (None, None, words)


def _cameo_type(code: str | None, _mode: str | None) -> tuple[str | None, str | None, str | None]:
    """A GDELT row's CAMEO event code → PLOVER (type, mode) and the code itself (``CAMEO 193``)."""
    if code is None:
        return None, None, None
    try:
        kind, mode = presets.cameo(code)
    except KeyError:
        raise _Bad(Code.VALUE_UNKNOWN, "type", f"{code!r} is not a CAMEO event code (root 01 to 20, e.g. 190)"
                   ) from None
    return kind, mode, f"CAMEO {code}"


def _gdelt_sector(_field: str, value: str | None) -> str | None:
    """A CAMEO actor type (MIL, GOV, REB …) → sector; the many others (ELI, EDU …) say none."""
    return None if value is None else presets.gdelt_sector(value)


def _gdelt_country(field: str, value: str | None) -> str | None:
    """A CAMEO country code → ISO alpha-3; a CAMEO region code (AFR, EUR, WST …) says no country."""
    if value is None:
        return None
    try:
        return _country(field, presets.cameo_country(value))
    except _Bad:
        return None


def _sector(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    if value.lower() not in {s.value for s in Sector}:
        raise _Bad(Code.VALUE_UNKNOWN, field, f"unknown sector {value!r} (known: {', '.join(s.value for s in Sector)})")
    return value.lower()


def _acled_sector(field: str, value: str | None) -> str | None:
    if value is None:
        return None
    key = value.lower().removesuffix(".0")
    if key not in ACLED_SECTORS:
        raise _Bad(Code.VALUE_UNKNOWN, field, f"unknown ACLED actor type {value!r} (known: 0 to 8, or their names)")
    sector = ACLED_SECTORS[key]
    return sector.value if sector else None


def _country(field: str, value: str | None, gazetteer: Callable[[], Gazetteer] = Gazetteer.default) -> str | None:
    """ISO alpha-3 (any case) or a country name the gazetteer knows → alpha-3."""
    if value is None:
        return None
    places = gazetteer()
    place = places.country(value.upper()) if len(value) == 3 else None
    match = places.country_named(value) if place is None else None
    code = place.country if place is not None else match.place.country if match is not None else None
    if code is None:
        raise _Bad(Code.VALUE_UNKNOWN, field, f"unknown country {value!r} (give an ISO 3166 alpha-3 code, e.g. UKR, "
                   "or a country's name)")
    return code


def _precision(value: str | None, preset: str | None) -> str | None:
    if value is None:
        return None
    key = value.lower().removesuffix(".0")
    table = {ACLED: ACLED_PRECISION, presets.GDELT: presets.GDELT_PRECISION}.get(preset or "", {})
    if key in table:
        return table[key].value
    if key not in {p.value for p in PlacePrecision}:
        known = ", ".join(p.value for p in PlacePrecision) + {ACLED: " or ACLED's 1, 2, 3", presets.GDELT:
                                                              " or GDELT's geo types 1 to 5"}.get(preset or "", "")
        raise _Bad(Code.VALUE_UNKNOWN, "precision", f"unknown precision {value!r} (known: {known})")
    return key


def _confidence(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not 0.0 <= number <= 1.0:
        raise _Bad(Code.VALUE_UNKNOWN, "confidence", f"{value!r} is not a number from 0 to 1")
    return number
