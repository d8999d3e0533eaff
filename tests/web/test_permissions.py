"""The permission matrix: every API endpoint (and the board's form posts) against every role.

The table below is written out by hand from the role policy, not derived from the code:

- viewer reads everything (verifying the ledger is a read) and manages their own API tokens;
- analyst also ingests documents, raises warnings, adds and removes scenarios, edits and merges entities;
- duty officer also acknowledges, disposes of and escalates warnings, and runs an assessment cycle;
- admin also manages accounts and other people's tokens, and anchors the ledger.

A role below the least one is refused with 403 FW-E101; no credentials at all is 401 FW-E100; a role
at or above it gets a success. A test fails when the app has an /api/v1 route the table lacks (a new
endpoint cannot skip the matrix), or when the table names one the app lacks (the contract's paths).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from detect_store_helpers import SCENARIO, UKR, Report, extraction
from fastapi.testclient import TestClient
from web_support import World, build_world, role_login

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model import Marking, Principal, PrincipalKind
from forewarn.model.extraction import Entity, EntityKind, Participant
from forewarn.model.query import DocumentQuery, EventQuery
from forewarn.web import create_app

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, *(r.value for r in Role))
NOW = datetime(2024, 8, 12, 12, 0, tzinfo=UTC)


@dataclass
class Ticking:
    """The module's workspace clock: NOW until a request maker moves it on (deconfliction matches what was ingested
    since its last run, so each run's holdings come a minute later)."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Env:
    """The module's world: one workspace, the app over it, an API token and a logged-in session per role."""

    ws: Workspace
    world: World
    app: Any
    client: TestClient  # no credentials of its own
    tokens: dict[str, str]
    sessions: dict[str, TestClient]
    tmp: Path
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    clock: Ticking = field(default_factory=Ticking)

    def n(self) -> int:
        return next(self.counter)

    # fresh objects, so each role's request acts on something of its own
    def warning(self) -> int:
        return self.ws.warnings.raise_warning(f"matrix warning {self.n()}", "raised for the permission matrix", "high",
                                     scenario_id=self.world.scenario_id).id

    def scenario(self) -> str:
        sid = f"matrix-{self.n()}"
        path = self.tmp / f"{sid}.yaml"
        path.write_text(SCENARIO.replace("id: armour-watch", f"id: {sid}"))
        return self.ws.scenarios.add(path).id

    def entities(self) -> tuple[str, str]:
        """Two new entities (the actor and the recipient of one event in a new document)."""
        _, a, b = self.new_event()
        return a, b

    def event(self) -> str:
        """A new event (in a new document), for a correction or a rejection of its own."""
        return self.new_event()[0]

    def new_event(self) -> tuple[str, str, str]:
        """One event in a new document, its actor and recipient new entities: (event, actor, recipient)."""
        n = self.n()
        folder = self.tmp / f"entities-{n}"
        folder.mkdir()
        text = f"armour of the Ukrainian army met the Matrix Brigade {n} near Sudzha on patrol number {n}."
        (folder / "e.txt").write_text(f"Title: e{n}\nDate: 2024-08-10\n\n{text}\n")
        self.ws.intake.ingest([str(folder)])
        [doc] = [d for d in map(self.ws.store.get_document, self.ws.store.documents_needing_extraction())
                 if d.title == f"e{n}"]
        doc_id = doc.id
        ex = extraction(doc_id, doc.text, Report("x", f"e{n}", date(2024, 8, 10), text))
        a = Entity(f"ner:org:matrix-a-{n}", f"Matrix Army {n}", EntityKind.ORG, "UKR")
        b = Entity(f"ner:org:matrix-brigade-{n}", f"Matrix Brigade {n}", EntityKind.ORG, "RUS")
        who, whom = doc.text.index("the Ukrainian army"), doc.text.index("the Matrix Brigade")
        event = replace(ex.events[0], actor=Participant(a, "the Ukrainian army", who, who + 18),
                        recipient=Participant(b, "the Matrix Brigade", whom, whom + 18))
        self.ws.store.save_extractions([replace(ex, events=(event,))], NOW)
        return self.ws.store.extraction_of(doc_id).events[0].id, a.id, b.id

    def user(self) -> str:
        name = f"matrix-user-{self.n()}"
        self.ws.accounts.add_user(name, "a matrix passphrase", Role.VIEWER, actor="setup")
        return name

    def token_of(self, user: str) -> int:
        token, _ = self.ws.accounts.create_token(user, f"matrix {self.n()}", actor="setup")
        return token.id


@dataclass(frozen=True)
class Call:
    path: str  # concrete, with its query string
    json: Any = None
    form: dict[str, str] | None = None
    # for page forms (which answer 303 whether the action worked or not): did it take effect?
    done: Callable[[], bool] | None = None


@dataclass(frozen=True)
class Row:
    method: str
    route: str  # the route's path under /api/v1 (or the page's path), parameters in braces
    least: Role | None  # None: open to anyone, even without credentials
    make: Callable[[Env, str], Call]  # (env, role) → the concrete request
    variant: str = ""  # several rows of one route (own token / someone else's)
    page: bool = False  # a page form post: session with CSRF field, success is 303

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}{' [' + self.variant + ']' if self.variant else ''}"


def get(path: str) -> Callable[[Env, str], Call]:
    return lambda env, role: Call(path.format(**ids(env)))


def ids(env: Env) -> dict[str, Any]:
    """The world's objects that reads point at."""
    event = env.ws.reads.events(EventQuery(limit=1))[0]
    return {"warning": env.world.warning_ids[0], "scenario": env.world.scenario_id, "event": event.id,
            "document": env.world.documents["o1"], "entity": UKR.id, "run": env.ws.reads.runs(1)[0].id,
            "question": first_question(env), "assumption": first_assumption(env),
            "ach": env.ws.ach.listing()[-1].id if env.ws.ach.listing() else new_matrix(env)}


def merge(one: str, into: str) -> Call:
    return Call(f"/api/v1/entities/{one}/merge", {"into": into})


def other_user(role: str) -> str:
    """An account that is not the caller's."""
    return "viewer" if role != "viewer" else "analyst"


