"""MISP export: forewarn's documents, events and analysis as MISP events, streamed (docs/misp.md).

The output is one JSON object in the shape of MISP's REST search, ``{"response": [{"Event": {...}}, ...]}``, which
``pymisp.MISPEvent.load`` (the first event), MISP's event import and ``misp-stix`` read. Each forewarn document is
one MISP event (a ``link`` and a ``text`` attribute, the source as ``Orgc``, TLP, Admiralty and team tags); each of
its forewarn events is an ``annotation`` object (the evidence sentence, the PLOVER coding as tags and comment) and,
where placed, a ``geolocation`` object the annotation refers to. A document whose events arrive in a later chunk
again gets a further MISP event that ``extends_uuid`` the first (the writer never holds events). Warnings and
scenarios become MISP events of their own: a warning cites its evidence by uuid, with a sighting (type 0) of each
citation at the evidence's date, and carries its ledger history as ``annotation`` objects.

Ids are uuid5 of a fixed namespace and the forewarn id, so the same input gives the same bytes. The writer builds
plain dicts and writes machine tags itself: neither pymisp nor pytaxonomies is needed at run time (the tests check
the output with both).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import IO, Any

from forewarn.formats.base import OPEN, Analysis, Chunk
from forewarn.model import Document
from forewarn.model.marking import Compartment
from forewarn.model.records import StoredEvent, StoredParticipant
from forewarn.model.scenario import Scenario, StoredAssessment
from forewarn.model.source import Marking, Source
from forewarn.model.warning import LedgerEntry, WarningRecord

NAMESPACE = uuid.UUID("eaf554d1-cb8e-5c9c-bd6f-3742643cbb56")  # uuid5(URL, the docs/misp.md address): fixed
_NAMESPACE_BYTES = NAMESPACE.bytes
ORG = "forewarn"
# the object templates used, as bundled with pymisp's misp-objects (the tests check uuid and version)
TEMPLATES: Mapping[str, tuple[str, int, str]] = {  # name → (template uuid, version, forewarn's own description)
    "annotation": ("5d8dc046-15a1-4ca3-a09f-ed4ede7c4487", 3, "An event as forewarn coded it, with its evidence."),
    "geolocation": ("cd6f2238-ba55-4888-82c4-104e6e1acf21", 8, "Where the event took place."),
}
TLP_TAGS: Mapping[Marking, str] = {Marking.CLEAR: "tlp:clear", Marking.GREEN: "tlp:green",
                                   Marking.AMBER: "tlp:amber", Marking.AMBER_STRICT: "tlp:amber+strict",
                                   Marking.RED: "tlp:red"}
# MISP distribution: 3 all communities, 2 connected communities, 0 this organisation only
DISTRIBUTION: Mapping[Marking, str] = {Marking.CLEAR: "3", Marking.GREEN: "2", Marking.AMBER: "0",
                                       Marking.AMBER_STRICT: "0", Marking.RED: "0"}
# estimative-language likelihood-probability: the lower bound of each band (the taxonomy's numerical values)
LIKELIHOOD: tuple[tuple[float, str], ...] = (
    (0.95, "almost-certain"), (0.80, "very-likely"), (0.55, "likely"), (0.45, "roughly-even-chance"),
    (0.20, "unlikely"), (0.05, "very-unlikely"), (0.0, "almost-no-chance"))
THREAT_LEVEL: Mapping[str, str] = {"critical": "1", "high": "2", "elevated": "3"}  # else "4" (undefined)
ANALYSIS_STATE: Mapping[str, str] = {"raised": "0", "acknowledged": "1", "disposed": "2"}
TEAM_TAG = 'forewarn:team="{}"'
OWN_TAGS = ("tlp:", "admiralty-scale:source-reliability", "admiralty-scale:information-credibility",
            "forewarn:team")  # what the writer decides itself; an imported tag of these is not copied
TAGS_META, ORGC_META, ORGC_UUID_META = "misp.tags", "misp.orgc", "misp.orgc_uuid"
UUID_META, OBJECT_META = "misp.uuid", "misp.object"


def misp_uuid(kind: str, key: str) -> str:
    """The deterministic uuid of a forewarn object: uuid5 of the fixed namespace and ``kind:key`` (as
    ``uuid.uuid5`` computes it, without building UUID objects: an export makes about a dozen per event)."""
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + f"{kind}:{key}".encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def tlp_tag(marking: Marking) -> str:
    return TLP_TAGS[marking]


def likelihood_tag(probability: float) -> str:
    """The estimative-language machine tag of a probability in [0, 1]."""
    word = next(w for bound, w in LIKELIHOOD if probability >= bound)
    return f'estimative-language:likelihood-probability="{word}"'


def reliability_tag(source: Source) -> str:
    return f'admiralty-scale:source-reliability="{source.reliability.value.lower()}"'


def _ts(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def _day_ts(day: date) -> str:
    return _ts(datetime(day.year, day.month, day.day, tzinfo=UTC))


def _tag(name: str, local: bool = False) -> dict[str, Any]:
    return {"name": name, "local": True} if local else {"name": name}


def _compartment_tags(c: Compartment) -> list[dict[str, Any]]:
    """TLP and, as local tags (never synchronised further), the owning teams."""
    return [_tag(tlp_tag(c.marking))] + [_tag(TEAM_TAG.format(team), local=True) for team in c.teams]


def _org(name: str, org_uuid: str | None = None) -> dict[str, str]:
    return {"name": name, "uuid": org_uuid or misp_uuid("org", name)}


def _attribute(key: str, kind: str, category: str, value: str, ts: str, comment: str = "",
               tags: Sequence[str] = ()) -> dict[str, Any]:
    attr: dict[str, Any] = {"uuid": misp_uuid("attribute", key), "type": kind, "category": category,
                            "value": value, "to_ids": False, "distribution": "5", "timestamp": ts,
                            "comment": comment}
    if tags:
        attr["Tag"] = [_tag(t) for t in tags]
    return attr


def _object_attribute(owner: str, relation: str, kind: str, value: str, ts: str,
                      tags: Sequence[str] = ()) -> dict[str, Any]:
    attr = _attribute(f"{owner}/{relation}", kind, "Other", value, ts, tags=tags)
    return {"object_relation": relation, **attr}


def _object(name: str, object_uuid: str, ts: str, comment: str, attributes: list[dict[str, Any]],
            references: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    template_uuid, version, description = TEMPLATES[name]
    obj: dict[str, Any] = {"uuid": object_uuid, "name": name, "meta-category": "misc", "description": description,
                           "template_uuid": template_uuid, "template_version": str(version), "timestamp": ts,
                           "distribution": "5", "comment": comment, "Attribute": attributes}
    if references:
        obj["ObjectReference"] = [{"uuid": misp_uuid("reference", f"{object_uuid}>{target}"),
                                   "object_uuid": object_uuid, "referenced_uuid": target,
                                   "relationship_type": relation, "timestamp": ts} for target, relation in references]
    return obj


def annotation(key: str, text: str, ts: str, comment: str, created: datetime | None = None,
               tags: Sequence[str] = (), references: Sequence[tuple[str, str]] = (),
               object_uuid: str | None = None) -> dict[str, Any]:
    """An ``annotation`` object: ``text`` (tagged), type Annotation, format text, its creation date."""
    own = object_uuid or misp_uuid("annotation", key)
    attributes = [_object_attribute(own, "text", "text", text, ts, tags),
                  _object_attribute(own, "type", "text", "Annotation", ts),
                  _object_attribute(own, "format", "text", "text", ts)]
    if created is not None:
        attributes.append(_object_attribute(own, "creation-date", "datetime", created.isoformat(), ts))
    return _object("annotation", own, ts, comment, attributes, references)


# --- documents and their events ---------------------------------------------------------------------------------


def _meta(document: Document) -> dict[str, str]:
    return dict(document.meta)


def document_uuid(document: Document) -> str:
    """A document's MISP event uuid: the MISP event it came from (meta ``misp.uuid``, unless it is one of that
    event's geolocations, meta ``misp.object``), else uuid5 of its id."""
    meta = _meta(document)
    if UUID_META in meta and OBJECT_META not in meta:
        return meta[UUID_META]
    return misp_uuid("document", document.id)


