"""Questions, blind estimates and published lines (``ws.judgments``; issue 17).

Every change is one transaction with its ledger entry: ``question-added``, ``question-resolved`` (yes, no or
annulled, by a person with a rationale), ``estimate-recorded`` (append-only: a change is a new estimate) and
``line-published`` (duty officer or above; with its softening gaps and whether it was flagged).

The ledger is read by every viewer, so the two judgment entries do not carry the values: they carry a commitment
(sha256 over the question, the analyst, the probability as a canonical decimal, the rationale or words — and, for a
line, its gaps and flag — and a random salt of 16 bytes kept in the row; :func:`forewarn.model.judgment.commitment`).
The values and the salt are read only through the blind read path below; ``forewarn ledger verify`` recomputes
each row's commitment against its entry (:mod:`forewarn.ledger.crosscheck`).

A scenario's own question ("<scenario>: will it happen within its horizon?") is created on demand, the first time
someone estimates on it or publishes a line for it, referring to the question by the scenario's id.

The BLIND RULE is one function, :func:`blind_view`, behind every read of the desk (:meth:`JudgmentDesk.view`,
the listing, the scenarios' lines): before the asker has recorded an estimate of their own on a question, and
before its reveal time, they see only their own estimates — not the others', not the published lines, not the
model's probability. A question no longer open reveals everything."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Row, select

from forewarn.config import Settings
from forewarn.errors import Forbidden, InvalidArgument, NotFound, QuestionStateError, RationaleRequired
from forewarn.ledger.service import LedgerService
from forewarn.model import Principal, Role
from forewarn.model.judgment import (
    RATIONALE_MAX,
    TITLE_MAX,
    Estimate,
    Line,
    Question,
    QuestionState,
    blind_estimates,
    blind_median,
    check_probability,
    estimate_commitment,
    gap,
    line_commitment,
    new_salt,
    softer,
    words,
)
from forewarn.model.marking import EVERYTHING, Access, Compartment, visible_to
from forewarn.model.principal import PrincipalKind
from forewarn.model.scenario import Scenario
from forewarn.store import SqlStore
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.warn import roster
from forewarn.warn.notify import queue_notice
from forewarn.warn.policy import Policy

Q, E, L = t.questions.c, t.estimates.c, t.published_lines.c
LIST_CAP = 500
IN_MAX = 500  # scenario ids asked for in one IN (...) list; more read every scenario's question


@dataclass(frozen=True)
class QuestionView:
    """A question as its asker may see it: ``revealed`` False means ``others``, ``lines`` and ``model`` are
    withheld (empty / None) by the blind rule."""

    question: Question
    mine: tuple[Estimate, ...]  # the asker's own estimates, oldest first
    revealed: bool
    others: tuple[Estimate, ...]  # every other analyst's current (latest) estimate
    lines: tuple[Line, ...]  # published lines, oldest first
    model: float | None  # the model's probability now, for a scenario's question
    history: tuple[Estimate, ...] = ()  # every analyst's estimates, oldest first (only ``mine`` while hidden)
    asked: bool = True  # False: a scenario's question no one has estimated on yet (not stored; its id is 0)


@dataclass(frozen=True)
class JudgmentDesk:
    store: SqlStore
    settings: Settings
    clock: Callable[[], datetime]
    who: Principal
    ledger: LedgerService
    scenario: Callable[[str], Scenario]
    assess: Callable[[str, datetime], float]  # a scenario's model probability at a time
    dissents: Callable[[int], list[dict[str, Any]]] = lambda _line_id: []  # a line's dissents as JSON (ws.dissents)
    access: Callable[[], Access] = lambda: EVERYTHING  # what the asker may see (the workspace's Reads.access)

    def add_question(self, title: str, criteria: str, resolves_by: date, owner: str | None = None,
                     reveal_at: datetime | None = None, compartment: Compartment | None = None) -> Question:
        """Add a binary question (``question-added``); analyst or above. ``compartment``: who may see it and
        everything tied to it (estimates, lines, dissents, assumptions, matrices); None: every account."""
        self.who.require(Role.ANALYST, "add a question")
        fields = check_question(title, criteria, resolves_by, self.clock())
        if compartment is not None and not visible_to(compartment, self.who.name, self.access().teams) \
                and self.who.kind is not PrincipalKind.SYSTEM:
            raise InvalidArgument(f"{self.who.name} could not see a question marked {compartment.label}",
                                  hint="mark it for a team you belong to, or name yourself as a recipient")
        with self.store.transaction() as conn:
            cid = self.store.compartment_id(conn, compartment) if compartment is not None else None
            return self._insert(conn, {**fields, "owner": (owner or self.who.name).strip(), "reveal_at": reveal_at},
                                cid)

    def resolve(self, ref: str, outcome: QuestionState, rationale: str) -> Question:
        """Resolve (yes / no) or annul an open question (``question-resolved``): its owner (or an admin), a person,
        with a rationale."""
        self.who.require(Role.ANALYST, "resolve a question")
        if self.who.kind is PrincipalKind.SYSTEM or outcome is QuestionState.OPEN:
            raise InvalidArgument("a question is resolved yes or no, or annulled, by a person",
                                  hint="`forewarn question resolve ID yes|no|annul --rationale TEXT`")
        why = check_text(rationale, "rationale", required=True)
        with self.store.transaction() as conn:
            q = self._owned(conn, open_question(self._find(conn, ref)))
            conn.execute(t.questions.update().where(Q.id == q.id).values(
                state=outcome.value, resolution=why, resolved_by=self.who.name, resolved_at=self.clock()))
            self.ledger.append(conn, "question-resolved", subject(q.id), {"id": q.id, "state": outcome.value,
                                                                         "rationale": why})
            return fetch(conn, q.id)

    def estimate(self, ref: str, probability: float, rationale: str = "") -> Estimate:
        """Record the asker's estimate (``estimate-recorded``); analyst or above. Blind when it is their first
        on the question and its reveal time has not passed."""
        self.who.require(Role.ANALYST, "record an estimate")
        p, why = check_probability(probability), check_text(rationale, "rationale")
        with self.store.transaction() as conn:
            q, now = open_question(self._find(conn, ref, create=True)), self.clock()
            blind = not _has_estimate(conn, q.id, self.who.name) and not _past(q.reveal_at, now)
            made = Estimate(0, q.id, self.who.name, p, why, now, blind, new_salt())
            row = {"question_id": q.id, "analyst": made.analyst, "probability": p, "rationale": why, "at": now,
                   "blind": blind, "salt": made.salt}
            new_id = int(conn.execute(t.estimates.insert().values(row).returning(E.id)).scalar_one())
            self.ledger.append(conn, "estimate-recorded", subject(q.id), {
                "id": new_id, "question_id": q.id, "analyst": made.analyst, "at": now.isoformat(), "blind": blind,
                "commitment": estimate_commitment(made)})
            return replace(made, id=new_id)

    def publish_line(self, ref: str, probability: float, text: str | None = None) -> Line:
        """Publish the team's line (``line-published``); duty officer or above. Its softening gaps are measured
        against the blind estimates made before it and the model's probability now, and flagged when softer
        than the analysts by more than the ``softening_gap`` setting."""
        self.who.require(Role.DUTY_OFFICER, "publish a line")
        p = check_probability(probability)
        with self.store.transaction() as conn:
            q, now = open_question(self._find(conn, ref, create=True)), self.clock()
            line = self._measure(conn, q, p, (text or "").strip() or words(p), now)
            row = {"question_id": q.id, "probability": p, "words": line.words, "published_by": self.who.name,
                   "at": now, "gap": line.gap, "model_gap": line.model_gap, "flagged": line.flagged,
                   "salt": line.salt}
            new_id = int(conn.execute(t.published_lines.insert().values(row).returning(L.id)).scalar_one())
            made = replace(line, id=new_id)
            # the flag and the recipients stay out of the ledger entry (they would tell every reader the line is
            # softer): the outbox row, read by whoever reads the outbox, is the record of the notice
            self.ledger.append(conn, "line-published", subject(q.id), {
                "id": new_id, "question_id": q.id, "published_by": line.published_by, "at": now.isoformat(),
                "commitment": line_commitment(line)})
            if made.flagged:
                self._tell_flagged(conn, q, made)
            return made

    def _tell_flagged(self, conn: Connection, q: Question, line: Line) -> int:
        """Queue the notice of a flagged line to the level above the question's owner (same transaction)."""
        blind = blind_estimates(estimates_of(conn, q.id), line.at)
        body = flagged_notice(q, line, blind, self.dissents(line.id))
        return queue_notice(conn, Policy.from_settings(self.settings), "line-flagged", subject(q.id),
                            self._notify(q), body, line.at)

    def line_shown(self, x: Line) -> dict[str, Any]:
        """A line just published, as its publisher may see it: whole once the question is revealed to them, else
        without its gaps and flag (:func:`withheld_json`)."""
        shown = {y.id for y in self.view(str(x.question_id), model=False).lines}
        return line_json(x) if x.id in shown else withheld_json(x)

    def view(self, ref: str, *, model: bool = True) -> QuestionView:
        """The question as the asker may see it (the blind rule), with the history of the estimates they may see;
        NotFound for a scenario's question not yet asked (:meth:`shown` shows that one too). ``model`` False
        leaves out the model's probability, which assesses the scenario over the whole store: for the readers
        that need only what is revealed (dissents, assumptions, the post-mortem)."""
        with self.store.engine.connect() as conn:
            return self._seen(conn, self._find(conn, ref), with_model=model)

    def shown(self, ref: str) -> QuestionView:
        """As :meth:`view`, but a scenario's question no one has estimated on yet comes back as not yet asked
        (``asked`` False, id 0, nothing withheld because nothing is there); nothing is written."""
        with self.store.engine.connect() as conn:
            q = self._find_or_unasked(conn, ref)
            return self._seen(conn, q, with_model=True) if q.id else QuestionView(q, (), False, (), (), None, (),
                                                                                   asked=False)

    def history(self, ref: str) -> tuple[Estimate, ...]:
        """Every analyst's estimates on a question (oldest first) once it is revealed to the asker; before, only
        the asker's own (the blind rule, through :meth:`view`)."""
        return self.view(ref, model=False).history

    def listing(self, state: QuestionState | None = None) -> list[QuestionView]:
        """Every question (newest first, at most LIST_CAP) as the asker may see it; no model probabilities."""
        with self.store.engine.connect() as conn:
            cond = [Q.state == state.value] if state else []
            cond += hidden_from(Q.compartment, self.access())
            found = [to_question(r) for r in conn.execute(
                select(t.questions).where(*cond).order_by(Q.created_at.desc(), Q.id.desc()).limit(LIST_CAP))]
            return [self._seen(conn, q, with_model=False) for q in found]

    def scenario_lines(self, scenario_ids: Iterable[str] | None = None) -> dict[str, QuestionView]:
        """These scenarios' own questions (None: every scenario's, at most LIST_CAP) by scenario id, newest
        question first, as the asker may see them (:func:`blind_view`; no model probability): three queries
        whatever their number — the questions, their estimates, and the lines of those revealed to the asker."""
        wanted = None if scenario_ids is None else set(scenario_ids)
        if wanted is not None and not wanted:
            return {}
        with self.store.engine.connect() as conn:
            found = _newest_per_scenario(scenario_questions(conn, wanted, self.access()))
            ests = estimates_by_question(conn, [q.id for q in found])
            now, me = self.clock(), self.who.name
            shown = [q.id for q in found if revealed(q, any(e.analyst == me for e in ests.get(q.id, ())), now)]
            lines = lines_by_question(conn, shown)
            return {str(q.scenario_id): blind_view(q, ests.get(q.id, []), me, now, _reader(lines, q.id))
                    for q in found}

    def _seen(self, conn: Connection, q: Question, *, with_model: bool) -> QuestionView:
        """What of ``q`` the asker may see (:func:`blind_view`); the lines are read only when revealed."""
        now = self.clock()
        return blind_view(q, estimates_of(conn, q.id), self.who.name, now, lambda: lines_of(conn, q.id),
                          lambda: self._model(q, now) if with_model else None)

    def _measure(self, conn: Connection, q: Question, p: float, text: str, at: datetime) -> Line:
        analysts = gap(p, blind_median(estimates_of(conn, q.id), at))
        model = gap(p, self._model(q, at))
        return Line(0, q.id, p, text, self.who.name, at, analysts, model,
                    softer(analysts, self.settings.softening_gap), new_salt())

    def _model(self, q: Question, at: datetime) -> float | None:
        return self.assess(q.scenario_id, at) if q.scenario_id else None

    def _notify(self, q: Question) -> list[str]:
        """Who a flagged line is told to: the level above the question's owner (a scenario's escalation chain),
        else the owner."""
        if q.scenario_id:
            chain = self.scenario(q.scenario_id).chain
            above = list(chain[chain.index(q.owner) + 1:] if q.owner in chain else chain[1:])
            return above[:1] or [q.owner]
        return [q.owner]

    def may_resolve(self, q: Question) -> bool:
        """Whether the asker may resolve ``q``: an analyst or above who owns it, or an admin."""
        with self.store.engine.connect() as conn:
            return self.who.may(Role.ANALYST) and self._owns(conn, q)

    def _owns(self, conn: Connection, q: Question) -> bool:
        """The asker owns ``q`` (by name, or holding its owner's role on the roster now), or is an admin."""
        holder = roster.resolve(conn, q.owner, self.clock())
        return self.who.name in {q.owner, holder.account if holder else None} or self.who.may(Role.ADMIN)

    def _owned(self, conn: Connection, q: Question) -> Question:
        if self._owns(conn, q):
            return q
        raise Forbidden(f"question {q.id} is {q.owner}'s to resolve; {self.who.name} is not its owner",
                        hint=f"ask {q.owner} (or an admin) to resolve it")

    def _find_or_unasked(self, conn: Connection, ref: str) -> Question:
        """As :meth:`_find`, but a scenario's question not yet asked comes back unsaved, with id 0."""
        try:
            return self._find(conn, ref)
        except NotFound:
            key = ref.strip()
            if key.isascii() and key.isdigit():
                raise
            fields = scenario_question(self.scenario(key), self.clock(), self.who.name)
            return Question(0, fields["title"], fields["criteria"], fields["resolves_by"], fields["owner"],
                            QuestionState.OPEN, self.who.name, self.clock(), key)

    def _find(self, conn: Connection, ref: str, *, create: bool = False) -> Question:
        """The question by its number, or a scenario's own question by the scenario's id (created when asked). A
        question the asker may not see is not found, with the same error as a wrong number (the compartment check
        comes before the blind rule, on every read and write of the desk)."""
        key = ref.strip()
        if key.isascii() and key.isdigit():
            number = int(key) if len(key) <= 9 else 0  # no question has a number that long
            r = conn.execute(select(t.questions).where(Q.id == number)).first()
            if r is None or not self.access().sees(r.compartment):
                raise no_question(number)
            return to_question(r)
        r = conn.execute(select(t.questions).where(Q.scenario_id == key)).first()
        if r is not None and self.access().sees(r.compartment):
            return to_question(r)
        scenario = self.scenario(key)  # NotFound for an unknown scenario, or one the asker may not see
        if r is not None:  # a question hidden from the asker on a scenario it sees (marked on its own)
            raise NotFound(f"scenario {key} has no question yet", hint=f"`forewarn estimate {key} P` creates it")
        if not create:
            raise NotFound(f"scenario {key} has no question yet", hint=f"`forewarn estimate {key} P` creates it")
        held = conn.execute(select(t.scenarios.c.compartment).where(t.scenarios.c.id == scenario.id)).scalar()
        return self._insert(conn, scenario_question(scenario, self.clock(), self.who.name), held)

    def _insert(self, conn: Connection, fields: dict[str, Any], compartment: int | None = None) -> Question:
        """A new question (its ledger entry in the same transaction); ``compartment``: who may see it (a scenario's
        own question takes its scenario's)."""
        row = {**fields, "state": QuestionState.OPEN.value, "created_by": self.who.name, "created_at": self.clock()}
        new_id = int(conn.execute(t.questions.insert().values({**row, "compartment": compartment}).returning(Q.id))
                     .scalar_one())
        self.ledger.append(conn, "question-added", subject(new_id), question_payload(new_id, row))
        return fetch(conn, new_id)



