"""Published assessments in the store: write one (with its ledger entry, in one transaction) and read
them back — the latest, a page of history, the probability series for a chart, the published points
over a post-mortem's window. Reads use the index on (scenario, time) and never read events.

"Latest" has one meaning here, used by the cycle, the scenario pages, the API and the desk alike
(:data:`LATEST_FIRST`): the assessment with the latest ``at`` (the time it assesses), the later-stored
one (higher id) on a tie. Bounded by a time T (``until``), it is the latest of those with ``at`` ≤ T:
a cycle at T compares its assessment with what had been published as of T, so a cycle run for an
earlier time (``forewarn cycle --at``) compares with what stood then, and a later cycle compares with
the assessment every page shows as the latest, whatever order the cycles ran in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from forewarn.model import Assessment, Scenario, Signal, StoredAssessment
from forewarn.model.marking import EVERYTHING, Access
from forewarn.store import schema as t
from forewarn.store.access import hidden_from

A = t.assessments.c
LATEST_FIRST = (A.at.desc(), A.id.desc())  # the one order of "latest": by time assessed, then by storing
LEDGER_SIGNALS = 20  # counted signals summarised in an assessment's ledger entry
SERIES_POINTS = 2000  # most assessments drawn on one chart
WINDOW_POINTS = 5000  # most published assessments read over a post-mortem's window


@dataclass(frozen=True, slots=True)
class Series:
    points: list[tuple[datetime, float]]  # oldest first; the first may be the value carried in from before start
    start: datetime
    truncated: bool  # more assessments in the window than drawn: the chart starts at the first drawn


@dataclass(frozen=True, slots=True)
class Published:
    """A published probability at a time (a point of a chart), without its signals."""

    at: datetime
    probability: float
    level: str | None


# -- writing ---------------------------------------------------------------------------------------

def insert(conn: Connection, a: Assessment, now: datetime) -> None:
    conn.execute(t.assessments.insert().values(
        scenario_id=a.scenario_id, scenario_version=a.scenario_version, at=a.at, probability=a.probability,
        log_odds=a.log_odds, level=a.level, signals=[signal_json(s) for s in a.signals], created_at=now))


def ledger_payload(scenario: Scenario, a: Assessment) -> dict[str, Any]:
    counted = sorted(a.counted, key=lambda s: -abs(s.contribution))[:LEDGER_SIGNALS]
    return {"scenario": scenario.id, "version": a.scenario_version, "as_of": a.at.isoformat(),
            "probability": round(a.probability, 6), "level": a.level, "prior": a.prior,
            "signals": [{"indicator": s.indicator_id, "contribution": round(s.contribution, 6),
                         "events": list(s.event_ids)} for s in counted]}


def signal_json(s: Signal) -> dict[str, Any]:
    value = asdict(s)
    value.update(kind=s.kind.value, observed_on=s.observed_on.isoformat(), known_at=s.known_at.isoformat(),
                 source_ids=list(s.source_ids), event_ids=list(s.event_ids), document_ids=list(s.document_ids))
    return value


# -- the latest ------------------------------------------------------------------------------------

def latest(conn: Connection, scenario_id: str, *, until: datetime | None = None, signals: bool = True
           ) -> StoredAssessment | None:
    """The scenario's latest stored assessment (of those at or before ``until``, when given), or None;
    without ``signals``, its signals are left unread (empty). One indexed look-up, however long the history."""
    query = select(*_columns(signals)).where(A.scenario_id == scenario_id).order_by(*LATEST_FIRST).limit(1)
    row = conn.execute(query.where(A.at <= until) if until is not None else query).first()
    return stored_assessment(row) if row is not None else None


def latest_of(conn: Connection, scenario_ids: Iterable[str], *, until: datetime | None = None,
              signals: bool = False) -> dict[str, StoredAssessment]:
    """Each scenario's latest stored assessment, by scenario id (those with none left out)."""
    found = {i: latest(conn, i, until=until, signals=signals) for i in scenario_ids}
    return {i: a for i, a in found.items() if a is not None}


def latest_all(conn: Connection, until: datetime | None = None) -> dict[str, StoredAssessment]:
    """The latest assessment (with signals) of every scenario the workspace has or had, by scenario id."""
    return latest_of(conn, list(conn.execute(select(t.scenarios.c.id)).scalars()), until=until, signals=True)