V, A, D, ADMIN = Role.VIEWER, Role.ANALYST, Role.DUTY_OFFICER, Role.ADMIN
API: tuple[Row, ...] = (
    # meta
    Row("GET", "/api/v1/openapi.json", None, get("/api/v1/openapi.json")),
    Row("GET", "/api/v1/errors/{code}", None, get("/api/v1/errors/FW-E101")),
    Row("GET", "/api/v1/me", V, get("/api/v1/me")),
    # warnings (H1)
    Row("GET", "/api/v1/warnings", V, get("/api/v1/warnings?state=all")),
    Row("GET", "/api/v1/warnings/changes", V, get("/api/v1/warnings/changes")),
    Row("GET", "/api/v1/warnings/{id}", V, get("/api/v1/warnings/{warning}")),
    Row("POST", "/api/v1/warnings", A, lambda env, role: Call(
        "/api/v1/warnings", {"title": f"raised by {role}", "text": "matrix", "severity": "high"})),
    Row("POST", "/api/v1/warnings/{id}/acknowledge", D, lambda env, role: Call(
        f"/api/v1/warnings/{env.warning()}/acknowledge", {"note": f"seen by {role}"})),
    Row("POST", "/api/v1/warnings/{id}/dispose", D, lambda env, role: Call(
        f"/api/v1/warnings/{env.warning()}/dispose", {"disposition": "dismissed", "rationale": "matrix: no threat"})),
    Row("POST", "/api/v1/warnings/{id}/escalate", D, lambda env, role: Call(
        f"/api/v1/warnings/{env.warning()}/escalate", {"reason": "matrix: needs the watch lead"})),
    # scenarios (H1)
    Row("GET", "/api/v1/scenarios", V, get("/api/v1/scenarios")),
    Row("GET", "/api/v1/scenarios/{id}", V, get("/api/v1/scenarios/{scenario}")),
    Row("GET", "/api/v1/scenarios/{id}/assessments", V, get("/api/v1/scenarios/{scenario}/assessments")),
    Row("POST", "/api/v1/scenarios", A, lambda env, role: Call(
        "/api/v1/scenarios", {"yaml": SCENARIO.replace("id: armour-watch", f"id: posted-{env.n()}")})),
    Row("DELETE", "/api/v1/scenarios/{id}", A, lambda env, role: Call(f"/api/v1/scenarios/{env.scenario()}")),
    Row("POST", "/api/v1/cycle", D, lambda env, role: Call("/api/v1/cycle")),
    # events, documents, entities (H2)
    Row("GET", "/api/v1/events", V, get("/api/v1/events?type=MOBILIZE")),
    Row("GET", "/api/v1/events/daily", V, get("/api/v1/events/daily?type=MOBILIZE")),
    Row("GET", "/api/v1/export", V, get("/api/v1/export?format=stix&type=MOBILIZE")),
    Row("GET", "/api/v1/events/map", V, get("/api/v1/events/map?bbox=30,45,40,55")),
    Row("GET", "/api/v1/events/{id}", V, get("/api/v1/events/{event}")),
    Row("GET", "/api/v1/documents", V, get("/api/v1/documents")),
    Row("GET", "/api/v1/documents/{id}", V, get("/api/v1/documents/{document}")),
    Row("POST", "/api/v1/documents", A, lambda env, role: Call(
        "/api/v1/documents", {"text": f"Posted by {role} for the matrix, report {env.n()}: armour near Sudzha.",
                              "title": f"posted {role}"})),
    Row("GET", "/api/v1/entities", V, get("/api/v1/entities?search=army")),
    Row("GET", "/api/v1/entities/{id}", V, get("/api/v1/entities/{entity}")),
    Row("GET", "/api/v1/entities/{id}/events", V, get("/api/v1/entities/{entity}/events?role=any")),
    Row("GET", "/api/v1/entities/{id}/cooccurring", V, get("/api/v1/entities/{entity}/cooccurring")),
    Row("POST", "/api/v1/entities/{id}/merge", A, lambda env, role: merge(*env.entities())),
    # ledger, post-mortem, sources, accounts (H3)
    Row("GET", "/api/v1/ledger", V, get("/api/v1/ledger?kind=warning-raised")),
    Row("GET", "/api/v1/scores", V, get("/api/v1/scores")),
    Row("GET", "/api/v1/ledger/verify", V, get("/api/v1/ledger/verify")),
    Row("POST", "/api/v1/ledger/anchor", ADMIN, lambda env, role: Call("/api/v1/ledger/anchor")),
    Row("GET", "/api/v1/postmortem/{scenario_id}", V,
        get("/api/v1/postmortem/{scenario}?event-date=2024-08-14&margin-days=3")),
    Row("GET", "/api/v1/sources", V, get("/api/v1/sources")),
    Row("GET", "/api/v1/runs", V, get("/api/v1/runs")),
    Row("GET", "/api/v1/runs/{id}", V, get("/api/v1/runs/{run}")),
    Row("GET", "/api/v1/users", ADMIN, get("/api/v1/users")),
    Row("POST", "/api/v1/users", ADMIN, lambda env, role: Call(
        "/api/v1/users", {"name": f"new-user-{env.n()}", "password": "a long passphrase", "role": "viewer"})),
    Row("POST", "/api/v1/users/{name}/disable", ADMIN, lambda env, role: Call(f"/api/v1/users/{env.user()}/disable")),
    Row("POST", "/api/v1/users/{name}/password", ADMIN, lambda env, role: Call(
        f"/api/v1/users/{env.user()}/password", {"password": "another long passphrase"})),
    Row("GET", "/api/v1/tokens", V, get("/api/v1/tokens")),
    Row("POST", "/api/v1/tokens", V, lambda env, role: Call("/api/v1/tokens", {"name": f"own {env.n()}"}),
        variant="own"),
    Row("POST", "/api/v1/tokens", ADMIN, lambda env, role: Call(
        "/api/v1/tokens", {"name": f"for another {env.n()}", "user": other_user(role)}), variant="another's"),
    Row("POST", "/api/v1/tokens/{id}/revoke", V, lambda env, role: Call(
        f"/api/v1/tokens/{env.token_of(role if role != ANONYMOUS else 'viewer')}/revoke"), variant="own"),
    Row("POST", "/api/v1/tokens/{id}/revoke", ADMIN, lambda env, role: Call(
        f"/api/v1/tokens/{env.token_of(other_user(role))}/revoke"), variant="another's"),
    # the live feed and shift handovers
    Row("GET", "/api/v1/feed", V, get("/api/v1/feed?flagged=true")),
    Row("GET", "/api/v1/feed/new", V, get("/api/v1/feed/new")),
    Row("POST", "/api/v1/feed/seen", V, lambda env, role: Call("/api/v1/feed/seen")),
    Row("GET", "/api/v1/handovers", V, get("/api/v1/handovers")),
    Row("GET", "/api/v1/handovers/draft", D, get("/api/v1/handovers/draft")),
    Row("GET", "/api/v1/handovers/{id}", V, lambda env, role: Call(f"/api/v1/handovers/{handover_by_another(env)}")),
    Row("POST", "/api/v1/handovers", D, lambda env, role: Call("/api/v1/handovers", {"watch": f"matrix {role}"})),
    Row("POST", "/api/v1/handovers/{id}/acknowledge", D, lambda env, role: Call(
        f"/api/v1/handovers/{handover_by_another(env)}/acknowledge")),
    # notes, tags and corrections: analysts annotate, everyone reads
    Row("GET", "/api/v1/documents/{id}/annotations", V, get("/api/v1/documents/{document}/annotations")),
    Row("GET", "/api/v1/events/{id}/annotations", V, get("/api/v1/events/{event}/annotations")),
    Row("GET", "/api/v1/tags/{tag}/{kind}", V, get("/api/v1/tags/needs-review/events")),
    Row("POST", "/api/v1/{kind}/{ref}/notes", A, lambda env, role: Call(
        f"/api/v1/documents/{env.world.documents['o1']}/notes", {"text": f"matrix note by {role}"})),
    Row("POST", "/api/v1/{kind}/{ref}/tags", A, lambda env, role: Call(
        f"/api/v1/events/{ids(env)['event']}/tags", {"tag": f"matrix-{role}-{env.n()}"})),
    Row("DELETE", "/api/v1/{kind}/{ref}/tags/{tag}", A, lambda env, role: Call(
        f"/api/v1/events/{ids(env)['event']}/tags/{tagged_by_another(env, ids(env)['event'])}")),
    Row("POST", "/api/v1/events/{id}/corrections", A, lambda env, role: Call(
        f"/api/v1/events/{env.event()}/corrections", {"type": "ASSAULT", "reason": f"matrix {role}"})),
    Row("POST", "/api/v1/events/{id}/rejection", A, lambda env, role: Call(
        f"/api/v1/events/{env.event()}/rejection", {"reason": f"matrix {role}"})),
    # the duty roster: everyone reads, duty officers change it
    Row("GET", "/api/v1/roster", V, get("/api/v1/roster")),
    Row("POST", "/api/v1/roster", D, lambda env, role: Call(
        "/api/v1/roster", {"role": f"matrix-post-{env.n()}", "account": "duty_officer"})),
    Row("DELETE", "/api/v1/roster/{id}", D, lambda env, role: Call(f"/api/v1/roster/{shift_by_another(env)}")),
    # teams, markings and the audit (issue 18): admins administer teams; a team's members read it; owners raise
    Row("GET", "/api/v1/teams", V, get("/api/v1/teams")),
    Row("POST", "/api/v1/teams", ADMIN, lambda env, role: Call("/api/v1/teams", {"id": f"matrix-team-{env.n()}"})),
    Row("GET", "/api/v1/teams/{team_id}", V, lambda env, role: Call(f"/api/v1/teams/{everyones_team(env)}")),
    Row("GET", "/api/v1/teams/{team_id}/report", V,
        lambda env, role: Call(f"/api/v1/teams/{everyones_team(env)}/report")),
    Row("POST", "/api/v1/teams/{team_id}/members", ADMIN,
        lambda env, role: Call(f"/api/v1/teams/{new_team(env)}/members", {"account": "viewer"})),
    Row("DELETE", "/api/v1/teams/{team_id}/members/{account}", ADMIN,
        lambda env, role: Call(f"/api/v1/teams/{new_team(env, 'viewer')}/members/viewer")),
    Row("POST", "/api/v1/markings/{kind}/{object_id}", A,
        lambda env, role: Call(f"/api/v1/markings/scenario/{env.scenario()}", {"marking": "AMBER"})),
    Row("GET", "/api/v1/audit/reads", ADMIN, get("/api/v1/audit/reads")),
    # deconfliction (issue 18): everyone reads their teams' matches; analysts run the matching, and as members of a
    # match's team ask to talk, answer a request and mark a selector not to be matched
    Row("GET", "/api/v1/deconfliction", V, get("/api/v1/deconfliction")),
    Row("GET", "/api/v1/deconfliction/excluded", V, get("/api/v1/deconfliction/excluded")),
    Row("POST", "/api/v1/deconfliction/run", A,
        lambda env, role: (held_pair(env), Call("/api/v1/deconfliction/run"))[1]),  # a new pair for the run
    Row("POST", "/api/v1/deconfliction/matches/{match_id}/request", A, lambda env, role: (lambda m: Call(
        f"/api/v1/deconfliction/matches/{m.id}/request", {"team": m.ours}))(new_match(env))),
    Row("POST", "/api/v1/deconfliction/requests/{request_id}/accept", A, lambda env, role: Call(
        f"/api/v1/deconfliction/requests/{received_request(env).request}/accept")),
    Row("POST", "/api/v1/deconfliction/requests/{request_id}/decline", A, lambda env, role: Call(
        f"/api/v1/deconfliction/requests/{received_request(env).request}/decline")),
    Row("POST", "/api/v1/deconfliction/excluded", A, lambda env, role: (lambda p: Call(
        "/api/v1/deconfliction/excluded", {"team": p.ours, "kind": "phone", "text": p.shown}))(held_pair(env))),
    # questions, blind estimates and published lines: everyone reads (blind), analysts
    # add and estimate, duty officers publish the line; a question's owner (an analyst or above) resolves it
    Row("GET", "/api/v1/questions", V, get("/api/v1/questions")),
    Row("GET", "/api/v1/questions/{ref}", V, lambda env, role: Call(f"/api/v1/questions/{new_question(env)}")),
    Row("POST", "/api/v1/questions", A, lambda env, role: Call("/api/v1/questions", {
        "title": f"matrix question by {role}", "criteria": "matrix", "resolves_by": "2099-01-01"})),
    Row("POST", "/api/v1/questions/{ref}/estimates", A, lambda env, role: Call(
        f"/api/v1/questions/{new_question(env)}/estimates", {"probability": 0.3})),
    Row("POST", "/api/v1/questions/{ref}/lines", D, lambda env, role: Call(
        f"/api/v1/questions/{new_question(env)}/lines", {"probability": 0.3})),
    Row("POST", "/api/v1/questions/{ref}/resolve", A, lambda env, role: Call(
        f"/api/v1/questions/{new_question(env, role)}/resolve", {"outcome": "annul", "rationale": f"matrix {role}"})),
    # key assumptions: everyone reads (a question's once revealed, and their own), analysts
    # add; the owner (here: the caller) or an admin reviews and withdraws
    Row("GET", "/api/v1/assumptions", V, get("/api/v1/assumptions?state=holding")),
    Row("GET", "/api/v1/assumptions/{assumption_id}", V, get("/api/v1/assumptions/{assumption}")),
    Row("POST", "/api/v1/assumptions", A, lambda env, role: Call("/api/v1/assumptions", {
        "question": str(new_question(env)), "text": f"matrix assumption by {role}", "signposts": SIGNPOSTS})),
    Row("POST", "/api/v1/assumptions/{assumption_id}/review", A, lambda env, role: Call(
        f"/api/v1/assumptions/{owned_assumption(env, role)}/review", {"outcome": "holds", "rationale": "matrix"})),
    Row("POST", "/api/v1/assumptions/{assumption_id}/withdraw", A, lambda env, role: Call(
        f"/api/v1/assumptions/{owned_assumption(env, role)}/withdraw")),
    # protected dissent: everyone reads (a line's only once revealed), analysts dissent
    Row("GET", "/api/v1/dissents", V, get("/api/v1/dissents")),
    Row("POST", "/api/v1/dissents", A, lambda env, role: Call("/api/v1/dissents", {
        "target": "disposition", "target_id": disposed_warning(env), "text": f"matrix dissent by {role}"})),
    # competing hypotheses: everyone reads, analysts change a matrix
    Row("GET", "/api/v1/ach", V, get("/api/v1/ach")),
    Row("GET", "/api/v1/ach/{matrix_id}", V, get("/api/v1/ach/{ach}?version=1")),
    Row("GET", "/api/v1/ach/{matrix_id}/history", V, get("/api/v1/ach/{ach}/history")),
    Row("POST", "/api/v1/ach", A, lambda env, role: Call("/api/v1/ach", {"title": f"matrix {role}",
                                                                        "hypotheses": ["a", "b"]})),
    Row("POST", "/api/v1/ach/{matrix_id}/hypotheses", A, lambda env, role: Call(
        f"/api/v1/ach/{new_matrix(env)}/hypotheses", {"text": f"matrix {role}"})),
    Row("POST", "/api/v1/ach/{matrix_id}/evidence", A, lambda env, role: Call(
        f"/api/v1/ach/{new_matrix(env)}/evidence", {"text": f"matrix {role}", "grade": "B2"})),
    Row("POST", "/api/v1/ach/{matrix_id}/ratings", A, lambda env, role: Call(
        f"/api/v1/ach/{new_matrix(env)}/ratings", {"evidence": 1, "hypothesis": 1, "rating": "I"})),
    Row("DELETE", "/api/v1/ach/{matrix_id}/hypotheses/{number}", A, lambda env, role: Call(
        f"/api/v1/ach/{new_matrix(env)}/hypotheses/3")),
    Row("DELETE", "/api/v1/ach/{matrix_id}/evidence/{number}", A, lambda env, role: Call(
        f"/api/v1/ach/{new_matrix(env)}/evidence/1")),
)