def subject(question_id: int) -> str:
    return f"question:{question_id}"


def scenario_question(s: Scenario, now: datetime, by: str) -> dict[str, Any]:
    """The fields of a scenario's own question, created ``now``: it resolves by the end of the horizon."""
    return {"title": f"{s.name}: will it happen within {s.horizon_days} days?"[:TITLE_MAX],
            "criteria": f"Yes if what scenario {s.id} describes happens by the resolution date. {s.description}",
            "resolves_by": (now + timedelta(days=s.horizon_days)).date(), "owner": s.owner or by,
            "scenario_id": s.id, "reveal_at": None}


def question_payload(new_id: int, row: dict[str, Any]) -> dict[str, Any]:
    shown = {k: (v.isoformat() if isinstance(v, date | datetime) else v) for k, v in row.items()}
    return {"id": new_id, **shown}


def check_question(title: str, criteria: str, resolves_by: date, now: datetime) -> dict[str, Any]:
    name = check_text(title, "title", required=True)
    if len(name) > TITLE_MAX:
        raise InvalidArgument(f"a question's title is {len(name)} characters; at most {TITLE_MAX}",
                              hint="put the detail in its criteria")
    if resolves_by < now.date():
        raise InvalidArgument(f"resolution date {resolves_by} is already past (today is {now.date()})",
                              hint="give a date on or after today (`--resolves-by YYYY-MM-DD`)")
    return {"title": name, "criteria": check_text(criteria, "criteria", required=True), "resolves_by": resolves_by,
            "scenario_id": None}


