"""The deconfliction desk (``ws.deconfliction``): selectors from each team's holdings matched across teams, the
owners told without being shown anything, brokered requests to talk, and selectors not to be matched.

:meth:`DeconflictionDesk.run` (``forewarn deconflict run``, and each warning cycle) reads the documents owned by a
team that were ingested or extracted since the last run (the watermark), finds their selectors
(:mod:`forewarn.warn.deconfliction.finders`), keeps each team's new ones, and matches each new selector against
the selectors other teams hold (a place cell: its neighbours in space and by one week). A new match is ledgered
(``deconfliction-matched``) and each side's team members get one notice per run: "another team holds reporting
on a selector your team holds" — no selector, no content, no source, no count, not which team.

Each team sees only its own matches and its selector as it holds it (:meth:`listing`). A member may ask to talk
(``deconfliction-requested``); the other team's members see the request, not who asked, and accept (both sides
then see each other's team name and the requester's and answerer's names: ``deconfliction-accepted``) or decline
(nothing revealed: ``deconfliction-declined``). A member may mark one of the team's selectors not to be matched
(``deconfliction-excluded``): it is never matched again; its existing matches stay, marked. Ledger payloads carry
salted commitments to the teams and the selectors (:func:`forewarn.model.judgment.commitment`), never the values,
so the ledger view tells a third party nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Connection, Row, select

from forewarn.config import Settings
from forewarn.errors import Forbidden, InvalidArgument, NotFound
from forewarn.geo.selectors import normalise
from forewarn.ledger.service import LedgerService
from forewarn.model import Principal, Role
from forewarn.model.judgment import commitment, new_salt
from forewarn.store import SqlStore
from forewarn.store import deconfliction as q
from forewarn.store import schema as t
from forewarn.warn.deconfliction.finders import Held, distinct, entity, in_text, place_week, reading_keys
from forewarn.warn.notify import queue_notice
from forewarn.warn.policy import Policy

NOTICE = "deconfliction"  # the notices' reason (the outbox keeps 16 characters)
URL = "/deconfliction"
OVERLAP = timedelta(minutes=10)  # each run re-reads this much before the watermark: a write that committed late
STATES = ("open", "accepted", "declined")


@dataclass(frozen=True)
class RunReport:
    """What one run found: selectors new to their team, and new matches."""

    until: datetime
    documents: int
    selectors: int
    matches: int


@dataclass(frozen=True)
class Talk:
    """A request to talk about a match, as one side sees it."""

    id: int
    direction: str  # "sent" (this team asked) or "received"
    state: str
    requested_at: datetime
    answered_at: datetime | None
    other_team: str | None  # revealed on acceptance only
    requested_by: str | None  # the requester's own side, or on acceptance
    answered_by: str | None  # on acceptance (or the answerer's own side)


@dataclass(frozen=True)
class MatchView:
    """A match as one of its teams sees it: its own selector as it holds it, nothing of the other side's."""

    id: int
    team: str
    kind: str
    shown: str
    found_at: datetime
    excluded: bool
    talks: tuple[Talk, ...]


def selector_commitment(key: str, salt: str) -> str:
    return commitment("deconfliction-selector", key, salt)


def team_commitment(team: str, salt: str) -> str:
    return commitment("deconfliction-team", team, salt)


def selectors_of(h: q.Holding, region: str | None) -> list[Held]:
    """Every selector a holding names: in its text, its canonical entities, its events' place cells by week."""
    found = in_text(h.text, region)
    for canonical_id, kind, sector, name in h.entities:
        found += entity(canonical_id, kind, sector, name)
    found += [p for lat, lon, day in h.places if (p := place_week(lat, lon, day)) is not None]
    return distinct(found)


