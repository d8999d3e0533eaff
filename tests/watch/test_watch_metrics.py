"""`forewarn watch`'s own metrics: served on 127.0.0.1 (only) at the metrics port while the watch runs, with the
cycle latency, the counters and the store's figures after a poll; gone when the watch stops. The metrics never
stop the watch: a port that cannot be bound, or a failure to record, is logged once and the polls go on."""

from __future__ import annotations

import logging
import socket
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.config import Settings
from forewarn.model import SourceKind
from forewarn.watch import WatchCycle, Watcher, WatchMetrics

REPORT = "Title: Armour near Sumy\n\nRussian forces massed tanks near Sumy on Monday, residents said.\n"
Figures = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def refused(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=5).close()
    except ConnectionRefusedError:
        return True
    return False


def scrape(port: int) -> Figures:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        text = response.read().decode()
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "a.txt").write_text(REPORT)
    return folder


@pytest.fixture
def watched(tmp_path: Path, inbox: Path) -> Iterator[Workspace]:
    """A workspace watching the inbox, extraction on (the real pipeline: the counters count real work)."""
    with Workspace.open(Settings(database_url=f"sqlite:///{tmp_path / 'ws.db'}", actor="t", extract=True)) as ws:
        ws.sources.add("inbox", str(inbox), kind=SourceKind.TEXT)
        yield ws


@pytest.mark.slow  # loads the spaCy pipeline once (a few seconds)
def test_the_watch_serves_its_metrics_on_loopback_while_it_runs(watched: Workspace) -> None:
    port, polled = free_port(), threading.Event()
    watcher = Watcher(watched, interval=0.05, metrics_port=port)
    cycles: list[WatchCycle] = []

    def on_cycle(cycle: WatchCycle) -> None:
        cycles.append(cycle)
        polled.set()

    thread = threading.Thread(target=watcher.run, args=(on_cycle,))
    thread.start()
    try:
        assert polled.wait(120), "no poll"
        assert watcher.metrics_address == ("127.0.0.1", port)
        figures = scrape(port)
        assert refused("127.0.0.2", port)  # bound to 127.0.0.1, not to every loopback or outside address
    finally:
        watcher.stop.set()
        thread.join(60)
    assert not thread.is_alive()
    first = cycles[0]
    assert first.ingest is not None and first.ingest.extraction is not None
    assert figures[("forewarn_watch_cycles_total", ())] >= 1
    assert figures[("forewarn_watch_cycle_seconds_count", ())] >= 1
    assert figures[("forewarn_watch_cycle_seconds_sum", ())] >= first.seconds > 0
    assert figures[("forewarn_watch_documents_ingested_total", ())] == 1
    assert figures[("forewarn_watch_documents_extracted_total", ())] == first.ingest.extraction.extracted == 1
    assert figures[("forewarn_watch_extraction_documents_per_second", ())] > 0
    assert figures[("forewarn_watch_last_cycle_end_timestamp_seconds", ())] > 1.7e9
    assert figures[("forewarn_watch_cycle_errors_total", ())] == 0
    assert figures[("forewarn_database_up", ())] == 1  # the store's figures, as the workbench serves them
    assert figures[("forewarn_extraction_waiting_documents", (("reason", "never"),))] == 0
    assert figures[("forewarn_extracted_documents", (("window", "5m"),))] == 1
    assert ("forewarn_outbox_notifications", (("state", "pending"),)) in figures
    assert watcher.metrics_address is None
    assert refused("127.0.0.1", port)  # stopped with the watch


def test_a_port_in_use_is_logged_once_and_the_watch_goes_on(tmp_path: Path, inbox: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as taken, \
            Workspace.open(Settings(database_url=f"sqlite:///{tmp_path / 'ws.db'}", actor="t", extract=False)) as ws:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ws.sources.add("inbox", str(inbox), kind=SourceKind.TEXT)
        with caplog.at_level(logging.WARNING, logger="forewarn.watch"):
            assert Watcher(ws, interval=0, metrics_port=port).run(max_cycles=3) == 3
        assert len(ws.reads.runs()) == 1
    said = [r for r in caplog.records if r.name == "forewarn.watch"]
    assert len(said) == 1 and f"127.0.0.1:{port}" in said[0].getMessage()


def test_a_failure_to_record_is_logged_once_and_the_watch_goes_on(tmp_path: Path, inbox: Path,
                                                                  monkeypatch: pytest.MonkeyPatch,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    def broken(self: WatchMetrics, result: WatchCycle | None) -> None:
        raise RuntimeError("a metric went wrong")

    monkeypatch.setattr(WatchMetrics, "record", broken)
    cycles: list[WatchCycle] = []
    with Workspace.open(Settings(database_url=f"sqlite:///{tmp_path / 'ws.db'}", actor="t", extract=False)) as ws, \
            caplog.at_level(logging.WARNING, logger="forewarn.watch"):
        ws.sources.add("inbox", str(inbox), kind=SourceKind.TEXT)
        assert Watcher(ws, interval=0, metrics_port=free_port()).run(cycles.append, max_cycles=3) == 3
    assert [c.number for c in cycles] == [1, 2, 3]
    said = [r for r in caplog.records if r.name == "forewarn.watch"]
    assert len(said) == 1 and said[0].exc_info is not None


def test_the_command_takes_a_metrics_port_and_frees_it(tmp_path: Path, inbox: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    with Workspace.open(Settings(database_url=db, actor="t", extract=False)) as ws:
        ws.sources.add("inbox", str(inbox), kind=SourceKind.TEXT)
    port = free_port()
    result = CliRunner().invoke(app, ["--db", db, "watch", "--cycles", "2", "--interval", "0.05",
                                      "--metrics-port", str(port)])
    assert result.exit_code == 0, result.output
    assert f"metrics: http://127.0.0.1:{port}/metrics" in result.output
    assert "watch stopped after 2 polls" in result.output
    assert refused("127.0.0.1", port)
    bad = CliRunner().invoke(app, ["--db", db, "watch", "--cycles", "1", "--metrics-port", "70000"])
    assert bad.exit_code == 2  # not a port number: refused before anything runs
