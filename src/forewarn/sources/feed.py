"""RSS 2.0 and Atom feeds, from a file or an http(s) URL.

URLs are fetched here with httpx (feedparser never fetches anything itself) with a
conditional GET: the validators saved from the last fetch are sent as If-None-Match /
If-Modified-Since; a 304 yields nothing at all. The body is read in bounded chunks, and a
compressed one (Content-Encoding gzip or deflate, or a ``.gz`` file as the body) is decompressed
within ``max_bytes``: a body that expands past it is ``TOO_LARGE`` with its compressed size.
After a 200 whose feed has entries, the last item yielded is a :class:`FeedValidators`, which
the ingest saves with those entries.

Each entry is one document: its text is the entry's content (or summary) with HTML turned to
plain text, paragraph breaks kept; an entry with only a title gets the title as text.
``raw_sha256`` is the SHA-256 of the entry as feedparser parsed it, re-serialised as JSON with
sorted keys (a feed has no stable per-entry bytes).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import feedparser
import httpx

from forewarn.errors import Code, Issue, ItemError, Severity
from forewarn.model.document import RawDocument
from forewarn.model.source import FeedValidators
from forewarn.sources.base import ReadContext, ReadItem
from forewarn.sources.dates import resolve_date
from forewarn.sources.files import expand, is_url, load, sha256_hex, too_large
from forewarn.sources.html import headed, html_to_text
from forewarn.sources.inflate import GZIP_MAGIC, inflate

FEED_SUFFIXES = frozenset({".xml", ".rss", ".atom"})
_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
_UNREACHABLE_HINT = "check the URL and the network; the next run tries again"
_COMPRESSED = frozenset({"gzip", "x-gzip", "deflate"})
_ENCODINGS = _COMPRESSED | {"", "identity"}


@dataclass(frozen=True, slots=True)
class Fetched:
    """A feed body fetched with a 200, and its cache validators."""

    content: bytes
    headers: Mapping[str, str]
    validators: FeedValidators


class FeedReader:
    name = "feed"

    def read(self, location: str, ctx: ReadContext) -> Iterator[ReadItem]:
        if is_url(location):
            yield from self._read_url(location, ctx)
            return
        for found in expand(location, FEED_SUFFIXES, ctx):
            data = found if isinstance(found, Issue) else load(found, ctx.max_bytes)
            if isinstance(data, Issue):
                yield data
            elif not data.strip():
                yield Issue(Code.EMPTY, "the feed file is empty", str(found),
                            hint="nothing to ingest; remove the file or fill it")
            else:
                yield from feed_items(parse_bytes(data), str(found), ctx)

    def _read_url(self, url: str, ctx: ReadContext) -> Iterator[ReadItem]:
        fetched = fetch(url, ctx)
        if isinstance(fetched, Issue):
            yield fetched
        if not isinstance(fetched, Fetched):
            return
        parsed = parse_bytes(fetched.content, fetched.headers)
        yield from feed_items(parsed, url, ctx)
        if parsed.entries:
            yield fetched.validators


def fetch(url: str, ctx: ReadContext) -> Fetched | Issue | None:
    """GET a feed; None for 304 Not Modified, an Issue when it cannot be had."""
    try:
        with httpx.Client(timeout=ctx.http_timeout, follow_redirects=True,
                          headers=request_headers(url, ctx)) as client, client.stream("GET", url) as response:
            return _response(url, response, ctx.max_bytes)
    except ItemError as err:
        return err.issue(url)
    except httpx.TimeoutException as err:
        return _unreachable(url, f"timed out after {ctx.http_timeout:g} s ({type(err).__name__})")
    except httpx.HTTPError as err:
        return _unreachable(url, f"cannot connect: {err or type(err).__name__}")
    except httpx.InvalidURL as err:
        return _unreachable(url, f"invalid URL: {err}")


def request_headers(url: str, ctx: ReadContext) -> dict[str, str]:
    headers = {"User-Agent": ctx.user_agent, "Accept": _ACCEPT, "Accept-Encoding": "gzip, deflate"}
    cached = ctx.validators.get(url)
    if cached is not None and cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached is not None and cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    return headers


def _response(url: str, response: httpx.Response, limit: int) -> Fetched | Issue | None:
    if response.status_code == 304:
        return None
    if not response.is_success:
        reason = f"HTTP {response.status_code} {response.reason_phrase}".strip()
        return _unreachable(url, f"the server answered {reason}")
    content = _capped_body(response, limit)
    validators = FeedValidators(url, response.headers.get("etag"), response.headers.get("last-modified"))
    headers = {"content-type": response.headers.get("content-type", ""),
               "content-location": str(response.url)}
    return Fetched(content, headers, validators)


def _capped_body(response: httpx.Response, limit: int) -> bytes:
    """The body, read in bounded chunks and decompressed within ``limit`` (Content-Encoding gzip
    or deflate, or a gzip file served as the body); raises ItemError when it cannot be had."""
    declared = _content_length(response)
    if declared > limit:
        raise too_large(declared, limit, what="the feed")
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding not in _ENCODINGS:
        raise ItemError(Code.FEED_UNREACHABLE, f"the server sent the feed with Content-Encoding {encoding!r}, "
                        "which forewarn does not decode", hint="tell the publisher: forewarn asks for gzip or "
                        "deflate only")
    raw = _capped_raw(response, limit)
    body = inflate(raw, limit, what="the feed", declared=declared) if encoding in _COMPRESSED else b"".join(raw)
    return inflate([body], limit, what="the feed", declared=len(body)) if body.startswith(GZIP_MAGIC) else body


def _content_length(response: httpx.Response) -> int:
    try:
        return int(response.headers.get("content-length") or 0)
    except ValueError:
        return 0  # a malformed header: the body is capped as it is read anyway


def _capped_raw(response: httpx.Response, limit: int) -> Iterator[bytes]:
    """The body's bytes as sent (still compressed), refusing more than ``limit`` of them."""
    size = 0
    for chunk in response.iter_raw():
        size += len(chunk)
        if size > limit:
            raise too_large(size, limit, what="the feed")
        yield chunk


