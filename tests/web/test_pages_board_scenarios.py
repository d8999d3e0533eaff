"""The board, the warning pages and the scenario pages: what they show, the in-place forms (role,
CSRF, the flash that comes back), escaping of hostile text, and that they read stored warnings and
assessments only — never the events."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import event
from web_support import HOSTILE, World

from forewarn.app import Workspace
from forewarn.model import Principal
from forewarn.store import schema as t

WorldWs = tuple[Workspace, World]
Login = Callable[[str], TestClient]


def board_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="warning[^"]*"\s+data-warning-id="(\d+)"', page)]


def flash(page: str) -> str:
    found = re.search(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', page, re.S)
    assert found, "no flash message on the page"
    return html.unescape(" ".join(re.sub(r"<[^>]+>", "", found.group(1)).split()))


def form(client: TestClient, path: str, **fields: str) -> Any:
    return client.post(path, data={"csrf_token": client.csrf, **fields})  # type: ignore[attr-defined]


@contextmanager
def statements(ws: Workspace) -> Iterator[list[str]]:
    """The SQL the store runs meanwhile."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen.append(" ".join(sql.split()))

    event.listen(ws.store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(ws.store.engine, "before_cursor_execute", record)


READS_EVENTS = re.compile(r'\b(FROM|JOIN)\s+"?(events|documents|places|event_entities)"?(\s|$)', re.I)


# -- the board ---------------------------------------------------------------------------------------

def test_anonymous_visitors_are_sent_to_log_in(web: TestClient) -> None:
    for path in ("/", "/warnings", "/warnings/1", "/scenarios", "/scenarios/armour-watch"):
        response = web.get(path)
        assert response.status_code == 303 and response.headers["location"].startswith("/login?next="), path


def test_the_board_shows_open_warnings_in_order(as_role: Login, world: World, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    [first] = world.warning_ids
    elevated = ws.warnings.raise_warning("A second elevated one", "", "elevated", scenario_id=world.scenario_id).id
    critical = ws.warnings.raise_warning("Critical by hand", "", "critical").id
    high = ws.warnings.raise_warning("High by hand", "", "high").id
    closed = ws.warnings.raise_warning("Closed already", "", "critical").id
    ws.warnings.dispose(closed, "acted-on", None)
    ws.warnings.escalate(elevated, "the owner is away")

    page = as_role("viewer").get("/")
    assert page.status_code == 200
    assert board_ids(page.text) == [elevated, critical, high, first]  # escalated, then severity, then age
    assert 'id="open-count">4<' in page.text
    card = page.text[page.text.index(f'data-warning-id="{first}"'):]
    card = card[:card.index("</li>")]
    assert 'class="deadline" data-deadline="2024-08-12T16:00:00+00:00"' in card and "in 4 h 0 min" in card
    assert '<a href="/scenarios/armour-watch">Armour near Sudzha</a>' in card
    assert "Closed already" not in page.text
    assert 'id="notify-permission"' in page.text and '<script src="/static/js/board.js"></script>' in page.text
    cursor = re.search(r'data-cursor="(\d+)"', page.text)
    assert cursor and int(cursor.group(1)) == ws.ledger.entries(newest_first=True, limit=1)[0].seq


def test_action_forms_only_for_those_who_may_act(as_role: Login, world: World) -> None:
    viewer = as_role("viewer").get("/").text
    assert board_ids(viewer) == list(world.warning_ids)
    assert "data-action=" not in viewer and "Raise a warning" not in viewer
    analyst = as_role("analyst").get("/").text
    assert "data-action=" not in analyst and 'action="/warnings"' in analyst  # may raise, not act
    duty = as_role("duty_officer")
    page = duty.get("/").text
    [first] = world.warning_ids
    for needle in (f'action="/warnings/{first}/acknowledge"', 'button type="submit" data-action="acknowledge"',
                   'data-action="dispose"', 'select name="disposition"', 'textarea name="rationale"',
                   'data-action="escalate"', 'input type="text" name="reason"', "Escalate to watch-lead",
                   f'name="csrf_token" value="{duty.csrf}"'):  # type: ignore[attr-defined]
        assert needle in page, needle


def test_acknowledge_in_place_records_the_user(as_role: Login, world: World, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    [first] = world.warning_ids
    duty = as_role("duty_officer")
    response = form(duty, f"/warnings/{first}/acknowledge", next="/")
    assert response.status_code == 303 and response.headers["location"] == "/"
    w = ws.warnings.get(first)
    assert w.state.value == "acknowledged" and w.acknowledged_by == "duty_officer"
    assert ws.ledger.entries(subject=f"warning:{first}")[-1].actor == "duty_officer"
    page = duty.get("/").text
    assert flash(page).startswith(f"Warning {first} acknowledged")
    assert 'data-action="acknowledge"' not in page  # acknowledged: disposing and escalating remain
    assert 'data-action="dispose"' in page
    assert "fw_flash" not in duty.cookies  # shown once
    assert '<p class="flash' not in duty.get("/").text


def test_dismissal_without_rationale_comes_back_with_the_error(as_role: Login, world: World,
                                                               world_ws: WorldWs) -> None:
    ws, _ = world_ws
    [first] = world.warning_ids
    duty = as_role("duty_officer")
    response = form(duty, f"/warnings/{first}/dispose", disposition="dismissed", rationale="  ", next="/")
    assert response.status_code == 303 and response.headers["location"] == "/"
    page = duty.get("/").text
    assert 'class="flash flash-error" role="alert"' in page
    message = flash(page)
    assert message.startswith("FW-E081 dismissing warning") and "rationale" in message
    assert ws.warnings.get(first).state.value == "raised"
    assert board_ids(page) == [first]

    done = form(duty, f"/warnings/{first}/dispose", disposition="dismissed", rationale="a known exercise",
                signposts="bridging vehicles\n\nfuel convoys\n", next="/")
    assert done.status_code == 303
    w = ws.warnings.get(first)
    assert w.disposition is not None and w.disposition.value == "dismissed" and w.disposed_by == "duty_officer"
    assert w.rationale == "a known exercise" and w.signposts == ("bridging vehicles", "fuel convoys")
    after = duty.get("/").text
    assert board_ids(after) == [] and "No open warnings." in after
    assert flash(after) == f"Warning {first} disposed of (dismissed): Armour near Sudzha: elevated (p=0.34)"


def test_escalate_in_place_and_from_the_warning_page(as_role: Login, world: World, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    [first] = world.warning_ids
    duty = as_role("duty_officer")
    empty = form(duty, f"/warnings/{first}/escalate", reason="", next=f"/warnings/{first}")
    assert empty.status_code == 303 and empty.headers["location"] == f"/warnings/{first}"
    assert "needs a reason" in flash(duty.get(f"/warnings/{first}").text)
    response = form(duty, f"/warnings/{first}/escalate", reason="needs the lead", next=f"/warnings/{first}")
    assert response.status_code == 303
    assert ws.warnings.get(first).owner == "watch-lead"
    page = duty.get(f"/warnings/{first}").text
    assert "escalated to watch-lead" in flash(page)
    assert 'data-action="escalate"' not in page  # the end of the chain
    assert '<li class="current">watch-lead</li>' in page


def test_the_form_return_address_stays_on_this_site(as_role: Login, world: World) -> None:
    duty = as_role("duty_officer")
    [first] = world.warning_ids
    response = form(duty, f"/warnings/{first}/acknowledge", next="https://evil.example/")
    assert response.headers["location"] == "/"


def test_page_actions_check_role_and_csrf(as_role: Login, world: World, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    [first] = world.warning_ids
    analyst = as_role("analyst")
    refused = form(analyst, f"/warnings/{first}/acknowledge")
    assert refused.status_code == 403 and "FW-E101" in refused.text
    duty = as_role("duty_officer")
    duty.headers.pop("X-CSRF-Token")
    no_token = duty.post(f"/warnings/{first}/acknowledge", data={})
    assert no_token.status_code == 403 and "FW-E102" in no_token.text
    assert ws.warnings.get(first).state.value == "raised"


def test_raise_a_warning_from_the_board(as_role: Login, world: World, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    analyst = as_role("analyst")
    response = form(analyst, "/warnings", title="Partner says armour", text="bulletin", severity="high",
                    scenario_id=world.scenario_id, partner="Allied desk", partner_ref="B-17")
    assert response.status_code == 303 and response.headers["location"] == "/"
    page = analyst.get("/").text
    [new] = [w for w in board_ids(page) if w not in world.warning_ids]
    w = ws.warnings.get(new)
    assert w.origin.value == "partner" and w.raised_by == "analyst" and w.partner_ref == "B-17"
    assert "from partner" not in page or "Allied desk" in page
    bad = form(analyst, "/warnings", title="", severity="high")
    assert bad.status_code == 303 and "needs a title" in flash(analyst.get("/").text)


def test_the_list_of_all_warnings(as_role: Login, world: World, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    [first] = world.warning_ids
    closed = ws.warnings.raise_warning("Closed one", "", "high").id
    ws.warnings.dispose(closed, "dismissed", "exercise")
    viewer = as_role("viewer")
    every = viewer.get("/warnings").text
    assert f'<tr data-id="{first}">' in every and f'<tr data-id="{closed}">' in every
    disposed = viewer.get("/warnings?state=disposed").text
    assert f'<tr data-id="{closed}">' in disposed and f'<tr data-id="{first}">' not in disposed
    assert "disposed (dismissed)" in disposed
    assert viewer.get("/warnings?state=nonsense").status_code == 422


# -- a warning's page --------------------------------------------------------------------------------

def test_the_warning_page_shows_evidence_and_history(as_role: Login, world: World, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    [first] = world.warning_ids
    ws.acting_as(Principal.local("someone")).warnings.acknowledge(first, "looking into it")
    page = as_role("viewer").get(f"/warnings/{first}")
    assert page.status_code == 200
    text = page.text
    for name, doc_id in world.documents.items():  # every document of its evidence linked, by its title
        assert re.search(rf'<a class="doc" href="/documents/{doc_id}(#ev-[0-9a-f]+)?">{name}</a>', text), name
    # one readable row per signal (four: o1 and its repost c1 count once), each sentence linked to its trigger
    assert len(re.findall(r'href="/documents/[0-9a-f]{64}#ev-[0-9a-f]+"><q class="sentence"><mark>armour</mark>',
                          text)) == 4
    kinds = re.findall(r'<tr data-kind="([a-z-]+)">', text)
    assert kinds == ["warning-raised", "warning-acknowledged"]
    assert '<td class="actor">someone</td>' in text and "looking into it" in text
    assert "data-action=" not in text  # a viewer
    assert as_role("viewer").get("/warnings/4242").status_code == 404


def test_hostile_text_is_escaped_on_the_warning_and_scenario_pages(as_role: Login, world: World) -> None:
    viewer = as_role("viewer")
    [first] = world.warning_ids
    escaped = str(escape(HOSTILE))
    for path in (f"/warnings/{first}", f"/scenarios/{world.scenario_id}"):
        text = viewer.get(path).text
        assert HOSTILE not in text and "<script>alert" not in text and "<img src=x" not in text, path
        assert escaped in text, path  # it is there, as text


def test_hostile_titles_are_escaped_on_the_board(as_role: Login, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    ws.warnings.raise_warning(f"Title {HOSTILE}", f"Text {HOSTILE}", "high", partner=HOSTILE, partner_ref=HOSTILE)
    duty = as_role("duty_officer")
    for path in ("/", "/warnings"):
        text = duty.get(path).text
        assert HOSTILE not in text and "<script>alert" not in text, path
        assert "Title &lt;script&gt;alert(" in text, path


# -- scenarios ---------------------------------------------------------------------------------------

def test_the_scenario_list(as_role: Login, world: World) -> None:
    viewer = as_role("viewer").get("/scenarios").text
    row = viewer[viewer.index(f'<tr data-scenario-id="{world.scenario_id}">'):]
    row = row[:row.index("</tr>")]
    assert f'<a href="/scenarios/{world.scenario_id}">Armour near Sudzha</a>' in row
    assert "34.1 %" in row and '<span class="sev sev-elevated">elevated</span>' in row
    assert "2024-08-12 06:00 UTC" in row and "elevated 20 %" in row
    assert "Add a scenario" not in viewer and 'action="/cycle"' not in viewer
    analyst = as_role("analyst").get("/scenarios").text
    assert "Add a scenario" in analyst and '<option value="coup">' in analyst and 'action="/cycle"' not in analyst
    assert 'action="/cycle"' in as_role("duty_officer").get("/scenarios").text


def test_the_scenario_page(as_role: Login, world: World) -> None:
    viewer = as_role("viewer")
    page = viewer.get(f"/scenarios/{world.scenario_id}")
    assert page.status_code == 200
    text = page.text
    assert text.count('<svg class="chart"') == 1 and '<path class="series"' in text
    assert text.count('<line class="threshold sev-') == 3  # elevated, high, critical
    assert re.search(r'<line class="marker sev-elevated"[^>]*><title>warning 1 \(elevated\)', text)
    table = text[text.index('<table class="contributions">'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<tr class="counted" data-indicator="armour">', table)
    assert len(rows) == 4
    contributions = re.findall(r'<td class="num contribution">([+-]\d\.\d{3})', table)
    assert contributions == ["+0.785", "+0.393", "+0.196", "+0.165"]  # strongest first
    assert "34.1 %" in text and "log-odds -0.659" in text
    indicator = text[text.index('<li class="indicator" data-indicator="armour">'):]
    indicator = indicator[:indicator.index('<li class="indicator" data-indicator="shelling-surge">')]
    assert indicator.count("<li><span class=\"date\">") == 4
    assert f'href="/documents/{world.documents["o2"]}"' in indicator
    assert "No matches in the latest assessment" in text  # the surge indicator
    assert '<tr data-warning="1">' in text and "awaiting duty-officer" in text
    assert viewer.get("/scenarios/no-such").status_code == 404
    assert viewer.get(f"/scenarios/{world.scenario_id}?days=12").status_code == 422
    for days in ("7", "all"):
        assert '<svg class="chart"' in viewer.get(f"/scenarios/{world.scenario_id}?days={days}").text


def test_the_scenario_page_names_the_documents_of_the_matches_it_shows(as_role: Login, world: World, world_ws: WorldWs,
                                                                        monkeypatch: Any) -> None:
    """Each indicator's newest few matches are listed with their documents' titles; only those documents are read
    (the latest assessment of a busy scenario cites thousands)."""
    ws, _ = world_ws
    view = ws.scenarios.page(world.scenario_id, None, matches=2)
    armour = view.recent["armour"]
    assert len(armour) == 4 and [s["observed_on"] for s in armour] == sorted((s["observed_on"] for s in armour),
                                                                          reverse=True)
    assert set(view.documents) == {d for s in armour[:2] for d in s["document_ids"][:3]}
    assert set(view.documents) < {d for s in armour for d in s["document_ids"]}  # the older ones' are not read
    monkeypatch.setattr("forewarn.web.pages.scenarios.MATCHES", 2)
    text = as_role("viewer").get(f"/scenarios/{world.scenario_id}").text
    indicator = text[text.index('<li class="indicator" data-indicator="armour">'):]
    indicator = indicator[:indicator.index('<li class="indicator" data-indicator="shelling-surge">')]
    assert indicator.count('<li><span class="date">') == 2 and "and 2 more in the latest assessment." in indicator
    for doc_id in view.documents:
        assert f'href="/documents/{doc_id}" class="doc">{escape(view.documents[doc_id].title)}</a>' in indicator


def test_the_scenario_page_draws_the_stored_history(as_role: Login, world: World, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    last = ws.scenarios.latest()[world.scenario_id]
    with ws.store.transaction() as conn:  # 2,500 earlier stored assessments, an hour apart
        conn.execute(t.assessments.insert(), [
            {"scenario_id": world.scenario_id, "scenario_version": last.scenario_version,
             "at": last.at - timedelta(hours=i), "probability": (i % 50) / 100, "log_odds": 0.0, "level": None,
             "signals": [], "created_at": last.at} for i in range(1, 2501)])
    viewer = as_role("viewer")
    month = viewer.get(f"/scenarios/{world.scenario_id}?days=30").text
    path = re.search(r'<path class="series" d="([^"]+)"', month)
    # a step an hour: the 715 stored in the window (06:00 back to 12:00 thirty days before), after the value
    # carried in from before it
    assert path and path.group(1).count("V") == 715
    every = viewer.get(f"/scenarios/{world.scenario_id}?days=all").text
    assert "Showing the latest 2000 assessments" in every


def test_the_pages_read_no_events(as_role: Login, world: World, world_ws: WorldWs) -> None:
    """The board and the scenario pages read warnings, stored assessments and scenarios, and of the events and
    documents only those their signals cite, by id (the readable evidence): their cost does not grow with the
    events in the store."""
    ws, _ = world_ws
    viewer = as_role("viewer")
    for path in ("/", "/warnings", "/scenarios", f"/scenarios/{world.scenario_id}?days=all"):
        with statements(ws) as seen:
            assert viewer.get(path).status_code == 200
        assert seen, path
        by_id = ("documents.id IN", "events.id IN", "claims.document_id IN",  # by id: IN lists, or one array
                 "documents.id = ANY", "events.id = ANY", "claims.document_id = ANY")
        assert [s for s in seen if READS_EVENTS.search(s) and not any(k in s for k in by_id)] == [], path


def test_add_remove_and_cycle_from_the_pages(as_role: Login, world: World, world_ws: WorldWs) -> None:
    ws, _ = world_ws
    analyst = as_role("analyst")
    added = form(analyst, "/scenarios", default="coup")
    assert added.status_code == 303 and added.headers["location"] == "/scenarios/coup"
    page = analyst.get("/scenarios/coup").text
    assert "Scenario Military coup in a central Sahel state (coup) added." in flash(page)
    assert "Not assessed yet" in page
    assert ws.ledger.entries(subject="scenario:coup")[-1].actor == "analyst"

    broken = form(analyst, "/scenarios", yaml="id: broken\nprior: 7\n")
    assert broken.status_code == 303 and broken.headers["location"] == "/scenarios"
    message = flash(analyst.get("/scenarios").text)
    assert message.startswith("FW-E070") and "posted YAML (web:analyst)" in message
    neither = form(analyst, "/scenarios")
    assert neither.status_code == 303 and "paste a scenario" in flash(analyst.get("/scenarios").text)

    duty = as_role("duty_officer")
    cycled = form(duty, "/cycle")
    assert cycled.status_code == 303 and cycled.headers["location"] == "/scenarios"
    assert flash(duty.get("/scenarios").text).startswith("Cycle done: 2 scenario(s) assessed, 1 changed")
    assert ws.ledger.entries(kind="assessment-published", subject="scenario:coup")[-1].actor == "duty_officer"
    assert form(analyst, "/cycle").status_code == 403

    removed = form(analyst, "/scenarios/coup/remove")
    assert removed.status_code == 303 and "removed" in flash(analyst.get("/scenarios").text)
    assert ws.ledger.entries(subject="scenario:coup")[-1].kind == "scenario-removed"
    gone = analyst.get("/scenarios/coup").text  # its history stays readable
    assert "This scenario was removed" in gone and 'action="/scenarios/coup/remove"' not in gone


def test_assets_are_served(web: TestClient) -> None:
    for path, kind in (("/static/js/board.js", "javascript"), ("/static/css/board.css", "css"),
                       ("/static/css/scenario.css", "css")):
        response = web.get(path)
        assert response.status_code == 200 and kind in response.headers["content-type"], path
    script = web.get("/static/js/board.js").text
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script and "outerHTML" not in script
    assert "/api/v1/warnings/changes?since=" in script and "new Notification(" in script


def test_no_inline_script_or_style(as_role: Login, world: World) -> None:
    duty = as_role("duty_officer")
    [first] = world.warning_ids
    for path in ("/", "/warnings", f"/warnings/{first}", "/scenarios", f"/scenarios/{world.scenario_id}"):
        text = duty.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", text) and "<style" not in text and " style=" not in text, path
