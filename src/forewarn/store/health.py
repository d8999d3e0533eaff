"""The store's health figures: whether the database answers, and the few numbers that say whether a workspace
keeps up — documents waiting for extraction, notifications waiting for delivery, what was extracted lately, how
long since the last warning cycle and the last published assessment, and the ledger's length.

They are read at every scrape of the workbench's ``/metrics`` and of ``forewarn watch``'s metrics, so each is
one short query over an index, or bounded — but one. The documents waiting for extraction are what no index
answers (documents without an extraction row: an anti-join over both tables, ~3 s over 2.2 M documents), counted
up to :data:`WAITING_CAP`; the extractions of the last minutes are read from their index on status and time
(migration 0023). A figure that took longer than :data:`CHEAP_S` is reused for :data:`SPREAD` times what it took
(a 3 s count is read again every 150 s, not at every scrape), and the figures say how old it is. Counts only: no
name, title or text leaves this module.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import JSON, Connection, Engine, case, cast, func, literal, or_, select, type_coerce
from sqlalchemy.sql.elements import ColumnElement

from forewarn.store import schema as t

WAITING_CAP = 10_000  # documents waiting for extraction counted at most (the count says when it stopped there)
CHEAP_S = 0.05  # a figure read quicker than this is read again at every scrape
SPREAD = 50  # a dearer one is reused for this many times what it took (at most 2 % of a core on it)
WINDOWS: Mapping[str, timedelta] = {"5m": timedelta(minutes=5), "15m": timedelta(minutes=15)}
LAST_SEQ = 2**63 - 1  # ledger seqs are numbers up to this (forewarn.ledger.rows.MAX_SEQ): a tampered row is no length


@dataclass(frozen=True)
class Waiting:
    """Documents waiting for extraction: never extracted, or their last extraction failed."""

    never: int
    failed: int
    capped: bool  # more than WAITING_CAP wait: the counts stopped there


@dataclass(frozen=True)
class Backlog:
    """Notifications in the outbox not delivered: never tried yet, failed and to be retried, given up."""

    pending: int
    retrying: int
    dead: int
    oldest_pending_s: float  # age of the oldest not yet delivered (pending or retrying); 0 when none


@dataclass(frozen=True)
class Extracted:
    """Documents extracted (successfully) and the events they gave, in one window up to now."""

    documents: int
    events: int
    seconds: float  # the window's length

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds


@dataclass(frozen=True)
class HealthFigures:
    waiting: Waiting
    outbox: Backlog
    extracted: Mapping[str, Extracted]  # by window name ("5m", "15m")
    last_cycle_age_s: float | None  # since the last warning cycle ran (None: none yet)
    newest_assessment_age_s: float | None  # since the latest assessment published for any watched scenario
    oldest_assessment_age_s: float | None  # the stalest watched scenario's latest assessment
    ledger_entries: int
    ages: Mapping[str, float]  # how old the reused figures are (see SPREAD): "extraction_waiting", "extracted"


T = TypeVar("T")


class Reused(Generic[T]):
    """A figure read by ``read(conn, now)``; when that took longer than CHEAP_S, the value is reused for SPREAD
    times what it took. Concurrent scrapes wait for one read rather than each making its own."""

    def __init__(self, read: Callable[[Connection, datetime], T], monotonic: Callable[[], float]) -> None:
        self._read, self._monotonic = read, monotonic
        self._last: tuple[float, float, T] | None = None  # read when, in how many seconds, what
        self._lock = threading.Lock()

    def __call__(self, conn: Connection, now: datetime) -> tuple[T, float]:
        """The value, and how many seconds ago it was read."""
        with self._lock:
            started = self._monotonic()
            if self._last is None or started - self._last[0] >= _reuse_for(self._last[1]):
                value = self._read(conn, now)
                self._last = (started, self._monotonic() - started, value)
            at, _, value = self._last
            return value, started - at


def _reuse_for(cost: float) -> float:
    return 0.0 if cost < CHEAP_S else SPREAD * cost


class StoreHealth:
    """The health reads of one store (``ws.health``); each figure is read when asked, as of ``now`` (the
    workspace's clock: the times compared with were written by it)."""

    def __init__(self, engine: Engine, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self._waiting = Reused(lambda conn, _now: _waiting(conn), monotonic)
        self._extracted = Reused(_extracted, monotonic)

    def ping(self) -> None:
        """Return when the database answers a query; the store's coded error (FW-E002) when it does not."""
        with self.engine.connect() as conn:
            conn.execute(select(literal(1))).scalar_one()

    def figures(self, now: datetime) -> HealthFigures:
        with self.engine.connect() as conn:
            (waiting, waiting_age), (extracted, extracted_age) = self._waiting(conn, now), self._extracted(conn, now)
            ages = _assessment_ages(conn, now)
            return HealthFigures(waiting, _backlog(conn, now), extracted, _last_cycle_age(conn, now),
                                 min(ages, default=None), max(ages, default=None), _ledger_entries(conn),
                                 {"extraction_waiting": waiting_age, "extracted": extracted_age})


def _waiting(conn: Connection) -> Waiting:
    """The waiting documents, WAITING_CAP + 1 at most read (one anti-join: ``documents_needing_extraction``'s)."""
    d, x = t.documents.c, t.extractions.c
    q = (select(x.status).select_from(t.documents.outerjoin(t.extractions, x.document_id == d.id))
         .where(or_(x.document_id.is_(None), x.status == "failed")).limit(WAITING_CAP + 1))
    found = list(conn.execute(q).scalars())
    failed = sum(1 for status in found[:WAITING_CAP] if status == "failed")
    return Waiting(min(len(found), WAITING_CAP) - failed, failed, len(found) > WAITING_CAP)


def _backlog(conn: Connection, now: datetime) -> Backlog:
    o = t.outbox.c
    retried = o.attempts > 0
    q = (select(o.status, retried.label("retried"), func.count(), func.min(o.created_at))
         .where(o.status.in_(("pending", "dead"))).group_by(o.status, retried))
    counts = {"pending": 0, "retrying": 0, "dead": 0}
    oldest: datetime | None = None
    for status, was_retried, n, first in conn.execute(q):
        key = "dead" if status == "dead" else "retrying" if was_retried else "pending"
        counts[key] += n
        if status == "pending" and first is not None:
            oldest = first if oldest is None else min(oldest, first)
    age = 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
    return Backlog(counts["pending"], counts["retrying"], counts["dead"], age)


def _extracted(conn: Connection, now: datetime) -> dict[str, Extracted]:
    """Each window's extractions in one read of the longest window (the rows extracted since its start)."""
    x = t.extractions.c
    starts = {name: now - length for name, length in WINDOWS.items()}
    events = _events_counted(conn)
    columns = [func.coalesce(func.sum(case((x.extracted_at >= start, value), else_=0)), 0)
               for start in starts.values() for value in (literal(1), events)]
    row = conn.execute(select(*columns).where(x.status == "ok", x.extracted_at >= min(starts.values()),
                                               x.extracted_at <= now)).one()
    return {name: Extracted(int(row[2 * i]), int(row[2 * i + 1]), WINDOWS[name].total_seconds())
            for i, name in enumerate(starts)}


def _events_counted(conn: Connection) -> ColumnElement[int]:
    """The events an extraction row counted (its JSON ``counts``): PostgreSQL reads the text as JSON, SQLite's JSON
    functions read it as it is."""
    counts = t.extractions.c.counts
    as_json = cast(counts, JSON) if conn.dialect.name == "postgresql" else type_coerce(counts, JSON)
    return func.coalesce(as_json["events"].as_integer(), 0)


def _last_cycle_age(conn: Connection, now: datetime) -> float | None:
    """Since the last warning cycle: every cycle's deconfliction step records a run (the newest row is the last)."""
    r = t.deconfliction_runs.c
    at = conn.execute(select(r.ran_at).order_by(r.id.desc()).limit(1)).scalar()
    return None if at is None else max(0.0, (now - at).total_seconds())


def _assessment_ages(conn: Connection, now: datetime) -> list[float]:
    """Each watched scenario's latest published assessment's age (scenarios never assessed left out); one index
    lookup per scenario (``ix_assessments_scenario_id_at``)."""
    s, a = t.scenarios.c, t.assessments.c
    latest = select(func.max(a.at)).where(a.scenario_id == s.id).scalar_subquery()
    found = conn.execute(select(latest).where(s.enabled.is_(True))).scalars()
    return [max(0.0, (now - at).total_seconds()) for at in found if at is not None]


def _ledger_entries(conn: Connection) -> int:
    """The ledger's length: its seqs run 1, 2, … (the chain is append-only), so the highest is the count."""
    seq = t.ledger.c.seq
    return int(conn.execute(select(func.max(seq)).where(seq <= LAST_SEQ)).scalar() or 0)
