"""Filters for listing documents and events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from forewarn.errors import InvalidArgument
from forewarn.model.scenario import Region


@dataclass(frozen=True, slots=True)
class DocumentQuery:
    source_id: str | None = None
    run_id: int | None = None
    cluster_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None  # case-insensitive substring of title or text
    forms: tuple[str, ...] = ()  # other spellings searched as well as ``text`` (a Cyrillic word's inflected forms)
    language: str | None = None  # the stored language (ISO 639-1, e.g. "ru")
    limit: int = 50
    offset: int = 0


EVENT_TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
               "REJECT", "THREATEN", "SANCTION", "PROTEST", "MOBILIZE", "COERCE", "ASSAULT")  # PLOVER
# PLOVER's modes per type, plus the two the default event lexicon also emits ("ease" for RETREAT,
# "misinformation" for ASSAULT) so that indicators and structured rows can name everything extraction produces.
EVENT_MODES: dict[str, tuple[str, ...]] = {
    "AGREE": (),
    "CONSULT": ("visit", "third-party", "multilateral", "phone"),
    "SUPPORT": (),
    "CONCEDE": (),
    "COOPERATE": (),
    "AID": (),
    "RETREAT": ("withdraw", "release", "disarm", "ceasefire", "access", "resign", "ease"),
    "REQUEST": ("assist", "change", "yield", "meet"),
    "ACCUSE": ("disapprove", "investigate", "allege"),
    "REJECT": ("assist", "change", "yield", "meet"),
    "THREATEN": ("restrict", "arrest", "relations", "expel", "territory", "violence"),
    "SANCTION": ("convict", "expel", "withdraw", "discontinue"),
    "PROTEST": ("demo", "riot", "strike", "hunger", "boycott", "obstruct", "vandalize"),
    "MOBILIZE": ("troops", "weapons", "police", "militia"),
    "COERCE": ("seize", "restrict", "censor", "curfew", "martial-law", "arrest", "deport", "withhold",
               "misinformation", "cyber"),
    "ASSAULT": ("abduct", "beat", "torture", "sexual", "targeted", "destroy", "primitive", "firearms", "explosives",
                "suicide-attack", "aerial", "drone", "heavy-weapons", "crowd-control", "unconventional",
                "misinformation"),
}


@dataclass(frozen=True, slots=True)
class ClaimClause:
    """One way a claim can count for a claim indicator, as a pre-filter the store applies (the detectors then
    test exactly): its stance one of ``stances`` and the event it claims one of ``types``, each when given."""

    stances: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventClause:
    """One way an event can count for a scenario's indicator, as a pre-filter the store applies (the detectors
    then test exactly): every filter given must hold. Negated events are left out by the query already."""

    types: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    actor_countries: tuple[str, ...] = ()
    recipient_countries: tuple[str, ...] = ()
    min_confidence: float = 0.0
    region: Region | None = None
    in_admin1: bool = False  # placed in a first-level region (a surge's cells)
    factual: bool = True  # not hypothetical
    hits: str | None = None  # only the events a remembered text match found (forewarn.store.matched's key)


@dataclass(frozen=True, slots=True)
class EventQuery:
    """Filters for listing events; every filter given must hold.

    ``actor``/``recipient``: an entity id, or a case-insensitive substring of an entity's name or
    alias; entities merged with a match match too. ``place``: substring of the place name or its
    first-level region. ``near``: (lat, lon, radius km). ``region``: a scenario's region, as a
    pre-filter: exact for its countries and first-level regions (and, for an event without a place,
    its recipient's, else its actor's, country), a bounding box for its radius; ``forewarn.detect.match.in_region``
    is the exact test. ``date_from``/``date_to``: inclusive.
    Negated events are left out unless ``include_negated``. ``placed``: only the events with (True)
    or without (False) a place on the map. ``limit=None``: no limit.
    Ordered by event date, then id.
    """

    types: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    actor: str | None = None
    recipient: str | None = None
    actor_country: str | None = None
    recipient_country: str | None = None
    place: str | None = None
    near: tuple[float, float, float] | None = None
    region: Region | None = None
    date_from: date | None = None
    date_to: date | None = None
    source_id: str | None = None
    document_id: str | None = None
    min_confidence: float | None = None
    include_negated: bool = False
    placed: bool | None = None  # True: only events with a place; False: only those without one
    any_of: tuple[EventClause, ...] | None = None  # at least one of them holds (none given: every event)
    but_ids: frozenset[str] = frozenset()  # events left out
    ids: tuple[str, ...] | None = None  # only these events
    limit: int | None = 50
    offset: int = 0

    def __post_init__(self) -> None:
        unknown = sorted(set(self.types) - set(EVENT_TYPES))
        if unknown:
            raise InvalidArgument(f"unknown event type(s): {', '.join(unknown)}",
                                  hint=f"PLOVER types: {', '.join(EVENT_TYPES)}")
        if self.near is not None:
            _check_near(*self.near)
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidArgument(f"date range {self.date_from} … {self.date_to} is empty",
                                  hint="the start date must not be after the end date")
        if (self.limit is not None and self.limit < 0) or self.offset < 0:
            raise InvalidArgument("limit and offset must not be negative")


def parse_near(value: str, name: str) -> tuple[float, float, float]:
    """``LAT,LON,KM`` as the command line's ``--near`` and the API's ``near`` take it (``name``: which; the query
    checks the ranges)."""
    try:
        lat, lon, km = (float(p) for p in value.split(","))
    except ValueError:
        raise InvalidArgument(f"{name} {value!r} is not LAT,LON,KM", hint="e.g. 50.91,34.80,25") from None
    return lat, lon, km


def _check_near(lat: float, lon: float, radius_km: float) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidArgument(f"({lat}, {lon}) is not a latitude, longitude pair",
                              hint="latitude -90…90, longitude -180…180, in decimal degrees")
    if not radius_km > 0:
        raise InvalidArgument(f"radius {radius_km} km must be positive", hint="e.g. 48.5,35.0,25")
