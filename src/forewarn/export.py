"""Export stored events as PLOVER JSONL: one event record per line.

Required PLOVER fields: ``id``, ``date``, ``actor``, ``event``. forewarn adds what it knows of the manual's
optional ones: ``enddate`` (the last day of a week, month or year the date stands for), ``quad_code`` (1
verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict), ``recipient``,
``event_loc``, ``event_text`` (the trigger words), ``mode``, ``context``, ``text`` (the evidence sentence),
``cite_info`` (where the evidence is, with the document's ``language``), ``coder``, ``coded_date``, ``size``
(an ASSAULT's ``dead`` when a structured row said it), ``comment`` (how the date and actor were found, the
flags, in words; absent when there is nothing to say). ``time`` is never written: forewarn keeps an event's
day, not its hour. As extra fields, the date's precision, the confidence, the flags (negated, hypothetical,
future, reported) and ``type_coder`` (what coded the type: ``rules``, ``model:NAME`` or
``rules+model:NAME``). An entity object says ``inferred: true`` when nobody was named and a documented
rule supplied it (a sighting's actor: the military of the state holding the place). Keys always come
in the same order, so the same events give the same bytes.

``claims`` (always present, maybe empty) lists the attributed statements of the event's document, in
order: ``speaker`` (an entity object; ``entity_text`` is the speaker's words when no entity is linked),
``stance`` (warn, deny, accuse, threat, assure, promise, assert, confirm, admit, urge, predict or null),
``cue`` (the speech verb's lemma, "according to", …), ``quoted``, ``text`` (what was said), its offsets,
``about_event`` (whether this event's trigger lies in what was said: "US warns Russia could invade"
carries the warning on Russia's ASSAULT), and ``claimed``: the event the claim is about, or null —
``event`` (PLOVER type), ``modality`` (asserted, possible, planned, feared, denied), ``actor`` and
``recipient`` (entity objects, the country and sector their canonical entity has now) and ``event_loc``
(name, lat, lon, country, admin1). ``marking`` (when the export names markings, as the read services always
do) is the label of who may see the event ("TLP:CLEAR" for an open one; "TLP:AMBER · team north", ...), so
that a record carries its handling rule wherever it goes. See docs/export.md.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, timedelta
from types import MappingProxyType
from typing import IO, Any

from forewarn.model import Document
from forewarn.model.records import StoredClaim, StoredClaimed, StoredEvent, StoredParticipant, StoredPlace
from forewarn.nlp.lexicon import QUADS
from forewarn.sources.observed import FATALITIES

_NO_CLAIMS: Mapping[str, Sequence[StoredClaim]] = MappingProxyType({})


def plover_record(event: StoredEvent, document: Document, claims: Sequence[StoredClaim] = (),
                  marking: str | None = None) -> dict[str, Any]:
    """The PLOVER record of one stored event; ``document`` is the one it was extracted from, ``claims`` its
    claims, ``marking`` its compartment's label (left out when None)."""
    record: dict[str, Any] = {"id": event.id, "date": event.date.isoformat()}
    end = enddate(event.date, event.date_precision)
    if end is not None:
        record["enddate"] = end.isoformat()
    record |= {"actor": _entity(event.actor), "event": event.type, "quad_code": QUADS.get(event.type)}
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
    size = _size(event, document)
    if size is not None:
        record["size"] = size
    comment = _comment(event)
    if comment:
        record["comment"] = comment
    record |= _extras(event)
    if marking is not None:
        record["marking"] = marking
    record["claims"] = [_claim(claim, event, document) for claim in claims]
    return record


def write_plover_jsonl(events: Iterable[StoredEvent], documents: Callable[[str], Document], out: IO[str],
                       claims: Mapping[str, Sequence[StoredClaim]] = _NO_CLAIMS,
                       markings: Callable[[StoredEvent], str] | None = None) -> int:
    """Write one JSON line per event; ``documents`` gives the document of an id, ``claims`` the claims of a
    document id (none where absent), ``markings`` the marking label of an event (none when None). Returns the
    count."""
    written = 0
    for event in events:
        record = plover_record(event, documents(event.document_id), claims.get(event.document_id, ()),
                               markings(event) if markings else None)
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        written += 1
    return written


def enddate(day: date, precision: str) -> date | None:
    """The last day of the period a date stands for (``precision`` week, month or year: ``day`` is its first
    day); None for a day."""
    if precision == "year":
        return date(day.year, 12, 31)
    if precision == "month":
        return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    if precision == "week":
        return day + timedelta(days=6)
    return None


def _size(event: StoredEvent, document: Document) -> dict[str, int] | None:
    """An ASSAULT's size when its row said it (a structured row's ``fatalities``: ACLED's column); else None."""
    if event.type != "ASSAULT" or not event.coder.startswith("columns"):
        return None
    dead = dict(document.meta).get(FATALITIES)
    return {"dead": int(dead)} if dead is not None and dead.isdigit() else None


def _comment(event: StoredEvent) -> str:
    """What a reader should know about the record in words: how the date and the actor were found, which
    flags are set."""
    notes = ["date is the document's publication date"] if event.date_from_publication else []
    if event.actor is not None and event.actor.inferred:
        notes.append("actor inferred by rule (nobody named)")
    notes += [name for name in ("negated", "hypothetical", "future", "reported") if getattr(event, name)]
    return "; ".join(notes)


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
            "language": document.language, "sentence": event.sentence, "start": event.start, "end": event.end,
            "trigger_start": event.trigger_start, "trigger_end": event.trigger_end}


def _extras(event: StoredEvent) -> dict[str, Any]:
    return {"date_precision": event.date_precision, "date_from_publication": event.date_from_publication,
            "confidence": round(event.confidence, 4), "negated": event.negated, "hypothetical": event.hypothetical,
            "future": event.future, "reported": event.reported, "type_coder": event.coder}


def _claim(claim: StoredClaim, event: StoredEvent, document: Document) -> dict[str, Any]:
    speaker = _entity(claim.speaker) if claim.speaker else _entity(None) | {"entity_text": claim.speaker_text or None}
    return {"speaker": speaker, "stance": claim.stance, "cue": claim.cue, "quoted": claim.quoted,
            "text": document.text[claim.content_start:claim.content_end], "sentence": claim.sentence,
            "start": claim.start, "end": claim.end, "content_start": claim.content_start,
            "content_end": claim.content_end,
            "about_event": claim.content_start <= event.trigger_start < claim.content_end,
            "claimed": _claimed(claim.claimed) if claim.claimed else None}


def _claimed(claimed: StoredClaimed) -> dict[str, Any]:
    place = None if claimed.place_name is None else {
        "name": claimed.place_name, "lat": claimed.place_lat, "lon": claimed.place_lon,
        "country": claimed.place_country, "admin1": claimed.place_admin1}
    return {"event": claimed.type, "modality": claimed.modality, "actor": _entity(claimed.actor),
            "recipient": _entity(claimed.recipient), "event_loc": place}
