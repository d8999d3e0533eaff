"""The blind rule, swept over every way out (issue 17: "no route, page or export reveals others' estimates early").

One world (blind_support): alice's and carol's blind estimates, a published line, a dissent and an assumption on a
question that reveals itself at REVEAL, and the same on the scenario's own question (which has no reveal time).
Analyst bob, who has recorded nothing, a viewer, a duty officer and an admin (the rule knows no role above it)
request every GET route of the API (taken from the app's OpenAPI schema, so a new route is swept without a change
here), every page (taken from the app's routes), the ledger with every kind; bob runs every CLI read and export
(``--json``, tables, Markdown, HTML; the CLI acts as a local admin under the actor's name). No raw body may hold any
of the distinctive values, texts, gaps or commitment salts. Then analyst ben estimates and the same sweep finds
them on the question's page and API; then the workspace clock passes REVEAL and a viewer sees the question (and
still not the scenario's question). ACH is deliberately not blind: its texts are ordinary and not looked for.

The tests share the module's world and run in file order (the last two change it: ben's estimate, the clock)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from blind_support import NOW, PASSWORD, REVEAL, TEAM, Judged, judge, person, salts, secrets_of, team_of_everyone
from detect_store_helpers import UKR
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_support import World, build_world, login, role_login

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.cli.main import app as cli_app
from forewarn.config import Settings
from forewarn.model.query import EventQuery
from forewarn.web import create_app

EVENT_DATE = "2024-08-14"
HOOK = "http://127.0.0.1:9/blind-sweep"
# routes refused to some of the sweepers (admin's; a duty officer's): their bodies are problems, swept all the same
REFUSED = {"/api/v1/users", "/api/v1/handovers/draft", "/api/v1/audit/reads", "/audit"}
# a route that needs a query parameter to answer at all
NEEDS = {"/api/v1/postmortem/{scenario_id}": f"event-date={EVENT_DATE}&margin-days=3",
         "/api/v1/events/map": "bbox=30,45,40,55"}


@dataclass
class Sweep:
    ws: Workspace
    world: World
    judged: Judged
    app: Any
    db_url: str
    tmp: Path

    def secrets(self, scope: str = "qs") -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = {}
        for s in scope:
            found |= secrets_of(self.judged, s)
        return found


@pytest.fixture(scope="module")
def sweep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sweep]:
    tmp = tmp_path_factory.mktemp("blind")
    url = f"sqlite:///{tmp / 'ws.db'}"
    # a webhook (nothing listens): flagged lines queue their notices, and `forewarn outbox` has rows to show
    ws = Workspace.open(Settings(database_url=url, actor="tester", extract=False, webhook_url=HOOK))
    try:
        ws.time.set(NOW - timedelta(hours=7), frozen=True)  # before the world's cycle (06:00)
        world = build_world(ws, tmp)
        judged = judge(ws, world.scenario_id)
        team_of_everyone(ws)
        yield Sweep(ws, world, judged, create_app(ws), url, tmp)
    finally:
        ws.close()


# -- what is requested ------------------------------------------------------------------------------------------


def fills(s: Sweep) -> dict[str, tuple[str, ...]]:
    """Each path parameter's values in this world (a question is asked for by number and by scenario id)."""
    j = s.judged
    event = s.ws.reads.events(EventQuery(limit=1))[0].id
    return {"warning_id": (str(s.world.warning_ids[0]),), "scenario_id": (s.world.scenario_id,),
            "event_id": (event,), "document_id": (s.world.documents["o1"],), "entity_id": (UKR.id,),
            "run_id": (str(s.ws.reads.runs(1)[0].id),), "handover_id": (str(j.handover),),
            "ref": (str(j.question), j.scenario, str(j.scenario_question), str(j.resolved)),
            "assumption_id": (str(j.assumption),), "matrix_id": (str(j.matrix),), "code": ("FW-E101",),
            "tag": ("blind-sweep",), "kind": ("events",), "team_id": (TEAM,)}


def filled(path: str, values: dict[str, tuple[str, ...]]) -> list[str]:
    """``path`` with each parameter filled by each of its values (an unknown parameter fails the sweep)."""
    names = re.findall(r"\{([^}]+)\}", path)
    missing = [n for n in names if n not in values]
    assert not missing, f"the sweep has no value for {missing} in {path}: add one to fills()"
    out = [path]
    for name in names:
        out = [p.replace("{" + name + "}", v, 1) for p in out for v in values[name]]
    return out