def check_text(text: str, what: str, *, required: bool = False) -> str:
    value = (text or "").strip()
    if required and not value:
        error = RationaleRequired if what == "rationale" else InvalidArgument
        raise error(f"a {what} is required", hint=f"say it in a sentence or two (`--{what} TEXT`)")
    if len(value) > RATIONALE_MAX:
        raise InvalidArgument(f"the {what} is {len(value):,} characters; at most {RATIONALE_MAX:,}",
                              hint="keep it short; link documents instead")
    return value


def open_question(q: Question) -> Question:
    if q.state is not QuestionState.OPEN:
        raise QuestionStateError(f"question {q.id} is {q.state.value}",
                                 hint="a closed question takes no more estimates, lines or resolutions")
    return q


def _past(at: datetime | None, now: datetime) -> bool:
    return at is not None and at <= now


def revealed(q: Question, has_own: bool, now: datetime) -> bool:
    """Whether ``q`` is revealed to an asker (``has_own``: they have an estimate of their own on it) at ``now``."""
    return has_own or q.state is not QuestionState.OPEN or _past(q.reveal_at, now)


def blind_view(q: Question, ests: Sequence[Estimate], me: str, now: datetime,
               lines: Callable[[], tuple[Line, ...]],
               model: Callable[[], float | None] = lambda: None) -> QuestionView:
    """THE blind rule, the one place it is decided: what of ``q`` (with every estimate on it, oldest first) the
    asker ``me`` may see at ``now``. Hidden, only their own estimates; ``lines`` and ``model`` are called only
    when revealed (nothing withheld is read)."""
    mine = tuple(e for e in ests if e.analyst == me)
    if not revealed(q, bool(mine), now):
        return QuestionView(q, mine, False, (), (), None, mine)
    return QuestionView(q, mine, True, current_others(list(ests), me), lines(), model(), tuple(ests))


