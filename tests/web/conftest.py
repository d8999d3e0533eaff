"""Fixtures for the workbench tests: the app over a workspace holding a small world (SQLite, then
PostgreSQL), clients logged in as each role, and API tokens."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_support import World, build_world, role_login
from web_support import cheap_password_hashes as hashing_cheaply

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.web import create_app


@pytest.fixture(scope="module", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """Cheap password hashes (web_support's) for each module, before its own fixtures: the
    web tests hash a password per role per test, and the module-scoped worlds (the permission matrix, the
    sweeps) add accounts that their tests then log in to hundreds of times, each login verifying at the cost
    the account's hash was made with. Module-scoped, so the costs are the library's again outside tests/web."""
    with hashing_cheaply():
        yield


@pytest.fixture
def world_ws(db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace]) -> tuple[Workspace, World]:
    ws = make_workspace(db_url)
    return ws, build_world(ws, tmp_path)


@pytest.fixture
def web(world_ws: tuple[Workspace, World]) -> Iterator[TestClient]:
    """An anonymous client of the app (base URL http://testserver)."""
    ws, _ = world_ws
    with TestClient(create_app(ws), follow_redirects=False) as client:
        yield client


@pytest.fixture
def world(world_ws: tuple[Workspace, World]) -> World:
    return world_ws[1]


@pytest.fixture
def as_role(world_ws: tuple[Workspace, World]) -> Iterator[Callable[[Role | str], TestClient]]:
    """``as_role("analyst")``: a new client logged in (session cookie) as that role's account; its
    CSRF token is sent on every request (``client.headers``); ``client.csrf`` holds it."""
    ws, _ = world_ws
    app = create_app(ws)
    clients: list[TestClient] = []

    def make(role: Role | str) -> TestClient:
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        clients.append(client)
        csrf = role_login(client, role)
        client.headers["X-CSRF-Token"] = csrf
        client.csrf = csrf  # type: ignore[attr-defined]
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def token_for(world_ws: tuple[Workspace, World]) -> Callable[[Role | str], str]:
    """``token_for("viewer")``: a fresh API token secret for that role's account."""
    ws, _ = world_ws

    def make(role: Role | str) -> str:
        _, secret = ws.accounts.create_token(Role(role).value, "test", actor="setup")
        return secret

    return make
