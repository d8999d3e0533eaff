"""The `forewarn team`, `forewarn mark` and `forewarn audit` commands (issue 18, items 1 and 5): the CLI acts as
the configured actor (an admin at the terminal, a member of no team until added)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
from web_support import World, build_world

from forewarn.app import Workspace
from forewarn.cli.main import app


@pytest.fixture
def world_ws(db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace]) -> tuple[Workspace, World]:
    ws = make_workspace(db_url)
    return ws, build_world(ws, tmp_path)


def test_the_team_mark_and_audit_commands(world_ws: tuple[Workspace, World], db_url: str) -> None:
    _, world = world_ws
    env = {"FOREWARN_DATABASE_URL": db_url, "FOREWARN_ACTOR": "admin", "FOREWARN_EXTRACT": "false"}
    cli = CliRunner()

    def call(*args: str) -> str:
        done = cli.invoke(app, list(args), env=env)
        assert done.exit_code == 0, done.output
        return done.output

    def refused(*args: str) -> str:
        done = cli.invoke(app, list(args), env=env)
        assert done.exit_code != 0
        return done.output

    assert "team north (North desk): no members yet" in call("team", "add", "north", "--name", "North desk")
    assert "FW-E004" in refused("team", "add", "north")
    assert "FW-E003" in refused("team", "add-member", "north", "ghost")
    call("team", "add-member", "north", "admin")
    assert json.loads(call("team", "show", "north", "--json"))["members"][0]["account"] == "admin"
    assert "1 teams" in call("team", "list")
    doc = next(iter(world.documents.values()))
    done = call("mark", "document", doc, "--marking", "amber", "--team", "north", "--recipients", "analyst")
    assert "TLP:CLEAR → TLP:AMBER · team north · for analyst" in done and "events" in done
    lowered = refused("mark", "document", doc, "--marking", "GREEN")
    assert "FW-E107" in lowered and "lower" in lowered
    assert "FW-E107" in refused("mark", "document", doc, "--marking", "AMBER", "--recipients", "analyst,viewer")
    raised = json.loads(call("mark", "scenario", world.scenario_id, "--marking", "AMBER+STRICT", "--team", "north",
                             "--json"))
    assert raised["after"]["marking"] == "TLP:AMBER+STRICT" and raised["cascaded"]["warning"] >= 1
    report = json.loads(call("audit", "team", "north", "--json"))
    assert {(h["kind"], h["marking"]) for h in report["holdings"]} >= {("document", "TLP:AMBER"),
                                                                       ("scenario", "TLP:AMBER+STRICT")}
    assert report["shared"][0]["recipients"] == ["analyst"]
    assert "holdings (what you may see)" in call("audit", "team", "north")
    assert json.loads(call("audit", "reads", "--json"))["total"] == 0
    assert "0 reads of restricted objects" in call("audit", "reads", "--account", "analyst", "--since", "2024-08-01")
    call("team", "remove-member", "north", "admin")
    assert "FW-E003" in refused("audit", "team", "nowhere")
