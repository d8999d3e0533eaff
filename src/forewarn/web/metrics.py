"""The workbench's operations endpoints (docs/deploy.md):

- ``GET /healthz``: 200 ``{"status": "ok", "database": "ok"}`` when the workspace store answers a query, 503
  with the reason when it does not. No authentication and nothing else: it is what a load balancer or a compose
  healthcheck calls.
- ``GET /metrics``: Prometheus's text format (version 0.0.4) from a registry of the app's own: the store's figures
  (:class:`forewarn.watch.StoreGauges`, read at each scrape) and this process's requests (a counter by method and
  status class, a histogram of seconds). For any account, of any role: a scraper sends an API token
  (``Authorization: Bearer fwt_…``; a logged-in browser's session works too); anonymous callers get 401. Only
  counts leave, and every label value is a fixed word (no source, scenario or account name).
"""

from __future__ import annotations

import time

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from forewarn.app import Workspace
from forewarn.errors import Code, ForewarnError, Unauthenticated
from forewarn.watch import StoreGauges
from forewarn.web import problems
from forewarn.web.auth import optional_principal, root

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # others count as "other"
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CHALLENGE = 'Bearer realm="forewarn metrics"'

router = APIRouter(include_in_schema=False)


def install(app: FastAPI, workspace: Workspace) -> None:
    """Add ``/healthz``, ``/metrics`` and the request counting (outermost: every answer is counted)."""
    registry = CollectorRegistry()
    registry.register(StoreGauges(lambda: workspace.health.figures(workspace.clock())))
    app.state.metrics = registry
    requests = Counter("forewarn_http_requests", "Requests answered, by method and status class.",
                       ["method", "status"], registry=registry)
    seconds = Histogram("forewarn_http_request_seconds", "Seconds from a request to the end of its answer.",
                        buckets=SECONDS_BUCKETS, registry=registry)
    app.add_middleware(RequestMetrics, requests=requests, seconds=seconds)
    app.include_router(router)


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    try:
        root(request).health.ping()
    except ForewarnError as error:  # the reason only: the driver's message may name the database's host
        return JSONResponse({"status": "unavailable", "database": "unreachable", "code": error.code.value}, 503)
    return JSONResponse({"status": "ok", "database": "ok"})


@router.get("/metrics")
def metrics(request: Request) -> Response:
    try:
        if optional_principal(request) is None:
            raise Unauthenticated("send an API token: Authorization: Bearer fwt_…",
                                  hint="create one with `forewarn token create ACCOUNT --name metrics`")
    except Unauthenticated as error:  # a 401 with its challenge (a page would send a browser to the login form)
        body = problems.problem(Code.UNAUTHENTICATED, error.message, hint=error.hint, instance=request.url.path)
        return JSONResponse(body, status_code=401, media_type=problems.PROBLEM,
                            headers={"WWW-Authenticate": CHALLENGE})
    registry: CollectorRegistry = request.app.state.metrics
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_PLAIN_0_0_4)


class RequestMetrics:
    """Counts every request (by method and status class: 2xx, 4xx, …) and the seconds until its answer ended."""

    def __init__(self, app: ASGIApp, requests: Counter, seconds: Histogram) -> None:
        self.app, self.requests, self.seconds = app, requests, seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500  # an exception that escapes is answered 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "other"
            self.requests.labels(method, f"{status // 100}xx").inc()
            self.seconds.observe(time.perf_counter() - start)
