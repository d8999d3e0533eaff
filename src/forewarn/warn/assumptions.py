"""Key assumptions with signposts that watch themselves (``ws.assumptions``; issue 17, item 8).

An assumption belongs to a question (:mod:`forewarn.model.assumption`). Its signposts are indicators in the
scenario format (:func:`forewarn.detect.scenarios.load_signposts`), matched by the scenario engine's own matchers
(:func:`forewarn.detect.match.indicator_matches`, :func:`~forewarn.detect.match.claim_matches`) against the
observations that became known since the assumption was last checked (its ``checked_until`` watermark).

:func:`check_signposts` (each warning cycle) flags a watched assumption (holding, or reviewed and found to hold)
whose signpost matched, records the matches, ledgers ``assumption-flagged`` (the signposts' positions and the
evidence ids) and queues one notice to its owner (:func:`forewarn.warn.notify.queue_notice`), all in one
transaction that also moves the watermark: a cycle re-run at the same time flags nothing twice.

Every change is one ledgered transaction: ``assumption-added``, ``assumption-withdrawn``, ``assumption-reviewed``
(holds or broken, with a rationale; by the owner or an admin), ``assumption-flagged``. An assumption's text may
reveal a line's thinking, so the entries carry salted commitments instead of texts, and assumptions are shown only
to those the question is revealed to (:meth:`forewarn.warn.judgments.JudgmentDesk.view`), and to their own
author and owner."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Row, select

from forewarn.config import Settings
from forewarn.detect.match import claim_matches, indicator_matches
from forewarn.detect.observe import claim_observations, observations
from forewarn.detect.scenarios import load_signposts
from forewarn.detect.types import ClaimObservation, Observation
from forewarn.errors import Forbidden, InvalidArgument, NotFound, SignpostInvalid
from forewarn.ledger.service import LedgerService
from forewarn.model import Indicator, Principal, Region, Role, Scenario
from forewarn.model.assumption import (
    REVIEWABLE,
    SIGNPOSTS_MAX,
    TEXT_MAX,
    Assumption,
    AssumptionState,
    SignpostMatch,
    assumption_commitment,
    review_commitment,
)
from forewarn.model.judgment import Question, QuestionState, new_salt
from forewarn.model.marking import EVERYTHING, Access
from forewarn.store import SqlStore
from forewarn.store import schema as t
from forewarn.store.queries import via_document
from forewarn.warn.judgments import check_text
from forewarn.warn.notify import queue_notice
from forewarn.warn.policy import Policy

if TYPE_CHECKING:
    from forewarn.geo.gazetteer import Gazetteer
    from forewarn.warn.judgments import QuestionView

A, M = t.assumptions.c, t.assumption_matches.c
LOOKBACK = timedelta(days=30)  # an event dated this long before it became known still counts as new evidence
NOTICE = "signpost-matched"  # the notice's reason (the outbox keeps 16 characters)
WATCHED = tuple(s.value for s in AssumptionState if s.watched)
LIST_CAP = 500
Signposts = tuple[tuple[Indicator, Region | None], ...]


@dataclass(frozen=True)
class Found:
    """An observation that matched a signpost, before it is stored."""

    signpost: str
    position: int  # 1-based, in the assumption's signposts
    kind: str  # event or claim
    evidence_id: str
    document_id: str
    known_at: datetime
    evidence: str


@dataclass(frozen=True)
class AssumptionView:
    assumption: Assumption
    signposts: Signposts
    matches: tuple[SignpostMatch, ...]
    question: Question


@dataclass(frozen=True)
class AssumptionDesk:
    store: SqlStore
    settings: Settings
    clock: Callable[[], datetime]
    who: Principal
    ledger: LedgerService
    view_question: Callable[[str], QuestionView]  # the judgments desk's blind read path
    gazetteer: Callable[[], Gazetteer]
    access: Callable[[], Access] = lambda: EVERYTHING  # what the asker may see (the workspace's Reads.access)

    def add(self, question: str, text: str, signposts: str, owner: str | None = None,
            line_id: int | None = None) -> Assumption:
        """Add an assumption to an open question (``assumption-added``); analyst or above."""
        self.who.require(Role.ANALYST, "add an assumption")
        v = self.view_question(question)
        if v.question.state is not QuestionState.OPEN:
            raise InvalidArgument(f"question {v.question.id} is {v.question.state.value}",
                                  hint="assumptions are added to open questions")
        body, yaml_text = check_text(text, "text", required=True), self.parse_checked(signposts)
        if len(body) > TEXT_MAX:
            raise InvalidArgument(f"the text is {len(body):,} characters; at most {TEXT_MAX:,}", hint="say it shortly")
        if line_id is not None and not any(x.id == line_id for x in v.lines):
            raise NotFound(f"no line {line_id} on question {v.question.id} that you may see",
                           hint="the lines show once your estimate is in; leave the line out")
        now = self.clock()
        made = Assumption(0, v.question.id, line_id, (owner or self.who.name).strip(), body, yaml_text,
                          AssumptionState.HOLDING, self.who.name, now, now, new_salt())
        with self.store.transaction() as conn:
            row = {k: getattr(made, k) for k in ("question_id", "line_id", "owner", "text", "signposts",
                                                 "created_by", "created_at", "checked_until", "salt")}
            new_id = int(conn.execute(t.assumptions.insert().values(
                {**row, "state": made.state.value}).returning(A.id)).scalar_one())
            self.ledger.append(conn, "assumption-added", subject(new_id), {
                "id": new_id, "question_id": made.question_id, "owner": made.owner, "at": now.isoformat(),
                "commitment": assumption_commitment(made)})
            return replace(made, id=new_id)

    def withdraw(self, assumption_id: int) -> Assumption:
        """Withdraw an assumption (``assumption-withdrawn``): its owner, its author or an admin."""
        with self.store.transaction() as conn:
            a = self._mine(self._seen(fetch(conn, assumption_id)), "withdraw", author=True)
            if a.state is AssumptionState.WITHDRAWN:
                raise InvalidArgument(f"assumption {a.id} is already withdrawn", hint="nothing to do")
            conn.execute(t.assumptions.update().where(A.id == a.id).values(state=AssumptionState.WITHDRAWN.value))
            self.ledger.append(conn, "assumption-withdrawn", subject(a.id), {"id": a.id, "question_id": a.question_id})
            return fetch(conn, a.id)

    def review(self, assumption_id: int, holds: bool, rationale: str) -> Assumption:
        """Review an assumption (``assumption-reviewed``): it holds (and is watched on from now) or it is broken;
        by its owner or an admin, with a rationale."""
        why = check_text(rationale, "rationale", required=True)
        state = AssumptionState.HOLDS if holds else AssumptionState.BROKEN
        with self.store.transaction() as conn:
            a = self._mine(self._seen(fetch(conn, assumption_id)), "review")
            if a.state not in REVIEWABLE:
                raise InvalidArgument(f"assumption {a.id} is {a.state.value}",
                                      hint="only a holding or flagged assumption is reviewed")
            now, salt = self.clock(), new_salt()
            conn.execute(t.assumptions.update().where(A.id == a.id).values(
                state=state.value, review=why, review_salt=salt, reviewed_by=self.who.name, reviewed_at=now,
                checked_until=max(a.checked_until, now)))
            self.ledger.append(conn, "assumption-reviewed", subject(a.id), {
                "id": a.id, "question_id": a.question_id, "state": state.value, "by": self.who.name,
                "commitment": review_commitment(a.id, state, self.who.name, why, salt)})
            return fetch(conn, a.id)

    def get(self, assumption_id: int) -> AssumptionView:
        """One assumption with its signposts and matches, when the asker may see it (else NotFound)."""
        with self.store.engine.connect() as conn:
            a = fetch(conn, assumption_id)
            v = self._question(a.question_id)
            if v is None or not self._visible(a, v.revealed):
                raise NotFound(f"no assumption {assumption_id} that you may see",
                               hint="a question's assumptions show once your estimate on it is in")
            return AssumptionView(a, self.parse(a.signposts), matches_of(conn, a.id, self.access()), v.question)

    def _question(self, question_id: int) -> QuestionView | None:
        """The question as the asker may see it (the compartment check, then the blind rule); None when hidden."""
        try:
            return self.view_question(str(question_id))
        except NotFound:
            return None

    def _seen(self, a: Assumption) -> Assumption:
        """``a``, when its question is not hidden from the asker (else the same NotFound as a wrong id)."""
        if self._question(a.question_id) is None:
            raise NotFound(f"no assumption {a.id}", hint="`forewarn assumption list` lists them")
        return a

    def listing(self, question: str | None = None, state: AssumptionState | None = None) -> list[Assumption]:
        """The assumptions the asker may see (newest first): of one question, and/or in one state."""
        cond = [A.state == state.value] if state else []
        if question is not None:
            cond.append(A.question_id == self.view_question(question).question.id)
        with self.store.engine.connect() as conn:
            found = [to_assumption(r) for r in conn.execute(
                select(t.assumptions).where(*cond).order_by(A.created_at.desc(), A.id.desc()).limit(LIST_CAP))]
        views = {q: self._question(q) for q in {a.question_id for a in found}}
        return [a for a in found if (v := views[a.question_id]) is not None and self._visible(a, v.revealed)]

    def check(self, at: datetime) -> tuple[int, ...]:
        """Match every watched assumption's signposts against the observations known after its watermark and by
        ``at``; flag those that matched (see the module). Returns the ids flagged."""
        with self.store.engine.connect() as conn:
            watched = [to_assumption(r) for r in conn.execute(
                select(t.assumptions).where(A.state.in_(WATCHED), A.checked_until < at).order_by(A.id))]
        if not watched:
            return ()
        since = min(a.checked_until for a in watched)
        events = [o for o in observations(self.store, until=at, since=(since - LOOKBACK).date()) if o.known_at > since]
        claims = [c for c in claim_observations(self.store, until=at, since=since.date()) if c.known_at > since]
        flagged = [a.id for a in watched if self._check_one(a, events, claims, at)]
        return tuple(flagged)

    def _check_one(self, a: Assumption, events: Sequence[Observation], claims: Sequence[ClaimObservation],
                   at: datetime) -> bool:
        try:
            signposts = self.parse(a.signposts)
        except SignpostInvalid:
            return False  # checked when added; a gazetteer change could break it: left for a person, not a crash
        found = new_matches(signposts, events, claims, a.checked_until)
        with self.store.transaction() as conn:
            now = fetch(conn, a.id)
            if not now.state.watched or now.checked_until >= at:
                return False  # reviewed, withdrawn or checked meanwhile
            conn.execute(t.assumptions.update().where(A.id == a.id).values(checked_until=at))
            fresh = _unseen(conn, a.id, found)
            if not fresh:
                return False
            self._flag(conn, now, fresh, at)
            return True

    def _flag(self, conn: Connection, a: Assumption, found: Sequence[Found], at: datetime) -> None:
        conn.execute(t.assumption_matches.insert(), [
            {"assumption_id": a.id, "signpost": f.signpost, "kind": f.kind, "evidence_id": f.evidence_id,
             "document_id": f.document_id, "known_at": f.known_at, "found_at": at, "evidence": f.evidence}
            for f in found])
        conn.execute(t.assumptions.update().where(A.id == a.id).values(state=AssumptionState.FLAGGED.value))
        positions = sorted({f.position for f in found})
        evidence = sorted({f.evidence_id for f in found})
        self.ledger.append(conn, "assumption-flagged", subject(a.id), {
            "id": a.id, "question_id": a.question_id, "signposts": positions, "evidence": evidence,
            "at": at.isoformat()})
        queue_notice(conn, Policy.from_settings(self.settings), NOTICE, subject(a.id), [a.owner], {
            "title": f"Assumption {a.id} flagged for review: a signpost matched new evidence",
            "text": f"Signpost(s) {', '.join(sorted({f.signpost for f in found}))} of assumption {a.id} (question "
                    f"{a.question_id}) matched {len(evidence)} new observation(s). Review it: /assumptions/{a.id}",
            "assumption_id": a.id, "question_id": a.question_id, "url": f"/assumptions/{a.id}"},
            at)  # no evidence ids: the notice goes out as the system; the page shows the owner what they may see

    def parse(self, text: str) -> Signposts:
        return load_signposts(text, "signposts", gazetteer=self.gazetteer())

    def parse_checked(self, text: str) -> str:
        """The signposts' YAML when it is valid (SignpostInvalid, with line and column, otherwise)."""
        if len(text) > SIGNPOSTS_MAX:
            raise SignpostInvalid(f"signposts:1:1: {len(text):,} characters; at most {SIGNPOSTS_MAX:,}",
                                  hint="fewer, shorter signposts")
        self.parse(text)
        return text.strip() + "\n"

    def _visible(self, a: Assumption, revealed: bool) -> bool:
        return revealed or self.who.name in (a.owner, a.created_by)

    def _mine(self, a: Assumption, what: str, *, author: bool = False) -> Assumption:
        mine = self.who.name == a.owner or (author and self.who.name == a.created_by)
        if not (mine and self.who.may(Role.ANALYST)) and not self.who.may(Role.ADMIN):
            raise Forbidden(f"{self.who.name} may not {what} assumption {a.id}",
                            hint=f"its owner ({a.owner}) or an admin may")
        return a



