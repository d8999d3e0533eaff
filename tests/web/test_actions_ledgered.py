"""Every state-changing web action leaves a ledger entry naming the account that made it (issue 11,
item 2).

The routes are enumerated from the app itself: every POST/PUT/PATCH/DELETE operation of the OpenAPI
schema (``/api/v1/openapi.json``) and every form route of the pages. Each must have a case below
(the entry kind it writes) or a stated reason why it writes none; a route added later without one
fails :func:`test_every_state_changing_route_has_a_case`. Each case is performed successfully, with
the least role that may, through the permission matrix's request makers (``test_permissions``),
and must add its entry with the account as the actor.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import routing
from fastapi.testclient import TestClient
from test_permissions import API, PAGE_POSTS, PREPARED_MATRICES, Env, Row, new_matrix, send, world_env

from forewarn.app import Workspace
from forewarn.errors import ClockBackwards
from forewarn.model import LedgerEntry, Principal

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    yield from world_env(tmp_path_factory, "ledger-coverage")


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def _cycle_with_news(env: Env) -> None:
    env.scenario()  # a scenario never assessed: the cycle publishes its first assessment


def _matrix_ready(env: Env) -> None:
    PREPARED_MATRICES.append(new_matrix(env))  # before the request: its own entries are the request's alone


# (method, route shape) → (the ledger entry kind it writes, what to set up first)
Case = tuple[str, Callable[[Env], Any] | None]
RECORDED: dict[tuple[str, str], Case] = {
    ("POST", "/api/v1/warnings"): ("warning-raised", None),
    ("POST", "/api/v1/warnings/{}/acknowledge"): ("warning-acknowledged", None),
    ("POST", "/api/v1/warnings/{}/dispose"): ("warning-disposed", None),
    ("POST", "/api/v1/warnings/{}/escalate"): ("warning-escalated", None),
    ("POST", "/api/v1/scenarios"): ("scenario-added", None),
    ("DELETE", "/api/v1/scenarios/{}"): ("scenario-removed", None),
    ("POST", "/api/v1/cycle"): ("assessment-published", _cycle_with_news),
    ("POST", "/api/v1/documents"): ("document-posted", None),
    ("POST", "/api/v1/entities/{}/merge"): ("entity-merged", None),
    ("POST", "/api/v1/users"): ("user-added", None),
    ("POST", "/api/v1/users/{}/disable"): ("user-disabled", None),
    ("POST", "/api/v1/users/{}/password"): ("user-updated", None),
    ("POST", "/api/v1/tokens"): ("token-created", None),
    ("POST", "/api/v1/tokens/{}/revoke"): ("token-revoked", None),
    # page forms
    ("POST", "/warnings"): ("warning-raised", None),
    ("POST", "/warnings/{}/acknowledge"): ("warning-acknowledged", None),
    ("POST", "/warnings/{}/dispose"): ("warning-disposed", None),
    ("POST", "/warnings/{}/escalate"): ("warning-escalated", None),
    ("POST", "/scenarios"): ("scenario-added", None),
    ("POST", "/scenarios/{}/remove"): ("scenario-removed", None),
    ("POST", "/cycle"): ("assessment-published", _cycle_with_news),
    ("POST", "/documents"): ("document-posted", None),
    ("POST", "/entities/{}/merge"): ("entity-merged", None),
    # the live feed and shift handovers
    ("POST", "/api/v1/feed/seen"): ("feed-seen", None),
    ("POST", "/api/v1/handovers"): ("handover-written", None),
    ("POST", "/api/v1/handovers/{}/acknowledge"): ("handover-acknowledged", None),
    ("POST", "/feed/seen"): ("feed-seen", None),
    ("POST", "/handovers"): ("handover-written", None),
    ("POST", "/handovers/{}/acknowledge"): ("handover-acknowledged", None),
    # notes, tags and corrections
    ("POST", "/api/v1/{}/{}/notes"): ("note-added", None),
    ("POST", "/api/v1/{}/{}/tags"): ("tag-added", None),
    ("DELETE", "/api/v1/{}/{}/tags/{}"): ("tag-removed", None),
    ("POST", "/api/v1/events/{}/corrections"): ("event-corrected", None),
    ("POST", "/api/v1/events/{}/rejection"): ("event-rejected", None),
    ("POST", "/{}/{}/notes"): ("note-added", None),
    ("POST", "/{}/{}/tags"): ("tag-added", None),
    ("POST", "/{}/{}/tags/remove"): ("tag-removed", None),
    ("POST", "/events/{}/correct"): ("event-corrected", None),
    ("POST", "/events/{}/reject"): ("event-rejected", None),
    # the duty roster
    ("POST", "/api/v1/roster"): ("roster-added", None),
    ("DELETE", "/api/v1/roster/{}"): ("roster-removed", None),
    ("POST", "/roster"): ("roster-added", None),
    ("POST", "/roster/{}/remove"): ("roster-removed", None),
    # questions, blind estimates and published lines
    ("POST", "/api/v1/questions"): ("question-added", None),
    ("POST", "/api/v1/questions/{}/estimates"): ("estimate-recorded", None),
    ("POST", "/api/v1/questions/{}/lines"): ("line-published", None),
    ("POST", "/api/v1/questions/{}/resolve"): ("question-resolved", None),
    # the questions pages
    ("POST", "/questions"): ("question-added", None),
    ("POST", "/questions/{}/estimates"): ("estimate-recorded", None),
    ("POST", "/questions/{}/lines"): ("line-published", None),
    ("POST", "/questions/{}/resolve"): ("question-resolved", None),
    # protected dissent
    ("POST", "/api/v1/dissents"): ("dissent-filed", None),
    ("POST", "/dissents"): ("dissent-filed", None),
    # key assumptions
    ("POST", "/api/v1/assumptions"): ("assumption-added", None),
    ("POST", "/api/v1/assumptions/{}/review"): ("assumption-reviewed", None),
    ("POST", "/api/v1/assumptions/{}/withdraw"): ("assumption-withdrawn", None),
    ("POST", "/assumptions"): ("assumption-added", None),
    ("POST", "/assumptions/{}/review"): ("assumption-reviewed", None),
    ("POST", "/assumptions/{}/withdraw"): ("assumption-withdrawn", None),
    # competing hypotheses: every change is a version, ach-changed
    ("POST", "/api/v1/ach"): ("ach-changed", None),
    ("POST", "/api/v1/ach/{}/hypotheses"): ("ach-changed", _matrix_ready),
    ("POST", "/api/v1/ach/{}/evidence"): ("ach-changed", _matrix_ready),
    ("POST", "/api/v1/ach/{}/ratings"): ("ach-changed", _matrix_ready),
    ("DELETE", "/api/v1/ach/{}/hypotheses/{}"): ("ach-changed", _matrix_ready),
    ("DELETE", "/api/v1/ach/{}/evidence/{}"): ("ach-changed", _matrix_ready),
    ("POST", "/ach"): ("ach-changed", None),
    ("POST", "/ach/{}/hypotheses"): ("ach-changed", _matrix_ready),
    ("POST", "/ach/{}/evidence"): ("ach-changed", _matrix_ready),
    ("POST", "/ach/{}/ratings/{}"): ("ach-changed", _matrix_ready),
    ("POST", "/ach/{}/remove"): ("ach-changed", _matrix_ready),
    # teams and markings (issue 18)
    ("POST", "/api/v1/teams"): ("team-added", None),
    ("POST", "/api/v1/teams/{}/members"): ("team-member-added", None),
    ("DELETE", "/api/v1/teams/{}/members/{}"): ("team-member-removed", None),
    ("POST", "/api/v1/markings/{}/{}"): ("marking-raised", None),
    ("POST", "/teams"): ("team-added", None),
    ("POST", "/teams/{}/members"): ("team-member-added", None),
    ("POST", "/teams/{}/members/{}/remove"): ("team-member-removed", None),
    ("POST", "/documents/{}/marking"): ("marking-raised", None),
    # deconfliction (issue 18): the request makers hold, match and ask as other accounts first
    ("POST", "/api/v1/deconfliction/run"): ("deconfliction-matched", None),
    ("POST", "/api/v1/deconfliction/matches/{}/request"): ("deconfliction-requested", None),
    ("POST", "/api/v1/deconfliction/requests/{}/accept"): ("deconfliction-accepted", None),
    ("POST", "/api/v1/deconfliction/requests/{}/decline"): ("deconfliction-declined", None),
    ("POST", "/api/v1/deconfliction/excluded"): ("deconfliction-excluded", None),
    ("POST", "/deconfliction/run"): ("deconfliction-matched", None),
    ("POST", "/deconfliction/matches/{}/request"): ("deconfliction-requested", None),
    ("POST", "/deconfliction/requests/{}/{}"): ("deconfliction-accepted", None),  # the accept variant
    ("POST", "/deconfliction/excluded"): ("deconfliction-excluded", None),
}
NOT_RECORDED = {
    ("POST", "/api/v1/ledger/anchor"): "changes nothing: it verifies the chain and returns its head for the caller "
                                       "to keep outside the database",
    ("POST", "/login"): "starts a session (the web_sessions table); no account acts yet",
    ("POST", "/logout"): "ends the caller's own session (the web_sessions table); nothing in the workspace changes",
}




def schema_actions(client: TestClient) -> set[tuple[str, str]]:
    paths: dict[str, dict[str, Any]] = client.get("/api/v1/openapi.json").json()["paths"]
    return {(method.upper(), _shape(path)) for path, ops in paths.items() for method in ops
            if method.upper() in STATE_CHANGING}


def page_actions(app: Any) -> set[tuple[str, str]]:
    found = set()
    for context in routing.iter_route_contexts(app.routes):
        path = context.path or ""
        if path.startswith(("/api/", "/static")):
            continue
        found |= {(m, _shape(path)) for m in context.methods or () if m in STATE_CHANGING}
    return found


def test_every_state_changing_route_has_a_case(env: Env) -> None:
    api, pages = schema_actions(env.client), page_actions(env.app)
    assert len(api) >= 13 and len(pages) >= 10, (api, pages)  # the enumeration finds the routes
    covered = set(RECORDED) | set(NOT_RECORDED)
    assert sorted((api | pages) - covered) == [], "state-changing routes with no ledger case"
    assert sorted(covered - (api | pages)) == [], "cases for routes the app does not have"


def _row(key: tuple[str, str]) -> Row:
    method, shape = key
    pages = not shape.startswith("/api/")
    # the permission matrix has a row for every route (its own tests see to that)
    return next(r for r in (PAGE_POSTS if pages else API) if r.method == method and _shape(r.route) == shape)


def _last_seq(ws: Workspace) -> int:
    last = ws.ledger.entries(newest_first=True, limit=1)
    return last[0].seq if last else 0


def _since(ws: Workspace, seq: int) -> list[LedgerEntry]:
    return [e for e in ws.ledger.entries(newest_first=True, limit=200) if e.seq > seq]


@pytest.mark.parametrize("key", sorted(RECORDED), ids=lambda k: f"{k[0]} {k[1]}")
def test_each_web_action_writes_its_ledger_entry(env: Env, key: tuple[str, str]) -> None:
    kind, prepare = RECORDED[key]
    row = _row(key)
    assert row.least is not None
    role = row.least.value  # each role's account is named after it
    if prepare is not None:
        prepare(env)
    before = _last_seq(env.ws)
    response, call = send(env, row, role)
    if row.page:
        assert response.status_code == 303, (key, response.status_code, response.text[:300])
    assert 200 <= response.status_code < 400, (key, response.status_code, response.text[:300])
    assert call.done is None or call.done(), f"{key}: the action did not take effect"
    written = _since(env.ws, before)
    assert [(e.kind, e.actor) for e in written if e.kind == kind] != [], (key, [(e.kind, e.actor) for e in written])
    assert {e.actor for e in written if e.kind == kind} == {role}, (key, [(e.kind, e.actor) for e in written])


def test_merge_unmerge_and_edit_are_recorded_under_the_actor(env: Env) -> None:
    """Also outside the web (the command line's `entities merge`, `unmerge` and `edit` use the same calls)."""
    a, b = env.entities()
    alice = env.ws.acting_as(Principal.local("alice"))
    before = _last_seq(env.ws)
    merge = alice.entities.merge(a, b, "same unit")
    undone = alice.acting_as(Principal.local("bob")).entities.undo_merge(merge.id)
    alice.entities.edit(a, name="Matrix Army (edited)", add_aliases=["the matrix army"])
    written = sorted(_since(env.ws, before), key=lambda e: e.seq)
    assert [(e.kind, e.actor, e.subject) for e in written] == [
        ("entity-merged", "alice", f"entity:{a}"), ("entity-unmerged", "bob", f"entity:{a}"),
        ("entity-edited", "alice", f"entity:{a}")]
    assert written[0].payload == {"merge": merge.id, "into": b, "note": "same unit"}
    assert written[1].payload["merge"] == undone.id
    assert written[2].payload == {"name": "Matrix Army (edited)", "add_aliases": ["the matrix army"]}


def test_a_posted_document_entry_says_where_it_went(env: Env, tmp_path: Path) -> None:
    before = _last_seq(env.ws)
    response = env.client.post("/api/v1/documents", json={"text": "Armour seen near Sudzha at dawn by a patrol.",
                                                          "source": "analyst-notes"},
                               headers={"Authorization": f"Bearer {env.tokens['analyst']}"})
    assert response.status_code == 201, response.text
    [entry] = [e for e in _since(env.ws, before) if e.kind == "document-posted"]
    assert (entry.actor, entry.subject) == ("analyst", f"document:{response.json()['document_id']}")
    assert entry.payload == {"source": "analyst-notes", "reliability": "F", "source_created": True, "status": "new",
                             "run_id": response.json()["run_id"]}


def test_an_entity_change_and_its_entry_commit_together(env: Env) -> None:
    """A merge whose ledger entry is refused (the clock reads before the last entry) leaves no merge."""
    a, b = env.entities()
    past = Workspace(env.ws.settings, env.ws.store, lambda: datetime(2000, 1, 1, tzinfo=UTC),
                     who=Principal.local("alice"))  # its services read this clock
    with pytest.raises(ClockBackwards):
        past.entities.merge(a, b, "same unit")
    assert env.ws.store.list_merges(a) == []
    with pytest.raises(ClockBackwards):
        past.entities.edit(a, name="never")
    assert env.ws.store.get_entity(a).name != "never"
