"""Ledger fixtures: a chain of ten entries, unsigned or signed by an actor with a registered key."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from forewarn.app import Workspace

ENTRIES = 10


def fill(ws: Workspace, clock: Any, first: int, last: int) -> None:
    for n in range(first, last + 1):
        clock.advance(minutes=1)
        ws.ledger.record("comment", f"warning:{n}", {"n": n, "text": f"note {n}"})


@pytest.fixture
def chain(db_url: str, make_workspace: Callable[..., Workspace], clock: Any) -> Workspace:
    """Ten unsigned entries by `tester`, a minute apart."""
    ws = make_workspace(db_url)
    fill(ws, clock, 1, ENTRIES)
    return ws


@pytest.fixture
def signed_chain(db_url: str, make_workspace: Callable[..., Workspace], clock: Any, tmp_path: Path) -> Workspace:
    """`tester` registers a key (seq 1), then signs nine entries (seq 2–10)."""
    key = tmp_path / "tester.pem"
    ws = make_workspace(db_url, signing_key=str(key))
    ws.ledger.register_key(key, generate=True)
    fill(ws, clock, 2, ENTRIES)
    return ws
