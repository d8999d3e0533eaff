"""The events' kept counts (forewarn.store.counts, issue 20): after every kind of write of events — extraction,
extraction again with other results, a document's or a source's marking raised — they equal a fresh count of the
events; two extractions of one document at once on PostgreSQL count it once; and the explorer's and the map's
views read from them equal the same views counted from the events, for every filter they answer and for an
asker from whom some events are hidden. SQLite and PostgreSQL."""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event, select

from forewarn.app import Workspace
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.extraction import (
    Entity,
    EntityKind,
    Event,
    Evidence,
    Extraction,
    Flags,
    Participant,
    Place,
    PlaceMention,
    PlacePrecision,
    TimePrecision,
)
from forewarn.model.query import EventQuery
from forewarn.reads import explorer
from forewarn.reads.events import Scope, daily_counts, scope
from forewarn.store import extraction as extraction_writes
from forewarn.store import schema as t
from forewarn.store.counts import recount_events

ARMY = Entity("dict:army", "The Army", EntityKind.ORG, "UKR")
PLACES = (Place("Kharkiv", 49.99, 36.23, "UKR", "Kharkiv Oblast", "g:1", PlacePrecision.TOWN),
          Place("Kharkiv", 49.99, 36.23, "UKR", "Kharkiv Oblast", "g:1", PlacePrecision.TOWN),
          Place("Sudzha", 51.19, 35.27, "RUS", "Kursk Oblast", "g:2", PlacePrecision.TOWN),
          Place("Kursk Oblast", 51.5, 36.0, "RUS", "Kursk Oblast", "g:3", PlacePrecision.REGION),
          Place("Belgorod", 50.6, 36.58, "RUS", None, "g:4", PlacePrecision.TOWN),
          Place("Minsk", 53.9, 27.56, "BLR", "Minsk City", "g:5", PlacePrecision.TOWN),
          None, None)
TYPES = ("ASSAULT", "MOBILIZE", "PROTEST", "THREATEN")
FIRST = date(2024, 7, 1)
NOW = datetime(2024, 8, 20, tzinfo=UTC)
TEXT = "word " * 60


def _event(rng: random.Random, k: int) -> Event:
    place = rng.choice(PLACES)
    mention = PlaceMention(place, place.name, 0, 5, 0) if place else None
    return Event(type=rng.choice(TYPES), mode=None, contexts=(), actor=Participant(ARMY, "word", 0, 4),
                 recipient=None, place=mention, date=FIRST + timedelta(rng.randrange(40)),
                 date_precision=TimePrecision.DAY, date_from_publication=False,
                 flags=Flags(negated=rng.random() < 0.15), evidence=Evidence(0, 0, 50, 5 * k, 5 * k + 4),
                 confidence=0.8)


def _extraction(rng: random.Random, doc: str) -> Extraction:
    return Extraction(doc, "test 1", events=tuple(_event(rng, k) for k in range(rng.randrange(0, 6))))


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def _north(ws: Workspace) -> None:
    """The accounts of the tests, and a team "north" the analyst is in."""
    for role in (Role.ADMIN, Role.ANALYST, Role.VIEWER):
        ws.accounts.add_user(role.value, "a long enough password", role, actor="setup")
    admin = _as(ws, "admin", Role.ADMIN)
    admin.teams.add("north", "North desk")
    admin.teams.add_member("north", "analyst")


def _documents(ws: Workspace, n: int) -> list[str]:
    docs = [ws.intake.post(f"{TEXT} report {i}", published_at=f"2024-07-{1 + i % 28:02d}").document_id
            for i in range(n)]
    return [d for d in docs if d]


def _kept(conn: Connection) -> dict[tuple[Any, ...], tuple[int, float, float]]:
    return {tuple(r[:8]): (r.n, r.lat_sum, r.lon_sum) for r in conn.execute(select(t.event_counts))}


def _assert_kept_equal_a_fresh_count(ws: Workspace) -> None:
    with ws.store.engine.connect() as conn:
        kept = _kept(conn)
        conn.rollback()
        with conn.begin() as tx:
            recount_events(conn)
            fresh = _kept(conn)
            tx.rollback()
    assert {k: v[0] for k, v in kept.items()} == {k: v[0] for k, v in fresh.items()}
    for key, (_, lat, lon) in kept.items():
        assert math.isclose(lat, fresh[key][1], abs_tol=1e-9) and math.isclose(lon, fresh[key][2], abs_tol=1e-9)
    assert sum(n for n, _, _ in kept.values()) == _events(ws)