PREPARED_MATRICES: list[int] = []  # made ahead of a request (test_actions_ledgered), so it writes no entry itself


def new_matrix(env: Env) -> int:
    """A fresh competing-hypotheses matrix: three hypotheses and one item (E1), so any change may be made to it."""
    if PREPARED_MATRICES:
        return PREPARED_MATRICES.pop()
    m = env.ws.ach.create(f"matrix ach {env.n()}", ["a", "b", "c"])
    return env.ws.ach.add_evidence(m.id, text="matrix item").id


def ach_form(env: Env, role: str, what: str) -> Call:
    """A page form on a fresh matrix; it took effect when the matrix moved on a version."""
    m = new_matrix(env)
    form = {"hypotheses": {"text": "d"}, "evidence": {"text": "x", "grade": "C3"}, "ratings/1": {"h1": "II"},
            "remove": {"what": "H3"}}[what]
    return Call(f"/ach/{m}/{what}", form=form, done=lambda: env.ws.ach.get(m).version > 2)


def first_question(env: Env) -> int:
    """The oldest question (added the first time it is asked for), for the pages every role reads."""
    found = env.ws.judgments.listing()
    return found[-1].question.id if found else new_question(env)


def new_question(env: Env, owner: str | None = None) -> int:
    """A fresh open question (so each role's request acts on one of its own; owned by ``owner``'s account)."""
    return env.ws.judgments.add_question(f"matrix question {env.n()}", "matrix", date(2099, 1, 1), owner).id



