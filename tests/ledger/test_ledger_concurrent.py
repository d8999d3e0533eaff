"""Two processes appending at once leave one valid chain with every entry in it."""

from __future__ import annotations

import itertools
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forewarn.app import Workspace
from forewarn.config import Settings

PER_PROCESS = 50


def append_many(url: str, actor: str, key: str | None, go: Any) -> None:
    settings = Settings(database_url=url, actor=actor, extract=False, signing_key=key or "")
    with Workspace.open(settings) as ws:  # the real clock: each process reads its own
        ws.ledger.signer  # noqa: B018 - load the key before the race starts
        go.wait(30)
        for n in range(PER_PROCESS):
            ws.ledger.record("comment", f"warning:{n}", {"n": n, "by": actor})
            time.sleep(0.003)  # room for the other writer (SQLite's busy wait would otherwise starve it)


def test_concurrent_appends_keep_the_chain(db_url: str, make_workspace: Callable[..., Workspace],
                                           tmp_path: Path) -> None:
    ws = make_workspace(db_url)  # migrated before the writers start
    key = tmp_path / "tester.pem"
    ws.ledger.register_key(key, generate=True)  # one writer signs, the other does not
    ctx = multiprocessing.get_context("fork")
    go = ctx.Event()
    procs = [ctx.Process(target=append_many, args=(db_url, "tester", str(key), go)),
             ctx.Process(target=append_many, args=(db_url, "ana", None, go))]
    for p in procs:
        p.start()
    time.sleep(0.3)  # both open their workspace, then start together
    go.set()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    report = ws.ledger.verify()
    assert report.ok, report.problems
    assert report.count == 2 * PER_PROCESS + 1
    by_actor = Counter(e.actor for e in ws.ledger.entries(kind="comment"))
    assert by_actor == {"tester": PER_PROCESS, "ana": PER_PROCESS}
    assert all(e.signature for e in ws.ledger.entries(actor="tester"))
    actors = [e.actor for e in ws.ledger.entries(kind="comment")]
    assert sum(a != b for a, b in itertools.pairwise(actors)) >= 10  # they did take turns
