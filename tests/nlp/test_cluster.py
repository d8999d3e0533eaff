"""Extraction on a Dask cluster (``--backfill``), on local clusters of two worker processes on loopback: the
command's own cluster listens on 127.0.0.1 only and stops on Ctrl-C, and a re-run finishes the job with what
one process stores; a worker killed mid-run loses and duplicates nothing; a batch that kills its workers is
recorded as failed while the rest proceeds; the CLI options work end to end; without Dask, or without a
reachable scheduler with workers, the option is a coded error."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

import forewarn.nlp.runner as runner
from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.config import Settings
from forewarn.errors import ForewarnError
from forewarn.nlp.cluster import ExtractionCluster, local_cluster

N = 24
SENTENCES = ("Russian troops shelled the village of Sudzha in the Kursk region on Tuesday, the governor said.",
             "Vladimir Putin met Alexander Lukashenko in Minsk to discuss the war.",
             "Police arrested {n} protesters in Kharkiv on Monday.",
             "Ukrainian drones struck an oil depot near Belgorod overnight, the regional governor said.",
             "The foreign minister said talks with Turkey would resume next week.")
NOW = datetime(2024, 8, 12, 12, 0, tzinfo=UTC)


def _text(i: int) -> str:
    """A report of some 1,500 characters (a task of two takes a worker a fraction of a second)."""
    picked = [SENTENCES[(i + k) % len(SENTENCES)].format(n=i + 2) for k in range(len(SENTENCES))]
    return "\n\n".join(" ".join(picked[k:] + picked[:k]) for k in range(3)) + f" Report number {i}."


def _settings(db: Path, **values: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{db}", actor="tester", extract=False, **values)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding N documents, none extracted (tests copy it)."""
    folder = tmp_path_factory.mktemp("archive")
    (folder / "reports").mkdir()
    for i in range(N):
        (folder / "reports" / f"r{i:02}.txt").write_text(f"Title: Report {i}\nDate: 2024-08-{1 + i % 9:02}\n\n"
                                                         f"{_text(i)}\n", encoding="utf-8")
    with Workspace.open(_settings(folder / "ws.db"), clock=lambda: NOW) as ws:
        ws.intake.ingest([str(folder / "reports")])
    return folder / "ws.db"


@pytest.fixture
def store_copy(archive: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(archive, tmp_path / "ws.db"))


@pytest.fixture(scope="module")
def expected(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[Any, ...]]]:
    """What a one-process run stores for the archive."""
    db = Path(shutil.copy(archive, tmp_path_factory.mktemp("one") / "ws.db"))
    with Workspace.open(_settings(db), clock=lambda: NOW) as ws:
        assert ws.intake.extract().extracted == N
    return stored(db)


