"""The deconfliction page in a real browser (issue 18): an analyst of team north sees a match as north holds it,
asks to talk; the duty officer of team south accepts; both see each other's team then. Screenshots:
deconfliction-*.png."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from test_workbench_browser import log_in

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "warn"))
from deconflict_support import hold

from forewarn.store import schema as t

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def test_a_match_is_seen_and_a_request_accepted(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                                screenshot: Shoot) -> None:
    page, recorder = browser_page
    ws, at = live_server.ws, datetime(2024, 8, 1, tzinfo=UTC)
    with ws.store.engine.begin() as conn:
        for team, member in (("north", "analyst"), ("south", "duty_officer")):
            conn.execute(t.teams.insert().values(id=team, name=f"Team {team.title()}", created_by="setup",
                                                 created_at=at))
            conn.execute(t.team_members.insert().values(team_id=team, account=member, added_by="setup", added_at=at))
    hold(ws, live_server.tmp, "north", "n1", "CANARY-N ring +380 67 123 45 67 near the bridge.",
         who="Ivan Petrov", where=("Sudzha", 51.195, 35.27))
    hold(ws, live_server.tmp, "south", "s1", "CANARY-S number +380671234567; plate АХ 1234 ВК.",
         who="Petrov Ivan", where=("Sudzha", 51.2, 35.28))
    log_in(page, "analyst")
    page.goto("/deconfliction")
    page.click('form[action="/deconfliction/run"] button')
    expect(page.locator(".flash")).to_contain_text("matched the holdings")
    expect(page.locator("table.deconfliction")).to_contain_text("+380 67 123 45 67")
    assert "CANARY-S" not in page.content() and "+380671234567" not in page.content()
    page.locator('form[action$="/request"] button').first.click()
    expect(page.locator(".flash")).to_contain_text("not who asked")
    screenshot(page, "deconfliction-north")
    page.context.clear_cookies()
    log_in(page, "duty_officer")
    page.goto("/deconfliction")
    expect(page.locator(".talk-open").first).to_contain_text("received")
    assert "analyst" not in page.locator("table.deconfliction").inner_text()
    page.locator('form[action$="/accept"] button').first.click()
    expect(page.locator(".talk-accepted").first).to_contain_text("Team North")
    screenshot(page, "deconfliction-south-accepted")
    page.set_viewport_size({"width": 390, "height": 900})
    scroll, inner = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, (scroll, inner)
    screenshot(page, "deconfliction-390")
    assert not recorder.page_errors and not recorder.console_errors