def _busiest(ws: Workspace, docs: list[str]) -> str:
    """The document with most events."""
    with ws.store.engine.connect() as conn:
        held = list(conn.execute(select(t.events.c.document_id)).scalars())
    return max(docs, key=held.count)


def _events(ws: Workspace) -> int:
    with ws.store.engine.connect() as conn:
        return len(conn.execute(select(t.events.c.id)).all())


@pytest.fixture
def filled(workspace: Workspace) -> tuple[Workspace, list[str]]:
    rng = random.Random(20)
    docs = _documents(workspace, 40)
    workspace.store.save_extractions([_extraction(rng, d) for d in docs], NOW)
    return workspace, docs


def test_every_write_of_events_keeps_the_counts(filled: tuple[Workspace, list[str]]) -> None:
    ws, docs = filled
    assert _events(ws) > 60
    _assert_kept_equal_a_fresh_count(ws)
    rng = random.Random(21)
    ws.store.save_extractions([_extraction(rng, d) for d in docs[::3]], NOW)  # other results: some removed, added
    _assert_kept_equal_a_fresh_count(ws)
    ws.store.save_extractions([Extraction(d, "test 1") for d in docs[1::5]], NOW)  # results now none at all
    _assert_kept_equal_a_fresh_count(ws)
    _north(ws)
    raised = _as(ws, "analyst").teams.mark("document", _busiest(ws, docs), "AMBER+STRICT", team="north")
    assert raised.cascaded["event"] >= 1
    _assert_kept_equal_a_fresh_count(ws)
    source = ws.store.get_document(docs[4]).source_id
    assert source is not None
    _as(ws, "analyst").teams.mark("source", source, "AMBER", team="north", existing=True)
    _assert_kept_equal_a_fresh_count(ws)


def test_two_extractions_of_one_document_at_once_count_it_once(workspace: Workspace,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The second waits for the first's lock on the document's extraction status, then replaces what it stored
    (without that wait it would remove nothing, its insert would skip the first's events, and count them again)."""
    if workspace.store.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    [doc] = _documents(workspace, 1)
    counted = extraction_writes.count_events
    first = threading.Event()

    def slow_first(conn: Connection, added: Any, removed: Any) -> None:
        if not first.is_set():  # the first has written its events, not yet committed them
            first.set()
            time.sleep(0.5)  # the second extraction starts meanwhile
        counted(conn, added=added, removed=removed)

    monkeypatch.setattr(extraction_writes, "count_events", slow_first)
    extraction = next(x for seed in range(3, 30) if (x := _extraction(random.Random(seed), doc)).events)

    def save_second() -> None:
        first.wait(5)
        workspace.store.save_extractions([extraction], NOW)

    second = threading.Thread(target=save_second)
    second.start()
    workspace.store.save_extractions([extraction], NOW)
    second.join()
    assert _events(workspace) == len({e.evidence.trigger_start for e in extraction.events})
    _assert_kept_equal_a_fresh_count(workspace)


# -- the views read from the kept counts ----------------------------------------------------------------------

QUERIES = [EventQuery(), EventQuery(types=("ASSAULT", "PROTEST")), EventQuery(include_negated=True),
           EventQuery(place="kursk"), EventQuery(place="nowhere"), EventQuery(placed=False),
           EventQuery(date_from=FIRST + timedelta(3), date_to=FIRST + timedelta(20))]


def _views(ws: Workspace, sc: Scope) -> tuple[Any, ...]:
    engine = ws.store.engine
    grid = explorer.map_data(engine, sc)  # its clusters in no order
    return (explorer.day_type_counts(engine, sc), explorer.region_counts(engine, sc), daily_counts(engine, sc),
            explorer.unplaced_count(engine, sc), explorer.map_view(engine, sc),
            (grid.view, grid.cell, sorted(_approx(grid.clusters))),
            explorer._located(engine, sc, ()), sorted(explorer._day_grid(engine, sc, 0.5, ()), key=repr))


def _approx(view: Any) -> Any:
    """A view with its floats rounded (sums of coordinates in another order)."""
    if isinstance(view, float):
        return round(view, 6)
    if hasattr(view, "_fields"):  # a named tuple (a row, a cell)
        return tuple(_approx(v) for v in view)
    if isinstance(view, (list, tuple)):
        return type(view)(_approx(v) for v in view)
    if hasattr(view, "__dataclass_fields__"):
        return tuple(_approx(getattr(view, f)) for f in view.__dataclass_fields__)
    return view


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: repr(q)[:60])
def test_the_views_read_from_the_counts_equal_the_views_counted(filled: tuple[Workspace, list[str]],
                                                               query: EventQuery,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    ws, docs = filled
    _north(ws)
    _as(ws, "analyst").teams.mark("document", _busiest(ws, docs), "AMBER+STRICT", team="north")
    monkeypatch.setattr(explorer, "SINGLES_UNDER", 0)  # the map's counts from the kept ones, however few
    for who in ("analyst", "viewer"):
        access = _as(ws, who, Role.VIEWER if who == "viewer" else Role.ANALYST).reads.access
        sc = scope(ws.store.engine, query, access=access)
        assert sc.counted is not None
        assert _approx(_views(ws, sc)) == _approx(_views(ws, replace(sc, counts=False)))


@pytest.mark.parametrize("query", [*QUERIES, EventQuery(actor_country="UKR"), EventQuery(min_confidence=0.5)],
                         ids=lambda q: repr(q)[:60])
def test_the_explorers_counts_by_day_and_region_are_read_at_once(filled: tuple[Workspace, list[str]],
                                                                 query: EventQuery) -> None:
    """The explorer's daily counts by type and its regions: as counted apart, on PostgreSQL in one statement (one per
    half of the dates, read side by side)."""
    ws, _ = filled
    engine = ws.store.engine
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.startswith("SELECT"):
            seen.append(statement)

    for sc in (scope(engine, query), replace(scope(engine, query), counts=False)):
        seen.clear()
        event.listen(engine, "before_cursor_execute", record)
        together = explorer.day_type_region_counts(engine, sc, limit=3)
        event.remove(engine, "before_cursor_execute", record)
        assert together == (explorer.day_type_counts(engine, sc), explorer.region_counts(engine, sc, limit=3))
        assert len(seen) == (len(sc.halves()) if ws.store.dialect == "postgresql" else 2), seen
    if query.place is None and query.placed is not False:
        assert together[0] and len(together[1]) == 3  # of the four regions


def test_the_counts_answer_only_what_they_are_kept_by(workspace: Workspace) -> None:
    engine = workspace.store.engine
    for query in (EventQuery(actor_country="UKR"), EventQuery(source_id="s"), EventQuery(min_confidence=0.5),
                  EventQuery(near=(50.0, 36.0, 20.0)), EventQuery(modes=("verbal",))):
        assert scope(engine, query).counted is None
    assert Scope(EventQuery(), bbox=explorer.WORLD).counted is None


def test_few_events_on_the_map_link_to_themselves_though_the_kept_sums_drift(workspace: Workspace) -> None:
    """Two events of one key at 50.1° and 50.2°, the first then extracted away: the kept sum of latitudes is
    50.20000000000001, not the one event's 50.2, so its point could not be found by its position from the kept
    counts. Under SINGLES_UNDER placed events the map is counted from the events, and the point names its event."""
    first, second = _documents(workspace, 2)

    def placed(doc: str, lat: float) -> Extraction:
        where = Place("Drift", lat, lat - 14.0, "UKR", "Kharkiv Oblast", f"g:{lat}", PlacePrecision.TOWN)
        event = replace(_event(random.Random(1), 0), type="ASSAULT", place=PlaceMention(where, "Drift", 0, 5, 0),
                        date=FIRST, flags=Flags())
        return Extraction(doc, "test 1", events=(event,))

    workspace.store.save_extractions([placed(first, 50.1), placed(second, 50.2)], NOW)
    workspace.store.save_extractions([Extraction(first, "test 1")], NOW)
    with workspace.store.engine.connect() as conn:
        [(n, lat_sum, _)] = _kept(conn).values()
        [kept] = conn.execute(select(t.events.c.id)).scalars()
    assert n == 1 and lat_sum != 50.2  # the drift this guards against
    engine = workspace.store.engine
    [point] = explorer.map_view(engine, scope(engine, EventQuery())).points
    [cluster] = explorer.map_data(engine, scope(engine, EventQuery())).clusters
    assert (point.count, point.event_id, point.lat) == (1, kept, 50.2) and cluster.event_id == kept
