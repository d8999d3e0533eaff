"""Scenarios as a service of the Workspace (``ws.scenarios``): the catalogue of watched scenarios,
their assessments (computed now, or as published), tests of their indicators and surges, and the views
the scenario pages and the scenarios API render (each built once here, from STORED assessments: a view
never re-assesses over the store). Time comes in as an argument or from the workspace's clock; writes
are ledgered as the acting principal. "Latest" means what :mod:`forewarn.detect.assessments` says."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from forewarn.config import Settings
from forewarn.detect import assessments, catalog, warned
from forewarn.detect.assessments import Published, Series
from forewarn.detect.evidence import DocumentBrief, documents_brief
from forewarn.detect.scenarios import default_scenarios, load_scenario
from forewarn.detect.service import (
    assess_scenario,
    assess_scenarios,
    claims_and_stories,
    narrowed_observations,
    read_scenarios,
    recent_surges,
    resolve,
    scenario_observations,
    test_scenario,
)
from forewarn.detect.shown import shown_assessment, shown_signals, shown_test
from forewarn.detect.types import (
    Heard,
    Observation,
    ScenarioChange,
    ScenarioRecord,
    ScenarioTest,
    ScenarioView,
    WholeRead,
)
from forewarn.detect.warned import WarningLine
from forewarn.errors import InvalidArgument, NotFound
from forewarn.ledger.service import LedgerService
from forewarn.model import Assessment, Principal, Scenario, StoredAssessment, Surge
from forewarn.model.marking import EVERYTHING, Access, Compartment
from forewarn.store import SqlStore

if TYPE_CHECKING:
    from forewarn.geo.gazetteer import Gazetteer

EVIDENCE_DOCUMENTS = 3  # documents of each signal a scenario's page names


@dataclass(frozen=True, slots=True)
class ScenarioLine:
    """A scenario as the list shows it (the page and the API alike)."""

    record: ScenarioRecord
    latest: StoredAssessment | None  # its latest stored assessment (None before the first cycle)
    open_warnings: int
    hidden: int = 0  # signals of ``latest`` from holdings the reader may not see (left out of its signals)


@dataclass(frozen=True, slots=True)
class ScenarioPage:
    """What one scenario's page shows: its latest assessment with its signals, the probability over
    a range of days up to now, its latest warnings and the documents its signals cite."""

    record: ScenarioRecord
    last: StoredAssessment | None
    series: Series | None  # None before the first assessment
    end: datetime  # where the chart ends: now, or the latest assessment when that is later
    warnings: list[WarningLine]
    recent: dict[str, list[Mapping[str, Any]]]  # the signals of ``last`` by indicator, newest first
    documents: dict[str, DocumentBrief]  # those the first few of each indicator's recent signals cite
    hidden: int = 0  # signals of ``last`` from holdings the reader may not see (left out of its signals)


def newest_by_indicator(signals: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Signals by indicator, the newest observed first (then the latest known; then counted ones, strongest first)."""
    found: dict[str, list[Mapping[str, Any]]] = {}
    strongest = sorted(signals, key=lambda x: (not x.get("counted"), -abs(float(x.get("contribution") or 0))))
    for sig in sorted(strongest, key=lambda x: (str(x.get("observed_on", "")), str(x.get("known_at", ""))),
                      reverse=True):
        found.setdefault(str(sig.get("indicator_id", "")), []).append(sig)
    return found


