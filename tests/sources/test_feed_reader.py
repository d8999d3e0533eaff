"""FeedReader: RSS and Atom files, malformed feeds, unreachable URLs, conditional GET."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from reader_helpers import NOW, collect

from forewarn.errors import Code, Severity
from forewarn.model.document import DatePrecision
from forewarn.model.source import FeedValidators
from forewarn.sources.base import ReadContext
from forewarn.sources.feed import FeedReader

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Border watch</title><link>https://watch.example.org/</link>
<description>Reports from the border</description><language>en</language>
<item><title>Armour column near Sudzha</title><link>https://watch.example.org/1</link>
<guid isPermaLink="false">watch-1</guid><pubDate>Mon, 05 Aug 2024 21:40:00 +0300</pubDate>
<author>desk@watch.example.org (Field desk)</author>
<description><![CDATA[<p>Residents reported a long column of armour moving west.</p>
<p>Local channels posted video at 02:00.</p>]]></description></item>
<item><title>Bridge closed</title><link>https://watch.example.org/2</link>
<pubDate>Tue, 06 Aug 2024 08:00:00 GMT</pubDate>
<description>The river bridge was closed to civilian traffic.</description></item>
</channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Watch</title><id>urn:watch</id><updated>2024-08-06T10:00:00Z</updated>
<entry><id>urn:watch:7</id><title>Troops at the crossing</title><link href="https://watch.example.org/7"/>
<updated>2024-08-06T10:00:00Z</updated>
<content type="html">&lt;p&gt;Soldiers were seen at the crossing.&lt;/p&gt;
&lt;p&gt;No shots were heard.&lt;/p&gt;</content></entry>
</feed>
"""


def rss(*items: str) -> str:
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>https://e.org/</link>'
            "<description>d</description>" + "".join(items) + "</channel></rss>")


def read(location: str | Path, ctx: ReadContext) -> object:
    return collect(FeedReader().read(str(location), ctx))


