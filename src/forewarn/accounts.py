"""Workbench accounts: users with roles and argon2 password hashes, API tokens and browser sessions.

Secrets never rest in the store: a token or session cookie is 32 random bytes shown once, and only
its SHA-256 is kept (a stolen database yields no usable credential). Every account change is a
ledger entry made by the acting user, in the same transaction as the change.

A new password or a disable ends every session of the account and revokes every API token of it
for good (each revocation is a ledger entry): enabling the account again revives none of them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, select, update

from forewarn.errors import AccountInvalid, AlreadyExists, NotFound, Unauthenticated
from forewarn.ledger import append
from forewarn.model.principal import Role
from forewarn.store import SqlStore
from forewarn.store import schema as t

TOKEN_PREFIX = "fwt_"
MIN_PASSWORD = 8
NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,127}$")
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# verifying against this when the user does not exist costs the same as a real check, so the
# time a failed login takes does not reveal which account names exist
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True, slots=True)
class User:
    id: int
    name: str
    display_name: str
    role: Role
    disabled: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Token:
    id: int
    user: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class Session:
    user: User
    csrf_token: str
    expires_at: datetime


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def parse_role(value: str | Role) -> Role:
    try:
        return Role(str(value).strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        raise AccountInvalid(f"unknown role {value!r}", hint=f"roles: {', '.join(r.value for r in Role)}") from None


class Accounts:
    """Users, tokens and sessions in a workspace store. ``clock`` gives the time of every change (the
    workspace's own time: the ledger stays in order); ``real`` (default: ``clock``) the time browser sessions
    start, expire and end and tokens are last used, which must pass in real time even in a workspace whose own
    time is frozen or set in the past."""

    def __init__(self, store: SqlStore, clock: Callable[[], datetime],
                 real: Callable[[], datetime] | None = None) -> None:
        self.store = store
        self.clock = clock
        self.real = real or clock

    # -- users -----------------------------------------------------------------------------------
    def add_user(self, name: str, password: str, role: Role | str = Role.VIEWER, *, actor: str,
                 display_name: str | None = None, update_existing: bool = False) -> User:
        """Create an account (``update_existing``: or change an existing one's password, role and
        display name, and enable it again). A changed password, or enabling a disabled account,
        ends the account's sessions and revokes its tokens."""
        name, role = name.strip().lower(), parse_role(role)
        if not NAME.match(name):
            raise AccountInvalid(f"account name {name!r} is not allowed",
                                 hint="lower-case letters, digits and . _ @ -, starting with a letter or digit")
        pw_hash, u = _HASHER.hash(_checked(password)), t.users.c
        with self.store.transaction() as conn:
            now = self.clock()
            row = conn.execute(select(t.users).where(u.name == name)).first()
            values = {"display_name": display_name or (row.display_name if row else name), "role": role.value,
                      "password_hash": pw_hash, "disabled": False, "updated_at": now}
            if row is None:
                conn.execute(t.users.insert().values(name=name, created_at=now, **values))
            elif update_existing:
                conn.execute(update(t.users).where(u.id == row.id).values(**values))
            else:
                raise AlreadyExists(f"account {name!r} exists", hint="give --update to change it")
            user = _user(conn.execute(select(t.users).where(u.name == name)).one())
            changed = row is not None and not _same_password(row.password_hash, password)
            payload: dict[str, Any] = {"role": role.value, "display_name": user.display_name}
            if row is not None:
                payload |= {"password_changed": changed, "enabled_again": bool(row.disabled)}
            append(conn, at=now, actor=actor, kind="user-updated" if row else "user-added", subject=f"user:{name}",
                   payload=payload)
            if changed or (row is not None and row.disabled):
                _end_access(conn, user, now, actor, "password changed" if changed else "account enabled again")
        return user

    def set_password(self, name: str, password: str, *, actor: str) -> User:
        """Give an account a new password (a reset): every session and token of it ends for good.
        The account stays as it was otherwise (a disabled one stays disabled)."""
        user, pw_hash = self.user(name), _HASHER.hash(_checked(password))
        with self.store.transaction() as conn:
            now = self.clock()
            conn.execute(update(t.users).where(t.users.c.id == user.id)
                         .values(password_hash=pw_hash, updated_at=now))
            append(conn, at=now, actor=actor, kind="user-updated", subject=f"user:{user.name}",
                   payload={"role": user.role.value, "display_name": user.display_name, "password_changed": True,
                            "enabled_again": False})
            _end_access(conn, user, now, actor, "password changed")
        return self.user(user.name)

    def users(self) -> list[User]:
        with self.store.engine.connect() as conn:
            return [_user(r) for r in conn.execute(select(t.users).order_by(t.users.c.name))]

    def user(self, name: str) -> User:
        with self.store.engine.connect() as conn:
            row = conn.execute(select(t.users).where(t.users.c.name == name.strip().lower())).first()
        if row is None:
            raise NotFound(f"no account {name!r}", hint="`forewarn user list` shows the accounts")
        return _user(row)

    def disable_user(self, name: str, *, actor: str) -> User:
        """Disable an account: its sessions end and its tokens are revoked for good (they stay
        listed; enabling the account again does not revive them)."""
        user = self.user(name)
        with self.store.transaction() as conn:
            now = self.clock()
            conn.execute(update(t.users).where(t.users.c.id == user.id).values(disabled=True, updated_at=now))
            append(conn, at=now, actor=actor, kind="user-disabled", subject=f"user:{user.name}", payload={})
            _end_access(conn, user, now, actor, "account disabled")
        return self.user(name)

    def check_password(self, name: str, password: str) -> User:
        """The enabled account with this name and password, else :class:`Unauthenticated` (one
        message for every cause, so a failure does not say whether the account exists)."""
        with self.store.engine.connect() as conn:
            row = conn.execute(select(t.users).where(t.users.c.name == name.strip().lower())).first()
        try:
            _HASHER.verify(row.password_hash if row else _DUMMY_HASH, password)
        except (VerificationError, InvalidHashError):
            row = None
        if row is None or row.disabled:
            raise Unauthenticated("wrong account name or password, or the account is disabled")
        return _user(row)

    # -- API tokens ------------------------------------------------------------------------------
    def create_token(self, user_name: str, name: str, *, actor: str) -> tuple[Token, str]:
        """A new token for ``user_name``; returns it with its secret, which is shown only now."""
        user = self.user(user_name)
        if user.disabled:
            raise AccountInvalid(f"account {user.name!r} is disabled")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.store.transaction() as conn:
            now = self.clock()
            token_id = conn.execute(t.api_tokens.insert().values(
                user_id=user.id, name=name or "token", secret_hash=digest(secret), created_at=now)
            ).inserted_primary_key[0]  # type: ignore[index]
            append(conn, at=now, actor=actor, kind="token-created", subject=f"token:{token_id}",
                   payload={"user": user.name, "name": name or "token"})
        return self.token(int(token_id)), secret

    def tokens(self, user_name: str | None = None) -> list[Token]:
        query = _token_select().order_by(t.api_tokens.c.id)
        if user_name:
            query = query.where(t.users.c.name == user_name.strip().lower())
        with self.store.engine.connect() as conn:
            return [_token(r) for r in conn.execute(query)]

    def token(self, token_id: int) -> Token:
        with self.store.engine.connect() as conn:
            row = conn.execute(_token_select().where(t.api_tokens.c.id == token_id)).first()
        if row is None:
            raise NotFound(f"no token {token_id}", hint="`forewarn token list` shows the tokens")
        return _token(row)

    def revoke_token(self, token_id: int, *, actor: str) -> Token:
        token = self.token(token_id)
        if token.revoked_at is None:
            with self.store.transaction() as conn:
                now = self.clock()
                conn.execute(update(t.api_tokens).where(t.api_tokens.c.id == token_id).values(revoked_at=now))
                append(conn, at=now, actor=actor, kind="token-revoked", subject=f"token:{token_id}",
                       payload={"user": token.user, "name": token.name})
        return self.token(token_id)

    def token_user(self, secret: str) -> User:
        """The account a presented token acts for; refused when unknown, revoked or disabled."""
        tk, u = t.api_tokens.c, t.users.c
        with self.store.engine.connect() as conn:
            row = conn.execute(select(t.users, tk.id.label("token_id"), tk.last_used_at)
                               .select_from(t.api_tokens.join(t.users, u.id == tk.user_id))
                               .where(tk.secret_hash == digest(secret), tk.revoked_at.is_(None))).first()
        if row is None or row.disabled:
            raise Unauthenticated("the API token is unknown or revoked, or its account is disabled")
        now = self.real()
        if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):  # not a write per call
            with self.store.transaction() as conn:
                conn.execute(update(t.api_tokens).where(tk.id == row.token_id).values(last_used_at=now))
        return _user(row)

    # -- browser sessions ------------------------------------------------------------------------
    def start_session(self, user: User, hours: float) -> tuple[str, Session]:
        """A new session (a fresh identifier at every login: no session fixation); returns the
        cookie value, shown only now, and the session."""
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.real()
        expires = now + timedelta(hours=hours)
        with self.store.transaction() as conn:
            conn.execute(t.web_sessions.insert().values(id_hash=digest(cookie), user_id=user.id, csrf_token=csrf,
                                                        created_at=now, expires_at=expires))
        return cookie, Session(user, csrf, expires)

    def session(self, cookie: str) -> Session | None:
        """The live session a cookie names (None when unknown, ended, expired or its user disabled)."""
        s, u = t.web_sessions.c, t.users.c
        with self.store.engine.connect() as conn:
            row = conn.execute(select(t.users, s.csrf_token, s.expires_at)
                               .select_from(t.web_sessions.join(t.users, u.id == s.user_id))
                               .where(s.id_hash == digest(cookie), s.ended_at.is_(None))).first()
        if row is None or row.disabled or row.expires_at <= self.real():
            return None
        return Session(_user(row), row.csrf_token, row.expires_at)

    def end_session(self, cookie: str) -> None:
        s = t.web_sessions.c
        with self.store.transaction() as conn:
            conn.execute(update(t.web_sessions).where(s.id_hash == digest(cookie), s.ended_at.is_(None))
                         .values(ended_at=self.real()))


