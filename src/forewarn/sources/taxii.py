"""A TAXII 2.1 collection, polled like a feed (docs/import.md).

The location is the collection's URL (``https://host/api-root/collections/ID/``). Each run GETs its
``objects/`` with ``Accept: application/taxii+json;version=2.1``, following the envelope's ``more`` and
``next`` (or, from a server without ``next``, ``added_after`` = the page's ``X-TAXII-Date-Added-Last``)
for at most ``max_pages`` pages (reader option, default 100; the rest comes next run), and asks only for
what was added after the last run: the last ``X-TAXII-Date-Added-Last`` is kept as the collection URL's
``last_modified`` validator, saved with the documents, as the feed reader keeps its HTTP validators. The
objects of all pages are mapped together by :func:`~forewarn.sources.stix.bundle_items`.

Authentication (reader options): a bearer token from the environment variable ``token_env`` (default
``FOREWARN_TAXII_TOKEN``; none set: no authentication), or basic authentication as ``user`` with the
password from the environment variable ``password_env`` (default ``FOREWARN_TAXII_PASSWORD``). Credentials
go over https only (or to a loopback address), never follow a redirect, and never appear in an issue.
An HTTP error, a timeout or an answer that is not TAXII is one issue naming the URL and the status; the
run proceeds.
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

from forewarn.errors import Code, Issue, ItemError, Severity
from forewarn.model.source import FeedValidators
from forewarn.redact import redact_url
from forewarn.sources.base import ReadContext, ReadItem
from forewarn.sources.files import is_url, too_large
from forewarn.sources.jsonload import loads
from forewarn.sources.stix import bundle_items

READER = "taxii"
MEDIA_TYPE = "application/taxii+json;version=2.1"
TOKEN_ENV = "FOREWARN_TAXII_TOKEN"
PASSWORD_ENV = "FOREWARN_TAXII_PASSWORD"
DEFAULT_MAX_PAGES = 100
ADDED_LAST = "X-TAXII-Date-Added-Last"
_JSON_TYPES = ("application/taxii+json", "application/json", "application/stix+json")
_RETRY_HINT = "the next run tries again; check the URL and that the server is up"
_STATUS_HINTS: Mapping[int, str] = {
    401: "the server wants credentials: put a token in the environment variable named by the source's option "
         "token_env (default FOREWARN_TAXII_TOKEN), or give user= and the password's variable password_env",
    403: "these credentials may not read the collection: ask the server's administrator for read access",
    404: "check the collection URL (https://host/api-root/collections/ID/, as the server's discovery lists it)",
    406: "the server does not answer TAXII 2.1 (application/taxii+json;version=2.1): check the URL and version",
    416: "the server refused the page range; lower the option limit",
}


@dataclass(frozen=True, slots=True)
class Credentials:
    """The Authorization header to send (None: none), and the secret it holds, to keep out of messages."""

    header: str | None = field(default=None, repr=False)
    secret: str | None = field(default=None, repr=False)

    def scrub(self, text: str) -> str:
        return text.replace(self.secret, "***") if self.secret else text


@dataclass
class Poll:
    """What one run got from a collection: the objects of its pages, the last date-added seen, the
    issues met (an unreachable page ends the poll; the pages before it are kept)."""

    objects: list[Any] = field(default_factory=list)
    added_last: str | None = None
    issues: list[Issue] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Page:
    objects: list[Any]
    more: bool
    next: str | None
    added_last: str | None


class TaxiiReader:
    """Polls a TAXII 2.1 collection URL for the STIX objects added since the last run."""

    name = READER

    def read(self, location: str, ctx: ReadContext) -> Iterator[ReadItem]:
        if not is_url(location):
            yield Issue(Code.UNSUPPORTED_FORMAT, "the taxii reader polls a TAXII collection URL, not a file", location,
                        hint="give https://host/api-root/collections/ID/, or read a bundle file with kind stix")
            return
        if _holds_credentials(location):
            yield Issue(Code.CONFIG_INVALID, "the collection URL holds credentials (user:password@); nothing was "
                        "polled", redact_url(location), hint=CREDENTIALS_HINT)
            return
        creds = credentials(location, ctx.options)
        if isinstance(creds, Issue):
            yield creds
            return
        previous = ctx.validators.get(location)
        poll = poll_collection(location, ctx, creds, previous.last_modified if previous else None)
        yield from bundle_items(poll.objects, location, ctx, reader=READER)
        yield from poll.issues
        if poll.added_last is not None and poll.added_last != (previous.last_modified if previous else None):
            yield FeedValidators(location, None, poll.added_last)


CREDENTIALS_HINT = ("give the URL without them, the user as --option user=NAME and the password in an environment "
                    f"variable (--option password_env=NAME, default {PASSWORD_ENV})")


def _holds_credentials(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.username or parts.password)


def objects_url(collection: str) -> str:
    """The URL of a collection's objects endpoint."""
    return collection.rstrip("/") + "/objects/"


def credentials(url: str, options: Mapping[str, str]) -> Credentials | Issue:
    """The credentials the options name, read from the environment; an Issue when a named one is missing
    or would go over plain http."""
    user = options.get("user")
    if user:
        env = options.get("password_env", PASSWORD_ENV)
        password = os.environ.get(env)
        if not password:
            return _no_secret(url, f"no password in the environment variable {env} (for the user {user!r})")
        basic = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        return _checked(url, Credentials(f"Basic {basic}", password))
    env = options.get("token_env", TOKEN_ENV)
    token = os.environ.get(env)
    if token:
        return _checked(url, Credentials(f"Bearer {token}", token))
    if "token_env" in options:
        return _no_secret(url, f"no token in the environment variable {env}")
    return Credentials()