class HasAssumptions(Protocol):
    """What the cycle hook needs of a workspace."""

    @property
    def assumptions(self) -> AssumptionDesk: ...


def check_signposts(ws: HasAssumptions, at: datetime) -> tuple[int, ...]:
    """The warning cycle's hook: flag the assumptions whose signposts matched evidence new since their last check.
    Returns the ids flagged."""
    return ws.assumptions.check(at)


def new_matches(signposts: Signposts, events: Iterable[Observation], claims: Iterable[ClaimObservation],
                after: datetime) -> list[Found]:
    """The observations known after ``after`` that match a signpost (pure)."""
    found: list[Found] = []
    for position, (ind, region) in enumerate(signposts, start=1):
        shim = watcher(ind, region)
        found += [Found(ind.id, position, "event", o.event.id, o.event.document_id, o.known_at, o.evidence)
                  for o in events if o.known_at > after and indicator_matches(shim, ind, o)]
        found += [Found(ind.id, position, "claim", claim_id(c), c.claim.document_id, c.known_at, c.evidence)
                  for c in claims if c.known_at > after and claim_matches(shim, ind, c)]
    return found


def watcher(ind: Indicator, region: Region | None) -> Scenario:
    """A one-indicator scenario around a signpost: what the matchers take (they read its region)."""
    return Scenario(id=ind.id, name=ind.name, description="", region=region or Region(), horizon_days=1, prior=0.5,
                    indicators=(ind,), thresholds=(), owner="")


