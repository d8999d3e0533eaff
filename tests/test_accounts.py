"""Accounts: argon2 password hashes, hashed tokens and sessions, roles, and the ledger trail."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from forewarn.accounts import Role, parse_role
from forewarn.app import Workspace
from forewarn.errors import AccountInvalid, AlreadyExists, NotFound, Unauthenticated
from forewarn.model import Principal
from forewarn.store import schema as t


def test_roles_are_ordered() -> None:
    assert Role.ADMIN.allows(Role.DUTY_OFFICER) and Role.DUTY_OFFICER.allows(Role.ANALYST)
    assert Role.ANALYST.allows(Role.VIEWER) and not Role.VIEWER.allows(Role.ANALYST)
    assert parse_role("Duty officer") is Role.DUTY_OFFICER and parse_role("duty-officer") is Role.DUTY_OFFICER
    with pytest.raises(AccountInvalid, match="unknown role"):
        parse_role("root")


def test_password_is_stored_as_argon2_and_checked(workspace: Workspace) -> None:
    accounts = workspace.accounts
    user = accounts.add_user("Alice", "a long passphrase", "analyst", actor="admin")
    assert user.name == "alice" and user.role is Role.ANALYST
    with workspace.store.engine.connect() as conn:
        stored = conn.execute(select(t.users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "a long passphrase" not in stored
    assert accounts.check_password("ALICE", "a long passphrase").id == user.id
    for name, password in (("alice", "wrong passphrase"), ("nobody", "a long passphrase")):
        with pytest.raises(Unauthenticated):  # one message whether or not the account exists
            accounts.check_password(name, password)


def test_account_rules(workspace: Workspace) -> None:
    accounts = workspace.accounts
    with pytest.raises(AccountInvalid, match="too short"):
        accounts.add_user("bob", "short", actor="admin")
    with pytest.raises(AccountInvalid, match="not allowed"):
        accounts.add_user("bob smith", "long enough", actor="admin")
    accounts.add_user("bob", "long enough", actor="admin")
    with pytest.raises(AlreadyExists):
        accounts.add_user("bob", "long enough 2", actor="admin")
    changed = accounts.add_user("bob", "long enough 2", "admin", actor="admin", update_existing=True)
    assert changed.role is Role.ADMIN
    assert accounts.check_password("bob", "long enough 2").role is Role.ADMIN
    with pytest.raises(NotFound):
        accounts.user("carol")


def test_tokens_are_hashed_and_revocable(workspace: Workspace) -> None:
    accounts = workspace.accounts
    accounts.add_user("alice", "a long passphrase", "viewer", actor="admin")
    token, secret = accounts.create_token("alice", "nightly export", actor="alice")
    with workspace.store.engine.connect() as conn:
        stored = conn.execute(select(t.api_tokens.c.secret_hash)).scalar_one()
    assert stored == hashlib.sha256(secret.encode()).hexdigest() and secret not in stored
    assert accounts.token_user(secret).name == "alice"
    assert accounts.token(token.id).last_used_at is not None
    with pytest.raises(Unauthenticated):
        accounts.token_user(secret + "x")
    accounts.revoke_token(token.id, actor="alice")
    with pytest.raises(Unauthenticated):
        accounts.token_user(secret)


def test_sessions_expire_end_and_die_with_a_disabled_account(workspace: Workspace, clock) -> None:
    accounts = workspace.accounts
    user = accounts.add_user("alice", "a long passphrase", "viewer", actor="admin")
    cookie, _ = accounts.start_session(user, hours=1)
    again, _ = accounts.start_session(user, hours=1)
    assert cookie != again  # a new identifier at every login
    assert accounts.session(cookie).user.name == "alice"
    with workspace.store.engine.connect() as conn:
        assert cookie not in {r.id_hash for r in conn.execute(select(t.web_sessions))}
    accounts.end_session(cookie)
    assert accounts.session(cookie) is None and accounts.session(again) is not None
    clock.advance(hours=1, seconds=1)
    assert accounts.session(again) is None
    clock.now -= timedelta(hours=1)
    third, _ = accounts.start_session(user, hours=1)
    _, secret = accounts.create_token("alice", "t", actor="alice")
    accounts.disable_user("alice", actor="admin")
    assert accounts.session(third) is None
    with pytest.raises(Unauthenticated):
        accounts.token_user(secret)
    with pytest.raises(Unauthenticated):
        accounts.check_password("alice", "a long passphrase")


def test_account_changes_are_ledgered_without_secrets(workspace: Workspace) -> None:
    accounts = workspace.accounts
    accounts.add_user("alice", "a long passphrase", "viewer", actor="root")
    token, secret = accounts.create_token("alice", "ci", actor="alice")
    accounts.revoke_token(token.id, actor="root")
    accounts.disable_user("alice", actor="root")
    entries = workspace.ledger.entries()
    assert [(e.kind, e.actor, e.subject) for e in entries] == [
        ("user-added", "root", "user:alice"), ("token-created", "alice", f"token:{token.id}"),
        ("token-revoked", "root", f"token:{token.id}"), ("user-disabled", "root", "user:alice")]
    text = repr([e.payload for e in entries])
    assert secret not in text and "passphrase" not in text and "argon2" not in text
    assert workspace.ledger.verify().ok


def test_acting_as_records_the_user(workspace: Workspace) -> None:
    entry = workspace.acting_as(Principal.local("alice")).ledger.record("comment", "note:1", {"text": "seen"})
    assert entry.actor == "alice" and workspace.actor == "tester"