def _has_estimate(conn: Connection, question_id: int, analyst: str) -> bool:
    found = conn.execute(select(E.id).where(E.question_id == question_id, E.analyst == analyst).limit(1)).first()
    return found is not None


def no_question(question_id: int) -> NotFound:
    """The one answer for a question that is not there, or is hidden from the asker (no oracle)."""
    return NotFound(f"no question {question_id}", hint="`forewarn question list` lists them")


def fetch(conn: Connection, question_id: int) -> Question:
    r = conn.execute(select(t.questions).where(Q.id == question_id)).first()
    if r is None:
        raise no_question(question_id)
    return to_question(r)


def to_question(r: Row[Any]) -> Question:
    return Question(r.id, r.title, r.criteria, r.resolves_by, r.owner, QuestionState(r.state), r.created_by,
                    r.created_at, r.scenario_id, r.reveal_at, r.resolution, r.resolved_by, r.resolved_at)


def estimates_of(conn: Connection, question_id: int) -> list[Estimate]:
    rows = conn.execute(select(t.estimates).where(E.question_id == question_id).order_by(E.at, E.id))
    return [to_estimate(r) for r in rows]


def lines_of(conn: Connection, question_id: int) -> tuple[Line, ...]:
    rows = conn.execute(select(t.published_lines).where(L.question_id == question_id).order_by(L.at, L.id))
    return tuple(to_line(r) for r in rows)