def _imported_tags(meta: Mapping[str, str]) -> list[str]:
    try:
        tags = json.loads(meta.get(TAGS_META, "[]"))
    except json.JSONDecodeError:
        return []
    return [t for t in tags if isinstance(t, str)]


def document_tags(document: Document, source: Source | None, c: Compartment) -> list[dict[str, Any]]:
    """TLP (the document's compartment), the source's Admiralty reliability, an imported information credibility,
    the teams (local), then the other tags the document was imported with, in their order."""
    imported = _imported_tags(_meta(document))
    marking, *teams = _compartment_tags(c)
    tags = [marking] + ([_tag(reliability_tag(source))] if source is not None else [])
    tags += [_tag(t) for t in imported if t.startswith("admiralty-scale:information-credibility")][:1]
    return tags + teams + [_tag(t) for t in imported if not t.startswith(OWN_TAGS)]


def _body(document: Document) -> str:
    """The text without its heading (the title and a blank line the readers put before a body)."""
    title = document.title
    if title and document.text.startswith(title + "\n\n"):
        return document.text[len(title) + 2:]
    return "" if title and document.text == title else document.text


def _info(document: Document) -> str:
    return document.title or " ".join(document.text.split())[:100]


def _doc_date(document: Document) -> str:
    return _day(document.published_at or document.ingested_at)


