"""`forewarn watch` as a user runs it: a separate process polling a folder, the real spaCy pipeline,
a local webhook receiver; a dropped report becomes a warning in the store and a signed webhook;
a person acknowledges it from another process meanwhile; SIGTERM or SIGINT ends it cleanly."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model import Reliability, SourceKind
from forewarn.warn import verify_signature

SECRET = "s3cret-for-tests"
SCENARIO = """\
id: sumy-armour
name: Armour massing near Sumy
region:
  countries: [UKR]
horizon_days: 14
prior: 0.01
owner: duty-officer
escalation: [watch-lead]
indicators:
  - id: armour
    name: Troops and armour massing
    types: [MOBILIZE]
    weight: 60
    half_life_days: 7
"""
REPORT = "Russian forces massed tanks and armoured vehicles near Sumy on {day}, residents said.\n"


class Hooks:
    def __init__(self) -> None:
        self.received: list[dict[str, object]] = []
        self.valid: list[bool] = []


@pytest.fixture
def hooks() -> Iterator[tuple[Hooks, str]]:
    hooks = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            hooks.valid.append(verify_signature(SECRET, self.headers["X-Forewarn-Timestamp"], body,
                                                self.headers["X-Forewarn-Signature"]))
            hooks.received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield hooks, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def wait_for(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


@pytest.mark.slow
@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_watch_turns_a_dropped_report_into_a_warning_and_stops_cleanly(
        tmp_path: Path, hooks: tuple[Hooks, str], stop_with: signal.Signals) -> None:
    received, url = hooks
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    (tmp_path / "scenario.yaml").write_text(SCENARIO)
    with Workspace.open(Settings(database_url=db, actor="setup", extract=False)) as ws:
        ws.scenarios.add(tmp_path / "scenario.yaml")
        ws.sources.add("inbox", str(inbox), kind=SourceKind.TEXT, reliability=Reliability.A)
    env = {**os.environ, "FOREWARN_EXTRACT": "true", "FOREWARN_WEBHOOK_URL": url,
           "FOREWARN_WEBHOOK_SECRET": SECRET, "FOREWARN_ACTOR": "watch"}
    proc = subprocess.Popen([sys.executable, "-m", "forewarn", "--db", db, "watch", "--interval", "0.2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    officer = Workspace.open(Settings(database_url=db, actor="duty-officer", extract=False))
    try:
        wait_for(lambda: officer.ledger.entries(kind="assessment-published"), 60, "the first cycle")
        today = datetime.now(UTC).strftime("%d %B %Y")
        (inbox / "report.txt").write_text(f"Title: Armour near Sumy\n\n{REPORT.format(day=today)}")
        wait_for(lambda: officer.warnings.board(), 60, "a warning in the store")
        wait_for(lambda: received.received, 30, "the webhook")
        warning = officer.warnings.board()[0]
        assert warning.scenario_id == "sumy-armour" and warning.owner == "duty-officer"
        assert received.valid == [True] * len(received.valid)
        assert received.received[0]["event"] == "raised"
        officer.warnings.acknowledge(warning.id, note="seen")  # a person acts while watch runs
        time.sleep(0.5)  # a few more polls after the acknowledgement
    finally:
        proc.send_signal(stop_with)
        out, err = proc.communicate(timeout=60)
    try:
        assert proc.returncode == 0, err
        assert "stopping after the current step" in err and "watch stopped" in err
        assert "warning" in out
        assert officer.warnings.get(warning.id).acknowledged_by == "duty-officer"
        assert all(r.status == "completed" for r in officer.reads.runs())
        assert officer.ledger.verify().ok
    finally:
        officer.close()


def test_a_quiet_poll_ingests_nothing_and_a_failed_poll_does_not_end_the_watch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import forewarn.watch as watch_module
    from forewarn.cycle import run_cycle
    from forewarn.errors import ClockBackwards
    from forewarn.watch import WatchCycle, Watcher

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Title: a\n\nNothing happened in Sumy today.\n")
    calls = {"n": 0}

    def flaky_cycle(ws: Workspace, at: datetime) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ClockBackwards("the clock went back")
        return run_cycle(ws, at)

    monkeypatch.setattr(watch_module, "run_cycle", flaky_cycle)
    cycles: list[WatchCycle] = []
    errors: list[Exception] = []
    with Workspace.open(Settings(database_url=f"sqlite:///{tmp_path / 'ws.db'}", actor="t", extract=False)) as ws:
        ws.sources.add("inbox", str(inbox), kind=SourceKind.TEXT)
        assert Watcher(ws, interval=0).run(cycles.append, max_cycles=3, on_error=errors.append) == 3
        (inbox / "b.txt").write_text("Title: b\n\nStill nothing.\n")
        Watcher(ws, interval=0).run(cycles.append, max_cycles=1)
        runs = ws.reads.runs()
    assert [type(e).__name__ for e in errors] == ["ClockBackwards"]
    assert [c.number for c in cycles] == [1, 3, 1]
    assert cycles[0].ingest is not None and cycles[0].ingest.new == 1
    assert cycles[1].ingest is None  # nothing changed: no ingest run
    assert cycles[2].ingest is not None and cycles[2].ingest.new == 1  # a new watcher reads the folder again
    assert len(runs) == 2


def test_each_scenario_keeps_its_own_latest_assessment(tmp_path: Path) -> None:
    from forewarn.cycle import run_cycle

    with Workspace.open(Settings(database_url=f"sqlite:///{tmp_path / 'ws.db'}", actor="t", extract=False)) as ws:
        ws.scenarios.add(default="coup")
        ws.scenarios.add(default="armed-mutiny")
        assert ws.scenarios.latest() == {}
        run_cycle(ws, datetime(2024, 8, 1, tzinfo=UTC))
        (tmp_path / "scenario.yaml").write_text(SCENARIO)
        ws.scenarios.add(tmp_path / "scenario.yaml")
        run_cycle(ws, datetime(2024, 8, 2, tzinfo=UTC))  # only the new one changed: only it is published
        latest = ws.scenarios.latest()
        assert set(latest) == {"coup", "armed-mutiny", "sumy-armour"}
        for scenario_id, stored in latest.items():
            assert stored == ws.scenarios.published(scenario_id)[0]
        assert latest["sumy-armour"].at == datetime(2024, 8, 2, tzinfo=UTC)
        assert latest["coup"].at == datetime(2024, 8, 1, tzinfo=UTC)