@dataclass(frozen=True)
class DeconflictionDesk:
    store: SqlStore
    settings: Settings
    clock: Callable[[], datetime]
    who: Principal
    ledger: LedgerService

    # -- matching

    def run(self, at: datetime | None = None) -> RunReport:
        """Match the holdings new since the last run (analyst or above; the system in the cycle)."""
        self.who.require(Role.ANALYST, "run deconfliction")  # the system principal is an admin
        until = at or self.clock()
        with self.store.transaction() as conn:
            since = q.watermark(conn)
            if since >= until:
                return RunReport(since, 0, 0, 0)
            read, new = self._keep(conn, q.holdings(conn, since - OVERLAP, until), until)
            matched = self._match(conn, new, until)
            q.record_run(conn, until, self.clock(), len(new), len(matched))
            self._tell(conn, matched, until)
            return RunReport(until, read, len(new), len(matched))

    def _keep(self, conn: Connection, found: Iterable[q.Holding], at: datetime) -> tuple[int, list[Row[Any]]]:
        """Each team's selectors not held before, stored; returns how many documents were read and the new rows
        that may be matched."""
        by_team: dict[str, dict[str, Held]] = {}
        region, read = self.settings.deconfliction_phone_region or None, 0
        for h in found:
            read += 1
            sel = selectors_of(h, region)
            for team in h.teams:
                bucket = by_team.setdefault(team, {})
                for s in sel:
                    bucket.setdefault(s.key, s)
        new: list[Row[Any]] = []
        for team, held in sorted(by_team.items()):
            have = q.team_keys(conn, team, held)
            keys = [key for key in sorted(held) if key not in have]
            if keys:
                q.insert_selectors(conn, [{"team_id": team, "kind": held[k].kind, "key": k,
                                           "shown": held[k].shown[:500], "found_at": at, "salt": new_salt()}
                                          for k in keys])
                new += q.team_keys(conn, team, keys).values()
        return read, new

    def _match(self, conn: Connection, new: Sequence[Row[Any]], at: datetime) -> list[tuple[int, Row[Any], Row[Any]]]:
        """Each new selector against the selectors other teams hold under a key it is matched by (one query per
        500 keys; a new selector is in no match yet); two written forms meet once, however many readings they
        share."""
        wanting: dict[str, list[Row[Any]]] = {}
        for s in new:
            for key in Held(s.kind, s.key, s.shown).matched_by():
                wanting.setdefault(key, []).append(s)
        made: list[tuple[int, Row[Any], Row[Any]]] = []
        seen: set[tuple[tuple[str, str, str], ...]] = set()
        for other in q.others_holding(conn, wanting):
            for s in wanting[other.key]:
                a, b = (s, other) if s.id < other.id else (other, s)
                if s.team_id != other.team_id and (pair := _written_pair(a, b)) not in seen:
                    seen.add(pair)
                    made.append((self._record_match(conn, a, b, at), a, b))
        return made

    def _record_match(self, conn: Connection, a: Row[Any], b: Row[Any], at: datetime) -> int:
        salt = new_salt()
        mid = q.insert_match(conn, a.id, b.id, at, salt)
        self.ledger.append(conn, "deconfliction-matched", f"deconfliction-match:{mid}", {
            "match": mid, "teams": sorted([team_commitment(a.team_id, salt), team_commitment(b.team_id, salt)]),
            "selectors": sorted([selector_commitment(a.key, salt), selector_commitment(b.key, salt)])})
        return mid

    def _tell(self, conn: Connection, matched: Sequence[tuple[int, Row[Any], Row[Any]]], at: datetime) -> None:
        """One notice per team with new matches, to its members: no selector, no count, not which team."""
        for team in sorted({s.team_id for _, a, b in matched for s in (a, b)}):
            self._notify(conn, team, "Another team holds reporting on a selector your team holds",
                         "Another team holds reporting on a selector your team holds. See which of your selectors "
                         f"and ask to talk: {URL}", at)

    def _notify(self, conn: Connection, team: str, title: str, text: str, at: datetime) -> None:
        people = q.members(conn, team)
        if people:
            queue_notice(conn, Policy.from_settings(self.settings), NOTICE, "deconfliction", people,
                         {"title": title, "text": text, "url": URL}, at)

    # -- what a team sees

    def listing(self) -> list[MatchView]:
        """The matches of the asker's teams, each as its team holds it (newest first)."""
        with self.store.engine.connect() as conn:
            mine = frozenset(self.store.teams_of(self.who.name))
            rows = q.matches_of(conn, mine)
            talks = q.requests_of(conn, [m.id for m, _, _ in rows])
            names = q.team_names(conn, {r.from_team for rs in talks.values() for r in rs}
                                 | {r.to_team for rs in talks.values() for r in rs})
        return [self._view(m, side, talks.get(m.id, []), names)
                for m, a, b in rows for side in (a, b) if side.team_id in mine]

    def _view(self, m: Row[Any], side: Row[Any], talks: Sequence[Row[Any]], names: dict[str, str]) -> MatchView:
        own = [_talk(r, side.team_id, names) for r in talks if side.team_id in (r.from_team, r.to_team)]
        return MatchView(m.id, side.team_id, side.kind, side.shown, m.found_at, bool(m.excluded), tuple(own))

    def teams(self) -> list[str]:
        """The asker's teams (whose selectors they see and act for)."""
        return self.store.teams_of(self.who.name)

    def excluded(self) -> list[Row[Any]]:
        """The asker's teams' selectors marked not to be matched."""
        s = t.deconfliction_selectors.c
        with self.store.engine.connect() as conn:
            return list(conn.execute(select(t.deconfliction_selectors).where(
                s.team_id.in_(self.store.teams_of(self.who.name)), s.excluded_at.is_not(None))
                .order_by(s.excluded_at.desc(), s.id)).all())

    # -- brokered requests to talk

    def request(self, match_id: int, team: str | None = None) -> Talk:
        """Ask the other team of a match to talk (analyst or above, member of this side's team)."""
        self.who.require(Role.ANALYST, "ask to talk about a deconfliction match")
        with self.store.transaction() as conn:
            teams = set(self.store.teams_of(self.who.name))
            m, a, b = self._sides(conn, match_id, teams)
            mine, other = self._side(a, b, team, teams)
            if m.excluded:
                raise InvalidArgument(f"match {m.id} is of a selector marked not to be matched",
                                      hint="nothing to talk about through deconfliction")
            if any(r.from_team == mine.team_id and r.state != "declined"
                   for r in q.requests_of(conn, [m.id]).get(m.id, [])):
                raise InvalidArgument(f"your team has already asked to talk about match {m.id}",
                                      hint="wait for the answer (forewarn deconflict list)")
            now, salt = self.clock(), m.salt
            rid = int(conn.execute(t.deconfliction_requests.insert().values(
                match_id=m.id, from_team=mine.team_id, to_team=other.team_id, requested_by=self.who.name,
                requested_at=now, state="open").returning(t.deconfliction_requests.c.id)).scalar_one())
            self.ledger.append(conn, "deconfliction-requested", f"deconfliction-request:{rid}", {
                "request": rid, "match": m.id, "from": team_commitment(mine.team_id, salt),
                "to": team_commitment(other.team_id, salt)})
            self._notify(conn, other.team_id, "Another team asks to talk about a selector your team holds",
                         f"Another team asks to talk about a selector your team holds. Accept or decline: {URL}", now)
            r = q.request(conn, rid)
            assert r is not None
            return _talk(r, mine.team_id, q.team_names(conn, [other.team_id]))

    def answer(self, request_id: int, accept: bool) -> Talk:
        """Accept (both sides learn each other's team and names) or decline (nothing revealed) a request; analyst
        or above, member of the team asked."""
        self.who.require(Role.ANALYST, "answer a request to talk")
        with self.store.transaction() as conn:
            r = q.request(conn, request_id)
            if r is None or r.to_team not in self.store.teams_of(self.who.name):
                raise NotFound(f"no request {request_id} to your teams", hint="forewarn deconflict list shows them")
            if r.state != "open":
                raise InvalidArgument(f"request {r.id} is already {r.state}", hint="nothing to do")
            m = q.match_sides(conn, r.match_id)
            assert m is not None
            state, now = ("accepted" if accept else "declined"), self.clock()
            conn.execute(t.deconfliction_requests.update().where(t.deconfliction_requests.c.id == r.id).values(
                state=state, answered_by=self.who.name, answered_at=now))
            self.ledger.append(conn, f"deconfliction-{state}", f"deconfliction-request:{r.id}", {
                "request": r.id, "match": r.match_id, "by": team_commitment(r.to_team, m[0].salt)})
            self._notify(conn, r.from_team, "Your team's request to talk was answered",
                         f"Your team's request to talk about a selector it holds was answered: {URL}", now)
            done = q.request(conn, r.id)
            assert done is not None
            return _talk(done, r.to_team, q.team_names(conn, [r.from_team]))

    # -- not to be matched

    def exclude(self, team: str, kind: str | None = None, text: str | None = None,
                selector_id: int | None = None) -> Row[Any]:
        """Mark a selector of ``team`` not to be matched (by its id, or by kind and text); analyst or above and a
        member of the team. Existing matches with it are marked; it is never matched again."""
        self.who.require(Role.ANALYST, "exclude a selector from deconfliction")
        team = team.strip().lower()
        if team not in self.store.teams_of(self.who.name):
            raise Forbidden(f"{self.who.name} is not a member of team {team!r}",
                            hint="a team's members mark its selectors")
        with self.store.transaction() as conn:
            row = self._target(conn, team, kind, text, selector_id)
            now = self.clock()
            if row.excluded_at is not None:
                return row
            s, mt = t.deconfliction_selectors.c, t.deconfliction_matches.c
            ids = _reading_rows(conn, team, row)
            conn.execute(t.deconfliction_selectors.update().where(s.id.in_(ids), s.excluded_at.is_(None)).values(
                excluded_by=self.who.name, excluded_at=now))
            conn.execute(t.deconfliction_matches.update().where(
                mt.selector_a.in_(ids) | mt.selector_b.in_(ids)).values(excluded=True))
            self.ledger.append(conn, "deconfliction-excluded", f"deconfliction-selector:{row.id}", {
                "selector": selector_commitment(row.key, row.salt), "team": team_commitment(team, row.salt)})
            done = q.selector(conn, row.id)
            assert done is not None
            return done

    def _target(self, conn: Connection, team: str, kind: str | None, text: str | None,
                selector_id: int | None) -> Row[Any]:
        if selector_id is not None:
            row = q.selector(conn, selector_id)
            if row is None or row.team_id != team:
                raise NotFound(f"no selector {selector_id} of team {team}", hint="forewarn deconflict list shows them")
            return row
        held = parse_selector(kind, text)
        found = q.team_keys(conn, team, [held.key]).get(held.key)
        if found is not None:
            return found
        sid = q.insert_selector(conn, {"team_id": team, "kind": held.kind, "key": held.key, "shown": held.shown,
                                       "found_at": self.clock(), "salt": new_salt()})
        self._hold_readings(conn, team, held)
        row = q.selector(conn, sid)
        assert row is not None
        return row

    def _hold_readings(self, conn: Connection, team: str, held: Held) -> None:
        """Rows for the other readings of a name marked by hand, so that none of them is matched later."""
        keys = reading_keys(held.kind, held.key, held.shown)
        others = sorted(keys - set(q.team_keys(conn, team, keys)))
        if others:
            q.insert_selectors(conn, [{"team_id": team, "kind": held.kind, "key": k, "shown": held.shown,
                                       "found_at": self.clock(), "salt": new_salt()} for k in others])

    def _sides(self, conn: Connection, match_id: int, mine: set[str]) -> tuple[Row[Any], Row[Any], Row[Any]]:
        found = q.match_sides(conn, match_id)
        if found is None or not ({found[1].team_id, found[2].team_id} & mine):
            raise NotFound(f"no deconfliction match {match_id} of your teams",
                           hint="forewarn deconflict list shows them")
        return found

    def _side(self, a: Row[Any], b: Row[Any], team: str | None, mine: set[str]) -> tuple[Row[Any], Row[Any]]:
        sides = [(x, y) for x, y in ((a, b), (b, a)) if x.team_id in mine and (team is None or x.team_id == team)]
        if len(sides) != 1:
            raise InvalidArgument("you are a member of both teams of this match, or of neither named",
                                  hint="name your team (--team)")
        return sides[0]


