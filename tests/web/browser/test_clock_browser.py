"""The workspace's own time in a real browser (issue 16, item 1): with a time set, every page shows the
banner naming it, who set it and the real time, and the board's ages count (in the browser too) from the
workspace's time, not the browser's; without a time set, no banner."""

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


def test_the_banner_shows_the_workspace_time(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                            clock: Any, screenshot: Shoot) -> None:
    page, _ = browser_page
    log_in(page, "duty_officer")
    expect(page.locator("#workspace-time")).to_have_count(0)  # the real time: no banner
    live_server.ws.time.set(clock.now, frozen=True)  # the world's time (2024-08-12 12:00 UTC), frozen
    page.goto("/")
    banner = page.locator("#workspace-time")
    expect(banner).to_contain_text("Workspace time 2024-08-12 12:00 UTC")
    expect(banner).to_contain_text("frozen; set by tester; real time")
    page.wait_for_timeout(1200)  # board.js has rewritten the ages: from the workspace's time, not 800-odd days
    expect(page.locator(".age").first).to_have_text(re.compile(r"^\d+ (s|min|h \d+ min)$"))
    expect(page.locator(".deadline").first).not_to_contain_text(" d ")
    screenshot(page, "workspace-time-board")
    page.goto(f"/scenarios/{live_server.world.scenario_id}")
    expect(page.locator("#workspace-time")).to_contain_text("2024-08-12 12:00 UTC")
