"""The blind rule holds in the ledger too (issue 17): the estimate-recorded and line-published entries carry a
salted commitment, not the probability or the rationale, so a viewer who has not estimated finds neither through
the CLI, the API or the ledger page; `ledger verify` checks each row against its commitment and catches a changed
probability."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_support import World

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.ledger.problems import ProblemKind
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.store import schema as t

SECRETS = ("0.7313", "armour massing near Sudzha", "0.1979", "under control")  # what the viewer must not find


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def _judged(ws: Workspace, scenario_id: str) -> int:
    made = _as(ws, "alice").judgments.estimate(scenario_id, 0.7313, "armour massing near Sudzha")
    _as(ws, "duty", Role.DUTY_OFFICER).judgments.publish_line(scenario_id, 0.1979, "under control")
    return made.question_id


def _cli(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["--db", db, "--actor", "viewer", *args], env={"COLUMNS": "400"})
    return result.exit_code, result.output


def _hidden(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_no_view_of_the_ledger_shows_others_estimates(world_ws: tuple[Workspace, World], db_url: str,
                                                        as_role: Callable[[str], TestClient]) -> None:
    ws, world = world_ws
    qid = _judged(ws, world.scenario_id)
    sealed = [e.payload["commitment"] for e in ws.ledger.entries(kind=["estimate-recorded", "line-published"])]
    assert len(sealed) == 2 and all(len(c) == 64 for c in sealed)
    code, shown = _cli(db_url, "ledger", "show", "--json", "--limit", "500")
    assert code == 0 and all(c in shown for c in sealed), shown
    _hidden(shown)
    code, table = _cli(db_url, "ledger", "show", "--subject", f"question:{qid}")
    assert code == 0 and "estimate-recorded" in table and "line-published" in table, table
    _hidden(table)
    viewer = as_role("viewer")
    api = viewer.get("/api/v1/ledger", params={"limit": 500})
    assert api.status_code == 200 and all(c in api.text for c in sealed)
    _hidden(api.text)
    page = viewer.get("/ledger", params={"subject": f"question:{qid}"})
    assert page.status_code == 200 and "line-published" in page.text and sealed[1][:12] in page.text
    _hidden(page.text)
    assert not _as(ws, "viewer", Role.VIEWER).judgments.view(str(qid)).revealed  # and the blind read agrees
    seen = _as(ws, "alice").judgments.view(str(qid))  # alice has estimated: the line is revealed to her
    assert seen.revealed and seen.lines[0].words == "under control" and seen.lines[0].probability == 0.1979


def test_verify_checks_each_row_against_its_commitment(world_ws: tuple[Workspace, World], db_url: str) -> None:
    ws, world = world_ws
    _judged(ws, world.scenario_id)
    _as(ws, "bob").judgments.estimate(world.scenario_id, 0.55)
    report = ws.ledger.verify()
    assert report.ok, report.problems
    assert _cli(db_url, "ledger", "verify")[0] == 0
    with ws.store.transaction() as conn:  # an administrator softens alice's estimate behind the ledger's back
        conn.execute(t.estimates.update().where(t.estimates.c.analyst == "alice").values(probability=0.2))
    problems = ws.ledger.verify().problems
    assert [(p.kind, p.table, p.column) for p in problems] == [
        (ProblemKind.STATE_MISMATCH, "estimates", "commitment")]
    code, out = _cli(db_url, "ledger", "verify")
    assert code == 1 and "FW-E092" in out and "estimates" in out and "commitment" in out, out


def test_verify_catches_a_changed_line_and_a_row_without_its_entry(world_ws: tuple[Workspace, World]) -> None:
    ws, world = world_ws
    qid = _judged(ws, world.scenario_id)
    with ws.store.transaction() as conn:
        conn.execute(t.published_lines.update().values(flagged=False))  # hide that the line was softened
        conn.execute(t.estimates.insert().values(question_id=qid, analyst="mallory", probability=0.5, rationale="",
                                                 at=ws.clock(), blind=True, salt="00" * 16))
    found = {(p.table, p.column) for p in ws.ledger.verify().problems}
    assert found == {("published_lines", "commitment"), ("estimates", None)}
