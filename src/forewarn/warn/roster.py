"""The duty roster: who holds a role (a post that escalation chains name, "duty-officer",
"director") during a shift, and the one rule that turns a chain's entry into the person who holds it
at a time (:func:`resolve`).

A chain entry is resolved, at the time a warning is raised, escalated, reopened or reminded, to:
the account on a shift of that role then (the latest shift started wins); else the account of that
name; else nobody (the entry stays as the owner, flagged "nobody on shift" unless it is an e-mail
address). Every roster change is one transaction with its ledger entry (``roster-added``,
``roster-removed``, subject ``roster:<id>``); a removed shift stays stored, marked removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from forewarn.errors import InvalidArgument, NotFound
from forewarn.ledger import Signer, append
from forewarn.store import schema as t

R = t.roster.c
MAX_ROLE = 128


@dataclass(frozen=True, slots=True)
class Shift:
    id: int
    role: str
    account: str
    name: str  # the account's display name
    starts_at: datetime
    ends_at: datetime | None  # None: until removed
    added_by: str
    added_at: datetime
    removed_at: datetime | None = None
    removed_by: str | None = None

    def covers(self, at: datetime) -> bool:
        return self.removed_at is None and self.starts_at <= at and (self.ends_at is None or at < self.ends_at)


@dataclass(frozen=True, slots=True)
class Holder:
    """Who holds a chain entry at a time: an account and its display name."""

    account: str
    name: str


def role_key(role: str) -> str:
    """Roles compare stripped and lower-cased ("Duty-Officer" is "duty-officer")."""
    return role.strip().lower()


def resolve(conn: Connection, entry: str, at: datetime) -> Holder | None:
    """The person holding chain entry ``entry`` at ``at`` (see the module's rule), or None."""
    u = t.users.c
    query = (select(R.account, u.display_name).select_from(t.roster.join(t.users, u.name == R.account))
             .where(R.role == role_key(entry), R.removed_at.is_(None), R.starts_at <= at,
                    or_(R.ends_at.is_(None), R.ends_at > at), u.disabled.is_(False))
             .order_by(R.starts_at.desc(), R.id.desc()).limit(1))
    row = conn.execute(query).first()
    if row is None:
        row = conn.execute(select(u.name.label("account"), u.display_name)
                           .where(u.name == role_key(entry), u.disabled.is_(False))).first()
    return Holder(row.account, row.display_name) if row is not None else None


def add(conn: Connection, *, role: str, account: str, starts_at: datetime, ends_at: datetime | None, at: datetime,
        actor: str, signer: Signer | None = None) -> Shift:
    """Put ``account`` on a shift of ``role`` (checked: an enabled account, a role name, a shift that ends
    after it starts), with its ledger entry."""
    key = _checked_role(role)
    if ends_at is not None and ends_at <= starts_at:
        raise InvalidArgument(f"the shift ends ({_iso(ends_at)}) before it starts ({_iso(starts_at)})",
                              hint="give --until later than --from")
    user = conn.execute(select(t.users.c.name, t.users.c.disabled)
                        .where(t.users.c.name == account.strip().lower())).first()
    if user is None or user.disabled:
        raise NotFound(f"no enabled account {account!r}", hint="`forewarn user list` shows the accounts")
    new_id = conn.execute(t.roster.insert().values(
        role=key, account=user.name, starts_at=starts_at, ends_at=ends_at, added_by=actor, added_at=at)
    ).inserted_primary_key[0]  # type: ignore[index]
    shift = fetch(conn, int(new_id))
    append(conn, at=at, actor=actor, kind="roster-added", subject=f"roster:{shift.id}", payload=shift_json(shift),
           signer=signer)
    return shift


def remove(conn: Connection, shift_id: int, *, at: datetime, actor: str, signer: Signer | None = None) -> Shift:
    """Take a shift off the roster (kept, marked removed), with its ledger entry."""
    shift = fetch(conn, shift_id)
    if shift.removed_at is not None:
        raise NotFound(f"roster entry {shift_id} was removed already ({_iso(shift.removed_at)} by "
                       f"{shift.removed_by})", hint="`forewarn roster list` shows the roster")
    conn.execute(update(t.roster).where(R.id == shift_id).values(removed_at=at, removed_by=actor))
    append(conn, at=at, actor=actor, kind="roster-removed", subject=f"roster:{shift_id}", payload=shift_json(shift),
           signer=signer)
    return fetch(conn, shift_id)


def fetch(conn: Connection, shift_id: int) -> Shift:
    row = conn.execute(_select().where(R.id == shift_id)).first()
    if row is None:
        raise NotFound(f"no roster entry {shift_id}", hint="`forewarn roster list` shows the roster")
    return _shift(row)


def listing(conn: Connection, at: datetime | None = None) -> list[Shift]:
    """Shifts not removed, by role then start; with ``at``, only those covering that time."""
    query = _select().where(R.removed_at.is_(None)).order_by(R.role, R.starts_at, R.id)
    if at is not None:
        query = query.where(R.starts_at <= at, or_(R.ends_at.is_(None), R.ends_at > at))
    return [_shift(r) for r in conn.execute(query)]


def shift_json(s: Shift) -> dict[str, Any]:
    return {"id": s.id, "role": s.role, "account": s.account, "name": s.name, "starts_at": _iso(s.starts_at),
            "ends_at": _iso(s.ends_at), "added_by": s.added_by, "added_at": _iso(s.added_at),
            "removed_at": _iso(s.removed_at), "removed_by": s.removed_by}


def _checked_role(role: str) -> str:
    key = role_key(role)
    if not key or len(key) > MAX_ROLE or any(c in key for c in ",\n\r\t"):
        raise InvalidArgument(f"role {role!r} is not a role name",
                              hint=f"a post as escalation chains name it, e.g. duty-officer (at most {MAX_ROLE} "
                                   "characters, no comma)")
    return key


def _select() -> Any:
    u = t.users.c
    return select(t.roster, u.display_name).select_from(t.roster.outerjoin(t.users, u.name == R.account))


def _shift(r: Any) -> Shift:
    return Shift(id=r.id, role=r.role, account=r.account, name=r.display_name or r.account, starts_at=r.starts_at,
                 ends_at=r.ends_at, added_by=r.added_by, added_at=r.added_at, removed_at=r.removed_at,
                 removed_by=r.removed_by)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
