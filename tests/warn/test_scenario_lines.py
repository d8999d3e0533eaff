"""The scenarios' lines in one read (issue 17): ``JudgmentDesk.scenario_lines`` gives each scenario's question as
``listing()`` does (the same blind rule, :func:`forewarn.warn.judgments.blind_view`) in a fixed number of queries,
whatever the number of questions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event

from forewarn.app import Workspace
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.store import schema as t

START = datetime(2024, 8, 1, tzinfo=UTC)
ASKER = "alice"


@pytest.fixture
def ws(db_url: str, make_workspace: Callable[..., Workspace]) -> Workspace:
    return make_workspace(db_url)


def _as(ws: Workspace, name: str = ASKER) -> Workspace:
    return ws.acting_as(Principal(name, Role.ANALYST, PrincipalKind.USER))


def fill(ws: Workspace, n: int, start: int = 0) -> None:
    """``n`` scenario questions (straight into the tables) in every blind case, cycling: the asker estimated
    (revealed), only others did (hidden), resolved (revealed), reveal time past (revealed); each with two lines,
    plus one question that is no scenario's."""
    states = ("open", "open", "resolved-yes", "open")
    with ws.store.transaction() as conn:
        for i in range(start, start + n):
            case = i % 4
            qid = _question(conn, f"s{i:03d}", states[case], START - timedelta(days=1) if case == 3 else None, i)
            ests = [("bob", 0.7), ("carol", 0.2), ("bob", 0.8)] + [(ASKER, 0.4)] * (case == 0)
            conn.execute(t.estimates.insert(), [
                {"question_id": qid, "analyst": a, "probability": p, "rationale": "r", "at": START + timedelta(hours=k),
                 "blind": k < 2, "salt": "00"} for k, (a, p) in enumerate(ests)])
            conn.execute(t.published_lines.insert(), [
                {"question_id": qid, "probability": 0.2 + k / 10, "words": "unlikely", "published_by": "duty",
                 "at": START + timedelta(hours=5 + k), "gap": -1.0, "model_gap": None, "flagged": k == 0, "salt": "00"}
                for k in range(2)])
        _question(conn, None, "open", None, start + n)


def _question(conn: Any, sid: str | None, state: str, reveal_at: datetime | None, i: int) -> int:
    row = {"title": f"q {i}", "criteria": "c", "resolves_by": date(2024, 12, 1), "owner": "bob", "state": state,
           "scenario_id": sid, "reveal_at": reveal_at, "created_by": "bob", "created_at": START + timedelta(minutes=i)}
    return int(conn.execute(t.questions.insert().values(row).returning(t.questions.c.id)).scalar_one())


def _selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


@contextmanager
def counted(ws: Workspace) -> Iterator[list[str]]:
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(args[2])

    event.listen(ws.store.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(ws.store.engine, "before_cursor_execute", seen)


def test_each_scenario_as_the_listing_shows_it(ws: Workspace) -> None:
    fill(ws, 12)
    alice = _as(ws)
    listed = {v.question.scenario_id: v for v in alice.judgments.listing() if v.question.scenario_id}
    every = alice.judgments.scenario_lines()
    assert list(every) == list(listed) and every == listed  # newest question first, and equal view for view
    assert [v.revealed for v in every.values()].count(False) == 3  # the hidden case (i % 4 == 1) of 12
    for sid, v in listed.items():
        assert alice.judgments.scenario_lines([sid]) == {sid: v}
    hidden = every["s001"]
    assert hidden.others == () and hidden.lines == () and hidden.history == () and hidden.model is None
    assert every["s000"].lines and every["s000"].mine and every["s002"].lines and every["s003"].lines
    assert alice.judgments.scenario_lines(["s001", "nothing", "s004"]) == {"s004": listed["s004"],
                                                                           "s001": listed["s001"]}
    assert alice.judgments.scenario_lines([]) == {}
    bob = _as(ws, "bob")  # another asker: what they have estimated on is revealed to them
    assert bob.judgments.scenario_lines() == {v.question.scenario_id: v for v in bob.judgments.listing()
                                              if v.question.scenario_id}


def test_the_query_count_is_the_same_for_1_and_50_questions(ws: Workspace) -> None:
    alice = _as(ws)
    fill(ws, 1)
    assert not alice.reads.access.restricted  # what alice may see is resolved once per request, before the count
    with counted(ws) as one:
        assert len(alice.judgments.scenario_lines()) == 1 and len(alice.judgments.scenario_lines(["s000"])) == 1
    fill(ws, 49, start=1)
    with counted(ws) as fifty:
        assert len(alice.judgments.scenario_lines()) == 50
        assert len(alice.judgments.scenario_lines([f"s{i:03d}" for i in range(50)])) == 50
    assert len(one) == len(fifty)
    assert len(_selects(fifty)) == 6  # each read: the questions, their estimates, the revealed ones' lines
    with counted(ws) as listed:
        alice.judgments.listing()
    assert len(_selects(listed)) > 50  # the listing reads each question apart: why the pages left it
