"""Teams, their members, and compartments in the store; the one SQL condition that hides what a principal may
not see (:func:`hidden_from`), and the record of who read what restricted object (``read_audit``).

A compartment row is written once per distinct (marking, teams, recipients) and never changed; objects point
at it by id (``compartment`` columns, NULL for an open object). Resolving what a principal may see reads the
compartments (few) and the principal's teams: :meth:`AccessStore.access` does it once per request.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.sql.elements import ColumnElement

from forewarn.model.marking import EVERYTHING, Access, Compartment, visible_to
from forewarn.model.principal import Principal, PrincipalKind
from forewarn.store import schema as t
from forewarn.store.core import StoreCore


def hidden_from(column: Any, access: Access) -> list[ColumnElement[bool]]:
    """The condition that keeps rows of ``column`` (a ``compartment`` column) that ``access`` may see: none at
    all when nothing is hidden from it, so an unrestricted read costs nothing."""
    if not access.hidden:
        return []
    return [column.is_(None) | column.not_in(sorted(access.hidden))]


def compartment_of(r: Any) -> Compartment:
    """A ``compartments`` row as a compartment."""
    return Compartment.of(r.marking, _split(r.teams), _split(r.recipients))


def _split(text: str | None) -> list[str]:
    return [p for p in (text or "").split(",") if p]


class AccessStore(StoreCore):
    """Teams, members, compartments and the read audit."""

    def access(self, who: Principal) -> Access:
        """What ``who`` may see: everything for forewarn itself; else the compartments its teams and name open."""
        if who.kind is PrincipalKind.SYSTEM:
            return EVERYTHING
        with self.engine.connect() as conn:
            teams = frozenset(self._teams_of(conn, who.name))
            rows = conn.execute(select(t.compartments)).all()
        hidden = frozenset(r.id for r in rows if not visible_to(compartment_of(r), who.name, teams))
        return Access(who.name, teams, hidden)

    def teams_of(self, name: str) -> list[str]:
        with self.engine.connect() as conn:
            return self._teams_of(conn, name)

    def _teams_of(self, conn: Connection, name: str) -> list[str]:
        m = t.team_members.c
        return list(conn.execute(select(m.team_id).where(m.account == name.strip().lower())
                                 .order_by(m.team_id)).scalars())

    def compartment_id(self, conn: Connection, c: Compartment) -> int | None:
        """The id of ``c`` (written the first time it is used); None for an open compartment."""
        if c.open:
            return None
        k = t.compartments.c
        found = conn.execute(select(k.id).where(k.key == c.key)).scalar()
        if found is not None:
            return int(found)
        row = {"key": c.key, "marking": c.marking.value, "teams": ",".join(c.teams),
               "recipients": ",".join(c.recipients)}
        key = conn.execute(t.compartments.insert().values(**row)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def compartments(self, ids: Iterable[int | None]) -> dict[int, Compartment]:
        """The compartments of these ids (None and unknown ids left out)."""
        wanted = sorted({i for i in ids if i is not None})
        if not wanted:
            return {}
        k = t.compartments.c
        with self.engine.connect() as conn:
            return {r.id: compartment_of(r) for r in conn.execute(select(t.compartments).where(k.id.in_(wanted)))}

    def record_reads(self, access: Access, items: Sequence[tuple[str, str, int]], via: str, at: datetime) -> None:
        """Who read which AMBER or RED object (kind, id, compartment id), and by which way out (page, API, CLI)."""
        if not items or access.everything:
            return
        rows = [{"at": at, "account": access.name, "kind": kind, "object_id": oid, "compartment": cid, "via": via}
                for kind, oid, cid in dict.fromkeys(items)]
        with self._write("recording who read restricted objects") as conn:
            conn.execute(t.read_audit.insert(), rows)
