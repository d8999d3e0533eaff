"""The warning lifecycle: raise → acknowledge → dispose, attributed and in the ledger, and every
bad input refused with a clear error and nothing changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from warn_support import assert_ledger_intact

from forewarn.app import Workspace
from forewarn.errors import ClockBackwards, Code, InvalidArgument, NotFound, RationaleRequired, WarningStateError
from forewarn.model import Disposition, Origin, WarningState
from forewarn.store import schema as t


def count(ws: Workspace, table: str) -> int:
    with ws.store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.metadata.tables[table])).scalar_one())


def test_raise_acknowledge_dispose_is_attributed_and_recorded(open_ws: Callable[..., Workspace], clock) -> None:
    duty = open_ws(actor="dana", escalation_chain="alice,bob")
    w = duty.warnings.raise_warning("Convoys near Sudzha", "Three reports of armour moving at night.", "High",
                           event_ids=["e1", "e1", "e2"], document_ids=["d1"])
    assert (w.origin, w.severity, w.state, w.owner, w.chain) == (Origin.PERSON, "high", WarningState.RAISED,
                                                                 "alice", ("alice", "bob"))
    assert w.raised_by == "dana" and w.event_ids == ("e1", "e2") and w.escalation_level == 0
    assert w.ack_deadline == clock.now + timedelta(minutes=60)

    clock.advance(minutes=10)
    alice = open_ws(actor="alice")
    acked = alice.warnings.acknowledge(w.id, note="on it")
    assert acked.state is WarningState.ACKNOWLEDGED and acked.acknowledged_by == "alice"
    assert acked.acknowledged_at == clock.now and acked.ack_deadline is None

    clock.advance(hours=2)
    done = alice.warnings.dispose(w.id, Disposition.ACTED_ON, None, signposts=["convoys turn back"])
    assert done.state is WarningState.DISPOSED and done.disposition is Disposition.ACTED_ON
    assert done.disposed_by == "alice" and done.signposts == ("convoys turn back",) and done.rationale is None

    history = duty.warnings.history(w.id)
    assert [(e.kind, e.actor) for e in history] == [
        ("warning-raised", "dana"), ("warning-acknowledged", "alice"), ("warning-disposed", "alice")]
    assert all(e.subject == f"warning:{w.id}" and e.payload["id"] == w.id for e in history)
    assert history[0].payload["text"] == "Three reports of armour moving at night."
    assert history[1].payload["note"] == "on it" and history[1].payload["late"] is False
    assert history[2].payload["signposts"] == ["convoys turn back"]
    assert duty.warnings.get(w.id) == done
    assert_ledger_intact(duty)


def test_partner_warning_keeps_its_source_and_owner_argument(ws: Workspace) -> None:
    w = ws.warnings.raise_warning("Attack plot against a concert hall", "Passed on by a partner service.", "critical",
                         partner="Partner service", partner_ref="BUL-2024-031", owner="erin")
    assert w.origin is Origin.PARTNER and (w.partner, w.partner_ref) == ("Partner service", "BUL-2024-031")
    assert w.chain == ("erin", "alice", "bob", "carol") and w.owner == "erin"
    assert ws.warnings.history(w.id)[0].payload["partner_ref"] == "BUL-2024-031"


def test_without_any_chain_the_actor_owns_it(open_ws: Callable[..., Workspace]) -> None:
    w = open_ws().warnings.raise_warning("Something", "", "elevated")
    assert w.chain == ("tester",) and w.owner == "tester"


def test_acknowledging_twice_says_who_did_it_when(ws: Workspace, clock) -> None:
    w = ws.warnings.raise_warning("t", "x", "high")
    ws.warnings.acknowledge(w.id)
    entries = count(ws, "ledger")
    with pytest.raises(WarningStateError) as err:
        ws.warnings.acknowledge(w.id)
    assert err.value.code is Code.WARNING_STATE and str(err.value).startswith("FW-E080")
    assert "acknowledged by tester at 2024-08-12 12:00:00 UTC" in err.value.message
    assert count(ws, "ledger") == entries


def test_disposed_warnings_cannot_be_acknowledged_or_disposed_again(ws: Workspace) -> None:
    w = ws.warnings.raise_warning("t", "x", "high")
    ws.warnings.dispose(w.id, "dismissed", "duplicate of an older report")
    with pytest.raises(WarningStateError, match="dismissed"):
        ws.warnings.acknowledge(w.id)
    with pytest.raises(WarningStateError, match="disposed of"):
        ws.warnings.dispose(w.id, Disposition.ACTED_ON, None)
    with pytest.raises(WarningStateError):
        ws.warnings.escalate(w.id, "boss should know")


@pytest.mark.parametrize("rationale", [None, "", "   \n"])
def test_dismissing_needs_a_written_rationale(ws: Workspace, rationale: str | None) -> None:
    w = ws.warnings.raise_warning("t", "x", "high")
    with pytest.raises(RationaleRequired) as err:
        ws.warnings.dispose(w.id, Disposition.DISMISSED, rationale)
    assert err.value.code is Code.RATIONALE_REQUIRED and "--rationale" in err.value.hint
    assert ws.warnings.get(w.id) == w and len(ws.warnings.history(w.id)) == 1


def test_superseded_and_acted_on_take_an_optional_rationale(ws: Workspace) -> None:
    a, b = ws.warnings.raise_warning("a", "x", "high"), ws.warnings.raise_warning("b", "x", "high")
    assert ws.warnings.dispose(a.id, "superseded", None).disposition is Disposition.SUPERSEDED
    assert ws.warnings.dispose(b.id, "acted-on", " units moved ").rationale == "units moved"


def test_missing_warning_is_not_found_with_a_hint(ws: Workspace) -> None:
    for action in (lambda: ws.warnings.get(99), lambda: ws.warnings.acknowledge(99), lambda: ws.warnings.history(99),
                   lambda: ws.warnings.dispose(99, "acted-on", None), lambda: ws.warnings.escalate(99, "why")):
        with pytest.raises(NotFound) as err:
            action()
        assert "no warning 99" in err.value.message and "forewarn warnings" in err.value.hint
    assert count(ws, "ledger") == 0


def test_bad_arguments_are_refused(ws: Workspace) -> None:
    with pytest.raises(InvalidArgument) as err:
        ws.warnings.raise_warning("t", "x", "apocalyptic")
    assert "elevated, high, critical" in err.value.hint
    with pytest.raises(InvalidArgument):
        ws.warnings.raise_warning("   ", "x", "high")
    with pytest.raises(InvalidArgument):
        ws.warnings.raise_warning("t", "x", "high", partner_ref="REF-1")
    w = ws.warnings.raise_warning("t", "x", "high")
    with pytest.raises(InvalidArgument):
        ws.warnings.dispose(w.id, "forgotten", "whatever")
    with pytest.raises(InvalidArgument):
        ws.warnings.escalate(w.id, "  ")
    assert count(ws, "warnings") == 1 and count(ws, "ledger") == 1


def test_a_clock_that_moves_backwards_changes_nothing(open_ws: Callable[..., Workspace], clock) -> None:
    ws = open_ws(escalation_chain="alice,bob", webhook_url="http://127.0.0.1:9/hook")
    w = ws.warnings.raise_warning("t", "x", "high")
    clock.advance(minutes=-5)
    before = (count(ws, "ledger"), count(ws, "outbox"), count(ws, "warnings"))
    for action in (lambda: ws.warnings.acknowledge(w.id), lambda: ws.warnings.dispose(w.id, "dismissed", "noise"),
                   lambda: ws.warnings.escalate(w.id, "urgent"), lambda: ws.warnings.raise_warning("u", "y", "high")):
        with pytest.raises(ClockBackwards) as err:
            action()
        assert err.value.code is Code.CLOCK_BACKWARDS
    assert ws.warnings.get(w.id) == w
    assert (count(ws, "ledger"), count(ws, "outbox"), count(ws, "warnings")) == before
    assert_ledger_intact(ws)
    clock.advance(minutes=6)  # the clock is mended: the same action now goes through
    assert ws.warnings.acknowledge(w.id).state is WarningState.ACKNOWLEDGED
    assert_ledger_intact(ws)


def test_a_given_time_earlier_than_the_ledger_is_refused(ws: Workspace, clock) -> None:
    ws.warnings.raise_warning("t", "x", "high")
    with pytest.raises(ClockBackwards):
        ws.warnings.raise_warning("late partner bulletin", "x", "high", partner="P", at=clock.now - timedelta(days=1))
    assert count(ws, "warnings") == 1


def test_board_order_and_filters(ws: Workspace, clock) -> None:
    old_elevated = ws.warnings.raise_warning("old elevated", "", "elevated")
    clock.advance(minutes=1)
    high = ws.warnings.raise_warning("high", "", "high")
    clock.advance(minutes=1)
    critical = ws.warnings.raise_warning("critical", "", "critical")
    clock.advance(minutes=1)
    escalated = ws.warnings.raise_warning("escalated elevated", "", "elevated")
    ws.warnings.escalate(escalated.id, "needs the boss")
    gone = ws.warnings.raise_warning("gone", "", "high")
    ws.warnings.dispose(gone.id, "acted-on", None)
    acked = ws.warnings.raise_warning("acked", "", "critical")
    ws.warnings.acknowledge(acked.id)
    board = [w.title for w in ws.warnings.board()]
    assert board == ["escalated elevated", "critical", "acked", "high", "old elevated"]
    assert "gone" in [w.title for w in ws.warnings.board(states=("raised", "acknowledged", "disposed"))]
    assert [w.title for w in ws.warnings.board(states=("raised",), limit=2)] == ["escalated elevated", "critical"]
    assert [w.id for w in ws.warnings.board()][:2] == [escalated.id, critical.id]
    assert high.id and old_elevated.id
