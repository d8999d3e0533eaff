"""Who the CLI acts as: the person at the terminal for commands, forewarn itself (under the configured
actor's name, so the ledger reads the same) for cycles, the watch and replays."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.model import Principal, PrincipalKind, Role

runner = CliRunner()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Workspace]:
    """Every workspace the CLI opens, in order."""
    found: list[Workspace] = []
    real: Callable[..., Workspace] = Workspace.open

    def spy(settings: Any, clock: Any = None, *, who: Principal | None = None) -> Workspace:
        ws = real(settings, who=who) if clock is None else real(settings, clock, who=who)
        found.append(ws)
        return ws

    monkeypatch.setattr(Workspace, "open", spy)
    return found


def invoke(tmp_path: Path, *args: str) -> None:
    result = runner.invoke(app, ["--db", f"sqlite:///{tmp_path / 'ws.db'}", "--actor", "duty-desk", *args])
    assert result.exit_code == 0, result.output


def test_a_cycle_runs_as_the_system_under_the_actors_name(tmp_path: Path, opened: list[Workspace]) -> None:
    invoke(tmp_path, "cycle", "--json")
    [ws] = opened
    assert (ws.who.kind, ws.who.name, ws.who.role) == (PrincipalKind.SYSTEM, "duty-desk", Role.ADMIN)
    assert ws.actor == "duty-desk"  # ledger entries read as before
    assert ws.ledger.who is ws.who and ws.reads.who is ws.who and ws.scenarios.who is ws.who


def test_other_commands_act_as_the_person_at_the_terminal(tmp_path: Path, opened: list[Workspace]) -> None:
    invoke(tmp_path, "stats", "--json")
    [ws] = opened
    assert (ws.who.kind, ws.who.name) == (PrincipalKind.LOCAL, "duty-desk")