def _unreachable(url: str, reason: str) -> Issue:
    return Issue(Code.FEED_UNREACHABLE, f"feed unreachable: {reason}", url, hint=_UNREACHABLE_HINT)


def parse_bytes(data: bytes, headers: Mapping[str, str] | None = None) -> Any:
    """feedparser's result for a feed given as bytes (wrapped in a stream: a bytes argument
    could be taken for a file name, a str for a URL to fetch)."""
    return feedparser.parse(io.BytesIO(data), response_headers=dict(headers or {}), sanitize_html=True)


def feed_items(parsed: Any, location: str, ctx: ReadContext) -> Iterator[ReadItem]:
    """Documents (and issues) of a parsed feed."""
    problem = _malformed(parsed, location, len(parsed.entries))
    if problem is not None:
        yield problem
    language = dict.get(parsed.feed, "language")
    for index, entry in enumerate(parsed.entries, start=1):
        yield from entry_items(entry, index, location, ctx, language)


def _malformed(parsed: Any, location: str, count: int) -> Issue | None:
    if count and parsed.bozo:
        return Issue(Code.FEED_MALFORMED, f"the feed is malformed ({_reason(parsed)}); {count} entries "
                     "were recovered", location, hint="check that no entry is missing or cut; tell the "
                     "publisher", severity=Severity.WARNING)
    if count:
        return None
    if parsed.bozo:
        return Issue(Code.FEED_MALFORMED, f"the feed cannot be parsed: {_reason(parsed)}", location,
                     hint="check that the file or URL is an RSS or Atom feed and is complete")
    if not dict.get(parsed, "version"):
        return Issue(Code.FEED_MALFORMED, "this is not an RSS or Atom feed (no channel or feed element)",
                     location, hint="check the file or URL; read web pages with kind html")
    return None


def _reason(parsed: Any) -> str:
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "not well-formed"


def entry_items(entry: Mapping[str, Any], index: int, location: str, ctx: ReadContext,
                language: str | None = None) -> Iterator[ReadItem]:
    """One entry: a document plus its date warning, or a NO_TEXT issue."""
    item = _get(entry, "id") or _get(entry, "link") or f"entry {index}"
    title = html_to_text(_get(entry, "title") or "") or None
    body = entry_text(entry)
    text = headed(title, body) if body else title
    if not text:
        yield Issue(Code.NO_TEXT, "the entry has neither text nor a title", location, item,
                    hint="nothing to ingest in this entry; no action needed unless it recurs")
        return
    date = resolve_date(_get(entry, "published") or _get(entry, "updated"), ctx.now, location, item)
    author = (("author", _get(entry, "author")),) if _get(entry, "author") else ()
    yield RawDocument(text=text, location=location, reader="feed", raw_sha256=_entry_sha(entry), item=item,
                      title=title, url=_get(entry, "link") or None, published_at=date.published_at,
                      published_precision=date.precision, language=_language(entry) or language,
                      meta=author + date.meta)
    if date.issue is not None:
        yield date.issue


def entry_text(entry: Mapping[str, Any]) -> str:
    """Plain text of an entry's content, else of its summary."""
    contents = [part for part in (_get(entry, "content") or []) if isinstance(part, Mapping)]
    html = "\n\n".join(str(part.get("value") or "") for part in contents)
    return html_to_text(html) or html_to_text(_get(entry, "summary") or "")


def _language(entry: Mapping[str, Any]) -> str | None:
    for part in _get(entry, "content") or []:
        if isinstance(part, Mapping) and part.get("language"):
            return str(part["language"])
    return None


def _get(entry: Mapping[str, Any], key: str) -> Any:
    """Plain dict access: feedparser's own ``get`` remaps keys and warns."""
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _entry_sha(entry: Mapping[str, Any]) -> str:
    serialised = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str)
    return sha256_hex(serialised.encode("utf-8"))