def stored(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Each extraction's row and every event row (but when they were written), sorted."""
    with closing(sqlite3.connect(db)) as conn:
        extractions = conn.execute("SELECT document_id, extractor, status, counts FROM extractions").fetchall()
        cursor = conn.execute("SELECT * FROM events")
        keep = [i for i, d in enumerate(cursor.description) if d[0] != "coded_at"]
        events = [tuple(row[i] for i in keep) for row in cursor.fetchall()]
    return {"extractions": sorted(extractions), "events": sorted(events, key=repr)}


@pytest.fixture(scope="module")
def shared() -> Iterator[LocalCluster]:
    """A local cluster of two worker processes on loopback, shared by the tests that connect to an address."""
    with local_cluster(2) as cluster:
        yield cluster


@pytest.fixture
def scheduler(shared: LocalCluster) -> str:
    """The shared cluster's address, once both its workers are up (a killed one comes back)."""
    with Client(shared, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
    return str(shared.scheduler_address)


def kill_a_busy_worker(cluster: ExtractionCluster) -> Callable[[int, int], None]:
    """A progress callback that kills (SIGKILL) the worker with the most tasks in flight, once."""
    pids = cluster.client.run(os.getpid)
    killed: list[int] = []

    def kill(done: int, failed: int) -> None:
        if killed:
            return
        busy, tasks = max(cluster.client.processing().items(), key=lambda item: len(item[1]))
        assert tasks, "no task in flight to interrupt"
        killed.append(pids[busy])
        os.kill(pids[busy], signal.SIGKILL)

    return kill


@pytest.mark.slow
def test_a_local_cluster_on_loopback_stopped_by_ctrl_c_leaves_the_rest_to_a_rerun(store_copy, expected, scheduler,
                                                                                  monkeypatch):
    """The command's own cluster listens on 127.0.0.1 only and stops on Ctrl-C; the saved chunks stay, and
    running again (here on a scheduler) does the rest: every document once, as one process stores it."""
    monkeypatch.setattr(runner, "SAVE_EVERY", 4)
    before = set(psutil.Process().children(recursive=True))
    started: list[psutil.Process] = []

    def interrupt(done: int, failed: int) -> None:
        started.extend(set(psutil.Process().children(recursive=True)) - before)
        listening = {c.laddr.ip for p in [psutil.Process(), *started] for c in p.net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN}
        assert listening == {"127.0.0.1"}  # scheduler, nannies, workers and their HTTP endpoints
        raise KeyboardInterrupt  # after the first saved chunk

    with (Workspace.open(_settings(store_copy, backfill_workers=2), clock=lambda: NOW) as ws,
          pytest.raises(KeyboardInterrupt)):
        ws.intake.extract(progress=interrupt, backfill=True)
    assert len(started) == 2 and psutil.wait_procs(started, timeout=30)[1] == []  # its two workers are gone
    saved = len(stored(store_copy)["extractions"])
    assert 4 <= saved < N
    with Workspace.open(_settings(store_copy, backfill_scheduler=scheduler), clock=lambda: NOW) as ws:
        rest = ws.intake.extract(backfill=True)
    assert (rest.documents, rest.extracted, rest.workers) == (N - saved, N - saved, 2)
    assert stored(store_copy) == expected


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_and_duplicates_nothing(store_copy, expected, scheduler, monkeypatch):
    monkeypatch.setattr(runner, "SAVE_EVERY", 2)
    with Workspace.open(_settings(store_copy, backfill_scheduler=scheduler, backfill_batch=2),
                        clock=lambda: NOW) as ws, ExtractionCluster.start(ws.settings) as cluster:
        report = runner.extract_on(cluster, ws.store, ws.store.documents_needing_extraction(), lambda: NOW,
                                   kill_a_busy_worker(cluster))
    assert (report.documents, report.extracted) == (N, N)  # the killed worker's tasks ran again elsewhere
    assert stored(store_copy) == expected  # every document once, with the one-process events


@pytest.mark.slow
def test_a_batch_that_kills_its_workers_is_recorded_as_failed_and_the_rest_proceeds(store_copy, expected, shared,
                                                                                     scheduler, monkeypatch):
    monkeypatch.setattr(runner, "SAVE_EVERY", 2)
    monkeypatch.setattr(shared.scheduler, "allowed_failures", 0)  # give up on a task after one death
    with Workspace.open(_settings(store_copy, backfill_scheduler=scheduler, backfill_batch=2),
                        clock=lambda: NOW) as ws, ExtractionCluster.start(ws.settings) as cluster:
        report = runner.extract_on(cluster, ws.store, ws.store.documents_needing_extraction(), lambda: NOW,
                                   kill_a_busy_worker(cluster))
    assert report.documents == N and report.failed >= 2 and report.extracted == N - report.failed
    assert all("KilledWorker" in error for _, error in report.failures)
    rows = stored(store_copy)["extractions"]
    assert len(rows) == N and sum(status == "failed" for _, _, status, _ in rows) == report.failed
    ok = {doc for doc, _, status, _ in rows if status == "ok"}
    assert [e for e in stored(store_copy)["events"] if e[1] in ok] == [e for e in expected["events"] if e[1] in ok]


def cli(*args: str, **env: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200", **env})
    return result.exit_code, result.output


@pytest.mark.slow
def test_ingest_of_an_archive_with_backfill_from_the_cli(archive, expected, scheduler, tmp_path):
    """`forewarn ingest --backfill --scheduler ADDR` stores the documents, then extracts them on the cluster."""
    db = tmp_path / "fresh.db"
    code, out = cli("--db", f"sqlite:///{db}", "ingest", str(archive.parent / "reports"), "--backfill",
                    "--scheduler", scheduler, "--json", FOREWARN_EXTRACT="true")
    assert code == 0, out
    extraction = json.loads(out)["extraction"]
    assert (extraction["documents"], extraction["extracted"], extraction["workers"]) == (N, N, 2)
    assert stored(db) == expected


def test_the_local_clusters_workers_run_without_what_slows_spacy(shared):
    """Its workers start without Dask's sampling profiler (every 10 ms it walks the running task's stack) and without
    Dask's malloc trim threshold (glibc then hands memory back so often that spaCy spends more time in the kernel)."""
    with Client(shared, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=60)
        timers = client.run(lambda dask_worker: sorted(dask_worker.periodic_callbacks))
        trims = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
    assert len(timers) == 2 and all("heartbeat" in names and "profile" not in names for names in timers.values())
    assert set(trims.values()) == {None}


def test_scheduler_and_workers_need_backfill(store_copy):
    code, out = cli("--db", f"sqlite:///{store_copy}", "extract", "--workers", "3")
    assert code == 1 and "FW-E005" in out and "--backfill" in out


def test_backfill_without_dask_is_a_coded_error_with_the_fix(store_copy, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an install without the extra finds
    monkeypatch.delitem(sys.modules, "forewarn.nlp.cluster")
    code, out = cli("--db", f"sqlite:///{store_copy}", "extract", "--backfill")
    assert code == 1 and "FW-E052" in out and "Dask, which is not installed" in out, out
    with Workspace.open(_settings(store_copy), clock=lambda: NOW) as ws, pytest.raises(ForewarnError) as raised:
        ws.intake.extract(backfill=True)
    assert raised.value.hint == "pip install 'forewarn[distributed]'"
    assert stored(store_copy)["extractions"] == []


def test_an_unreachable_scheduler_or_one_without_workers_is_a_coded_error(store_copy, monkeypatch):
    import forewarn.nlp.cluster as cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1)
    monkeypatch.setattr(cluster, "WORKERS_TIMEOUT", 1)
    with socket_nobody_listens_on() as address:
        code, out = cli("--db", f"sqlite:///{store_copy}", "extract", "--backfill", "--scheduler", address)
    assert code == 1 and "FW-E052 cannot reach the Dask scheduler" in out and "dask scheduler" in out, out
    with local_cluster(0) as empty:
        code, out = cli("--db", f"sqlite:///{store_copy}", "extract", "--backfill", "--scheduler",
                        empty.scheduler_address)
    assert code == 1 and "FW-E052 no Dask worker joined" in out and "dask worker" in out, out
    assert stored(store_copy)["extractions"] == []


@contextmanager
def socket_nobody_listens_on() -> Iterator[str]:
    """A loopback address held by a socket that never listens: connecting is refused."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        yield f"tcp://127.0.0.1:{held.getsockname()[1]}"
