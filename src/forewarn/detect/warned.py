"""The warnings scenarios raised, as the scenario pages list them: open ones counted per scenario, and
one scenario's latest warnings in every state (no text, no evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.warning import OPEN_STATES
from forewarn.store import schema as t
from forewarn.store.access import hidden_from

W = t.warnings.c


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


def open_counts(conn: Connection, access: Access = EVERYTHING) -> dict[str, int]:
    """Open warnings per scenario (those ``access`` may see)."""
    query = (select(W.scenario_id, func.count()).where(W.state.in_([s.value for s in OPEN_STATES]),
                                                       W.scenario_id.is_not(None), *hidden_from(W.compartment, access))
             .group_by(W.scenario_id))
    return {r[0]: int(r[1]) for r in conn.execute(query)}


def warnings_of(conn: Connection, scenario_id: str, limit: int = 100, access: Access = EVERYTHING
                ) -> list[WarningLine]:
    """The scenario's latest warnings in every state (those ``access`` may see), newest first."""
    query = (select(W.id, W.severity, W.title, W.state, W.disposition, W.owner, W.raised_at, W.acknowledged_by,
                    W.disposed_by).where(W.scenario_id == scenario_id, *hidden_from(W.compartment, access))
             .order_by(W.raised_at.desc(), W.id.desc())
             .limit(limit))
    return [WarningLine(int(r.id), r.severity, r.title, r.state, r.disposition, r.owner, r.raised_at,
                        r.acknowledged_by, r.disposed_by) for r in conn.execute(query)]