def document_event(document: Document, source: Source | None, c: Compartment, events: Sequence[StoredEvent],
                   own: str | None = None, extends: str | None = None) -> dict[str, Any]:
    """The MISP event (uuid ``own``, by default :func:`document_uuid`) of a document and the given events of it;
    ``extends``: the uuid of the document's first MISP event, for the events that arrive in a later chunk (no
    attributes then, only their objects)."""
    meta = _meta(document)
    own = own or document_uuid(document)
    ts = _ts(document.ingested_at)
    orgc = _org(meta[ORGC_META], meta.get(ORGC_UUID_META)) if ORGC_META in meta \
        else _org(source.name if source else ORG, misp_uuid("source", source.id) if source else None)
    event: dict[str, Any] = {
        "uuid": own, "info": _info(document), "date": _doc_date(document), "threat_level_id": "4",
        "analysis": "2", "published": False, "distribution": DISTRIBUTION[c.marking], "timestamp": ts,
        "Orgc": orgc, "Tag": document_tags(document, source, c)}
    parent = extends or (meta.get(UUID_META) if OBJECT_META in meta else None)
    if parent:
        event["extends_uuid"] = parent
    event["Attribute"] = [] if extends else _document_attributes(document, own, ts)
    event["Object"] = [obj for e in events for obj in event_objects(e, document)]
    return {"Event": event}


def _document_attributes(document: Document, own: str, ts: str) -> list[dict[str, Any]]:
    attributes = []
    if document.url:
        attributes.append(_attribute(f"{own}/link", "link", "External analysis", document.url, ts,
                                     "where the document was published"))
    body = _body(document)
    if body:
        attributes.append(_attribute(f"{own}/text", "text", "Other", body, ts, "the document's text"))
    return attributes


def plover_tags(event: StoredEvent) -> list[str]:
    """The PLOVER coding as forewarn machine tags: type, mode, each context, each flag set."""
    tags = [f'forewarn:plover-type="{event.type}"']
    if event.mode:
        tags.append(f'forewarn:plover-mode="{event.mode}"')
    tags += [f'forewarn:plover-context="{c}"' for c in event.contexts]
    return tags + [f'forewarn:flag="{f}"' for f in event.flags]


