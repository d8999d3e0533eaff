"""Helpers for the workbench tests: a small world in a workspace, accounts of every role, and
logged-in clients (session with CSRF token, or API token)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detect"))
from detect_store_helpers import SCENARIO, Report, seed

from forewarn import accounts
from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.cycle import run_cycle

ROLES = tuple(Role)
PASSWORD = "pass-{role}-word"  # each role's account is named after the role
HOSTILE = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
HOSTILE_REPORT = Report("chat", "h1", date(2024, 8, 9),
                        f"armour of the Ukrainian army near Sudzha; {HOSTILE} ' OR 1=1 -- said a post.")


@contextmanager
def cheap_password_hashes() -> Iterator[None]:
    """argon2id still, but with tiny costs, while the block runs: for worlds whose accounts log in (or are
    added) many times over and whose tests are not about hashing. A hash keeps its cost: an account added
    under these costs is verified at them on each login (a login to an unknown account checks against a
    dummy hash of the same cost)."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(accounts, "_HASHER", hasher)
        mp.setattr(accounts, "_DUMMY_HASH", hasher.hash("not a password"))
        yield


@dataclass(frozen=True)
class World:
    documents: dict[str, str]  # report name → document id
    scenario_id: str
    warning_ids: tuple[int, ...]


def build_world(ws: Workspace, folder: Path) -> World:
    """Documents with hand-coded events around Sudzha (one of them hostile HTML), the armour-watch
    scenario, one published assessment and the warnings it raised, and an account per role."""
    from detect_store_helpers import REPORTS

    docs = seed(ws, folder / "inbox", (*REPORTS, HOSTILE_REPORT))
    path = folder / "armour-watch.yaml"
    path.write_text(SCENARIO.replace("prior: 0.02", "prior: 0.1"))  # high enough to cross "elevated"
    scenario = ws.scenarios.add(path)
    report = run_cycle(ws, datetime(2024, 8, 12, 6, tzinfo=UTC))
    for role in ROLES:
        ws.accounts.add_user(role.value, PASSWORD.format(role=role.value), role, actor="setup",
                             display_name=f"{role.label.title()} User")
    return World(docs, scenario.id, tuple(w.id for w in report.warnings))


def page_csrf(html: str) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', html)
    return found.group(1) if found else ""


def login(client: TestClient, name: str, password: str, next_url: str = "/") -> str:
    """Log ``client`` in through the form; returns the session's CSRF token (from the page's meta)."""
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token, form.text
    response = client.post("/login", data={"name": name, "password": password, "login_token": token.group(1),
                                           "next": next_url}, follow_redirects=False)
    assert response.status_code == 303, response.text
    return page_csrf(client.get(next_url).text)


def role_login(client: TestClient, role: Role | str) -> str:
    name = Role(role).value
    return login(client, name, PASSWORD.format(role=name))


class ManualClock:
    """A clock for the login limiter that moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def try_login(client: TestClient, name: str, password: str) -> Any:
    """One attempt through the login form (its own double-submit token), whatever the outcome."""
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token, form.text
    return client.post("/login", data={"name": name, "password": password, "login_token": token.group(1),
                                       "next": "/"})