def to_line(r: Row[Any]) -> Line:
    return Line(r.id, r.question_id, r.probability, r.words, r.published_by, r.at, r.gap, r.model_gap, r.flagged,
                r.salt)


def to_estimate(r: Row[Any]) -> Estimate:
    return Estimate(r.id, r.question_id, r.analyst, r.probability, r.rationale, r.at, r.blind, r.salt)


def scenario_questions(conn: Connection, wanted: set[str] | None, access: Access = EVERYTHING) -> list[Question]:
    """Scenarios' own questions that ``access`` may see, newest first (at most LIST_CAP): those of ``wanted`` (None:
    every scenario's). One query: a long list of ids reads every scenario's question and keeps the wanted ones."""
    few = wanted is not None and len(wanted) <= IN_MAX
    cond = Q.scenario_id.in_(sorted(wanted or ())) if few else Q.scenario_id.is_not(None)
    found = (to_question(r) for r in conn.execute(
        select(t.questions).where(cond, *hidden_from(Q.compartment, access))
        .order_by(Q.created_at.desc(), Q.id.desc())))
    return list(islice((q for q in found if wanted is None or q.scenario_id in wanted), LIST_CAP))


def _newest_per_scenario(found: list[Question]) -> list[Question]:
    """The newest question of each scenario (there is one, unless a scenario was removed and added again)."""
    kept: dict[str, Question] = {}
    for q in found:
        kept.setdefault(str(q.scenario_id), q)
    return list(kept.values())