def api_urls(s: Sweep) -> list[str]:
    """Every GET route of the API's schema, filled (at most one page of 500), and the filters that matter."""
    values, urls = fills(s), []
    for path, ops in s.app.openapi()["paths"].items():
        if "get" not in ops:
            continue
        query = [NEEDS[path]] if path in NEEDS else []
        limit = [q for q in ops["get"].get("parameters", []) if q["name"] == "limit"]
        if limit:
            query.append(f"limit={limit[0]['schema'].get('maximum', 50)}")
        urls += [f"{p}?{'&'.join(query)}" if query else p for p in filled(path, values)]
    j, q = s.judged, s.judged.question
    urls += [f"/api/v1/questions?state={state}" for state in ("open", "resolved-yes")]
    urls += [f"/api/v1/dissents?question={ref}" for ref in (q, j.scenario)]
    urls += [f"/api/v1/dissents?warning={s.world.warning_ids[0]}", f"/api/v1/assumptions?question={q}",
             f"/api/v1/ach?question={q}", f"/api/v1/ach/{j.matrix}?version=1", "/api/v1/warnings?state=all",
             f"/api/v1/scenarios/{j.scenario}/assessments?signals=true", "/api/v1/scores?bins=5",
             "/api/v1/ledger?subject=question:&limit=500", "/api/v1/ledger?oldest-first=true&limit=500"]
    return urls + [f"/api/v1/ledger?kind={k}&limit=500" for k in kinds(s)]


def page_urls(s: Sweep) -> list[str]:
    """Every GET page of the app, filled, and the pages' filters that matter."""
    values, urls = fills(s), []
    for path in sorted(app_get_pages(s.app)):
        urls += filled(path, values)
    j = s.judged
    urls += [f"/postmortem?scenario={j.scenario}&event-date={EVENT_DATE}&margin-days=3",
             f"/assumptions?question={j.question}", "/assumptions?state=holding", "/scores?bins=5",
             f"/ach/{j.matrix}?version=1", f"/ledger?subject=question:{j.question}"]
    return urls + [f"/ledger?kind={k}" for k in kinds(s)]


def app_get_pages(app: Any) -> set[str]:
    from fastapi import routing

    routes = list(routing.iter_route_contexts(app.routes)) if hasattr(routing, "iter_route_contexts") else app.routes
    paths = {str(getattr(r, "path", "")) for r in routes if "GET" in (getattr(r, "methods", None) or ())}
    return {p for p in paths if p and not p.startswith(("/api/", "/static")) and p not in {"/login", "/logout"}}


def kinds(s: Sweep) -> list[str]:
    """Every kind of entry the ledger holds."""
    return sorted({e.kind for e in s.ws.ledger.entries()})


# -- the sweep ------------------------------------------------------------------------------------------------------


Hit = tuple[str, str, str]  # (where, which secret, the string found)


def hits_in(where: str, body: str, secrets: dict[str, tuple[str, ...]]) -> list[Hit]:
    return [(where, name, text) for name, texts in secrets.items() for text in texts if text in body]


def web_hits(s: Sweep, client: TestClient, token: str, secrets: dict[str, tuple[str, ...]], *,
             blind: bool = False) -> list[Hit]:
    """Every API route (by token) and every page (by the client's session); every answer 200, or refused (403:
    admin's routes), or (``blind``) not found (404: the question's assumption, not yet to be seen)."""
    found, bad = [], []
    hidden = {f"/api/v1/assumptions/{s.judged.assumption}", f"/assumptions/{s.judged.assumption}"} if blind else set()
    for url in api_urls(s):
        r = s_get(client, url, {"Authorization": f"Bearer {token}"})
        bad += [] if answered(url, r.status_code, hidden) else [(url, r.status_code, r.text[:200])]
        found += hits_in(url, r.text, secrets)
    for url in page_urls(s):
        r = s_get(client, url, {})
        bad += [] if answered(url, r.status_code, hidden) else [(url, r.status_code, r.text[:200])]
        found += hits_in(url, r.text, secrets)
    assert bad == [], f"routes that did not answer: {bad}"
    return found


def answered(url: str, status: int, hidden: set[str]) -> bool:
    """200; or 403 on a route above the caller's role; or 404 on what the blind rule hides."""
    path = url.split("?")[0]
    return status == 200 or (status == 403 and path in REFUSED) or (status == 404 and path in hidden)


def s_get(client: TestClient, url: str, headers: dict[str, str]) -> Any:
    return client.get(url, headers=headers)


@dataclass
class Person:
    client: TestClient
    token: str