@dataclass
class ScenarioDesk:
    store: SqlStore
    settings: Settings
    clock: Callable[[], datetime]
    who: Principal
    ledger: LedgerService
    access: Callable[[], Access] = lambda: EVERYTHING  # what the reader may see (scoring sees everything)

    @cached_property
    def gazetteer(self) -> Gazetteer:
        from forewarn.geo.gazetteer import Gazetteer

        return Gazetteer.default(self.settings.gazetteer_cache)

    # -- the catalogue ---------------------------------------------------------------------------
    def all(self) -> list[Scenario]:
        """The scenarios this workspace watches (added and not removed), by id."""
        return [r.scenario for r in self.records()]

    def records(self, *, include_removed: bool = False) -> list[ScenarioRecord]:
        """The stored scenarios with their YAML, origin, and who added them when."""
        return catalog.records(self.store, self.gazetteer, include_removed=include_removed, access=self.access())

    def get(self, scenario_id: str) -> Scenario:
        """A scenario this workspace watches that the asker may see; NotFound otherwise."""
        return catalog.record(self.store, scenario_id, self.gazetteer, access=self.access()).scenario

    def compartment(self, scenario_id: str) -> int | None:
        """The compartment id of a stored scenario (None: open), for what derives from it (its warnings)."""
        with self.store.engine.connect() as conn:
            return conn.execute(catalog.select(catalog.S.c.compartment).where(catalog.S.c.id == scenario_id)).scalar()

    def available(self) -> list[Scenario]:
        """The default scenarios shipped with forewarn; `add(default=ID)` adds one."""
        return default_scenarios(gazetteer=self.gazetteer)

    def add(self, path: Path | None = None, *, default: str | None = None,
            compartment: Compartment | None = None) -> Scenario:
        """Add (or update) the scenario of a YAML file or a default one; unchanged: nothing happens."""
        if (path is None) == (default is None):
            raise InvalidArgument("name a scenario file or a default scenario (one of them)")
        [change] = self.add_many([path] if path else [], [default] if default else [], compartment=compartment)
        return change.scenario

    def add_many(self, paths: Sequence[Path] = (), defaults: Sequence[str] = (), *,
                 compartment: Compartment | None = None) -> list[ScenarioChange]:
        """Add scenario files and default scenarios (in ``compartment``: who may see them, their assessments
        and warnings; None: open, or as stored); every one is validated before any is stored. Each change is a
        ledger entry (scenario-added, scenario-changed); an unchanged one has kind None."""
        found = read_scenarios(paths, defaults, self.gazetteer)
        return [self._save(s, text, compartment) for s, text in found]

    def add_text(self, text: str, origin: str, compartment: Compartment | None = None) -> ScenarioChange:
        """Add (or update) the scenario written in ``text`` (YAML posted to the workbench, say);
        ``origin`` names it in messages and in its record."""
        return self._save(load_scenario(text, origin, gazetteer=self.gazetteer), text, compartment)

    def remove(self, scenario_id: str) -> Scenario:
        """Stop watching a scenario (ledger entry scenario-removed); its row and history stay."""
        return catalog.disable(self.store, scenario_id, at=self.clock(), actor=self.who.name,
                               signer=self.ledger.signer, gazetteer=self.gazetteer, access=self.access()).scenario

    def _save(self, scenario: Scenario, text: str, compartment: Compartment | None = None) -> ScenarioChange:
        return catalog.save(self.store, scenario, text, at=self.clock(), actor=self.who.name,
                            signer=self.ledger.signer, compartment=compartment, access=self.access())

    # -- assessments -----------------------------------------------------------------------------
    def observations(self, scenario: Scenario, until: datetime | None = None, *, start: datetime | None = None,
                     history: bool = False) -> list[Observation]:
        """The stored observations that can count for ``scenario`` at ``until`` (now when None); ``start``: at
        every time from then to ``until`` (a replay's, a post-mortem's); ``history``: each version of a corrected
        event, for a replay's steps."""
        return scenario_observations(self.store, scenario, until=until, now=until or self.clock(), start=start,
                                     history=history)

    def narrowed(self, scenario: Scenario, until: datetime, start: datetime
                 ) -> tuple[list[Observation], WholeRead] | None:
        """Of :meth:`observations` from ``start`` to ``until`` (every version), those an indicator can match, and
        what a review needs of the rest (:mod:`forewarn.detect.narrow`); None where that cannot be exact."""
        return narrowed_observations(self.store, scenario, until=until, start=start)

    def claims_and_stories(self, scenario: Scenario, until: datetime, start: datetime | None = None) -> Heard:
        """The stored claims and the stories the scenario's indicators read at each time from ``start`` (``until``
        when None) to ``until``: what a replay or post-mortem needs."""
        return claims_and_stories(self.store, [scenario], until, start=start)

    def assess(self, scenario_id: str, at: datetime | None = None) -> Assessment:
        """The scenario's probability at ``at`` (now), with every signal's contribution. Stores nothing."""
        return assess_scenario(self.store, self.get(scenario_id), at or self.clock())

    def assess_all(self, at: datetime | None = None) -> list[tuple[Scenario, Assessment]]:
        """Every scenario of the workspace assessed at ``at`` (now), from one read of the store."""
        scenarios = [r.scenario for r in catalog.records(self.store, self.gazetteer)]  # scoring sees all
        return list(zip(scenarios, assess_scenarios(self.store, scenarios, at or self.clock()), strict=True))

    def view(self, ref: str, at: datetime | None = None) -> ScenarioView:
        """A scenario (the workspace's, else a YAML file, else a default) with its assessment at ``at``."""
        scenario, record = resolve(self.store, ref, self.gazetteer, self.access())
        return self._view(scenario, assess_scenario(self.store, scenario, at or self.clock()), record)

    def seen(self, a: Assessment) -> Assessment:
        """An assessment computed as the system, with only the signals the reader may see (see detect.shown)."""
        with self.store.engine.connect() as conn:
            return shown_assessment(conn, a, self.access())[0]

    def _view(self, scenario: Scenario, a: Assessment, record: ScenarioRecord | None = None) -> ScenarioView:
        """An assessment computed now (as the system) as the reader may see it (see detect.shown)."""
        with self.store.engine.connect() as conn:
            shown, hidden = shown_assessment(conn, a, self.access())
        return ScenarioView(scenario, shown, record, hidden)

    def views(self, scenario_ids: Sequence[str] = (), at: datetime | None = None) -> list[ScenarioView]:
        """The named workspace scenarios (all when none named) assessed at ``at`` (now)."""
        when = at or self.clock()
        chosen = [self.get(i) for i in scenario_ids] if scenario_ids else self.all()
        return [self._view(s, assess_scenario(self.store, s, when)) for s in chosen]

    def test(self, ref: str | Scenario, at: datetime | None = None) -> ScenarioTest:
        """Which stored events match each indicator (whatever their age), and the signals they make now.
        ``ref``: a scenario, or a workspace id, a YAML file or a default id."""
        scenario = ref if not isinstance(ref, str) else resolve(self.store, ref, self.gazetteer, self.access())[0]
        found = test_scenario(self.store, scenario, at or self.clock())
        with self.store.engine.connect() as conn:
            return shown_test(conn, found, self.access())

    def surges(self, at: datetime | None = None, days: int = 30) -> list[Surge]:
        """Surges (unusual daily counts per first-level region and event type) on the ``days`` days up to ``at``."""
        if days < 1:
            raise InvalidArgument(f"days must be at least 1, not {days}")
        return recent_surges(self.store, at or self.clock(), days)

    # -- published assessments -------------------------------------------------------------------
    def publish(self, scenario: Scenario, a: Assessment) -> None:
        """Store an assessment with every signal's contribution, and its ledger entry, in one transaction."""
        with self.store.transaction() as conn:
            entry = self.ledger.append(conn, "assessment-published", f"scenario:{scenario.id}",
                                       assessments.ledger_payload(scenario, a))
            assessments.insert(conn, a, entry.at)

    def latest(self, until: datetime | None = None) -> dict[str, StoredAssessment]:
        """The latest published assessment of every scenario (of those at or before ``until``, when
        given: what a cycle at that time compares with), by scenario id."""
        with self.store.engine.connect() as conn:
            return assessments.latest_all(conn, until)

    def published(self, scenario_id: str, limit: int | None = None) -> list[StoredAssessment]:
        """The scenario's published assessments, latest first."""
        with self.store.engine.connect() as conn:
            return assessments.history(conn, scenario_id, limit=limit)

    def history(self, scenario_id: str, *, since: datetime | None = None, until: datetime | None = None,
                limit: int = 50, offset: int = 0, signals: bool = True) -> tuple[list[StoredAssessment], int]:
        """One page of the published assessments at or after ``since`` and before ``until``, latest first,
        and how many match; removed scenarios keep their history. NotFound for a scenario never added."""
        with self.store.engine.connect() as conn:
            if not assessments.known(conn, scenario_id, self.access()):
                raise NotFound(f"scenario {scenario_id!r} is not in this workspace",
                               hint="GET /api/v1/scenarios lists them")
            found, total = assessments.page(conn, scenario_id, since=since, until=until, limit=limit,
                                            offset=offset, signals=signals)
            return [self._shown(conn, a)[0] for a in found], total

    def visible_ids(self) -> set[str]:
        """The ids of the scenarios (removed ones too) the asker may see: what a cycle's report may name."""
        return {r.scenario.id for r in self.records(include_removed=True)}

    def shown(self, a: StoredAssessment) -> tuple[StoredAssessment, int]:
        """``a`` with only the signals the reader may see, and how many they may not (see detect.shown)."""
        with self.store.engine.connect() as conn:
            return self._shown(conn, a)

    def _shown(self, conn: Connection, a: StoredAssessment) -> tuple[StoredAssessment, int]:
        if not a.signals:
            return a, 0
        kept, hidden = shown_signals(conn, a.signals, self.access())
        return (replace(a, signals=kept, hidden_signals=hidden) if hidden else a), hidden

    def _latest(self, conn: Connection, scenario_id: str) -> tuple[StoredAssessment | None, int]:
        found = assessments.latest(conn, scenario_id)
        return (None, 0) if found is None else self._shown(conn, found)

    def published_between(self, scenario_id: str, start: datetime, end: datetime) -> list[Published]:
        """The published probability over [start, end], starting with the one in force at ``start``."""
        with self.store.engine.connect() as conn:
            return assessments.published_between(conn, scenario_id, start, end)

    # -- views -----------------------------------------------------------------------------------
    def lines(self) -> list[ScenarioLine]:
        """The watched scenarios, by id, each with its latest stored probability and open warnings."""
        records = self.records()
        with self.store.engine.connect() as conn:
            latest = assessments.latest_of(conn, [r.scenario.id for r in records])
            counts = warned.open_counts(conn, self.access())
        return [ScenarioLine(r, latest.get(r.scenario.id), counts.get(r.scenario.id, 0)) for r in records]

    def line(self, scenario_id: str, *, include_removed: bool = False) -> ScenarioLine:
        """One scenario's line, its latest assessment with its signals; NotFound for one not watched
        (``include_removed``: for one never added)."""
        record = self._record(scenario_id, include_removed)
        with self.store.engine.connect() as conn:
            latest, hidden = self._latest(conn, scenario_id)
            return ScenarioLine(record, latest, warned.open_counts(conn, self.access()).get(scenario_id, 0), hidden)

    def page(self, scenario_id: str, days: int | None, warnings: int = 100, matches: int = 5) -> ScenarioPage:
        """One scenario (removed ones too) as its page shows it; the chart covers the ``days`` up to
        now (None: since its first assessment). The documents named are those the ``matches`` newest signals of
        each indicator cite (a few each): the latest assessment of a busy scenario cites thousands."""
        record = self._record(scenario_id, include_removed=True)
        now = self.clock()
        with self.store.engine.connect() as conn:
            last, hidden = self._latest(conn, scenario_id)
            end = max(now, last.at) if last else now
            first = assessments.first_at(conn, scenario_id) or end  # nothing was known before the first assessment
            start = max(end - timedelta(days=days), first) if days is not None else first
            series = assessments.series(conn, scenario_id, start, end) if last else None
            recent = newest_by_indicator(last.signals if last else ())
            cited = {d for found in recent.values() for sig in found[:matches]
                     for d in list(sig.get("document_ids") or [])[:EVIDENCE_DOCUMENTS]}
            lines = warned.warnings_of(conn, scenario_id, warnings, self.access())
            return ScenarioPage(record, last, series, end, lines, recent, documents_brief(conn, cited), hidden)

    def _record(self, scenario_id: str, include_removed: bool) -> ScenarioRecord:
        if not include_removed:
            return catalog.record(self.store, scenario_id, self.gazetteer, access=self.access())
        found = [r for r in self.records(include_removed=True) if r.scenario.id == scenario_id]
        if not found:
            raise NotFound(f"scenario {scenario_id!r} is not in this workspace", hint="the scenarios page lists them")
        return found[0]
