"""The explorer in a real browser shows a corrected event as such (issue 16, item 9): the original struck
through, the value now, a "corrected" badge to the event page, and the analyst's "correct" link leads there."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from web_support import PASSWORD

from forewarn.ingest.annotations import CorrectionInput
from forewarn.model import Principal, PrincipalKind, Role

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def test_the_explorer_shows_a_correction_and_links_to_correct(
        browser_page: tuple[Any, Recorder], live_server: LiveServer, screenshot: Shoot) -> None:
    page, recorder = browser_page
    ws, world = live_server.ws, live_server.world
    event = ws.store.extraction_of(world.documents["o1"]).events[0].id
    analyst = ws.acting_as(Principal("analyst", Role.ANALYST, PrincipalKind.USER))
    analyst.annotations.correct(event, CorrectionInput(type="ASSAULT", place="Kharkiv", reason="shelling"))
    page.goto("/login")
    page.fill('input[name="name"]', "analyst")
    page.fill('input[name="password"]', PASSWORD.format(role="analyst"))
    page.click('form[action="/login"] button[type="submit"]')
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
    page.goto("/events")
    row = page.locator(f'tr[data-event-id="{event}"]')
    expect(row).to_have_class("corrected")
    expect(row.locator("del").first).to_have_text("MOBILIZE")
    expect(row.locator("ins").first).to_have_text("ASSAULT")
    expect(row.locator("td").nth(3).locator("ins")).to_contain_text("Kharkiv")
    expect(row.locator("a.badge")).to_have_text("corrected")
    expect(page.locator("tr.corrected")).to_have_count(1)
    screenshot(page, "events-corrected")
    row.get_by_role("link", name="correct", exact=True).click()
    page.wait_for_url(re.compile(rf"/events/{event}#corrections$"))
    expect(page.locator("form.correct")).to_be_visible()
    assert recorder.foreign(live_server.origin) == [] and recorder.page_errors == []
    assert recorder.console_errors == []
