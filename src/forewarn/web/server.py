"""The application: routers, static assets, error handlers, security headers (with
``Cache-Control: no-store`` on everything but the static assets: pages and API answers carry the
caller's data), request body limits and server timing."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forewarn import __version__
from forewarn.app import Workspace
from forewarn.errors import Code, ForewarnError, UnstorableValue
from forewarn.web import metrics, openapi, problems, taxii
from forewarn.web.auth import LoginLimiter
from forewarn.web.guard import BodyGuard, BodyLimits

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("forewarn.web")
# the page may load nothing from anywhere but its own origin, and run no inline script
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"), (b"x-frame-options", b"DENY"),
                    (b"cross-origin-opener-policy", b"same-origin")]
NO_STORE = (b"cache-control", b"no-store")  # nothing with a user's data may be kept by a browser or proxy
PAGE_HEADERS = [*SECURITY_HEADERS, NO_STORE]
STATIC_PREFIX = "/static/"


class ServerTiming:
    """Adds ``Server-Timing: app;dur=…`` (milliseconds until the response starts) and the security
    headers to every response (``Cache-Control: no-store`` to all but static assets); benchmarks read
    the timing from it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        added = headers_for(scope.get("path", ""))
        if b"%00" in scope.get("query_string", b"") or "\x00" in scope.get("path", ""):
            await _refuse_nul(scope, receive, send)
            return

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                ms = (time.perf_counter() - start) * 1000
                headers = [h for h in message.get("headers", []) if h[0] not in {k for k, _ in added}]
                message["headers"] = [*headers, *added, (b"server-timing", f"app;dur={ms:.1f}".encode())]
            await send(message)

        await self.app(scope, receive, timed)


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    """The security headers, and no-store unless the path is a static asset (the same for everyone)."""
    return SECURITY_HEADERS if path.startswith(STATIC_PREFIX) else PAGE_HEADERS


async def _refuse_nul(scope: Scope, receive: Receive, send: Send) -> None:
    """A NUL character in the path or query: no text column can hold one (PostgreSQL refuses it),
    so the request is refused as malformed before any endpoint sees it."""
    body = problems.problem(Code.INVALID_ARGUMENT, "the URL contains a NUL character (%00)",
                            hint="remove it; no name, id or filter contains one", instance=scope.get("path", ""))
    response = JSONResponse(body, status_code=422, media_type=problems.PROBLEM,
                            headers={k.decode(): v.decode() for k, v in headers_for(scope.get("path", ""))})
    await response(scope, receive, send)


def create_app(workspace: Workspace, *, login_clock: Callable[[], float] = time.monotonic) -> FastAPI:
    """The workbench over ``workspace`` (kept open for the app's life; the caller closes it)."""
    from forewarn.web.api import router as api_router
    from forewarn.web.pages import router as pages_router

    # no Swagger/ReDoc pages: they load their scripts from a CDN
    app = FastAPI(title="forewarn", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json",
                  description="The forewarn workbench API. Authenticate with `Authorization: Bearer <token>` "
                              "(`forewarn token create`). Errors are RFC 9457 problem documents whose `code` is "
                              "the stable forewarn error code.")
    app.state.workspace = workspace
    app.state.login_limiter = LoginLimiter(workspace.settings.login_attempts, clock=login_clock,
                                           per_address=workspace.settings.login_attempts_per_address)
    handlers: dict[Any, Any] = {ForewarnError: problems.forewarn_error,
                                RequestValidationError: problems.validation_error,
                                StarletteHTTPException: problems.http_error, UnstorableValue: problems.data_error,
                                Exception: problems.internal_error}
    for exc, handler in handlers.items():
        app.add_exception_handler(exc, handler)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount(taxii.PREFIX, taxii.taxii_app(workspace))  # the TAXII 2.1 server (docs/taxii.md)
    app.include_router(api_router)
    app.include_router(pages_router)
    openapi.install(app)
    app.add_middleware(BodyGuard, limits=BodyLimits.of(workspace.settings))  # inside: its answers get the headers
    app.add_middleware(ServerTiming)
    metrics.install(app, workspace)  # /healthz, /metrics (Prometheus) and the request counts (docs/deploy.md)
    return app
