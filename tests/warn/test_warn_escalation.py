"""Escalation: a missed acknowledgement deadline hands the warning to the next person in its
chain, one step per call, until the chain's end (where it is reminded instead: test_warn_reminders);
a person may escalate by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from warn_support import assert_ledger_intact, assessment, scenario, signal

from forewarn.app import Workspace
from forewarn.errors import ConfigError, WarningStateError
from forewarn.model import WarningState


def test_escalation_runs_down_a_three_person_chain_to_exhaustion(ws: Workspace, clock) -> None:
    w = ws.warnings.raise_warning("Convoys", "x", "high")  # high: 60 minutes
    raised_at = clock.now
    clock.advance(minutes=59)
    assert ws.warnings.escalate_due() == []

    clock.advance(minutes=2)
    [to_bob] = ws.warnings.escalate_due()
    assert (to_bob.owner, to_bob.escalation_level, to_bob.state) == ("bob", 1, WarningState.RAISED)
    assert to_bob.ack_deadline == clock.now + timedelta(minutes=60)
    assert ws.warnings.escalate_due() == []  # bob's deadline has not passed yet

    clock.advance(hours=5)  # long overdue: still one step per call
    [to_carol] = ws.warnings.escalate_due()
    assert (to_carol.owner, to_carol.escalation_level) == ("carol", 2)

    missed = to_carol.ack_deadline
    clock.advance(minutes=61)
    [stays] = ws.warnings.escalate_due()  # issue 16: at the chain's end it is reminded, not escalated again
    assert (stays.owner, stays.escalation_level, stays.reminders) == ("carol", 2, 1)
    assert stays.ack_deadline == missed and stays.due_at == clock.now + timedelta(minutes=240)

    steps = [e.payload for e in ws.warnings.history(w.id) if e.kind == "warning-escalated"]
    assert [(s["from"], s["to"], s["chain_exhausted"], s["automatic"]) for s in steps] == [
        ("alice", "bob", False, True), ("bob", "carol", False, True)]
    assert steps[0]["deadline_missed"] == (raised_at + timedelta(minutes=60)).isoformat()

    ws.warnings.acknowledge(w.id)
    clock.advance(days=1)
    assert ws.warnings.escalate_due() == []  # acknowledged warnings wait for a disposition, not an escalation
    assert_ledger_intact(ws)


def test_a_person_escalates_any_open_warning_but_not_past_the_chain(ws: Workspace, clock) -> None:
    w = ws.warnings.raise_warning("Convoys", "x", "elevated")
    ws.warnings.acknowledge(w.id)
    clock.advance(minutes=3)
    up = ws.warnings.escalate(w.id, "the general must see this")
    assert (up.owner, up.state, up.acknowledged_by) == ("bob", WarningState.RAISED, None)
    assert up.ack_deadline == clock.now + timedelta(minutes=240)
    entry = ws.warnings.history(w.id)[-1]
    assert entry.payload["reason"] == "the general must see this" and entry.payload["automatic"] is False
    assert entry.payload["previous_state"] == "acknowledged"
    ws.warnings.escalate(w.id, "and higher")
    with pytest.raises(WarningStateError, match="last person in its chain"):
        ws.warnings.escalate(w.id, "higher still")
    assert ws.warnings.get(w.id).owner == "carol"


def test_scenario_thresholds_set_their_own_deadlines(ws: Workspace, clock, scenarios) -> None:
    sc = scenarios.add(scenario(("dora", "emil")))
    [w] = ws.warnings.react(sc, assessment(sc, 0.9, clock.now, [signal("e1", clock.now)]), None)
    assert w.severity == "critical" and w.ack_deadline == clock.now + timedelta(minutes=5)
    clock.advance(minutes=6)
    [up] = ws.warnings.escalate_due()
    assert up.owner == "emil" and up.ack_deadline == clock.now + timedelta(minutes=5)


def test_a_person_warning_about_a_scenario_escalates_through_its_chain(ws: Workspace, scenarios) -> None:
    scenarios.add(scenario(("dora", "emil")))
    w = ws.warnings.raise_warning("Seen it myself", "x", "critical", scenario_id="build-up")
    assert w.chain == ("dora", "emil") and w.ack_deadline is not None
    assert w.ack_deadline - w.raised_at == timedelta(minutes=5)  # the scenario's critical threshold


def test_ack_minutes_setting_is_validated(open_ws: Callable[..., Workspace]) -> None:
    ws = open_ws(ack_minutes="elevated=240,high=soon")
    with pytest.raises(ConfigError, match="ack_minutes"):
        ws.warnings.raise_warning("t", "x", "high")
    custom = open_ws(ack_minutes="watch=30, alarm=5")
    w = custom.warnings.raise_warning("t", "x", "Alarm")
    assert w.severity == "alarm" and w.ack_deadline - w.raised_at == timedelta(minutes=5)
