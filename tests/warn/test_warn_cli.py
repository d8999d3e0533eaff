"""The warning commands, end to end through the CLI (SQLite)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner
from warn_support import free_port

from forewarn.cli.main import app
from forewarn.cli.warnings import countdown, span

runner = CliRunner()


def cli(db: str, *args: str, actor: str = "cli-test") -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, "--actor", actor, *args],
                           env={"COLUMNS": "200", "FOREWARN_ESCALATION_CHAIN": "alice,bob"})
    return result.exit_code, result.output


def test_warn_board_show_ack_dispose_escalate(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    code, out = cli(db, "warn", "Convoys near Sudzha", "--text", "Armour at night.", "--severity", "high",
                    "--event", "e1", "--document", "d1", "--json")
    assert code == 0, out
    first = json.loads(out)
    assert (first["owner"], first["state"], first["event_ids"]) == ("alice", "raised", ["e1"])
    code, out = cli(db, "warn", "Plot against a concert hall", "--severity", "critical", "--partner", "Ally",
                    "--ref", "B-31")
    assert code == 0 and "raised warning 2 (critical); alice (nobody on shift) must acknowledge" in out

    code, out = cli(db, "warnings")
    assert code == 0 and "2 warnings open" in out and "CRITICAL" in out and "Convoys near Sudzha" in out
    assert out.index("Plot against") < out.index("Convoys")  # critical first
    assert "59m" in out or "1h 0m" in out  # the time left to acknowledge warning 1

    code, out = cli(db, "ack", "1", "--note", "on it", actor="alice")
    assert code == 0 and "acknowledged warning 1" in out
    code, out = cli(db, "ack", "1")
    assert code == 1 and "FW-E080" in out and "acknowledged by alice" in out
    code, out = cli(db, "dispose", "1", "--as", "dismissed")
    assert code == 1 and "FW-E081" in out
    code, out = cli(db, "dispose", "1", "--as", "dismissed", "--rationale", "seasonal exercise",
                    "--signpost", "bridging equipment arrives")
    assert code == 0 and "dismissed" in out
    code, out = cli(db, "escalate", "2", "--reason", "no answer")
    assert code == 0 and "now with bob (nobody on shift) (level 1)" in out
    code, out = cli(db, "escalate", "--due")
    assert code == 0 and "nothing overdue" in out
    code, out = cli(db, "escalate")
    assert code == 1 and "--due" in out

    code, out = cli(db, "warnings", "show", "1")
    assert code == 0, out
    for expected in ("warning 1", "Armour at night.", "dismissed by cli-test", "seasonal exercise",
                     "signpost: bridging equipment arrives", "warning-raised", "warning-acknowledged",
                     "warning-disposed", "— on it"):
        assert expected in out, expected
    code, out = cli(db, "warnings", "show", "1", "--json")
    assert [e["kind"] for e in json.loads(out)["history"]] == ["warning-raised", "warning-acknowledged",
                                                                 "warning-disposed"]
    code, out = cli(db, "warnings", "--json")
    assert [w["id"] for w in json.loads(out)["items"]] == [2]
    code, out = cli(db, "warnings", "--all", "--json")
    assert sorted(w["id"] for w in json.loads(out)["items"]) == [1, 2]
    code, out = cli(db, "warnings", "show", "9")
    assert code == 1 and "FW-E003" in out and "no warning 9" in out
    code, out = cli(db, "warn", "x", "--severity", "dire")
    assert code == 1 and "FW-E005" in out and "elevated, high, critical" in out


def test_notify_and_outbox(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    env_hook = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens there: the delivery fails
    result = runner.invoke(app, ["--db", db, "warn", "Convoys", "--severity", "high"],
                           env={"FOREWARN_WEBHOOK_URL": env_hook})
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["--db", db, "notify", "--json"],
                           env={"FOREWARN_WEBHOOK_URL": env_hook, "FOREWARN_NOTIFY_TIMEOUT": "2"})
    assert json.loads(result.output) == {"sent": 0, "failed": 1, "dead": 0}
    code, out = cli(db, "outbox", "--json")
    [item] = json.loads(out)["items"]
    assert item["status"] == "pending" and item["attempts"] == 1 and "ConnectError" in item["last_error"]
    code, out = cli(db, "outbox", "--retry", str(item["id"]))
    assert code == 0 and "1 notifications" in out and "pending" in out
    code, out = cli(db, "outbox", "--status", "lost")
    assert code == 1 and "FW-E005" in out


def test_countdown_and_spans() -> None:
    assert [span(timedelta(seconds=s)) for s in (20, 2700, 11520, 187200)] == ["20s", "45m", "3h 12m", "2d 4h"]
    from forewarn.model import Origin, WarningRecord, WarningState

    now = datetime(2024, 8, 12, 12, 0, tzinfo=UTC)
    w = WarningRecord(1, Origin.PERSON, None, "high", "t", "", None, (), (), None, None, WarningState.RAISED, None,
                      None, (), "a", ("a",), 0, now, "a", now + timedelta(minutes=30), None, None, None, None, 0, now)
    assert countdown(w, now) == "30m" and countdown(w, now + timedelta(hours=1)) == "OVERDUE 30m"