def _reader(lines: dict[int, tuple[Line, ...]], question_id: int) -> Callable[[], tuple[Line, ...]]:
    return lambda: lines.get(question_id, ())


def estimates_by_question(conn: Connection, ids: Sequence[int]) -> dict[int, list[Estimate]]:
    """Every estimate on these questions (at most LIST_CAP of them: one query), oldest first, by question."""
    found: dict[int, list[Estimate]] = {}
    if ids:
        for r in conn.execute(select(t.estimates).where(E.question_id.in_(list(ids))).order_by(E.at, E.id)):
            found.setdefault(r.question_id, []).append(to_estimate(r))
    return found


def lines_by_question(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[Line, ...]]:
    """The published lines of these questions (at most LIST_CAP of them: one query), oldest first, by question."""
    found: dict[int, list[Line]] = {}
    if ids:
        for r in conn.execute(select(t.published_lines).where(L.question_id.in_(list(ids))).order_by(L.at, L.id)):
            found.setdefault(r.question_id, []).append(to_line(r))
    return {k: tuple(v) for k, v in found.items()}


def current_others(ests: list[Estimate], me: str) -> tuple[Estimate, ...]:
    """Each other analyst's latest estimate, by analyst."""
    latest = {e.analyst: e for e in ests if e.analyst != me}
    return tuple(latest[a] for a in sorted(latest))