def _no_secret(url: str, why: str) -> Issue:
    return Issue(Code.CONFIG_INVALID, f"TAXII credentials missing: {why}", url,
                 hint="export the variable in forewarn's environment, or drop the option; nothing was polled")


def _checked(url: str, creds: Credentials) -> Credentials | Issue:
    """Refuse to send credentials in clear text, except to a loopback address."""
    parts = urlsplit(url)
    if parts.scheme.lower() == "https" or _loopback(parts.hostname or ""):
        return creds
    return Issue(Code.CONFIG_INVALID, "TAXII credentials would be sent over plain http: nothing was polled", url,
                 hint="use the server's https URL")


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def poll_collection(collection: str, ctx: ReadContext, creds: Credentials, added_after: str | None) -> Poll:
    """The objects added to a collection after ``added_after``, page by page."""
    poll = Poll(added_last=added_after)
    url = objects_url(collection)
    base = {"limit": ctx.options["limit"]} if ctx.options.get("limit") else {}
    params = base | ({"added_after": added_after} if added_after else {})
    headers = {"Accept": MEDIA_TYPE, "User-Agent": ctx.user_agent} | (
        {"Authorization": creds.header} if creds.header else {})
    with httpx.Client(timeout=ctx.http_timeout, headers=headers, follow_redirects=False) as client:
        for _ in range(_max_pages(ctx.options)):
            page = fetch_page(client, url, params, ctx, creds, collection)
            if isinstance(page, Issue):
                poll.issues.append(page)
                return poll
            poll.objects.extend(page.objects)
            poll.added_last = page.added_last or poll.added_last
            following = _following(page, params, base)
            if following is None:
                return poll
            params = following
    poll.issues.append(Issue(Code.FEED_UNREACHABLE, f"more than {_max_pages(ctx.options)} pages of new objects: the "
                             "rest is read next run", collection, hint="run the ingest again, or raise the option "
                             "max_pages", severity=Severity.WARNING))
    return poll


def _max_pages(options: Mapping[str, str]) -> int:
    value = options.get("max_pages", "")
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_MAX_PAGES


def _following(page: Page, params: Mapping[str, str], base: Mapping[str, str]) -> dict[str, str] | None:
    """The query of the next page (None: this was the last): ``next`` when the server gives one, else
    ``added_after`` moved on to the page's last date-added."""
    if not page.more:
        return None
    if page.next and page.next != params.get("next"):
        return {**params, "next": page.next}
    if page.added_last and page.added_last != params.get("added_after") and not page.next:
        return {**base, "added_after": page.added_last}
    return None  # a server that says "more" without a way to it: stop rather than loop


def fetch_page(client: httpx.Client, url: str, params: Mapping[str, str], ctx: ReadContext, creds: Credentials,
               collection: str) -> Page | Issue:
    """One page of a collection's objects, or the issue (about ``collection``) that stopped it."""
    try:
        with client.stream("GET", url, params=params) as response:
            return _page(collection, response, ctx.max_bytes)
    except ItemError as err:
        return err.issue(collection)
    except httpx.TimeoutException as err:
        return _unreachable(collection, f"timed out after {ctx.http_timeout:g} s ({type(err).__name__})",
                            _RETRY_HINT)
    except (httpx.HTTPError, httpx.InvalidURL) as err:
        return _unreachable(collection, creds.scrub(f"cannot connect: {err or type(err).__name__}"), _RETRY_HINT)


def _page(url: str, response: httpx.Response, limit: int) -> Page | Issue:
    if response.status_code != 200:
        return _status_issue(url, response)
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in _JSON_TYPES:
        return _not_taxii(url, f"the answer is {kind or 'of no type'}, not application/taxii+json")
    try:
        value = loads(_capped(response, limit).decode("utf-8-sig", errors="replace"))
    except json.JSONDecodeError as err:
        return _not_taxii(url, f"the answer is not JSON ({err.msg})")
    objects = value.get("objects", []) if isinstance(value, dict) else None
    if not isinstance(objects, list):
        return _not_taxii(url, "the answer is JSON but not a TAXII envelope ({\"objects\": [...]})")
    more, following = value.get("more") is True, value.get("next")
    return Page(objects, more, str(following) if following else None, response.headers.get(ADDED_LAST))


def _capped(response: httpx.Response, limit: int) -> bytes:
    """The body, decoded, refusing more than ``limit`` bytes of it."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(int(declared), limit, what="the TAXII page")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise too_large(size, limit, what="the TAXII page")
        chunks.append(chunk)
    return b"".join(chunks)


def _status_issue(url: str, response: httpx.Response) -> Issue:
    status = response.status_code
    reason = f"HTTP {status} {response.reason_phrase}".strip()
    if 300 <= status < 400:
        target = response.headers.get("location", "elsewhere")
        return _unreachable(url, f"the server answered {reason}, to {target}", "register the collection at the URL it "
                            "redirects to (credentials never follow a redirect)")
    return _unreachable(url, f"the server answered {reason}", _STATUS_HINTS.get(status, _RETRY_HINT))


def _unreachable(url: str, reason: str, hint: str) -> Issue:
    return Issue(Code.FEED_UNREACHABLE, f"TAXII collection unreachable: {reason}", url, hint=hint)


def _not_taxii(url: str, why: str) -> Issue:
    return Issue(Code.FEED_MALFORMED, f"not a TAXII 2.1 answer: {why}", url,
                 hint="check that the URL is a TAXII 2.1 collection (…/collections/ID/), not its web page")
