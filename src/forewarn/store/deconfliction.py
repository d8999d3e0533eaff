"""The store's deconfliction reads and writes (issue 18; migration 0021): what a team's holdings say (documents in
a compartment with owning teams, and their mentions, claims and events), the selectors each team holds, their
matches across teams, the brokered requests to talk, the runs' watermark and the exchanges with other
installations. Functions over a connection: the desk (:mod:`forewarn.warn.deconfliction`) holds the
transaction and the ledger entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, or_, select

from forewarn.store import schema as t

S, MT, RQ = t.deconfliction_selectors.c, t.deconfliction_matches.c, t.deconfliction_requests.c
CHUNK = 500
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Holding:
    """One document of a team's holdings and what its extraction found."""

    document_id: str
    teams: tuple[str, ...]
    text: str
    entities: tuple[tuple[str, str, str | None, str], ...]  # canonical id, kind, sector, name
    places: tuple[tuple[float, float, dt.date], ...]


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def watermark(conn: Connection) -> datetime:
    """Until when the holdings were matched (the last run's time; the epoch before the first run)."""
    r = t.deconfliction_runs.c
    last = conn.execute(select(func.max(r.checked_until))).scalar()
    return last if last is not None else EPOCH


def record_run(conn: Connection, until: datetime, at: datetime, selectors: int, matches: int) -> None:
    conn.execute(t.deconfliction_runs.insert().values(checked_until=until, ran_at=at, selectors=selectors,
                                                      matches=matches))


def holdings(conn: Connection, since: datetime, until: datetime) -> Iterator[Holding]:
    """The documents owned by a team that were ingested or (re-)extracted after ``since`` and by ``until``, read
    500 at a time (their texts are not all held at once)."""
    d, c, x = t.documents.c, t.compartments.c, t.extractions.c
    fresh = or_((d.ingested_at > since) & (d.ingested_at <= until),
                d.id.in_(select(x.document_id).where(x.extracted_at > since, x.extracted_at <= until)))
    rows = conn.execute(select(d.id, c.teams).join(t.compartments, c.id == d.compartment)
                        .where(c.teams != "", fresh).order_by(d.id)).all()
    for part in _chunks(rows):
        ids = [r.id for r in part]
        texts: dict[str, str] = {r[0]: r[1] for r in conn.execute(select(d.id, d.text).where(d.id.in_(ids)))}
        ents, places = _entities_of(conn, ids), _places_of(conn, ids)
        yield from (Holding(r.id, tuple(p for p in r.teams.split(",") if p), texts[r.id], tuple(ents.get(r.id, ())),
                            tuple(places.get(r.id, ()))) for r in part)


def _entities_of(conn: Connection, ids: Sequence[str]) -> dict[str, list[tuple[str, str, str | None, str]]]:
    m, cl, ev = t.mentions.c, t.claims.c, t.events.c
    pairs: set[tuple[str, str]] = set()
    pairs |= {(r[0], r[1]) for r in conn.execute(select(m.document_id, m.entity_id).where(m.document_id.in_(ids)))}
    pairs |= {(r[0], r[1]) for r in conn.execute(select(cl.document_id, cl.speaker_entity_id).where(
        cl.document_id.in_(ids), cl.speaker_entity_id.is_not(None)))}
    for col in (ev.actor_entity_id, ev.recipient_entity_id):
        pairs |= {(r[0], r[1]) for r in conn.execute(select(ev.document_id, col).where(
            ev.document_id.in_(ids), col.is_not(None)))}
    canon = _canonical(conn, sorted({e for _, e in pairs}))
    out: dict[str, list[tuple[str, str, str | None, str]]] = {}
    for doc, eid in sorted(pairs):
        if eid in canon and canon[eid] not in out.setdefault(doc, []):
            out[doc].append(canon[eid])
    return out


def _canonical(conn: Connection, ids: Sequence[str]) -> dict[str, tuple[str, str, str | None, str]]:
    """Each entity id's canonical entity (id, kind, sector, name)."""
    e = t.entities.c
    head = t.entities.alias("head")
    found: dict[str, tuple[str, str, str | None, str]] = {}
    for part in _chunks(ids):
        q = select(e.id, head.c.id, head.c.kind, head.c.sector, head.c.name).join(
            head, head.c.id == e.canonical_id).where(e.id.in_(part))
        found |= {r[0]: (r[1], r[2], r[3], r[4]) for r in conn.execute(q)}
    return found


def _places_of(conn: Connection, ids: Sequence[str]) -> dict[str, list[tuple[float, float, dt.date]]]:
    ev = t.events.c
    out: dict[str, list[tuple[float, float, dt.date]]] = {}
    for r in conn.execute(select(ev.document_id, ev.place_lat, ev.place_lon, ev.date).distinct().where(
            ev.document_id.in_(ids), ev.place_lat.is_not(None), ev.place_lon.is_not(None), ev.negated.is_(False))):
        out.setdefault(r[0], []).append((r[1], r[2], r[3]))
    return out


def team_keys(conn: Connection, team: str, keys: Iterable[str]) -> dict[str, Row[Any]]:
    """A team's selector rows among ``keys``, by key."""
    wanted, found = sorted(set(keys)), dict[str, Row[Any]]()
    for part in _chunks(wanted):
        found |= {r.key: r for r in conn.execute(select(t.deconfliction_selectors).where(
            S.team_id == team, S.key.in_(part)))}
    return found


def insert_selectors(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    conn.execute(t.deconfliction_selectors.insert(), list(rows))


def insert_selector(conn: Connection, row: dict[str, Any]) -> int:
    return int(conn.execute(t.deconfliction_selectors.insert().values(row).returning(S.id)).scalar_one())


def others_holding(conn: Connection, keys: Iterable[str]) -> list[Row[Any]]:
    """The selectors held under any of ``keys``, not excluded."""
    wanted, found = sorted(set(keys)), list[Row[Any]]()
    for part in _chunks(wanted):
        found += conn.execute(select(t.deconfliction_selectors).where(
            S.key.in_(part), S.excluded_at.is_(None)).order_by(S.id)).all()
    return found


def insert_match(conn: Connection, a: int, b: int, at: datetime, salt: str) -> int:
    return int(conn.execute(t.deconfliction_matches.insert().values(
        selector_a=a, selector_b=b, found_at=at, salt=salt, excluded=False).returning(MT.id)).scalar_one())


def selector(conn: Connection, selector_id: int) -> Row[Any] | None:
    return conn.execute(select(t.deconfliction_selectors).where(S.id == selector_id)).first()


def match_sides(conn: Connection, match_id: int) -> tuple[Row[Any], Row[Any], Row[Any]] | None:
    """A match and its two selectors (None: no such match)."""
    m = conn.execute(select(t.deconfliction_matches).where(MT.id == match_id)).first()
    if m is None:
        return None
    a, b = selector(conn, m.selector_a), selector(conn, m.selector_b)
    assert a is not None and b is not None
    return m, a, b


def matches_of(conn: Connection, teams: Iterable[str]) -> list[tuple[Row[Any], Row[Any], Row[Any]]]:
    """The matches one of whose sides is held by one of ``teams`` (newest first), with both selectors."""
    mine = sorted(set(teams))
    if not mine:
        return []
    ids = select(S.id).where(S.team_id.in_(mine))
    rows = conn.execute(select(t.deconfliction_matches).where(
        or_(MT.selector_a.in_(ids), MT.selector_b.in_(ids))).order_by(MT.found_at.desc(), MT.id.desc())).all()
    sel = {r.id: r for part in _chunks(sorted({x for m in rows for x in (m.selector_a, m.selector_b)}))
           for r in conn.execute(select(t.deconfliction_selectors).where(S.id.in_(part)))}
    return [(m, sel[m.selector_a], sel[m.selector_b]) for m in rows]


def requests_of(conn: Connection, match_ids: Sequence[int]) -> dict[int, list[Row[Any]]]:
    out: dict[int, list[Row[Any]]] = {}
    for part in _chunks(list(match_ids)):
        for r in conn.execute(select(t.deconfliction_requests).where(RQ.match_id.in_(part)).order_by(RQ.id)):
            out.setdefault(r.match_id, []).append(r)
    return out


def request(conn: Connection, request_id: int) -> Row[Any] | None:
    return conn.execute(select(t.deconfliction_requests).where(RQ.id == request_id)).first()


def members(conn: Connection, team: str) -> list[str]:
    m = t.team_members.c
    return list(conn.execute(select(m.account).where(m.team_id == team).order_by(m.account)).scalars())


def team_names(conn: Connection, teams: Iterable[str]) -> dict[str, str]:
    k = t.teams.c
    return {r.id: r.name for r in conn.execute(select(k.id, k.name).where(k.id.in_(sorted(set(teams)))))}


def held_keys(conn: Connection, teams: Sequence[str] | None) -> dict[str, str]:
    """The keys (not excluded) of these teams' selectors (every team's when None), each with one written form."""
    q = select(S.key, S.shown).where(S.excluded_at.is_(None)).order_by(S.key, S.id)
    if teams is not None:
        q = q.where(S.team_id.in_(sorted(teams)))
    out: dict[str, str] = {}
    for r in conn.execute(q):
        out.setdefault(r.key, r.shown)
    return out


def exchanges_with(conn: Connection, peer: str, step: str) -> list[Row[Any]]:
    x = t.deconfliction_exchanges.c
    return list(conn.execute(select(t.deconfliction_exchanges).where(x.peer == peer, x.step == step)).all())


def record_exchange(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(t.deconfliction_exchanges.insert().values(row))
