"""Documents as readers yield them (RawDocument) and as the store keeps them (Document), and how a
date is shown to the precision it is known to."""

from __future__ import annotations

from dataclasses import dataclass, field
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
