"""The softening gap and the dissents in a real browser (issue 17): the board's published-lines panel and the
scenario page show the line flagged once the viewer has estimated; the post-mortem page shows the estimates, the
line with its gap and dissent, and the disposition's dissent; no page scrolls sideways at 1400 or 390 px.
Screenshots: judgments-*.png."""

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


def test_board_scenario_and_postmortem_show_gap_and_dissent(browser_page: tuple[Any, Recorder],
                                                            live_server: LiveServer, screenshot: Shoot) -> None:
    page, _ = browser_page
    ws, world = live_server.ws, live_server.world
    sid, warning_id = world.scenario_id, world.warning_ids[0]

    def who(name: str, role: Role = Role.ANALYST) -> Any:
        return ws.acting_as(Principal(name, role, PrincipalKind.USER))

    who("alice").judgments.estimate(sid, 0.6, "armour massing")
    who("bob").judgments.estimate(sid, 0.7, "bridging units")
    line = who("duty", Role.DUTY_OFFICER).judgments.publish_line(sid, 0.1, "the situation is under control")
    who("alice").dissents.file("line", line.id, "None of us estimated anything like ten percent.")
    who("duty", Role.DUTY_OFFICER).warnings.dispose(warning_id, "dismissed", "a drill")
    who("bob").dissents.file("disposition", warning_id, "The dismissal ignored the armour reports.")
    who("analyst").judgments.estimate(sid, 0.5, "mine")
    log_in(page, "analyst")

    page.goto("/")
    row = page.locator(f'table.scenario-lines tr[data-scenario-id="{sid}"]')
    expect(row).to_contain_text("the situation is under control")
    expect(row.locator(".badge.flagged")).to_contain_text("softer than the analysts")
    screenshot(page, "judgments-board")
    page.goto(f"/scenarios/{sid}")
    expect(page.locator(".published-line")).to_contain_text("-2.82 logits")
    screenshot(page, "judgments-scenario")
    page.goto(f"/postmortem?scenario={sid}&event-date=2024-08-13")
    expect(page.locator("section.judgments table.lines")).to_contain_text("None of us estimated")
    expect(page.locator("ul.disposition-dissents")).to_contain_text("ignored the armour reports")
    page.locator("section.judgments").scroll_into_view_if_needed()
    screenshot(page, "judgments-postmortem")
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/", f"/scenarios/{sid}"):
            page.goto(path)
            scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert scroll <= inner, (path, width, scroll, inner)
    screenshot(page, "judgments-scenario-390")