# -- history ---------------------------------------------------------------------------------------

def known(conn: Connection, scenario_id: str, access: Access = EVERYTHING) -> bool:
    """Whether the workspace has (or had: removed ones stay) a scenario with this id that ``access`` may see."""
    s = t.scenarios.c
    query = select(s.id).where(s.id == scenario_id, *hidden_from(s.compartment, access))
    return conn.execute(query).first() is not None


def history(conn: Connection, scenario_id: str, *, since: datetime | None = None, until: datetime | None = None,
            limit: int | None = None, offset: int = 0, signals: bool = True) -> list[StoredAssessment]:
    """The scenario's stored assessments at or after ``since`` and before ``until``, latest first (without
    ``signals``, each one's signals are left unread: empty)."""
    query = select(*_columns(signals)).where(*_window(scenario_id, since, until)).order_by(*LATEST_FIRST)
    return [stored_assessment(r) for r in conn.execute(query.limit(limit).offset(offset))]


def page(conn: Connection, scenario_id: str, *, since: datetime | None = None, until: datetime | None = None,
         limit: int = 50, offset: int = 0, signals: bool = True) -> tuple[list[StoredAssessment], int]:
    """One page of :func:`history`, and how many match in all."""
    found = history(conn, scenario_id, since=since, until=until, limit=limit, offset=offset, signals=signals)
    if len(found) < limit and (found or offset == 0):  # the last page: no need to count
        return found, offset + len(found)
    counted = select(func.count()).select_from(t.assessments).where(*_window(scenario_id, since, until))
    return found, int(conn.execute(counted).scalar_one())


def first_at(conn: Connection, scenario_id: str) -> datetime | None:
    query = select(A.at).where(A.scenario_id == scenario_id).order_by(A.at).limit(1)
    value: datetime | None = conn.execute(query).scalar()
    return value


def series(conn: Connection, scenario_id: str, start: datetime, end: datetime, points: int = SERIES_POINTS
           ) -> Series:
    """The probability from ``start`` to ``end``: the value in force at ``start`` (the latest assessment
    before it), then every assessment in the window — the latest ``points`` of them when there are more."""
    window = (select(A.at, A.probability).where(A.scenario_id == scenario_id, A.at >= start, A.at <= end)
              .order_by(*LATEST_FIRST).limit(points + 1))
    found = [(r.at, float(r.probability)) for r in conn.execute(window)]
    found.reverse()
    if len(found) > points:
        found = found[1:]
        return Series(found, found[0][0], True)
    before = select(A.probability).where(A.scenario_id == scenario_id, A.at < start).order_by(*LATEST_FIRST).limit(1)
    carried = conn.execute(before).scalar()
    if carried is not None:
        found.insert(0, (start, float(carried)))
    return Series(found, start, False)


def published_between(conn: Connection, scenario_id: str, start: datetime, end: datetime,
                      most: int = WINDOW_POINTS) -> list[Published]:
    """The scenario's published assessments from ``start`` to ``end`` (the latest one before ``start``
    first, dated at ``start``, so a chart's line starts where it stood), oldest first."""
    cols = (A.at, A.probability, A.level)
    before = conn.execute(select(*cols).where(A.scenario_id == scenario_id, A.at < start)
                          .order_by(*LATEST_FIRST).limit(1)).first()
    rows = conn.execute(select(*cols).where(A.scenario_id == scenario_id, A.at >= start, A.at <= end)
                        .order_by(A.at).limit(most)).all()
    return [Published(max(r.at, start), float(r.probability), r.level) for r in [*([before] if before else []), *rows]]


def stored_assessment(r: Any) -> StoredAssessment:
    """An assessments row as a StoredAssessment (a row read without its signals has none)."""
    signals = tuple(r.signals) if "signals" in r._fields else ()
    return StoredAssessment(int(r.id), r.scenario_id, r.scenario_version, r.at, float(r.probability),
                            float(r.log_odds), r.level, signals)


def _columns(signals: bool) -> list[Any]:
    return [t.assessments] if signals else [c for c in t.assessments.c if c.name != "signals"]


def _window(scenario_id: str, since: datetime | None, until: datetime | None) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [A.scenario_id == scenario_id]
    if since is not None:
        where.append(A.at >= since)
    if until is not None:
        where.append(A.at < until)
    return where
