"""Readable evidence in a real browser (issue 16, item 4): the warning and scenario pages show each signal as a
row — the sentence with its trigger marked, actor → recipient linked to the entity, place, date, source grade —
grouped by indicator; the sentence leads to the trigger on the document's page; the hostile report's script
stays text; no horizontal overflow at 1280 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from test_workbench_browser import log_in

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def no_overflow(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_evidence_rows_on_the_warning_and_scenario_pages(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                                         screenshot: Shoot) -> None:
    page, seen = browser_page
    world = live_server.world
    log_in(page, "viewer")

    page.goto(f"/warnings/{world.warning_ids[0]}")
    group = page.locator('section.evidence tbody.evidence-group[data-group="armour"]')
    expect(group.locator("tr.group-head")).to_contain_text("Armour near the border")
    rows = group.locator('tr.counted[data-indicator="armour"]')
    expect(rows).to_have_count(4)
    first = rows.first
    expect(first.locator("mark").first).to_have_text("armour")
    expect(first.locator("a.entity").first).to_have_text("Armed Forces of Ukraine")
    expect(first.locator(".place").first).to_contain_text("Sudzha, Kursk Oblast (RUS, town)")
    expect(first.locator(".grade").first).to_have_text("B")
    expect(first.locator("td.contribution")).to_contain_text("+0.785")
    assert page.evaluate("window.__xss === undefined") and not seen.page_errors
    expect(page.locator("section.evidence")).to_contain_text('<script>alert("xss")</script>')  # shown as text
    assert no_overflow(page)
    screenshot(page, "evidence-warning")

    # the sentence leads to the trigger on the document's page
    link = first.locator("a.sentence-link").first
    href = link.get_attribute("href") or ""
    assert re.fullmatch(r"/documents/[0-9a-f]{64}#ev-[0-9a-f]+", href), href
    link.locator("mark").click()  # the trigger itself
    page.wait_for_url(re.compile(r"/documents/[0-9a-f]{64}"), wait_until="domcontentloaded")
    anchor = href.rsplit("#", 1)[1]
    expect(page.locator(f"#{anchor}")).to_have_count(1)

    page.goto(f"/scenarios/{world.scenario_id}")
    table = page.locator("table.contributions")
    expect(table.locator('tr.counted[data-indicator="armour"]')).to_have_count(4)
    expect(table.locator("mark")).to_have_count(4)
    expect(table.locator("a.entity").first).to_have_attribute("href", "/entities/dict%3Aukr-military")
    assert no_overflow(page)
    screenshot(page, "evidence-scenario")
    assert all(url.startswith(live_server.url) for url in seen.requests)  # nothing leaves the server
