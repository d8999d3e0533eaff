"""Migration 0022 (issue 20): the explorer filters' indexes also carry what the explorer and the map count by, and
an index on the place's region serves a scenario's region. It upgrades and downgrades on SQLite and PostgreSQL,
and on a small store the explorer's counts of a filtered window are read from that filter's index alone (an
index-only scan, SQLite's covering index), as on a big one. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from forewarn.model.query import EventClause, EventQuery
from forewarn.model.scenario import Region
from forewarn.reads import events as events_reads
from forewarn.reads import explorer
from forewarn.reads.events import Scope, scope
from forewarn.reads.explorer import day_type_counts, day_type_region_counts, map_view, region_counts
from forewarn.store import SqlStore, open_store
from forewarn.store import schema as t
from forewarn.store.core import migrations_config
from forewarn.store.counts import recount_events
from forewarn.store.observed import observed_events, surge_rows
from forewarn.store.queries import event_filters

POINT = ["date", "negated", "place_lat", "place_lon", "compartment"]
COUNTED = ["place_country", "place_admin1", "place_name"]
AT_0021 = {
    "ix_events_type_date": ["type", *POINT],
    "ix_events_actor_country_date": ["actor_country", *POINT],
    "ix_events_recipient_country_date": ["recipient_country", *POINT],
    "ix_events_source_id_date": ["source_id", *POINT],
}
AT_0022 = {
    "ix_events_type_date": ["type", *POINT, *COUNTED],
    "ix_events_actor_country_date": ["actor_country", *POINT, "type", *COUNTED],
    "ix_events_recipient_country_date": ["recipient_country", *POINT, "type", *COUNTED],
    "ix_events_source_id_date": ["source_id", *POINT, "type", *COUNTED],
    "ix_events_place_admin1": ["place_admin1", "date", "negated", "place_country"],
    "ix_events_place_name": ["place_name", "date", "negated"],
}
AT_HEAD = AT_0022 | {"ix_events_place_admin1": [*AT_0022["ix_events_place_admin1"], "type"],  # 0029
                     "ix_events_actor_country_type": ["actor_country", "type", "date"],  # 0030
                     "ix_events_recipient_country_type": ["recipient_country", "type", "date"]}
FIRST = date(2024, 1, 1)
PLACES = (("Kharkiv", "UKR", "Kharkiv Oblast", 49.99, 36.23), ("Kursk", "RUS", "Kursk Oblast", 51.73, 36.19),
          ("Minsk", "BLR", "Minsk City", 53.90, 27.56), (None, None, None, None, None))
TYPES = ("ASSAULT", "CONSULT", "PROTEST", "THREATEN")
COUNTRIES = ("UKR", "RUS", "BLR", "POL", "USA")


@pytest.fixture
def store(db_url: str) -> Iterator[SqlStore]:
    s = open_store(db_url)
    yield s
    s.close()


def _indexes(conn: sa.Connection) -> dict[str, list[str]]:
    return {str(ix["name"]): [str(c) for c in ix["column_names"]] for ix in sa.inspect(conn).get_indexes("events")}


def test_0022_upgrades_and_downgrades(store: SqlStore) -> None:
    with store.engine.begin() as conn:
        assert _indexes(conn).items() >= AT_HEAD.items()
        command.downgrade(migrations_config(conn), "0021")
        found = _indexes(conn)
        assert found.items() >= AT_0021.items()
        assert not {"ix_events_place_admin1", "ix_events_place_name", *AT_HEAD.keys() - AT_0022.keys()} & found.keys()
        command.upgrade(migrations_config(conn), "0022")
        assert _indexes(conn).items() >= AT_0022.items()
        command.upgrade(migrations_config(conn), "head")
        assert _indexes(conn).items() >= AT_HEAD.items()


# -- the planner's choice on a small store ------------------------------------------------------------

def _fill(store: SqlStore, n: int = 600) -> None:
    """``n`` events over 60 days: types, countries, sources and places in turn, a few negated."""
    at = datetime(2024, 3, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        name, country, admin1, lat, lon = PLACES[i % len(PLACES)]
        rows.append({
            "id": f"e{i:05d}", "document_id": f"d{i // 3:05d}", "source_id": f"src-{i % 7}", "published_at": at,
            "extractor": "test", "coded_at": at, "type": TYPES[i % len(TYPES)], "mode": None, "contexts": [],
            "actor_entity_id": None, "actor_country": COUNTRIES[i % len(COUNTRIES)],
            "recipient_country": COUNTRIES[(i + 2) % len(COUNTRIES)], "place_name": name, "place_lat": lat,
            "place_lon": lon, "place_country": country, "place_admin1": admin1, "date": FIRST + timedelta(i % 60),
            "date_precision": "day", "date_from_publication": False, "negated": i % 25 == 0, "hypothetical": False,
            "future": False, "reported": False, "sentence": 0, "start": 0, "end": 10, "trigger_start": 0,
            "trigger_end": 5, "confidence": 0.7})
    with store.engine.begin() as conn:
        conn.execute(t.events.insert(), rows)
        recount_events(conn)
        if store.dialect == "postgresql":  # what autovacuum does; a SQLite store has no statistics
            conn.exec_driver_sql("ANALYZE events")


def _statements(store: SqlStore, read: Callable[[], object]) -> list[tuple[str, Any]]:
    """The SELECTs ``read`` runs, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            seen.append((statement, parameters))

    sa.event.listen(store.engine, "before_cursor_execute", record)
    try:
        read()
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", record)
    return seen


