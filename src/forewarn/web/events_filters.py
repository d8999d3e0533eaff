"""The event filters shared by the API and the explorer page: query parameters (blank form fields
count as absent), checked and turned into the read services' :class:`~forewarn.reads.events.EventFilter`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator, Field

from forewarn.geo.grid import BBox
from forewarn.model.query import EVENT_TYPES, EventQuery
from forewarn.reads.events import EventFilter


def _blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


def _blank_items(value: Any) -> Any:
    if isinstance(value, list):
        return [v.strip().upper() for v in value if isinstance(v, str) and v.strip()]
    return value


Blank = BeforeValidator(_blank)
Text = Annotated[str, Field(max_length=200)]


class EventFilters:
    """``type`` (repeatable), ``mode``, ``actor``, ``recipient`` (entity id or name/alias substring),
    ``actor_country``, ``recipient_country`` (ISO alpha-3), ``place`` (name or region substring),
    ``date_from``, ``date_to`` (inclusive), ``source`` (source id), ``min_confidence`` (0–1),
    ``document`` (document id or prefix) and ``bbox`` (west,south,east,north: events placed inside)."""

    def __init__(
        self,
        type: Annotated[list[str], BeforeValidator(_blank_items),
                        Query(max_length=len(EVENT_TYPES), description=f"PLOVER type, repeatable: "
                              f"{', '.join(EVENT_TYPES)}")] = [],  # noqa: B006 (FastAPI copies defaults)
        mode: Annotated[Text | None, Blank, Query(description="event mode, exactly (e.g. troops)")] = None,
        actor: Annotated[Text | None, Blank, Query(description="actor: entity id, or part of a name or alias")] = None,
        recipient: Annotated[Text | None, Blank, Query(description="recipient: entity id, or part of a name or alias")
                             ] = None,
        actor_country: Annotated[Text | None, Blank, Query(description="actor's country (ISO alpha-3)")] = None,
        recipient_country: Annotated[Text | None, Blank, Query(description="recipient's country (ISO alpha-3)")
                                     ] = None,
        place: Annotated[Text | None, Blank, Query(description="part of the place name or its region")] = None,
        date_from: Annotated[date | None, Blank, Query(description="first event date, YYYY-MM-DD")] = None,
        date_to: Annotated[date | None, Blank, Query(description="last event date, YYYY-MM-DD")] = None,
        source: Annotated[Text | None, Blank, Query(description="source id")] = None,
        min_confidence: Annotated[Annotated[float, Field(ge=0, le=1)] | None, Blank,
                                  Query(description="least extraction confidence, 0–1")] = None,
        document: Annotated[Annotated[str, Field(max_length=64, pattern=r"^[0-9a-fA-F]+$")] | None, Blank,
                            Query(description="document id or prefix")] = None,
        bbox: Annotated[Annotated[str, Field(max_length=120)] | None, Blank,
                        Query(description="west,south,east,north: events placed inside this box")] = None,
    ) -> None:
        self.types = tuple(dict.fromkeys(type))
        self.mode, self.actor, self.recipient = mode, actor, recipient
        self.actor_country, self.recipient_country = actor_country, recipient_country
        self.place, self.date_from, self.date_to, self.source = place, date_from, date_to, source
        self.min_confidence, self.document = min_confidence, document
        self.bbox = BBox.parse(bbox) if bbox else None
        self.windowed = False  # the dates are the explorer's default window, not the caller's
        self.filter = EventFilter(EventQuery(
            types=self.types, modes=(mode,) if mode else (), actor=actor, recipient=recipient,
            actor_country=actor_country, recipient_country=recipient_country, place=place, date_from=date_from,
            date_to=date_to, source_id=source, min_confidence=min_confidence,
            document_id=document.lower() if document else None, limit=None), self.bbox)

    def with_window(self, first: date, last: date) -> None:
        """Show the explorer's default date range (the filters had none)."""
        self.date_from, self.date_to, self.windowed = first, last, True

    def params(self) -> dict[str, Any]:
        """The filters as query parameters (for links that keep them)."""
        values: dict[str, Any] = {
            "type": list(self.types), "mode": self.mode, "actor": self.actor, "recipient": self.recipient,
            "actor_country": self.actor_country, "recipient_country": self.recipient_country, "place": self.place,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None, "source": self.source,
            "min_confidence": self.min_confidence, "document": self.document,
            "bbox": self.bbox.text if self.bbox else None,
        }
        return {k: v for k, v in values.items() if v not in (None, "", [])}