def signed_in(s: Sweep, name: str, password: str | None = None) -> Iterator[Person]:
    with TestClient(s.app, follow_redirects=False) as client:
        if password is None:
            role_login(client, name)
        else:
            login(client, name, password)
        _, token = s.ws.accounts.create_token(name, "blind sweep", actor="setup")
        yield Person(client, token)


@pytest.fixture(scope="module")
def bob(sweep: Sweep) -> Iterator[Person]:
    yield from signed_in(sweep, "bob", PASSWORD)


@pytest.fixture(scope="module")
def viewer(sweep: Sweep) -> Iterator[Person]:
    yield from signed_in(sweep, Role.VIEWER.value)


@pytest.fixture(scope="module")
def duty_officer(sweep: Sweep) -> Iterator[Person]:
    """A duty officer who has estimated nothing and published nothing (dana published the lines)."""
    yield from signed_in(sweep, Role.DUTY_OFFICER.value)


@pytest.fixture(scope="module")
def admin(sweep: Sweep) -> Iterator[Person]:
    """An admin is blind too: the rule knows no role above it."""
    yield from signed_in(sweep, Role.ADMIN.value)


def test_the_world_holds_what_is_swept_for(sweep: Sweep) -> None:
    """The secrets are there to be found (carol, who estimated, sees alice's; the workspace's own admin, who did
    not, does not), and the sweep covers the routes it must: the question's page and API, the scenario's page,
    the ledger's every kind."""
    carol = person(sweep.ws, "carol", Role.ANALYST).judgments.view(str(sweep.judged.question))
    assert carol.revealed and {e.rationale for e in carol.others} == {"secret-rationale-zq7"}
    assert not sweep.ws.judgments.view(str(sweep.judged.question)).revealed
    api, pages = api_urls(sweep), page_urls(sweep)
    q = sweep.judged.question
    assert {f"/api/v1/questions/{q}", f"/api/v1/questions/{sweep.judged.scenario}", "/api/v1/scores"} <= set(api)
    assert {f"/questions/{q}", f"/scenarios/{sweep.judged.scenario}", "/", "/scores", "/ledger"} <= set(pages)
    assert {"estimate-recorded", "line-published", "dissent-filed", "assumption-added"} <= set(kinds(sweep))
    assert len(salts(sweep.ws, (q, sweep.judged.scenario_question))) >= 6
    cli = [["--db", sweep.db_url, "--actor", "bob", *args] for args in (["outbox", "--json"], ["scores", "--json"])]
    outbox, scores = (CliRunner().invoke(cli_app, args).output for args in cli)
    assert outbox.count('"line-flagged"') == 2  # both lines are softer than alice: their notices are queued
    assert '"alice"' in scores and '"carol"' in scores  # the resolved question scores them


@pytest.mark.parametrize("who", ["bob", "viewer", "duty_officer", "admin"])
def test_no_route_or_page_reveals_before_the_own_estimate(sweep: Sweep, who: str, request: pytest.FixtureRequest
                                                          ) -> None:
    person: Person = request.getfixturevalue(who)
    secrets = {**sweep.secrets(), "salts": salts(sweep.ws, (sweep.judged.question, sweep.judged.scenario_question))}
    found = web_hits(sweep, person.client, person.token, secrets, blind=True)
    assert found == [], "revealed early:\n" + "\n".join(map(str, found))


# -- the CLI's reads and exports ----------------------------------------------------------------------------------


def cli_commands(s: Sweep) -> list[list[str]]:
    j = s.judged
    refs = (str(j.question), j.scenario, str(j.resolved))
    out = [["question", "list", "--json"], ["question", "list"], ["scores", "--json"], ["scores"],
           ["ledger", "show", "--json", "--limit", "5000"], ["ledger", "show", "--limit", "5000"],
           ["postmortem", j.scenario, "--event-date", EVENT_DATE, "--json"],
           ["postmortem", j.scenario, "--event-date", EVENT_DATE],
           ["warnings", "--all", "--json"], ["warnings", "show", str(s.world.warning_ids[0]), "--json"],
           ["dissent", "list", "--json"], ["dissent", "list"], ["assumption", "list", "--json"],
           ["assumption", "show", str(j.assumption), "--json"], ["outbox", "--json"], ["outbox"],
           ["ach", "show", str(j.matrix), "--json"], ["export"]]
    out += [["question", "show", ref, *flag] for ref in refs for flag in (["--json"], [])]
    out += [["dissent", "list", "--question", ref, "--json"] for ref in refs[:2]]
    return out + [["ledger", "show", "--kind", k, "--json"] for k in kinds(s)]


