"""Escalation ends (issue 16): at the end of its chain an unacknowledged warning is reminded every
`remind_minutes` up to `remind_cap` times, each reminder its own ledger entry and notification, then
nothing until someone acts; reminders and repeated identical escalations (old ledgers) are folded
into one row in the warning's history, the ledger page and the post-mortem's timeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from warn_support import assert_ledger_intact

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.errors import ConfigError
from forewarn.ledger import append
from forewarn.model import LedgerEntry, Origin, WarningRecord, WarningState
from forewarn.review.timeline import TimelineKind, warning_entries
from forewarn.store import schema as t
from forewarn.warn.history import runs, span


def _outbox(ws: Workspace, warning_id: int) -> list[tuple[str, str]]:
    with ws.store.engine.connect() as conn:
        found = conn.execute(select(t.outbox.c.reason, t.outbox.c.target).where(t.outbox.c.warning_id == warning_id)
                             .order_by(t.outbox.c.id))
        return [(r.reason, r.target) for r in found]


def test_the_chain_end_is_reminded_up_to_the_cap_then_left_alone(open_ws: Callable[..., Workspace], clock) -> None:
    ws = open_ws(escalation_chain="alice", notify_email="ops@example.org")
    w = ws.warnings.raise_warning("Convoys", "x", "high")  # high: 60 minutes
    missed = w.ack_deadline
    assert w.due_at == missed and w.reminders == 0
    for n in (1, 2, 3):
        clock.advance(minutes=59 if n == 1 else 239)
        assert ws.warnings.escalate_due() == []  # a minute early: nothing
        clock.advance(minutes=2)
        [r] = ws.warnings.escalate_due()
        assert (r.reminders, r.owner, r.escalation_level, r.ack_deadline) == (n, "alice", 0, missed)
        assert r.due_at == (clock.now + timedelta(minutes=240) if n < 3 else None)
        assert ws.warnings.escalate_due() == []  # one step per warning per run
    clock.advance(days=5)
    assert ws.warnings.escalate_due() == []  # after the cap: nothing more until someone acts
    reminded = [e.payload for e in ws.warnings.history(w.id) if e.kind == "warning-reminded"]
    assert [(p["n"], p["cap"], p["last"], p["deadline_missed"]) for p in reminded] == [
        (1, 3, False, missed.isoformat()), (2, 3, False, missed.isoformat()), (3, 3, True, missed.isoformat())]
    assert not [e for e in ws.warnings.history(w.id) if e.kind == "warning-escalated"]
    assert _outbox(ws, w.id) == [("raised", "ops@example.org")] + [("reminded", "ops@example.org")] * 3
    assert ws.warnings.view(w.id).reminders_left == (
        "reminded 3 of 3 times; no further reminders until someone acts on it")
    done = ws.warnings.acknowledge(w.id, "seen")  # someone acts: late, and nothing is due
    assert (done.state, done.due_at, done.reminders) == (WarningState.ACKNOWLEDGED, None, 0)
    assert ws.warnings.history(w.id)[-1].payload["late"] is True
    assert_ledger_intact(ws)


def test_reminder_interval_and_cap_are_settings(open_ws: Callable[..., Workspace], clock) -> None:
    ws = open_ws(escalation_chain="alice,bob", remind_minutes=30, remind_cap=1)
    w = ws.warnings.raise_warning("Convoys", "x", "critical")  # 15 minutes
    clock.advance(minutes=16)
    [up] = ws.warnings.escalate_due()
    assert (up.owner, up.reminders, up.due_at) == ("bob", 0, clock.now + timedelta(minutes=15))
    clock.advance(minutes=16)
    [r] = ws.warnings.escalate_due()
    assert (r.owner, r.reminders, r.due_at) == ("bob", 1, None)
    assert ws.warnings.view(w.id).reminders_left == (
        "reminded 1 of 1 times; no further reminders until someone acts on it")
    clock.advance(days=1)
    assert ws.warnings.escalate_due() == []


def test_a_reopened_or_escalated_warning_starts_its_reminders_again(open_ws: Callable[..., Workspace], clock) -> None:
    ws = open_ws(escalation_chain="alice,bob", remind_cap=2)
    w = ws.warnings.raise_warning("Convoys", "x", "critical")
    ws.warnings.escalate(w.id, "by hand")
    clock.advance(minutes=16)
    [r] = ws.warnings.escalate_due()
    assert r.reminders == 1 and r.due_at is not None
    ws.warnings.dispose(w.id, "acted-on", None)
    assert ws.warnings.get(w.id).due_at is None


@pytest.mark.parametrize("bad", [{"remind_minutes": 0}, {"remind_cap": 0}])
def test_reminder_settings_must_be_positive(bad: dict[str, int]) -> None:
    with pytest.raises(ConfigError, match="remind_minutes and remind_cap"):
        Settings(**bad)  # type: ignore[arg-type]


def _entry(seq: int, kind: str, at: datetime, subject: str = "warning:1", **payload: Any) -> LedgerEntry:
    return LedgerEntry(seq, at, "watch", kind, subject, {"id": 1, **payload}, "", "")


T0 = datetime(2024, 8, 12, 6, 0, tzinfo=UTC)


def test_runs_fold_reminders_and_identical_escalations_only() -> None:
    h = timedelta(hours=6)
    entries = [_entry(1, "warning-raised", T0),
               _entry(2, "warning-escalated", T0 + h, **{"from": "a", "to": "b"}),
               _entry(3, "warning-escalated", T0 + 2 * h, **{"from": "b", "to": "director"}),
               _entry(4, "assessment-published", T0 + 2 * h, subject="scenario:x"),
               *[_entry(5 + i, "warning-escalated", T0 + (3 + i) * h, **{"from": "director", "to": "director"})
                 for i in range(3)],
               _entry(8, "warning-acknowledged", T0 + 7 * h),
               _entry(9, "warning-reminded", T0 + 8 * h, n=1), _entry(10, "warning-reminded", T0 + 9 * h, n=2)]
    found = runs(entries)
    assert [(r.first.seq, len(r.entries)) for r in found] == [(1, 1), (2, 1), (3, 1), (4, 1), (5, 3), (8, 1), (9, 2)]
    assert found[4].label == "escalated director → director 3 times"
    assert found[4].span == "13 Aug 00:00 – 12:00"
    assert found[6].label == "reminded 2 times" and found[2].label == "warning-escalated"


def test_runs_keep_a_warnings_repeats_together_across_other_subjects() -> None:
    h = timedelta(hours=6)
    entries = []
    for i in range(4):  # as on the ledger page: other subjects' entries between the reminders
        entries.append(_entry(2 * i + 1, "warning-reminded", T0 + i * h, n=i + 1))
        entries.append(_entry(2 * i + 2, "assessment-published", T0 + i * h, subject="scenario:x"))
    found = runs(entries)
    assert [len(r.entries) for r in found] == [4, 1, 1, 1, 1]
    assert span(T0, T0 + 2 * h) == "12 Aug 06:00 – 18:00"
    newest_first = runs(reversed(entries))  # as the ledger page lists them
    assert [len(r.entries) for r in newest_first] == [1, 4, 1, 1, 1]
    assert (newest_first[1].span, newest_first[1].seqs) == ("12 Aug 06:00 – 13 Aug 00:00", "1–7")
    assert found[0].label == "reminded 4 times" and [e.seq for e in found[0].entries] == [1, 3, 5, 7]


def test_an_old_ledger_of_director_to_director_escalations_renders_grouped(ws: Workspace, clock) -> None:
    """A ledger from before reminders: every deadline at the chain's end was a "carol → carol" escalation."""
    w = ws.warnings.raise_warning("Convoys", "x", "high")
    with ws.store.transaction() as conn:
        for i in range(28):
            append(conn, at=clock.now + timedelta(hours=i + 1), actor="watch", kind="warning-escalated",
                   subject=f"warning:{w.id}", payload={"id": w.id, "from": "carol", "to": "carol", "level": 2,
                                                       "chain_exhausted": True, "automatic": True})
    rows = runs(ws.warnings.history(w.id))
    assert [r.label for r in rows] == ["warning-raised", "escalated carol → carol 28 times"]
    assert len(rows[1].entries) == 28 and rows[1].span == "12 Aug 13:00 – 13 Aug 16:00"
    timeline = warning_entries(ws.warnings.get(w.id), ws.warnings.history(w.id))
    assert [(e.kind, e.summary, len(e.repeats)) for e in timeline] == [
        (TimelineKind.RAISED, "warning #1 raised (person, high): Convoys", 0),
        (TimelineKind.ESCALATED, "warning #1 escalated carol → carol 28 times", 28)]


def test_the_timeline_folds_reminders(open_ws: Callable[..., Workspace], clock) -> None:
    ws = open_ws(escalation_chain="alice")
    w = ws.warnings.raise_warning("Convoys", "x", "high")
    for minutes in (61, 241, 241):
        clock.advance(minutes=minutes)
        ws.warnings.escalate_due()
    [raised, reminded] = warning_entries(ws.warnings.get(w.id), ws.warnings.history(w.id))
    assert raised.kind is TimelineKind.RAISED and reminded.kind is TimelineKind.REMINDED
    assert reminded.summary == f"warning #{w.id} reminded 3 times" and reminded.detail == "12 Aug 13:01 – 21:03"
    assert [r.summary for r in reminded.repeats][-1] == f"warning #{w.id} reminded (3 of 3); no further reminders"


def test_a_warning_from_before_the_migration_gets_its_next_step_from_its_deadline() -> None:
    record = WarningRecord(1, Origin.PERSON, None, "high", "t", "", None, (), (), None, None, WarningState.RAISED,
                           None, None, (), "director", ("director",), 0, T0, "x", T0, None, None, None, None, 0, T0)
    assert record.due_at is None and record.reminders == 0 and record.owner_shown == "director (nobody on shift)"
