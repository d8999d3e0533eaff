"""The softening gap and the dissents where people read them (issue 17): beside each scenario on the board and on
the scenario page (as the blind rule lets the viewer see it), and in the post-mortem's page, API, Markdown and the
CLI's JSON — estimates over time, every line with its gaps and flag, its dissents and the dispositions' dissents."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_support import World

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.judgment import QuestionState
from forewarn.review import to_markdown

ROLE = Callable[[str], TestClient]
LINE = "the situation is under control"
GAP = math.log(0.1 / 0.9) - math.log(0.65 / 0.35)  # the line (10%) against the blind median of 60% and 70%
ON_LINE = "Nobody on the team estimated anything like 10 percent"
ON_DISMISSAL = "The dismissal ignored the armour reports"


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def _judged(ws: Workspace, world: World) -> int:
    """Two blind estimates, a much softer line, a dismissal, and a dissent on each."""
    sid, warning_id = world.scenario_id, world.warning_ids[0]
    _as(ws, "alice").judgments.estimate(sid, 0.6, "armour massing")
    _as(ws, "bob").judgments.estimate(sid, 0.7, "bridging units")
    line = _as(ws, "duty", Role.DUTY_OFFICER).judgments.publish_line(sid, 0.1, LINE)
    assert line.flagged and line.gap is not None and abs(line.gap - GAP) < 1e-9
    _as(ws, "duty", Role.DUTY_OFFICER).warnings.dispose(warning_id, "dismissed", "a drill")
    _as(ws, "alice").dissents.file("line", line.id, ON_LINE)
    _as(ws, "bob").dissents.file("disposition", warning_id, ON_DISMISSAL)
    return line.question_id


def test_board_and_scenario_page_show_the_line_as_the_blind_rule_allows(world_ws: tuple[Workspace, World],
                                                                          as_role: ROLE) -> None:
    ws, world = world_ws
    qid = _judged(ws, world)
    viewer = as_role("viewer")
    for url in ("/", f"/scenarios/{world.scenario_id}"):
        page = viewer.get(url)
        assert page.status_code == 200 and "withheld until you record your own estimate" in page.text, url
        assert LINE not in page.text and f"{GAP:+.2f}" not in page.text, url
        assert f'href="/questions/{qid}"' in page.text, url
    _as(ws, "analyst").judgments.estimate(world.scenario_id, 0.5)  # the analyst's own estimate reveals the rest
    analyst = as_role("analyst")
    board = analyst.get("/")
    row = board.text.split(f'<tr data-scenario-id="{world.scenario_id}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="flagged"' in row and LINE in row and f"{GAP:+.2f} logits" in row, row
    page = analyst.get(f"/scenarios/{world.scenario_id}")
    assert LINE in page.text and f"{GAP:+.2f} logits" in page.text and "softer than the analysts by more than 0.5" \
        in page.text


def test_scenario_page_without_a_question_links_to_it(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    _, world = world_ws
    page = as_role("viewer").get(f"/scenarios/{world.scenario_id}")
    assert page.status_code == 200 and f'href="/questions/{world.scenario_id}"' in page.text
    assert "Published lines" not in as_role("viewer").get("/").text  # no question: no panel on the board


def test_postmortem_shows_estimates_lines_gaps_and_dissents(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, world = world_ws
    qid = _judged(ws, world)
    api = f"/api/v1/postmortem/{world.scenario_id}"
    hidden = as_role("viewer").get(api, params={"event-date": "2024-08-13"}).json()["judgments"]
    assert hidden["revealed"] is False and hidden["lines"] == [] and hidden["estimates"] == []
    assert LINE not in json.dumps(hidden) and "armour massing" not in json.dumps(hidden)
    assert [d["text"] for d in hidden["disposition_dissents"]] == [ON_DISMISSAL]
    alice = _as(ws, "alice").review.postmortem(world.scenario_id, date(2024, 8, 13)).judgments
    assert alice is not None and alice.revealed and [e.analyst for e in alice.estimates] == ["alice", "bob"]
    _as(ws, "lead", Role.ADMIN).judgments.resolve(str(qid), QuestionState.RESOLVED_YES, "it happened")
    body = as_role("viewer").get(api, params={"event-date": "2024-08-13"}).json()["judgments"]
    assert body["revealed"] is True and body["question"]["state"] == "resolved-yes"
    [line] = body["lines"]
    assert line["words"] == LINE and line["flagged"] is True and abs(line["gap"] - GAP) < 1e-9
    assert abs(line["blind_median"] - 0.65) < 1e-12 and [d["text"] for d in line["dissents"]] == [ON_LINE]
    assert [(e["analyst"], e["probability"], e["blind"]) for e in body["estimates"]] == [
        ("alice", 0.6, True), ("bob", 0.7, True)]
    page = as_role("viewer").get("/postmortem", params={"scenario": world.scenario_id, "event-date": "2024-08-13"})
    assert page.status_code == 200 and 'data-revealed="yes"' in page.text
    row = page.text.split(f'<tr data-line-id="{line["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert 'class="flagged"' in row and f"{GAP:+.2f}" in row and ON_LINE in row and "65%" in row, row
    assert ON_DISMISSAL in page.text
    text = to_markdown(ws.review.postmortem(world.scenario_id, date(2024, 8, 13)))
    assert "Judgments: published lines" in text and f"{GAP:+.2f}" in text and "FLAGGED" in text
    assert ON_LINE in text and ON_DISMISSAL in text


def test_cli_postmortem_json_carries_the_judgments(world_ws: tuple[Workspace, World], db_url: str) -> None:
    ws, world = world_ws
    qid = _judged(ws, world)
    args = ["--db", db_url, "--actor", "viewer", "postmortem", world.scenario_id, "--event-date", "2024-08-13"]
    sealed = CliRunner().invoke(app, [*args, "--json"])
    assert sealed.exit_code == 0, sealed.output
    assert json.loads(sealed.output)["judgments"]["lines"] == [] and LINE not in sealed.output  # open: blind
    _as(ws, "lead", Role.ADMIN).judgments.resolve(str(qid), QuestionState.RESOLVED_YES, "it happened")
    shown = CliRunner().invoke(app, [*args, "--json"])
    [line] = json.loads(shown.output)["judgments"]["lines"]
    assert line["flagged"] and [d["analyst"] for d in line["dissents"]] == ["alice"]
    text = CliRunner().invoke(app, args, env={"COLUMNS": "400"}).output
    assert "Dissents from published lines" in text and ON_LINE in text
