"""The scores page in a real browser: an analyst sees their own row by name and the others
lettered, the reliability plot drawn as SVG and the aggregation report; a viewer sees no analyst's row; no page
scrolls sideways at 1400 or 390 px. Screenshots: scores-*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from scores_support import hand_world, many
from test_workbench_browser import log_in

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def test_scores_page(browser_page: tuple[Any, Recorder], live_server: LiveServer, screenshot: Shoot,
                     clock: Any) -> None:
    page, _ = browser_page
    hand_world(live_server.ws, clock.advance)
    many(live_server.ws, clock.advance, 30)
    log_in(page, "analyst")
    page.goto("/scores")
    expect(page.locator("#leaderboard tr.own")).to_contain_text("analyst (you)")
    expect(page.locator("#leaderboard")).to_contain_text("analyst A")
    expect(page.locator("#leaderboard")).not_to_contain_text("alice")
    expect(page.locator("svg.reliability circle").first).to_be_visible()
    expect(page.locator("#aggregation")).to_contain_text("Extremized, leave-one-out")
    screenshot(page, "scores-analyst")
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/scores")
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, (width, scroll, inner)
    screenshot(page, "scores-390")
