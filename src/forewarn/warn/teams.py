"""Teams, markings and the audit (``ws.teams``): team administration by role, raising a marking by its owner,
who read what restricted object, and a report per team.

- Admins add teams and add or remove their members (accounts that exist); each change is one transaction with
  its ledger entry (``team-added``, ``team-member-added``, ``team-member-removed``, subject ``team:<id>``). A
  team's members may see its membership; admins see every team.
- The owner of an object raises its marking (``marking-raised``, subject ``<kind>:<id>``): an analyst or above
  who may see it and is a member of every owning team of its compartment, and of the team being added. A marking
  is raised, never lowered (:meth:`Compartment.raised_to`): a lowering is refused (FW-E107). A document's raise
  tightens its events, claims and notes; a scenario's its warnings; a source's the documents it brings in from
  now on, and with ``existing`` those it brought in already (with theirs).
- The ledger entry names the new label, recipients included: the ledger view shows an entry about an object only
  to those who may see the object (after a raise to RED, its recipients), so it names them to no one else.
- Who saw what (admins): the reads of AMBER and RED objects; an object the admin may not see is shown as
  hidden, not by id (need-to-know binds admins too). A team's report (admins and its members): what it holds by
  kind and marking, what it shared (compartments naming recipients), and what deconfliction matched, all over
  the objects the asker may see.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, or_, select

from forewarn.errors import Forbidden, InvalidArgument, MarkingLowered, NotFound
from forewarn.ledger.service import LedgerService
from forewarn.model import Principal, Role
from forewarn.model.marking import Access, Compartment
from forewarn.model.source import Marking
from forewarn.store import SqlStore
from forewarn.store import schema as t
from forewarn.store import teams as db
from forewarn.store.teams import MARKABLE, Marked, ReadRow, Team

TEAM_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
KINDS = tuple(MARKABLE)
__all__ = ["KINDS", "Asked", "Holding", "Marked", "Matched", "Raised", "ReadRow", "Shared", "Team", "TeamDesk",
           "TeamReport"]


@dataclass(frozen=True, slots=True)
class Raised:
    """A marking raised: the object, its compartment before and after, and how many derived rows followed."""

    kind: str
    id: str
    before: Compartment
    after: Compartment
    cascaded: dict[str, int]


@dataclass(frozen=True, slots=True)
class Holding:
    kind: str
    marking: str
    count: int


@dataclass(frozen=True, slots=True)
class Shared:
    label: str
    marking: str
    recipients: tuple[str, ...]
    objects: int


@dataclass(frozen=True, slots=True)
class Matched:
    """One of the team's selectors that another team's holdings name too (never which team, nor what)."""

    kind: str
    shown: str | None  # the team's own text of it: for its members only
    found_at: datetime
    excluded: bool


@dataclass(frozen=True, slots=True)
class Asked:
    """A brokered request to talk about a match, made or received by the team."""

    direction: str  # "made" or "received"
    state: str
    at: datetime


@dataclass(frozen=True)
class TeamReport:
    team: Team
    holdings: tuple[Holding, ...]
    shared: tuple[Shared, ...]
    matched: tuple[Matched, ...]
    requests: tuple[Asked, ...]


@dataclass(frozen=True)
class TeamDesk:
    store: SqlStore
    clock: Callable[[], datetime]
    who: Principal
    ledger: LedgerService
    access: Callable[[], Access]

    # -- administration ----------------------------------------------------------------------------------------
    def add(self, team_id: str, name: str) -> Team:
        """A new team (admins), with its ``team-added`` entry."""
        self.who.require(Role.ADMIN, "add a team")
        key, title = checked_id(team_id), name.strip() or team_id.strip()
        if len(title) > 200:
            raise InvalidArgument("a team's name is at most 200 characters", hint="give a shorter --name")
        with self.store.transaction() as conn:
            db.insert_team(conn, key, title, self.who.name, self.clock())
            self.ledger.append(conn, "team-added", subject(key), {"team": key, "name": title})
            return db.fetch_team(conn, key)

    def add_member(self, team_id: str, account: str) -> Team:
        """Put an existing account in a team (admins), with its ``team-member-added`` entry."""
        self.who.require(Role.ADMIN, "add a team member")
        key, name = checked_id(team_id), account.strip().lower()
        with self.store.transaction() as conn:
            db.insert_member(conn, key, name, self.who.name, self.clock())
            self.ledger.append(conn, "team-member-added", subject(key), {"team": key, "account": name})
            return db.fetch_team(conn, key)

    def remove_member(self, team_id: str, account: str) -> Team:
        """Take an account out of a team (admins), with its ``team-member-removed`` entry."""
        self.who.require(Role.ADMIN, "remove a team member")
        key, name = checked_id(team_id), account.strip().lower()
        with self.store.transaction() as conn:
            db.delete_member(conn, key, name)
            self.ledger.append(conn, "team-member-removed", subject(key), {"team": key, "account": name})
            return db.fetch_team(conn, key)

    def teams(self) -> list[Team]:
        """Every team for an admin; else the asker's own teams."""
        with self.store.engine.connect() as conn:
            return db.teams(conn, None if self.who.may(Role.ADMIN) else self.access().teams)

    def get(self, team_id: str) -> Team:
        """A team with its members: for admins and its members (to anyone else, as if it did not exist)."""
        with self.store.engine.connect() as conn:
            team = db.fetch_team(conn, team_id.strip().lower())
        if not self.who.may(Role.ADMIN) and not team.has(self.who.name):
            raise NotFound(f"no team {team_id!r}", hint="`forewarn team list` shows the teams you may see")
        return team

    # -- markings ----------------------------------------------------------------------------------------------
    def mark(self, kind: str, object_id: str, marking: str, team: str | None = None,
             recipients: tuple[str, ...] | None = None, existing: bool = False) -> Raised:
        """Raise the marking of a source, document, scenario or question (its owner), with ``marking-raised``."""
        self.who.require(Role.ANALYST, "raise a marking")
        if kind not in MARKABLE:
            raise InvalidArgument(f"{kind!r} carries no marking one raises", hint=f"one of {', '.join(KINDS)}")
        access = self.access()
        with self.store.transaction() as conn:
            old = db.marked(conn, kind, object_id.strip())
            if not access.sees(old.compartment_id):
                raise NotFound(f"no {kind} {object_id!r}", hint=f"list the {kind}s you may see to find the id")
            new = self._raised(old, marking, team, recipients, access)
            self._check_names(conn, new)
            cascaded = db.write_marking(conn, old, new, lambda c: self.store.compartment_id(conn, c), existing)
            self.ledger.append(conn, "marking-raised", f"{kind}:{old.id}", {
                "kind": kind, "id": old.id, "from": old.compartment.label, "to": new.label,
                "marking": new.marking.value, "teams": list(new.teams), "recipients": list(new.recipients),
                "compartment": self.store.compartment_id(conn, new), "cascaded": cascaded, "existing": existing})
            return Raised(kind, old.id, old.compartment, new, cascaded)

    def _raised(self, old: Marked, marking: str, team: str | None, recipients: tuple[str, ...] | None,
                access: Access) -> Compartment:
        cur = old.compartment
        wanted = Marking.parse(marking)
        teams = list(cur.teams) + ([checked_id(team)] if team else [])
        missing = [x for x in teams if x not in access.teams]
        if missing:
            raise Forbidden(f"{self.who.name} is not a member of team {', '.join(missing)}: only the owner of "
                            f"{old.kind} {old.id} (a member of every owning team) raises its marking",
                            hint="ask a member of the owning team, or an admin to add you to it")
        keep = cur.recipients if wanted is cur.marking else ()
        new = Compartment.of(wanted, teams, keep if recipients is None else recipients)
        if not cur.raised_to(new):
            raise MarkingLowered(f"{old.kind} {old.id} is {cur.label}: {new.label} would lower it",
                                 hint="a marking is only raised (a stricter marking, more owning teams, fewer "
                                      "recipients); share a new object instead")
        if new == cur:
            raise InvalidArgument(f"{old.kind} {old.id} is {cur.label} already", hint="name a stricter marking")
        return new

    def _check_names(self, conn: Connection, new: Compartment) -> None:
        unknown = sorted(set(new.teams) - db.team_ids(conn, new.teams))
        if unknown:
            raise NotFound(f"no team {', '.join(unknown)}", hint="`forewarn team list` shows the teams")
        known = db.account_names(conn, new.recipients)
        if new.marking is Marking.AMBER:
            known |= db.team_ids(conn, new.recipients)
        unknown = sorted(set(new.recipients) - known)
        if unknown:
            what = "an account or team" if new.marking is Marking.AMBER else "an account"
            raise NotFound(f"recipient {', '.join(unknown)} is not {what}",
                           hint="`forewarn user list` shows the accounts (TLP:RED names accounts only)")

    # -- audit -------------------------------------------------------------------------------------------------
    def reads(self, account: str | None = None, object_id: str | None = None, since: datetime | None = None,
              limit: int = 100, offset: int = 0) -> tuple[list[ReadRow], int]:
        """Who read which restricted object (admins), newest first, and how many such reads there are."""
        self.who.require(Role.ADMIN, "see who read what")
        access, a = self.access(), t.read_audit.c
        conds = []
        if account:
            conds.append(a.account == account.strip().lower())
        if since is not None:
            conds.append(a.at >= since)
        if object_id:  # only among the objects the asker may see: no oracle for a hidden id
            conds.append(a.object_id == object_id.strip())
            if access.hidden:
                conds.append(a.compartment.not_in(sorted(access.hidden)))
        with self.store.engine.connect() as conn:
            return db.read_rows(conn, conds, access.hidden, limit, offset)

    def report(self, team_id: str) -> TeamReport:
        """What a team holds, shared and was matched on (admins and its members), over what the asker may see."""
        team = self.get(team_id)
        access = self.access()
        with self.store.engine.connect() as conn:
            owned = db.owned_compartments(conn, team.id, access.hidden)
            counts = db.holdings(conn, owned)
            member = team.has(self.who.name)
            matched, asked = team_matches(conn, team.id, member), team_requests(conn, team.id)
        return TeamReport(team, _holdings(owned, counts), _shared(owned, counts), matched, asked)


