"""The store's entities: lists with their event counts, and curation by hand (merges, their undoing,
edits), each one transaction that keeps the participant facts of events and of claimed events in step."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, bindparam, distinct, func, or_, select, union_all, update
from sqlalchemy.sql.elements import ColumnElement

from forewarn.errors import Code, ForewarnError, InvalidArgument, NotFound
from forewarn.model.extraction import Sector
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.records import EntityMerge, EntityRecord
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.core import StoreCore, chunks
from forewarn.store.queries import entity_kind, entity_matches, visible_entity


class EntityCuration(StoreCore):
    def list_entities(self, kind: str | None = None, search: str | None = None, limit: int = 100,
                      include_merged: bool = False, access: Access = EVERYTHING) -> list[EntityRecord]:
        """Entities with the number of events their merge group takes part in, most active first.
        ``search``: case-insensitive substring of id, name or an alias. Merged entities are left
        out unless ``include_merged``."""
        e = t.entities.c
        conds: list[ColumnElement[bool]] = []
        if kind is not None:
            conds.append(e.kind == entity_kind(kind))
        if search:
            conds.append(entity_matches(search, ids_too=True))
        if not include_merged:
            conds.append(e.merged_into.is_(None))
        return self._entity_records(conds, limit, access)

    def get_entity(self, entity_id: str, access: Access = EVERYTHING) -> EntityRecord:
        """One entity; one ``access`` may not see (only hidden holdings name it) is as missing."""
        found = self._entity_records([t.entities.c.id == entity_id], 1, access)
        if not found:
            raise NotFound(f"no entity {entity_id!r}", hint="`forewarn entities list --search NAME` finds entity ids")
        return found[0]

    def _entity_records(self, conds: list[ColumnElement[bool]], limit: int, access: Access = EVERYTHING
                        ) -> list[EntityRecord]:
        e, a = t.entities.c, t.entity_aliases.c
        counts = _event_counts(access)
        n = func.coalesce(counts.c.n, 0).label("n_events")
        q = (select(t.entities, n).select_from(t.entities.outerjoin(counts, counts.c.canonical_id == e.canonical_id))
             .where(*conds, *visible_entity(e.canonical_id, access), *visible_entity(e.id, access, group=False))
             .order_by(n.desc(), e.name, e.id).limit(limit))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
            ids = [r.id for r in rows]
            aliases: dict[str, list[str]] = {}
            members: dict[str, list[str]] = {}
            for chunk in chunks(ids):
                for r in conn.execute(select(a.entity_id, a.alias).where(a.entity_id.in_(chunk))
                                      .order_by(a.entity_id, a.alias)):
                    aliases.setdefault(r.entity_id, []).append(r.alias)
                merged = [e.canonical_id.in_(chunk), e.id != e.canonical_id, *visible_entity(e.id, access, group=False)]
                for r in conn.execute(select(e.id, e.canonical_id).where(*merged).order_by(e.id)):
                    members.setdefault(r.canonical_id, []).append(r.id)
        return [_entity_record(r, aliases.get(r.id, ()), members.get(r.id, ())) for r in rows]

    def _entity_row_of(self, conn: Connection, entity_id: str) -> Any:
        row = conn.execute(select(t.entities).where(t.entities.c.id == entity_id)).first()
        if row is None:
            raise NotFound(f"no entity {entity_id!r}", hint="`forewarn entities list --search NAME` finds entity ids")
        return row

    def merge_entities(self, from_id: str, into_id: str, actor: str, now: datetime, note: str | None = None) -> int:
        """Merge ``from_id`` (and whatever was merged into it) into ``into_id``; returns the merge's id.
        A chain resolves to its end: merging A into B, then B into C, makes C canonical for all three."""
        e = t.entities.c
        with self._write() as conn:
            src, dst = self._entity_row_of(conn, from_id), self._entity_row_of(conn, into_id)
            _check_merge(src, dst)
            conn.execute(update(t.entities).where(e.id == from_id).values(merged_into=into_id, updated_at=now))
            conn.execute(update(t.entities).where(e.canonical_id == from_id).values(canonical_id=dst.canonical_id))
            result = conn.execute(t.entity_merges.insert().values(from_id=from_id, into_id=into_id, actor=actor,
                                                                  at=now, note=note))
            self._refresh_participants(conn, [dst.canonical_id])
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def undo_merge(self, merge_id: int, actor: str, now: datetime) -> EntityMerge:
        """Undo a merge: the merged entity (with what was merged into it) stands alone again."""
        e = t.entities.c
        with self._write() as conn:
            merge = self._merge_row_of(conn, merge_id)
            if merge.undone_at is not None:
                raise _conflict(f"merge {merge_id} was undone already, by {merge.undone_by}",
                                hint="`forewarn entities merges` shows the log")
            group = self._entity_row_of(conn, merge.from_id).canonical_id
            conn.execute(update(t.entities).where(e.id == merge.from_id).values(merged_into=None, updated_at=now))
            self._recanonicalise(conn, group)
            m = t.entity_merges.c
            conn.execute(update(t.entity_merges).where(m.id == merge_id).values(undone_by=actor, undone_at=now))
            self._refresh_participants(conn, [group, merge.from_id])
            return _merge(self._merge_row_of(conn, merge_id))

    def _merge_row_of(self, conn: Connection, merge_id: int) -> Any:
        row = conn.execute(select(t.entity_merges).where(t.entity_merges.c.id == merge_id)).first()
        if row is None:
            raise NotFound(f"no entity merge {merge_id}", hint="`forewarn entities merges` lists them")
        return row

    def _recanonicalise(self, conn: Connection, group: str) -> None:
        """Recompute the canonical id of every member of a former merge group."""
        e = t.entities.c
        parent = {r.id: r.merged_into for r in conn.execute(select(e.id, e.merged_into).where(e.canonical_id == group))}
        moved = [{"b_id": i, "b_canonical": c} for i in sorted(parent) if (c := _chain_end(i, parent)) != group]
        if moved:
            conn.execute(update(t.entities).where(e.id == bindparam("b_id"))
                         .values(canonical_id=bindparam("b_canonical")), moved)

    def _refresh_participants(self, conn: Connection, groups: list[str]) -> None:
        """Events, and the events claims are about, record their participants' country and sector as the
        canonical entity has them: bring them up to date for the members of these merge groups."""
        members = select(t.entities.c.id).where(t.entities.c.canonical_id.in_(groups))
        for table, role, fields in _PARTICIPANT_COLUMNS:
            who = table.c[f"{role}_entity_id"]
            conn.execute(update(table).where(who.in_(members)).values(
                {f"{role}_{field}": _resolved(who, field) for field in fields}))

    def edit_entity(self, entity_id: str, *, actor: str, now: datetime, name: str | None = None,
                    country: str | None = None, sector: str | None = None, add_aliases: Sequence[str] = (),
                    remove_aliases: Sequence[str] = ()) -> EntityRecord:
        """Edit an entity by hand. It becomes origin 'user': later extractions leave it (and its
        aliases) as the person left it."""
        values = _entity_edit(name, country, sector)
        a = t.entity_aliases.c
        with self._write() as conn:
            row = self._entity_row_of(conn, entity_id)
            held = set(conn.execute(select(a.alias).where(a.entity_id == entity_id)).scalars())
            absent = [x for x in remove_aliases if x not in held]
            if absent:
                raise NotFound(f"entity {entity_id!r} has no alias {absent[0]!r}",
                               hint=f"its aliases: {', '.join(sorted(held)) or '(none)'}")
            conn.execute(update(t.entities).where(t.entities.c.id == entity_id)
                         .values(origin="user", updated_at=now, updated_by=actor, **values))
            for chunk in chunks(list(remove_aliases)):
                conn.execute(t.entity_aliases.delete().where(a.entity_id == entity_id, a.alias.in_(chunk)))
            added = sorted({x.strip() for x in add_aliases if x.strip()} - held)
            self._insert(conn, t.entity_aliases, [{"entity_id": entity_id, "alias": x} for x in added])
            if "country" in values or "sector" in values:
                self._refresh_participants(conn, [row.canonical_id])
        return self.get_entity(entity_id)

    def list_merges(self, entity_id: str | None = None, limit: int = 100, access: Access = EVERYTHING
                    ) -> list[EntityMerge]:
        """The merge log, newest first; ``entity_id``: the merges from or into it (those of entities hidden
        from ``access`` left out)."""
        m = t.entity_merges.c
        q = (select(t.entity_merges).where(*visible_entity(m.from_id, access, group=False),
                                           *visible_entity(m.into_id, access, group=False))
             .order_by(m.id.desc()).limit(limit))
        if entity_id is not None:
            q = q.where(or_(m.from_id == entity_id, m.into_id == entity_id))
        with self.engine.connect() as conn:
            return [_merge(r) for r in conn.execute(q)]

    def get_merge(self, merge_id: int) -> EntityMerge:
        with self.engine.connect() as conn:
            return _merge(self._merge_row_of(conn, merge_id))


# Where a participant's country and sector are copied from its entity: (table, column prefix, fields).
_PARTICIPANT_COLUMNS: tuple[tuple[Table, str, tuple[str, ...]], ...] = (
    (t.events, "actor", ("country", "sector")), (t.events, "recipient", ("country", "sector")),
    (t.claims, "claimed_actor", ("country", "sector")), (t.claims, "claimed_recipient", ("country",)))


def _resolved(entity_id: Any, field: str) -> Any:
    """The canonical entity's value of ``field`` (the entity's own where the canonical has none)."""
    own, canon = t.entities.alias("own"), t.entities.alias("canon")
    return (select(func.coalesce(canon.c[field], own.c[field]))
            .select_from(own.join(canon, canon.c.id == own.c.canonical_id))
            .where(own.c.id == entity_id).scalar_subquery())


def _event_counts(access: Access = EVERYTHING) -> Any:
    """Per merge group (canonical id): how many events (those ``access`` may see), negated ones left out, its
    members take part in."""
    ev, e = t.events.c, t.entities.c
    roles = union_all(*(select(ev.id.label("event_id"), ev[f"{role}_entity_id"].label("entity_id"))
                        .where(ev[f"{role}_entity_id"].is_not(None), ev.negated.is_(False),
                               *hidden_from(ev.compartment, access))
                        for role in ("actor", "recipient"))).subquery()
    return (select(e.canonical_id, func.count(distinct(roles.c.event_id)).label("n"))
            .select_from(roles.join(t.entities, e.id == roles.c.entity_id)).group_by(e.canonical_id).subquery())


def _entity_record(r: Any, aliases: Iterable[str], members: Iterable[str]) -> EntityRecord:
    return EntityRecord(id=r.id, name=r.name, kind=r.kind, country=r.country, sector=r.sector, origin=r.origin,
                        merged_into=r.merged_into, canonical_id=r.canonical_id, aliases=tuple(aliases),
                        updated_at=r.updated_at, updated_by=r.updated_by, events=r.n_events, members=tuple(members))


def _merge(r: Any) -> EntityMerge:
    return EntityMerge(id=r.id, from_id=r.from_id, into_id=r.into_id, actor=r.actor, at=r.at, note=r.note,
                       undone_by=r.undone_by, undone_at=r.undone_at)


def _conflict(message: str, hint: str = "") -> ForewarnError:
    return ForewarnError(message, hint=hint, code=Code.ENTITY_CONFLICT)


def _check_merge(src: Any, dst: Any) -> None:
    if src.id == dst.id:
        raise _conflict(f"cannot merge entity {src.id!r} into itself")
    undo = "undo that merge first (`forewarn entities merges` shows its id, `forewarn entities unmerge ID`)"
    if src.merged_into is not None:
        raise _conflict(f"entity {src.id!r} is merged into {src.merged_into!r} already", hint=undo)
    if dst.canonical_id == src.id:
        raise _conflict(f"entity {dst.id!r} is merged into {src.id!r}: merging back would make a cycle", hint=undo)


def _chain_end(entity_id: str, parent: dict[str, str | None]) -> str:
    seen = {entity_id}
    while (nxt := parent.get(entity_id)) is not None and nxt not in seen:
        seen.add(nxt)
        entity_id = nxt
    return entity_id


def _entity_edit(name: str | None, country: str | None, sector: str | None) -> dict[str, str]:
    """The columns a hand edit sets, checked."""
    values: dict[str, str] = {}
    if name is not None:
        if not name.strip():
            raise InvalidArgument("an entity name cannot be empty")
        values["name"] = name.strip()
    if country is not None:
        code = country.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise InvalidArgument(f"country {country!r} is not a three-letter code",
                                  hint="use ISO 3166 alpha-3 (UKR, RUS) or IGO")
        values["country"] = code
    if sector is not None:
        try:
            values["sector"] = Sector(sector.lower()).value
        except ValueError:
            raise InvalidArgument(f"unknown sector {sector!r}",
                                  hint=f"sectors: {', '.join(s.value for s in Sector)}") from None
    return values
