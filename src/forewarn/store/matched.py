"""Text matches remembered: which items (events, by their sentence; documents, by their title and text) a pattern
matched, day by day, so that a review over a store of millions of events reads the few that match instead of
testing every sentence and text of its period again.

Matching is done in Python (Unicode, case-insensitive word patterns: no SQL test is exact on both backends, see
:mod:`forewarn.store.stories`); what is remembered is its result. A day is remembered with the generation the
write path gave it when the pattern was tested (``day_marks``: raised in the transaction that adds or removes
that day's events, adds documents known that day, or extracts them again), so a day that has changed since is
tested again, and only the days that changed. The generation is read before the items: a write committing in
between leaves the day marked older than what was seen, and it is simply tested again next time.

For documents, each day's stories are counted as its hits are stored (``match_days``: the distinct duplicate
clusters and sources among them), so that a review reads a day's count as one row. The hits of an events key are
a superset the readers narrow with (each still tests every event it reads); a story key carries everything a
mentions indicator asks of a document (its words, the region and entities it names: see
:func:`forewarn.detect.stories.story_key`), and the write path marks a document's day changed when its extraction,
and so what it names, changes. The hits and counts are derived data, like an index: filling them changes nothing
in the workspace (no ledger entry, not counted as a write), and anything that can read the store can fill them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any, Literal, NamedTuple

from sqlalchemy import Boolean, ColumnElement, Connection, Engine, Select, and_, any_, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler

from forewarn.store import schema as t
from forewarn.store.core import among, chunks
from forewarn.store.engine import DOING, WRITE
from forewarn.store.types import as_date

Kind = Literal["events", "documents"]


class Hit(NamedTuple):
    """An item a pattern matched: its id and day; a document's duplicate cluster and source (itself without one),
    from which the day's stories are counted (``match_days``)."""

    item: str
    day: date
    cluster: str = ""
    source: str = ""


Examine = Callable[[date, date, frozenset[date]], Iterable[Hit]]  # first day, last day, the days wanted: the hits
# first day, last day, the days wanted of each key: the hits of each key
ExamineAll = Callable[[date, date, Mapping[str, frozenset[date]]], Iterable[tuple[str, Hit]]]


