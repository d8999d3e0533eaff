"""Issue 11, items 3, 4 and 18 (`user add`): a password reset or a disable ends an account's
sessions and tokens for good (enabling it again revives none); failed logins are limited per
(account, address) pair, so one attacker cannot lock other people out; `user add` without a
terminal says to use --password-stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner
from web_support import PASSWORD, ManualClock, World, try_login

from forewarn.accounts import Accounts
from forewarn.app import Workspace
from forewarn.cli.main import app as cli_app
from forewarn.errors import RateLimited, Unauthenticated
from forewarn.store import schema as t
from forewarn.web import create_app
from forewarn.web.auth import KNOWN_FOR_S, SESSION_COOKIE, WINDOW_S, LoginLimiter

ROLE = Callable[[str], TestClient]
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
NEW = "a brand new passphrase"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _live_access(accounts: Accounts, name: str) -> tuple[str, str]:
    """A session cookie and a token secret of the account ``name``, both working."""
    cookie, _ = accounts.start_session(accounts.user(name), hours=1)
    _, secret = accounts.create_token(name, "script", actor=name)
    assert accounts.session(cookie) is not None and accounts.token_user(secret).name == name
    return cookie, secret


def _ended(accounts: Accounts, cookie: str, secret: str) -> bool:
    try:
        accounts.token_user(secret)
    except Unauthenticated:
        return accounts.session(cookie) is None
    return False


# -- item 3: resets and disables end everything, for good -------------------------------------------

def test_a_password_reset_ends_every_session_and_token(world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    accounts = ws.accounts
    cookie, secret = _live_access(accounts, "analyst")
    accounts.add_user("analyst", NEW, "analyst", actor="admin", update_existing=True)
    assert _ended(accounts, cookie, secret)
    assert accounts.check_password("analyst", NEW).name == "analyst"
    [token] = [tk for tk in accounts.tokens("analyst")]
    assert token.revoked_at is not None
    revoked = ws.ledger.entries(kind="token-revoked")
    assert [(e.actor, e.subject, e.payload["reason"]) for e in revoked] == [
        ("admin", f"token:{token.id}", "password changed")]
    [sessions] = ws.ledger.entries(kind="sessions-ended")
    assert sessions.subject == "user:analyst" and sessions.payload["sessions"] == 1
    assert ws.ledger.entries(kind="user-updated")[-1].payload["password_changed"] is True
    assert ws.ledger.verify().ok


def test_an_update_keeping_the_password_keeps_the_access(world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    cookie, secret = _live_access(ws.accounts, "viewer")
    ws.accounts.add_user("viewer", PASSWORD.format(role="viewer"), "analyst", actor="admin", update_existing=True)
    assert ws.accounts.session(cookie).user.role.value == "analyst"  # type: ignore[union-attr]
    assert ws.accounts.token_user(secret).name == "viewer" and not ws.ledger.entries(kind="token-revoked")


def test_enabling_a_disabled_account_again_revives_nothing(world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    cookie, secret = _live_access(ws.accounts, "viewer")
    ws.accounts.disable_user("viewer", actor="admin")
    assert [e.payload["reason"] for e in ws.ledger.entries(kind="token-revoked")] == ["account disabled"]
    # enabled again with the very same password: the old token and session stay dead
    ws.accounts.add_user("viewer", PASSWORD.format(role="viewer"), "viewer", actor="admin", update_existing=True)
    assert not ws.accounts.user("viewer").disabled
    assert _ended(ws.accounts, cookie, secret)
    _, fresh = ws.accounts.create_token("viewer", "new", actor="viewer")
    assert ws.accounts.token_user(fresh).name == "viewer"


def test_an_account_disabled_before_this_fix_revives_no_token(world_ws: tuple[Workspace, World]) -> None:
    """Disabled by the old code (tokens left unrevoked): enabling it again revokes them."""
    ws, _ = world_ws
    cookie, secret = _live_access(ws.accounts, "viewer")
    with ws.store.transaction() as conn:
        conn.execute(update(t.users).where(t.users.c.name == "viewer").values(disabled=True))
    ws.accounts.add_user("viewer", PASSWORD.format(role="viewer"), "viewer", actor="admin", update_existing=True)
    assert _ended(ws.accounts, cookie, secret)
    assert [e.payload["reason"] for e in ws.ledger.entries(kind="token-revoked")] == ["account enabled again"]


def test_the_api_resets_a_password(world_ws: tuple[Workspace, World], as_role: ROLE, web: TestClient) -> None:
    ws, _ = world_ws
    viewer = as_role("viewer")
    _, secret = ws.accounts.create_token("viewer", "script", actor="viewer")
    admin = as_role("admin")
    assert viewer.post("/api/v1/users/viewer/password", json={"password": NEW}).status_code == 403
    short = admin.post("/api/v1/users/viewer/password", json={"password": "short"})
    assert short.status_code == 422 and short.json()["code"] == "FW-E104"
    done = admin.post("/api/v1/users/viewer/password", json={"password": NEW})
    assert done.status_code == 200 and done.json()["name"] == "viewer" and NEW not in done.text
    assert viewer.get("/api/v1/me").status_code == 401
    assert web.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert admin.post("/api/v1/users/nobody/password", json={"password": NEW}).status_code == 404
    assert ws.accounts.check_password("viewer", NEW).name == "viewer"
    assert NEW not in repr([e.payload for e in ws.ledger.entries()])


@sqlite_only
def test_cli_update_with_a_new_password_ends_the_tokens(world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    _, secret = ws.accounts.create_token("analyst", "script", actor="analyst")
    result = CliRunner().invoke(cli_app, ["--db", ws.settings.database_url, "--actor", "root", "user", "add",
                                          "analyst", "--role", "analyst", "--update", "--password-stdin"],
                                input=NEW + "\n")
    assert result.exit_code == 0, result.output
    with pytest.raises(Unauthenticated):
        ws.accounts.token_user(secret)
    assert [e.actor for e in ws.ledger.entries(kind="token-revoked")] == ["root"]


# -- item 4: the login limiter ---------------------------------------------------------------------------

@sqlite_only
def test_guessing_one_account_locks_out_no_other(world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    with TestClient(create_app(ws, login_clock=ManualClock()), follow_redirects=False) as client:
        for _ in range(ws.settings.login_attempts):
            assert try_login(client, "admin", "wrong password!").status_code == 401
        assert try_login(client, "admin", PASSWORD.format(role="admin")).status_code == 429
        # the same address, any other account: unaffected
        ok = try_login(client, "viewer", PASSWORD.format(role="viewer"))
        assert ok.status_code == 303 and client.cookies.get(SESSION_COOKIE)


@sqlite_only
def test_past_the_address_bound_known_accounts_still_log_in(world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    app = create_app(ws, login_clock=ManualClock())  # every client of it comes from the same address
    with TestClient(app, follow_redirects=False) as user, TestClient(app, follow_redirects=False) as attacker:
        assert try_login(user, "viewer", PASSWORD.format(role="viewer")).status_code == 303  # known here
        for i in range(ws.settings.login_attempts_per_address):
            assert try_login(attacker, f"nobody-{i}", "guessing away").status_code == 401
        refused = try_login(attacker, "analyst", PASSWORD.format(role="analyst"))
        assert refused.status_code == 429 and "from this address" in refused.text
        user.cookies.clear()
        assert try_login(user, "viewer", PASSWORD.format(role="viewer")).status_code == 303


def test_the_per_address_bound_is_a_setting(tmp_path: Path, make_workspace: Callable[..., Workspace]) -> None:
    ws = make_workspace(f"sqlite:///{tmp_path / 'limit.db'}", login_attempts=5, login_attempts_per_address=3)
    ws.accounts.add_user("viewer", PASSWORD.format(role="viewer"), "viewer", actor="setup")
    with TestClient(create_app(ws, login_clock=ManualClock()), follow_redirects=False) as client:
        for name in ("a", "b", "c"):
            assert try_login(client, name, "wrong password!").status_code == 401
        assert try_login(client, "viewer", PASSWORD.format(role="viewer")).status_code == 429


def test_an_account_guessed_from_everywhere_still_opens_from_its_own_address() -> None:
    clock = ManualClock()
    limiter = LoginLimiter(5, clock=clock, per_address=50)
    limiter.check("alice", "10.0.0.1")
    limiter.succeeded("alice", "10.0.0.1")  # alice's own address
    for n in range(50):  # a botnet: each address under its pair limit
        limiter.check("alice", f"192.0.2.{n}")
        limiter.failed("alice", f"192.0.2.{n}")
    with pytest.raises(RateLimited, match="for this account"):
        limiter.check("alice", "192.0.2.200")  # an unknown address: refused until the window passes
    limiter.check("alice", "10.0.0.1")  # her own: open
    limiter.check("bob", "192.0.2.1")  # other accounts from those addresses: open
    clock.now += WINDOW_S
    limiter.check("alice", "192.0.2.200")


def test_the_pair_limit_binds_even_a_known_address() -> None:
    clock = ManualClock()
    limiter = LoginLimiter(3, clock=clock, per_address=50)
    limiter.succeeded("alice", "10.0.0.1")
    for _ in range(3):
        limiter.check("alice", "10.0.0.1")
        limiter.failed("alice", "10.0.0.1")
    with pytest.raises(RateLimited, match="from this address") as refused:
        limiter.check("alice", "10.0.0.1")
    assert 0 < refused.value.retry_after <= WINDOW_S + 1


def test_a_known_pair_is_forgotten_after_a_month() -> None:
    clock = ManualClock()
    limiter = LoginLimiter(5, clock=clock, per_address=2)
    limiter.succeeded("alice", "10.0.0.1")
    for name in ("x", "y"):
        limiter.failed(name, "10.0.0.1")
    limiter.check("alice", "10.0.0.1")  # known: the address bound passes it by
    with pytest.raises(RateLimited):
        limiter.check("bob", "10.0.0.1")
    clock.now += KNOWN_FOR_S
    for name in ("x", "y"):
        limiter.failed(name, "10.0.0.1")
    with pytest.raises(RateLimited):
        limiter.check("alice", "10.0.0.1")


def test_the_limiter_forgets_old_failures() -> None:
    clock = ManualClock()
    limiter = LoginLimiter(5, clock=clock, per_address=50)
    for n in range(1000):
        limiter.failed(f"name-{n}", f"198.51.100.{n % 250}")
    clock.now += WINDOW_S + 1
    limiter.check("alice", "10.0.0.1")  # a sweep: nothing recent is left
    assert len(limiter._failures) <= 3


# -- item 18: `user add` without a terminal --------------------------------------------------------------

def test_user_add_without_a_terminal_says_to_use_password_stdin(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    result = CliRunner().invoke(cli_app, ["--db", db, "user", "add", "alice", "--role", "analyst"], input="")
    assert result.exit_code == 1
    assert "FW-E104" in result.output and "--password-stdin" in result.output


@pytest.mark.slow
def test_user_add_from_a_script_fails_cleanly(tmp_path: Path) -> None:
    """A real process whose standard input is not a terminal (cron, systemd, a pipe)."""
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    env = {**os.environ, "FOREWARN_DATABASE_URL": db}
    done = subprocess.run([sys.executable, "-m", "forewarn", "user", "add", "alice", "--role", "analyst"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FW-E104" in done.stderr and "--password-stdin" in done.stderr
    assert "Traceback" not in done.stderr and "GetPassWarning" not in done.stderr
    assert not (tmp_path / "ws.db").exists()  # it stopped before opening the workspace: nothing half-done
