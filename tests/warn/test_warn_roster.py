"""Named owners (issue 16): a duty roster says who holds a role during a shift; a warning raised,
escalated, reminded or reopened is owned by the person holding its chain's entry then ("duty-officer
(Alice Ng)"), notified to that person, and a role nobody holds is flagged "nobody on shift"."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner
from warn_support import assert_ledger_intact

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.config import Settings
from forewarn.errors import InvalidArgument, NotFound
from forewarn.store import schema as t
from forewarn.web.ledger_views import moment


def _people(ws: Workspace) -> None:
    ws.accounts.add_user("alice", "correct horse", "duty_officer", actor="admin", display_name="Alice Ng")
    ws.accounts.add_user("bob", "correct horse", "duty_officer", actor="admin", display_name="Bob Ray")
    ws.accounts.add_user("dora@example.org", "correct horse", "admin", actor="admin", display_name="Dora Li")


@pytest.fixture
def rostered(open_ws: Callable[..., Workspace], clock) -> Workspace:
    ws = open_ws(escalation_chain="duty-officer,director", notify_email="", smtp_host="127.0.0.1:9")
    _people(ws)
    ws.warnings.roster_add("Duty-Officer", "alice", clock.now - timedelta(hours=1), clock.now + timedelta(hours=8))
    ws.warnings.roster_add("duty-officer", "bob", clock.now + timedelta(hours=8), clock.now + timedelta(hours=16))
    return ws


def test_a_warning_is_owned_by_the_person_on_shift_and_escalates_to_nobody_flagged(rostered: Workspace,
                                                                                    clock) -> None:
    w = rostered.warnings.raise_warning("Convoys", "x", "high")
    assert (w.owner, w.owner_account, w.owner_name, w.on_shift) == ("duty-officer", "alice", "Alice Ng", True)
    assert w.owner_shown == "duty-officer (Alice Ng)"
    assert rostered.warnings.history(w.id)[0].payload["owner_account"] == "alice"
    clock.advance(minutes=61)
    [up] = rostered.warnings.escalate_due()
    assert (up.owner, up.owner_account, up.on_shift, up.owner_shown) == (
        "director", None, False, "director (nobody on shift)")
    assert rostered.warnings.history(w.id)[-1].payload["to_account"] is None


def test_the_person_is_resolved_at_the_time_of_each_step(rostered: Workspace, clock) -> None:
    clock.advance(hours=9)  # bob's shift
    w = rostered.warnings.raise_warning("Convoys", "x", "high")
    assert (w.owner_account, w.owner_shown) == ("bob", "duty-officer (Bob Ray)")
    clock.advance(hours=8)  # nobody's shift
    assert rostered.warnings.raise_warning("More", "x", "high").owner_account is None


def test_a_reminder_goes_to_whoever_holds_the_last_post_now(open_ws: Callable[..., Workspace], clock) -> None:
    ws = open_ws(escalation_chain="duty-officer", smtp_host="127.0.0.1:9")
    _people(ws)
    ws.warnings.roster_add("duty-officer", "alice", clock.now, clock.now + timedelta(hours=2))
    ws.warnings.roster_add("duty-officer", "dora@example.org", clock.now + timedelta(hours=2))  # open-ended
    w = ws.warnings.raise_warning("Convoys", "x", "high")
    assert w.owner_account == "alice"
    clock.advance(minutes=150)
    [r] = ws.warnings.escalate_due()
    assert (r.reminders, r.owner_account, r.owner_shown) == (1, "dora@example.org", "duty-officer (Dora Li)")
    with ws.store.engine.connect() as conn:
        sent = conn.execute(select(t.outbox.c.reason, t.outbox.c.channel, t.outbox.c.target, t.outbox.c.payload)
                            .where(t.outbox.c.warning_id == w.id)).all()
    assert [(s.reason, s.channel, s.target) for s in sent] == [("reminded", "email", "dora@example.org")]
    body = sent[0].payload["warning"]
    assert (body["owner"], body["owner_account"], body["owner_name"], body["on_shift"]) == (
        "duty-officer", "dora@example.org", "Dora Li", True)


def test_an_account_named_in_the_chain_owns_it_and_a_later_shift_wins(open_ws: Callable[..., Workspace],
                                                                       clock) -> None:
    ws = open_ws(escalation_chain="bob,duty-officer")
    _people(ws)
    ws.warnings.roster_add("duty-officer", "alice", clock.now - timedelta(days=1))
    ws.warnings.roster_add("duty-officer", "bob", clock.now - timedelta(hours=1))  # the later start wins
    w = ws.warnings.raise_warning("Convoys", "x", "high")
    assert (w.owner, w.owner_account, w.owner_shown) == ("bob", "bob", "Bob Ray")
    assert ws.warnings.escalate(w.id, "up").owner_account == "bob"
    ws.accounts.disable_user("bob", actor="admin")
    assert ws.warnings.raise_warning("Later", "x", "high").owner_account is None  # a disabled account holds nothing


def test_roster_changes_are_checked_listed_and_ledgered(rostered: Workspace, clock) -> None:
    with pytest.raises(NotFound, match="no enabled account 'zed'"):
        rostered.warnings.roster_add("duty-officer", "zed")
    with pytest.raises(InvalidArgument, match=r"ends .* before it starts"):
        rostered.warnings.roster_add("duty-officer", "alice", clock.now, clock.now)
    with pytest.raises(InvalidArgument, match="not a role name"):
        rostered.warnings.roster_add("a,b", "alice")
    assert [(s.role, s.account) for s in rostered.warnings.roster()] == [
        ("duty-officer", "alice"), ("duty-officer", "bob")]
    assert [s.account for s in rostered.warnings.roster(clock.now + timedelta(hours=9))] == ["bob"]
    gone = rostered.warnings.roster_remove(1)
    assert gone.removed_by == "tester" and gone.removed_at == clock.now
    with pytest.raises(NotFound, match="removed already"):
        rostered.warnings.roster_remove(1)
    with pytest.raises(NotFound, match="no roster entry 99"):
        rostered.warnings.roster_remove(99)
    assert rostered.warnings.raise_warning("Convoys", "x", "high").owner_account is None  # alice's shift is gone
    with rostered.store.engine.connect() as conn:
        kinds = conn.execute(select(t.ledger.c.kind, t.ledger.c.subject).where(t.ledger.c.kind.like("roster-%"))
                             .order_by(t.ledger.c.seq)).all()
    assert [tuple(k) for k in kinds] == [("roster-added", "roster:1"), ("roster-added", "roster:2"),
                                         ("roster-removed", "roster:1")]
    assert_ledger_intact(rostered)


def test_shift_times_read_as_people_write_them() -> None:
    assert moment("2024-08-12", "--from").isoformat() == "2024-08-12T00:00:00+00:00"  # type: ignore[union-attr]
    assert moment("2024-08-12T06:00+02:00", "--from").isoformat() == "2024-08-12T06:00:00+02:00"  # type: ignore[union-attr]
    assert moment(" ", "--from") is None
    with pytest.raises(InvalidArgument, match="--until 'soon' is not a date"):
        moment("soon", "--until")


def test_roster_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    ws = Workspace.open(Settings(database_url=db, extract=False, actor="admin"))
    try:
        _people(ws)
    finally:
        ws.close()
    runner = CliRunner()

    def cli(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--db", db, "--actor", "admin", *args], env={"COLUMNS": "200"})
        return result.exit_code, result.output

    code, out = cli("roster", "add", "duty-officer", "alice", "--from", "2020-01-01", "--until", "2099-01-01")
    assert code == 0 and "roster entry 1: duty-officer held by alice (Alice Ng) from 2020-01-01" in out
    code, out = cli("roster", "add", "director", "bob", "--from", "tomorrow")
    assert code == 1 and "FW-E" in out and "--from 'tomorrow' is not a date" in out
    code, out = cli("roster", "list", "--json")
    assert code == 0 and [s["account"] for s in json.loads(out)["items"]] == ["alice"]
    code, out = cli("roster", "list", "--at", "2019-06-01")
    assert code == 0 and "0 shifts" in out
    code, out = cli("warn", "Convoys", "--severity", "high", "--owner", "duty-officer")
    assert code == 0 and "duty-officer (Alice Ng) must acknowledge" in out
    code, out = cli("roster", "remove", "1")
    assert code == 0 and "roster entry 1 removed" in out
    code, out = cli("warnings", "show", "1")
    assert code == 0 and "owner duty-officer (Alice Ng)" in out