def match_key(*parts: object) -> str:
    """A key for a pattern and what it is tested on (the reprs of ``parts``: stable for frozen dataclasses,
    tuples and strings)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def bump(conn: Connection, kind: Kind, days: Iterable[date]) -> None:
    """Raise the generation of each of ``days`` (in the caller's write transaction)."""
    rows = [{"kind": kind, "day": d, "generation": 1} for d in sorted(set(days))]
    if not rows:
        return
    ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(t.day_marks)
    conn.execute(ins.on_conflict_do_update(index_elements=["kind", "day"],
                                           set_={"generation": t.day_marks.c.generation + 1}), rows)


def add_documents(conn: Connection, days: Mapping[date, int]) -> None:
    """Add to each day's count of documents known then (in the caller's ingest transaction)."""
    rows = [{"day": d, "documents": n} for d, n in sorted(days.items()) if n]
    if not rows:
        return
    ins = (pg_insert if conn.dialect.name == "postgresql" else sqlite_insert)(t.document_days)
    conn.execute(ins.on_conflict_do_update(index_elements=["day"],
                                           set_={"documents": t.document_days.c.documents + ins.excluded.documents}),
                 rows)


def remember(engine: Engine, key: str, kind: Kind, first: date, last: date, examine: Examine) -> None:
    """Make the hits of ``key`` cover every day from ``first`` to ``last``: the days not tested since their last
    change are handed to ``examine`` (in one call: the span from the first such day to the last, and the days
    themselves), and its hits stored in their place, in one transaction."""
    def each(first: date, last: date, stale: Mapping[str, frozenset[date]]) -> Iterator[tuple[str, Hit]]:
        return ((key, hit) for hit in examine(first, last, stale[key]))

    remember_all(engine, (key,), kind, first, last, each)


def remember_all(engine: Engine, keys: Collection[str], kind: Kind, first: date, last: date,
                 examine: ExamineAll) -> None:
    """:func:`remember` for several keys tested on the same items at once: ``examine`` is given, per key, the days
    it has to test (only the keys with any), and one read of the span serves them all. For documents, the
    stories of each day tested are counted too (:func:`tallies`)."""
    if last < first:
        return
    with engine.connect() as conn:
        stale = {k: days for k in keys if (days := _stale(conn, k, kind, first, last))}
    if not stale:
        return
    wanted = {k: frozenset(days) for k, days in stale.items()}
    every = [d for days in wanted.values() for d in days]
    found: dict[str, dict[str, Hit]] = {k: {} for k in stale}
    for k, hit in examine(min(every), max(every), wanted):
        if hit.day in wanted[k]:
            found[k].setdefault(hit.item, hit)
    with engine.execution_options(**{WRITE: True, DOING: "remembering text matches"}).begin() as conn:
        for k, days in stale.items():
            _replace(conn, k, days, list(found[k].values()), counted=kind == "documents")


def hits(key: str, days: tuple[date, date] | None = None) -> Select[tuple[str]]:
    """The items ``key`` matched (on the days from ``days[0]`` to ``days[1]`` when given): a subquery for ``IN``."""
    mh = t.match_hits.c
    return select(mh.item).where(mh.key == key, *((mh.day >= days[0], mh.day <= days[1]) if days else ()))


class AmongHits(ColumnElement[bool]):
    """``column`` is one of the items ``key`` matched. On PostgreSQL ``= ANY(ARRAY(…))``: the hits are read once
    and the condition is an index condition on ``column``, so an OR of such conditions with others is a union of
    index scans, where ``IN (subquery)`` is a filter that makes the planner read the whole table."""

    inherit_cache = False  # compiled per statement: the subquery is made when compiled
    type = Boolean()

    def __init__(self, column: ColumnElement[str], key: str) -> None:
        self.column, self.matched = column, key  # (``key`` is a column element's own name)


@compiles(AmongHits)
def _among_hits(element: AmongHits, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(hits(element.matched)), **kw)


@compiles(AmongHits, "postgresql")
def _among_hits_pg(element: AmongHits, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column == any_(func.array(hits(element.matched).scalar_subquery())), **kw)


def _stale(conn: Connection, key: str, kind: Kind, first: date, last: date) -> dict[date, int]:
    """The days from ``first`` to ``last`` whose generation is not the one ``key`` was tested at, with the
    current generation (0: never written since the marks began)."""
    dm, mm = t.day_marks.c, t.match_marks.c
    now = {as_date(d): g for d, g in conn.execute(select(dm.day, dm.generation).where(
        dm.kind == kind, dm.day >= first, dm.day <= last))}
    seen = {as_date(d): g for d, g in conn.execute(select(mm.day, mm.generation).where(
        mm.key == key, mm.day >= first, mm.day <= last))}
    days = (first + timedelta(days=i) for i in range((last - first).days + 1))
    return {d: now.get(d, 0) for d in days if seen.get(d) != now.get(d, 0)}


def tallies(engine: Engine, key: str, first: date, last: date) -> dict[date, tuple[int, int]]:
    """The days from ``first`` to ``last`` on which documents matched ``key``: the independent stories (duplicate
    clusters) and the sources among them, as remembered (the days must be, see :func:`remember_all`)."""
    md = t.match_days.c
    q = select(md.day, md.clusters, md.sources).where(md.key == key, md.day >= first, md.day <= last)
    with engine.connect() as conn:
        return {as_date(d): (clusters, sources) for d, clusters, sources in conn.execute(q)}


def _replace(conn: Connection, key: str, stale: dict[date, int], found: list[Hit], *, counted: bool) -> None:
    """The hits of ``key`` on the ``stale`` days replaced by ``found``, and those days marked tested; with
    ``counted``, each day's stories counted too."""
    mm, mh, md = t.match_marks.c, t.match_hits.c, t.match_days.c
    days = sorted(stale)
    for table, day in ((t.match_hits, mh.day), (t.match_marks, mm.day), (t.match_days, md.day)):
        for where in among(conn, day, days):
            conn.execute(table.delete().where(and_(table.c.key == key, where)))
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for chunk in chunks([{"key": key, "item": h.item, "day": h.day} for h in found]):
        conn.execute(insert(t.match_hits).on_conflict_do_nothing(), chunk)  # a reader filling the same days
    if counted and found:
        conn.execute(insert(t.match_days).on_conflict_do_nothing(), _counted(key, found))
    marks = insert(t.match_marks)
    conn.execute(marks.on_conflict_do_update(index_elements=["key", "day"],
                                             set_={"generation": marks.excluded.generation}),
                 [{"key": key, "day": d, "generation": g} for d, g in stale.items()])


def _counted(key: str, found: list[Hit]) -> list[dict[str, object]]:
    """Per day of ``found``: its distinct clusters and sources."""
    days: dict[date, tuple[set[str], set[str]]] = {}
    for h in found:
        clusters, sources = days.setdefault(h.day, (set(), set()))
        clusters.add(h.cluster)
        sources.add(h.source)
    return [{"key": key, "day": d, "clusters": len(c), "sources": len(s)} for d, (c, s) in sorted(days.items())]