def cli_hits(s: Sweep, actor: str, secrets: dict[str, tuple[str, ...]]) -> list[Hit]:
    runner, found, bad = CliRunner(), [], []
    hidden = ["assumption", "show", str(s.judged.assumption), "--json"]  # not found while blind (FW-E003)
    for args in cli_commands(s):
        result = runner.invoke(cli_app, ["--db", s.db_url, "--actor", actor, *args], env={"COLUMNS": "500"})
        ok = result.exit_code == 0 or (args == hidden and "FW-E003" in result.output)
        bad += [] if ok else [(args, result.exit_code, result.output[-300:])]
        found += hits_in(" ".join(args), result.output, secrets)
    for flag, name in (("--markdown", "pm.md"), ("--html", "pm.html")):
        path = s.tmp / f"{actor}-{name}"
        result = runner.invoke(cli_app, ["--db", s.db_url, "--actor", actor, "postmortem", s.judged.scenario,
                                         "--event-date", EVENT_DATE, flag, str(path)])
        assert result.exit_code == 0, result.output
        found += hits_in(f"postmortem {flag}", path.read_text(encoding="utf-8"), secrets)
    assert bad == [], f"commands that failed: {bad}"
    return found


def test_no_cli_read_or_export_reveals_before_the_own_estimate(sweep: Sweep) -> None:
    secrets = {**sweep.secrets(), "salts": salts(sweep.ws, (sweep.judged.question, sweep.judged.scenario_question))}
    found = cli_hits(sweep, "bob", secrets)
    assert found == [], "revealed early:\n" + "\n".join(map(str, found))


# -- the other way: once one's own estimate is in, or the reveal time has passed --------------------------------


def where(hits: list[Hit], name: str) -> set[str]:
    return {w for w, n, _ in hits if n == name}


def test_once_bens_estimate_is_in_the_sweep_finds_the_others(sweep: Sweep) -> None:
    """Ben is blind like bob until he estimates; then the question's page and API show alice's estimate, the line,
    the dissent and the assumption (for both questions) — and the ledger still shows none of them."""
    j = sweep.judged
    with TestClient(sweep.app, follow_redirects=False) as client:
        login(client, "ben", PASSWORD)
        for url in (f"/questions/{j.question}", f"/questions/{j.scenario}"):
            assert hits_in(url, client.get(url).text, sweep.secrets()) == []
        client.headers["X-CSRF-Token"] = role_csrf(client)
        for ref in (j.question, j.scenario):
            made = client.post(f"/api/v1/questions/{ref}/estimates", json={"probability": 0.2, "rationale": "ben's"})
            assert made.status_code == 201, made.text
        _, token = sweep.ws.accounts.create_token("ben", "blind sweep", actor="setup")
        found = web_hits(sweep, client, token, sweep.secrets())
    q, s = j.question, j.scenario
    assert {f"/api/v1/questions/{q}", f"/questions/{q}"} <= where(found, "alice's estimate")
    assert {f"/api/v1/questions/{q}", f"/questions/{q}"} <= where(found, "the line")
    assert {f"/api/v1/questions/{q}", f"/questions/{q}"} <= where(found, "the dissent")
    assert f"/api/v1/assumptions/{j.assumption}" in where(found, "the assumption")
    assert {f"/api/v1/questions/{s}", f"/questions/{s}"} <= where(found, "alice's scenario estimate")
    assert {f"/api/v1/questions/{s}", f"/questions/{s}"} <= where(found, "the scenario's dissent")
    assert [h for h in found if "ledger" in h[0]] == [], "the ledger carries commitments, never the values"


def role_csrf(client: TestClient) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]*)"', client.get("/").text)
    assert found
    return found.group(1)


def test_after_the_reveal_time_a_viewer_sees_the_question(sweep: Sweep, viewer: Person) -> None:
    """The workspace clock moves past the question's reveal time: a viewer now finds alice's estimate and the line on
    its page and API — and still nothing of the scenario's question, which has no reveal time."""
    q = sweep.judged.question
    page = f"/questions/{q}"
    assert hits_in(page, viewer.client.get(page).text, sweep.secrets("q")) == []
    sweep.ws.time.set(REVEAL + timedelta(hours=1), frozen=True)
    found = web_hits(sweep, viewer.client, viewer.token, sweep.secrets())
    assert {f"/api/v1/questions/{q}", page} <= where(found, "alice's estimate")
    assert {f"/api/v1/questions/{q}", page} <= where(found, "the line")
    assert [h for h in found if h[1].startswith(("alice's scenario", "the scenario's"))] == []
