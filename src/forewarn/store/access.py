"""Teams, their members, and compartments in the store; the one SQL condition that hides what a principal may
not see (:func:`hidden_from`), the batched lookup of which cited documents, events and sources a principal may
not see (:func:`hidden_among`, and :func:`seen_signals`: the signals resting on none of them; detect and reads both
use it, so a page checks its signals once), and the record of who read what restricted object (``read_audit``).

A compartment row is written once per distinct (marking, teams, recipients) and never changed; objects point
at it by id (``compartment`` columns, NULL for an open object). Resolving what a principal may see reads the
compartments (few) and the principal's teams: :meth:`AccessStore.access` does it once per request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.sql.elements import ColumnElement

from forewarn.model import Signal
from forewarn.model.marking import EVERYTHING, Access, Compartment, visible_to
from forewarn.model.principal import Principal, PrincipalKind
from forewarn.store import schema as t
from forewarn.store.core import StoreCore, among


def hidden_from(column: Any, access: Access) -> list[ColumnElement[bool]]:
    """The condition that keeps rows of ``column`` (a ``compartment`` column) that ``access`` may see: none at
    all when nothing is hidden from it, so an unrestricted read costs nothing."""
    if not access.hidden:
        return []
    return [column.is_(None) | column.not_in(sorted(access.hidden))]


def hidden_among(conn: Connection, access: Access, *, documents: Iterable[str] = (), events: Iterable[str] = (),
                 sources: Iterable[str] = ()) -> frozenset[str]:
    """Which of these documents, events and sources ``access`` may not see: one query per table asked about (and
    per IN chunk), none at all when nothing is hidden from it. The one lookup both detect and reads use."""
    if not access.restricted:
        return frozenset()
    hidden = sorted(access.hidden)
    return frozenset(str(i) for table, ids in ((t.documents, documents), (t.events, events), (t.sources, sources))
                     for i in hidden_in(conn, table, sorted(set(ids)), hidden))


def hidden_in(conn: Connection, table: Any, ids: list[Any], hidden: list[int]) -> list[Any]:
    """The ids of ``table`` (any table with ``id`` and ``compartment``) among ``ids`` whose compartment is one of
    ``hidden``."""
    c = table.c
    return [r.id for cond in among(conn, c.id, ids)
            for r in conn.execute(select(c.id, c.compartment).where(cond, c.compartment.in_(hidden)))]


SignalLike = TypeVar("SignalLike", bound=Mapping[str, Any] | Signal)


def rests_on(sig: Mapping[str, Any] | Signal) -> list[str]:
    """The documents, events and sources a signal (stored JSON or computed) rests on."""
    return [*cited(sig, "document_ids"), *cited(sig, "event_ids"), *cited(sig, "source_ids")]


def cited(sig: Mapping[str, Any] | Signal, key: str) -> list[str]:
    """The ids a signal cites under ``key`` (``document_ids``, ``event_ids`` or ``source_ids``)."""
    value = getattr(sig, key) if isinstance(sig, Signal) else sig.get(key)
    return [str(v) for v in (value or ())]


def seen_signals(conn: Connection, signals: Sequence[SignalLike], access: Access) -> tuple[list[SignalLike], int]:
    """The signals ``access`` may see, and how many it may not: a signal resting on any document, event or
    source hidden from it is hidden whole (one :func:`hidden_among` for all of them; none when nothing is)."""
    if not access.restricted or not signals:
        return list(signals), 0
    hidden = hidden_under(conn, signals, access)
    kept = [s for s in signals if hidden.isdisjoint(rests_on(s))]
    return kept, len(signals) - len(kept)


def hidden_under(conn: Connection, signals: Sequence[Mapping[str, Any] | Signal], access: Access) -> frozenset[str]:
    """The documents, events and sources these signals rest on that ``access`` may not see (one lookup)."""
    return hidden_among(conn, access, documents=[i for s in signals for i in cited(s, "document_ids")],
                        events=[i for s in signals for i in cited(s, "event_ids")],
                        sources=[i for s in signals for i in cited(s, "source_ids")])


def compartment_of(r: Any) -> Compartment:
    """A ``compartments`` row as a compartment."""
    return Compartment.of(r.marking, _split(r.teams), _split(r.recipients))


def _split(text: str | None) -> list[str]:
    return [p for p in (text or "").split(",") if p]


def account_access(conn: Connection, name: str) -> Access:
    """What the account ``name`` may see, read on ``conn``: its teams, and the compartments they and its name
    do not open (the one resolution of :meth:`AccessStore.access` and of a notification's recipient)."""
    m = t.team_members.c
    teams = frozenset(conn.execute(select(m.team_id).where(m.account == name.strip().lower())).scalars())
    rows = conn.execute(select(t.compartments)).all()
    return Access(name, teams, frozenset(r.id for r in rows if not visible_to(compartment_of(r), name, teams)))


def compartments_on(conn: Connection, ids: Iterable[int | None]) -> dict[int, Compartment]:
    """The compartments of these ids (None and unknown ids left out), read on ``conn``."""
    wanted = sorted({i for i in ids if i is not None})
    if not wanted:
        return {}
    k = t.compartments.c
    return {r.id: compartment_of(r) for r in conn.execute(select(t.compartments).where(k.id.in_(wanted)))}


class AccessStore(StoreCore):
    """Teams, members, compartments and the read audit."""

    def access(self, who: Principal) -> Access:
        """What ``who`` may see: everything for forewarn itself; else the compartments its teams and name open."""
        if who.kind is PrincipalKind.SYSTEM:
            return EVERYTHING
        with self.engine.connect() as conn:
            return account_access(conn, who.name)

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
        with self.engine.connect() as conn:
            return compartments_on(conn, ids)

    def record_reads(self, access: Access, items: Sequence[tuple[str, str, int]], via: str, at: datetime) -> None:
        """Who read which AMBER or RED object (kind, id, compartment id), and by which way out (page, API, CLI)."""
        if not items or access.everything:
            return
        rows = [{"at": at, "account": access.name, "kind": kind, "object_id": oid, "compartment": cid, "via": via}
                for kind, oid, cid in dict.fromkeys(items)]
        with self._write("recording who read restricted objects") as conn:
            conn.execute(t.read_audit.insert(), rows)