def _checked(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountInvalid(f"password too short ({len(password)} characters)",
                             hint=f"use at least {MIN_PASSWORD} characters; a passphrase is best")
    return password


def _same_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _end_access(conn: Connection, user: User, now: datetime, actor: str, reason: str) -> None:
    """End every live session of ``user`` and revoke every live token of it, each revocation a
    ledger entry (``token-revoked`` with the reason), and the sessions' end one entry
    (``sessions-ended``, with how many) when there were any."""
    s, tk = t.web_sessions.c, t.api_tokens.c
    ended = conn.execute(update(t.web_sessions).where(s.user_id == user.id, s.ended_at.is_(None))
                         .values(ended_at=now)).rowcount
    if ended:
        append(conn, at=now, actor=actor, kind="sessions-ended", subject=f"user:{user.name}",
               payload={"sessions": ended, "reason": reason})
    live = conn.execute(select(tk.id, tk.name).where(tk.user_id == user.id, tk.revoked_at.is_(None))
                        .order_by(tk.id)).all()
    conn.execute(update(t.api_tokens).where(tk.user_id == user.id, tk.revoked_at.is_(None)).values(revoked_at=now))
    for token in live:
        append(conn, at=now, actor=actor, kind="token-revoked", subject=f"token:{token.id}",
               payload={"user": user.name, "name": token.name, "reason": reason})


def _token_select() -> Any:
    tk = t.api_tokens.c
    return (select(tk.id, t.users.c.name.label("user"), tk.name, tk.created_at, tk.last_used_at, tk.revoked_at)
            .select_from(t.api_tokens.join(t.users, t.users.c.id == tk.user_id)))


def _user(r: Any) -> User:
    return User(id=r.id, name=r.name, display_name=r.display_name, role=Role(r.role), disabled=bool(r.disabled),
                created_at=r.created_at, updated_at=r.updated_at)


def _token(r: Any) -> Token:
    return Token(id=r.id, user=r.user, name=r.name, created_at=r.created_at, last_used_at=r.last_used_at,
                 revoked_at=r.revoked_at)