def _written_pair(a: Row[Any], b: Row[Any]) -> tuple[tuple[str, str, str], ...]:
    """Two held selectors as teams wrote them (the rows of one name's readings share its written form)."""
    return (a.team_id, a.kind, a.shown), (b.team_id, b.kind, b.shown)


def _reading_rows(conn: Connection, team: str, row: Row[Any]) -> list[int]:
    """The ids of ``row`` and of the team's rows for the other readings of the same written name."""
    others = q.team_keys(conn, team, reading_keys(row.kind, row.key, row.shown)).values()
    return sorted({row.id, *(r.id for r in others if r.kind == row.kind)})


def parse_selector(kind: str | None, text: str | None) -> Held:
    """A selector given by hand: a kind of :data:`forewarn.geo.selectors.KINDS` and its text (a place cell as
    "lat,lon,YYYY-MM-DD", keyed by its week)."""
    if not kind or not text:
        raise InvalidArgument("name the selector: its kind and text, or its number", hint="e.g. phone '+380 67 …'")
    if kind == "place_cell":
        try:
            lat, lon, day = (p.strip() for p in text.split(","))
            found = place_week(float(lat), float(lon), dt.date.fromisoformat(day))
        except ValueError:
            found = None
        if found is None:
            raise InvalidArgument(f"place cell {text!r} cannot be read", hint="write it as lat,lon,YYYY-MM-DD")
        return found
    return Held.of(normalise(kind, text))


