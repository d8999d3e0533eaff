"""The read services: every read of stored documents, runs, events and entities goes through
:class:`Reads`, which knows who is asking (the principal the workspace acts for). This is the one
place a later access rule (teams, compartments, markings) is applied on the read path."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property, partial
from typing import IO, Any, Literal

from forewarn.errors import Issue
from forewarn.formats.base import Chunk
from forewarn.formats.plover import PloverWriter
from forewarn.geo.gazetteer import Gazetteer
from forewarn.model import Document, IngestRun, Principal, Source, WarningRecord
from forewarn.model.annotations import CorrectionState, Tag, TargetKind
from forewarn.model.clock import utc_now
from forewarn.model.marking import Access, Compartment
from forewarn.model.query import DocumentQuery, EventQuery
from forewarn.model.records import DocumentExtraction, DocumentView, EntityMerge, EntityRecord, RunView, StoredEvent
from forewarn.model.scenario import Region
from forewarn.nlp.translate import Translator, english_reading
from forewarn.reads import ach
from forewarn.reads import entities as ent
from forewarn.reads import evidence as evi
from forewarn.reads import notes as ann
from forewarn.reads.documents import DocumentDetail, DocumentList, cluster_of, find_documents, with_forms
from forewarn.reads.entity_noise import gazetteer_check
from forewarn.reads.events import (
    EventFilter,
    EventList,
    Scope,
    daily_counts,
    evidence,
    get_event,
    guess_first_page,
    listing,
    scope,
    window,
)
from forewarn.reads.explorer import (
    Explorer,
    MapData,
    MapView,
    day_type_region_counts,
    explorer_counts,
    map_data,
    map_view,
    region_where,
)
from forewarn.reads.export import export_chunks, write
from forewarn.reads.feed import FIRST_VISIT, Feed, FeedQuery, count_new, mark_of, newest_known
from forewarn.reads.feed import feed as feed_page
from forewarn.reads.listing import Listing
from forewarn.reads.scores import ScoreBoard, scoreboard
from forewarn.reads.taxii import TaxiiReads
from forewarn.runtime import collector_paused
from forewarn.store import SqlStore
from forewarn.store.core import reads_beside, side_by_side

EventRole = Literal["actor", "recipient", "any"]

EXPORT_CHUNK = 2000  # events per export chunk: one read of events, of their documents, of their claims
Read = tuple[str, str, int | None]  # (kind, id, compartment id) of an object read: what the read audit records


@dataclass(frozen=True)
class Reads:
    store: SqlStore
    who: Principal
    translator: Translator | None = None  # the workspace's machine translator (setting ``translator``), if any
    translator_name: str = ""
    # the read audit's clock: real time (who read what when, even in a workspace living in its own time)
    now: Callable[[], datetime] = utc_now

    @cached_property
    def access(self) -> Access:
        """What the asker may see (its teams, the compartments hidden from it), resolved once per request."""
        return self.store.access(self.who)

    def _marked(self, items: Iterable[Read]) -> dict[int, Compartment]:
        """The compartments of the objects read (by id), the restricted ones (AMBER and up) recorded in the read
        audit: one read of compartments and at most one insert; nothing at all when every object is open."""
        read = [x for x in items if x[2] is not None]
        if not read:
            return {}
        found = self.store.compartments(x[2] for x in read)
        audited = [(k, i, c) for k, i, c in read if c is not None and c in found and found[c].restricted]
        if audited and not self.access.everything:
            self.store.record_reads(self.access, audited, via=self.who.kind.value, at=self.now())
        return found

    def _labels(self, items: Iterable[Read]) -> dict[int, str]:
        """The marking labels of the objects read (by compartment id), their reads audited."""
        return {i: c.label for i, c in self._marked(items).items()}

    # -- documents and runs ----------------------------------------------------------------------
    def documents(self, query: DocumentQuery) -> tuple[list[Document], int]:
        """A page of documents and the total; a Cyrillic search word is searched in all its forms (``with_forms``)."""
        q = with_forms(query)
        found = self.store.find_documents(q, self.access)
        self._marked(("document", d.id, d.compartment_id) for d in found)
        return found, self.store.count_documents(q, self.access)

    def count_documents(self, start: datetime, end: datetime) -> int:
        """Documents published in [start, end)."""
        return self.store.count_documents(DocumentQuery(since=start, until=end), self.access)

    def document(self, doc_id: str) -> DocumentView:
        """A document (id or unique prefix) with its sightings and duplicate cluster."""
        doc = self.store.get_document(doc_id, self.access)
        self._marked([("document", doc.id, doc.compartment_id)])
        return DocumentView(doc, tuple(self.store.sightings_of(doc.id, self.access)),
                            tuple(self.store.cluster_members(doc.cluster_id, self.access)))

    def document_list(self, q: DocumentQuery) -> DocumentList:
        """A page of documents without their texts (the list of the workbench and the API)."""
        found = find_documents(self.store.engine, with_forms(q), access=self.access)
        self._marked(("document", d.id, d.compartment_id) for d in found.documents)
        return found

    def document_detail(self, doc_id: str) -> DocumentDetail:
        """A document (id or unique prefix) as the reader shows it: its extraction and the evidence of
        its events, its sightings and the sources, its cluster's size and first members, its marking."""
        doc = self.store.get_document(doc_id, self.access)
        x = self.store.extraction_of(doc.id, self.access)
        size, members = cluster_of(self.store.engine, doc.cluster_id, access=self.access)
        labels = self._labels([("document", doc.id, doc.compartment_id)])
        return DocumentDetail(doc, x, evidence(self.store.engine, x.events),
                              tuple(self.store.sightings_of(doc.id, self.access)),
                              {s.id: s for s in self.sources()},
                              size, members, english_reading(self.translator, self.translator_name, doc.text,
                                                             doc.language),
                              labels.get(doc.compartment_id or 0, doc.marking))

    def sources(self) -> list[Source]:
        """The registered sources the asker may see (a hidden source's name and location are not shown)."""
        return [s for s in self.store.list_sources() if self.access.sees(s.compartment_id)]

    def runs(self, limit: int = 20) -> list[IngestRun]:
        return self.store.list_runs(limit, access=self.access)

    def run(self, run_id: int) -> RunView:
        return RunView(self.store.get_run(run_id, self.access), tuple(self.store.run_issues(run_id)))

    def run_list(self, limit: int, offset: int) -> Listing[IngestRun]:
        """A page of ingest runs, newest first (a run that brought in holdings hidden from the asker is hidden)."""
        return Listing(tuple(self.store.list_runs(limit, offset, self.access)), self.store.count_runs(self.access))

    def run_issues(self, run_id: int, limit: int, offset: int) -> tuple[IngestRun, Listing[Issue]]:
        """A run (NotFound when there is none, or it is hidden) and a page of its issues."""
        run = self.store.get_run(run_id, self.access)
        issues = tuple(self.store.run_issues(run_id, limit, offset))
        return run, Listing(issues, self.store.count_run_issues(run_id))

    def stats(self) -> dict[str, Any]:
        return self.store.stats(self.access)

    # -- extractions -----------------------------------------------------------------------------
    def events(self, query: EventQuery) -> list[StoredEvent]:
        found = self.store.find_events(query, self.access)
        self._marked(("event", e.id, e.compartment_id) for e in found)
        return found

    def count_events(self, query: EventQuery) -> int:
        return self.store.count_events(query, self.access)

    def extraction(self, doc_id: str) -> DocumentExtraction:
        """What extraction stored for a document (id or unique prefix)."""
        doc = self.store.get_document(doc_id, self.access)
        self._marked([("document", doc.id, doc.compartment_id)])
        return self.store.extraction_of(doc.id, self.access)

    def entities(self, kind: str | None = None, search: str | None = None, limit: int = 100,
                 include_merged: bool = False) -> list[EntityRecord]:
        return self.store.list_entities(kind=kind, search=search, limit=limit, include_merged=include_merged,
                                        access=self.access)

    def entity(self, entity_id: str) -> EntityRecord:
        return self.store.get_entity(entity_id, self.access)

    def merges(self, entity_id: str | None = None, limit: int = 100) -> list[EntityMerge]:
        return self.store.list_merges(entity_id, limit, self.access)

    # -- the events explorer and API (filters resolved once per view, counts in SQL) --------------------
    def event_list(self, f: EventFilter, limit: int, offset: int) -> EventList:
        """A page of the filtered events, newest first, with their evidence and total."""
        sc = scope(self.store.engine, f.query, f.bbox, self.access)
        return self._listed(listing(self.store.engine, sc, daily_counts(self.store.engine, sc), limit, offset))

    def _listed(self, found: EventList) -> EventList:
        """The page with its events' marking labels (their reads audited)."""
        labels = self._labels(("event", e.id, e.compartment_id) for e in found.events)
        return replace(found, markings={e.id: labels[e.compartment_id] for e in found.events
                                        if e.compartment_id in labels}) if labels else found

    def event_days(self, f: EventFilter) -> list[tuple[date, int]]:
        """The filtered events per day."""
        return daily_counts(self.store.engine, scope(self.store.engine, f.query, f.bbox, self.access))

    def event_map(self, f: EventFilter) -> MapData:
        """The filtered events on a grid (over their box when the filter has none)."""
        return map_data(self.store.engine, scope(self.store.engine, f.query, f.bbox, self.access))

    def event(self, event_id: str) -> EventList:
        """One event (NotFound when there is none) with its evidence: a list of one."""
        found = get_event(self.store.engine, event_id, self.access)
        return self._listed(EventList((found,), evidence(self.store.engine, [found]), 1))

    # -- notes, tags and corrections (issue 16) ---------------------------------------------
    def document_annotations(self, doc_id: str) -> ann.DocumentAnnotations:
        """A document's notes and tags, its events' notes, tags and corrections, and its orphaned corrections."""
        doc = self.store.get_document(doc_id, self.access)
        return ann.document_annotations(self.store.engine, doc.id, self.store.extraction_of(doc.id, self.access).events,
                                        self.access)

    def detail_annotations(self, found: DocumentDetail) -> ann.DocumentAnnotations:
        """:meth:`document_annotations` of a document this asker has read (:meth:`document_detail`): not read again."""
        return ann.document_annotations(self.store.engine, found.document.id, found.extraction.events, self.access)

    def event_annotations(self, event_id: str) -> ann.EventAnnotations:
        """One event (NotFound when there is none) with its notes, tags and corrections."""
        found = get_event(self.store.engine, event_id, self.access)
        labels = self._labels([("event", found.id, found.compartment_id)])
        return replace(ann.event_annotations(self.store.engine, found, self.access),
                       marking=labels.get(found.compartment_id or 0, Compartment().label))

    def event_corrections(self, event_id: str) -> CorrectionState | None:
        """The corrections of one event, folded (None when it has none)."""
        return self.event_annotations(event_id).corrections

    def corrections_of(self, events: Sequence[StoredEvent]) -> dict[str, CorrectionState]:
        """The corrections of a page of events, by event id (a list marks the corrected ones)."""
        return ann.corrections_of(self.store.engine, events)

    def tagged(self, kind: TargetKind | str, tag: str, limit: int, offset: int) -> Listing[Tag]:
        """The documents or events carrying a tag (normalised as stored), newest tagging first."""
        return ann.tagged(self.store.engine, kind, tag, limit, offset, self.access)

    def explore(self, f: EventFilter, limit: int, offset: int) -> Explorer:
        """The explorer's view; a filter without dates opens on the latest days holding filtered events
        (a million events are not one page's work)."""
        engine = self.store.engine
        sc, found = self._windowed(f)
        reads: list[Callable[[], Any]] = [partial(day_type_region_counts, engine, sc)]  # the page's long read
        if offset == 0 and reads_beside(engine):  # and beside it the page it most likely shows
            reads.append(partial(guess_first_page, engine, sc, limit))
        (counted, regions), *guessed = side_by_side(engine, reads)
        days, by_type, unplaced = explorer_counts(counted)
        listed = listing(engine, sc, days, limit, offset, guessed[0] if guessed else None)
        return Explorer(found, tuple(days), self._listed(listed), tuple(by_type), tuple(regions), unplaced)

    @collector_paused()
    def event_map_view(self, f: EventFilter, region: Region | None = None) -> MapView:
        """The map page's data: the filtered events per grid cell and day (over the latest days, as the
        explorer, when the filter names no dates), within a scenario's ``region`` when given. The collector
        waits meanwhile: a month's map at 10 M events builds some 28,000 rows, cells and points, which set off
        40 collections a request, and a full one every third (14 ms each)."""
        sc, found = self._windowed(f)
        where, box = region_where(region) if region is not None else ((), None)
        return replace(map_view(self.store.engine, sc, region=box, where=where), window=found)

    def _windowed(self, f: EventFilter) -> tuple[Scope, tuple[date, date] | None]:
        """The filter's scope, held to the latest days holding filtered events when it names no dates, and
        those days (None: it named dates, or there are no events)."""
        engine = self.store.engine
        sc = scope(engine, f.query, f.bbox, self.access)
        found = None if f.dated else window(engine, sc)
        return (sc.dated(*found), found) if found else (sc, found)

    # -- the entity pages and API -------------------------------------------------------------------------
    def entity_list(self, kind: str | None, search: str | None, limit: int, offset: int, *, sort: str = "activity",
                    show_all: bool = False, places: Gazetteer | None = None) -> ent.EntityListing:
        """Unmerged entities, most active first (or by name), extraction noise hidden unless ``show_all``
        (``places``: persons named as a known place are noise), with merge suggestions."""
        return ent.find_entities(self.store.engine, kind=kind, search=search, limit=limit, offset=offset, sort=sort,
                                 show_all=show_all, is_place=gazetteer_check(places) if places else None,
                                 access=self.access)

    def entity_info(self, entity_id: str) -> ent.EntityInfo:
        """One entity with its aliases, canonical entity and merged members."""
        return ent.get_entity(self.store.engine, entity_id, self.access)

    def entity_events(self, entity_id: str, role: EventRole, limit: int, offset: int) -> EventList:
        """The events the entity's merge group takes part in as ``role`` (NotFound for no entity)."""
        ent.get_entity(self.store.engine, entity_id, self.access)
        return self._listed(ent.entity_events(self.store.engine, entity_id, role, limit=limit, offset=offset,
                                              access=self.access))

    def cooccurring(self, entity_id: str, limit: int) -> list[ent.Neighbour]:
        """The entities seen most with this one."""
        ent.get_entity(self.store.engine, entity_id, self.access)
        return ent.cooccurring(self.store.engine, entity_id, limit, self.access)

    def entity_page(self, entity_id: str, events: int) -> ent.EntityPage:
        """An entity with its daily activity per role, its latest ``events`` and its neighbours."""
        engine = self.store.engine
        x, a = ent.get_entity(engine, entity_id, self.access), self.access
        return ent.EntityPage(x, tuple(ent.entity_daily(engine, x.id, "actor", a)),
                              tuple(ent.entity_daily(engine, x.id, "recipient", a)),
                              self._listed(ent.entity_events(engine, x.id, "any", limit=events, offset=0, access=a)),
                              tuple(ent.cooccurring(engine, x.id, access=a)))

    # -- the live feed ------------------------------------------------------------
    def feed(self, q: FeedQuery, now: datetime, published: bool = False) -> Feed:
        """A page of the live feed as known at ``now``, new items being those after the asker's mark
        (``published``: documents known by publication time, not ingest time)."""
        with self.store.engine.connect() as conn:
            mark = mark_of(conn, self.who.name)
        return feed_page(self.store.engine, q, now, mark, published, self.access)

    def feed_new(self, now: datetime, published: bool = False) -> int:
        """How many items are new to the asker (capped: see ``forewarn.reads.feed.COUNT_CAP``)."""
        with self.store.engine.connect() as conn:
            mark = mark_of(conn, self.who.name)
            return count_new(conn, now, mark if mark is not None else now - FIRST_VISIT, published, self.access)

    def feed_mark(self) -> datetime | None:
        """The newest feed item the asker has seen (None: never visited)."""
        with self.store.engine.connect() as conn:
            return mark_of(conn, self.who.name)

    def feed_newest(self, now: datetime, published: bool = False) -> datetime | None:
        """When the newest item known by ``now`` became known."""
        with self.store.engine.connect() as conn:
            return newest_known(conn, now, published, self.access)

    def export_plover(self, out: IO[str], query: EventQuery) -> int:
        """Write the events matching ``query`` (its limit and offset apply) as PLOVER JSONL, each with its
        document's claims and its marking label; returns the count. Only the events (and claims) the asker may
        see; the restricted ones exported are recorded in the read audit."""
        return write(PloverWriter(), out, self.export_chunks(query))

    def export_chunks(self, query: EventQuery, chunk: int = EXPORT_CHUNK) -> Iterator[Chunk]:
        """The events matching ``query`` (its filters, offset and limit) in (date, id) order, ``chunk`` at a time,
        each chunk with the documents, claims, sources and compartments they cite (:mod:`forewarn.reads.export`):
        only what the asker may see, the restricted events read recorded in the read audit. Streams: one chunk in
        memory at a time, however many events match."""
        visible = {s.id: s for s in self.sources()}
        return export_chunks(self.store, query, self.access, visible, self._marked, chunk)

    # -- scores of resolved judgments ----------------------------------------------------
    def scores(self, now: datetime, bins: int = 10) -> ScoreBoard:
        """The leaderboard, calibration and aggregation of the questions resolved by ``now``, as the asker may
        see them (:mod:`forewarn.reads.scores`)."""
        with self.store.engine.connect() as conn:
            return scoreboard(conn, self.who, now, bins, self.access)

    # -- readable evidence (issue 16, item 4) --------------------------------------------------------------
    def signal_evidence(self, signals: Sequence[Mapping[str, Any]], names: Mapping[str, str],
                        uncounted: int = evi.UNCOUNTED_ROWS, *, seen: bool = False) -> list[evi.EvidenceGroup]:
        """An assessment's stored signals as readable rows grouped by indicator (``names``: indicator names);
        ``seen``: they are those the scenario desk already let the asker see (not checked again)."""
        with self.store.engine.connect() as conn:
            return evi.signal_groups(conn, signals, names, uncounted, self.access, seen)

    def visible_signals(self, signals: Sequence[Mapping[str, Any]]) -> tuple[list[Mapping[str, Any]], int]:
        """The signals the asker may see, and how many cite holdings it may not see (shown only as a count)."""
        with self.store.engine.connect() as conn:
            return evi.visible_signals(conn, signals, self.access)

    def warning_evidence(self, w: WarningRecord, names: Mapping[str, str]) -> list[evi.EvidenceGroup]:
        """A warning's evidence as readable rows: the signals that raised it, then what was attached."""
        with self.store.engine.connect() as conn:
            return evi.warning_groups(conn, w, names, self.access)

    # -- competing hypotheses (issue 17) ---------------------------------------------------------------
    def ach_evidence(self, ref: str) -> ach.Found:
        """A document, event, claim or note cited in a competing-hypotheses matrix: its title or sentence, its
        source's grade and its page (AchInvalid when ``ref`` names none)."""
        with self.store.engine.connect() as conn:
            return ach.resolve(conn, ref, self.access)

    # -- the TAXII 2.1 server (issue 19) ----------------------------------------------------------------
    def taxii(self) -> TaxiiReads:
        """The TAXII collections and their STIX objects as the asker may read them (:mod:`forewarn.reads.taxii`)."""
        return TaxiiReads(self.store, self.access, self._marked, self.sources)
