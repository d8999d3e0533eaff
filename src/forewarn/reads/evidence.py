"""Evidence a duty officer can read: each signal of an assessment (or each piece of a warning's evidence) as
a row — the sentence with its trigger marked, actor → recipient by their canonical names, the place, the
date to its precision, the source with its Admiralty grade, a claim's speaker and stance, a surge's or a day
of mentions' count, test and top stories — grouped by indicator, strongest first. An event analysts corrected
(issue 16, item 9) reads as corrected — its values now, the extracted ones kept to be struck through — or as
rejected, with the reason (an assessment made before the rejection may still cite it).

Fast by construction: only the ids the signals cite are read (a bounded number per signal), one query per
table (events with their documents' titles, the cited events' corrections by their keys, claims, entities,
sources, documents; chunked IN lists), and
never a whole document: a sentence is cut from its document in SQL, at most :data:`SNIPPET` characters."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select
from sqlalchemy.orm import aliased

from forewarn.detect import assessments
from forewarn.detect.weights import rank
from forewarn.model import Reliability, WarningRecord
from forewarn.model.annotations import Changes, Correction, FieldChange, event_key, state
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.warning import Origin
from forewarn.store import schema as t
from forewarn.store.access import hidden_from, seen_signals
from forewarn.store.core import chunks
from forewarn.store.notes import correction_of

SNIPPET = 400  # characters of a sentence read from its document
EVENTS_PER_SIGNAL = 5  # events read of one event signal (its best report is among them)
SURGE_EXAMPLES = 3  # example events of a surge shown
DOCUMENTS_PER_SIGNAL = 3  # documents linked from a row
STORY_DOCUMENTS = 100  # documents of a day of mentions read to pick its top stories
TOP_STORIES = 3
CLAIM_DOCUMENTS = 5  # documents of a claim signal searched for its claim
UNCOUNTED_ROWS = 3  # uncounted signals shown per indicator (beyond saturation: the rest is a number)
ATTACHED = "attached"  # the group of a warning's evidence that no signal of its assessment carries

_SURGE = re.compile(r"^(?P<count>\d+) independent reports of (?P<type>\S+) in (?P<admin1>.*) \((?P<country>[^)]*)\) "
                    r"on (?P<day>\d{4}-\d{2}-\d{2}) (?P<test>against .*)$")
_MENTIONS = re.compile(r"^(?P<count>\d+) independent stories from (?P<sources>\d+) sources matching (?P<test>.*?)"
                       r"\. Top stories: ")


# -- what a row shows -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Party:
    """An actor, recipient or speaker: the words of the report and the canonical entity they were linked to."""

    text: str
    entity_id: str | None  # the canonical entity (its page), None when not linked
    name: str | None  # the canonical entity's name


@dataclass(frozen=True, slots=True)
class PlaceFact:
    name: str
    country: str | None
    admin1: str | None
    precision: str | None


@dataclass(frozen=True, slots=True)
class SourceFact:
    """A source with its Admiralty reliability grade as stored (credibility is not stored per source)."""

    id: str
    name: str
    grade: str  # A-F, "" when unknown

    @property
    def label(self) -> str:
        return Reliability(self.grade).label if self.grade in Reliability.__members__ else "grade unknown"


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence cut in three around its marked span (a trigger, a claim's words): escaped as text, marked
    with ``<mark>`` by the template, never built as markup."""

    before: str
    marked: str
    after: str
    cut: bool  # longer than shown

    @property
    def text(self) -> str:
        return self.before + self.marked + self.after


@dataclass(frozen=True, slots=True)
class DocumentFact:
    id: str
    title: str | None
    source_id: str | None
    known_at: datetime | None  # published, else ingested
    cluster_id: str = ""


@dataclass(frozen=True, slots=True)
class Extracted:
    """An event's correctable values as extracted (what a correction's row strikes through)."""

    type: str
    mode: str | None
    actor: Party | None
    recipient: Party | None
    place: PlaceFact | None
    date: date
    date_precision: str


CORRECTABLE = ("type", "mode", "actor", "recipient", "place", "date")


