"""Text matches remembered: which items (events, by their sentence; documents, by their title and text) a pattern
matched, day by day, so that a review over a store of millions of events reads the few that match instead of
testing every sentence and text of its period again.

Matching is done in Python (Unicode, case-insensitive word patterns: no SQL test is exact on both backends, see
:mod:`forewarn.store.stories`); what is remembered is its result. A day is remembered with the generation the
write path gave it when the pattern was tested (``day_marks``: raised in the transaction that adds or removes
that day's events, or adds documents known that day), so a day that has changed since is tested again, and
only the days that changed. The generation is read before the items: a write committing in between leaves the
day marked older than what was seen, and it is simply tested again next time.

The hits are a superset the readers narrow with: each reader still tests every item it reads exactly. They are
derived data, like an index: filling them changes nothing in the workspace (no ledger entry, not counted as a
write), and anything that can read the store can fill them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import Connection, Engine, Select, and_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forewarn.store import schema as t
from forewarn.store.core import among, chunks
from forewarn.store.engine import DOING, WRITE
from forewarn.store.types import as_date

Kind = Literal["events", "documents"]
Hit = tuple[str, date]  # an item's id, its day
Examine = Callable[[date, date, frozenset[date]], Iterable[Hit]]  # first day, last day, the days wanted: the hits


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


def remember(engine: Engine, key: str, kind: Kind, first: date, last: date, examine: Examine) -> None:
    """Make the hits of ``key`` cover every day from ``first`` to ``last``: the days not tested since their last
    change are handed to ``examine`` (in one call: the span from the first such day to the last, and the days
    themselves), and its hits stored in their place, in one transaction."""
    if last < first:
        return
    with engine.connect() as conn:
        stale = _stale(conn, key, kind, first, last)
    if not stale:
        return
    days = frozenset(stale)
    found = [(item, day) for item, day in examine(min(days), max(days), days) if day in days]
    with engine.execution_options(**{WRITE: True, DOING: "remembering text matches"}).begin() as conn:
        _replace(conn, key, stale, found)


def hits(key: str) -> Select[tuple[str]]:
    """The items ``key`` matched: a subquery for ``IN``."""
    return select(t.match_hits.c.item).where(t.match_hits.c.key == key)


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


def _replace(conn: Connection, key: str, stale: dict[date, int], found: list[Hit]) -> None:
    """The hits of ``key`` on the ``stale`` days replaced by ``found``, and those days marked tested."""
    mm, mh = t.match_marks.c, t.match_hits.c
    days = sorted(stale)
    for where in among(conn, mh.day, days):
        conn.execute(t.match_hits.delete().where(and_(mh.key == key, where)))
    for where in among(conn, mm.day, days):
        conn.execute(t.match_marks.delete().where(and_(mm.key == key, where)))
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    for chunk in chunks([{"key": key, "item": item, "day": day} for item, day in dict(found).items()]):
        conn.execute(insert(t.match_hits).on_conflict_do_nothing(), chunk)  # a reader filling the same days
    marks = insert(t.match_marks)
    conn.execute(marks.on_conflict_do_update(index_elements=["key", "day"],
                                             set_={"generation": marks.excluded.generation}),
                 [{"key": key, "day": d, "generation": g} for d, g in stale.items()])