SIGNPOSTS = "- id: matrix\n  types: [MOBILIZE]\n"


def first_assumption(env: Env) -> int:
    """An assumption on an annulled question (so every role may read it), made once."""
    from forewarn.model.judgment import QuestionState

    found = [a.id for a in env.ws.assumptions.listing() if a.text == "matrix assumption everyone reads"]
    if found:
        return found[-1]
    q = str(new_question(env))
    made = env.ws.assumptions.add(q, "matrix assumption everyone reads", SIGNPOSTS)
    env.ws.judgments.resolve(q, QuestionState.ANNULLED, "matrix: its assumptions are read by all")
    return made.id


def owned_assumption(env: Env, role: str) -> int:
    """A fresh holding assumption owned by the caller's account."""
    return env.ws.assumptions.add(str(new_question(env)), f"matrix assumption {env.n()}", SIGNPOSTS, owner=role).id


def assumption_done(env: Env, kind: str, assumption: int, actor: str) -> bool:
    return any(e.subject == f"assumption:{assumption}" and e.actor == actor for e in env.ws.ledger.entries(kind=[kind]))


def assumption_form(env: Env, role: str) -> Call:
    q, text = new_question(env), f"matrix page assumption {env.n()}"
    return Call("/assumptions", form={"question": str(q), "text": text, "signposts": SIGNPOSTS},
                done=lambda: any(e.actor == role and e.payload["question_id"] == q
                                 for e in env.ws.ledger.entries(kind=["assumption-added"])))