def _participant(p: StoredParticipant) -> str:
    extra = ", ".join(x for x in (p.country, p.sector) if x)
    return f"{p.name} ({extra})" if extra else p.name


def coding_comment(event: StoredEvent) -> str:
    """The annotation's comment: ``plover: TYPE/mode; date: 2024-03-01 (day); actor: …; recipient: …;
    confidence: 0.85; forewarn: <event id>`` (the reader parses it back)."""
    parts = [f"plover: {event.type}" + (f"/{event.mode}" if event.mode else ""),
             f"date: {event.date.isoformat()} ({event.date_precision})"]
    parts += [f"actor: {_participant(event.actor)}"] if event.actor else []
    parts += [f"recipient: {_participant(event.recipient)}"] if event.recipient else []
    parts += [f"confidence: {round(event.confidence, 4)}", f"forewarn: {event.id}"]
    return "; ".join(parts)


def event_uuid(event_id: str) -> str:
    """The uuid of a forewarn event's ``annotation`` object (what a warning cites)."""
    return misp_uuid("event", event_id)


def event_objects(event: StoredEvent, document: Document) -> Iterator[dict[str, Any]]:
    """An event's ``annotation`` (evidence sentence, PLOVER tags, coding comment) and, with a place, the
    ``geolocation`` it is ``located-at`` (an imported observation's keeps that object's uuid)."""
    ts = _ts(event.coded_at)
    place = _geolocation(event, document, ts) if event.place is not None else None
    references = [(place["uuid"], "located-at")] if place else []
    yield annotation(event.id, document.text[event.start:event.end] or event.type, ts, coding_comment(event),
                     event.coded_at, plover_tags(event), references, event_uuid(event.id))
    if place is not None:
        yield place


def _geolocation(event: StoredEvent, document: Document, ts: str) -> dict[str, Any]:
    p = event.place
    assert p is not None
    meta = _meta(document)
    own = meta[OBJECT_META] if OBJECT_META in meta and event.coder.startswith("columns") \
        else misp_uuid("place", event.id)
    seen = datetime(event.date.year, event.date.month, event.date.day, tzinfo=UTC).isoformat()
    values = [("latitude", "float", repr(p.lat)), ("longitude", "float", repr(p.lon)), ("text", "text", p.name),
              ("country", "text", p.country), ("region", "text", p.admin1), ("first-seen", "datetime", seen)]
    attributes = [_object_attribute(own, rel, kind, value, ts) for rel, kind, value in values if value]
    return _object("geolocation", own, ts, f"{p.name} ({p.precision}); gazetteer {p.gazetteer_id}", attributes)


# --- analysis -----------------------------------------------------------------------------------------------------


def _evidence_dates(assessments: Iterable[StoredAssessment]) -> dict[str, str]:
    """The day each event was observed, as the assessments' signals record it."""
    found: dict[str, str] = {}
    for a in assessments:
        for signal in a.signals:
            day = str(signal.get("observed_on") or "")
            for event_id in signal.get("event_ids", ()):
                found.setdefault(str(event_id), day)
    return found


def warning_event(w: WarningRecord, c: Compartment, history: Sequence[LedgerEntry], dates: Mapping[str, str],
                  documents: Mapping[str, str], org: str) -> dict[str, Any]:
    """A warning as a MISP event: its text, a citation of each evidence event and document (the uuid of its
    annotation object / MISP event) sighted at the evidence's day, its ledger history as annotations.
    ``dates``: the day of each evidence event known; ``documents``: MISP uuids of documents imported from MISP."""
    own, ts = misp_uuid("warning", str(w.id)), _ts(w.updated_at)
    marking, *teams = _compartment_tags(c)
    likely = [_tag(likelihood_tag(w.probability))] if w.probability is not None else []
    event: dict[str, Any] = {
        "uuid": own, "info": w.title, "date": _day(w.raised_at),
        "threat_level_id": THREAT_LEVEL.get(w.severity, "4"), "analysis": ANALYSIS_STATE.get(w.state.value, "0"),
        "published": False, "distribution": DISTRIBUTION[c.marking], "timestamp": ts,
        "Orgc": _org(w.partner or org), "Tag": [marking, *likely, *teams],
        "Attribute": _warning_attributes(w, own, ts) + list(_citations(w, own, ts, dates, documents, _org(org))),
        "Object": [_ledger_annotation(own, entry) for entry in history]}
    return {"Event": event}


