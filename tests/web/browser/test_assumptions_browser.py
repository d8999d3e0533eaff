"""The key assumption page in a real browser (issue 17, item 8): an analyst's assumption flagged by a cycle shows
its signposts readable, the matched evidence with links and the review form; the review is recorded; no page scrolls
sideways at 390 px. Screenshots: assumptions-*.png."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from test_workbench_browser import log_in

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_assumptions_api import LATER, NEWS, SIGNPOSTS

from forewarn.cycle import run_cycle
from forewarn.model import Principal, PrincipalKind, Role

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def test_a_flagged_assumption_is_reviewed(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                          screenshot: Shoot, clock: Any) -> None:
    from detect_store_helpers import seed

    page, _ = browser_page
    ws, sid = live_server.ws, live_server.world.scenario_id
    analyst = ws.acting_as(Principal("analyst", Role.ANALYST, PrincipalKind.USER))
    analyst.judgments.estimate(sid, 0.2, "no bridging seen")
    a = analyst.assumptions.add(sid, "Ukraine lacks the bridging equipment to cross into Kursk oblast", SIGNPOSTS)
    clock.now = LATER
    seed(ws, live_server.tmp / "later", (NEWS,))
    run_cycle(ws, LATER)
    log_in(page, "analyst")

    page.goto("/assumptions?state=flagged")
    expect(page.locator(f'tr[data-id="{a.id}"] .astate')).to_have_text("flagged")
    screenshot(page, "assumptions-flagged")
    page.click(f'a[href="/assumptions/{a.id}"]')
    expect(page.locator("ol.signposts")).to_contain_text("Bridging vehicles at the Kursk border")
    expect(page.locator("table.matches")).to_contain_text("pontoons")
    screenshot(page, "assumptions-page")
    page.select_option('form.review-form select[name="outcome"]', "broken")
    page.fill('form.review-form textarea[name="rationale"]', "pontoons reached the border near Sudzha")
    page.click('form.review-form button[type="submit"]')
    expect(page.locator(".flash")).to_contain_text("is reviewed-broken")
    expect(page.locator("p.review")).to_contain_text("pontoons reached the border")
    page.set_viewport_size({"width": 390, "height": 900})
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, (scroll, inner)
    screenshot(page, "assumptions-390")
