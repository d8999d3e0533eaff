"""Fixtures for the browser tests: the workbench served for real (uvicorn on a free loopback port, in
a background thread) over a small world on SQLite, and headless Chromium driven by Playwright.

Chromium is the system's (``FOREWARN_TEST_CHROMIUM``, default /usr/bin/chromium); nothing is
downloaded. It starts with the arguments of scripts/chromium.flags, which keep it off the network
but for loopback. Without Chromium the tests skip, except under CI=true, where they fail."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from browser_support import CHROMIUM, LiveServer, Recorder, chromium_args, require
from web_support import build_world

from forewarn.app import Workspace
from forewarn.web import create_app

SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


@pytest.fixture
def live_server(tmp_path: Path, make_workspace: Callable[..., Workspace]) -> Iterator[LiveServer]:
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}")
    world = build_world(ws, tmp_path)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port, held until the server takes the socket over
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(ws), host="127.0.0.1", port=port, log_level="warning", ws="none",
                            access_log=False, server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="workbench", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            pytest.fail("the workbench server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", ws, world, tmp_path)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()
        assert not thread.is_alive(), "the workbench server did not stop"


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """Playwright, started once for the session (its sync API allows one driver per thread)."""
    require(CHROMIUM, "Chromium (set FOREWARN_TEST_CHROMIUM to its path)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def chromium(playwright_driver: Any) -> Iterator[Any]:
    """A headless Chromium (the system's; no download)."""
    browser = playwright_driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args())
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def browser_page(chromium: Any, live_server: LiveServer) -> Iterator[tuple[Any, Recorder]]:
    """A fresh browser context on the live server (notifications granted, so the board may raise
    them; ``window.__notes`` collects their titles) and what its page does."""
    context = chromium.new_context(base_url=live_server.url, permissions=["notifications"],
                                   viewport={"width": 1280, "height": 900})
    # wraps Notification to record what the page shows (an init script runs before the page's own)
    context.add_init_script(
        "window.__notes = [];"
        "if (window.Notification) { const Native = window.Notification;"
        " window.Notification = new Proxy(Native, {construct(target, args) {"
        " window.__notes.push(String(args[0])); return Reflect.construct(target, args); }}); }")
    context.set_default_timeout(10_000)
    page = context.new_page()
    recorder = Recorder()
    page.on("request", lambda request: recorder.requests.append(request.url))
    page.on("console", lambda msg: recorder.console_errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: recorder.page_errors.append(str(error)))

    def on_dialog(dialog: Any) -> None:
        recorder.dialogs.append((dialog.type, dialog.message))
        dialog.accept()  # the pages' confirm() before an action

    page.on("dialog", on_dialog)
    try:
        yield page, recorder
    finally:
        context.close()


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    """``screenshot(page, name)``: a full-page screenshot in test-artifacts/screenshots/<name>.png."""

    def shoot(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot
