"""Teams, markings and the audit in a real browser (issue 18, items 1 and 5): an admin adds a team and a member
with the pages' forms, the team's page shows its members and report, the audit page lists reads (a hidden object
not by id), and an analyst of the team raises a document's marking from its page. Screenshots: teams-*.png."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from test_workbench_browser import log_in

from forewarn.model import Principal, PrincipalKind, Role

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def test_teams_pages_and_the_marking_form(chromium: Any, browser_page: tuple[Any, Recorder],
                                          live_server: LiveServer, screenshot: Shoot) -> None:
    page, recorder = browser_page
    log_in(page, "admin")
    page.goto("/teams")
    page.fill('input[name="team_id"]', "north")
    page.fill('input[name="name"]', "North desk")
    page.click('form.team-add button[type="submit"]')
    expect(page).to_have_url(f"{live_server.url}/teams/north")
    page.select_option('select[name="account"]', "analyst")
    page.click('form.member-add button[type="submit"]')
    expect(page.locator('tr[data-account="analyst"]')).to_have_count(1)
    doc = next(iter(live_server.world.documents.values()))
    analyst = live_server.ws.acting_as(Principal("analyst", Role.ANALYST, PrincipalKind.USER))
    analyst.teams.mark("document", doc, "AMBER", team="north", recipients=("admin",))
    screenshot(page, "teams-team-admin")
    other = list(live_server.world.documents.values())[1]
    strict = analyst.teams.mark("document", other, "AMBER+STRICT", team="north")
    with live_server.ws.store.transaction() as conn:
        cid = live_server.ws.store.compartment_id(conn, strict.after)
    assert cid is not None
    live_server.ws.store.record_reads(analyst.reads.access, [("document", other, cid)], "page",
                                      datetime(2024, 8, 12, 13, tzinfo=UTC))
    page.goto("/audit")
    expect(page.locator("table.audit tbody tr")).to_have_count(1)
    expect(page.locator("table.audit")).to_contain_text("hidden from you")
    screenshot(page, "teams-audit")
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    try:
        mine = context.new_page()
        log_in(mine, "analyst")
        third = list(live_server.world.documents.values())[2]
        mine.goto(f"/documents/{third}")
        mine.click("details.mark-raise summary")
        mine.select_option('select[name="marking"]', "TLP:AMBER+STRICT")
        mine.fill('form.mark-form input[name="team"]', "north")
        screenshot(mine, "teams-document-form")
        mine.click('form.mark-form button[type="submit"]')
        expect(mine).to_have_url(f"{live_server.url}/documents/{third}")
        mine.goto("/teams/north")
        expect(mine.locator("table.holdings")).to_contain_text("TLP:AMBER+STRICT")
        screenshot(mine, "teams-team-member")
    finally:
        context.close()
    assert not recorder.page_errors and not recorder.console_errors
