"""The scores page at size: QUESTIONS resolved questions × ANALYSTS analysts, each analyst
revising ESTIMATES times, two published lines per question and, on every SCENARIO_EVERY-th question, a scenario
assessed hourly over the question's life; then the server time of ``GET /scores`` and ``GET /api/v1/scores`` as
an admin (every row named, the heaviest view), the read alone (``ws.reads.scores``) cold (cache cleared, as after
a resolution) and warm, and the SQL statements a warm read runs.

The rows are written straight into the tables (a read bench: the ledgered desk would take minutes to fill the
same), on SQLite in a temporary folder unless ``--db URL`` names an empty database. Seeded; prints p50 / p95."""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import event

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model import Role
from forewarn.reads.scores import _CACHE
from forewarn.store import schema as t
from forewarn.web import create_app
from forewarn.web.auth import SESSION_COOKIE

QUESTIONS, ANALYSTS, ESTIMATES, SCENARIO_EVERY, DAYS = 200, 10, 3, 10, 30
START = datetime(2024, 1, 1, tzinfo=UTC)
SEED = 17


def fill(ws: Workspace, rng: random.Random) -> None:
    """The questions, estimates, lines and assessments, straight into the tables."""
    questions: list[dict[str, object]] = []
    estimates: list[dict[str, object]] = []
    lines: list[dict[str, object]] = []
    assessments: list[dict[str, object]] = []
    for k in range(QUESTIONS):
        opened = START + timedelta(days=k % 60)
        resolved = opened + timedelta(days=DAYS)
        yes = rng.random() < 0.4
        sid = f"bench-s{k}" if k % SCENARIO_EVERY == 0 else None
        questions.append({"id": k + 1, "title": f"Bench question {k + 1}", "criteria": "It happens.",
                          "resolves_by": resolved.date(), "owner": "bench", "created_by": "bench",
                          "state": "resolved-yes" if yes else "resolved-no", "scenario_id": sid, "reveal_at": None,
                          "created_at": opened, "resolution": "bench", "resolved_by": "bench", "resolved_at": resolved})
        for a in range(ANALYSTS):
            for j in range(ESTIMATES):
                p = min(max(rng.gauss(0.65 if yes else 0.35, 0.2), 0.01), 0.99)
                estimates.append({"question_id": k + 1, "analyst": f"analyst-{a:02d}", "probability": p,
                                  "rationale": "", "at": opened + timedelta(days=rng.uniform(0, DAYS)),
                                  "blind": j == 0, "salt": "00"})
        for j in range(2):
            lines.append({"question_id": k + 1, "probability": 0.2 + 0.3 * j, "words": "bench",
                          "published_by": "bench", "at": opened + timedelta(days=5 + 10 * j), "gap": None,
                          "model_gap": None, "flagged": False, "salt": "00"})
        if sid:
            assessments += [{"scenario_id": sid, "scenario_version": "v1", "at": opened + timedelta(hours=h),
                             "probability": rng.random(), "log_odds": 0.0, "level": None, "signals": [],
                             "created_at": opened} for h in range(-24, DAYS * 24 + 24)]
    with ws.store.transaction() as conn:
        for table, rows in ((t.questions, questions), (t.estimates, estimates), (t.published_lines, lines),
                            (t.assessments, assessments)):
            conn.execute(table.insert(), rows)
    print(f"filled {len(questions)} questions, {len(estimates)} estimates, {len(lines)} lines, "
          f"{len(assessments)} assessments")


def timed(client: TestClient, path: str, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        got = client.get(path)
        times.append(time.perf_counter() - started)
        assert got.status_code == 200, got.text[:300]
    return times


def report(name: str, times: list[float]) -> None:
    q = statistics.quantiles(times, n=20) if len(times) > 1 else times * 19
    print(f"{name:<22} p50 {statistics.median(times) * 1000:7.1f} ms   p95 {q[18] * 1000:7.1f} ms   "
          f"({len(times)} runs)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an empty database's URL (default: SQLite in a temporary folder)")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'ws.db'}"
        ws = Workspace.open(Settings(database_url=url, actor="bench", extract=False))
        try:
            fill(ws, random.Random(SEED))
            measure(ws, args.repeat)
        finally:
            ws.close()
    return 0


def measure(ws: Workspace, repeat: int) -> None:
    user = ws.accounts.add_user("bench-admin", "bench-password-1234", Role.ADMIN, actor="bench")
    cookie, _ = ws.accounts.start_session(user, hours=1)
    cold = []
    for _ in range(max(repeat // 3, 2)):
        _CACHE.clear()  # as after a question is resolved: read and score everything again
        started = time.perf_counter()
        board = ws.reads.scores(ws.clock())
        cold.append(time.perf_counter() - started)
    print(f"{board.questions} questions scored, {len(board.rows)} rows")
    report("cold ws.reads.scores", cold)
    statements: list[str] = []
    event.listen(ws.store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    reads = []  # warm: the fingerprint query, then the cached board
    for _ in range(repeat):
        started = time.perf_counter()
        ws.reads.scores(ws.clock())
        reads.append(time.perf_counter() - started)
    print(f"SQL statements per read: {len(statements) // repeat}")
    report("ws.reads.scores", reads)
    with TestClient(create_app(ws), follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, cookie)
        report("GET /scores", timed(client, "/scores", repeat))
        report("GET /api/v1/scores", timed(client, "/api/v1/scores", repeat))


if __name__ == "__main__":
    raise SystemExit(main())
