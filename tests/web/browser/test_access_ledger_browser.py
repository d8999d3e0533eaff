"""The ledger page under compartments, in a browser (issue 18): a viewer in no team sees entries about restricted
documents as rows that say something happened, not what; screenshots for a look."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from browser_support import LiveServer, Recorder
from compartment_support import HOLDINGS, add_people, seed_holdings
from playwright.sync_api import expect
from test_workbench_browser import log_in


@pytest.mark.slow
def test_the_ledger_page_withholds_entries_about_hidden_documents(
        browser_page: tuple[Any, Recorder], live_server: LiveServer, screenshot: Callable[[Any, str], Path]) -> None:
    page, recorder = browser_page
    ws = live_server.ws
    add_people(ws)
    found = seed_holdings(ws, live_server.tmp / "holdings")
    for h in HOLDINGS:
        ws.ledger.record("comment", f"document:{found.documents[h.key]}", {"text": h.token})
    log_in(page, "viewer")
    page.goto("/ledger")
    withheld = page.locator("tr.withheld")
    expect(withheld.first).to_contain_text("about something you may not see")
    assert withheld.count() >= sum(1 for h in HOLDINGS if h.compartment.restricted)
    text = page.content()
    assert all(h.token not in text for h in HOLDINGS if h.compartment.restricted)
    assert any(h.token in text for h in HOLDINGS if not h.compartment.restricted)
    screenshot(page, "ledger-withheld")
    page.context.clear_cookies()
    log_in(page, "analyst")
    page.goto("/questions")
    expect(page.locator('select[name="marking"]')).to_be_visible()
    screenshot(page, "questions-marking")
    assert recorder.console_errors == [] and recorder.page_errors == [] and recorder.dialogs == []
