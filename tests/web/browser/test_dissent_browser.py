"""Protected dissent in a real browser (issue 17): an analyst who has estimated files a dissent from a softened
line on the question page, and another from a warning's dismissal on the warning page; each shows with its
author, time and text, no control edits or removes it, and no page scrolls sideways at 390 px.
Screenshots: dissent-*.png."""

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


def test_dissent_from_a_line_and_a_disposition(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                               screenshot: Shoot) -> None:
    page, _ = browser_page
    ws, sid = live_server.ws, live_server.world.scenario_id
    duty = ws.acting_as(Principal("duty_officer", Role.DUTY_OFFICER, PrincipalKind.USER))
    analyst = ws.acting_as(Principal("analyst", Role.ANALYST, PrincipalKind.USER))
    qid = analyst.judgments.estimate(sid, 0.8, "armour and bridging units massing").question_id
    duty.judgments.publish_line(sid, 0.1, "the situation is under control")
    w = duty.warnings.dispose(live_server.world.warning_ids[0], "dismissed", "under control").id
    log_in(page, "analyst")

    page.goto(f"/questions/{qid}")
    page.fill("form.dissent-form textarea[name=text]", "The line contradicts every analyst's blind estimate.")
    page.click("form.dissent-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("your dissent from the line is recorded")
    expect(page.locator("#dissents li.dissent")).to_contain_text("contradicts every analyst")
    expect(page.locator("#dissents .count")).to_have_text("(1)")
    screenshot(page, "dissent-question")

    page.goto(f"/warnings/{w}")
    page.fill("form.dissent-form textarea[name=text]", "Dismissing it ignores the bridging kit reports.")
    page.click("form.dissent-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("your dissent from the disposition is recorded")
    expect(page.locator("#dissents li.dissent")).to_contain_text("analyst")
    expect(page.locator("#dissents button, #dissents a")).to_have_count(1)  # only the form's submit: no edit
    screenshot(page, "dissent-warning")
    page.set_viewport_size({"width": 390, "height": 900})
    for path in (f"/questions/{qid}", f"/warnings/{w}"):
        page.goto(path)
        scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, (path, scroll, inner)
    screenshot(page, "dissent-warning-390")
