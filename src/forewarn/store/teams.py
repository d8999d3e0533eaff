"""Team administration, markings raised on stored objects, the read audit and a team's holdings, in SQL.

Functions over a caller's connection (the desk above opens one transaction per change and appends its
ledger entry in it). Raising a marking writes the object's new compartment and tightens what derives from it:
a document's events, claims and notes, a source's documents (when asked), a scenario's warnings. A derived row
that carried the object's old compartment takes the new one; a row with its own takes the strictest of both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, func, select, update
from sqlalchemy.sql.elements import ColumnElement

from forewarn.errors import AlreadyExists, NotFound
from forewarn.model.marking import Compartment, strictest
from forewarn.model.source import Marking
from forewarn.store import schema as t
from forewarn.store.access import compartment_of, compartments_on
from forewarn.store.counts import move_compartment

MARKABLE: dict[str, Table] = {"source": t.sources, "document": t.documents, "scenario": t.scenarios,
                              "question": t.questions}
OWNED: dict[str, Table] = {"source": t.sources, "document": t.documents, "event": t.events, "claim": t.claims,
                           "note": t.annotation_notes, "scenario": t.scenarios, "warning": t.warnings,
                           "question": t.questions}
Ids = Callable[[Compartment], int | None]  # the compartment id writer, inside the transaction


@dataclass(frozen=True, slots=True)
class Member:
    account: str
    added_by: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class Team:
    id: str
    name: str
    created_by: str
    created_at: datetime
    members: tuple[Member, ...]

    def has(self, account: str) -> bool:
        return any(m.account == account for m in self.members)


@dataclass(frozen=True, slots=True)
class Marked:
    """An object's compartment as stored: its id (None: open) and what it is."""

    kind: str
    id: str
    compartment_id: int | None
    compartment: Compartment


# -- teams and members ------------------------------------------------------------------------------------------

def insert_team(conn: Connection, team_id: str, name: str, actor: str, at: datetime) -> None:
    if conn.execute(select(t.teams.c.id).where(t.teams.c.id == team_id)).first() is not None:
        raise AlreadyExists(f"team {team_id!r} exists already", hint="`forewarn team list` shows the teams")
    conn.execute(t.teams.insert().values(id=team_id, name=name, created_by=actor, created_at=at))


def insert_member(conn: Connection, team_id: str, account: str, actor: str, at: datetime) -> None:
    fetch_team(conn, team_id)
    user = conn.execute(select(t.users.c.name).where(t.users.c.name == account)).first()
    if user is None:
        raise NotFound(f"no account {account!r}", hint="`forewarn user list` shows the accounts")
    if _member(conn, team_id, account):
        raise AlreadyExists(f"{account} is a member of team {team_id} already",
                            hint=f"`forewarn team show {team_id}` shows its members")
    conn.execute(t.team_members.insert().values(team_id=team_id, account=account, added_by=actor, added_at=at))


def delete_member(conn: Connection, team_id: str, account: str) -> None:
    fetch_team(conn, team_id)
    if not _member(conn, team_id, account):
        raise NotFound(f"{account} is not a member of team {team_id}",
                       hint=f"`forewarn team show {team_id}` shows its members")
    m = t.team_members.c
    conn.execute(delete(t.team_members).where(m.team_id == team_id, m.account == account))


def _member(conn: Connection, team_id: str, account: str) -> bool:
    m = t.team_members.c
    return conn.execute(select(m.account).where(m.team_id == team_id, m.account == account)).first() is not None


def fetch_team(conn: Connection, team_id: str) -> Team:
    found = teams(conn, [team_id])
    if not found:
        raise NotFound(f"no team {team_id!r}", hint="`forewarn team list` shows the teams you may see")
    return found[0]


def teams(conn: Connection, ids: Iterable[str] | None = None) -> list[Team]:
    """Teams (these ids, or all) with their members, by id."""
    q = select(t.teams).order_by(t.teams.c.id)
    m = t.team_members.c
    mq = select(t.team_members).order_by(m.team_id, m.account)
    if ids is not None:
        wanted = sorted(set(ids))
        q, mq = q.where(t.teams.c.id.in_(wanted)), mq.where(m.team_id.in_(wanted))
    members: dict[str, list[Member]] = {}
    for r in conn.execute(mq):
        members.setdefault(r.team_id, []).append(Member(r.account, r.added_by, r.added_at))
    return [Team(r.id, r.name, r.created_by, r.created_at, tuple(members.get(r.id, ()))) for r in conn.execute(q)]


def account_names(conn: Connection, names: Iterable[str]) -> set[str]:
    """Which of these are accounts."""
    wanted = sorted(set(names))
    return set(conn.execute(select(t.users.c.name).where(t.users.c.name.in_(wanted))).scalars()) if wanted else set()


def team_ids(conn: Connection, names: Iterable[str]) -> set[str]:
    wanted = sorted(set(names))
    return set(conn.execute(select(t.teams.c.id).where(t.teams.c.id.in_(wanted))).scalars()) if wanted else set()


# -- markings ---------------------------------------------------------------------------------------------------

