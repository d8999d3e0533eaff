"""Reads behind the scenario pages and the scenarios API, all on STORED assessments (the
``assessments`` table, indexed by scenario and time; each row keeps every signal's contribution):
the latest one of each scenario, the probability series for the chart, a page of history. Nothing
here re-assesses a scenario or reads events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, select

from forewarn.cycle import StoredAssessment, stored_assessment
from forewarn.store import schema as t
from forewarn.warn import rows

A = t.assessments.c
W = t.warnings.c
SERIES_POINTS = 2000  # most assessments drawn on one chart


@dataclass(frozen=True, slots=True)
class Latest:
    """A scenario's last stored assessment, without its signals."""

    scenario_id: str
    scenario_version: str
    at: datetime
    probability: float
    level: str | None


@dataclass(frozen=True, slots=True)
class Series:
    points: list[tuple[datetime, float]]  # oldest first; the first may be the value carried in from before start
    start: datetime
    truncated: bool  # more assessments in the window than drawn: the chart starts at the first drawn


def known(conn: Connection, scenario_id: str) -> bool:
    """Whether the workspace has (or had: removed ones stay) a scenario with this id."""
    s = t.scenarios.c
    return conn.execute(select(s.id).where(s.id == scenario_id)).first() is not None


def latest(conn: Connection, scenario_id: str) -> StoredAssessment | None:
    """The scenario's last stored assessment with its signals, or None."""
    query = (select(t.assessments).where(A.scenario_id == scenario_id)
             .order_by(A.at.desc(), A.id.desc()).limit(1))
    row = conn.execute(query).first()
    return stored_assessment(row) if row is not None else None


def latest_of(conn: Connection, scenario_ids: Iterable[str]) -> dict[str, Latest]:
    """Each scenario's last stored assessment (no signals): one indexed look-up per scenario, however
    long the history."""
    found: dict[str, Latest] = {}
    for scenario_id in scenario_ids:
        query = (select(A.scenario_id, A.scenario_version, A.at, A.probability, A.level)
                 .where(A.scenario_id == scenario_id).order_by(A.at.desc(), A.id.desc()).limit(1))
        r = conn.execute(query).first()
        if r is not None:
            found[scenario_id] = Latest(r.scenario_id, r.scenario_version, r.at, float(r.probability), r.level)
    return found


def first_at(conn: Connection, scenario_id: str) -> datetime | None:
    query = select(A.at).where(A.scenario_id == scenario_id).order_by(A.at).limit(1)
    value: datetime | None = conn.execute(query).scalar()
    return value


def series(conn: Connection, scenario_id: str, start: datetime, end: datetime, points: int = SERIES_POINTS
           ) -> Series:
    """The probability from ``start`` to ``end``: the value in force at ``start`` (the last assessment
    before it), then every assessment in the window — the latest ``points`` of them when there are more."""
    window = (select(A.at, A.probability).where(A.scenario_id == scenario_id, A.at >= start, A.at <= end)
              .order_by(A.at.desc(), A.id.desc()).limit(points + 1))
    found = [(r.at, float(r.probability)) for r in conn.execute(window)]
    found.reverse()
    if len(found) > points:
        found = found[1:]
        return Series(found, found[0][0], True)
    before = (select(A.probability).where(A.scenario_id == scenario_id, A.at < start)
              .order_by(A.at.desc(), A.id.desc()).limit(1))
    carried = conn.execute(before).scalar()
    if carried is not None:
        found.insert(0, (start, float(carried)))
    return Series(found, start, False)


def history(conn: Connection, scenario_id: str, *, since: datetime | None = None, until: datetime | None = None,
            limit: int = 50, offset: int = 0, signals: bool = True) -> tuple[list[StoredAssessment], int]:
    """One page of the scenario's stored assessments, newest first, and how many match in all
    (without ``signals``, each one's signals are left unread: empty)."""
    where: list[ColumnElement[bool]] = [A.scenario_id == scenario_id]
    if since is not None:
        where.append(A.at >= since)
    if until is not None:
        where.append(A.at < until)
    columns = [t.assessments] if signals else [c for c in t.assessments.c if c.name != "signals"]
    query = select(*columns).where(*where).order_by(A.at.desc(), A.id.desc()).limit(limit).offset(offset)
    found = [stored_assessment(r) for r in conn.execute(query)]
    if len(found) < limit and (found or offset == 0):  # the last page: no need to count
        return found, offset + len(found)
    return found, int(conn.execute(select(func.count()).select_from(t.assessments).where(*where)).scalar_one())


def open_counts(conn: Connection) -> dict[str, int]:
    """Open warnings per scenario."""
    query = (select(W.scenario_id, func.count()).where(W.state.in_([s.value for s in rows.OPEN_STATES]),
                                                       W.scenario_id.is_not(None)).group_by(W.scenario_id))
    return {r[0]: int(r[1]) for r in conn.execute(query)}


@dataclass(frozen=True, slots=True)
class WarningLine:
    """A warning as a scenario's history lists it (no text, no evidence)."""

    id: int
    severity: str
    title: str
    state: str
    disposition: str | None
    owner: str
    raised_at: datetime
    acknowledged_by: str | None
    disposed_by: str | None


def warnings_of(conn: Connection, scenario_id: str, limit: int = 100) -> list[WarningLine]:
    """The scenario's latest warnings in every state, newest first."""
    query = (select(W.id, W.severity, W.title, W.state, W.disposition, W.owner, W.raised_at, W.acknowledged_by,
                    W.disposed_by).where(W.scenario_id == scenario_id).order_by(W.raised_at.desc(), W.id.desc())
             .limit(limit))
    return [WarningLine(int(r.id), r.severity, r.title, r.state, r.disposition, r.owner, r.raised_at,
                        r.acknowledged_by, r.disposed_by) for r in conn.execute(query)]