@dataclass(frozen=True, slots=True)
class CorrectionFact:
    """How analysts corrected the event a row shows: the fields whose value now differs from the extraction
    (``changed``), the extracted values, each corrected field's record (who, when, the value as shown), and
    the rejection when the latest correction rejects the event (scoring leaves it out from then on)."""

    status: str  # corrected, rejected
    changed: tuple[str, ...]  # of CORRECTABLE
    original: Extracted
    fields: tuple[FieldChange, ...]
    author: str  # who made the latest correction
    at: datetime  # when
    reason: str | None  # the rejection's reason (rejected), else the latest correction's
    href: str  # the event page's corrections

    @property
    def rejected(self) -> bool:
        return self.status == "rejected"


@dataclass(frozen=True, slots=True)
class EventFact:
    id: str
    document: DocumentFact
    type: str
    mode: str | None
    date: date
    date_precision: str
    actor: Party | None
    recipient: Party | None
    place: PlaceFact | None
    sentence: Sentence | None
    source: SourceFact | None
    flags: tuple[str, ...]  # negated, hypothetical, future, reported
    anchor: str  # the element id of its trigger on the document page
    correction: CorrectionFact | None = None  # None: read as extracted; else the values above are the corrected ones


@dataclass(frozen=True, slots=True)
class ClaimFact:
    document: DocumentFact
    speaker: Party
    stance: str | None
    cue: str
    claimed_type: str | None
    sentence: Sentence | None
    source: SourceFact | None
    content_start: int = 0  # where what was said begins in the document's text

    @property
    def anchor(self) -> str:
        """The element id the document page gives what was said."""
        return claim_anchor(self.content_start)


def claim_anchor(content_start: int) -> str:
    """The element id of a claim's words on the document page (``cl-<offset>``: two claims of one document never
    start at the same offset)."""
    return f"cl-{content_start}"


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    """One signal (or one piece of attached evidence) as a duty officer reads it."""

    kind: str  # event, claim, surge, mentions; document (a document attached by hand)
    indicator_id: str
    observed_on: date | None
    known_at: datetime | None
    contribution: float | None  # None: evidence attached without a signal
    counted: bool
    strength: float | None
    decay: float | None
    note: str
    summary: str  # the stored evidence text (what the row says when nothing else could be read)
    event: EventFact | None = None  # the signal's best report (event signals), or the event attached
    claim: ClaimFact | None = None
    examples: tuple[EventFact, ...] = ()  # a surge's example events
    sources: tuple[SourceFact, ...] = ()
    best_grade: str = ""
    count: int | None = None  # independent reports (surge) or stories (mentions)
    test: str = ""  # how a surge or a day of mentions was found unusual
    place: PlaceFact | None = None  # a surge's first-level region
    stories: tuple[DocumentFact, ...] = ()  # a day of mentions' top stories
    documents: tuple[DocumentFact, ...] = ()  # the documents it cites (the first few)
    more_documents: int = 0
    more_events: int = 0  # other reports of the same signal (copies, the same source on the same day)

    @property
    def correction(self) -> CorrectionFact | None:
        """The correction of the event the row shows (a surge's examples carry their own)."""
        return self.event.correction if self.event is not None else None


@dataclass(frozen=True, slots=True)
class EvidenceGroup:
    """An indicator's rows: counted first, strongest first; ``hidden`` uncounted ones left out."""

    indicator_id: str
    name: str
    contribution: float  # the counted rows' sum
    rows: tuple[EvidenceRow, ...]
    hidden: int = 0


@dataclass(frozen=True, slots=True)
class _Wanted:
    """The ids a set of signals cites that a page reads (bounded per signal)."""

    events: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    claim_documents: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


# -- entry points -----------------------------------------------------------------------------------

def visible_signals(conn: Connection, signals: Sequence[Mapping[str, Any]], access: Access = EVERYTHING
                    ) -> tuple[list[Mapping[str, Any]], int]:
    """The signals ``access`` may see, and how many it may not: a signal citing any event, document or source
    hidden from it (a derived object takes the strictest of what it derives from) is hidden whole
    (:func:`~forewarn.store.access.seen_signals`, the rule detect.shown applies too). No read at all when
    nothing is hidden from it."""
    return seen_signals(conn, signals, access)


