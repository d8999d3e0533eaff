"""The command line under issue 11: exit status for targets that could not be read, a full disk as a
coded error (no traceback, no text), JSON output of every value, who an action was recorded as when
$USER is unset, dates shown to their precision, events of undated reports flagged."""

from __future__ import annotations

import json
import os
import pwd
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from typer.testing import CliRunner

import forewarn.store.engine as engine_module
from forewarn.cli.main import app
from forewarn.cli.render import print_json
from forewarn.config import Settings
from forewarn.model.document import DatePrecision, format_dated
from forewarn.model.records import StoredEvent

runner = CliRunner()
NO_LOGIN: dict[str, str | None] = {"USER": None, "LOGNAME": None, "FOREWARN_ACTOR": None}
CANARY = "CANARY-REPORT-TEXT-51c2"


def cli(db: str, *args: str, env: dict[str, str | None] | None = None, actor: bool = True) -> tuple[int, str]:
    who = ["--actor", "cli-test"] if actor else []
    result = runner.invoke(app, ["--db", db, *who, *args], env={"COLUMNS": "200", **(env or {})})
    return result.exit_code, result.output


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- item 15: a named target that could not be read -----------------------------------------------

def test_a_missing_target_says_not_found_and_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    _write(tmp_path / "report.txt", "Date: 2024-08-06\n\nA convoy of trucks moved through Sumy.")
    code, out = cli(db, "ingest", "./no-such-dir/", "report.txt")
    assert code == 3, out
    assert "not found" in out and "vanished" not in out and "./no-such-dir/" in out
    code, out = cli(db, "ingest", "report.txt")  # everything read (a duplicate is read): exit 0
    assert code == 0, out
    code, out = cli(db, "ingest", "./no-such-dir/", "--json")
    assert code == 3 and json.loads(out)["unread"] == ["./no-such-dir/"]


# -- item 13: a full disk -------------------------------------------------------------------------

def test_a_full_disk_is_fw_e041_without_traceback_or_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    assert cli(db, "stats")[0] == 0  # the workspace exists, its schema written
    real = engine_module._sqlite_engine

    def small_disk(url: str) -> Engine:
        engine = real(url)

        @event.listens_for(engine, "connect")
        def _full(dbapi_conn: Any, _record: Any) -> None:
            pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
            dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 6}")

        return engine

    monkeypatch.setattr(engine_module, "_sqlite_engine", small_disk)
    for i in range(6):
        words = " ".join(f"w{i}-{j}" for j in range(9000))
        _write(tmp_path / "in" / f"r{i}.txt", f"Date: 2024-08-06\n\n{CANARY} {words}")
    result = runner.invoke(app, ["--db", db, "--actor", "t", "ingest", str(tmp_path / "in")])
    assert result.exit_code == 1 and "FW-E041" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output and CANARY not in result.output


# -- item 13: JSON output of every value ----------------------------------------------------------

@dataclass(frozen=True)
class _Played:
    lead_time: timedelta
    first: datetime
    day: date
    where: Path
    ratio: float


def test_json_output_serialises_durations_as_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    played = _Played(timedelta(days=2, hours=3), datetime(2024, 8, 6, tzinfo=UTC), date(2024, 8, 6),
                     Path("/tmp/x.md"), float("nan"))
    print_json({"postmortem": played, "steps": (1, 2)})
    data = json.loads(capsys.readouterr().out)
    assert data == {"postmortem": {"lead_time": 183600.0, "first": "2024-08-06T00:00:00+00:00",
                                   "day": "2024-08-06", "where": "/tmp/x.md", "ratio": None}, "steps": [1, 2]}


@pytest.mark.slow
def test_demo_json_runs_to_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`forewarn demo --json` with extraction and the played warning chain (its post-mortem's replay
    series has a step, a timedelta: JSON seconds)."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'demo.db'}", "demo", "--json"],
                           env={"FOREWARN_EXTRACT": "true"})
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    step = data["postmortem"]["series"]["step"]
    assert isinstance(step, float) and step > 0


# -- item 18: who an action is recorded as ------------------------------------------------------

def test_without_user_the_os_account_is_the_actor(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("USER", "LOGNAME"):
        monkeypatch.delenv(name, raising=False)
    assert Settings().resolved_actor() == pwd.getpwuid(os.getuid()).pw_name != "unknown"
    assert Settings(actor="alice").resolved_actor() == "alice"


def test_state_changing_commands_say_who_was_recorded(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    account = pwd.getpwuid(os.getuid()).pw_name
    _write(tmp_path / "in" / "a.txt", "Date: 2024-08-06\n\nA convoy of trucks moved through Sumy.")
    code, out = cli(db, "ingest", str(tmp_path / "in"), env=NO_LOGIN, actor=False)
    assert code == 0 and f"recorded as {account}" in out, out
    code, out = cli(db, "runs", "list", "--json", env=NO_LOGIN, actor=False)
    assert json.loads(out)["items"][0]["actor"] == account  # not "unknown"
    code, out = cli(db, "docs", "list", env=NO_LOGIN, actor=False)
    assert code == 0 and "recorded as" not in out  # a read records nothing
    code, out = cli(db, "source", "add", "Inbox", str(tmp_path / "in"), "--json")
    assert code == 0 and json.loads(out)["id"] == "inbox"  # --json output stays pure JSON


# -- item 18: dates shown to their precision ------------------------------------------------------

def test_format_dated_shows_only_what_is_known() -> None:
    moment = datetime(2024, 1, 1, tzinfo=UTC)
    assert format_dated(moment, DatePrecision.YEAR) == "2024"
    assert format_dated(datetime(2024, 8, 1, tzinfo=UTC), DatePrecision.MONTH) == "2024-08"
    assert format_dated(datetime(2024, 8, 6, tzinfo=UTC), DatePrecision.DAY) == "2024-08-06"
    assert format_dated(datetime(2024, 8, 6, 10, 15, tzinfo=UTC), DatePrecision.SECOND) == "2024-08-06 10:15"
    assert format_dated(date(2024, 1, 1), "year") == "2024" and format_dated(None, "day") == "—"


def test_a_year_precision_date_is_shown_as_the_year(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    _write(tmp_path / "in" / "a.txt", "Title: Annual review\nDate: 2024\n\nThe annual review of border incidents.")
    assert cli(db, "ingest", str(tmp_path / "in"))[0] == 0
    code, out = cli(db, "docs", "list")
    assert code == 0 and "2024-01-01" not in out and " 2024 " in out, out
    code, out = cli(db, "docs", "list", "--json")
    doc_id = json.loads(out)["items"][0]["id"]
    code, out = cli(db, "docs", "show", doc_id[:12], "--plain")
    assert "published 2024 (year)" in out, out


# -- item 16: events of undated reports are flagged -----------------------------------------------

def _event(published_at: datetime | None) -> StoredEvent:
    return StoredEvent(id="e", document_id="d", source_id=None, published_at=published_at, extractor="x",
                       coded_at=datetime(2024, 8, 6, tzinfo=UTC), type="ASSAULT", mode=None, contexts=(), actor=None,
                       recipient=None, place=None, date=date(2024, 8, 6), date_precision="day",
                       date_from_publication=False, negated=False, hypothetical=False, future=False, reported=True,
                       sentence=0, start=0, end=1, trigger_start=0, trigger_end=1, confidence=0.5)


def test_events_of_an_undated_document_are_flagged() -> None:
    assert _event(None).flags == ("reported", "undated-source")
    assert _event(datetime(2024, 8, 6, tzinfo=UTC)).flags == ("reported",)
