"""Export stored events as PLOVER JSONL: one event record per line.

Required PLOVER fields: ``id``, ``date``, ``actor``, ``event``. forewarn adds what it knows:
``recipient``, ``event_loc``, ``event_text`` (the trigger words), ``mode``, ``context``, ``text``
(the evidence sentence), ``cite_info`` (where the evidence is), ``coder``, ``coded_date``, and,
as extra fields, the date's precision, the confidence, the flags (negated, hypothetical,
future, reported) and ``type_coder`` (what coded the type: ``rules``, ``model:NAME`` or
``rules+model:NAME``). An entity object says ``inferred: true`` when nobody was named and a documented
rule supplied it (a sighting's actor: the military of the state holding the place). Keys always come
in the same order, so the same events give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import IO, Any

from forewarn.model import Document
from forewarn.model.records import StoredEvent, StoredParticipant, StoredPlace


def plover_record(event: StoredEvent, document: Document) -> dict[str, Any]:
    """The PLOVER record of one stored event; ``document`` is the one it was extracted from."""
    record: dict[str, Any] = {
        "id": event.id,
        "date": event.date.isoformat(),
        "actor": _entity(event.actor),
        "event": event.type,
    }
    if event.recipient is not None:
        record["recipient"] = _entity(event.recipient)
    if event.mode:
        record["mode"] = event.mode
    record["context"] = list(event.contexts)
    if event.place is not None:
        record["event_loc"] = _location(event.place)
    record["event_text"] = document.text[event.trigger_start:event.trigger_end]
    record["text"] = document.text[event.start:event.end]
    record["cite_info"] = _cite(event, document)
    record["coder"] = f"forewarn {event.extractor}"
    record["coded_date"] = event.coded_at.date().isoformat()
    record |= _extras(event)
    return record


def write_plover_jsonl(events: Iterable[StoredEvent], documents: Callable[[str], Document], out: IO[str]) -> int:
    """Write one JSON line per event; ``documents`` gives the document of an id. Returns the count."""
    written = 0
    for event in events:
        out.write(json.dumps(plover_record(event, documents(event.document_id)), ensure_ascii=False) + "\n")
        written += 1
    return written


def _entity(p: StoredParticipant | None) -> dict[str, Any]:
    """A PLOVER entity object: country code (ISO alpha-3), sector, the words; plus forewarn's entity."""
    if p is None:
        return {"code": None, "sector": None, "entity_text": None}
    return {"code": p.country, "sector": p.sector, "entity_text": p.text, "entity_id": p.canonical_id,
            "entity_name": p.name, "inferred": p.inferred}


def _location(place: StoredPlace) -> dict[str, Any]:
    return {"name": place.name, "lat": place.lat, "lon": place.lon, "country": place.country,
            "admin1": place.admin1, "precision": place.precision, "gazetteer_id": place.gazetteer_id,
            "place_text": place.text}


def _cite(event: StoredEvent, document: Document) -> dict[str, Any]:
    return {"document_id": event.document_id, "url": document.url, "source": event.source_id,
            "title": document.title, "published": document.published_at.isoformat() if document.published_at else None,
            "sentence": event.sentence, "start": event.start, "end": event.end,
            "trigger_start": event.trigger_start, "trigger_end": event.trigger_end}


def _extras(event: StoredEvent) -> dict[str, Any]:
    return {"date_precision": event.date_precision, "date_from_publication": event.date_from_publication,
            "confidence": round(event.confidence, 4), "negated": event.negated, "hypothetical": event.hypothetical,
            "future": event.future, "reported": event.reported, "type_coder": event.coder}
