"""Fixtures for the warning tests: a workspace whose scenario lookup knows hand-built scenarios."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from warn_support import Mailbox, free_port

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.errors import NotFound
from forewarn.model import Scenario


@dataclass
class Scenarios:
    """Stands in for the workspace's stored scenarios (``ws.scenarios.get(id)``)."""

    known: dict[str, Scenario] = field(default_factory=dict)

    def add(self, scenario: Scenario) -> Scenario:
        self.known[scenario.id] = scenario
        return scenario

    def __call__(self, scenario_id: str) -> Scenario:
        if scenario_id not in self.known:
            raise NotFound(f"no scenario {scenario_id}")
        return self.known[scenario_id]


@pytest.fixture
def scenarios() -> Scenarios:
    return Scenarios()


@pytest.fixture
def open_ws(db_url: str, clock: Any, scenarios: Scenarios,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Workspace]]:
    """``open_ws(**settings)``: a workspace on the test's store (SQLite, then PostgreSQL), acting
    as ``actor`` (default "tester"), on the test's FakeClock."""
    opened: list[Workspace] = []

    def make(**settings: Any) -> Workspace:
        settings.setdefault("actor", "tester")
        ws = Workspace.open(Settings(database_url=db_url, extract=False, **settings), clock=clock)
        monkeypatch.setattr(ws, "warnings", replace(ws.warnings, scenario=scenarios))
        opened.append(ws)
        return ws

    yield make
    for ws in opened:
        ws.close()


@pytest.fixture
def ws(open_ws: Callable[..., Workspace]) -> Workspace:
    return open_ws(escalation_chain="alice,bob,carol")


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    port = free_port()
    box = Mailbox(f"127.0.0.1:{port}")
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # deliveries go to 127.0.0.1 only; a proxy set in the environment must not intercept them
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        if name in os.environ:
            monkeypatch.delenv(name)
