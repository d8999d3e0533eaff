"""The board's order is one rule (:func:`forewarn.warn.policy.board_key`): the database's order
(:func:`forewarn.warn.rows.board_order`, used by every board query) and Python's agree on a mixed set
of warnings — escalated ones, each severity and one the board does not name, several ages, a tie."""

from __future__ import annotations

from collections.abc import Callable

from forewarn.app import Workspace
from forewarn.model import WarningState
from forewarn.warn.policy import board_key

RAISED = [  # (severity, hours after the previous one): raised in this order, so older first
    ("elevated", 0), ("low", 1), ("critical", 1), ("high", 0), ("elevated", 2), ("critical", 3), ("low", 0),
    ("high", 1), ("critical", 0), ("elevated", 1), ("high", 2),
]
ESCALATED = (1, 4, 7, 8)  # by position in RAISED: one of each severity (low, elevated, high, critical)


def test_the_database_and_python_order_the_board_alike(open_ws: Callable[..., Workspace], clock: object) -> None:
    ws = open_ws(escalation_chain="alice,bob,carol", ack_minutes="elevated=240,high=60,critical=15,low=600")
    raised = []
    for i, (severity, hours) in enumerate(RAISED):
        clock.advance(hours=hours)  # type: ignore[attr-defined]
        raised.append(ws.warnings.raise_warning(f"warning {i}", "text", severity))
    for i in ESCALATED:
        ws.warnings.escalate(raised[i].id, "the board must show it first")
    everything = tuple(WarningState)
    from_sql = ws.warnings.board(everything, limit=100)
    assert [w.id for w in from_sql] == [w.id for w in sorted(from_sql, key=board_key)]
    assert {w.id for w in from_sql} == {w.id for w in raised}
    assert [w.escalation_level > 0 for w in from_sql] == [True] * len(ESCALATED) + [False] * (len(RAISED) - 4)
    assert [w.severity for w in from_sql[:len(ESCALATED)]] == ["critical", "high", "elevated", "low"]
    paged = [w for offset in range(0, len(RAISED), 3)
             for w in ws.warnings.listing(everything, limit=3, offset=offset).warnings]
    assert [w.id for w in paged] == [w.id for w in from_sql]  # the listing pages through the same order
    assert [w.id for w in ws.warnings.changes(0).warnings] == [w.id for w in from_sql]  # sorted in Python
