"""The workbench in a real browser: log in, watch a new warning arrive on the board without a reload,
acknowledge and dismiss it, then walk the scenario, events, document and ledger pages. Every request
the page makes stays on the server's origin; no page breaks its Content-Security-Policy or lets the
hostile document's script run."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from detect_store_helpers import Report, seed
from playwright.sync_api import expect
from web_support import HOSTILE, PASSWORD

from forewarn.cycle import run_cycle
from forewarn.model.warning import Disposition, WarningState

pytestmark = pytest.mark.browser

Shoot = Callable[[Any, str], Path]
RATIONALE = "Bridging vehicles are an exercise; the unit is rotating out (browser test)."


def log_in(page: Any, role: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))  # not logged in: the board sends us to the form
    page.fill('input[name="name"]', role)
    page.fill('input[name="password"]', PASSWORD.format(role=role))
    page.click('form[action="/login"] button[type="submit"]')
    page.wait_for_url(re.compile(r"/(\?.*)?$"))


@pytest.mark.slow
def test_ingest_to_warning_to_dismissal_and_the_pages(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                                      clock: Any, screenshot: Shoot) -> None:
    page, seen = browser_page
    ws, world = live_server.ws, live_server.world
    page.goto("/login")
    screenshot(page, "login")
    log_in(page, "duty_officer")

    # the board: the world's warning is there, and the page polls for changes
    first = world.warning_ids[0]
    expect(page.locator(f'[data-warning-id="{first}"]')).to_be_visible()
    expect(page.locator(f'[data-warning-id="{first}"] .deadline[data-deadline]')).to_have_count(1)
    screenshot(page, "board")
    notify = page.locator("#notify-permission")
    expect(notify).to_have_count(1)
    if notify.is_visible():
        notify.click()  # permission is granted to this context already; the click asks again
    page.evaluate("window.__sameDocument = 'still here'")  # gone if the page reloads

    # a test ingest: a new report, its hand-coded event, and a cycle that raises a warning
    clock.advance(minutes=5)
    seed(ws, live_server.tmp / "inbox-live", (Report("field", "f1", date(2024, 8, 12),
                                                     "armour columns of the Ukrainian army massing near Sudzha at "
                                                     "noon, a field team reported."),))
    report = run_cycle(ws, clock())
    raised = [w for w in report.warnings if w.state is WarningState.RAISED]
    assert len(raised) == 1, report.warnings
    new = raised[0].id
    card = page.locator(f'[data-warning-id="{new}"]')
    expect(card).to_be_visible(timeout=20_000)  # live update, no reload
    assert page.evaluate("window.__sameDocument") == "still here", "the board reloaded instead of updating in place"
    assert "warning" in (card.get_attribute("class") or "").split()
    page.wait_for_function("window.__notes.length > 0", timeout=10_000)  # a browser notification for it
    screenshot(page, "board-new-warning")

    # acknowledge it in place
    card.locator('button[data-action="acknowledge"]').click()
    page.wait_for_load_state()
    expect(page.locator(f'[data-warning-id="{new}"]')).to_be_visible()
    acknowledged = ws.warnings.get(new)
    assert acknowledged.state is WarningState.ACKNOWLEDGED and acknowledged.acknowledged_by == "duty_officer"
    screenshot(page, "board-acknowledged")

    # dismiss it with a rationale: it leaves the board
    dispose = page.locator(f'[data-warning-id="{new}"] form[data-action="dispose"]')
    dispose.locator('select[name="disposition"]').select_option("dismissed")
    dispose.locator('textarea[name="rationale"]').fill(RATIONALE)
    dispose.locator('button[type="submit"], input[type="submit"]').first.click()
    expect(page.locator(f'[data-warning-id="{new}"]')).to_have_count(0)
    dismissed = ws.warnings.get(new)
    assert dismissed.state is WarningState.DISPOSED and dismissed.disposition is Disposition.DISMISSED
    assert dismissed.rationale == RATIONALE and dismissed.disposed_by == "duty_officer"
    assert [e.actor for e in ws.warnings.history(new)][-2:] == ["duty_officer", "duty_officer"]
    screenshot(page, "board-dismissed")

    # the warning's own page shows its history, with the rationale
    page.goto(f"/warnings/{new}")
    expect(page.locator("main")).to_contain_text(RATIONALE)
    screenshot(page, "warning")

    # the scenario: probability over time and each signal's contribution
    page.goto("/scenarios")
    expect(page.locator(f'a[href="/scenarios/{world.scenario_id}"]').first).to_be_visible()
    screenshot(page, "scenarios")
    page.goto(f"/scenarios/{world.scenario_id}")
    expect(page.locator("svg.chart").first).to_be_visible()
    rows = page.locator("table.contributions tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 4  # the world's four armour signals at least
    expect(page.locator("table.contributions")).to_contain_text("Armour near the border")
    screenshot(page, "scenario")

    # events: filter to MOBILIZE; the map shows them
    page.goto("/events")
    screenshot(page, "events")
    kind = page.locator('form.filters [name="type"]').first
    if kind.evaluate("e => e.tagName") == "SELECT":
        kind.select_option("MOBILIZE")
    else:
        kind.fill("MOBILIZE")
    page.locator('form.filters button[type="submit"], form.filters input[type="submit"]').first.click()
    page.wait_for_url(re.compile(r"type=MOBILIZE"))
    expect(page.locator(".chart-card svg.chart")).to_be_visible()  # counts per day, stacked by type
    expect(page.locator("table.regions tbody tr").first).to_be_visible()  # and per region
    event_rows = page.locator("table.events tbody tr")
    assert event_rows.count() >= 5  # the world's five armour events, and the one ingested above
    expect(page.locator("table.events")).not_to_contain_text("ASSAULT")
    screenshot(page, "events-mobilize")

    # the map keeps the filter: borders drawn, the events on it (clustered), a scale
    page.locator(".regions-card a.button").click()
    page.wait_for_url(re.compile(r"/map\?.*type=MOBILIZE"))
    expect(page.locator("#map .leaflet-overlay-pane path").first).to_be_attached()
    expect(page.locator(".leaflet-control-scale-line")).to_be_visible()
    assert page.locator("#map .marker-cluster, #map .leaflet-marker-icon").count() >= 1
    screenshot(page, "map-mobilize")
    page.go_back()

    # a document from the table: its text with highlighted marks
    link = page.locator('table.events a[href^="/documents/"]').first
    href = link.get_attribute("href") or ""
    assert re.fullmatch(r"/documents/[0-9a-f]+#ev-[0-9a-f]+", href), href
    link.click()
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]+"))
    expect(page.locator(".document-text")).to_be_visible()
    assert page.locator(".document-text mark").count() >= 2  # the actor and the place at least
    expect(page.locator(".document-text mark.place").first).to_have_text("Sudzha")
    screenshot(page, "document")

    # the hostile document: shown as text, its script never runs
    page.goto(f"/documents/{world.documents['h1']}")
    expect(page.locator(".document-text")).to_contain_text(HOSTILE)
    assert page.locator(".document-text script, .document-text img").count() == 0
    screenshot(page, "document-hostile")
    page.goto("/documents")
    screenshot(page, "documents")

    # the ledger: verify the chain
    page.goto("/ledger")
    screenshot(page, "ledger")
    page.click("a#verify")
    status = page.locator(".verify-status")
    expect(status).to_have_attribute("data-status", "ok")
    assert status.inner_text().strip()  # plain words beside the status
    screenshot(page, "ledger-verified")

    # the other pages open cleanly too
    for path, name in (("/entities", "entities"), ("/postmortem", "postmortem"), ("/sources", "sources")):
        response = page.goto(path)
        assert response is not None and response.status == 200, (path, response and response.status)
        screenshot(page, name)

    assert seen.foreign(live_server.origin) == [], "requests left the server's origin"
    assert len(seen.requests) > 20  # the recorder did see the page's requests
    assert any("/api/v1/warnings/changes" in url for url in seen.requests)  # the board polled
    assert seen.console_errors == []  # CSP violations (inline script or style) show up here
    assert seen.page_errors == []
    assert [d for d in seen.dialogs if d[0] == "alert"] == [], "an injected script ran"


def test_a_viewer_sees_the_board_but_cannot_act(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                                screenshot: Shoot) -> None:
    page, seen = browser_page
    log_in(page, "viewer")
    first = live_server.world.warning_ids[0]
    card = page.locator(f'[data-warning-id="{first}"]')
    expect(card).to_be_visible()
    expect(card).to_contain_text("Armour near Sudzha")
    screenshot(page, "board-viewer")
    # whatever the page offers a viewer, the server refuses the action and the warning stays raised
    status = page.evaluate(
        "async (id) => (await fetch(`/api/v1/warnings/${id}/acknowledge`, {method: 'POST', credentials: "
        "'same-origin', headers: {'Content-Type': 'application/json', 'X-CSRF-Token': forewarn.csrf()}, "
        "body: '{}'})).status", first)
    assert status == 403
    assert live_server.ws.warnings.get(first).state is WarningState.RAISED
    assert seen.foreign(live_server.origin) == []
    assert seen.page_errors == []
    assert [d for d in seen.dialogs if d[0] == "alert"] == []


def test_the_session_ends_at_logout(browser_page: tuple[Any, Recorder], live_server: LiveServer) -> None:
    page, _ = browser_page
    log_in(page, "analyst")
    page.click('form[action="/logout"] button[type="submit"]')
    page.wait_for_url(re.compile(r"/login"))
    page.goto("/events")
    expect(page).to_have_url(re.compile(r"/login\?next=/events"))
    assert page.evaluate("async () => (await fetch('/api/v1/me')).status") == 401
