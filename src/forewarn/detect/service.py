"""What the Workspace asks of the detectors: the observations a scenario needs, its assessment now,
a test of its indicators against the store, recent surges. Time always comes in as an argument."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from forewarn.detect.catalog import record
from forewarn.detect.match import in_region, indicator_matches
from forewarn.detect.observe import observations
from forewarn.detect.scenarios import (
    default_scenario,
    default_scenario_text,
    load_scenario,
    load_scenario_file,
    read_text,
)
from forewarn.detect.score import assess, lookback_days, surge_matches
from forewarn.detect.surge import BASELINE_DAYS, find_surges
from forewarn.detect.types import IndicatorTest, Observation, ScenarioRecord, ScenarioTest
from forewarn.errors import InvalidArgument, NotFound
from forewarn.model import Assessment, IndicatorKind, Region, Scenario, Surge
from forewarn.store import SqlStore

if TYPE_CHECKING:
    from forewarn.geo.gazetteer import Gazetteer


def scenario_observations(store: SqlStore, scenario: Scenario, *, until: datetime | None, now: datetime,
                          everything: bool = False) -> list[Observation]:
    """The observations that can count for ``scenario`` at ``until`` (``now`` when None): of its event
    types, in its region (unless an indicator looks beyond it), no older than its longest-lived signal
    (plus a surge baseline when it has surge indicators). ``everything``: no age limit."""
    since, region, types = _window(scenario, until or now)
    return observations(store, until=until, since=None if everything else since, region=region, types=types)


def _window(scenario: Scenario, end: datetime) -> tuple[date, Region | None, tuple[str, ...]]:
    """What a scenario reads at ``end``: events dated from (since), in (region), of (types)."""
    days = lookback_days(scenario) + (BASELINE_DAYS if _surging(scenario) else 0)
    region = scenario.region if all(i.in_region for i in scenario.indicators) else None
    types: tuple[str, ...] = ()
    if all(i.types for i in scenario.indicators):
        types = tuple(sorted({t for i in scenario.indicators for t in i.types}))
    return end.date() - timedelta(days=days), region, types


def assess_scenario(store: SqlStore, scenario: Scenario, at: datetime) -> Assessment:
    return assess_scenarios(store, [scenario], at)[0]


def assess_scenarios(store: SqlStore, scenarios: Sequence[Scenario], at: datetime) -> list[Assessment]:
    """Every scenario assessed at ``at`` from one read of the store (the widest window any of them
    needs), each from exactly the observations :func:`scenario_observations` would give it."""
    if not scenarios:
        return []
    windows = [_window(s, at) for s in scenarios]
    pool = observations(store, until=at, since=min(since for since, _, _ in windows))
    result = []
    for scenario, (since, region, types) in zip(scenarios, windows, strict=True):
        found = [o for o in pool if o.event.date >= since and (not types or o.event.type in types)
                 and (region is None or in_region(region, o.event))]
        result.append(assess(scenario, found, at, _surges(scenario, found, at)))
    return result


def test_scenario(store: SqlStore, scenario: Scenario, at: datetime) -> ScenarioTest:
    """Every stored observation known at ``at`` that matches each indicator, whatever its age, and the
    signals the indicators make at ``at``."""
    found = scenario_observations(store, scenario, until=at, now=at, everything=True)
    surges = _surges(scenario, found, at)
    assessment = assess(scenario, found, at, surges)
    tests = []
    for indicator in scenario.indicators:
        signals = tuple(s for s in assessment.signals if s.indicator_id == indicator.id)
        if indicator.kind is IndicatorKind.SURGE:
            by_event = {o.event.id: o for o in found}
            mine = tuple(s for s in surges if surge_matches(scenario, indicator, s, by_event))
            ids = {e for s in mine for e in s.event_ids}
            tests.append(IndicatorTest(indicator, tuple(o for o in found if o.event.id in ids), signals, mine))
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
    return any(i.kind is IndicatorKind.SURGE for i in scenario.indicators)


def _surges(scenario: Scenario, found: list[Observation], at: datetime) -> list[Surge]:
    if not _surging(scenario):
        return []
    return find_surges(found, at)


def resolve(store: SqlStore, ref: str, gazetteer: Gazetteer | None = None) -> tuple[Scenario, ScenarioRecord | None]:
    """A scenario by reference: the workspace's scenario of that id, else the YAML file at that path, else
    the default scenario of that id."""
    try:
        found = record(store, ref, gazetteer)
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
