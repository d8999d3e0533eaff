"""Issue 17: dissent counts in the lists of warnings (API list and changes items give `dissent_count`, the
single read gives the dissents and their count; the list page shows "n dissents"), and the one "Analysis" entry in
the navigation with its index page and the second row of links on each analytic page."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.model import Principal, PrincipalKind

Client = Callable[[Role | str], TestClient]


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def _dissented(ws: Workspace, world: World, n: int) -> int:
    """The world's first warning, dismissed, with ``n`` dissents from its disposition."""
    w = world.warning_ids[0]
    _as(ws, "duty", Role.DUTY_OFFICER).warnings.dispose(w, "dismissed", "situation under control")
    for i in range(n):
        _as(ws, f"analyst{i}").dissents.file("disposition", w, f"dismissing it ignores report {i}")
    return w


def test_list_items_carry_the_count_not_a_null_list(as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    viewer = as_role("viewer")
    cursor = viewer.get("/api/v1/warnings/changes").json()["cursor"]
    w = _dissented(ws, world, 2)
    other = _as(ws, "alice").warnings.raise_warning("Bridging kit at the border", "", "high").id
    items = viewer.get("/api/v1/warnings?state=all").json()["items"]
    assert {i["id"]: i["dissent_count"] for i in items}[w] == 2
    assert all("dissents" not in i for i in items) and {i["dissent_count"] for i in items if i["id"] != w} == {0}
    changed = viewer.get(f"/api/v1/warnings/changes?since={cursor}").json()["warnings"]
    assert sorted((i["id"], i["dissent_count"], "dissents" in i) for i in changed) == [(w, 2, False),
                                                                                       (other, 0, False)]
    one = viewer.get(f"/api/v1/warnings/{w}").json()
    assert one["dissent_count"] == len(one["dissents"]) == 2
    assert "dissents" in viewer.get("/api/v1/openapi.json").json()["components"]["schemas"]["WarningOut"]["properties"]


def test_the_list_page_shows_how_many_dissents(as_role: Client, world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    w = _dissented(ws, world, 1)
    _as(ws, "alice").warnings.raise_warning("Bridging kit at the border", "", "high")
    html = as_role("viewer").get("/warnings?state=all").text
    row = html[html.index(f'<tr data-id="{w}">'):]
    row = row[:row.index("</tr>")]
    assert re.search(rf'<a class="badge dissent" href="/warnings/{w}#dissents"\s+data-dissents="1">1 dissent</a>', row)
    _as(ws, "carol").dissents.file("disposition", w, "and the bridging kit")
    assert ">2 dissents</a>" in as_role("viewer").get("/warnings?state=all").text
    assert html.count("badge dissent") == 1  # no badge on a warning without dissent


def test_one_analysis_entry_its_index_and_the_second_row(as_role: Client) -> None:
    viewer = as_role("viewer")
    index = viewer.get("/analysis")
    assert index.status_code == 200
    main = index.text[index.text.index("<main"):]
    for href, label in (("/questions", "Questions"), ("/scores", "Scores"), ("/ach", "Hypotheses"),
                        ("/assumptions", "Assumptions"), ("/teams", "Teams"), ("/deconfliction", "Deconfliction")):
        assert f'<a href="{href}"><strong>{label}</strong></a>' in main
    for path, current in (("/analysis", None), ("/questions", "/questions"), ("/scores", "/scores"),
                          ("/ach", "/ach"), ("/assumptions", "/assumptions"), ("/teams", "/teams"),
                          ("/deconfliction", "/deconfliction")):
        html = viewer.get(path).text
        nav = html[html.index('<nav aria-label="main">'):html.index("</nav>")]
        assert re.search(r'<a href="/analysis" aria-current="page">Analysis</a>', nav), path
        assert 'href="/questions"' not in nav and 'href="/scores"' not in nav  # behind the one entry
        sub = html[html.index('<nav class="subnav" aria-label="analysis">'):]
        sub = sub[:sub.index("</nav>")]
        assert sub.count("<a href=") == 6
        assert re.findall(r'<a href="([^"]+)" aria-current="page">', sub) == ([current] if current else []), path
    board = viewer.get("/").text
    assert 'class="subnav"' not in board and '<a href="/analysis">Analysis</a>' in board