def _day(moment: datetime) -> str:
    return moment.astimezone(UTC).date().isoformat()


def _warning_attributes(w: WarningRecord, own: str, ts: str) -> list[dict[str, Any]]:
    """Its text, and references to its scenario's MISP event and the partner's own reference."""
    attributes = [_attribute(f"{own}/text", "text", "Other", w.text or w.title, ts, "the warning's text")]
    if w.scenario_id:
        attributes.append(_attribute(f"{own}/scenario", "text", "Internal reference",
                                     misp_uuid("scenario", w.scenario_id), ts, f"scenario {w.scenario_id}"))
    if w.partner_ref:
        attributes.append(_attribute(f"{own}/partner-ref", "text", "Internal reference", w.partner_ref, ts,
                                     f"reference of {w.partner or 'the partner'}"))
    return attributes


def _citations(w: WarningRecord, own: str, ts: str, dates: Mapping[str, str], documents: Mapping[str, str],
               sighted_by: dict[str, str]) -> Iterator[dict[str, Any]]:
    raised = _day(w.raised_at)
    for event_id in w.event_ids:
        yield _cited(own, event_uuid(event_id), f"evidence event {event_id}", dates.get(event_id) or raised, ts,
                     sighted_by)
    for doc_id in w.document_ids:
        target = documents.get(doc_id) or misp_uuid("document", doc_id)
        yield _cited(own, target, f"evidence document {doc_id}", raised, ts, sighted_by)


def _cited(owner: str, target: str, comment: str, day: str, ts: str, org: dict[str, str]) -> dict[str, Any]:
    attr = _attribute(f"{owner}/cites/{target}", "text", "Internal reference", target, ts, comment)
    attr["Sighting"] = [{"uuid": misp_uuid("sighting", f"{owner}/{target}"), "type": "0",
                         "date_sighting": _day_ts(date.fromisoformat(day)), "source": "forewarn evidence",
                         "Organisation": org}]
    return attr


def _ledger_annotation(owner: str, entry: LedgerEntry) -> dict[str, Any]:
    payload = json.dumps(entry.payload, sort_keys=True, ensure_ascii=False, default=str)
    text = f"{entry.kind} by {entry.actor} at {entry.at.isoformat()}: {payload}"
    return annotation(f"{owner}/ledger/{entry.seq}", text, _ts(entry.at), f"ledger #{entry.seq} {entry.hash}",
                      entry.at)


def scenario_event(s: Scenario, c: Compartment, assessments: Sequence[StoredAssessment], org: str) -> dict[str, Any]:
    """A scenario as a MISP event: its description and each published assessment as a text attribute tagged with
    its estimative-language likelihood; the event carries the latest one's likelihood."""
    own = misp_uuid("scenario", s.id)
    latest = max(assessments, key=lambda a: (a.at, a.id)) if assessments else None
    ts = _ts(latest.at) if latest else ""
    attributes = [_attribute(f"{own}/description", "text", "Other", s.description or s.name, ts,
                             "the scenario's description")]
    attributes += [_assessment(own, a) for a in sorted(assessments, key=lambda a: (a.at, a.id))]
    tags = _compartment_tags(c)[:1] + ([_tag(likelihood_tag(latest.probability))] if latest else [])
    event: dict[str, Any] = {
        "uuid": own, "info": f"Scenario: {s.name}", "threat_level_id": THREAT_LEVEL.get(
            latest.level if latest and latest.level else "", "4"), "analysis": "1", "published": False,
        "distribution": DISTRIBUTION[c.marking], "timestamp": ts, "Orgc": _org(org),
        "Tag": tags + _compartment_tags(c)[1:], "Attribute": attributes, "Object": []}
    if latest is not None:
        event = {**event, "date": _day(latest.at)}
    else:
        del event["timestamp"]
    return {"Event": event}


