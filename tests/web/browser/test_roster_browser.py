"""Named owners and escalation's end in a real browser (issue 16): the roster page adds a shift, the
board and warning page name the person on shift or flag "nobody on shift", and a warning's reminders
are one row that opens (details/summary, no script) on the warning page and the ledger page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from test_workbench_browser import log_in

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


def test_roster_owners_and_folded_reminders(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                            clock: Any, screenshot: Shoot) -> None:
    page, seen = browser_page
    ws, world = live_server.ws, live_server.world
    wid = world.warning_ids[0]  # chain: duty-officer → watch-lead
    ws.warnings.roster_add("watch-lead", "admin", clock.now - timedelta(days=1))
    for _ in range(6):  # to the watch lead, then reminded three times, then left alone
        clock.advance(hours=5)
        ws.warnings.escalate_due()
    flagged = ws.warnings.raise_warning("Bridging units at Sudzha", "Seen by a partner.", "high", owner="director")
    log_in(page, "duty_officer")

    card = page.locator(f'[data-warning-id="{flagged.id}"]')
    expect(card.locator(".badge.unstaffed")).to_have_text("nobody on shift")
    expect(page.locator(f'[data-warning-id="{wid}"] .owner')).to_contain_text("watch-lead (Admin User)")
    screenshot(page, "roster-board-owners")

    page.goto("/roster")
    page.fill('input[name="role"]', "director")
    page.select_option('select[name="account"]', "duty_officer")
    page.fill('input[name="start"]', clock.now.strftime("%Y-%m-%dT%H:%M"))
    page.click('form.roster-add button[type="submit"]')
    expect(page.locator(".flash")).to_contain_text("Duty Officer User holds director")
    expect(page.locator("ul.on-shift")).to_contain_text("director: Duty Officer User")
    screenshot(page, "roster")

    page.goto(f"/warnings/{wid}")
    expect(page.locator("dd.reminders")).to_contain_text("reminded 3 of 3 times; no further reminders")
    group = page.locator("tr.history-group")
    expect(group).to_have_count(1)
    expect(group.locator("table.history-repeats")).not_to_be_visible()
    group.locator("summary").click()
    expect(group.locator("table.history-repeats tr")).to_have_count(3)
    screenshot(page, "warning-reminders")

    page.goto(f"/ledger?subject=warning:{wid}")
    row = page.locator("tr.ledger-group")
    expect(row.locator(".group-label")).to_have_text("reminded 3 times")
    row.locator("summary").click()
    expect(row.locator("table.ledger-repeats tr")).to_have_count(3)
    screenshot(page, "ledger-reminders")
    assert not seen.page_errors and not seen.console_errors
    assert re.match(r"http://127\.0\.0\.1:\d+", live_server.url)
