"""Corrections in the readable evidence, in a real browser (issue 16, item 9): a corrected event's row on the
scenario page shows the extracted values struck through and the values now, with a "corrected" badge that leads
to the event's corrections; a rejected event's row on the warning page says "rejected" and why."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from test_workbench_browser import log_in

from forewarn.ingest.annotations import CorrectionInput
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.web.api.evidence import warning_evidence

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def test_corrected_and_rejected_events_in_the_evidence_rows(browser_page: tuple[Any, Recorder],
                                                            live_server: LiveServer, screenshot: Shoot) -> None:
    page, seen = browser_page
    ws, world = live_server.ws, live_server.world
    rows = [r for g in warning_evidence(ws, ws.warnings.get(world.warning_ids[0])) for r in g.rows]
    fixed, dropped = (r.event.id for r in rows[:2] if r.event is not None)
    analyst = ws.acting_as(Principal("analyst", Role.ANALYST, PrincipalKind.USER))
    analyst.annotations.correct(fixed, CorrectionInput(type="ASSAULT", place="Kharkiv", date="2024-08-05",
                                                       reason="shelling, not a build-up"))
    analyst.annotations.reject(dropped, "a copy of a rumour")
    log_in(page, "viewer")

    page.goto(f"/scenarios/{world.scenario_id}")
    table = page.locator("table.contributions")
    row = table.locator("tr.counted", has=page.locator(f'a.badge[href="/events/{fixed}#corrections"]'))
    expect(row.locator(".badge.type del")).to_have_text("MOBILIZE · troops")
    expect(row.locator(".badge.type ins")).to_have_text("ASSAULT")
    expect(row.locator("ins .place")).to_contain_text("Kharkiv")
    expect(row.locator("del .place")).to_contain_text("Sudzha")
    badge = row.locator("a.badge.corrected")
    expect(badge).to_have_attribute("title", re.compile(r"^corrected by analyst, .*type: MOBILIZE → ASSAULT"))
    screenshot(page, "evidence-corrected-scenario")

    page.goto(f"/warnings/{world.warning_ids[0]}")
    rejected = page.locator("section.evidence tr.counted", has=page.locator("a.badge.rejected"))
    expect(rejected).to_have_count(1)
    expect(rejected.locator("p.rejection")).to_contain_text("Rejected by analyst")
    expect(rejected.locator("p.rejection")).to_contain_text("a copy of a rumour")
    screenshot(page, "evidence-rejected-warning")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")

    page.locator("a.badge.corrected").first.click()
    page.wait_for_url(re.compile(rf"/events/{fixed}#corrections$"), wait_until="domcontentloaded")
    expect(page.locator("#corrections")).to_contain_text("ASSAULT")
    assert not seen.page_errors and all(url.startswith(live_server.url) for url in seen.requests)
