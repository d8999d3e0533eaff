"""The TAXII 2.1 source: a collection polled on a loopback server page by page (``more``/``next``), with
``added_after`` from the previous run, bearer and basic authentication whose secrets never show, and one issue
for each way a poll can fail."""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from reader_helpers import Output, collect, make_ctx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from serving import serving

from forewarn.app import Workspace
from forewarn.errors import Code, Severity
from forewarn.model import SourceKind
from forewarn.model.query import DocumentQuery
from forewarn.model.source import FeedValidators
from forewarn.sources import read
from forewarn.sources.taxii import ADDED_LAST, MEDIA_TYPE, TaxiiReader

TOKEN = "s3cret-t0ken-value"
PASSWORD = "pa55-w0rd-value"
COLLECTION = "/api1/collections/91a7b528-80eb-42ed-a74d-c6fbd5a26116/"
CREATED = "2024-08-01T08:00:00.000Z"


def report(n: int) -> dict[str, Any]:
    return {"type": "report", "spec_version": "2.1", "id": f"report--00000000-0000-4000-8000-{n:012d}",
            "created": CREATED, "modified": CREATED, "name": f"Report {n}", "description": f"Bulletin number {n}.",
            "published": CREATED, "report_types": ["threat-report"],
            "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]}


@dataclass
class Collection:
    """A TAXII collection on the fake server: its pages (objects, date added last), what it wants as the
    Authorization header, and every request it saw (query and headers)."""

    pages: list[tuple[list[Any], str]]
    authorization: str | None = f"Bearer {TOKEN}"
    with_next: bool = True  # False: a server that pages by added_after only
    requests: list[dict[str, Any]] = field(default_factory=list)

    def answer(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        after = query.get("added_after")
        index = int(query["next"]) if "next" in query else self._first_after(after)
        if index >= len(self.pages):
            return 200, {"Content-Type": MEDIA_TYPE}, b"{}"  # nothing new
        objects, added = self.pages[index]
        more = index + 1 < len(self.pages)
        envelope: dict[str, Any] = {"more": more, "objects": objects}
        if more and self.with_next:
            envelope["next"] = str(index + 1)
        return 200, {"Content-Type": MEDIA_TYPE, ADDED_LAST: added}, json.dumps(envelope).encode()

    def _first_after(self, after: str | None) -> int:
        return next((i for i, (_, added) in enumerate(self.pages) if after is None or added > after), len(self.pages))


def serve(collection: Collection,
          special: Callable[[BaseHTTPRequestHandler], bool] | None = None) -> AbstractContextManager[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            collection.requests.append({"path": parts.path, "query": query, "headers": dict(self.headers)})
            if special is not None and special(self):
                return
            if parts.path != COLLECTION + "objects/":
                self._send(404, {"Content-Type": "application/taxii+json;version=2.1"}, b'{"title": "no such"}')
            elif collection.authorization and self.headers.get("Authorization") != collection.authorization:
                self._send(401, {"Content-Type": MEDIA_TYPE}, b'{"title": "unauthorized"}')
            else:
                self._send(*collection.answer(query))

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return quick_server(Handler)


@contextmanager
def quick_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """reader_helpers.loopback_server, polling for shutdown every 20 ms (not 0.5 s): a test a few ms, not 0.6 s."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def three_pages() -> Collection:
    return Collection([([report(1), report(2)], "2024-08-01T10:00:00.000Z"),
                       ([report(3)], "2024-08-02T10:00:00.000Z"),
                       ([report(4)], "2024-08-03T10:00:00.000Z")])


class Cache:
    """Saved validators, as the ingest's store gives them to readers."""

    def __init__(self, *saved: FeedValidators) -> None:
        self.saved = {v.url: v for v in saved}

    def get(self, url: str) -> FeedValidators | None:
        return self.saved.get(url)


def poll(url: str, cache: Cache | None = None, **options: str) -> Output:
    ctx = make_ctx(options=options, validators=cache or Cache(), http_timeout=2.0)
    return collect(TaxiiReader().read(url, ctx))


def everything_said(out: Output) -> str:
    """Every issue, document and validator as text: where a secret must never appear."""
    return "\n".join([i.render() for i in out.issues] + [repr(d) for d in out.docs] + [repr(v) for v in out.validators])


def test_a_collection_is_read_page_by_page_with_its_token(three_pages: Collection,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_TAXII_TOKEN", TOKEN)
    with serve(three_pages) as base:
        url = base + COLLECTION
        out = poll(url)
    assert out.issues == []
    assert [d.title for d in out.docs] == ["Report 1", "Report 2", "Report 3", "Report 4"]
    assert {(d.reader, d.location, dict(d.meta)["marking"]) for d in out.docs} == {("taxii", url, "TLP:AMBER")}
    assert out.validators == [FeedValidators(url, None, "2024-08-03T10:00:00.000Z")]
    assert [r["query"] for r in three_pages.requests] == [{}, {"next": "1"}, {"next": "2"}]
    first = three_pages.requests[0]["headers"]
    assert first["Accept"] == MEDIA_TYPE and first["Authorization"] == f"Bearer {TOKEN}"


def test_the_next_poll_asks_only_for_what_was_added_after_the_last(three_pages: Collection,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_TAXII_TOKEN", TOKEN)
    with serve(three_pages) as base:
        url = base + COLLECTION
        out = poll(url, Cache(FeedValidators(url, None, "2024-08-02T10:00:00.000Z")))
        nothing = poll(url, Cache(FeedValidators(url, None, "2024-08-03T10:00:00.000Z")))
    assert [d.title for d in out.docs] == ["Report 4"] and out.issues == []
    assert three_pages.requests[0]["query"] == {"added_after": "2024-08-02T10:00:00.000Z"}
    assert nothing.items == []  # nothing new: no documents, and the validator is unchanged


def test_a_server_without_next_is_paged_by_added_after(three_pages: Collection,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_TAXII_TOKEN", TOKEN)
    three_pages.with_next = False
    with serve(three_pages) as base:
        out = poll(base + COLLECTION, limit="2")
    assert len(out.docs) == 4 and out.issues == []
    assert [r["query"] for r in three_pages.requests] == [
        {"limit": "2"}, {"limit": "2", "added_after": "2024-08-01T10:00:00.000Z"},
        {"limit": "2", "added_after": "2024-08-02T10:00:00.000Z"}]


def test_at_most_max_pages_are_read_and_the_rest_next_run(three_pages: Collection,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_TAXII_TOKEN", TOKEN)
    with serve(three_pages) as base:
        out = poll(base + COLLECTION, max_pages="2")
    assert len(out.docs) == 3 and [(i.code, i.severity) for i in out.issues] == [
        (Code.FEED_UNREACHABLE, Severity.WARNING)]
    assert out.validators[0].last_modified == "2024-08-02T10:00:00.000Z"  # the next run goes on from there


def test_basic_authentication_reads_the_password_from_the_environment(three_pages: Collection,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNER_PASSWORD", PASSWORD)
    three_pages.authorization = "Basic " + base64.b64encode(f"analyst:{PASSWORD}".encode()).decode()
    with serve(three_pages) as base:
        out = poll(base + COLLECTION, user="analyst", password_env="PARTNER_PASSWORD")
    assert len(out.docs) == 4 and out.issues == []
    assert PASSWORD not in everything_said(out)


def test_a_wrong_token_is_one_issue_that_never_shows_the_token(three_pages: Collection,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_TAXII_TOKEN", "wrong-" + TOKEN)
    with serve(three_pages) as base:
        url = base + COLLECTION
        out = poll(url)
    [issue] = out.issues
    assert issue.code is Code.FEED_UNREACHABLE and issue.location == url
    assert "HTTP 401" in issue.message and "token_env" in issue.hint
    assert TOKEN not in everything_said(out) and out.docs == [] and out.validators == []


def test_a_named_secret_missing_from_the_environment_is_an_issue_and_nothing_is_sent(
        three_pages: Collection, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARTNER_TOKEN", raising=False)
    with serve(three_pages) as base:
        out = poll(base + COLLECTION, token_env="PARTNER_TOKEN")
    assert [i.code for i in out.issues] == [Code.CONFIG_INVALID] and "PARTNER_TOKEN" in out.issues[0].message
    assert three_pages.requests == []


def test_credentials_never_go_over_plain_http_to_another_host(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOREWARN_TAXII_TOKEN", TOKEN)
    out = poll("http://taxii.example.invalid" + COLLECTION)  # refused before any request
    assert [i.code for i in out.issues] == [Code.CONFIG_INVALID] and "https" in out.issues[0].hint
    assert TOKEN not in everything_said(out)


def test_a_url_holding_credentials_is_refused_and_never_shown(three_pages: Collection) -> None:
    with serve(three_pages) as base:
        out = poll(base.replace("http://", "http://partner:s3cret-pass@") + COLLECTION)
    assert [i.code for i in out.issues] == [Code.CONFIG_INVALID] and "password_env" in out.issues[0].hint
    assert "s3cret-pass" not in everything_said(out) and three_pages.requests == []


def test_without_a_token_no_authorization_is_sent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOREWARN_TAXII_TOKEN", raising=False)
    open_collection = Collection([([report(1)], "2024-08-01T10:00:00.000Z")], authorization=None)
    with serve(open_collection) as base:
        out = poll(base + COLLECTION)
    assert len(out.docs) == 1 and "Authorization" not in open_collection.requests[0]["headers"]


def _html(handler: BaseHTTPRequestHandler) -> bool:
    body = b"<html><body>Log in</body></html>"
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
    return True


def _slow(handler: BaseHTTPRequestHandler) -> bool:
    time.sleep(1.0)
    return False


def _redirect(handler: BaseHTTPRequestHandler) -> bool:
    handler.send_response(302)
    handler.send_header("Location", "https://elsewhere.example/taxii/")
    handler.send_header("Content-Length", "0")
    handler.end_headers()
    return True


@pytest.mark.parametrize(("special", "path", "code", "words"), [
    (None, "/api1/collections/unknown/", Code.FEED_UNREACHABLE, "HTTP 404"),
    (_html, COLLECTION, Code.FEED_MALFORMED, "text/html"),
    (_redirect, COLLECTION, Code.FEED_UNREACHABLE, "HTTP 302"),
], ids=["not-found", "not-taxii", "redirect"])
def test_a_failed_poll_is_one_issue_naming_the_url_and_status(
        monkeypatch: pytest.MonkeyPatch, special: Callable[[BaseHTTPRequestHandler], bool] | None, path: str,
        code: Code, words: str) -> None:
    monkeypatch.setenv("FOREWARN_TAXII_TOKEN", TOKEN)
    collection = Collection([([report(1)], "2024-08-01T10:00:00.000Z")])
    with serve(collection, special) as base:
        out = poll(base + path)
    [issue] = out.issues
    assert (issue.code, issue.location) == (code, base + path) and words in issue.message
    assert issue.hint and TOKEN not in everything_said(out) and out.docs == []
    assert len(collection.requests) == 1  # a redirect is not followed: the token stays here


def test_a_timeout_is_one_issue_and_the_run_proceeds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FOREWARN_TAXII_TOKEN", TOKEN)
    collection = Collection([([report(1)], "2024-08-01T10:00:00.000Z")])
    with serve(collection, _slow) as base:
        ctx = make_ctx(http_timeout=0.2)
        out = collect(TaxiiReader().read(base + COLLECTION, ctx))
    assert [i.code for i in out.issues] == [Code.FEED_UNREACHABLE] and "timed out" in out.issues[0].message


def test_a_file_is_not_a_collection() -> None:
    out = collect(read("/tmp", SourceKind.TAXII, make_ctx()))
    assert [i.code for i in out.issues] == [Code.UNSUPPORTED_FORMAT]


def test_polling_through_a_workspace_twice_adds_nothing_and_asks_for_what_is_new(
        three_pages: Collection, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        make_workspace: Callable[..., Workspace]) -> None:
    monkeypatch.setenv("FOREWARN_TAXII_TOKEN", TOKEN)
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}")
    with serve(three_pages) as base:
        url = base + COLLECTION
        first = ws.intake.ingest([url], kind=SourceKind.TAXII)
        again = ws.intake.ingest([url], kind=SourceKind.TAXII)
    assert (first.new, first.failed) == (4, 0)
    assert (again.new, again.duplicate, again.failed) == (0, 0, 0)
    assert three_pages.requests[-1]["query"] == {"added_after": "2024-08-03T10:00:00.000Z"}
    assert ws.reads.stats()["documents"] == 4


# -- forewarn polling forewarn ----------------------------------------------------------------------------------


def test_forewarn_polls_the_open_collection_of_another_forewarn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_workspace: Callable[..., Workspace]) -> None:
    """Interoperability: workspace A serves TAXII (docs/taxii.md); workspace B polls A's open collection in pages
    of two objects, with basic authentication (an API token as the password), and gets A's open documents and
    their located events; a second poll adds nothing; A's AMBER holding never arrives."""
    for folder in ("web", "detect"):
        monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[1] / folder))
    support = pytest.importorskip("compartment_support")
    taxii_reads = pytest.importorskip("forewarn.reads.taxii")
    from argon2 import PasswordHasher
    from hand_support import file_source

    from forewarn import accounts

    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    served = make_workspace(f"sqlite:///{tmp_path / 'a.db'}")
    support.add_people(served)
    held = [h for h in support.HOLDINGS if h.key in ("clr", "grn", "amn")]
    for h in held:
        file_source(served, tmp_path / f"inbox-{h.key}", f"{h.key}.txt", title=h.title, day=support.DAY,
                    text=h.text, source_id=h.source_id, source_name=f"Source {h.key}", marking=h.marking, team=h.team)
    by_title = {h.title: h for h in held}
    served.store.save_extractions(
        [support.extraction(d, served.store.get_document(d).text, by_title[served.store.get_document(d).title or ""])
         for d in served.store.documents_needing_extraction()], support.NOW)
    monkeypatch.setenv("PEER_TOKEN", served.accounts.create_token("nora", "peer", actor="setup")[1])
    polling = make_workspace(f"sqlite:///{tmp_path / 'b.db'}")
    options = {"user": "nora", "password_env": "PEER_TOKEN", "limit": "2"}
    with serving(served) as url:
        collection = f"{url}/taxii2/api/collections/{taxii_reads.collection_id('open')}/"
        first = polling.intake.ingest([collection], kind=SourceKind.TAXII, options=options)
        again = polling.intake.ingest([collection], kind=SourceKind.TAXII, options=options)
    assert first.failed == 0 and first.issues == ()
    docs, _ = polling.reads.documents(DocumentQuery())
    kinds = {d.title: dict(d.meta)["stix.type"] for d in docs if d.observation is None}
    assert kinds == {"TITLE-CLR-canary": "report", "TITLE-GRN-canary": "report",
                     "Canary Clearov (assert)": "note", "Canary Greenko (assert)": "note"}  # the claims
    reports = {d.title: d for d in docs}
    located = [d.observation for d in docs if d.observation is not None]
    assert sorted((o.place, o.lat, o.type, o.actor) for o in located) == [
        ("Clearfield Alpha", 51.6011, "MOBILIZE", "Canary Clearov"),
        ("Greenford Beta", 51.6389, "MOBILIZE", "Canary Greenko")]
    assert not any("CANARY-AMN" in d.text for d in docs)
    assert {d.marking for d in docs} == {"TLP:CLEAR", "TLP:GREEN"}
    assert reports["TITLE-GRN-canary"].marking == "TLP:GREEN"
    assert (again.new, again.failed) == (0, 0)