def signal_groups(conn: Connection, signals: Sequence[Mapping[str, Any]], names: Mapping[str, str],
                  uncounted: int = UNCOUNTED_ROWS, access: Access = EVERYTHING, seen: bool = False
                  ) -> list[EvidenceGroup]:
    """The stored ``signals`` (an assessment's JSON) as rows grouped by indicator (``names``: indicator names
    by id), the strongest group first; per indicator the counted signals and ``uncounted`` of the others. The
    signals ``access`` may not see are left out (:func:`visible_signals` counts them), unless ``seen`` says
    they already were (an assessment as the scenario desk shows it: checked once per page, not twice)."""
    chosen, hidden = _chosen(signals if seen else visible_signals(conn, signals, access)[0], uncounted)
    return _grouped(_Facts.read(conn, _wanted(chosen), access), chosen, names, hidden)


def warning_groups(conn: Connection, w: WarningRecord, names: Mapping[str, str],
                   access: Access = EVERYTHING) -> list[EvidenceGroup]:
    """A warning's evidence: for a scenario warning, the counted signals of the assessment that raised it which
    carry its evidence; then (any warning) the events and documents no such signal carries, as attached rows."""
    signals: list[Mapping[str, Any]] = []
    if w.origin is Origin.SCENARIO and w.scenario_id:
        last = assessments.latest(conn, w.scenario_id, until=w.raised_at)
        cited = set(w.event_ids) | set(w.document_ids)
        signals = [s for s in (last.signals if last else ()) if s.get("counted") and not cited.isdisjoint(
            [*s.get("event_ids", ()), *s.get("document_ids", ())])]
        signals = visible_signals(conn, signals, access)[0]
    carried = {i for s in signals for i in [*s.get("event_ids", ()), *s.get("document_ids", ())]}
    events = [e for e in w.event_ids if e not in carried]
    documents = [d for d in w.document_ids if d not in carried]
    wanted = _wanted(signals)
    wanted.events.update(events)
    wanted.documents.update(documents)
    facts = _Facts.read(conn, wanted, access)
    groups = _grouped(facts, sorted(signals, key=_strongest), names, {})
    attached = facts.attached(events, documents) if not access.restricted else \
        facts.attached([e for e in events if e in facts.events], [d for d in documents if d in facts.documents])
    if attached:
        groups.append(EvidenceGroup(ATTACHED, "Attached evidence", 0.0, tuple(attached)))
    return groups


def _grouped(facts: _Facts, signals: Sequence[Mapping[str, Any]], names: Mapping[str, str],
             hidden: Mapping[str, int]) -> list[EvidenceGroup]:
    """Rows by indicator (in the signals' order), the group with the largest counted contribution first."""
    groups: dict[str, list[EvidenceRow]] = {}
    for sig in signals:
        groups.setdefault(str(sig.get("indicator_id", "")), []).append(facts.row(sig))
    found = [EvidenceGroup(i, names.get(i, i), sum(r.contribution or 0.0 for r in rows if r.counted), tuple(rows),
                           hidden.get(i, 0)) for i, rows in groups.items()]
    return sorted(found, key=lambda g: (-abs(g.contribution), g.indicator_id))


# -- which signals, which ids -----------------------------------------------------------------------

def _strongest(sig: Mapping[str, Any]) -> tuple[bool, float, str]:
    return not sig.get("counted"), -abs(float(sig.get("contribution") or 0.0)), str(sig.get("observed_on", ""))


def _chosen(signals: Sequence[Mapping[str, Any]], uncounted: int
            ) -> tuple[list[Mapping[str, Any]], dict[str, int]]:
    """The signals shown (every counted one, ``uncounted`` others per indicator), strongest first, and how
    many were left out per indicator."""
    shown: list[Mapping[str, Any]] = []
    left: dict[str, int] = {}
    seen: dict[str, int] = {}
    for sig in sorted(signals, key=_strongest):
        indicator = str(sig.get("indicator_id", ""))
        if sig.get("counted") or seen.get(indicator, 0) < uncounted:
            shown.append(sig)
            seen[indicator] = seen.get(indicator, 0) + (0 if sig.get("counted") else 1)
        else:
            left[indicator] = left.get(indicator, 0) + 1
    return shown, left


