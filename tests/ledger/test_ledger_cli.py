"""`forewarn ledger show/verify/anchor/keygen`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from ledger_kit import attacker
from typer.testing import CliRunner

from forewarn.app import Workspace
from forewarn.cli.ledger import moment
from forewarn.cli.main import app
from forewarn.config import Settings
from forewarn.errors import InvalidArgument
from forewarn.store import schema as t

runner = CliRunner()


def cli(db: str, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, "--actor", "cli-test", *args], env={"COLUMNS": "200", **(env or {})})
    return result.exit_code, result.output


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    with Workspace.open(Settings(database_url=url, actor="ana", extract=False)) as ws:
        for n in range(1, 4):
            ws.ledger.record("warning-noted", f"warning:{n}", {"id": n})  # no warnings row: not a state change
        ws.ledger.record("comment", "scenario:kursk", {"text": "armour seen near the border"})
    return url


def test_show_lists_newest_first_with_filters(db: str) -> None:
    code, output = cli(db, "ledger", "show", "--json")
    assert code == 0
    assert [e["seq"] for e in json.loads(output)["items"]] == [4, 3, 2, 1]
    code, output = cli(db, "ledger", "show", "--subject", "warning:", "--kind", "warning-noted", "--oldest-first",
                       "--limit", "2", "--json")
    entries = json.loads(output)["items"]
    assert [e["seq"] for e in entries] == [1, 2] and entries[0]["payload"] == {"id": 1}
    code, output = cli(db, "ledger", "show", "--actor", "nobody", "--json")
    assert (code, json.loads(output)["items"], json.loads(output)["total"]) == (0, [], 0)
    code, output = cli(db, "ledger", "show")
    assert code == 0 and "scenario:kursk" in output and "4 entries" in output


def test_show_refuses_a_malformed_time(db: str) -> None:
    code, output = cli(db, "ledger", "show", "--since", "yesterday")
    assert code == 1 and "--since 'yesterday' is not a date or time" in output


def test_verify_intact_and_broken(db: str) -> None:
    code, output = cli(db, "ledger", "verify")
    assert code == 0 and output.startswith("chain intact: 4 entries, last seq 4, hash ")
    with Workspace.open(Settings(database_url=db, actor="x", extract=False)) as ws, attacker(ws) as conn:
        conn.execute(t.ledger.delete().where(t.ledger.c.seq == 2))
    code, output = cli(db, "ledger", "verify")
    assert code == 1
    assert "FW-E092" in output and "deleted" in output and "entry 2 is missing" in output
    code, output = cli(db, "ledger", "verify", "--json")
    report = json.loads(output[output.index("{"):])  # the error line goes to stderr, which the runner mixes in
    assert code == 1 and report["ok"] is False
    assert report["problems"] == [{"seq": 2, "kind": "deleted", "message": "entry 2 is missing"}]


def test_anchor_then_verify_against_it(db: str, tmp_path: Path) -> None:
    path = tmp_path / "anchor.json"
    code, output = cli(db, "ledger", "anchor", "--out", str(path))
    assert code == 0 and "anchored seq 4" in output and "unsigned" in output
    code, output = cli(db, "ledger", "verify", "--anchor", str(path))
    assert code == 0 and "checked against the anchor at seq 4" in output
    with Workspace.open(Settings(database_url=db, actor="x", extract=False)) as ws, attacker(ws) as conn:
        conn.execute(t.ledger.delete().where(t.ledger.c.seq == 4))
    code, output = cli(db, "ledger", "verify", "--anchor", str(path))
    assert code == 1 and "truncated" in output and "FW-E092" in output
    code, output = cli(db, "ledger", "anchor")  # printed, not written
    assert code == 0 and json.loads(output)["seq"] == 3


def test_keygen_registers_and_says_how_to_use_it(db: str, tmp_path: Path) -> None:
    path = tmp_path / "keys" / "cli-test.pem"
    code, output = cli(db, "ledger", "keygen", str(path))
    assert code == 0 and path.exists()
    assert f"export FOREWARN_SIGNING_KEY={path}" in output
    code, output = cli(db, "ledger", "keygen", str(path))
    assert code == 1 and "FW-E093" in output and "never overwritten" in output
    code, output = cli(db, "ledger", "anchor", "--out", str(tmp_path / "a.json"),
                       env={"FOREWARN_SIGNING_KEY": str(path)})
    assert code == 0 and "signed with key" in output
    code, output = cli(db, "ledger", "show", "--kind", "key-registered", "--json")
    assert json.loads(output)["items"][0]["subject"] == "actor:cli-test"


def test_moment() -> None:
    assert moment("2024-08-12", "--since") == datetime(2024, 8, 12, tzinfo=UTC)
    assert moment("2024-08-12", "--until", end_of_day=True) == datetime(2024, 8, 12, 23, 59, 59, 999999, tzinfo=UTC)
    assert moment("2024-08-12T10:00:00+02:00", "--since") == datetime(2024, 8, 12, 8, tzinfo=UTC)
    assert moment("2024-08-12T10:00:00", "--since") == datetime(2024, 8, 12, 10, tzinfo=UTC)
    assert moment(None, "--since") is None
    with pytest.raises(InvalidArgument):
        moment("12/08/2024", "--since")
