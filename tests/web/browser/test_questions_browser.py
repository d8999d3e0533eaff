"""The questions pages in a real browser (issue 17): a duty officer sees a question blind (no other analyst's
estimate, no line), publishes a softened line, records an estimate and then sees the line, its words and its
signed softening gap flagged; no page scrolls sideways at 1400 or 390 px. Screenshots: questions-*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from test_workbench_browser import log_in

from forewarn.model import Principal, PrincipalKind, Role

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def test_blind_question_softened_line_and_gap(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                              screenshot: Shoot) -> None:
    page, _ = browser_page
    ws, sid = live_server.ws, live_server.world.scenario_id
    analyst = ws.acting_as(Principal("analyst", Role.ANALYST, PrincipalKind.USER))
    qid = analyst.judgments.estimate(sid, 0.8, "armour and bridging units massing near the border").question_id
    log_in(page, "duty_officer")

    page.goto("/questions")
    row = page.locator(f'tr[data-id="{qid}"]')
    expect(row).to_contain_text("hidden")
    expect(row).to_contain_text("none yet")
    screenshot(page, "questions-list")

    page.click(f'a[href="/questions/{qid}"]')
    expect(page.locator("#blind")).to_contain_text("Hidden until your estimate is in")
    expect(page.locator("body")).not_to_contain_text("bridging units")
    page.fill('form.line-form input[name="probability"]', "0.1")
    page.fill('form.line-form input[name="text"]', "the situation is under control")
    page.click('form.line-form button[type="submit"]')
    expect(page.locator(".flash")).to_contain_text("its gap shows once your estimate is in")
    expect(page.locator("#lines")).to_have_count(0)  # still blind: the line's gap is hidden too
    screenshot(page, "questions-blind")

    page.fill('form.estimate-form input[name="probability"]', "0.6")
    page.fill('form.estimate-form textarea[name="rationale"]', "the same reports")
    page.click('form.estimate-form button[type="submit"]')
    expect(page.locator(".flash")).to_contain_text("your estimate 0.60 (likely) is recorded, blind")
    expect(page.locator(".line-now .badge.flag")).to_contain_text("softer than the analysts")
    expect(page.locator("table.lines .logits.softer").first).to_have_text("-3.58")
    expect(page.locator("table.others")).to_contain_text("bridging units")
    screenshot(page, "questions-revealed")
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/questions", f"/questions/{qid}"):
            page.goto(path)
            scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner, (path, width, scroll, inner)
    screenshot(page, "questions-390")


def test_a_scenarios_question_not_yet_asked_then_the_full_history(browser_page: tuple[Any, Recorder],
                                                                  live_server: LiveServer, screenshot: Shoot) -> None:
    page, _ = browser_page
    ws, sid = live_server.ws, live_server.world.scenario_id
    log_in(page, "analyst")
    page.goto(f"/questions/{sid}")
    expect(page.locator("#unasked")).to_contain_text("Not yet asked")
    expect(page.locator(f'a[href="/scenarios/{sid}"]')).to_have_count(1)
    screenshot(page, "questions-unasked")
    assert ws.judgments.listing() == []  # reading asked nothing
    page.fill('form.estimate-form input[name="probability"]', "0.7")
    page.fill('form.estimate-form textarea[name="rationale"]', "armour massing")
    page.click('form.estimate-form button[type="submit"]')
    expect(page.locator(".flash")).to_contain_text("is recorded, blind")
    other = ws.acting_as(Principal("bob", Role.ANALYST, PrincipalKind.USER))
    other.judgments.estimate(sid, 0.4, "columns turned back")
    other.judgments.estimate(sid, 0.5, "they came again")
    page.goto(f"/questions/{sid}")
    expect(page.locator("#history tbody tr")).to_have_count(3)
    expect(page.locator("#history")).to_contain_text("columns turned back")
    page.set_viewport_size({"width": 390, "height": 900})
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, (scroll, inner)
    page.set_viewport_size({"width": 1400, "height": 900})
    screenshot(page, "questions-history")