def _wanted(signals: Iterable[Mapping[str, Any]]) -> _Wanted:
    wanted = _Wanted()
    for sig in signals:
        kind, events, documents = sig.get("kind"), list(sig.get("event_ids") or []), list(sig.get("document_ids") or [])
        wanted.sources.update(sig.get("source_ids") or [])
        wanted.events.update(events[:SURGE_EXAMPLES if kind == "surge" else EVENTS_PER_SIGNAL])
        wanted.documents.update(documents[:STORY_DOCUMENTS if kind == "mentions" else DOCUMENTS_PER_SIGNAL])
        if kind == "claim":
            wanted.claim_documents.update(documents[:CLAIM_DOCUMENTS])
    return wanted


# -- reading the facts ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Facts:
    """Everything the rows need, read once: one query per table."""

    events: dict[str, EventFact]
    claims: dict[str, list[ClaimFact]]  # by document
    documents: dict[str, DocumentFact]
    sources: dict[str, SourceFact]

    @classmethod
    def read(cls, conn: Connection, wanted: _Wanted, access: Access = EVERYTHING) -> _Facts:
        """The facts (those ``access`` may see: a hidden event, claim, document or source is as missing)."""
        ev, c = t.events.c, t.claims.c
        event_rows = _rows(conn, _event_query().where(*hidden_from(ev.compartment, access)), ev.id, wanted.events)
        fixes = _corrections(conn, {_key(r): r.id for r in event_rows})
        claim_rows = _rows(conn, _claim_query().where(*hidden_from(c.compartment, access)), c.document_id,
                           wanted.claim_documents)
        entity_ids = {i for r in event_rows for i in (r.actor_entity_id, r.recipient_entity_id) if i}
        entity_ids |= {r.speaker_entity_id for r in claim_rows if r.speaker_entity_id}
        entities = _entities(conn, entity_ids)
        source_ids = wanted.sources | {r.source_id for r in (*event_rows, *claim_rows) if r.source_id}
        documents = _documents(conn, wanted.documents, access)
        source_ids |= {x.source_id for x in documents.values() if x.source_id}
        sources = _sources(conn, source_ids, access)
        claims: dict[str, list[ClaimFact]] = {}
        for r in claim_rows:
            claims.setdefault(r.document_id, []).append(_claim(r, entities, sources))
        events = {r.id: _corrected(_event(r, entities, sources), fixes.get(r.id, [])) for r in event_rows}
        return cls(events, claims, documents, sources)

    def row(self, sig: Mapping[str, Any]) -> EvidenceRow:
        kind = str(sig.get("kind") or "event")
        sources = tuple(self.sources.get(s) or SourceFact(s, s, "") for s in sig.get("source_ids") or [])
        documents = [self.documents[d] for d in list(sig.get("document_ids") or [])[:DOCUMENTS_PER_SIGNAL]
                     if d in self.documents]
        base = EvidenceRow(
            kind=kind, indicator_id=str(sig.get("indicator_id", "")), observed_on=_day(sig.get("observed_on")),
            known_at=_time(sig.get("known_at")), contribution=float(sig.get("contribution") or 0.0),
            counted=bool(sig.get("counted")), strength=_number(sig.get("strength")), decay=_number(sig.get("decay")),
            note=str(sig.get("note") or ""), summary=" ".join(str(sig.get("evidence") or "").split()),
            sources=sources, best_grade=str(sig.get("reliability") or "") or _best(sources),
            documents=tuple(documents), more_documents=max(len(sig.get("document_ids") or []) - len(documents), 0))
        if kind == "surge":
            return self._surge(base, sig)
        if kind == "mentions":
            return self._mentions(base, sig)
        if kind == "claim":
            return replace(base, claim=self._claim_of(sig, base.summary))
        events = [self.events[e] for e in sig.get("event_ids") or [] if e in self.events]
        best = _best_event(events, base.summary)
        return replace(base, event=best, more_events=max(len(sig.get("event_ids") or []) - 1, 0))

    def _surge(self, base: EvidenceRow, sig: Mapping[str, Any]) -> EvidenceRow:
        found = _SURGE.match(base.summary)
        examples = tuple(self.events[e] for e in list(sig.get("event_ids") or [])[:SURGE_EXAMPLES] if e in self.events)
        if found is None:
            return replace(base, examples=examples, count=len(sig.get("event_ids") or []))
        place = PlaceFact(found["admin1"], found["country"], found["admin1"], "admin1")
        return replace(base, examples=examples, count=int(found["count"]), test=found["test"], place=place,
                        more_events=max(len(sig.get("event_ids") or []) - len(examples), 0))

    def _mentions(self, base: EvidenceRow, sig: Mapping[str, Any]) -> EvidenceRow:
        docs = [self.documents[d] for d in sig.get("document_ids") or [] if d in self.documents]
        firsts: dict[str, DocumentFact] = {}
        for d in sorted(docs, key=lambda d: (rank(self._grade(d.source_id)), d.known_at or datetime.max, d.id)):
            firsts.setdefault(d.cluster_id or d.id, d)
        found = _MENTIONS.match(base.summary)
        count = int(found["count"]) if found else len(firsts)
        return replace(base, count=count, test=found["test"] if found else "", stories=tuple(firsts.values())[
            :TOP_STORIES], documents=())

    def _grade(self, source_id: str | None) -> Reliability:
        grade = self.sources[source_id].grade if source_id in self.sources else ""
        return Reliability(grade) if grade in Reliability.__members__ else Reliability.F

    def _claim_of(self, sig: Mapping[str, Any], summary: str) -> ClaimFact | None:
        found = [c for d in sig.get("document_ids") or [] for c in self.claims.get(d, [])]
        said = summary.partition(": ")[2]
        exact = [c for c in found if c.sentence is not None and " ".join(c.sentence.text.split()) == said]
        chosen = exact or found
        return chosen[0] if chosen else None

    def attached(self, event_ids: Sequence[str], document_ids: Sequence[str]) -> list[EvidenceRow]:
        """Rows for evidence attached without a signal: events (with their sentence), then documents."""
        rows = [_attached_event(self.events[e]) for e in event_ids if e in self.events]
        rows += [_attached_missing(e) for e in event_ids if e not in self.events]
        rows += [_attached_document(self.documents.get(d), d, self.sources) for d in document_ids]
        return rows