def flagged_notice(q: Question, line: Line, blind: dict[str, float],
                   dissents: list[dict[str, Any]]) -> dict[str, Any]:
    """The body of the notice of a flagged line: the question, the line, both gaps, the blind median and how many
    blind estimates it is the median of, and the line's dissents."""
    median = blind_median_of(blind)
    text = (f"The line published on question {q.id} by {line.published_by}, {line.probability:.2f} "
            f"(“{line.words}”), is softer than the analysts' blind median {_num(median)} by {_num(-(line.gap or 0))} "
            f"logits ({len(blind)} blind estimates); gap to the model: {_num(line.model_gap)}.")
    return {"title": f"Softened line on question {q.id}: {q.title}", "text": text, "question": question_json(q),
            "line": {k: v for k, v in line_json(line).items() if k != "salt"}, "gap": line.gap,
            "model_gap": line.model_gap, "blind_median": median, "blind_estimates": len(blind),
            "dissents": dissents}


def blind_median_of(blind: dict[str, float]) -> float | None:
    return float(statistics.median(blind.values())) if blind else None


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def question_json(q: Question) -> dict[str, Any]:
    return {"id": q.id, "title": q.title, "criteria": q.criteria, "resolves_by": q.resolves_by.isoformat(),
            "owner": q.owner, "state": q.state.value, "scenario_id": q.scenario_id,
            "reveal_at": _iso(q.reveal_at), "created_by": q.created_by, "created_at": q.created_at.isoformat(),
            "resolution": q.resolution, "resolved_by": q.resolved_by, "resolved_at": _iso(q.resolved_at)}


def estimate_json(e: Estimate) -> dict[str, Any]:
    return {"id": e.id, "question_id": e.question_id, "analyst": e.analyst, "probability": e.probability,
            "words": e.words, "rationale": e.rationale, "at": e.at.isoformat(), "blind": e.blind,
            "salt": e.salt}  # with the values, anyone may check the ledger's commitment


def line_json(x: Line) -> dict[str, Any]:
    return {"id": x.id, "question_id": x.question_id, "probability": x.probability, "words": x.words,
            "published_by": x.published_by, "at": x.at.isoformat(), "gap": x.gap, "model_gap": x.model_gap,
            "flagged": x.flagged, "salt": x.salt}


def withheld_json(x: Line) -> dict[str, Any]:
    """A line as a blind publisher sees it: no gaps, no flag (they would tell where the analysts stand)."""
    return {**line_json(x), "gap": None, "model_gap": None, "flagged": None, "salt": None, "withheld": True}


def view_json(v: QuestionView) -> dict[str, Any]:
    """A question as its asker may see it, as the CLI and the API show it (withheld parts empty / null)."""
    return {"question": question_json(v.question), "mine": [estimate_json(e) for e in v.mine],
            "revealed": v.revealed, "others": [estimate_json(e) for e in v.others],
            "lines": [line_json(x) for x in v.lines], "model": v.model,
            "model_words": words(v.model) if v.model is not None else None,
            "history": [estimate_json(e) for e in v.history], "asked": v.asked}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
