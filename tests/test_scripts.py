"""The set-up scripts behind `make test` and `make bench`: they install from Debian's packages without
the recommended ones, install what the browser tests need, and leave no PostgreSQL server running
that they started themselves (a server that was already running stays), keeping the command's
exit status. And the ingest benchmarks measure what their rows say: ingest without NLP, and the full
pipeline on feed items."""

from __future__ import annotations

import argparse
import glob
import importlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model import SourceKind

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "scripts"
POSTGRES = SCRIPTS / "postgres.sh"
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))


def apt_installs() -> list[tuple[str, str]]:
    """Every ``apt-get install`` line of the scripts and the Makefile: (file, line)."""
    files = [*sorted(SCRIPTS.glob("*.sh")), ROOT / "Makefile"]
    return [(path.name, line.strip()) for path in files
            for line in path.read_text(encoding="utf-8").splitlines() if re.search(r"apt-get\s+install", line)]


def test_every_apt_install_leaves_out_recommended_packages() -> None:
    lines = apt_installs()
    assert {name for name, _ in lines} >= {"chromium.sh", "postgres.sh"}
    for name, line in lines:
        assert "--no-install-recommends" in line, f"{name}: {line}"


def test_chromium_script_installs_chromium_its_font_and_strace() -> None:
    text = (SCRIPTS / "chromium.sh").read_text(encoding="utf-8")
    assert "missing+=(chromium fonts-liberation)" in text and "missing+=(strace)" in text
    assert '--no-install-recommends "${missing[@]}"' in text


def test_make_test_runs_pytest_through_postgres_run() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "bash scripts/chromium.sh" in recipe
    assert "scripts/postgres.sh run FOREWARN_TEST_PG_URL" in recipe and "-m pytest $(PYTEST_ARGS)" in recipe


@pytest.mark.parametrize("args", [["run"], ["run", "URL"], ["bogus"]])
def test_postgres_script_refuses_a_bad_call(args: list[str]) -> None:
    done = subprocess.run(["bash", str(POSTGRES), *args], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "usage: postgres.sh" in done.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def pg_env() -> Iterator[dict[str, str]]:
    """A private server's place (a fresh folder the postgres user can reach, a free port); stopped after."""
    if not PG_BIN:
        pytest.skip("no PostgreSQL binaries (scripts/postgres.sh installs them)")
    folder = tempfile.mkdtemp(prefix="forewarn-pg-scripts-", dir="/tmp")
    os.chmod(folder, 0o755)
    env = {**os.environ, "FOREWARN_PG_DIR": folder, "FOREWARN_PG_PORT": str(free_port())}
    try:
        yield env
    finally:
        subprocess.run(["bash", str(POSTGRES), "stop"], env=env, capture_output=True, timeout=90)
        shutil.rmtree(folder, ignore_errors=True)


def listening(env: dict[str, str]) -> bool:
    ready = Path(PG_BIN[-1]).with_name("pg_isready")
    return subprocess.run([str(ready), "-q", "-h", "127.0.0.1", "-p", env["FOREWARN_PG_PORT"]],
                          timeout=30).returncode == 0


def run_with_server(env: dict[str, str], code: int) -> subprocess.CompletedProcess[str]:
    """``postgres.sh run`` of a command that checks the URL it was given, then exits with ``code``."""
    command = f'case "$PG_URL" in *127.0.0.1:{env["FOREWARN_PG_PORT"]}/forewarn_test) exit {code};; esac; exit 99'
    return subprocess.run(["bash", str(POSTGRES), "run", "PG_URL", "sh", "-c", command], env=env,
                          capture_output=True, text=True, timeout=180)


@pytest.mark.slow
def test_a_server_the_run_started_is_stopped_and_the_status_kept(pg_env: dict[str, str]) -> None:
    done = run_with_server(pg_env, 3)
    assert done.returncode == 3, done.stderr
    assert "stopped the server" in done.stderr
    assert not listening(pg_env)


@pytest.mark.slow
def test_a_server_running_before_is_left_running(pg_env: dict[str, str]) -> None:
    started = subprocess.run(["bash", str(POSTGRES)], env=pg_env, capture_output=True, text=True, timeout=180)
    assert started.returncode == 0, started.stderr  # the plain call `make bench` uses: start, print the URL
    assert started.stdout.strip().endswith(f"127.0.0.1:{pg_env['FOREWARN_PG_PORT']}/forewarn_test")
    done = run_with_server(pg_env, 0)
    assert done.returncode == 0, done.stderr
    assert "left running" in done.stderr and "stopped" not in done.stderr
    assert listening(pg_env)


# -- the ingest benchmark measures what its rows say ---------------------------------------------------------


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> Any:
    """bench/ingest_throughput.py as a module (bench/ on the path, as when it runs)."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    return importlib.import_module("ingest_throughput")


ITEMS = [{"date": "2023-06-24T08:00:00+00:00", "title": "Convoy seen near Voronezh",
          "description": "<p>A column of <b>armoured vehicles</b> moved north on the M4 &amp; stopped.</p>",
          "link": "https://example.org/a", "language": "en-US"},
         {"date": "2023-06-24T09:30:00+00:00", "title": "Talks resume", "description": "",
          "link": "https://example.org/b", "language": "en-GB"}]


def test_the_ingest_rows_run_without_nlp(bench: Any, tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "title": f"t{i}", "date": "2022-01-0{i}", "url": "",
                                          "text": f"Officials met in Kyiv on day {i} to discuss the border."}) + "\n"
                              for i in range(1, 4)), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    assert bench.forewarn_ingest(url, corpus, extract=False, kind=SourceKind.JSONL) == (3, 0.0)  # SQLite: no server
    with Workspace.open(Settings(database_url=url, extract=False)) as ws:
        assert len(ws.store.documents_needing_extraction()) == 3  # stored, not extracted


def test_the_feed_file_reads_back_as_the_items(bench: Any, tmp_path: Path) -> None:
    feed = tmp_path / "news.xml"
    bench.write_feed(feed, ITEMS)
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    assert bench.forewarn_ingest(url, feed, extract=False, kind=SourceKind.FEED) == (2, 0.0)
    texts = sorted(bench.stored_texts(url))
    assert texts == ["Convoy seen near Voronezh\n\nA column of armoured vehicles moved north on the M4 & stopped.",
                     "Talks resume"]  # an item is its title, a blank line, its description; a title alone is the text


def test_the_pipeline_part_skips_with_a_message_without_the_shared_data(bench: Any, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(bench, "feed_items", lambda n: None)
    assert bench.pipeline_rows(argparse.Namespace(feed_items=10, feed_repeat=1), tmp_path) == []
    assert "full pipeline skipped: needs" in capsys.readouterr().out


def test_the_memory_bench_ingests_without_nlp(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    memory = importlib.import_module("ingest_memory")
    seen: dict[str, str] = {}

    def fake_run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        seen.update(kwargs.get("env") or {})
        return subprocess.CompletedProcess(args, 0, stdout="2048\n", stderr="")

    monkeypatch.setattr(memory.subprocess, "run", fake_run)
    assert memory.peak_mb(["forewarn", "ingest", "x"]) == 2.0
    assert seen.get("FOREWARN_EXTRACT") == "false"


def test_the_observations_bench_writes_rows_the_reader_takes_with_and_without_coordinates(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    module = importlib.import_module("observations_throughput")
    for located in (True, False):
        rows = module.write_rows(tmp_path / f"{located}.csv", 8, located=located)
        assert module.rate(rows, tmp_path, 8, extract=False) > 0