def _rows(conn: Connection, query: Any, column: Any, ids: Iterable[str]) -> list[Row[Any]]:
    return [r for chunk in chunks(sorted(set(ids))) for r in conn.execute(query.where(column.in_(chunk)))]


def _event_query() -> Any:
    ev, d = t.events.c, t.documents.c
    return (select(ev.id, ev.document_id, ev.type, ev.mode, ev.date, ev.date_precision, ev.actor_entity_id,
                   ev.actor_text, ev.recipient_entity_id, ev.recipient_text, ev.place_name, ev.place_country,
                   ev.place_admin1, ev.place_precision, ev.negated, ev.hypothetical, ev.future, ev.reported,
                   ev.start, ev.end, ev.trigger_start, ev.trigger_end, ev.source_id, d.title, d.cluster_id,
                   func.coalesce(d.published_at, d.ingested_at).label("known_at"),
                   func.substr(d.text, ev.start + 1, SNIPPET).label("snippet"))
            .select_from(t.events.join(t.documents, d.id == ev.document_id)))


def _claim_query() -> Any:
    c, d = t.claims.c, t.documents.c
    return (select(c.document_id, c.seq, c.speaker_entity_id, c.speaker_text, c.cue, c.stance, c.claimed_type,
                   c.start, c.end, c.content_start, c.content_end, d.source_id, d.title, d.cluster_id,
                   func.coalesce(d.published_at, d.ingested_at).label("known_at"),
                   func.substr(d.text, c.start + 1, SNIPPET).label("snippet"))
            .select_from(t.claims.join(t.documents, d.id == c.document_id)).order_by(c.document_id, c.seq))