def _talk(r: Row[Any], side: str, names: dict[str, str]) -> Talk:
    sent, accepted = r.from_team == side, r.state == "accepted"
    other = r.to_team if sent else r.from_team
    return Talk(r.id, "sent" if sent else "received", r.state, r.requested_at, r.answered_at,
                names.get(other, other) if accepted else None,
                r.requested_by if sent or accepted else None,
                r.answered_by if accepted or not sent else None)


class HasDeconfliction(Protocol):
    """What the cycle hook needs of a workspace."""

    @property
    def deconfliction(self) -> DeconflictionDesk: ...


def run_deconfliction(ws: HasDeconfliction, at: datetime) -> RunReport:
    """The warning cycle's hook: match the holdings new since the last run, as of ``at``."""
    return ws.deconfliction.run(at)


def match_json(v: MatchView) -> dict[str, Any]:
    return {"id": v.id, "team": v.team, "kind": v.kind, "selector": v.shown, "found_at": v.found_at.isoformat(),
            "excluded": v.excluded, "message": "another team holds reporting on this selector",
            "requests": [talk_json(x) for x in v.talks]}


def talk_json(x: Talk) -> dict[str, Any]:
    return {"id": x.id, "direction": x.direction, "state": x.state, "requested_at": x.requested_at.isoformat(),
            "answered_at": x.answered_at.isoformat() if x.answered_at else None, "other_team": x.other_team,
            "requested_by": x.requested_by, "answered_by": x.answered_by}


def selector_json(r: Row[Any]) -> dict[str, Any]:
    return {"id": r.id, "team": r.team_id, "kind": r.kind, "selector": r.shown,
            "excluded_at": r.excluded_at.isoformat() if r.excluded_at else None, "excluded_by": r.excluded_by}


def run_json(r: RunReport) -> dict[str, Any]:
    """A run as its runner sees it: until when it matched. No counts: they would tell how many restricted documents
    and matches other teams have (the members of matched teams are told, each of their own)."""
    return {"until": r.until.isoformat(), "matched": True}


__all__: Sequence[str] = ("DeconflictionDesk", "MatchView", "RunReport", "Talk", "match_json", "parse_selector",
                          "run_deconfliction", "run_json", "selector_json", "talk_json")
