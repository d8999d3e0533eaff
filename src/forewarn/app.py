"""Workspace: the one composition root. The CLI, the web app and the tests all build one.

Every method returns data; nothing here prints or exits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from forewarn.accounts import Accounts
from forewarn.config import Settings
from forewarn.detect import catalog
from forewarn.detect.scenarios import default_scenarios, load_scenario
from forewarn.detect.service import (
    assess_scenario,
    assess_scenarios,
    read_scenarios,
    recent_surges,
    resolve,
    scenario_observations,
    test_scenario,
)
from forewarn.detect.types import (
    Observation,
    ScenarioChange,
    ScenarioRecord,
    ScenarioTest,
    ScenarioView,
)
from forewarn.errors import InvalidArgument, Issue, NotFound
from forewarn.export import write_plover_jsonl
from forewarn.ingest.normalise import os_location, text_location
from forewarn.ingest.pipeline import IngestInput, Ingestor, ProgressFn
from forewarn.ledger import append, lock
from forewarn.ledger.anchor import Anchor, make_anchor, read_anchor, write_anchor
from forewarn.ledger.autoanchor import attach as attach_anchors
from forewarn.ledger.keys import generate_key, load_signer, register_key
from forewarn.ledger.query import entries
from forewarn.ledger.verify import VerifyReport, verify
from forewarn.model import (
    Assessment,
    Disposition,
    Document,
    ExtractReport,
    IngestReport,
    IngestRun,
    LedgerEntry,
    Marking,
    Reliability,
    Scenario,
    Sighting,
    Source,
    SourceKind,
    Surge,
    WarningRecord,
    WarningState,
)
from forewarn.review import MARGIN_DAYS, PostMortem, ReplaySeries, postmortem, replay, window
from forewarn.sources.tabular import parse_column_map
from forewarn.store import SqlStore, open_store
from forewarn.store.query import DocumentQuery, EventQuery
from forewarn.store.records import DocumentExtraction, EntityMerge, EntityRecord, StoredEvent
from forewarn.warn import DeliveryReport, OutboxItem, WarningDesk

if TYPE_CHECKING:  # spaCy loads only when extraction runs
    from sqlalchemy import Connection

    from forewarn.ledger import Signer
    from forewarn.nlp.extract import Extractor
    from forewarn.nlp.gazetteer import Gazetteer
    from forewarn.nlp.runner import ProgressFn as ExtractProgress

Clock = Callable[[], datetime]
EXPORT_CHUNK = 500  # events exported per read of their documents


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DocumentView:
    document: Document
    sightings: tuple[Sighting, ...]
    cluster: tuple[Document, ...]  # all members of its duplicate cluster, itself included


@dataclass(frozen=True)
class RunView:
    run: IngestRun
    issues: tuple[Issue, ...]


class Workspace:
    def __init__(self, settings: Settings, store: SqlStore, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self._nlp: Extractor | None = None  # built on first use: loading the model takes seconds
        self._signer: Signer | None = None
        self.auto_anchors = attach_anchors(store, settings, clock)  # after each commit (forewarn.ledger.autoanchor)

    @classmethod
    def open(cls, settings: Settings, clock: Clock = utc_now) -> Workspace:
        return cls(settings, open_store(settings.database_url), clock)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def actor(self) -> str:
        return self.settings.resolved_actor()

    def acting_as(self, actor: str) -> Workspace:
        """A view of this workspace whose actions are recorded as ``actor`` (the web app's
        authenticated user). It shares the store: close the original, not the view. Ledger entries
        it makes are unsigned (signing keys belong to people at a terminal, not to the server)."""
        return Workspace(replace(self.settings, actor=actor, signing_key=""), self.store, self.clock)

    @property
    def accounts(self) -> Accounts:
        """Users, API tokens and browser sessions (``forewarn.accounts``)."""
        return Accounts(self.store, self.clock)

    # -- sources ---------------------------------------------------------------------------
    def add_source(self, name: str, location: str, *, kind: SourceKind = SourceKind.AUTO, source_id: str | None = None,
                   reliability: Reliability = Reliability.F, marking: Marking = Marking.CLEAR,
                   team: str | None = None, options: Mapping[str, str] | None = None) -> Source:
        where = text_location(_absolute(location))  # a path of any bytes, as text (forewarn.ingest.normalise)
        source = Source(id=source_id or slugify(name), kind=kind, name=name, location=where,
                        reliability=reliability, marking=marking, team=team,
                        options=tuple(sorted((options or {}).items())), created_at=self.clock())
        self.store.add_source(source)
        return source

    def sources(self) -> list[Source]:
        return self.store.list_sources()

    def remove_source(self, source_id: str) -> int:
        return self.store.remove_source(source_id)

    # -- ingest ----------------------------------------------------------------------------
    def ingest(self, targets: Sequence[str], *, kind: SourceKind = SourceKind.AUTO, include: Sequence[str] = (),
               exclude: Sequence[str] = (), column_map: Mapping[str, str] | None = None,
               options: Mapping[str, str] | None = None, progress: ProgressFn | None = None) -> IngestReport:
        """Ingest registered sources (by id) and/or paths and URLs. ``kind``, ``column_map`` and
        ``options`` apply to paths and URLs; a registered source brings its own."""
        if not targets:
            raise InvalidArgument("nothing to ingest", hint="name source ids, paths or URLs, or use --all")
        known = {s.id: s for s in self.sources()}
        inputs = [self._input(t, known, kind, include, exclude, column_map or {}, options or {}) for t in targets]
        report = self._ingestor().run(inputs, self.actor, progress)
        if self.settings.extract and (report.new or report.near_duplicate):  # a near-copy is a document too
            report = replace(report, extraction=self.extract())
        return report

    def ingest_all(self, progress: ProgressFn | None = None) -> IngestReport:
        """Ingest every registered source that has something to read (not the workbench's "web:"
        sources, whose documents are posted to it)."""
        sources = [s for s in self.sources() if not s.posted]
        if not sources:
            raise NotFound("no sources registered", hint="add one with `forewarn source add`")
        return self.ingest([s.id for s in sources], progress=progress)

    def _input(self, target: str, known: Mapping[str, Source], kind: SourceKind, include: Sequence[str],
               exclude: Sequence[str], column_map: Mapping[str, str], options: Mapping[str, str]) -> IngestInput:
        if target in known:
            return source_input(known[target])
        return IngestInput(location=target, kind=kind, include=tuple(include), exclude=tuple(exclude),
                           column_map=dict(column_map), options=dict(options))

    def _ingestor(self) -> Ingestor:
        return Ingestor(self.store, self.clock, self.settings)

    def runs(self, limit: int = 20) -> list[IngestRun]:
        return self.store.list_runs(limit)

    def run(self, run_id: int) -> RunView:
        return RunView(self.store.get_run(run_id), tuple(self.store.run_issues(run_id)))

    # -- documents -------------------------------------------------------------------------
    def documents(self, query: DocumentQuery) -> tuple[list[Document], int]:
        return self.store.find_documents(query), self.store.count_documents(query)

    def document(self, doc_id: str) -> DocumentView:
        doc = self.store.get_document(doc_id)
        return DocumentView(doc, tuple(self.store.sightings_of(doc.id)),
                            tuple(self.store.cluster_members(doc.cluster_id)))

    def stats(self) -> dict[str, Any]:
        return self.store.stats()

    # -- extraction ----------------------------------------------------------------------------
    def extract(self, *, document_ids: Sequence[str] = (), failed_only: bool = False, stale: bool = False,
                progress: ExtractProgress | None = None) -> ExtractReport:
        """Run extraction on the documents named (ids or unique prefixes), or else on every
        document not yet extracted or whose extraction failed; ``stale`` adds those extracted by
        another extractor version (after a model, lexicon or dictionary change); ``failed_only``
        retries the failed ones only."""
        from forewarn.nlp.runner import extract_documents

        if document_ids:
            ids = [self.store.get_document(d).id for d in document_ids]
        else:
            version = self._extractor().version if stale else None
            ids = self.store.documents_needing_extraction(version, only_failed=failed_only)
        return extract_documents(self.store, self.settings, self._extractor, ids, self.clock, progress)

    def _extractor(self) -> Extractor:
        if self._nlp is None:
            from forewarn.nlp.extract import shared_extractor

            self._nlp = shared_extractor(self.settings)
        return self._nlp

    # -- events and entities (stored extractions) ---------------------------------------------
    def events(self, query: EventQuery) -> list[StoredEvent]:
        return self.store.find_events(query)

    def count_events(self, query: EventQuery) -> int:
        return self.store.count_events(query)

    def extraction(self, doc_id: str) -> DocumentExtraction:
        """What extraction stored for a document (id or unique prefix)."""
        return self.store.extraction_of(self.store.get_document(doc_id).id)

    def entities(self, kind: str | None = None, search: str | None = None, limit: int = 100,
                 include_merged: bool = False) -> list[EntityRecord]:
        return self.store.list_entities(kind=kind, search=search, limit=limit, include_merged=include_merged)

    def entity(self, entity_id: str) -> EntityRecord:
        return self.store.get_entity(entity_id)

    def merges(self, entity_id: str | None = None, limit: int = 100) -> list[EntityMerge]:
        return self.store.list_merges(entity_id, limit)

    def merge_entities(self, from_id: str, into_id: str, note: str | None = None) -> EntityMerge:
        """Merge an entity into another; the merge log and its ledger entry (``entity-merged``, as
        this actor) commit together."""
        with self.store.transaction() as conn:
            merge_id = self.store.merge_entities(from_id, into_id, self.actor, self.clock(), note)
            self._append(conn, "entity-merged", f"entity:{from_id}", {"merge": merge_id, "into": into_id,
                                                                      "note": note})
        return self.store.get_merge(merge_id)

    def undo_merge(self, merge_id: int) -> EntityMerge:
        """Undo a merge, with its ledger entry (``entity-unmerged``) in the same transaction."""
        with self.store.transaction() as conn:
            merge = self.store.undo_merge(merge_id, self.actor, self.clock())
            self._append(conn, "entity-unmerged", f"entity:{merge.from_id}", {"merge": merge.id,
                                                                              "from": merge.into_id})
        return merge

    def edit_entity(self, entity_id: str, *, name: str | None = None, country: str | None = None,
                    sector: str | None = None, add_aliases: Sequence[str] = (),
                    remove_aliases: Sequence[str] = ()) -> EntityRecord:
        """Edit an entity, with its ledger entry (``entity-edited``, what changed) in the same transaction."""
        changes = {"name": name, "country": country, "sector": sector, "add_aliases": list(add_aliases),
                   "remove_aliases": list(remove_aliases)}
        with self.store.transaction() as conn:
            self.store.edit_entity(entity_id, actor=self.actor, now=self.clock(), name=name, country=country,
                                   sector=sector, add_aliases=add_aliases, remove_aliases=remove_aliases)
            self._append(conn, "entity-edited", f"entity:{entity_id}", {k: v for k, v in changes.items() if v})
        return self.store.get_entity(entity_id)

    def export_plover(self, out: IO[str], query: EventQuery) -> int:
        """Write the events matching ``query`` (its limit and offset apply) as PLOVER JSONL; returns the count."""
        events = self.store.find_events(query)
        written = 0
        for i in range(0, len(events), EXPORT_CHUNK):  # documents a chunk at a time: bounded memory
            chunk = events[i:i + EXPORT_CHUNK]
            documents = self.store.get_documents({e.document_id for e in chunk})
            written += write_plover_jsonl(chunk, documents.__getitem__, out)
        return written


    # -- ledger (forewarn.ledger) ---------------------------------------------------------------
    @property
    def signer(self) -> Signer | None:
        """This actor's Ed25519 signer when the `signing_key` setting names a key, else None."""
        if self._signer is None and self.settings.signing_key:
            from forewarn.ledger.keys import load_signer

            self._signer = load_signer(Path(self.settings.signing_key).expanduser())
        return self._signer

    def ledger_entries(self, *, kind: str | Sequence[str] | None = None, actor: str | None = None,
                       subject: str | None = None, since: datetime | None = None, until: datetime | None = None,
                       limit: int | None = None, offset: int = 0, newest_first: bool = False) -> list[LedgerEntry]:
        """Ledger entries, filtered; ``subject`` ending in ``:`` or ``*`` matches as a prefix ("warning:")."""

        return entries(self.store.engine, kind=kind, actor=actor, subject=subject, since=since, until=until,
                       limit=limit, offset=offset, newest_first=newest_first)

    def verify_ledger(self, anchor_path: Path | None = None) -> VerifyReport:
        """Recompute the chain, check it against an anchor file (when given) and the newest automatic
        anchor, and cross-check the state tables against it; the report lists every problem."""

        automatic = self.auto_anchors.reading()
        return verify(self.store, read_anchor(anchor_path) if anchor_path else None, auto_anchor=automatic.newest,
                      notes=automatic.notes)

    def anchor_ledger(self, out: Path | None = None) -> Anchor:
        """Verify the chain and anchor its head (signed with this actor's key, if one is set); written
        to ``out`` when given. Keep anchors away from the database."""

        anchor = make_anchor(self.store, at=self.clock(), actor=self.actor, signer=self.signer)
        if out is not None:
            write_anchor(out, anchor)
        return anchor

    def register_key(self, path: Path, *, generate: bool = False) -> str:
        """Register the Ed25519 key at ``path`` for this actor (``generate``: create the file first; an
        existing file is never overwritten) and return its key id. A further key for an actor who has
        one must be registered while signing_key names the current one."""

        path = path.expanduser()
        if generate:
            generate_key(path)
        try:
            key, current = load_signer(path), self.signer
            with self.store.transaction() as conn:
                register_key(conn, at=self.clock(), actor=self.actor, key=key, current=current)
        except BaseException:
            if generate:  # the file this call made is of no use unregistered
                path.unlink(missing_ok=True)
            raise
        return key.key_id

    def record(self, kind: str, subject: str, payload: dict[str, Any]) -> LedgerEntry:
        """Append a standalone entry (a comment, a note) now, as this actor, signed when a key is set."""

        with self.store.transaction() as conn:
            return self._append(conn, kind, subject, payload)

    def _append(self, conn: Connection, kind: str, subject: str, payload: dict[str, Any]) -> LedgerEntry:
        """Append an entry inside the caller's transaction, as this actor, signed when a key is set."""
        signer = self.signer
        lock(conn)  # then read the clock: appends stay in time order across processes
        return append(conn, at=self.clock(), actor=self.actor, kind=kind, subject=subject, payload=payload,
                      signer=signer)

    # -- scenarios and scoring (forewarn.detect) ------------------------------------------------

    def _gazetteer(self) -> Gazetteer:
        from forewarn.nlp.gazetteer import Gazetteer

        cache = self.settings.gazetteer_cache
        return Gazetteer.default(Path(cache).expanduser() if cache else None)

    def scenarios(self) -> list[Scenario]:
        """The scenarios this workspace watches (added and not removed), by id."""
        return [r.scenario for r in self.scenario_records()]

    def scenario_records(self, *, include_removed: bool = False) -> list[ScenarioRecord]:
        """The stored scenarios with their YAML, origin, and who added them when."""

        return catalog.records(self.store, self._gazetteer(), include_removed=include_removed)

    def scenario(self, scenario_id: str) -> Scenario:
        """A scenario this workspace watches; NotFound otherwise."""

        return catalog.record(self.store, scenario_id, self._gazetteer()).scenario

    def available_scenarios(self) -> list[Scenario]:
        """The default scenarios shipped with forewarn; `add_scenario(default=ID)` adds one."""

        return default_scenarios(gazetteer=self._gazetteer())

    def add_scenario(self, path: Path | None = None, *, default: str | None = None) -> Scenario:
        """Add (or update) the scenario of a YAML file or a default one; unchanged: nothing happens."""
        if (path is None) == (default is None):
            raise InvalidArgument("name a scenario file or a default scenario (one of them)")
        [change] = self.add_scenarios([path] if path else [], [default] if default else [])
        return change.scenario

    def add_scenarios(self, paths: Sequence[Path] = (), defaults: Sequence[str] = ()) -> list[ScenarioChange]:
        """Add scenario files and default scenarios; every one is validated before any is stored. Each
        change is a ledger entry (scenario-added, scenario-changed); an unchanged one has kind None."""

        found = read_scenarios(paths, defaults, self._gazetteer())
        return [catalog.save(self.store, s, text, at=self.clock(), actor=self.actor, signer=self.signer)
                for s, text in found]

    def add_scenario_text(self, text: str, origin: str) -> ScenarioChange:
        """Add (or update) the scenario written in ``text`` (YAML posted to the workbench, say);
        ``origin`` names it in messages and in its record."""

        scenario = load_scenario(text, origin, gazetteer=self._gazetteer())
        return catalog.save(self.store, scenario, text, at=self.clock(), actor=self.actor, signer=self.signer)

    def remove_scenario(self, scenario_id: str) -> Scenario:
        """Stop watching a scenario (ledger entry scenario-removed); its row and history stay."""

        return catalog.disable(self.store, scenario_id, at=self.clock(), actor=self.actor, signer=self.signer,
                               gazetteer=self._gazetteer()).scenario

    def scenario_observations(self, scenario: Scenario, until: datetime | None = None) -> list[Observation]:
        """The stored observations that can count for ``scenario`` at ``until`` (now when None)."""

        return scenario_observations(self.store, scenario, until=until, now=self.clock())

    def assess(self, scenario_id: str, at: datetime | None = None) -> Assessment:
        """The scenario's probability at ``at`` (now), with every signal's contribution. Stores nothing."""
        return assess_scenario(self.store, self.scenario(scenario_id), at or self.clock())

    def assess_all(self, at: datetime | None = None) -> list[tuple[Scenario, Assessment]]:
        """Every scenario of the workspace assessed at ``at`` (now), from one read of the store."""
        scenarios = self.scenarios()
        return list(zip(scenarios, assess_scenarios(self.store, scenarios, at or self.clock()), strict=True))

    def scenario_view(self, ref: str, at: datetime | None = None) -> ScenarioView:
        """A scenario (the workspace's, else a YAML file, else a default) with its assessment at ``at``."""

        scenario, record = resolve(self.store, ref, self._gazetteer())
        return ScenarioView(scenario, assess_scenario(self.store, scenario, at or self.clock()), record)

    def scenario_views(self, scenario_ids: Sequence[str] = (), at: datetime | None = None) -> list[ScenarioView]:
        """The named workspace scenarios (all when none named) assessed at ``at`` (now)."""

        when = at or self.clock()
        chosen = [self.scenario(i) for i in scenario_ids] if scenario_ids else self.scenarios()
        return [ScenarioView(s, assess_scenario(self.store, s, when)) for s in chosen]

    def test_scenario(self, ref: str | Scenario, at: datetime | None = None) -> ScenarioTest:
        """Which stored events match each indicator (whatever their age), and the signals they make now.
        ``ref``: a scenario, or a workspace id, a YAML file or a default id."""

        scenario = ref if not isinstance(ref, str) else resolve(self.store, ref, self._gazetteer())[0]
        return test_scenario(self.store, scenario, at or self.clock())

    def surges(self, at: datetime | None = None, days: int = 30) -> list[Surge]:
        """Surges (unusual daily counts per first-level region and event type) on the ``days`` days up to ``at``."""

        if days < 1:
            raise InvalidArgument(f"days must be at least 1, not {days}")
        return recent_surges(self.store, at or self.clock(), days)

    # -- warnings and notifications (forewarn.warn) ---------------------------------------------

    def _warning_desk(self) -> WarningDesk:
        return WarningDesk(self.store, self.settings, self.clock, self.actor, self.signer,
                           lambda scenario_id: self.scenario(scenario_id))

    def warnings(self, *, states: Sequence[WarningState | str] = ("raised", "acknowledged"),
                 scenario_id: str | None = None, limit: int = 100) -> list[WarningRecord]:
        """The board: escalated warnings first, then by severity (critical, high, elevated), then oldest first."""

        return self._warning_desk().board([WarningState(s) for s in states], scenario_id, limit)

    def warning(self, warning_id: int) -> WarningRecord:
        return self._warning_desk().get(warning_id)

    def warning_history(self, warning_id: int) -> list[LedgerEntry]:
        """The warning's ledger entries (raised, acknowledged, escalated, disposed, reopened …), oldest first."""
        return self._warning_desk().history(warning_id)

    def raise_warning(self, title: str, text: str, severity: str, *, scenario_id: str | None = None,
                      partner: str | None = None, partner_ref: str | None = None, document_ids: Sequence[str] = (),
                      event_ids: Sequence[str] = (), owner: str | None = None, at: datetime | None = None
                      ) -> WarningRecord:
        """Raise a warning by hand (origin person), or record one received from ``partner`` (origin partner)."""
        return self._warning_desk().raise_warning(
            title, text, severity, scenario_id=scenario_id, partner=partner, partner_ref=partner_ref,
            document_ids=document_ids, event_ids=event_ids, owner=owner, at=at)

    def acknowledge(self, warning_id: int, note: str | None = None) -> WarningRecord:
        return self._warning_desk().acknowledge(warning_id, note)

    def dispose(self, warning_id: int, disposition: Disposition | str, rationale: str | None,
                signposts: Sequence[str] = ()) -> WarningRecord:
        """Close a warning as acted-on, dismissed (a rationale is required) or superseded."""
        return self._warning_desk().dispose(warning_id, disposition, rationale, signposts)

    def escalate(self, warning_id: int, reason: str) -> WarningRecord:
        """Hand an open warning to the next person in its chain, now."""
        return self._warning_desk().escalate(warning_id, reason)

    def escalate_due(self) -> list[WarningRecord]:
        """Escalate every unacknowledged warning whose deadline has passed, one step each."""
        return self._warning_desk().escalate_due()

    def react(self, scenario: Scenario, assessment: Assessment, previous_level: str | None) -> list[WarningRecord]:
        """Raise a warning on an upward threshold crossing; reopen dismissed warnings that new evidence matches."""
        return self._warning_desk().react(scenario, assessment, previous_level)

    def deliver_notifications(self) -> DeliveryReport:
        """Send the notifications due now (webhook, e-mail); failures stay queued with back-off."""
        return self._warning_desk().deliver()

    def outbox(self, status: str | None = None, limit: int = 100) -> list[OutboxItem]:
        return self._warning_desk().outbox(status, limit)

    def retry_delivery(self, outbox_id: int) -> OutboxItem:
        return self._warning_desk().retry(outbox_id)

    # -- replay and post-mortem (forewarn.review) -----------------------------------------------

    def replay(self, scenario_id: str, start: datetime, end: datetime, step: timedelta | str = "1d"
               ) -> ReplaySeries:
        """The scenario recomputed at ``start``, ``start + step`` … ``end``, each time from what was published
        before that time (no look-ahead), with the scenario's stored warnings for charts. Reads only."""

        scenario = self.scenario(scenario_id)
        observations = self._review_observations(scenario, end)
        return replay(scenario, observations, start, end, step, warnings=self._scenario_warnings(scenario_id))

    def postmortem(self, scenario_id: str, event: date | datetime, *, margin_days: int | None = None,
                   with_replay: bool = False, step: timedelta | str = "1d", at: datetime | None = None
                   ) -> PostMortem:
        """What was known and done before an event (a date: midnight UTC): first signal, first warning, lead
        time, who acknowledged or disposed of what when, and where the chain broke. ``with_replay`` adds the
        replay of the window (for the chart). Reads only; ``at`` (default: now) dates the report."""

        scenario = self.scenario(scenario_id)
        margin = MARGIN_DAYS if margin_days is None else margin_days
        start, event_at = window(scenario, event, margin)
        observations = self._review_observations(scenario, event_at)
        warnings = self._scenario_warnings(scenario_id)
        histories = {w.id: self.warning_history(w.id) for w in warnings if w.raised_at < event_at}
        documents = self.store.count_documents(DocumentQuery(since=start, until=event_at))
        series = replay(scenario, observations, start, event_at, step, warnings=warnings) if with_replay else None
        return postmortem(scenario, event_at, observations, warnings, histories, documents, at or self.clock(),
                          margin_days=margin, series=series)

    def _review_observations(self, scenario: Scenario, until: datetime) -> list[Observation]:
        """Every stored observation of the scenario known by ``until``, however old: the early steps of a
        replay and the start of a post-mortem's window lie before the live assessment's look-back."""

        return scenario_observations(self.store, scenario, until=until, now=until, everything=True)

    def _scenario_warnings(self, scenario_id: str) -> list[WarningRecord]:
        return self.warnings(states=tuple(WarningState), scenario_id=scenario_id, limit=100_000)


def source_input(source: Source) -> IngestInput:
    opts = dict(source.options)
    return IngestInput(
        location=os_location(source.location), kind=source.kind, source=source,  # stored as text (any bytes)
        include=_split(opts.pop("include", "")), exclude=_split(opts.pop("exclude", "")),
        column_map=parse_map(opts.pop("map", "")), options=opts,
    )


def parse_map(spec: str) -> dict[str, str]:
    """``text=body,date=published`` → {"text": "body", "date": "published"}."""
    return parse_column_map(spec) if spec.strip() else {}


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64]
    if not slug:
        raise InvalidArgument(f"cannot make an id from {name!r}", hint="pass --id")
    return slug


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _absolute(location: str) -> str:
    if re.match(r"^https?://", location):
        return location
    return str(Path(location).expanduser().resolve())
