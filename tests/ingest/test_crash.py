"""A process killed with SIGKILL in the middle of an ingest loses nothing it had committed, and
re-running the same ingest ends with exactly the documents of an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

N_DOCS = 10_000
WORDS = (
    "armour", "column", "border", "village", "night", "fuel", "truck", "bridge", "road", "school",
    "unit", "drone", "shelling", "governor", "statement", "residents", "evacuation", "convoy",
    "radar", "river", "forest", "checkpoint",
)


def make_corpus(path: Path) -> None:
    rng = random.Random(6)
    texts: list[str] = []
    for i in range(N_DOCS):
        if i % 10 == 9:  # every tenth re-posts an earlier report with a tail: a near-duplicate
            texts.append(texts[i - 9] + " Subscribe to our channel.")
        else:
            texts.append(f"Report {i}: " + " ".join(rng.choice(WORDS) for _ in range(60)) + ".")
    with path.open("w", encoding="utf-8") as f:
        for i, text in enumerate(texts):
            f.write(json.dumps({"id": f"r{i}", "text": text, "date": "2024-08-01T00:00:00Z"}) + "\n")


def ingest_cmd(db: Path, corpus: Path) -> list[str]:
    return [sys.executable, "-m", "forewarn", "--db", f"sqlite:///{db}", "--actor", "crash-test",
            "ingest", str(corpus), "--json"]


def committed(db: Path) -> int:
    """What the run has reported as committed (its counters are written in the batch transaction)."""
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            row = conn.execute("SELECT COALESCE(SUM(new + near_duplicate), 0) FROM ingest_runs").fetchone()
            return int(row[0])
    except sqlite3.OperationalError:
        return 0


def documents(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, cluster_id FROM documents ORDER BY id").fetchall()


@pytest.mark.slow
def test_sigkill_mid_ingest_loses_nothing_and_rerun_converges(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    make_corpus(corpus)
    env = {**os.environ, "FOREWARN_BATCH_SIZE": "200"}

    reference = tmp_path / "reference.db"
    subprocess.run(ingest_cmd(reference, corpus), check=True, env=env, capture_output=True)
    expected = documents(reference)

    crashed = tmp_path / "crashed.db"
    proc = subprocess.Popen(ingest_cmd(crashed, corpus), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while committed(crashed) < 1_000 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    seen = committed(crashed)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < seen < len(expected), "the kill must land mid-run"
    assert len(documents(crashed)) >= seen  # nothing reported as committed is lost

    rerun = subprocess.run(ingest_cmd(crashed, corpus), check=True, env=env, capture_output=True, text=True)
    report = json.loads(rerun.stdout)
    assert report["duplicate"] >= seen
    assert documents(crashed) == expected  # same documents, same clusters, no duplicates
    with sqlite3.connect(crashed) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        statuses = [r[0] for r in conn.execute("SELECT status FROM ingest_runs ORDER BY id")]
        sightings = conn.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM sightings").fetchone()
    assert statuses == ["interrupted", "completed"]
    assert sightings[0] == sightings[1] == N_DOCS
