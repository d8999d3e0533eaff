"""The live feed and the shift handover in a real browser (issue 16, items 7 and 8): an analyst reads the
feed (items, why each was flagged, the scenario filter), sees what is new since the last visit
highlighted and counted in the nav, finds nothing new on a second visit, marks all seen; a duty officer
writes a handover and the next one reads it on the board and acknowledges it. No request leaves the
server's origin."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import pytest
from browser_support import LiveServer, Recorder
from playwright.sync_api import expect
from web_support import PASSWORD

from forewarn.accounts import Role

pytestmark = pytest.mark.browser
Shoot = Callable[[Any, str], Path]


class Clock(Protocol):
    """The tests' clock (tests/conftest.py): it moves only when a test moves it."""

    def advance(self, **kwargs: float) -> None: ...


NEXT_OFFICER, NEXT_PASSWORD = "night-officer", "night-officer-pass-word"


def _login(page: Any, name: str, password: str) -> None:
    page.goto("/login")
    page.fill('input[name="name"]', name)
    page.fill('input[name="password"]', password)
    page.click('form[action="/login"] button[type="submit"]')
    page.wait_for_url(re.compile(r"/(\?.*)?$"))


def _logout(page: Any) -> None:
    page.context.clear_cookies()


def _clean(recorder: Recorder, server: LiveServer) -> None:
    assert recorder.foreign(server.origin) == []
    assert recorder.console_errors == [] and recorder.page_errors == []


def test_an_analyst_reads_the_feed_and_what_is_new(browser_page: tuple[Any, Recorder], live_server: LiveServer,
                                                   screenshot: Shoot, clock: Clock) -> None:
    page, recorder = browser_page
    ws, world = live_server.ws, live_server.world
    every = len(world.documents)
    _login(page, "analyst", PASSWORD.format(role="analyst"))
    badge = page.locator("#feed-new")
    expect(badge).to_have_text(str(every))  # a first visit: the last day's items are new
    page.click('nav a[href="/feed"]')
    page.wait_for_url(re.compile(r"/feed$"))
    items = page.locator("li.feed-item")
    expect(items).to_have_count(every)
    expect(page.locator("li.feed-item.new")).to_have_count(every)
    expect(page.locator("#feed-count")).to_have_text(f"{every} new")
    flagged = page.locator("li.feed-item.flagged")
    assert flagged.count() > 0, "the published assessment's signals name documents"
    why = flagged.first.locator('ul.flags[aria-label="why flagged"] li')
    expect(why.first).to_contain_text("Armour")  # the scenario's name, then the indicator that matched
    assert why.first.locator(".indicator").inner_text().strip()
    expect(items.first.locator(".grade")).to_have_text(re.compile(r"^[A-F]$"))
    screenshot(page, "feed")

    clock.advance(minutes=10)
    quiet = ws.intake.post("Market day: a quiet day at the market.", title="Market day").document_id
    page.goto("/feed")
    expect(page.locator("li.feed-item.new")).to_have_count(1)  # the second visit: only what came since
    expect(page.locator(f'li.feed-item.new[data-id="{quiet}"]')).to_be_visible()
    expect(page.locator(f'li.feed-item[data-id="{quiet}"] ul.flags')).to_have_count(0)
    screenshot(page, "feed-new-since")
    page.goto("/feed")
    expect(page.locator("li.feed-item.new")).to_have_count(0)
    expect(page.locator("#feed-count")).to_have_text("0 new")
    expect(badge).to_be_hidden()

    page.select_option('form.filters select[name="scenario"]', world.scenario_id)
    page.click('form.filters button[type="submit"]')
    page.wait_for_url(re.compile(rf"scenario={world.scenario_id}"))
    expect(items).to_have_count(flagged.count())
    expect(page.locator(f'li.feed-item[data-id="{quiet}"]')).to_have_count(0)
    assert all(page.locator("li.feed-item").nth(i).locator("ul.flags").count() == 1
               for i in range(items.count()))
    screenshot(page, "feed-scenario")

    clock.advance(minutes=10)
    late = ws.intake.post("Late wire: nothing happened at the border.", title="Late wire").document_id
    page.goto("/")
    expect(badge).to_have_text("1")
    page.goto(f"/feed?scenario={world.scenario_id}")  # a filtered view moves no mark
    page.goto("/")
    expect(badge).to_have_text("1")
    page.goto(f"/feed?scenario={world.scenario_id}")
    page.click('form[action="/feed/seen"] button[type="submit"]')
    expect(page.locator("p.flash")).to_contain_text("marked seen")
    expect(badge).to_be_hidden()
    page.goto("/feed")
    expect(page.locator(f'li.feed-item[data-id="{late}"]')).not_to_have_class(re.compile(r"\bnew\b"))
    entries = [(e.actor, e.payload["how"]) for e in ws.ledger.entries(kind="feed-seen")]
    assert entries == [("analyst", "visit"), ("analyst", "visit"), ("analyst", "mark all seen")]
    _clean(recorder, live_server)


def test_a_handover_is_written_shown_on_the_board_and_acknowledged(
        browser_page: tuple[Any, Recorder], live_server: LiveServer, screenshot: Shoot) -> None:
    page, recorder = browser_page
    ws = live_server.ws
    ws.accounts.add_user(NEXT_OFFICER, NEXT_PASSWORD, Role.DUTY_OFFICER, actor="setup",
                         display_name="Night Officer")
    _login(page, "duty_officer", PASSWORD.format(role="duty_officer"))
    page.goto("/handovers")
    expect(page.locator(".handover-list")).to_contain_text("No handover written yet")
    expect(page.locator(".handover-write table.handover-open")).to_be_visible()  # the draft: open warnings
    page.fill('form.write-form textarea[name="watch"]', "Armour columns near Sudzha: check the morning wires.")
    screenshot(page, "handover-write")
    page.click('form.write-form button[type="submit"]')
    page.wait_for_url(re.compile(r"/handovers/\d+$"))
    expect(page.locator("p.flash")).to_contain_text("written")
    expect(page.locator(".watch")).to_contain_text("Armour columns near Sudzha")
    expect(page.locator('form[action$="/acknowledge"]')).to_have_count(0)  # not one's own note
    screenshot(page, "handover")

    _logout(page)
    _login(page, NEXT_OFFICER, NEXT_PASSWORD)
    panel = page.locator("#handover-panel")
    expect(panel).to_contain_text("Armour columns near Sudzha")
    expect(panel).to_contain_text("from duty_officer")
    expect(panel.locator(".acks")).to_contain_text("Not acknowledged yet")
    screenshot(page, "handover-board")
    panel.locator('form[action$="/acknowledge"] button[type="submit"]').click()
    expect(page.locator("p.flash")).to_contain_text("acknowledged")
    expect(page.locator("#handover-panel .acks")).to_contain_text(f"Acknowledged by {NEXT_OFFICER}")
    expect(page.locator('#handover-panel form[action$="/acknowledge"]')).to_have_count(0)
    screenshot(page, "handover-acknowledged")
    kinds = [(e.kind, e.actor) for e in ws.ledger.entries(kind=["handover-written", "handover-acknowledged"])]
    assert kinds == [("handover-written", "duty_officer"), ("handover-acknowledged", NEXT_OFFICER)]
    _clean(recorder, live_server)
