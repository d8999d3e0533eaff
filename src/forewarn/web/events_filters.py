"""The event filters shared by the API and the explorer page: query parameters named as the command
line's options (blank form fields count as absent), checked and turned into the read services'
:class:`~forewarn.reads.events.EventFilter`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator, Field

from forewarn.geo.grid import BBox
from forewarn.model.query import EVENT_TYPES, EventQuery, parse_near
from forewarn.reads.events import EventFilter


def _blank(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


def _blank_items(value: Any) -> Any:
    """Repeatable and comma-separated, as the command line's --type: ``type=ASSAULT,COERCE&type=MOBILIZE``."""
    if isinstance(value, list):
        return [v.strip() for item in value if isinstance(item, str) for v in item.split(",") if v.strip()]
    return value


Blank = BeforeValidator(_blank)
Items = BeforeValidator(_blank_items)
Text = Annotated[str, Field(max_length=200)]


class EventFilters:
    """The command line's event filters (``forewarn events --help``), named as its options: ``type``,
    ``mode`` (repeatable or comma-separated), ``actor``, ``recipient`` (entity id or name/alias
    substring), ``actor-country``, ``recipient-country`` (ISO alpha-3), ``place`` (name or region
    substring), ``near`` (LAT,LON,KM), ``from``, ``to`` (inclusive), ``source`` (source id),
    ``document`` (document id or prefix), ``min-confidence`` (0–1), ``include-negated``, ``placed``
    (yes or no: ``--placed``/``--no-place``); and the web's ``bbox`` (west,south,east,north: events placed inside)."""

    def __init__(
        self,
        type: Annotated[list[str], Items, Query(max_length=len(EVENT_TYPES), description=f"PLOVER type, repeatable "
                                                f"or comma-separated: {', '.join(EVENT_TYPES)}")
                        ] = [],  # noqa: B006 (FastAPI copies defaults)
        mode: Annotated[list[str], Items, Query(max_length=20, description="event mode (e.g. troops), repeatable "
                                                "or comma-separated")] = [],  # noqa: B006
        actor: Annotated[Text | None, Blank, Query(description="actor: entity id, or part of a name or alias")] = None,
        recipient: Annotated[Text | None, Blank, Query(description="recipient: entity id, or part of a name or alias")
                             ] = None,
        actor_country: Annotated[Text | None, Blank, Query(alias="actor-country",
                                                           description="actor's country (ISO alpha-3)")] = None,
        recipient_country: Annotated[Text | None, Blank, Query(alias="recipient-country",
                                                               description="recipient's country (ISO alpha-3)")
                                     ] = None,
        place: Annotated[Text | None, Blank, Query(description="part of the place name or its region")] = None,
        near: Annotated[Annotated[str, Field(max_length=80)] | None, Blank,
                        Query(description="within a radius: LAT,LON,KM (decimal degrees, kilometres)")] = None,
        date_from: Annotated[date | None, Blank, Query(alias="from", description="first event date, YYYY-MM-DD")
                             ] = None,
        date_to: Annotated[date | None, Blank, Query(alias="to", description="last event date, YYYY-MM-DD")] = None,
        source: Annotated[Text | None, Blank, Query(description="source id")] = None,
        min_confidence: Annotated[Annotated[float, Field(ge=0, le=1)] | None, Blank,
                                  Query(alias="min-confidence", description="least extraction confidence, 0–1")
                                  ] = None,
        include_negated: Annotated[bool, Query(alias="include-negated", description="also events the text says did "
                                                                                     "not happen")] = False,
        document: Annotated[Annotated[str, Field(max_length=64, pattern=r"^[0-9a-fA-F]+$")] | None, Blank,
                            Query(description="document id or prefix")] = None,
        bbox: Annotated[Annotated[str, Field(max_length=120)] | None, Blank,
                        Query(description="west,south,east,north: events placed inside this box")] = None,
        placed: Annotated[bool | None, Blank, Query(description="yes: only events with a place; no: only those "
                                                                "without one (the map cannot show them)")] = None,
    ) -> None:
        self.types = tuple(dict.fromkeys(t.upper() for t in type))
        self.modes = tuple(dict.fromkeys(m.lower() for m in mode))
        self.mode = ",".join(self.modes) or None  # the explorer's mode field
        self.actor, self.recipient = actor, recipient
        self.actor_country, self.recipient_country = actor_country, recipient_country
        self.place, self.near, self.date_from, self.date_to, self.source = place, near, date_from, date_to, source
        self.min_confidence, self.include_negated, self.document = min_confidence, include_negated, document
        self.placed = placed
        self.bbox = BBox.parse(bbox) if bbox else None
        self.windowed = False  # the dates are the explorer's default window, not the caller's
        self.filter = EventFilter(EventQuery(
            types=self.types, modes=self.modes, actor=actor, recipient=recipient, actor_country=actor_country,
            recipient_country=recipient_country, place=place, near=parse_near(near, "near") if near else None,
            date_from=date_from, date_to=date_to, source_id=source, min_confidence=min_confidence,
            include_negated=include_negated, document_id=document.lower() if document else None, placed=placed,
            limit=None),
            self.bbox)

    def with_window(self, first: date, last: date) -> None:
        """Show the explorer's default date range (the filters had none)."""
        self.date_from, self.date_to, self.windowed = first, last, True

    def params(self) -> dict[str, Any]:
        """The filters as query parameters, named as the command line's options (for links that keep them)."""
        values: dict[str, Any] = {
            "type": list(self.types), "mode": list(self.modes), "actor": self.actor, "recipient": self.recipient,
            "actor-country": self.actor_country, "recipient-country": self.recipient_country, "place": self.place,
            "near": self.near, "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None, "source": self.source,
            "min-confidence": self.min_confidence, "include-negated": "true" if self.include_negated else None,
            "document": self.document, "bbox": self.bbox.text if self.bbox else None,
            "placed": None if self.placed is None else ("yes" if self.placed else "no"),
        }
        return {k: v for k, v in values.items() if v not in (None, "", [])}
