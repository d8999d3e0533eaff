"""Workbench page weight and time to first render in a real browser: headless Chromium (Debian's,
driven by Playwright, launched with scripts/chromium.flags so that nothing leaves the machine)
against the app served by uvicorn on 127.0.0.1 (in a background thread of this process), over the
cached SQLite store of --events events from bench/fill_events.py (default 1,000,000; the table
names N), or the store --db names.

Each page is loaded --loads times (10) after one warm-up load, each time in a fresh browser context
(an empty cache: every sub-resource is fetched again) holding an admin's session cookie:

  bytes      the sum of the response body sizes of the document and of every sub-resource the
             page fetched until it was loaded and the network idle (style sheets, scripts, images;
             the board's first poll of /api/v1/warnings/changes counts too)
  requests   how many responses that was; any request to another origin is blocked and counted
             (the pages must make none)
  FCP        ``first-contentful-paint`` from ``performance.getEntriesByType('paint')``, ms from the
             start of the navigation: server time, transfer, parsing, style and first paint
  server     the document's ``Server-Timing: app;dur`` (the server's share of the FCP), the baseline

The login page (signed out), one small form and no query, shows the floor: what any page costs in this browser
on this machine. The table shows medians over the loads (FCP also p95, ``statistics.quantiles``, n=20, inclusive)
and FCP / server.

    python bench/web_weight.py --events 50000
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvicorn
from fill_events import ADMIN, DEFAULT_EVENTS, cached_sqlite
from playwright.sync_api import Browser, Route, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from web_pages import server_ms

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.model.query import EventQuery
from forewarn.runtime import settle
from forewarn.web import create_app
from forewarn.web.auth import SESSION_COOKIE

CHROMIUM = "/usr/bin/chromium"
FLAGS_FILE = Path(__file__).resolve().parents[1] / "scripts" / "chromium.flags"  # shared with the browser tests
PAGES = (("login (floor)", "/login", False), ("board", "/", True), ("explorer", "/events", True),
         ("map", "/map", True))  # the map: budget 400 kB of script and data on first load
FCP = "() => { const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');" \
      " return p ? p.startTime : null; }"


@dataclass(frozen=True)
class Load:
    bytes: int
    requests: int
    blocked: int
    fcp: float
    server: float
    parts: tuple[tuple[str, int, int], ...]  # (path, status, body bytes) of each response


@contextmanager
def serving(ws: Workspace) -> Iterator[str]:
    """The app on 127.0.0.1 (a free port) in a background thread; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = create_app(ws)
    settle()  # as `forewarn serve` does before serving
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def chromium_args() -> list[str]:
    """The launch arguments that keep Chromium off the network but for loopback (one a line, # comments)."""
    lines = (line.strip() for line in FLAGS_FILE.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def load(browser: Browser, base: str, path: str, cookie: str | None) -> Load:
    context = browser.new_context()
    try:
        if cookie:
            context.add_cookies([{"name": SESSION_COOKIE, "value": cookie, "url": base}])
        origin = urlsplit(base).netloc
        blocked: list[str] = []

        def guard(route: Route) -> None:
            if urlsplit(route.request.url).netloc == origin or route.request.url.startswith("data:"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", guard)
        page = context.new_page()
        responses: list[Any] = []
        page.on("response", lambda r: responses.append(r))
        document = page.goto(base + path, wait_until="load")
        if document is None or document.status != 200:
            raise RuntimeError(f"{path}: {document.status if document else 'no response'}")
        with suppress(PlaywrightError):  # a page that keeps the network busy: count what came until then
            page.wait_for_load_state("networkidle", timeout=5000)
        fcp = page.evaluate(FCP)
        if fcp is None:
            raise RuntimeError(f"{path}: no first-contentful-paint entry")
        parts = []
        for r in responses:
            body = 0
            with suppress(PlaywrightError):  # a redirect or an aborted request has no body
                body = len(r.body())
            url = urlsplit(r.url)
            parts.append((url.path + (f"?{url.query}" if url.query else ""), r.status, body))
        return Load(sum(p[2] for p in parts), len(responses), len(blocked), float(fcp), server_ms(document),
                    tuple(parts))
    finally:
        context.close()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--db", help="measure this already filled store (a URL: a copy of the cached file with an "
                                     "index tried by hand, say) instead of the cached file")
    args = parser.parse_args()
    url = args.db or cached_sqlite(args.events, progress=lambda line: print(line, file=sys.stderr, flush=True)).url
    ws = Workspace.open(Settings(database_url=url, actor="bench-web", extract=False))
    try:
        events = ws.reads.count_events(EventQuery(include_negated=True, limit=None))
        cookie, _ = ws.accounts.start_session(ws.accounts.user(ADMIN), hours=8)
        rows = []
        with serving(ws) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=chromium_args())
            try:
                for name, path, signed_in in PAGES:
                    who = cookie if signed_in else None
                    load(browser, base, path, who)  # warm-up
                    loads = [load(browser, base, path, who) for _ in range(args.loads)]
                    rows.append((name, path, loads))
            finally:
                browser.close()
    finally:
        ws.close()
    print(f"\nPage weight and first contentful paint, headless Chromium, {url.split(':')[0]} store of {events:,} "
          f"events, medians of {args.loads} cold loads\n")
    print("| page | bytes | requests | blocked (other origins) | FCP ms | FCP p95 ms | server ms (baseline) "
          "| FCP / server |")
    print("|---|---|---|---|---|---|---|---|")
    for name, path, loads in rows:
        fcp = [x.fcp for x in loads]
        server = statistics.median(x.server for x in loads)
        print(f"| {name} `{path}` | {statistics.median(x.bytes for x in loads):,.0f} | "
              f"{statistics.median(x.requests for x in loads):.0f} | {max(x.blocked for x in loads)} | "
              f"{statistics.median(fcp):.0f} | {p95(fcp):.0f} | {server:.1f} | "
              f"{statistics.median(fcp) / max(server, 0.1):.1f} |")
    print("\nresponses of the last load (path, status, body bytes):")
    for name, _, loads in rows:
        print(f"  {name}: " + ", ".join(f"{path} {status} {size:,}" for path, status, size in loads[-1].parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
