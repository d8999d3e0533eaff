"""Request bodies, guarded before the application reads them (a pure ASGI middleware).

- **Who first.** A POST, PUT, PATCH or DELETE that carries a body (``Content-Length`` above 0, or a
  chunked one) on a route that needs an account is authenticated before a byte of its body is
  read: without a valid session or token it is answered 401 (FW-E100) at once, whatever it was
  sending. (No other method's body is ever read.)
- **How much.** Every route has a body limit: ``web_max_body`` for the JSON and form actions, and
  for the routes that take a posted document (``/api/v1/documents``, ``/documents``) the largest
  text allowed (``max_bytes`` characters, at most 4 bytes each in UTF-8) plus ``web_max_body`` for
  the rest of the envelope. A declared ``Content-Length`` over the limit is refused up front; a
  chunked body is counted as it arrives and refused as soon as it passes the limit. Either way
  the answer is 413, a problem document with FW-E105, and the server never holds more than the
  limit of one request's body.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forewarn.config import Settings
from forewarn.errors import Code, ForewarnError, Unauthenticated
from forewarn.web import problems
from forewarn.web.auth import optional_principal

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})  # no other method's body is ever read
PUBLIC_BODY_ROUTES = frozenset({("POST", "/login")})  # the only body a stranger may send
DOCUMENT_ROUTES = frozenset({("POST", "/api/v1/documents"), ("POST", "/documents")})
UNREAD_PREFIXES = ("/taxii2/",)  # read-only TAXII: its 401/403 answers to a write never read the body
UTF8_MAX = 4  # bytes per character, at most


@dataclass(frozen=True)
class BodyLimits:
    action: int  # bytes, for every route but the posted-document ones
    document: int

    @classmethod
    def of(cls, settings: Settings) -> BodyLimits:
        return cls(settings.web_max_body, UTF8_MAX * settings.max_bytes + settings.web_max_body)

    def route(self, method: str, path: str) -> int:
        return self.document if (method, path.rstrip("/") or "/") in DOCUMENT_ROUTES else self.action

    def setting(self, method: str, path: str) -> str:
        return "the max_bytes and web_max_body settings" if self.route(method, path) == self.document \
            else "the web_max_body setting"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def declared_length(scope: Scope) -> int | None:
    """The ``Content-Length`` the client declared (None: none, or not a number)."""
    raw = _header(scope, b"content-length")
    return int(raw) if raw is not None and raw.strip().isdigit() else None


def has_body(scope: Scope) -> bool:
    length = declared_length(scope)
    return bool(length) or _header(scope, b"transfer-encoding") is not None


class BodyGuard:
    """See the module: authenticate, then read at most the route's limit."""

    def __init__(self, app: ASGIApp, limits: BodyLimits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["method"] not in BODY_METHODS or not has_body(scope)
                or scope["path"].startswith(UNREAD_PREFIXES)):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        if (method, path) not in PUBLIC_BODY_ROUTES and (refusal := await _stranger(scope)) is not None:
            await _answer(scope, refusal, send)
            return
        limit = self.limits.route(method, path)
        declared = declared_length(scope)
        if declared is not None and declared > limit:
            await _answer(scope, self._too_large(scope, limit, declared), send)
            return
        await _Metered(self, scope, receive, send, limit).run()

    def _too_large(self, scope: Scope, limit: int, seen: int) -> dict[str, object]:
        what = f"at least {seen:,}" if declared_length(scope) is None else f"{seen:,}"
        return problems.problem(
            Code.REQUEST_TOO_LARGE, f"the request body is {what} bytes; {scope['path']} accepts at most {limit:,}",
            status=413, instance=scope["path"],
            hint=f"send less (the limit comes from {self.limits.setting(scope['method'], scope['path'])}); a "
                 "large file is better ingested with `forewarn ingest`")


class _Metered:
    """One request passed to the app with its body counted; past the limit the client gets a 413
    and the app a disconnect (what it would send then is dropped)."""

    def __init__(self, guard: BodyGuard, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        self.guard, self.scope, self.receive, self.send, self.limit = guard, scope, receive, send, limit
        self.seen, self.started, self.refused = 0, False, False

    async def run(self) -> None:
        try:
            await self.guard.app(self.scope, self.counted, self.passed)
        except Exception:
            if not self.refused:  # the app's own failure: the server's error handling sees it
                raise
            # the app stopped reading a body we cut off: nothing more to say to the client

    async def counted(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self.receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                await self._refuse()
                return {"type": "http.disconnect"}
        return message

    async def passed(self, message: Message) -> None:
        if self.refused:
            return
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)

    async def _refuse(self) -> None:
        self.refused = True
        if not self.started:
            await _answer(self.scope, self.guard._too_large(self.scope, self.limit, self.seen), self.send)


async def _stranger(scope: Scope) -> dict[str, object] | None:
    """The 401 problem for a request without a valid session or token; None for an account's."""
    request = Request(scope)
    try:
        principal = await run_in_threadpool(optional_principal, request)
    except ForewarnError as bad:  # a bad, revoked or expired token is refused, not ignored
        return problems.problem(bad.code, bad.message, hint=bad.hint, instance=scope["path"])
    if principal is not None:
        return None
    none = Unauthenticated("log in first (or send an API token: Authorization: Bearer fwt_…)")
    return problems.problem(none.code, none.message, instance=scope["path"])


async def _answer(scope: Scope, body: dict[str, object], send: Send) -> None:
    """Send a problem (a page for page routes) without reading the request's body."""
    response: Response = await run_in_threadpool(problems.problem_response, Request(scope), body, None)
    await response(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}

