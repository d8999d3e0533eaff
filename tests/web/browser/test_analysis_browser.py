"""Issue 17 in a real browser: a reopened warning's card on the live board shows how many dissents its earlier
dismissal drew (drawn by static/js/board.js from the changes API), the warnings list shows them, and the
"Analysis" entry leads to the analytic pages, with no page wider than the window at 1280 and 390 px.
Screenshots: analysis-*.png, dissents-*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from test_workbench_browser import log_in

from forewarn.model import Principal, PrincipalKind, Role
from forewarn.warn import lifecycle
from forewarn.warn.policy import Policy

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def test_dissent_counts_on_the_board_and_the_list(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                                  screenshot: Shoot) -> None:
    page, _ = browser_page
    ws, w = live_server.ws, live_server.world.warning_ids[0]
    duty = ws.acting_as(Principal("duty_officer", Role.DUTY_OFFICER, PrincipalKind.USER))
    log_in(page, "analyst")
    card = page.locator(f'li.warning[data-warning-id="{w}"]')
    expect(card).to_be_visible()
    expect(card.locator(".badge.dissent")).to_have_count(0)
    duty.warnings.dispose(w, "dismissed", "the situation is under control")
    for name in ("analyst", "alice"):
        ws.acting_as(Principal(name, Role.ANALYST, PrincipalKind.USER)).dissents.file(
            "disposition", w, "dismissing it ignores the bridging kit reports")
    with ws.store.transaction() as conn:  # new evidence brings the dismissed warning back (as a cycle does)
        act = lifecycle.Act(conn, ws.clock(), "system", None, Policy.from_settings(ws.settings))
        lifecycle.reopen(act, duty.warnings.get(w), [], [], 60)
    expect(card.locator("a.badge.dissent")).to_have_text("2 dissents", timeout=15_000)  # the live board's poll
    expect(card.locator("a.badge.dissent")).to_have_attribute("href", f"/warnings/{w}#dissents")
    screenshot(page, "dissents-board")
    page.reload()  # drawn by the server the same way
    expect(card.locator("a.badge.dissent")).to_have_text("2 dissents")
    page.goto("/warnings?state=all")
    expect(page.locator(f'tr[data-id="{w}"] a.badge.dissent')).to_have_text("2 dissents")
    screenshot(page, "dissents-warnings")


def test_the_analysis_entry_and_its_pages_fit(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                              screenshot: Shoot) -> None:
    page, _ = browser_page
    log_in(page, "admin")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/")
        page.click('nav[aria-label="main"] a[href="/analysis"]')
        expect(page.locator("h1")).to_have_text("Analysis")
        for href in ("/questions", "/scores", "/ach", "/assumptions", "/analysis"):
            page.goto(href)
            expect(page.locator('nav[aria-label="main"] a[aria-current="page"]')).to_have_text("Analysis")
            scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner, (href, width, scroll, inner)
        top = page.evaluate("document.querySelector('header.top').getBoundingClientRect().height")
        if width == 1280:
            assert top < 60, "the main navigation wraps onto a second line at 1280 px"
        screenshot(page, f"analysis-{width}")
        page.goto("/scores")
        screenshot(page, f"analysis-scores-{width}")