def _plan(store: SqlStore, statement: str, parameters: Any, *, bitmaps: bool = False) -> str:
    """The plan of a statement; on PostgreSQL with sequential scans (and, unless ``bitmaps``, bitmap scans) priced
    out, so that a tiny table's plan is the one a big table gets (an index scan wherever an index serves)."""
    with store.engine.connect() as conn:
        if store.dialect == "sqlite":
            return "\n".join(str(r[3]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql(f"SET enable_bitmapscan = {'on' if bitmaps else 'off'}")
        return "\n".join(str(r[0]) for r in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))


def _read_from(store: SqlStore, plan: str, index: str) -> bool:
    """Whether the plan reads the events from ``index`` alone (no table rows)."""
    if store.dialect == "sqlite":
        return f"USING COVERING INDEX {index}" in plan
    return f"Index Only Scan using {index} on events" in plan


@pytest.mark.parametrize(("query", "index"), [
    (EventQuery(actor_country="RUS"), "ix_events_actor_country_date"),
    (EventQuery(recipient_country="UKR"), "ix_events_recipient_country_date"),
    (EventQuery(source_id="src-3"), "ix_events_source_id_date"),
])
def test_a_filtered_window_is_counted_from_its_filters_index(store: SqlStore, query: EventQuery, index: str) -> None:
    _fill(store)
    sc = Scope(replace(query, date_from=FIRST + timedelta(30), date_to=FIRST + timedelta(59)))
    reads = _statements(store, lambda: (day_type_counts(store.engine, sc), region_counts(store.engine, sc),
                                        day_type_region_counts(store.engine, sc), map_view(store.engine, sc)))
    counts = [(statement, parameters) for statement, parameters in reads if "count(" in statement]
    assert len(counts) >= 4  # the daily counts by type, the regions, both at once, the map's one pass
    for statement, parameters in counts:
        plan = _plan(store, statement, parameters)
        assert _read_from(store, plan, index), f"{statement}\n{plan}"


def test_a_window_of_types_is_counted_from_the_kept_counts(store: SqlStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A filter the kept counts answer (types, here) reads them, not the events (forewarn.store.counts)."""
    _fill(store)
    monkeypatch.setattr(explorer, "SINGLES_UNDER", 0)  # the map too, however few the events
    sc = Scope(EventQuery(types=("ASSAULT",), date_from=FIRST + timedelta(30), date_to=FIRST + timedelta(59)))
    reads = _statements(store, lambda: (day_type_counts(store.engine, sc), region_counts(store.engine, sc),
                                        explorer.map_data(store.engine, sc),  # the fine grid
                                        explorer._one_pass(store.engine, sc, ())))  # the map page's one pass
    counts = [statement for statement, _ in reads if "sum(" in statement]
    halves = 2 if store.dialect == "postgresql" else 1  # the map's one pass: one statement per half on PostgreSQL
    assert len(counts) == 3 + halves
    assert all("FROM event_counts" in statement and "events." not in statement for statement in counts), counts


def test_a_scenario_region_is_read_by_its_regions(store: SqlStore) -> None:
    """A post-mortem's window read of a region of first-level regions: from the region index, not every event of
    the window."""
    _fill(store)
    region = Region(admin1=("UKR:Kharkiv Oblast", "RUS:Kursk Oblast"))
    query = EventQuery(date_from=FIRST + timedelta(30), date_to=FIRST + timedelta(59), region=region, limit=None)
    [(statement, parameters)] = _statements(store, lambda: store.find_events(query))
    plan = _plan(store, statement, parameters, bitmaps=True)  # one index scan per region, OR-ed
    assert plan.count("ix_events_place_admin1") == 2, plan
    expected = {f"e{i:05d}" for i in range(600) if i % 60 >= 30 and i % len(PLACES) in (0, 1) and i % 25}
    assert {e.id for e in store.find_events(query)} == expected


def test_a_scenario_region_of_some_types_leaves_the_others_in_the_index(store: SqlStore) -> None:
    """A replay's or post-mortem's read of a region's events of some types (those its indicators count): the region
    index holds the type (0029), so each region's scan passes over the other types' entries without reading their
    rows (at 10 M events, 59,000 rows of a region's 389,000)."""
    if store.dialect != "postgresql":
        pytest.skip("SQLite's query plans do not say which columns an index scan tests")
    _fill(store)
    region = Region(admin1=("UKR:Kharkiv Oblast", "RUS:Kursk Oblast"))
    query = EventQuery(date_from=FIRST + timedelta(30), date_to=FIRST + timedelta(59), region=region,
                       types=("ASSAULT",), limit=None)
    [(statement, parameters)] = _statements(store, lambda: store.find_events(query))
    plan = _plan(store, statement, parameters, bitmaps=True)
    scans = [line for line in plan.splitlines() if "Index Cond" in line and "place_admin1" in line]
    assert len(scans) == 2 and all("type" in line for line in scans), plan
    expected = {f"e{i:05d}" for i in range(600) if i % 60 >= 30 and i % len(PLACES) in (0, 1) and i % 25
                and TYPES[i % len(TYPES)] == "ASSAULT"}
    assert {e.id for e in store.find_events(query)} == expected


@pytest.mark.parametrize("role", ["actor", "recipient"])
def test_an_indicator_of_a_participant_country_and_a_type_reads_only_its_own_entries(store: SqlStore, role: str
                                                                                     ) -> None:
    """A review's clause of a participant's countries and types (0030): the index of the country and the type
    leads to that type's entries; the explorer's index of the country and the date holds every type, and a
    clause read through it walked every event of the country in the review's months (600,000 entries for one
    country at 10 M events, 70-155 ms a clause)."""
    if store.dialect != "postgresql":
        pytest.skip("SQLite's query plans do not say which columns an index scan tests")
    _fill(store)
    clause = EventClause(types=("ASSAULT",), **{f"{role}_countries": ("RUS",)})  # type: ignore[arg-type]
    query = EventQuery(date_from=FIRST + timedelta(30), date_to=FIRST + timedelta(59), any_of=(clause,), limit=None)
    [(statement, parameters)] = _statements(store, lambda: store.find_events(query))
    plan = _plan(store, statement, parameters, bitmaps=True)
    scans = [line for line in plan.splitlines() if "Index Cond" in line and f"{role}_country" in line]
    assert f"ix_events_{role}_country_type" in plan and scans and all("type" in line for line in scans), plan
    expected = {f"e{i:05d}" for i in range(600) if i % 60 >= 30 and i % 25 and TYPES[i % len(TYPES)] == "ASSAULT"
                and COUNTRIES[(i + (2 if role == "recipient" else 0)) % len(COUNTRIES)] == "RUS"}
    assert {e.id for e in store.find_events(query)} == expected


def test_surge_rows_of_a_country_look_for_placed_events_only(store: SqlStore) -> None:
    """A surge counts events placed in a first-level region: its rows of a region of countries ask for no event
    without a place by its participants' countries (PostgreSQL scanned two more indexes for them, 0.2 s at 10 M).
    That they are the same rows: the narrowed reviews equal the whole reads (tests/review/test_narrowed_read.py)."""
    _fill(store)
    query = EventQuery(types=("ASSAULT",), date_from=FIRST + timedelta(30), date_to=FIRST + timedelta(59),
                       region=Region(countries=("UKR", "RUS")), limit=None)
    until = datetime(2024, 12, 31, tzinfo=UTC)
    statements = _statements(store, lambda: surge_rows(store.engine, query, until=until))
    assert len(statements) == 2  # the events of dated documents, those of undated ones
    for statement, _ in statements:
        assert "recipient_country" not in statement and "actor_country" not in statement, statement


def test_a_place_filter_lists_the_places_it_matches_from_the_indexes(store: SqlStore,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The place filter becomes the names and regions it matches among the stored places (read from the indexes
    on the place's name and region), whatever the dates; past MAX_PLACES of them it stays a substring test."""
    _fill(store)
    query = EventQuery(place="KURSK")
    sc = scope(store.engine, query)
    assert sc.places == (("Kursk",), ("Kursk Oblast",))
    reads = _statements(store, lambda: scope(store.engine, query))
    assert len(reads) == 2 and all("WITH RECURSIVE" in statement for statement, _ in reads)
    for (statement, parameters), index in zip(reads, ("ix_events_place_name", "ix_events_place_admin1"), strict=True):
        plan = _plan(store, statement, parameters)  # a probe of the index per distinct value: no pass over the events
        assert index in plan and "SCAN events" not in plan and "Seq Scan" not in plan, plan
    monkeypatch.setattr(events_reads, "MAX_PLACES", 1)
    assert scope(store.engine, query).places is None


def test_postgresql_sessions_compile_nothing_and_sort_in_memory(store: SqlStore) -> None:
    """The store's PostgreSQL connections leave JIT compilation off, give work_mem 32 MB and keep time in UTC
    (forewarn.store.engine), whatever the server's own zone; options in the URL still apply, and override them."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL settings")
    with store.engine.connect() as conn:
        assert [conn.exec_driver_sql(f"SHOW {name}").scalar() for name in ("jit", "work_mem", "TimeZone")] == [
            "off", "32MB", "UTC"]
        at = conn.execute(sa.select(sa.cast(sa.literal("2024-03-01 23:30:00-05"), t.events.c.coded_at.type))).scalar()
        assert at == datetime(2024, 3, 2, 4, 30, tzinfo=UTC) and at.tzinfo is UTC
        schema = conn.exec_driver_sql("SHOW search_path").scalar()
    url = store.engine.url
    given = url.query["options"]
    other = open_store(url.update_query_dict({"options": f"{given} -c work_mem=8MB"})
                       .render_as_string(hide_password=False))
    try:
        with other.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW work_mem").scalar() == "8MB"
            assert conn.exec_driver_sql("SHOW search_path").scalar() == schema
    finally:
        other.close()


@pytest.mark.parametrize("clause_types", [("ASSAULT",), (), ("ASSAULT", "PROTEST")])
def test_a_query_of_clauses_keeps_to_its_types(store: SqlStore, clause_types: tuple[str, ...]) -> None:
    """The types' own condition is left out only where every clause's types imply it (forewarn.store.queries)."""
    _fill(store)
    query = EventQuery(types=("ASSAULT",), any_of=(EventClause(types=clause_types),), limit=None)
    with store.engine.connect() as conn:
        found = set(conn.execute(sa.select(t.events.c.type).where(*event_filters(query))).scalars())
    assert found == {"ASSAULT"}


def _reports(store: SqlStore, documents: dict[str, tuple[str, datetime | None, datetime, date]]) -> None:
    """A document of each id (its cluster, publication and ingest times) with one ASSAULT in Kharkiv dated as given."""
    with store.engine.begin() as conn:
        conn.execute(t.documents.insert(), [
            {"id": i, "key": n, "text": "Shelling reported.", "published_at": published, "ingested_at": ingested,
             "marking": "TLP:CLEAR", "cluster_id": cluster, "reader": "text", "location": f"/{i}.txt",
             "raw_sha256": i, "run_id": 1, "meta": [], "shingles": 1, "signature": b""}
            for n, (i, (cluster, published, ingested, _)) in enumerate(documents.items())])
        conn.execute(t.events.insert(), [
            {"id": f"e-{i}", "document_id": i, "published_at": published, "extractor": "test", "coded_at": ingested,
             "type": "ASSAULT", "contexts": [], "actor_country": "RUS", "place_name": "Kharkiv", "place_lat": 49.99,
             "place_lon": 36.23, "place_country": "UKR", "place_admin1": "Kharkiv Oblast", "date": day,
             "date_precision": "day", "date_from_publication": False, "negated": False, "hypothetical": False,
             "future": False, "reported": False, "sentence": 0, "start": 0, "end": 8, "trigger_start": 0,
             "trigger_end": 8, "confidence": 0.7}
            for i, (_, published, ingested, day) in documents.items()])


def test_late_reports_are_read_by_when_they_became_known(store: SqlStore) -> None:
    """A review's late reports: the events dated before its look-back whose documents became known in its period
    (looked up first by their publication times on PostgreSQL), an undated document's by its ingest time; none
    known before the period or after its end."""
    start, end = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 20, tzinfo=UTC)
    old = FIRST - timedelta(days=100)
    _reports(store, {"late": ("late", start + timedelta(days=2), start + timedelta(days=2), old),
                     "undated": ("undated", None, start + timedelta(days=3), old),
                     "known-before": ("known-before", start - timedelta(days=1), start - timedelta(days=1), old),
                     "known-after": ("known-after", end + timedelta(days=1), end + timedelta(days=1), old)})
    clause = EventClause(types=("ASSAULT",), actor_countries=("RUS",))
    query = EventQuery(date_to=FIRST - timedelta(days=1), any_of=(clause,), limit=None)
    found = observed_events(store.engine, query, until=end, known_from=start)
    assert [(o.event.id, o.known_at) for o in found] == [("e-late", start + timedelta(days=2)),
                                                         ("e-undated", start + timedelta(days=3))]


def test_surge_rows_carry_each_report_s_cluster_and_when_it_became_known(store: SqlStore) -> None:
    """A surge counts clusters of reports: the rows of a near-duplicate's events carry the cluster of the report it
    copies (looked up in the index of near-duplicates, 0030), an original's its own, and an undated document's
    events are known when it was ingested — in the query's days and, with ``known_from``, older ones known since."""
    at, later = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 20, tzinfo=UTC)
    old = FIRST - timedelta(days=40)
    _reports(store, {"orig": ("orig", at, at, FIRST), "copy": ("orig", at + timedelta(hours=2), at, FIRST),
                     "undated": ("undated", None, at + timedelta(hours=5), FIRST), "late": ("orig", later, later, old),
                     "lost": ("lost", None, later, old)})
    query = EventQuery(types=("ASSAULT",), date_from=FIRST - timedelta(days=5), date_to=FIRST + timedelta(days=5),
                       region=Region(countries=("UKR",)), limit=None)
    rows = surge_rows(store.engine, query, until=later, known_from=at + timedelta(days=1))
    assert {(r.event_id, r.cluster_id, r.known_at) for r in rows} == {
        ("e-orig", "orig", at), ("e-copy", "orig", at + timedelta(hours=2)), ("e-undated", "undated",
                                                                             at + timedelta(hours=5)),
        ("e-late", "orig", later), ("e-lost", "lost", later)}
    assert {r.event_id for r in surge_rows(store.engine, query, until=at + timedelta(hours=3))} == {"e-orig",
                                                                                                   "e-copy"}


def _joins(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The join nodes of a JSON plan."""
    if node.get("Node Type") in ("Nested Loop", "Hash Join", "Merge Join"):
        yield node
    for child in node.get("Plans", ()):
        yield from _joins(child)


def test_a_page_of_events_is_joined_to_its_entities_after_it_is_chosen(store: SqlStore) -> None:
    """The explorer's page of events is chosen first, then joined to its participants' entities: not every event of
    its dates (at 10 M events, 5,137 events of the latest day joined for 50 shown: 21 ms against 5)."""
    if store.dialect != "postgresql":
        pytest.skip("the plan's rows counted from PostgreSQL's EXPLAIN ANALYZE")
    _fill(store)
    sc = Scope(EventQuery(date_from=FIRST, date_to=FIRST + timedelta(59)))
    [(statement, parameters)] = _statements(store, lambda: events_reads.find_events(store.engine, sc, limit=3))
    with store.engine.connect() as conn:
        [[plan]] = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters).all()
    joins = list(_joins(plan[0]["Plan"]))
    assert len(joins) >= 4 and all(j["Actual Rows"] <= 3 for j in joins), joins  # two entities a participant
    assert [e.id for e in events_reads.find_events(store.engine, sc, limit=3)] == ["e00599", "e00539", "e00479"]