def assumption_review_form(env: Env, role: str) -> Call:
    a = owned_assumption(env, role)
    return Call(f"/assumptions/{a}/review", form={"outcome": "broken", "rationale": f"matrix {role}"},
                done=lambda: assumption_done(env, "assumption-reviewed", a, role))


def assumption_withdraw_form(env: Env, role: str) -> Call:
    a = owned_assumption(env, role)
    return Call(f"/assumptions/{a}/withdraw", form={},
                done=lambda: assumption_done(env, "assumption-withdrawn", a, role))


def disposed_warning(env: Env) -> int:
    """A fresh warning with a disposition to dissent from."""
    return env.ws.warnings.dispose(env.warning(), "dismissed", "matrix: no threat").id


def dissent_form(env: Env, role: str) -> Call:
    w, text = disposed_warning(env), f"matrix page dissent {env.n()}"
    return Call("/dissents", form={"target": "disposition", "target_id": str(w), "text": text,
                                   "next": f"/warnings/{w}"},
                done=lambda: [(d.analyst, d.text) for d in env.ws.dissents.of_warning(w)] == [(role, text)])


def handover_by_another(env: Env) -> int:
    """A fresh handover note written by an account no test logs in as (so any caller may acknowledge it)."""
    from forewarn.model import Principal, PrincipalKind

    writer = env.ws.acting_as(Principal("matrix-outgoing", Role.DUTY_OFFICER, PrincipalKind.USER))
    return writer.handovers.write(f"matrix note {env.n()}").id

def tagged_by_another(env: Env, event: str) -> str:
    """A fresh tag on ``event``, put there by an account no test logs in as (so any caller may remove it)."""
    from forewarn.model import Principal, PrincipalKind

    tagger = env.ws.acting_as(Principal("matrix-tagger", Role.ANALYST, PrincipalKind.USER))
    return tagger.annotations.tag("event", event, f"matrix-tag-{env.n()}").tag


def shift_by_another(env: Env) -> int:
    """A fresh roster entry, added by an account no test logs in as."""
    from forewarn.model import Principal, PrincipalKind

    planner = env.ws.acting_as(Principal("matrix-planner", Role.DUTY_OFFICER, PrincipalKind.USER))
    return planner.warnings.roster_add(f"matrix-post-{env.n()}", "duty_officer").id


def acknowledge_form(env: Env, role: str) -> Call:
    w = env.warning()
    return Call(f"/warnings/{w}/acknowledge", form={}, done=lambda: env.ws.warnings.get(w).acknowledged_by == role)


def dispose_form(env: Env, role: str) -> Call:
    w = env.warning()
    return Call(f"/warnings/{w}/dispose", form={"disposition": "dismissed", "rationale": "matrix: no threat"},
                done=lambda: env.ws.warnings.get(w).disposed_by == role)


def escalate_form(env: Env, role: str) -> Call:
    w = env.warning()
    return Call(f"/warnings/{w}/escalate", form={"reason": "matrix: needs the watch lead"},
                done=lambda: env.ws.warnings.get(w).escalation_level == 1)


def raise_form(env: Env, role: str) -> Call:
    title = f"raised on the board by {role} {env.n()}"
    return Call("/warnings", form={"title": title, "text": "matrix", "severity": "high"},
                done=lambda: title in {w.title for w in env.ws.warnings.board(states=("raised",), limit=1000)})


def document_form(env: Env, role: str) -> Call:
    title = f"matrix-posted-{env.n()}"
    text = f"Posted on the page by {role} for the matrix ({title}): armour near Sudzha."

    def done() -> bool:
        found, _ = env.ws.reads.documents(DocumentQuery(text=title))
        return any(d.title == title for d in found)

    return Call("/documents", form={"text": text, "title": title}, done=done)


def merge_form(env: Env, role: str) -> Call:
    a, b = env.entities()
    return Call(f"/entities/{a}/merge", form={"into": b}, done=lambda: env.ws.reads.entity(a).canonical_id == b)


def scenario_form(env: Env, role: str) -> Call:
    sid = f"paged-{env.n()}"
    return Call("/scenarios", form={"yaml": SCENARIO.replace("id: armour-watch", f"id: {sid}")},
                done=lambda: sid in {s.id for s in env.ws.scenarios.all()})


def remove_form(env: Env, role: str) -> Call:
    sid = env.scenario()
    return Call(f"/scenarios/{sid}/remove", form={}, done=lambda: sid not in {s.id for s in env.ws.scenarios.all()})


def handover_form(env: Env, role: str) -> Call:
    text = f"matrix page note {env.n()}"
    return Call("/handovers", form={"watch": text},
                done=lambda: text in {h.watch for h in env.ws.handovers.listing(500, 0)[0]})


def handover_ack_form(env: Env, role: str) -> Call:
    h = handover_by_another(env)
    return Call(f"/handovers/{h}/acknowledge", form={}, done=lambda: env.ws.handovers.get(h).acknowledged_by(role))


def event_notes(env: Env, event: str) -> Any:
    return env.ws.reads.event_annotations(event)


def note_form(env: Env, role: str) -> Call:
    event, text = ids(env)["event"], f"matrix page note by {role} {env.n()}"
    return Call(f"/events/{event}/notes", form={"text": text},
                done=lambda: text in {n.text for n in event_notes(env, event).notes})


def tag_form(env: Env, role: str) -> Call:
    event, tag = ids(env)["event"], f"matrix-page-{env.n()}"
    return Call(f"/events/{event}/tags", form={"tag": tag}, done=lambda: tag in event_notes(env, event).tags)


def untag_form(env: Env, role: str) -> Call:
    event = ids(env)["event"]
    tag = tagged_by_another(env, event)
    return Call(f"/events/{event}/tags/remove", form={"tag": tag}, done=lambda: tag not in event_notes(env, event).tags)


def correct_form(env: Env, role: str) -> Call:
    event = env.event()
    return Call(f"/events/{event}/correct", form={"type": "ASSAULT", "reason": f"matrix {role}"},
                done=lambda: event_notes(env, event).corrections is not None)