def _holdings(owned: dict[int, Compartment], counts: dict[tuple[str, int], int]) -> tuple[Holding, ...]:
    total: dict[tuple[str, str], int] = {}
    for (kind, cid), n in counts.items():
        key = (kind, owned[cid].marking.value)
        total[key] = total.get(key, 0) + n
    return tuple(Holding(k, m, n) for (k, m), n in sorted(total.items()))


def _shared(owned: dict[int, Compartment], counts: dict[tuple[str, int], int]) -> tuple[Shared, ...]:
    by_id: dict[int, int] = {}
    for (_, cid), n in counts.items():
        by_id[cid] = by_id.get(cid, 0) + n
    return tuple(Shared(c.label, c.marking.value, c.recipients, by_id.get(cid, 0))
                 for cid, c in sorted(owned.items(), key=lambda p: p[1].key) if c.recipients and by_id.get(cid))


def team_matches(conn: Connection, team_id: str, member: bool) -> tuple[Matched, ...]:
    """The team's selectors that deconfliction matched with another team's (helper D's tables, migration 0021):
    which of its own selectors, when, and whether it was excluded since; the other side never."""
    s, m = t.deconfliction_selectors.c, t.deconfliction_matches.c
    rows = conn.execute(select(s.kind, s.shown, m.found_at, m.excluded)
                        .select_from(t.deconfliction_matches.join(
                            t.deconfliction_selectors, or_(s.id == m.selector_a, s.id == m.selector_b)))
                        .where(s.team_id == team_id)
                        .order_by(m.found_at.desc(), m.id.desc()).limit(500))
    return tuple(Matched(r.kind, r.shown if member else None, r.found_at, bool(r.excluded)) for r in rows)


def team_requests(conn: Connection, team_id: str) -> tuple[Asked, ...]:
    """Requests to talk the team made or received, with their state (not the other team)."""
    q = t.deconfliction_requests.c
    rows = conn.execute(select(q.from_team, q.state, q.requested_at)
                        .where(or_(q.from_team == team_id, q.to_team == team_id))
                        .order_by(q.requested_at.desc(), q.id.desc()).limit(500))
    return tuple(Asked("made" if r.from_team == team_id else "received", r.state, r.requested_at) for r in rows)


def subject(team_id: str) -> str:
    return f"team:{team_id}"


def checked_id(team_id: str) -> str:
    key = team_id.strip().lower()
    if not TEAM_ID.match(key):
        raise InvalidArgument(f"{team_id!r} is not a team id",
                              hint="a short slug: letters, digits, '.', '_' or '-' (e.g. border-watch), at most 64")
    return key
