"""A feed URL through the whole ingest: validators are saved with the entries, so a re-poll
fetches nothing new (HTTP 304) and an unreachable feed is an issue, not a crash."""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
from reader_helpers import loopback_server

from forewarn.app import Workspace
from forewarn.model import Reliability

FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link><description>d</description>
<item><title>Convoy near Yunakivka</title><link>https://wire.example/1</link><guid>w1</guid>
<pubDate>Sat, 03 Aug 2024 18:00:00 +0300</pubDate><description>A convoy of trucks was seen.</description></item>
<item><title>Power cut in Sudzha</title><link>https://wire.example/2</link><guid>w2</guid>
<pubDate>Sun, 04 Aug 2024 07:00:00 +0300</pubDate><description>Shelling cut the power.</description></item>
</channel></rss>"""
ETAG = '"feed-v1"'


class Handler(BaseHTTPRequestHandler):
    seen: ClassVar[list[tuple[int, str | None]]] = []

    def do_GET(self) -> None:
        match = self.headers.get("If-None-Match") == ETAG
        Handler.seen.append((304 if match else 200, self.headers.get("If-None-Match")))
        if match:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", ETAG)
        self.send_header("Content-Length", str(len(FEED)))
        self.end_headers()
        self.wfile.write(FEED)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def feed_url() -> Iterator[str]:
    Handler.seen = []
    with loopback_server(Handler) as url:
        yield url + "/rss.xml"


def test_repoll_fetches_nothing_new(workspace: Workspace, feed_url: str) -> None:
    source = workspace.sources.add("Wire", feed_url, reliability=Reliability.B)
    first = workspace.intake.ingest([source.id])
    assert (first.new, first.failed) == (2, 0)
    assert workspace.store.validators(feed_url).etag == ETAG  # type: ignore[union-attr]
    again = workspace.intake.ingest([source.id])
    assert (again.new, again.duplicate, again.failed) == (0, 0, 0)
    assert Handler.seen == [(200, None), (304, ETAG)]


def test_unreachable_feed_is_a_coded_issue(workspace: Workspace) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    report = workspace.intake.ingest([f"http://127.0.0.1:{port}/feed.xml"])
    assert report.new == 0 and dict(report.failed_by_code) == {"FW-E022": 1}
    assert "127.0.0.1" in report.issues[0].location
