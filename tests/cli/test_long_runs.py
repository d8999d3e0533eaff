"""Long runs keep what start-up made out of the garbage collector's full passes (forewarn.runtime.settle): ingest,
import, extraction and the watch settle once before they work; a short command (a list) does not pay for it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import forewarn.cli.context as context
from forewarn.cli.main import app

runner = CliRunner()


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(context, "settle", lambda: calls.append("settled"))
    return calls


def _cli(db: str, *args: str) -> str:
    result = runner.invoke(app, ["--db", db, "--actor", "cli-test", *args], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_long_runs_settle_and_short_ones_do_not(tmp_path: Path, settled: list[str]) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    report = tmp_path / "report.txt"
    report.write_text("Date: 2024-08-06\n\nA convoy of trucks moved through Sumy.", encoding="utf-8")
    _cli(db, "ingest", str(report))
    assert settled == ["settled"]
    _cli(db, "extract")
    assert settled == ["settled"] * 2
    _cli(db, "events")
    _cli(db, "source", "list")
    assert settled == ["settled"] * 2