def test_an_rss_file(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "watch.xml"
    path.write_text(RSS)
    out = read(path, ctx)
    assert out.issues == [] and out.validators == []
    first, second = out.docs
    assert first.text == ("Armour column near Sudzha\n\nResidents reported a long column of armour moving west.\n\n"
                          "Local channels posted video at 02:00.")
    assert (first.title, first.url, first.item) == ("Armour column near Sudzha", "https://watch.example.org/1",
                                                    "watch-1")
    assert first.published_at == datetime(2024, 8, 5, 18, 40, tzinfo=UTC)
    assert first.published_precision is DatePrecision.SECOND
    assert (first.reader, first.location, first.language) == ("feed", str(path), "en")
    assert ("author", "desk@watch.example.org (Field desk)") in first.meta
    assert second.item == "https://watch.example.org/2"
    assert len({first.raw_sha256, second.raw_sha256}) == 2


def test_an_atom_file(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "watch.atom"
    path.write_text(ATOM)
    (doc,) = read(path, ctx).docs
    assert doc.text == "Troops at the crossing\n\nSoldiers were seen at the crossing.\n\nNo shots were heard."
    assert (doc.item, doc.url) == ("urn:watch:7", "https://watch.example.org/7")
    assert doc.published_at == datetime(2024, 8, 6, 10, tzinfo=UTC)


def test_entries_without_text(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "f.rss"
    path.write_text(rss("<item><guid>e1</guid><link>https://e.org/1</link></item>",
                        "<item><guid>e2</guid><title>Headline only</title></item>"))
    out = read(path, ctx)
    (issue,) = out.issues
    assert (issue.code, issue.location, issue.item) == (Code.NO_TEXT, str(path), "e1")
    assert "neither text nor a title" in issue.message
    (doc,) = out.docs
    assert (doc.text, doc.title) == ("Headline only", "Headline only")


def test_an_unparseable_entry_date_keeps_the_entry(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "f.xml"
    path.write_text(rss("<item><guid>e1</guid><title>T</title><description>Text.</description>"
                        "<pubDate>around teatime</pubDate></item>"))
    out = read(path, ctx)
    (doc,) = out.docs
    assert doc.published_at is None and ("raw_date", "around teatime") in doc.meta
    (warning,) = out.issues
    assert (warning.code, warning.severity, warning.item) == (Code.DATE_UNPARSEABLE, Severity.WARNING, "e1")


def test_a_truncated_feed_with_entries_warns_and_keeps_them(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "cut.xml"
    path.write_text(RSS[: RSS.index("<item><title>Bridge")] + "<item><title>Bridge clo")
    out = read(path, ctx)
    assert [d.item for d in out.docs] == ["watch-1"]
    (warning,) = out.warnings
    assert (warning.code, warning.location) == (Code.FEED_MALFORMED, str(path))
    assert "malformed" in warning.message and "recovered" in warning.message
    assert [(i.code, i.item) for i in out.errors] == [(Code.NO_TEXT, "entry 2")]  # the cut-off entry


@pytest.mark.parametrize("content", [
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Border',
    "this is not a feed at all { ] <<",
])
def test_a_truncated_or_garbage_feed_is_malformed(tmp_path: Path, ctx: ReadContext, content: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(content)
    out = read(path, ctx)
    assert out.docs == []
    (issue,) = out.issues
    assert (issue.code, issue.location, issue.severity) == (Code.FEED_MALFORMED, str(path), Severity.ERROR)
    assert "cannot be parsed" in issue.message or "not an RSS or Atom feed" in issue.message


def test_an_empty_feed_file(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "empty.xml"
    path.write_bytes(b"")
    (issue,) = read(path, ctx).issues
    assert (issue.code, issue.location) == (Code.EMPTY, str(path))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_url(ctx: ReadContext) -> None:
    url = f"http://127.0.0.1:{_free_port()}/feed.xml"
    out = read(url, ctx)
    assert out.docs == [] and out.validators == []
    (issue,) = out.issues
    assert (issue.code, issue.location) == (Code.FEED_UNREACHABLE, url)
    assert "cannot connect" in issue.message and "refused" in issue.message.lower()


class FeedServer:
    """A feed on 127.0.0.1 with an ETag and Last-Modified, honouring conditional GET."""

    etag = '"watch-v1"'
    last_modified = "Tue, 06 Aug 2024 08:00:00 GMT"

    def __init__(self) -> None:
        self.requests: list[dict[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append({k.lower(): v for k, v in self.headers.items()} | {"path": self.path})
                server.respond(self)

            def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
                return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        if handler.path == "/old-feed":
            handler.send_response(301)
            handler.send_header("Location", "/feed.xml")
            handler.end_headers()
        elif handler.path != "/feed.xml":
            handler.send_error(404, "Not Found")
        elif handler.headers.get("If-None-Match") == self.etag:
            handler.send_response(304)
            handler.end_headers()
        else:
            body = RSS.encode()
            handler.send_response(200)
            for key, value in (("Content-Type", "application/rss+xml"), ("Content-Length", str(len(body))),
                               ("ETag", self.etag), ("Last-Modified", self.last_modified)):
                handler.send_header(key, value)
            handler.end_headers()
            handler.wfile.write(body)


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(timeout=5)


class Cache:
    def __init__(self, saved: FeedValidators) -> None:
        self.saved = saved

    def get(self, url: str) -> FeedValidators | None:
        return self.saved if url == self.saved.url else None


def test_conditional_get(feed_server: FeedServer) -> None:
    url = feed_server.url + "/feed.xml"
    first = read(url, ReadContext(now=NOW, user_agent="forewarn-test/1"))
    assert [d.item for d in first.docs] == ["watch-1", "https://watch.example.org/2"]
    assert first.issues == []
    assert first.items[-1] == FeedValidators(url, FeedServer.etag, FeedServer.last_modified)
    assert all(d.location == url for d in first.docs)
    assert feed_server.requests[0]["user-agent"] == "forewarn-test/1"
    assert "if-none-match" not in feed_server.requests[0]

    second = read(url, ReadContext(now=NOW, validators=Cache(first.validators[0])))
    assert second.items == []
    assert feed_server.requests[1]["if-none-match"] == FeedServer.etag
    assert feed_server.requests[1]["if-modified-since"] == FeedServer.last_modified


def test_an_http_error_status(feed_server: FeedServer, ctx: ReadContext) -> None:
    url = feed_server.url + "/missing.xml"
    out = read(url, ctx)
    (issue,) = out.items
    assert (issue.code, issue.location) == (Code.FEED_UNREACHABLE, url)
    assert "404" in issue.message


def test_redirects_are_followed(feed_server: FeedServer, ctx: ReadContext) -> None:
    url = feed_server.url + "/old-feed"
    out = read(url, ctx)
    assert len(out.docs) == 2 and out.issues == []
    assert all(d.location == url for d in out.docs)
    assert out.validators == [FeedValidators(url, FeedServer.etag, FeedServer.last_modified)]


def test_a_feed_over_the_size_limit(feed_server: FeedServer) -> None:
    url = feed_server.url + "/feed.xml"
    (issue,) = read(url, ReadContext(now=NOW, max_bytes=200)).items
    assert (issue.code, issue.location) == (Code.TOO_LARGE, url)
    assert "the feed is" in issue.message


def test_a_server_that_never_answers_times_out() -> None:
    with socket.socket() as listener:  # accepts connections into its backlog, never replies
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
        (issue,) = read(url, ReadContext(now=NOW, http_timeout=0.2)).items
    assert (issue.code, issue.location) == (Code.FEED_UNREACHABLE, url)
    assert "timed out after 0.2 s" in issue.message
