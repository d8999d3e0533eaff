"""Notes, tags and corrections in a real browser: an analyst tags and notes an event, corrects its type and
place through the event page's form, and the event and document pages show the correction as such."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from web_support import PASSWORD

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def test_an_analyst_notes_tags_and_corrects_an_event(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                                     screenshot: Shoot) -> None:
    page, _ = browser_page
    ws, world = live_server.ws, live_server.world
    doc = world.documents["o1"]
    event = ws.store.extraction_of(doc).events[0].id
    page.goto("/login")
    page.fill('input[name="name"]', "analyst")
    page.fill('input[name="password"]', PASSWORD.format(role="analyst"))
    page.click('form[action="/login"] button[type="submit"]')
    page.wait_for_url(re.compile(r"/(\?.*)?$"))
    page.goto(f"/events/{event}")
    page.fill('form.add-tag input[name="tag"]', "Needs Review")
    page.click('form.add-tag button[type="submit"]')
    expect(page.locator(".tag")).to_contain_text("needs-review")
    page.fill('form.add-note textarea[name="text"]', "Columns, not shelling: checked with the liaison.")
    page.click('form.add-note button[type="submit"]')
    page.select_option('form.correct select[name="type"]', "ASSAULT")
    page.fill('form.correct input[name="place"]', "Kharkiv")
    page.fill('form.correct input[name="reason"]', "the sentence reports shelling")
    page.click('form.correct button[type="submit"]')
    expect(page.locator("table.corrected")).to_contain_text("MOBILIZE")
    expect(page.locator("table.corrected ins").first).to_contain_text("ASSAULT")
    expect(page.locator("table.corrected")).to_contain_text("Kharkiv")
    screenshot(page, "event-corrected")
    page.goto(f"/documents/{doc}")
    expect(page.locator(f'#row-{event} del').first).to_contain_text("MOBILIZE")
    expect(page.locator(f'#row-{event} ins').last).to_contain_text("Kharkiv")
    expect(page.locator(f'#row-{event} a.badge')).to_contain_text("corrected")
    screenshot(page, "document-corrected")
    assert [e.kind for e in ws.ledger.entries(kind=["tag-added", "note-added", "event-corrected"])] == [
        "tag-added", "note-added", "event-corrected"]
