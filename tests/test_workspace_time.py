"""The workspace's own time (issue 16, item 1): set, shown and cleared, each ledgered; refused out of the
ledger's time order; what the clock of a workspace (and of a second one opened on the same store) then says;
the command line, and a live watch that refuses a frozen time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.config import Settings
from forewarn.errors import ClockBackwards, ClockFrozen, Code
from forewarn.model.clock import WorkspaceTime
from forewarn.store import open_store

REAL = datetime(2026, 12, 5, 12, tzinfo=UTC)
END = datetime(2024, 8, 12, 18, tzinfo=UTC)
runner = CliRunner()


class Real:
    """The real time, moved by hand."""

    def __init__(self) -> None:
        self.now = REAL

    def __call__(self) -> datetime:
        return self.now


def open_ws(url: str, real: Real, actor: str = "alice", clock: Real | None = None) -> Workspace:
    return Workspace(Settings(database_url=url, actor=actor, extract=False), open_store(url), clock, real=real)


def test_a_running_time_runs_on_and_a_frozen_one_stays() -> None:
    running = WorkspaceTime(END, REAL, True, "alice")
    assert running.now(REAL + timedelta(hours=3)) == END + timedelta(hours=3)
    assert running.now(REAL - timedelta(hours=1)) == END  # a real clock stepped back never goes before the anchor
    assert WorkspaceTime(END, REAL, False, "alice").now(REAL + timedelta(days=9)) == END


def test_set_show_clear_each_ledgered_and_seen_by_another_workspace(db_url: str) -> None:
    real = Real()
    with open_ws(db_url, real) as ws:
        assert ws.clock() == REAL and not ws.time.show().own
        ws.time.set(END)
        real.now += timedelta(hours=2)
        assert ws.clock() == END + timedelta(hours=2)
        note = ws.ledger.record("note", "test:1", {})  # an action is recorded at the workspace's time
        assert note.at == END + timedelta(hours=2)
        with open_ws(db_url, real, actor="bob") as other:  # what Workspace.open in another process sees
            assert other.clock() == END + timedelta(hours=2) and other.time.show().setting.set_by == "alice"  # type: ignore[union-attr]
        ws.time.set(END + timedelta(hours=3), frozen=True)
        real.now += timedelta(hours=5)
        view = ws.time.show()
        assert ws.clock() == view.now == END + timedelta(hours=3) and view.real == real.now
        assert ws.time.clear() == WorkspaceTime(END + timedelta(hours=3), REAL + timedelta(hours=2), False, "alice")
        assert ws.clock() == real.now and ws.time.clear() is None
        entries = ws.ledger.entries(subject="workspace:clock")
        assert [(e.kind, e.actor, e.at) for e in entries] == [
            ("clock-set", "alice", END), ("clock-set", "alice", END + timedelta(hours=3)),
            ("clock-cleared", "alice", real.now)]
        assert entries[0].payload == {"at": "2024-08-12T18:00:00Z", "running": True,
                                      "real_time": "2026-12-05T12:00:00Z"}
        assert ws.ledger.verify().ok


def test_a_time_before_the_ledgers_last_entry_is_refused(db_url: str) -> None:
    real = Real()
    with open_ws(db_url, real) as ws:
        ws.time.set(END)
        with pytest.raises(ClockBackwards) as refused:
            ws.time.set(END - timedelta(days=1))
        assert refused.value.code is Code.CLOCK_BACKWARDS and "2024-08-12T18:00:00Z" in (refused.value.hint or "")
        assert ws.time.show().setting.at == END  # type: ignore[union-attr]  # nothing changed
        ws.time.set(REAL + timedelta(days=30))  # a time after the real one: clearing would go back in time
        with pytest.raises(ClockBackwards):
            ws.time.clear()
        assert ws.time.show().own and len(ws.ledger.entries()) == 2


def test_an_explicit_clock_wins_and_the_demo_settles_once(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/ws.db"
    real, given = Real(), Real()
    given.now = datetime(2024, 7, 1, tzinfo=UTC)
    with open_ws(url, real, clock=given) as ws:
        ws.time.settle(END)
        assert ws.clock() == given.now  # the caller's clock (tests, the demo's play) wins
        assert ws.time.settle(END + timedelta(days=1)) == ws.time.show().setting  # set already: left as it is
        assert ws.time.show().setting.at == END  # type: ignore[union-attr]
        assert len(ws.ledger.entries(kind="clock-set")) == 1


def test_a_watch_refuses_a_frozen_time(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/ws.db"
    with open_ws(url, Real()) as ws:
        ws.time.set(END, frozen=True)
        with pytest.raises(ClockFrozen):
            ws.time.live()
        ws.time.set(END)
        assert ws.time.live().setting.running  # type: ignore[union-attr]


def test_clock_commands(tmp_path: object) -> None:
    db = ["--db", f"sqlite:///{tmp_path}/ws.db"]
    shown = runner.invoke(app, [*db, "clock", "show", "--json"])
    assert shown.exit_code == 0 and json.loads(shown.stdout)["own"] is False
    set_ = runner.invoke(app, [*db, "clock", "set", "2024-08-12T18:00", "--json"])
    assert set_.exit_code == 0, set_.output
    data = json.loads(set_.stdout)
    assert data["own"] and data["set"]["at"] == "2024-08-12T18:00:00+00:00" and data["set"]["running"]
    assert data["now"].startswith("2024-08-12T18:0")
    cycle = runner.invoke(app, [*db, "cycle", "--json"])  # a cycle runs at the workspace's time
    assert cycle.exit_code == 0 and json.loads(cycle.stdout)["at"].startswith("2024-08-12T18:0")
    early = runner.invoke(app, [*db, "clock", "set", "2024-08-01"])
    assert early.exit_code == 1 and "FW-E091" in early.output and "time order" in early.output
    assert runner.invoke(app, [*db, "clock", "set", "2024-08-13", "--frozen"]).exit_code == 0
    text = runner.invoke(app, [*db, "clock", "show"])
    assert "workspace time 2024-08-13 00:00:00 UTC (frozen" in " ".join(text.stdout.split())
    watch = runner.invoke(app, [*db, "watch", "--cycles", "1"])
    assert watch.exit_code == 1 and "FW-E095" in watch.output
    cleared = runner.invoke(app, [*db, "clock", "clear"])
    assert cleared.exit_code == 0 and "cleared the workspace time" in cleared.stdout


def test_sessions_expire_in_real_time_even_when_the_workspace_time_is_frozen(db_url: str) -> None:
    real = Real()
    with open_ws(db_url, real) as ws:
        ws.time.set(END, frozen=True)
        user = ws.accounts.add_user("dora", "a long passphrase", "analyst", actor="alice")
        cookie, session = ws.accounts.start_session(user, hours=8)
        assert session.expires_at == REAL + timedelta(hours=8)  # not 8 h after the frozen workspace time
        assert ws.accounts.session(cookie) is not None
        real.now += timedelta(hours=9)
        assert ws.clock() == END and ws.accounts.session(cookie) is None
