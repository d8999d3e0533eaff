"""`Workspace.ledger_entries`: filters by kind, actor, subject (exact or prefix), time; paging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.errors import InvalidArgument

START = datetime(2024, 8, 12, 12, 0, tzinfo=UTC)


@pytest.fixture
def mixed(workspace: Workspace, clock: Any) -> Workspace:
    """Six entries, one a minute from 12:01: two actors, three kinds, subjects that share prefixes."""
    other = Workspace(Settings(database_url=workspace.settings.database_url, actor="olga"), workspace.store, clock)
    plan = [(workspace, "warning-raised", "warning:1"), (workspace, "warning-raised", "warning:10"),
            (other, "warning-acknowledged", "warning:1"), (other, "comment", "scenario:kursk"),
            (workspace, "comment", "warning_x:1"), (workspace, "warning-disposed", "warning:1")]
    for ws, kind, subject in plan:
        clock.advance(minutes=1)
        ws.ledger.record(kind, subject, {"kind": kind})
    return workspace


def seqs(entries: list[Any]) -> list[int]:
    return [e.seq for e in entries]


def test_all_in_chain_order_by_default_or_newest_first(mixed: Workspace) -> None:
    assert seqs(mixed.ledger.entries()) == [1, 2, 3, 4, 5, 6]
    assert seqs(mixed.ledger.entries(newest_first=True)) == [6, 5, 4, 3, 2, 1]


def test_filters(mixed: Workspace) -> None:
    assert seqs(mixed.ledger.entries(kind="comment")) == [4, 5]
    assert seqs(mixed.ledger.entries(kind=["warning-raised", "warning-disposed"])) == [1, 2, 6]
    assert seqs(mixed.ledger.entries(actor="olga")) == [3, 4]
    assert seqs(mixed.ledger.entries(kind="comment", actor="olga")) == [4]


def test_subject_exact_or_prefix(mixed: Workspace) -> None:
    assert seqs(mixed.ledger.entries(subject="warning:1")) == [1, 3, 6]  # not warning:10
    assert seqs(mixed.ledger.entries(subject="warning:")) == [1, 2, 3, 6]  # not warning_x (no LIKE wildcard)
    assert seqs(mixed.ledger.entries(subject="warning:1*")) == [1, 2, 3, 6]
    assert seqs(mixed.ledger.entries(subject="scenario:*")) == [4]


def test_time_bounds_are_inclusive(mixed: Workspace) -> None:
    at = START + timedelta(minutes=2)
    assert seqs(mixed.ledger.entries(since=at)) == [2, 3, 4, 5, 6]
    assert seqs(mixed.ledger.entries(until=at)) == [1, 2]
    assert seqs(mixed.ledger.entries(since=at, until=at + timedelta(minutes=1))) == [2, 3]


def test_paging(mixed: Workspace) -> None:
    assert seqs(mixed.ledger.entries(limit=2, offset=1)) == [2, 3]
    assert seqs(mixed.ledger.entries(limit=2, offset=1, newest_first=True)) == [5, 4]


def test_a_naive_bound_is_refused(mixed: Workspace) -> None:
    with pytest.raises(InvalidArgument, match="timezone"):
        mixed.ledger.entries(since=datetime(2024, 8, 12))


def test_payload_comes_back_parsed(mixed: Workspace) -> None:
    assert mixed.ledger.entries(kind="comment", actor="olga")[0].payload == {"kind": "comment"}