def claim_id(c: ClaimObservation) -> str:
    return f"{c.claim.document_id}:{c.claim.start}"


def _unseen(conn: Connection, assumption_id: int, found: Sequence[Found]) -> list[Found]:
    seen = {(r.signpost, r.evidence_id) for r in conn.execute(
        select(M.signpost, M.evidence_id).where(M.assumption_id == assumption_id))}
    fresh: dict[tuple[str, str], Found] = {}
    for f in found:
        if (f.signpost, f.evidence_id) not in seen:
            fresh.setdefault((f.signpost, f.evidence_id), f)
    return list(fresh.values())


def subject(assumption_id: int) -> str:
    return f"assumption:{assumption_id}"


def fetch(conn: Connection, assumption_id: int) -> Assumption:
    r = conn.execute(select(t.assumptions).where(A.id == assumption_id)).first()
    if r is None:
        raise NotFound(f"no assumption {assumption_id}", hint="`forewarn assumption list` lists them")
    return to_assumption(r)


def to_assumption(r: Row[Any]) -> Assumption:
    return Assumption(r.id, r.question_id, r.line_id, r.owner, r.text, r.signposts, AssumptionState(r.state),
                      r.created_by, r.created_at, r.checked_until, r.salt, r.review, r.reviewed_by, r.reviewed_at)


