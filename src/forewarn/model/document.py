"""Documents as readers yield them (RawDocument) and as the store keeps them (Document), the structured
part of a row that carries coordinates (Observation, kept in the document's meta), and how a date is shown
to the precision it is known to."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from enum import StrEnum


class DatePrecision(StrEnum):
    SECOND = "second"
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


_SHOWN = {"year": "%Y", "month": "%Y-%m", "week": "week of %Y-%m-%d", "day": "%Y-%m-%d"}


def format_dated(value: date | None, precision: str | None, *, empty: str = "—") -> str:
    """A date (or a time, UTC) shown only as precisely as it is known: a year-precision date is
    "2024", a month "2024-08", a day "2024-08-06", a time "2024-08-06 10:15". ``precision`` is a
    :class:`DatePrecision` or an event's time precision (year, month, week, day) value."""
    if value is None:
        return empty
    fmt = _SHOWN.get(str(precision or ""))
    if fmt is None:
        return value.strftime("%Y-%m-%d %H:%M" if isinstance(value, datetime) else "%Y-%m-%d")
    return value.strftime(fmt)


OBSERVED = "observed."  # the prefix of an observation's fields in a document's meta
_NUMBERS = frozenset({"lat", "lon", "confidence"})


@dataclass(frozen=True, slots=True)
class Observation:
    """What a structured row (a CSV/JSONL row with coordinates) says in its own columns, already checked:
    a point in decimal degrees and, where given, the event's PLOVER type and mode, its actor and recipient
    (a name, an ISO alpha-3 country, a sector), a place name shown to people, the place's precision
    (point, town, region, country) and a confidence in [0, 1]. ``source_type``: the row's own words for
    the type when a table mapped them (ACLED's "Battles: Armed clash"). ``columns``: each field with the
    column it was read from (provenance).

    It travels in the document's meta (``observed.lat`` …), so that it is stored with the document and the
    structured event is built again each time the document is extracted (docs/observations.md)."""

    lat: float
    lon: float
    type: str | None = None
    mode: str | None = None
    actor: str | None = None
    actor_country: str | None = None
    actor_sector: str | None = None
    recipient: str | None = None
    recipient_country: str | None = None
    recipient_sector: str | None = None
    place: str | None = None
    precision: str | None = None
    confidence: float | None = None
    source_type: str | None = None
    columns: tuple[tuple[str, str], ...] = ()

    def meta(self) -> tuple[tuple[str, str], ...]:
        """The observation as meta entries: ``("observed.lat", "48.5")`` …, ``("observed.columns", '{"lat": "y"}')``."""
        values = ((f.name, getattr(self, f.name)) for f in fields(self) if f.name != "columns")
        found = tuple((OBSERVED + name, repr(v) if name in _NUMBERS else str(v)) for name, v in values if v is not None)
        return (*found, (OBSERVED + "columns", json.dumps(dict(self.columns), ensure_ascii=False)))

    @classmethod
    def from_meta(cls, meta: Iterable[tuple[str, str]]) -> Observation | None:
        """The observation kept in ``meta``, or None when the document is not a structured row."""
        found = {k.removeprefix(OBSERVED): v for k, v in meta if k.startswith(OBSERVED)}
        if "lat" not in found or "lon" not in found:
            return None
        columns = tuple(json.loads(found.pop("columns", "{}")).items())
        values: dict[str, object] = {k: float(v) if k in _NUMBERS else v for k, v in found.items()}
        return cls(**values, columns=columns)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One item read from an input, before normalisation and deduplication.

    ``location`` is the file path or URL of the container; ``item`` names the item inside it
    (a line number, a message id, a feed entry id) or is None when the container is the item.
    ``raw_sha256`` is the SHA-256 of the item's original bytes (provenance, not identity).
    ``published_at`` is timezone-aware (UTC when the input gave no zone) or None.
    """

    text: str
    location: str
    reader: str
    raw_sha256: str
    item: str | None = None
    title: str | None = None
    url: str | None = None
    published_at: datetime | None = None
    published_precision: DatePrecision | None = None
    language: str | None = None
    meta: tuple[tuple[str, str], ...] = field(default=())  # author, forwarded_from, encoding …

    def __post_init__(self) -> None:
        if self.published_at is not None and self.published_at.tzinfo is None:
            raise ValueError("RawDocument.published_at must be timezone-aware")

    @property
    def observation(self) -> Observation | None:
        """The structured part, for a row that carries coordinates (kept in ``meta``)."""
        return Observation.from_meta(self.meta)


@dataclass(frozen=True, slots=True)
class Document:
    """A stored document. ``id`` is the SHA-256 of its normalised text."""

    id: str
    text: str
    title: str | None
    url: str | None
    source_id: str | None
    published_at: datetime | None
    published_precision: DatePrecision | None
    ingested_at: datetime
    language: str | None
    marking: str
    team: str | None
    cluster_id: str
    reader: str
    location: str
    item: str | None
    raw_sha256: str
    run_id: int
    meta: tuple[tuple[str, str], ...] = field(default=())
    compartment_id: int | None = field(default=None, compare=False)  # who may see it (its source's; None: anyone)

    @property
    def observation(self) -> Observation | None:
        """The structured part, for a row that carried coordinates (kept in ``meta``)."""
        return Observation.from_meta(self.meta)


@dataclass(frozen=True, slots=True)
class Sighting:
    """One time a document was seen in an input: the same text from several sources is
    one document with several sightings."""

    document_id: str
    source_id: str | None
    location: str
    item: str | None
    url: str | None
    published_at: datetime | None
    raw_sha256: str
    run_id: int
    seen_at: datetime