def _assessment(owner: str, a: StoredAssessment) -> dict[str, Any]:
    text = f"probability {a.probability:.3f}" + (f", level {a.level}" if a.level else "") + f" at {a.at.isoformat()}"
    return _attribute(f"{owner}/assessment/{a.id}", "text", "Other", text, _ts(a.at),
                      f"assessment {a.id} (scenario version {a.scenario_version[:12]})",
                      [likelihood_tag(a.probability)])


# --- the writer ---------------------------------------------------------------------------------------------------


class MispWriter:
    """Streams ``{"response": [{"Event": …}, …]}``: one MISP event per document (and per later chunk holding more
    of its events), then one per scenario and per warning. Keeps the ids of the documents written (and the uuids
    of those imported from MISP), never the events."""

    name = "misp"
    media_type = "application/json"
    suffix = ".json"

    def __init__(self, org: str = ORG) -> None:
        self.org = org
        self._out: IO[str] | None = None
        self._count = 0
        self._written: set[str] = set()
        self._imported: dict[str, str] = {}  # document id -> its MISP uuid, where it is not uuid5 of the id
        self._taken: set[str] = set()  # those MISP uuids

    def begin(self, out: IO[str]) -> None:
        self._out, self._count = out, 0
        out.write('{"response":[')

    def chunk(self, chunk: Chunk) -> int:
        by_document: dict[str, list[StoredEvent]] = {doc_id: [] for doc_id in chunk.documents}
        for event in chunk.events:
            by_document.setdefault(event.document_id, []).append(event)
        for doc_id, events in by_document.items():
            self._document(chunk, chunk.documents[doc_id], events)
        return len(chunk.events)

    def _document(self, chunk: Chunk, document: Document, events: list[StoredEvent]) -> None:
        first = document.id not in self._written
        if not first and not events:
            return
        source = chunk.sources.get(document.source_id) if document.source_id else None
        c = chunk.compartment(document.compartment_id)
        if first:
            self._written.add(document.id)
            self._write(document_event(document, source, c, events, self._first_uuid(document)))
            return
        later = misp_uuid("document", f"{document.id}:{events[0].id}")
        self._write(document_event(document, source, c, events, later, self._uuid_of(document.id)))

    def _first_uuid(self, document: Document) -> str:
        """:func:`document_uuid`, unless another document took that MISP uuid already (two imports of one MISP
        event): then uuid5 of its id."""
        own, default = document_uuid(document), misp_uuid("document", document.id)
        if own == default or own in self._taken:
            return default
        self._imported[document.id] = own
        self._taken.add(own)
        return own

    def _uuid_of(self, document_id: str) -> str:
        return self._imported.get(document_id) or misp_uuid("document", document_id)

    def analysis(self, analysis: Analysis) -> None:
        by_scenario: dict[str, list[StoredAssessment]] = {}
        for a in analysis.assessments:
            by_scenario.setdefault(a.scenario_id, []).append(a)
        for s in analysis.scenarios:
            c = analysis.scenario_compartments.get(s.id, OPEN)
            self._write(scenario_event(s, c, by_scenario.get(s.id, []), self.org))
        dates = _evidence_dates(analysis.assessments)
        for w in analysis.warnings:
            c = analysis.warning_compartments.get(w.id, OPEN)
            self._write(warning_event(w, c, analysis.history.get(w.id, ()), dates, self._imported, self.org))

    def end(self) -> None:
        assert self._out is not None, "begin() first"
        self._out.write("\n]}\n")

    def _write(self, event: dict[str, Any]) -> None:
        assert self._out is not None, "begin() first"
        self._out.write(("\n" if self._count == 0 else ",\n") + json.dumps(event, ensure_ascii=False,
                                                                           separators=(",", ":")))
        self._count += 1