def matches_of(conn: Connection, assumption_id: int, access: Access = EVERYTHING) -> tuple[SignpostMatch, ...]:
    """An assumption's signpost matches, those from documents ``access`` may see."""
    rows = conn.execute(select(t.assumption_matches).where(M.assumption_id == assumption_id,
                                                           *via_document(M.document_id, access))
                        .order_by(M.found_at.desc(), M.known_at.desc(), M.id))
    return tuple(SignpostMatch(r.id, r.assumption_id, r.signpost, r.kind, r.evidence_id, r.document_id, r.known_at,
                               r.found_at, r.evidence) for r in rows)


def assumption_json(a: Assumption) -> dict[str, Any]:
    return {"id": a.id, "question_id": a.question_id, "line_id": a.line_id, "owner": a.owner, "text": a.text,
            "signposts": a.signposts, "state": a.state.value, "created_by": a.created_by,
            "created_at": a.created_at.isoformat(), "checked_until": a.checked_until.isoformat(),
            "review": a.review, "reviewed_by": a.reviewed_by,
            "reviewed_at": a.reviewed_at.isoformat() if a.reviewed_at else None, "salt": a.salt}


def match_json(m: SignpostMatch) -> dict[str, Any]:
    return {"signpost": m.signpost, "kind": m.kind, "evidence_id": m.evidence_id, "document_id": m.document_id,
            "known_at": m.known_at.isoformat(), "found_at": m.found_at.isoformat(), "evidence": m.evidence}


def signpost_json(ind: Indicator, region: Region | None) -> dict[str, Any]:
    """A signpost as a reader reads it: only the filters it sets."""
    fields = {"id": ind.id, "name": ind.name, "kind": ind.kind.value, "description": ind.description,
              "types": ind.types, "modes": ind.modes, "actor_countries": ind.actor_countries,
              "actor_sectors": ind.actor_sectors, "recipient_countries": ind.recipient_countries,
              "recipient_sectors": ind.recipient_sectors, "keywords": ind.keywords, "speakers": ind.speakers,
              "speaker_countries": ind.speaker_countries, "speaker_sectors": ind.speaker_sectors,
              "stances": ind.stances, "min_confidence": ind.min_confidence or None}
    shown: dict[str, Any] = {k: (list(v) if isinstance(v, tuple) else v) for k, v in fields.items() if v}
    if region is not None:
        shown["region"] = {k: v for k, v in {"countries": list(region.countries), "admin1": list(region.admin1),
                                             "point": list(region.point) if region.point else None,
                                             "radius_km": region.radius_km}.items() if v}
    return shown


def view_json(v: AssumptionView) -> dict[str, Any]:
    return {"assumption": assumption_json(v.assumption), "question": {"id": v.question.id, "title": v.question.title},
            "signposts": [signpost_json(i, r) for i, r in v.signposts],
            "matches": [match_json(m) for m in v.matches]}
