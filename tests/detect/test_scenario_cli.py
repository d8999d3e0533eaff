"""`forewarn scenario …`, `forewarn assess` and `forewarn surges` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from detect_store_helpers import SCENARIO, seed
from typer.testing import CliRunner

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.config import Settings

runner = CliRunner()


def cli(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, "--actor", "cli-test", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    with Workspace.open(Settings(database_url=url, actor="seed", extract=False)) as ws:
        seed(ws, tmp_path / "inbox")
    return url


def test_add_list_show_test_remove(db: str, tmp_path: Path) -> None:
    path = tmp_path / "armour.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    code, out = cli(db, "scenario", "add", str(path), "--default", "coup", "--json")
    assert code == 0, out
    assert [(c["id"], c["change"]) for c in json.loads(out)] == [("armour-watch", "scenario-added"),
                                                               ("coup", "scenario-added")]
    code, out = cli(db, "scenario", "add", str(path))
    assert code == 0 and "unchanged armour-watch" in out

    code, out = cli(db, "scenario", "list", "--json")
    listed = json.loads(out)["items"]
    assert [s["id"] for s in listed] == ["armour-watch", "coup"] and listed[0]["added_by"] == "cli-test"
    code, out = cli(db, "scenario", "list", "--available", "--json")
    assert "cross-border-incursion" in [s["id"] for s in json.loads(out)["items"]]
    code, out = cli(db, "scenario", "list")
    assert code == 0 and "armour-watch" in out and "duty-officer" in out

    code, out = cli(db, "scenario", "show", "armour-watch", "--at", "2024-08-12")
    assert code == 0, out
    assert "RUS:Kursk Oblast" in out and "prior 0.020 → log-odds -3.892" in out and "= log-odds" in out
    assert "armour [event] 2024-08-11 (orbitline, B, 1 day old" in out
    code, out = cli(db, "scenario", "show", "armour-watch", "--at", "2024-08-12", "--json")
    shown = json.loads(out)
    assert shown["scenario"]["id"] == "armour-watch" and len(shown["assessment"]["signals"]) == 3

    code, out = cli(db, "scenario", "test", "armour-watch", "--at", "2024-08-12T12:00:00+00:00", "--json")
    assert code == 0, out
    tested = json.loads(out)
    assert [len(i["events"]) for i in tested["indicators"]] == [4, 0]
    code, out = cli(db, "scenario", "test", str(path), "--at", "2024-08-12")
    assert code == 0 and "4 matching events, 3 live signals" in out

    code, out = cli(db, "scenario", "remove", "coup")
    assert code == 0 and "removed coup" in out
    code, out = cli(db, "scenario", "remove", "coup")
    assert code == 1 and "FW-E003" in out


def test_assess_explains_and_surges_list(db: str, tmp_path: Path) -> None:
    code, out = cli(db, "assess")
    assert code == 0 and "no scenarios" in out
    path = tmp_path / "armour.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    assert cli(db, "scenario", "add", str(path))[0] == 0
    code, out = cli(db, "assess", "armour-watch", "--at", "2024-08-12", "--json")
    assert code == 0, out
    [view] = json.loads(out)
    assert view["scenario"] == "armour-watch" and view["explanation"][0].startswith("prior 0.020")
    assert view["explanation"][-1].startswith(f"= log-odds {view['assessment']['log_odds']:+.3f}")
    code, out = cli(db, "assess", "--at", "2024-08-12")
    assert code == 0 and "Armour near Sudzha (armour-watch)" in out and "probability" in out
    code, out = cli(db, "surges", "--at", "2024-08-12", "--days", "10", "--json")
    assert code == 0 and json.loads(out) == []
    code, out = cli(db, "surges", "--days", "10")
    assert code == 0 and "0 surges" in out


def test_errors_name_file_line_and_field(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.replace("types: [MOBILIZE]", "types: [FIGHT]"), encoding="utf-8")
    code, out = cli(db, "scenario", "add", str(bad))
    flat = "".join(out.split())  # the console may wrap the long path
    assert code == 1 and "FW-E070" in out and "bad.yaml:12:indicators[0].types[0]:unknowneventtype'FIGHT'" in flat
    code, out = cli(db, "scenario", "add")
    assert code == 1 and "nothing to add" in out
    code, out = cli(db, "assess", "nope")
    assert code == 1 and "FW-E003" in out
    code, out = cli(db, "scenario", "show", "nope")
    assert code == 1 and "not in this workspace, not a file, not a default scenario" in out
    code, out = cli(db, "assess", "--at", "yesterday")
    assert code == 1 and "FW-E005" in out


def test_a_mentions_indicator_reads_as_its_query_and_its_test() -> None:
    from forewarn.cli.scenario import pattern_text
    from forewarn.detect.scenarios import default_scenario

    [attention] = [i for i in default_scenario("armed-mutiny").indicators if i.id == "formation-attention"]
    text = pattern_text(attention)
    assert text.startswith("stories with mercenar*, private military compan*") and "мятеж*" in text
    assert text.endswith("≥ 5 a day, p < 0.01 against 28 days; or the highest in 30 days; anywhere")
