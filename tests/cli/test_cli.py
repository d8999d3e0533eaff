"""The command line: every command's --help, --json listings, errors as codes and exit 1."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from forewarn.cli.main import app
from forewarn.cli.reference import _paths

runner = CliRunner()


def cli(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, "--actor", "cli-test", *args], env={"COLUMNS": "200"})
    return result.exit_code, result.output


@pytest.mark.parametrize("path", _paths(typer.main.get_command(app), []), ids=lambda p: " ".join(p) or "forewarn")
def test_every_command_has_help(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and len(result.output) > 200


def test_source_ingest_docs_stats_round_trip(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Title: Convoy\nDate: 2024-08-04\n\nA convoy of trucks moved through Sumy.")
    (inbox / "b.csv").write_text("headline,body,published\nGas,Gas transit continues via Sudzha.,2024-08-01\n")

    code, out = cli(db, "source", "add", "Inbox", str(inbox), "-r", "B", "-m", "amber", "--json")
    assert code == 0, out
    assert json.loads(out)["marking"] == "TLP:AMBER"
    code, out = cli(db, "source", "list", "--json")
    assert [s["id"] for s in json.loads(out)["items"]] == ["inbox"]

    code, out = cli(db, "ingest", "inbox", "--json")
    report = json.loads(out)
    assert code == 0 and report["new"] == 2 and report["failed"] == 0

    code, out = cli(db, "docs", "list", "--json", "--since", "2024-08-02")
    listed = json.loads(out)
    assert listed["total"] == 1 and listed["items"][0]["title"] == "Convoy"
    doc_id = listed["items"][0]["id"]
    code, out = cli(db, "docs", "show", doc_id[:10], "--json")
    assert json.loads(out)["document"]["id"] == doc_id
    code, out = cli(db, "docs", "show", doc_id[:10])
    assert "A convoy of trucks" in out and "1 sighting" in out

    code, out = cli(db, "stats", "--json")
    assert json.loads(out)["documents"] == 2
    code, out = cli(db, "runs", "list", "--json")
    assert json.loads(out)["items"][0]["actor"] == "cli-test"
    code, out = cli(db, "runs", "show", str(report["run_id"]), "--json")
    assert json.loads(out)["run"]["new"] == 2


def test_errors_are_coded_and_exit_1(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    code, out = cli(db, "docs", "show", "deadbeef")
    assert code == 1 and "FW-E003" in out
    code, out = cli(db, "source", "add", "X", str(tmp_path), "--option", "novalue")
    assert code == 1 and "FW-E005" in out
    code, out = cli(db, "docs", "list", "--since", "last tuesday")
    assert code == 1 and "FW-E005" in out
    code, out = cli(db, "ingest")
    assert code == 1 and "nothing to ingest" in out
    code, out = cli("mysql://nope", "stats")
    assert code == 1 and "FW-E001" in out
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out = cli(f"postgresql+psycopg://spy:hunter2@127.0.0.1:{port}/x", "stats")
    assert code == 1 and "FW-E002" in out and "hunter2" not in out


def test_ingest_report_for_people_names_codes(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "empty.txt").write_text("")
    (inbox / "ok.txt").write_text("Shelling of Tetkino was reported overnight.")
    code, out = cli(db, "ingest", str(inbox))
    assert code == 0
    assert "FW-E012" in out and "empty.txt" in out and "new" in out


def test_demo_builds_and_is_idempotent(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    code, out = cli(db, "demo", "--json")
    assert code == 0, out
    first = json.loads(out)
    assert first["stats"]["documents"] >= 150 and first["stats"]["sources"] >= 7
    code, out = cli(db, "demo", "--json")
    again = json.loads(out)
    assert again["report"]["new"] == 0 and again["stats"]["documents"] == first["stats"]["documents"]
