"""Two processes on one store — one raising and escalating, one acknowledging and disposing —
lose nothing, corrupt nothing, and fail only with the expected state errors."""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter

import pytest
from sqlalchemy import func, select
from warn_support import chain_problems
from warn_workers import handler, raiser

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.store import schema as t

COUNT = 30
STATE_AFTER = {"warning-raised": "raised", "warning-escalated": "raised", "warning-reminded": "raised",
               "warning-acknowledged": "acknowledged", "warning-disposed": "disposed"}


@pytest.mark.slow
def test_two_processes_acting_at_once(db_url: str) -> None:
    Workspace.open(Settings(database_url=db_url, extract=False)).close()  # migrate before they start
    ctx = multiprocessing.get_context("spawn")
    t0 = time.time()
    finished = ctx.Manager().Event()
    with ctx.Pool(2) as pool:
        raised = pool.apply_async(raiser, (db_url, t0, COUNT, finished))
        handled = pool.apply_async(handler, (db_url, t0, finished))
        a, b = raised.get(timeout=120), handled.get(timeout=120)
    assert a["errors"] == [] and b["errors"] == []
    assert a["raised"] == COUNT and b["acknowledged"] and b["disposed"]  # both really worked on the board

    ws = Workspace.open(Settings(database_url=db_url, extract=False))
    try:
        assert chain_problems(ws) == []
        with ws.store.engine.connect() as conn:
            kinds = Counter(r.kind for r in conn.execute(select(t.ledger.c.kind)))
            outbox = conn.execute(select(func.count()).select_from(t.outbox)).scalar_one()
        assert kinds["warning-raised"] == COUNT
        # escalate_due escalates, or at the chain's end reminds (issue 16): each step one entry
        assert kinds["warning-escalated"] + kinds["warning-reminded"] == a["escalated"]
        assert kinds["warning-acknowledged"] == b["acknowledged"]
        assert kinds["warning-disposed"] == b["disposed"]
        assert outbox == COUNT + a["escalated"]  # one webhook row per raise and per escalation or reminder
        every = ws.warnings.board(states=("raised", "acknowledged", "disposed"), limit=1000)
        assert sorted(w.id for w in every) == sorted(a["ids"])  # type: ignore[arg-type]
        for w in every:  # each row agrees with the last thing the ledger says happened to it
            assert w.state.value == STATE_AFTER[ws.warnings.history(w.id)[-1].kind]
    finally:
        ws.close()