def _entities(conn: Connection, ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(canonical id, canonical name) of each entity id."""
    e = t.entities
    canonical = aliased(e)
    query = select(e.c.id, canonical.c.id.label("cid"), canonical.c.name).select_from(
        e.join(canonical, canonical.c.id == e.c.canonical_id))
    return {r.id: (r.cid, r.name) for r in _rows(conn, query, e.c.id, ids)}


def _sources(conn: Connection, ids: Iterable[str], access: Access = EVERYTHING) -> dict[str, SourceFact]:
    s = t.sources.c
    rows = _rows(conn, select(s.id, s.name, s.reliability).where(*hidden_from(s.compartment, access)), s.id, ids)
    return {r.id: SourceFact(r.id, r.name, r.reliability or "") for r in rows}


def _documents(conn: Connection, ids: Iterable[str], access: Access = EVERYTHING) -> dict[str, DocumentFact]:
    d = t.documents.c
    query = select(d.id, d.title, d.source_id, d.cluster_id, func.coalesce(d.published_at, d.ingested_at)
                   .label("known_at")).where(*hidden_from(d.compartment, access))
    return {r.id: DocumentFact(r.id, r.title, r.source_id, _time(r.known_at), r.cluster_id)
            for r in _rows(conn, query, d.id, ids)}


# -- corrections of the cited events ----------------------------------------------------------------

def _key(r: Row[Any]) -> str:
    return event_key(r.document_id, r.trigger_start, r.trigger_end, r.type)


def _corrections(conn: Connection, ids_by_key: Mapping[str, str]) -> dict[str, list[Correction]]:
    """The corrections of the events read (``ids_by_key``: event id by annotation key), by event id, oldest
    first: one query by key."""
    found: dict[str, list[Correction]] = {}
    rows = _rows(conn, select(t.event_corrections), t.event_corrections.c.target, ids_by_key)
    for c in sorted((correction_of(r) for r in rows), key=lambda c: (c.at, c.id)):
        found.setdefault(ids_by_key[c.target.key], []).append(c)
    return found


def _corrected(e: EventFact, fixes: Sequence[Correction]) -> EventFact:
    """The event with its corrections' fields set (every correction, as :func:`model.annotations.corrected`
    folds them) and what they changed; as read when there are none."""
    if not fixes:
        return e
    now = e
    for c in fixes:
        now = now if c.rejected else _applied(now, c.changes)
    folded, last = state(fixes[-1].target.key, e.document.id, None, fixes), fixes[-1]
    original = Extracted(e.type, e.mode, e.actor, e.recipient, e.place, e.date, e.date_precision)
    changed = tuple(f for f in CORRECTABLE if _shown(getattr(original, f)) != _shown(getattr(now, f)))
    fact = CorrectionFact("rejected" if folded.rejected else "corrected", changed, original, folded.fields,
                          last.author, last.at, last.reason, f"/events/{e.id}#corrections")
    return replace(now, correction=fact)


def _shown(value: object) -> object:
    """A field's value as a reader tells it apart: a party by the entity it names (the report's words aside)."""
    return (value.entity_id or value.text) if isinstance(value, Party) else value


def _applied(e: EventFact, changes: Changes) -> EventFact:
    """One correction's fields set on an event (a new type clears the mode it does not give)."""
    out = replace(e, type=changes.type, mode=changes.mode) if changes.type is not None else (
        replace(e, mode=changes.mode) if changes.mode is not None else e)
    if changes.actor is not None:
        out = replace(out, actor=Party(changes.actor.text, changes.actor.canonical_id, changes.actor.name))
    if changes.recipient is not None:
        who = changes.recipient
        out = replace(out, recipient=Party(who.text, who.canonical_id, who.name))
    if changes.place is not None:
        p = changes.place
        out = replace(out, place=PlaceFact(p.name, p.country, p.admin1, p.precision))
    return replace(out, date=changes.date, date_precision="day") if changes.date is not None else out


# -- building the facts -----------------------------------------------------------------------------

def _event(r: Row[Any], entities: Mapping[str, tuple[str, str]], sources: Mapping[str, SourceFact]) -> EventFact:
    place = PlaceFact(r.place_name, r.place_country, r.place_admin1, r.place_precision) if r.place_name else None
    flags = tuple(name for name in ("negated", "hypothetical", "future", "reported") if getattr(r, name))
    return EventFact(
        id=r.id, document=DocumentFact(r.document_id, r.title, r.source_id, _time(r.known_at), r.cluster_id),
        type=r.type, mode=r.mode, date=_day(r.date) or date.min, date_precision=r.date_precision,
        actor=_party(r.actor_text, r.actor_entity_id, entities), place=place,
        recipient=_party(r.recipient_text, r.recipient_entity_id, entities),
        sentence=cut(r.snippet, r.end - r.start, r.trigger_start - r.start, r.trigger_end - r.start),
        source=sources.get(r.source_id) if r.source_id else None, flags=flags, anchor=f"ev-{r.id}")