def reject_form(env: Env, role: str) -> Call:
    event = env.event()

    def done() -> bool:
        fixes = event_notes(env, event).corrections
        return fixes is not None and fixes.rejected is not None

    return Call(f"/events/{event}/reject", form={"reason": f"matrix {role}"}, done=done)


def roster_form(env: Env, role: str) -> Call:
    post = f"matrix-page-post-{env.n()}"
    return Call("/roster", form={"role": post, "account": "duty_officer"},
                done=lambda: post in {s.role for s in env.ws.warnings.roster()})


def roster_remove_form(env: Env, role: str) -> Call:
    shift = shift_by_another(env)
    return Call(f"/roster/{shift}/remove", form={}, done=lambda: shift not in {s.id for s in env.ws.warnings.roster()})


def everyones_team(env: Env) -> str:
    """A team every role's account belongs to (made once)."""
    if "matrix-all" not in {x.id for x in env.ws.teams.teams()}:
        new_team(env, *(r.value for r in Role), team_id="matrix-all")
    return "matrix-all"


def new_team(env: Env, *members: str, team_id: str = "") -> str:
    """A fresh team (made by the workspace's actor, an admin at the terminal) with these members."""
    key = team_id or f"matrix-team-{env.n()}"
    env.ws.teams.add(key, key)
    for account in members:
        env.ws.teams.add_member(key, account)
    return key


def member_form(env: Env, role: str) -> Call:
    team = new_team(env)
    return Call(f"/teams/{team}/members", form={"account": "viewer"},
                done=lambda: env.ws.teams.get(team).has("viewer"))


def member_remove_form(env: Env, role: str) -> Call:
    team = new_team(env, "viewer")
    return Call(f"/teams/{team}/members/viewer/remove", form={}, done=lambda: not env.ws.teams.get(team).has("viewer"))


def marking_form(env: Env, role: str) -> Call:
    n = env.n()
    folder = env.tmp / f"marking-{n}"
    folder.mkdir()
    (folder / "m.txt").write_text(f"Title: m{n}\nDate: 2024-08-10\n\nA document {n} whose marking is raised.\n")
    env.ws.intake.ingest([str(folder)])
    [doc] = [d.id for d in map(env.ws.store.get_document, env.ws.store.documents_needing_extraction())
             if d.title == f"m{n}"]
    return Call(f"/documents/{doc}/marking", form={"marking": "TLP:AMBER"},
                done=lambda: env.ws.store.get_document(doc).compartment_id is not None)


ROLE_ACCOUNTS = tuple(r.value for r in Role)  # each role's account is named after it
OTHER_SIDE = "matrix-other-side"  # an analyst of the other teams of matches, whom no test logs in as


@dataclass(frozen=True)
class Pair:
    """Two fresh teams holding one phone number, each written its own way: ours (every role's account a member)
    and theirs (only OTHER_SIDE); ``shown`` is the number as ours holds it. ``id``: their match, once made;
    ``request``: theirs to ours, once made."""

    ours: str
    theirs: str
    shown: str
    id: int = 0
    request: int = 0


def held_pair(env: Env) -> Pair:
    """A fresh pair of teams, their holdings ingested a minute after anything before (so the next run reads them)."""
    n = env.n()
    env.clock.now += timedelta(minutes=1)
    if OTHER_SIDE not in {u.name for u in env.ws.accounts.users()}:
        env.ws.accounts.add_user(OTHER_SIDE, "a matrix passphrase", Role.ANALYST, actor="setup")
    digits = f"{n:07d}"
    pair = Pair(new_team(env, *ROLE_ACCOUNTS, team_id=f"matrix-ours-{n}"),
                new_team(env, OTHER_SIDE, team_id=f"matrix-theirs-{n}"),
                f"+380 67 {digits[:3]} {digits[3:5]} {digits[5:]}")
    for team, number in ((pair.ours, pair.shown), (pair.theirs, f"+38067{digits}")):
        folder = env.tmp / f"held-{team}"
        folder.mkdir()
        (folder / "h.txt").write_text(f"Title: {team}\nDate: 2024-08-10\n\nMatrix holding {n}: ring {number}.\n")
        env.ws.sources.add(f"held by {team}", str(folder), source_id=f"src-{team}", marking=Marking.GREEN, team=team)
        env.ws.intake.ingest([f"src-{team}"])
    return pair


def member_of(env: Env, name: str = Role.ANALYST.value) -> Workspace:
    """The workspace as an analyst account: its deconfliction desk shows that account's teams' side."""
    return env.ws.acting_as(Principal(name, Role.ANALYST, PrincipalKind.USER))


def our_matches(env: Env, pair: Pair) -> list[Any]:
    """The matches of our team of ``pair`` (as its members see them)."""
    return [m for m in member_of(env).deconfliction.listing() if m.team == pair.ours]


def new_match(env: Env) -> Pair:
    """A fresh pair, matched (the workspace's actor runs the matching)."""
    pair = held_pair(env)
    env.ws.deconfliction.run()
    [match] = our_matches(env, pair)
    assert match.shown == pair.shown
    return replace(pair, id=match.id)


def received_request(env: Env) -> Pair:
    """A fresh match and the other side's request to talk about it, open: ours answers it."""
    pair = new_match(env)
    return replace(pair, request=member_of(env, OTHER_SIDE).deconfliction.request(pair.id).id)


def talk_state(env: Env, pair: Pair) -> list[tuple[str, str]]:
    """(direction, state) of the requests about ``pair``'s match, as ours sees them."""
    return [(x.direction, x.state) for m in our_matches(env, pair) for x in m.talks]


def deconfliction_run_form(env: Env, role: str) -> Call:
    pair = held_pair(env)
    return Call("/deconfliction/run", form={}, done=lambda: [m.shown for m in our_matches(env, pair)] == [pair.shown])


def deconfliction_request_form(env: Env, role: str) -> Call:
    pair = new_match(env)
    return Call(f"/deconfliction/matches/{pair.id}/request", form={"team": pair.ours},
                done=lambda: talk_state(env, pair) == [("sent", "open")])


def deconfliction_answer_form(env: Env, role: str, answer: str) -> Call:
    pair = received_request(env)
    state = {"accept": "accepted", "decline": "declined"}[answer]
    return Call(f"/deconfliction/requests/{pair.request}/{answer}", form={},
                done=lambda: talk_state(env, pair) == [("received", state)])