def marked(conn: Connection, kind: str, object_id: str) -> Marked:
    """The stored compartment of one object (NotFound for an unknown id). An open object with a legacy marking
    column (sources, documents) keeps its CLEAR or GREEN."""
    table = MARKABLE[kind]
    cols = [table.c.compartment] + ([table.c.marking] if "marking" in table.c else [])
    row = conn.execute(select(*cols).where(table.c.id == _key(table, object_id))).first()
    if row is None:
        raise NotFound(f"no {kind} {object_id!r}", hint=f"list the {kind}s you may see to find the id")
    cid = row.compartment
    if cid is None:
        legacy = row._mapping.get("marking")
        return Marked(kind, object_id, None, Compartment(Marking(legacy) if legacy else Marking.CLEAR))
    return Marked(kind, object_id, int(cid), compartments_on(conn, [cid])[int(cid)])


def write_marking(conn: Connection, old: Marked, new: Compartment, ids: Ids, existing: bool) -> dict[str, int]:
    """Give the object ``new`` and tighten what derives from it; how many rows of each kind changed."""
    table = MARKABLE[old.kind]
    key = _key(table, old.id)
    values: dict[str, Any] = {"compartment": ids(new)}
    if "marking" in table.c:
        values["marking"] = new.marking.value
    if "team" in table.c:
        values["team"] = new.teams[0] if new.teams else None
    conn.execute(update(table).where(table.c.id == key).values(**values))
    if old.kind == "document":
        return _cascade_documents(conn, [old.id], old, new, ids)
    if old.kind == "scenario":
        return {"warning": tighten(conn, t.warnings, t.warnings.c.scenario_id == old.id, old, new, ids)}
    if old.kind == "source" and existing:
        docs = list(conn.execute(select(t.documents.c.id).where(t.documents.c.source_id == old.id)).scalars())
        changed = {"document": tighten(conn, t.documents, t.documents.c.source_id == old.id, old, new, ids)}
        return changed | _cascade_documents(conn, docs, old, new, ids)
    return {}


def _cascade_documents(conn: Connection, docs: list[str], old: Marked, new: Compartment, ids: Ids
                       ) -> dict[str, int]:
    changed: dict[str, int] = {}
    for kind, table in (("event", t.events), ("claim", t.claims), ("note", t.annotation_notes)):
        n = 0
        for start in range(0, len(docs), 500):
            n += tighten(conn, table, table.c.document_id.in_(docs[start:start + 500]), old, new, ids)
        changed[kind] = n
    return changed


def tighten(conn: Connection, table: Table, where: ColumnElement[bool], old: Marked, new: Compartment, ids: Ids
            ) -> int:
    """Rows of ``table`` matching ``where``: those with the old compartment take ``new``, the others the
    strictest of their own and ``new``. Returns how many rows changed."""
    col = table.c.compartment
    found = [r[0] for r in conn.execute(select(col).where(where).group_by(col))]
    own = compartments_on(conn, found)
    n = 0
    for cid in found:
        mine = own.get(cid, Compartment()) if cid is not None else Compartment()
        target = new if cid == old.compartment_id or mine == old.compartment else strictest([mine, new])
        nid = ids(target)
        if nid != cid:
            same = col.is_(None) if cid is None else col == cid
            if table is t.events:
                move_compartment(conn, and_(where, same), cid, nid)
            n += conn.execute(update(table).where(where, same).values(compartment=nid)).rowcount or 0
    return n


def _key(table: Table, object_id: str) -> Any:
    """Scenario and source ids are text; question ids numbers."""
    if table is t.questions:
        return int(object_id) if object_id.isdigit() else -1
    return object_id


# -- the read audit and a team's holdings -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ReadRow:
    at: datetime
    account: str
    kind: str
    object_id: str | None  # None: an object hidden from the asker
    compartment_id: int
    via: str


def read_rows(conn: Connection, conds: list[ColumnElement[bool]], hidden: frozenset[int], limit: int,
              offset: int) -> tuple[list[ReadRow], int]:
    """Reads recorded, newest first; the ids of objects in ``hidden`` compartments left out."""
    a = t.read_audit.c
    total = int(conn.execute(select(func.count()).select_from(t.read_audit).where(*conds)).scalar_one())
    rows = conn.execute(select(t.read_audit).where(*conds).order_by(a.at.desc(), a.id.desc())
                        .limit(limit).offset(offset))
    return [ReadRow(r.at, r.account, r.kind, None if r.compartment in hidden else r.object_id, r.compartment, r.via)
            for r in rows], total


def owned_compartments(conn: Connection, team_id: str, hidden: frozenset[int]) -> dict[int, Compartment]:
    """The compartments naming ``team_id`` as an owner that the asker may see."""
    rows = conn.execute(select(t.compartments).where(t.compartments.c.teams.contains(team_id)))
    found = {r.id: compartment_of(r) for r in rows if r.id not in hidden}
    return {i: c for i, c in found.items() if team_id in c.teams}


def holdings(conn: Connection, ids: Iterable[int]) -> dict[tuple[str, int], int]:
    """How many objects of each kind each of these compartments holds: {(kind, compartment id): n}."""
    wanted = sorted(set(ids))
    counts: dict[tuple[str, int], int] = {}
    if not wanted:
        return counts
    for kind, table in OWNED.items():
        col = table.c.compartment
        for cid, n in conn.execute(select(col, func.count()).where(col.in_(wanted)).group_by(col)):
            counts[(kind, int(cid))] = int(n)
    return counts
