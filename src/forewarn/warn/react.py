"""What a new assessment does to warnings: raise one when the scenario crosses a threshold upward
(superseding its open lower warnings), and reopen dismissed warnings about the scenario when
evidence arrives that was not known when they were dismissed."""

from __future__ import annotations

from sqlalchemy import Connection

from forewarn.model import Assessment, Disposition, Origin, Scenario, Signal, WarningRecord, WarningState
from forewarn.model.warning import OPEN_STATES
from forewarn.warn import explain, lifecycle, rows
from forewarn.warn.lifecycle import Act, Draft


def rank(scenario: Scenario, level: str | None) -> int:
    """A level's place among the scenario's thresholds (ascending); None (and unknown) lowest."""
    levels = [t.level for t in scenario.thresholds]
    return levels.index(level) if level in levels else -1


def react(act: Act, scenario: Scenario, assessment: Assessment, previous_level: str | None
          ) -> list[WarningRecord]:
    """Warnings raised or reopened (and, after them, those superseded) by this assessment.

    A crossing raises nothing when an open scenario warning of the same or a higher level is
    already there (a restarted watch that forgot the previous level raises no duplicate)."""
    open_ones = [w for w in rows.fetch_many(act.conn, states=OPEN_STATES, scenario_id=scenario.id, lock=True)
                 if w.origin is Origin.SCENARIO]
    changed: list[WarningRecord] = []
    new_rank = rank(scenario, assessment.level)
    if _rose(scenario, assessment, previous_level) and all(rank(scenario, w.severity) < new_rank for w in open_ones):
        raised = lifecycle.raise_new(act, _draft(act, scenario, assessment))
        changed.append(raised)
        changed += [lifecycle.supersede(act, w, raised) for w in open_ones]
    for w in _dismissed(act.conn, scenario, lock=True):
        fresh = new_evidence(w, assessment.counted)
        if fresh:
            minutes = act.policy.minutes(w.severity, scenario.thresholds)
            changed.append(lifecycle.reopen(act, w, [e for s in fresh for e in s.event_ids],
                                            [d for s in fresh for d in s.document_ids], minutes))
    return changed


def may_change(conn: Connection, scenario: Scenario, assessment: Assessment, previous_level: str | None) -> bool:
    """Whether :func:`react` could change anything, read without locks (react checks again under them):
    an idle cycle then takes no write lock, and people acting on warnings meanwhile are not held up."""
    return _rose(scenario, assessment, previous_level) or any(
        new_evidence(w, assessment.counted) for w in _dismissed(conn, scenario, lock=False))


def _rose(scenario: Scenario, assessment: Assessment, previous_level: str | None) -> bool:
    return assessment.level is not None and rank(scenario, assessment.level) > rank(scenario, previous_level)


def _dismissed(conn: Connection, scenario: Scenario, *, lock: bool) -> list[WarningRecord]:
    return [w for w in rows.fetch_many(conn, states=(WarningState.DISPOSED,), scenario_id=scenario.id, lock=lock)
            if w.disposition is Disposition.DISMISSED]


def new_evidence(w: WarningRecord, counted: tuple[Signal, ...]) -> list[Signal]:
    """Counted signals that became known after the dismissal and bring events not yet in its evidence."""
    if w.disposed_at is None:
        return []
    disposed_at = w.disposed_at
    known = set(w.event_ids)
    return [s for s in counted if s.known_at > disposed_at and any(e not in known for e in s.event_ids)]


def _draft(act: Act, scenario: Scenario, assessment: Assessment) -> Draft:
    level = assessment.level or ""
    counted = assessment.counted
    return Draft(origin=Origin.SCENARIO, severity=level, title=explain.title(scenario, assessment),
                 text=explain.text(scenario, assessment), chain=tuple(p for p in scenario.chain if p) or (act.actor,),
                 minutes=act.policy.minutes(level, scenario.thresholds), scenario_id=scenario.id,
                 probability=assessment.probability,
                 event_ids=tuple(dict.fromkeys(e for s in counted for e in s.event_ids)),
                 document_ids=tuple(dict.fromkeys(d for s in counted for d in s.document_ids)))