def deconfliction_exclude_form(env: Env, role: str) -> Call:
    pair = held_pair(env)
    return Call("/deconfliction/excluded", form={"team": pair.ours, "kind": "phone", "text": pair.shown},
                done=lambda: any(r.team_id == pair.ours and r.excluded_by == role
                                 for r in member_of(env).deconfliction.excluded()))


def question_form(env: Env, role: str) -> Call:
    title = f"matrix page question {env.n()}"
    return Call("/questions", form={"title": title, "criteria": "matrix", "resolves_by": "2099-01-01"},
                done=lambda: title in {v.question.title for v in env.ws.judgments.listing()})


def estimate_form(env: Env, role: str) -> Call:
    q = new_question(env)
    return Call(f"/questions/{q}/estimates", form={"probability": "0.3"},
                done=lambda: recorded(env, "estimate-recorded", q, role))


def line_form(env: Env, role: str) -> Call:
    q = new_question(env)
    return Call(f"/questions/{q}/lines", form={"probability": "0.3"},
                done=lambda: recorded(env, "line-published", q, role))


def recorded(env: Env, kind: str, question: int, actor: str) -> bool:
    """Whether ``actor`` did ``kind`` on the question (the ledger says; a page shows it only to who may see it)."""
    return any(e.subject == f"question:{question}" and e.actor == actor for e in env.ws.ledger.entries(kind=[kind]))


def resolve_form(env: Env, role: str) -> Call:
    q = new_question(env, role)  # the owner resolves (a role's account is named by the role)
    return Call(f"/questions/{q}/resolve", form={"outcome": "annul", "rationale": f"matrix {role}"},
                done=lambda: env.ws.judgments.view(str(q)).question.state.value == "annulled")


# every page form post (session, CSRF field)
PAGE_POSTS: tuple[Row, ...] = (
    Row("POST", "/warnings/{id}/acknowledge", D, acknowledge_form, page=True),
    Row("POST", "/warnings/{id}/dispose", D, dispose_form, page=True),
    Row("POST", "/warnings/{id}/escalate", D, escalate_form, page=True),
    Row("POST", "/warnings", A, raise_form, page=True),
    Row("POST", "/documents", A, document_form, page=True),
    Row("POST", "/entities/{id}/merge", A, merge_form, page=True),
    Row("POST", "/scenarios", A, scenario_form, page=True),
    Row("POST", "/scenarios/{id}/remove", A, remove_form, page=True),
    Row("POST", "/cycle", D, lambda env, role: Call("/cycle", form={}), page=True),
    Row("POST", "/feed/seen", V, lambda env, role: Call("/feed/seen", form={}), page=True),
    Row("POST", "/handovers", D, handover_form, page=True),
    Row("POST", "/dissents", A, dissent_form, page=True),  # protected dissent
    Row("POST", "/handovers/{id}/acknowledge", D, handover_ack_form, page=True),
    Row("POST", "/{kind}/{ref}/notes", A, note_form, page=True),
    Row("POST", "/{kind}/{ref}/tags", A, tag_form, page=True),
    Row("POST", "/{kind}/{ref}/tags/remove", A, untag_form, page=True),
    Row("POST", "/events/{id}/correct", A, correct_form, page=True),
    Row("POST", "/events/{id}/reject", A, reject_form, page=True),
    Row("POST", "/roster", D, roster_form, page=True),
    Row("POST", "/roster/{id}/remove", D, roster_remove_form, page=True),
    # teams and markings (issue 18)
    Row("POST", "/teams", ADMIN, lambda env, role: (lambda key: Call(
        "/teams", form={"team_id": key}, done=lambda: key in {x.id for x in env.ws.teams.teams()}))(
        f"matrix-page-team-{env.n()}"), page=True),
    Row("POST", "/teams/{team_id}/members", ADMIN, member_form, page=True),
    Row("POST", "/teams/{team_id}/members/{account}/remove", ADMIN, member_remove_form, page=True),
    Row("POST", "/documents/{document_id}/marking", A, marking_form, page=True),
    # deconfliction (issue 18)
    Row("POST", "/deconfliction/run", A, deconfliction_run_form, page=True),
    Row("POST", "/deconfliction/matches/{match_id}/request", A, deconfliction_request_form, page=True),
    Row("POST", "/deconfliction/requests/{request_id}/{answer}", A,
        lambda env, role: deconfliction_answer_form(env, role, "accept"), variant="accept", page=True),
    Row("POST", "/deconfliction/requests/{request_id}/{answer}", A,
        lambda env, role: deconfliction_answer_form(env, role, "decline"), variant="decline", page=True),
    Row("POST", "/deconfliction/excluded", A, deconfliction_exclude_form, page=True),
    # the questions pages
    Row("POST", "/questions", A, question_form, page=True),
    Row("POST", "/questions/{ref}/estimates", A, estimate_form, page=True),
    Row("POST", "/questions/{ref}/lines", D, line_form, page=True),
    Row("POST", "/questions/{ref}/resolve", A, resolve_form, page=True),
    # the key assumptions pages
    Row("POST", "/assumptions", A, assumption_form, page=True),
    Row("POST", "/assumptions/{assumption_id}/review", A, assumption_review_form, page=True),
    Row("POST", "/assumptions/{assumption_id}/withdraw", A, assumption_withdraw_form, page=True),
    # the competing-hypotheses pages
    Row("POST", "/ach", A, lambda env, role: Call("/ach", form={"title": f"matrix page {role} {env.n()}",
                                                                "hypotheses": "a\nb"},
                                                  done=lambda: any(r.owner == role for r in env.ws.ach.listing())),
        page=True),
    Row("POST", "/ach/{matrix_id}/hypotheses", A, lambda env, role: ach_form(env, role, "hypotheses"), page=True),
    Row("POST", "/ach/{matrix_id}/evidence", A, lambda env, role: ach_form(env, role, "evidence"), page=True),
    Row("POST", "/ach/{matrix_id}/ratings/{evidence_id}", A, lambda env, role: ach_form(env, role, "ratings/1"),
        page=True),
    Row("POST", "/ach/{matrix_id}/remove", A, lambda env, role: ach_form(env, role, "remove"), page=True),
    Row("POST", "/logout", V, lambda env, role: Call("/logout", form={}), page=True),
)
PUBLIC_PAGE_POSTS = {("POST", "/login")}

