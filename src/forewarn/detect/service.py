"""What the Workspace asks of the detectors: the observations, claims and stories a scenario needs, its
assessment now, a test of its indicators against the store, recent surges. Time always comes in as an
argument. Claims are read only for scenarios with claim indicators, stories only for those with mentions
indicators, each once per cycle."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from forewarn.detect import narrow
from forewarn.detect.catalog import record
from forewarn.detect.match import claim_matches, in_region, indicator_matches
from forewarn.detect.mentions import story_matches, story_pattern
from forewarn.detect.observe import claim_observations, observations, read, read_query
from forewarn.detect.scenarios import (
    default_scenario,
    default_scenario_text,
    load_scenario,
    load_scenario_file,
    read_text,
)
from forewarn.detect.score import assess, coded_indicators, lookback_days, story_days, surge_matches
from forewarn.detect.stories import count_stories, documents_per_day, read_stories
from forewarn.detect.surge import BASELINE_DAYS, find_surges
from forewarn.detect.types import (
    ClaimObservation,
    Heard,
    IndicatorTest,
    Observation,
    ScenarioRecord,
    ScenarioTest,
    WholeRead,
)
from forewarn.errors import InvalidArgument, NotFound
from forewarn.model import Assessment, IndicatorKind, Region, Scenario, Surge
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.query import ClaimClause
from forewarn.store import SqlStore
from forewarn.store.core import side_by_side
from forewarn.store.observed import surge_rows

if TYPE_CHECKING:
    from forewarn.geo.gazetteer import Gazetteer


# Documents in the widest window, per scenario assessed, above which a live cycle narrows each scenario's read.
# Measured: on the watch bench's small store of 55 scenarios, a cycle took 0.98 s on SQLite and 2.16 s on
# PostgreSQL with every scenario narrowed, 0.10 s and 0.31 s with one read of everything (15–35 ms a scenario);
# at 10 M events one read of everything cost about 0.75 ms a document (185 s a cycle for the two default
# scenarios, against 5 s narrowed).
NARROWED_PER_SCENARIO = 50


def scenario_observations(store: SqlStore, scenario: Scenario, *, until: datetime | None, now: datetime,
                          start: datetime | None = None, everything: bool = False, history: bool = False
                          ) -> list[Observation]:
    """The observations that can count for ``scenario`` at ``until`` (``now`` when None): of its event
    types, in its region (unless an indicator looks beyond it), no older than its longest-lived signal
    (plus a surge baseline when it has surge indicators). ``start``: those that can count at any time from
    ``start`` on, and every one known from ``start`` on whatever its date (what a replay or a post-mortem of
    that period reads). ``everything``: no age limit. ``history``: every version of a corrected event (see
    :func:`~forewarn.detect.observe.observations`)."""
    since, region, types = _window(scenario, start or until or now)
    return observations(store, until=until, since=None if everything else since, region=region, types=types,
                        history=history, known_from=start)


def narrowed_observations(store: SqlStore, scenario: Scenario, *, until: datetime, start: datetime
                          ) -> tuple[list[Observation], WholeRead] | None:
    """Of :func:`scenario_observations` from ``start`` to ``until`` (every version), only those an indicator can
    match, and the store's answers about the rest (:mod:`forewarn.detect.narrow`): those a surge counts as surges
    count them among them; None where that would not be exact or would leave nothing out
    (:func:`~forewarn.detect.narrow.narrowable`)."""
    since, region, types = _window(scenario, start)
    clauses, surging = narrow.clauses(scenario), narrow.surge_clauses(scenario)
    if not narrow.narrowable(region, (*clauses, *surging)):
        return None
    narrow.remember(store, scenario, since, until.date())
    query = read_query(until=until, since=since, region=region, types=types)
    (found, corrected), surged = side_by_side(store.engine, (  # the surges' rows read beside the observations
        partial(read, store, query, until=until, known_from=start, history=True, any_of=clauses),
        partial(surge_rows, store.engine, replace(query, any_of=surging), until=until, known_from=start)
        if surging else list))
    mine = tuple(o for o in found if o.event.id in corrected)
    ids = {o.event.id for o in found} | corrected
    rows = [r for r in surged if r.event_id not in ids]
    return found, narrow.StoreRead(store, replace(query, but_ids=corrected), since, start, mine, until, tuple(rows))


def _window(scenario: Scenario, end: datetime) -> tuple[date, Region | None, tuple[str, ...]]:
    """What a scenario reads at ``end``: events dated from (since), in (region), of (types)."""
    days = lookback_days(scenario) + (BASELINE_DAYS if _surging(scenario) else 0)
    coded = coded_indicators(scenario)
    region = scenario.region if all(i.in_region for i in coded) else None
    types: tuple[str, ...] = ()
    if coded and all(i.types for i in coded):
        types = tuple(sorted({t for i in coded for t in i.types}))
    return end.date() - timedelta(days=days), region, types


def claims_and_stories(store: SqlStore, scenarios: Sequence[Scenario], until: datetime, *,
                       start: datetime | None = None, everything: bool = False, counted: bool = True) -> Heard:
    """One read of the claims and one of the stories that ``scenarios`` need at ``until`` (the widest window
    any of them needs), or at every time from ``start`` to ``until`` (a replay's); claims however old with
    ``everything``. With ``counted`` the stories are counted per day by the store (:func:`count_stories`), not
    read."""
    first = start or until
    claiming = [s for s in scenarios if _has(s, IndicatorKind.CLAIM)]
    claims: list[ClaimObservation] = []
    if claiming:
        since = None if everything else min(_claims_since(s, first) for s in claiming)
        claims = claim_observations(store, until=until, since=since, any_of=claim_clauses(claiming))
    mentions = [i for s in scenarios for i in s.indicators if i.kind is IndicatorKind.MENTIONS]
    if not mentions:
        return Heard(claims)
    since_day = min(_stories_since(s, first) for s in scenarios if _has(s, IndicatorKind.MENTIONS))
    totals = documents_per_day(store, since=since_day, until=until)
    if counted:
        wanted = [(s, i) for s in scenarios for i in s.indicators if i.kind is IndicatorKind.MENTIONS]
        return Heard(claims, (), totals, count_stories(store, wanted, since=since_day, until=until))
    stories = read_stories(store, since=since_day, until=until, patterns=_unique([story_pattern(i) for i in mentions]),
                           places=any(i.in_region for i in mentions), entities=any(i.entities for i in mentions))
    return Heard(claims, stories, totals)


def claim_clauses(scenarios: Sequence[Scenario]) -> tuple[ClaimClause, ...] | None:
    """The claims the claim indicators of ``scenarios`` can match, as store pre-filters (their stances and claimed
    event types); None where one of them filters on neither (every claim is read)."""
    found = tuple(ClaimClause(i.stances, i.types) for s in scenarios for i in s.indicators
                  if i.kind is IndicatorKind.CLAIM)
    return None if any(not (k.stances or k.types) for k in found) else tuple(dict.fromkeys(found))


def _claims_since(scenario: Scenario, end: datetime) -> date:
    return end.date() - timedelta(days=lookback_days(scenario))


def _stories_since(scenario: Scenario, end: datetime) -> date:
    return end.date() - timedelta(days=story_days(scenario))


def _unique(patterns: Sequence[re.Pattern[str]]) -> list[re.Pattern[str]]:
    return list(dict.fromkeys(patterns))


def assess_scenario(store: SqlStore, scenario: Scenario, at: datetime) -> Assessment:
    return assess_scenarios(store, [scenario], at)[0]


def assess_scenarios(store: SqlStore, scenarios: Sequence[Scenario], at: datetime) -> list[Assessment]:
    """Every scenario assessed at ``at``, each from exactly the observations :func:`scenario_observations` would
    give it and the claims and stories of its own windows (one read of the claims and one of the stories for all).
    Where the widest window holds many documents for the scenarios (:func:`_crowded`) and the store can tell which
    events an indicator can match (:func:`narrowed_observations`), a scenario reads only those, and its surges count
    the rest as the store gives them, as a replay's step does (a region holding millions of events). The others
    share one read of the store's events (the widest window any of them needs)."""
    if not scenarios:
        return []
    narrowing = _crowded(store, scenarios, at)
    narrowed = {s.id: narrowed_observations(store, s, until=at, start=at) if narrowing else None for s in scenarios}
    wide = [_window(s, at)[0] for s in scenarios if narrowed[s.id] is None]
    pool = observations(store, until=at, since=min(wide)) if wide else []
    said = claims_and_stories(store, scenarios, at)
    result = []
    for scenario in scenarios:
        read = narrowed[scenario.id]
        found, surges = _pooled(scenario, pool, at) if read is None else _narrowed(scenario, *read, at)
        claims_since, stories_since = _claims_since(scenario, at), _stories_since(scenario, at)
        totals = None if said.day_totals is None else {d: n for d, n in said.day_totals.items() if d >= stories_since}
        counts = {i: c.days(at, stories_since) for i, c in said.counts(scenario).items()}
        result.append(assess(scenario, found, at, surges,  # each from its own windows only
                             claims=[c for c in said.claims if c.day >= claims_since],
                             stories=[s for s in said.stories if s.day >= stories_since], day_totals=totals,
                             story_days=counts))
    return result


def _crowded(store: SqlStore, scenarios: Sequence[Scenario], at: datetime) -> bool:
    """Does the widest window hold more than :data:`NARROWED_PER_SCENARIO` documents a scenario? A narrowed read
    costs each scenario a few statements; one read of every event of the window costs each event its row."""
    known = documents_per_day(store, since=min(_window(s, at)[0] for s in scenarios), until=at)
    return sum(known.values()) > NARROWED_PER_SCENARIO * len(scenarios)


def _pooled(scenario: Scenario, pool: Sequence[Observation], at: datetime) -> tuple[list[Observation], list[Surge]]:
    """The scenario's observations among a read of every event of a window, and its surges."""
    since, region, types = _window(scenario, at)
    found = [o for o in pool if o.event.date >= since and (not types or o.event.type in types)
             and (region is None or in_region(region, o.event))]
    return found, _surges(scenario, found, at)


def _narrowed(scenario: Scenario, found: Sequence[Observation], whole: WholeRead, at: datetime
              ) -> tuple[list[Observation], list[Surge]]:
    """The observations standing at ``at`` of a narrowed read (every version of those an indicator can match),
    its surges (counting the store's rows of the rest, from where the whole read's record begins), and the
    observations of their events that only the store had, in the read's order (event date, then id)."""
    since = _window(scenario, at)[0]
    standing = [o for o in found if o.event.date >= since and o.known_at <= at and o.shown_at(at)]
    if not _surging(scenario):
        return standing, []
    rows = [r for r in whole.rows if r.day >= since]
    surges = find_surges(standing, at, start=whole.first_day(at, dated_from=since), rows=rows)

    def stands(o: Observation) -> bool:
        return o.event.date >= since and o.known_at <= at and o.shown_at(at)

    return narrow.with_members(standing, surges, whole, stands), surges


def test_scenario(store: SqlStore, scenario: Scenario, at: datetime) -> ScenarioTest:
    """Every stored observation (and claim) known at ``at`` that matches each indicator, whatever its age, the
    stories of its mentions indicators over their window, and the signals the indicators make at ``at``."""
    found = scenario_observations(store, scenario, until=at, now=at, everything=True)
    surges = _surges(scenario, found, at)
    said = claims_and_stories(store, [scenario], at, everything=True, counted=False)
    assessment = assess(scenario, found, at, surges, said.claims, said.stories, day_totals=said.day_totals)
    tests = []
    for indicator in scenario.indicators:
        signals = tuple(s for s in assessment.signals if s.indicator_id == indicator.id)
        if indicator.kind is IndicatorKind.SURGE:
            by_event = {o.event.id: o for o in found}
            mine = tuple(s for s in surges if surge_matches(scenario, indicator, s, by_event))
            ids = {e for s in mine for e in s.event_ids}
            tests.append(IndicatorTest(indicator, tuple(o for o in found if o.event.id in ids), signals, mine))
        elif indicator.kind is IndicatorKind.CLAIM:
            claims = tuple(c for c in said.claims if claim_matches(scenario, indicator, c))
            tests.append(IndicatorTest(indicator, (), signals, claims=claims))
        elif indicator.kind is IndicatorKind.MENTIONS:
            stories = tuple(s for s in said.stories if story_matches(scenario, indicator, s))
            tests.append(IndicatorTest(indicator, (), signals, stories=stories))
        else:
            matching = tuple(o for o in found if indicator_matches(scenario, indicator, o))
            tests.append(IndicatorTest(indicator, matching, signals))
    return ScenarioTest(scenario, at, assessment, tuple(tests))


def recent_surges(store: SqlStore, at: datetime, days: int) -> list[Surge]:
    """Surges on the ``days`` days up to ``at``'s date, from what was known at ``at``."""
    since = at.date() - timedelta(days=days + BASELINE_DAYS)
    first_day = at.date() - timedelta(days=days - 1)
    return [s for s in find_surges(observations(store, until=at, since=since), at) if s.day >= first_day]


def _surging(scenario: Scenario) -> bool:
    return _has(scenario, IndicatorKind.SURGE)


def _has(scenario: Scenario, kind: IndicatorKind) -> bool:
    return any(i.kind is kind for i in scenario.indicators)


def _surges(scenario: Scenario, found: list[Observation], at: datetime) -> list[Surge]:
    if not _surging(scenario):
        return []
    return find_surges(found, at)


def resolve(store: SqlStore, ref: str, gazetteer: Gazetteer | None = None, access: Access = EVERYTHING
            ) -> tuple[Scenario, ScenarioRecord | None]:
    """A scenario by reference: the workspace's scenario of that id (that ``access`` may see), else the YAML
    file at that path, else the default scenario of that id."""
    try:
        found = record(store, ref, gazetteer, access=access)
        return found.scenario, found
    except NotFound:
        pass
    path = Path(ref).expanduser()
    if path.is_file() or path.suffix in (".yaml", ".yml"):
        return load_scenario_file(path, gazetteer=gazetteer), None
    try:
        return default_scenario(ref, gazetteer=gazetteer), None
    except NotFound as e:
        raise NotFound(f"no scenario {ref!r}: not in this workspace, not a file, not a default scenario",
                       hint=f"`forewarn scenario list --available` lists them; {e.hint}") from None


def read_scenarios(paths: Sequence[Path], defaults: Sequence[str], gazetteer: Gazetteer | None = None
                   ) -> list[tuple[Scenario, str]]:
    """Each file's and each default's scenario with its YAML text, all validated before any is stored;
    two with one id are refused."""
    found: list[tuple[Scenario, str]] = []
    for path in paths:
        text = read_text(path)  # messages name the path as given; the record keeps it in full
        scenario = load_scenario(text, str(path), gazetteer=gazetteer)
        found.append((replace(scenario, source=str(path.expanduser().resolve())), text))
    for scenario_id in defaults:
        origin, text = default_scenario_text(scenario_id)
        found.append((load_scenario(text, origin, gazetteer=gazetteer), text))
    seen: dict[str, str] = {}
    for scenario, _ in found:
        if scenario.id in seen:
            raise InvalidArgument(f"{scenario.source} and {seen[scenario.id]} both define scenario {scenario.id!r}",
                                  hint="add one of them")
        seen[scenario.id] = scenario.source
    return found
