"""The scores page and API: the leaderboard as each role may see it (raw HTML and JSON), the
reliability plot drawn as SVG on the server, the aggregation report, an empty workspace."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from scores_support import hand_world, person
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.model.judgment import QuestionState

Client = Callable[[Role | str], TestClient]


@pytest.fixture
def scored(world_ws: tuple[Workspace, World], clock: object) -> Workspace:
    """The hand world, and a question the account "analyst" estimated 0.5 on and saw resolve yes."""
    ws, _ = world_ws
    hand_world(ws, clock.advance)  # type: ignore[attr-defined]
    me = person(ws, "analyst")
    qid = str(me.judgments.add_question("Will the ferry run?", "It runs.", ws.clock().date()).id)
    me.judgments.estimate(qid, 0.5)
    clock.advance(hours=1)  # type: ignore[attr-defined]
    me.judgments.resolve(qid, QuestionState.RESOLVED_YES, "It ran.")
    return ws


def _board(html: str) -> str:
    return html[html.index('id="leaderboard"'):html.index("</table>", html.index('id="leaderboard"'))]


def test_a_viewer_sees_line_model_and_team_only(as_role: Client, scored: Workspace) -> None:
    viewer = as_role("viewer")
    html = viewer.get("/scores").text
    assert "alice" not in html and "bob" not in html and "analyst A" not in html
    board = _board(html)
    assert "published line" in board and "model" in board and "team mean" in board
    assert 'data-kind="analyst"' not in board and "3 analyst(s) are scored but not shown" in html
    got = viewer.get("/api/v1/scores").json()
    assert {r["kind"] for r in got["rows"]} == {"line", "model", "team"} and got["withheld"] == 3
    assert "alice" not in viewer.get("/api/v1/scores").text


def test_an_analyst_sees_their_own_name_and_letters(as_role: Client, scored: Workspace) -> None:
    analyst = as_role("analyst")
    board = _board(analyst.get("/scores").text)
    assert "alice" not in board and "bob" not in board
    assert re.search(r'<tr class="kind-analyst own"[^>]*>\s*<td class="num">\d+</td>\s*<td class="name">analyst '
                     r'<span class="kind">\(you\)</span>', board)
    assert "analyst A" in board and "analyst B" in board and "analyst C" not in board
    rows = analyst.get("/api/v1/scores").json()["rows"]
    assert {r["label"] for r in rows if r["kind"] == "analyst"} == {"analyst", "analyst A", "analyst B"}
    alice = next(r for r in rows if r["label"] == "analyst A")  # alice (0.065) scores better than bob (0.185)
    assert alice["brier"] == pytest.approx(0.065) and alice["questions"] == 2


def test_an_admin_sees_names_plot_and_aggregation(as_role: Client, scored: Workspace) -> None:
    admin = as_role("admin")
    html = admin.get("/scores?bins=5").text
    board = _board(html)
    assert "alice" in board and "bob" in board and ">0.0650<" in board and ">0.6400<" in board
    assert '<svg class="reliability"' in html and "<polyline" in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # no inline script
    assert " style=" not in html[html.index("<main"):]  # the CSP forbids inline styles; the plot uses classes
    assert 'id="aggregation"' in html and "Extremized, leave-one-out" in html
    assert re.search(r'value="5"', html) and html.count("<tr><td>0.") >= 2  # bins of 0.2
    assert admin.get("/scores?bins=0").status_code == 422
    assert admin.get("/api/v1/scores?bins=99").status_code == 422


def test_an_empty_workspace_renders(as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    viewer = as_role("viewer")
    page = viewer.get("/scores")
    assert page.status_code == 200 and "No resolved question yet" in page.text and "Nothing to plot yet" in page.text
    assert 'href="/scores"' in page.text  # in the navigation
    got = viewer.get("/api/v1/scores").json()
    assert got["questions"] == 0 and got["rows"] == [] and got["pooled"] is None