PAGES = ("/", "/warnings/{warning}", "/scenarios", "/scenarios/{scenario}", "/events", "/documents",
         "/documents/{document}", "/entities", "/entities/{entity}", "/ledger", "/postmortem", "/sources",
         "/runs/{run}", "/feed", "/handovers", "/events/{event}", "/roster", "/map", "/questions",
         "/questions/{question}", "/assumptions", "/assumptions?state=flagged", "/assumptions/{assumption}",
         "/ach", "/ach/{ach}", "/ach/{ach}?version=1", "/teams", "/deconfliction")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from world_env(tmp_path_factory, "matrix")


def world_env(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Env]:
    """A workspace with the test world, a token for every role and a client: one per test module."""
    tmp = tmp_path_factory.mktemp(name)
    clock = Ticking()
    ws = Workspace.open(Settings(database_url=f"sqlite:///{tmp / 'ws.db'}", actor="tester", extract=False),
                        clock=clock)
    try:
        world = build_world(ws, tmp)
        app = create_app(ws)
        tokens = {r.value: ws.accounts.create_token(r.value, name, actor="setup")[1] for r in Role}
        with TestClient(app, follow_redirects=False) as client:
            yield Env(ws, world, app, client, tokens, {}, tmp, clock=clock)
    finally:
        ws.close()


@contextmanager
def session_for(env: Env, role: str) -> Iterator[tuple[TestClient, str]]:
    """A new logged-in client for ``role`` and its CSRF token (new each time: logging out ends a session)."""
    with TestClient(env.app, follow_redirects=False) as client:
        yield client, role_login(client, role)


def send(env: Env, row: Row, role: str) -> tuple[Any, Call]:
    call = row.make(env, role)
    if row.page:
        if role == ANONYMOUS:
            return env.client.post(call.path, data=call.form or {}), call
        with session_for(env, role) as (client, csrf):
            return client.post(call.path, data={**(call.form or {}), "csrf_token": csrf}), call
    headers = {} if role == ANONYMOUS else {"Authorization": f"Bearer {env.tokens[role]}"}
    return env.client.request(row.method, call.path, json=call.json, headers=headers), call


def allowed(row: Row, role: str) -> bool:
    if row.least is None:
        return True
    return role != ANONYMOUS and Role(role).allows(row.least)


def check(row: Row, role: str, sent: tuple[Any, Call]) -> None:
    response, call = sent
    what = f"{row.id} as {role}: {response.status_code} {response.text[:300]}"
    if allowed(row, role):
        if row.page:
            assert response.status_code == 303, what
        else:
            assert 200 <= response.status_code < 300, what
        assert call.done is None or call.done(), f"{what}: the action did not take effect"
        return
    assert call.done is None or not call.done(), f"{what}: refused, yet the action took effect"
    if role == ANONYMOUS:
        assert response.status_code == 401, what
        code = "FW-E100"
    else:
        assert response.status_code == 403, what
        code = "FW-E101"
    if row.page:
        assert code in response.text, what
    else:
        assert response.headers["content-type"].startswith("application/problem+json"), what
        assert response.json()["code"] == code, what


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", API, ids=lambda r: r.id)
def test_api_permission(env: Env, row: Row, role: str) -> None:
    check(row, role, send(env, row, role))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", PAGE_POSTS, ids=lambda r: r.id)
def test_page_form_permission(env: Env, row: Row, role: str) -> None:
    check(row, role, send(env, row, role))


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_for_logged_in_users(env: Env, role: str) -> None:
    """Every role may read every page; without a session a page sends you to the login form."""
    refs = ids(env)
    if role == ANONYMOUS:
        for page in PAGES:
            response = env.client.get(page.format(**refs))
            assert response.status_code == 303, (page, response.status_code)
            assert response.headers["location"].startswith("/login?next="), (page, response.headers)
        return
    with session_for(env, role) as (client, _):
        for page in PAGES:
            response = client.get(page.format(**refs))
            assert response.status_code == 200, (page, role, response.status_code, response.text[:300])


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def app_api_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path shape) of every route under /api/v1, in the schema or not. FastAPI ≥ 0.16x keeps
    included routers lazily: its iter_route_contexts resolves them with their prefixes."""
    from fastapi import routing

    routes = list(routing.iter_route_contexts(app.routes)) if hasattr(routing, "iter_route_contexts") else app.routes
    out = set()
    for route in routes:
        path = getattr(route, "path", None) or ""
        if path.startswith("/api/v1"):
            for method in getattr(route, "methods", None) or ():
                if method not in {"HEAD", "OPTIONS"}:
                    out.add((method, _shape(path)))
    return out


def test_every_api_route_is_in_the_matrix(env: Env) -> None:
    table = {(row.method, _shape(row.route)) for row in API}
    missing = sorted(app_api_routes(env.app) - table)
    assert missing == [], f"API routes with no row in the permission matrix: {missing}"


def test_every_page_form_post_is_in_the_matrix(env: Env) -> None:
    from fastapi import routing

    routes = list(routing.iter_route_contexts(env.app.routes)) if hasattr(routing, "iter_route_contexts") \
        else env.app.routes
    posts = set()
    for route in routes:
        path = getattr(route, "path", None) or ""
        if path.startswith(("/api/", "/static")):
            continue
        for method in getattr(route, "methods", None) or ():
            if method not in {"GET", "HEAD", "OPTIONS"}:
                posts.add((method, _shape(path)))
    table = {(row.method, _shape(row.route)) for row in PAGE_POSTS} | PUBLIC_PAGE_POSTS
    assert sorted(posts - table) == [], "page form posts with no row in the permission matrix"
    assert sorted(table - posts) == [], "rows for page form posts the app does not have"


def test_every_endpoint_of_the_contract_exists(env: Env) -> None:
    table = {(row.method, _shape(row.route)) for row in API}
    absent = sorted(table - app_api_routes(env.app))
    assert absent == [], f"endpoints of the contract the app does not have: {absent}"


def test_the_matrix_covers_every_role_and_level() -> None:
    """The table is not lopsided: each least role occurs, and at least one row is open to anyone."""
    levels = {row.least for row in API}
    assert levels == {None, *Role}
    assert sum(1 for row in API if row.method != "GET") >= 15