def _claim(r: Row[Any], entities: Mapping[str, tuple[str, str]], sources: Mapping[str, SourceFact]) -> ClaimFact:
    speaker = _party(r.speaker_text, r.speaker_entity_id, entities) or Party("unnamed speaker", None, None)
    return ClaimFact(
        document=DocumentFact(r.document_id, r.title, r.source_id, _time(r.known_at), r.cluster_id), speaker=speaker,
        stance=r.stance, cue=r.cue, claimed_type=r.claimed_type,
        sentence=cut(r.snippet, r.end - r.start, r.content_start - r.start, r.content_end - r.start),
        source=sources.get(r.source_id) if r.source_id else None, content_start=r.content_start)


def cut(snippet: str | None, length: int, start: int, end: int) -> Sentence | None:
    """The sentence (``length`` characters, of which ``snippet`` holds the first ones) split around the marked
    span [start, end) — offsets relative to the sentence, clamped to what was read."""
    if snippet is None:
        return None
    text = snippet[:max(length, 0)]
    a = min(max(start, 0), len(text))
    b = min(max(end, a), len(text))
    return Sentence(text[:a], text[a:b], text[b:], length > len(text))


def _party(text: str | None, entity_id: str | None, entities: Mapping[str, tuple[str, str]]) -> Party | None:
    if not text and not entity_id:
        return None
    canonical = entities.get(entity_id) if entity_id else None
    if canonical is None:
        return Party(text or entity_id or "", None, None)
    return Party(text or canonical[1], canonical[0], canonical[1])


def _best_event(events: Sequence[EventFact], summary: str) -> EventFact | None:
    """The signal's best report: the event whose sentence is the signal's evidence, else the first read."""
    for e in events:
        if e.sentence is not None and " ".join(e.sentence.text.split()) == summary:
            return e
    return events[0] if events else None


def _best(sources: Sequence[SourceFact]) -> str:
    grades = [s.grade for s in sources if s.grade in Reliability.__members__]
    return min(grades, key=lambda g: rank(Reliability(g))) if grades else ""


def _attached_event(e: EventFact) -> EvidenceRow:
    sources = (e.source,) if e.source else ()
    return EvidenceRow(kind="event", indicator_id=ATTACHED, observed_on=e.date, known_at=e.document.known_at,
                       contribution=None, counted=False, strength=None, decay=None, note="",
                       summary=e.sentence.text if e.sentence else "", event=e, sources=sources,
                       best_grade=_best(sources), documents=(e.document,))


def _attached_missing(event_id: str) -> EvidenceRow:
    return EvidenceRow(kind="event", indicator_id=ATTACHED, observed_on=None, known_at=None, contribution=None,
                       counted=False, strength=None, decay=None, note=f"event {event_id} is no longer stored",
                       summary="")


def _attached_document(d: DocumentFact | None, document_id: str, sources: Mapping[str, SourceFact]) -> EvidenceRow:
    if d is None:
        return EvidenceRow(kind="document", indicator_id=ATTACHED, observed_on=None, known_at=None,
                           contribution=None, counted=False, strength=None, decay=None,
                           note=f"document {document_id} is not in the store", summary="")
    found = (sources[d.source_id],) if d.source_id is not None and d.source_id in sources else ()
    return EvidenceRow(kind="document", indicator_id=ATTACHED, observed_on=d.known_at.date() if d.known_at else None,
                       known_at=d.known_at, contribution=None, counted=False, strength=None, decay=None, note="",
                       summary=d.title or "", sources=found, best_grade=_best(found), documents=(d,))


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _time(value: Any) -> datetime | None:
    found = value if value is None or isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return found.replace(tzinfo=UTC) if found is not None and found.tzinfo is None else found


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None
