"""Errors as RFC 9457 problem documents (``application/problem+json``) carrying the same stable
codes as the command line; pages get the same content as an HTML page."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from forewarn.errors import DESCRIPTIONS, Code, ForewarnError, RateLimited

PROBLEM = "application/problem+json"
STATUS: dict[Code, int] = {
    Code.NOT_FOUND: 404,
    Code.ALREADY_EXISTS: 409,
    Code.WARNING_STATE: 409,
    Code.HANDOVER_STATE: 409,
    Code.QUESTION_STATE: 409,
    Code.ENTITY_CONFLICT: 409,
    Code.UNAUTHENTICATED: 401,
    Code.FORBIDDEN: 403,
    Code.CSRF_REFUSED: 403,
    Code.RATE_LIMITED: 429,
    Code.DATABASE_UNAVAILABLE: 503,
    Code.LEDGER_APPEND_REFUSED: 409,
    Code.CLOCK_BACKWARDS: 409,
    Code.DELIVERY_FAILED: 502,
    Code.REQUEST_TOO_LARGE: 413,
}  # every other code is a problem with the request: 422


# what a not-found names ("no warning 12", "scenario 'x' is not in this workspace"): the longest first
KINDS = ("roster entry", "entity merge", "error code", "anchor file", "ingest run", "notification", "handover",
         "warning", "scenario", "document", "event", "entity", "run", "source", "account", "token", "alias", "page",
         "operation")
_KIND = re.compile(r"\b(" + "|".join(KINDS) + r")s?\b")
# the codes' descriptions speak of the command line; on the web they read so
WEB_TITLES = {Code.INVALID_ARGUMENT: "The request is malformed"}


def type_uri(code: Code) -> str:
    return f"/api/v1/errors/{code.value}"


def missing(detail: str) -> str | None:
    """The kind of thing a not-found message names first ("warning" for "no warning 12"), if any."""
    found = _KIND.search(detail)
    return found.group(1) if found else None


def title(code: Code, detail: str) -> str:
    """The problem's title: a not-found names the kind missing ("Warning not found"), others their code's."""
    if code is Code.NOT_FOUND:
        return f"{(missing(detail) or 'page').capitalize()} not found"
    return WEB_TITLES.get(code) or DESCRIPTIONS[code].split(". ")[0].rstrip(".")


def problem(code: Code, detail: str, *, status: int | None = None, hint: str = "", instance: str = "",
            **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type_uri(code), "title": title(code, detail),
                            "status": status or STATUS.get(code, 422), "detail": detail, "code": code.value}
    if hint:
        body["hint"] = hint
    if instance:
        body["instance"] = instance
    return body | extra


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def problem_response(request: Request, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    if wants_html(request):
        if body["code"] == Code.UNAUTHENTICATED.value and request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        from forewarn.web.render import render_error

        return render_error(request, body, headers)
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM, headers=headers)


async def forewarn_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ForewarnError)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
    return problem_response(request, problem(exc.code, exc.message, hint=exc.hint, instance=request.url.path), headers)


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"where": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
              for e in exc.errors()]
    detail = "; ".join(f"{_where(e)}: {e.get('msg', '')}" for e in exc.errors()) or "invalid request"
    return problem_response(request, problem(Code.INVALID_ARGUMENT, detail, instance=request.url.path, errors=errors))


def _where(error: Any) -> str:
    """Where a validation error is: "the event id 'zzz' in the path" for a path's id, else its location."""
    loc = tuple(str(p) for p in error.get("loc", ()))
    if len(loc) == 2 and loc[0] == "path":
        name = loc[1].removesuffix("_id").replace("_", " ")
        return f"the {name}{' id' if loc[1].endswith('_id') else ''} {str(error.get('input', ''))[:80]!r} in the path"
    return ".".join(loc)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = {401: Code.UNAUTHENTICATED, 403: Code.FORBIDDEN, 404: Code.NOT_FOUND}.get(exc.status_code,
                                                                                   Code.INVALID_ARGUMENT)
    if exc.status_code == 400:  # a body that cannot be parsed: a problem with the request like any other (422)
        return problem_response(request, problem(code, "the request body cannot be read (send UTF-8 JSON, or the "
                                                 "form the page sends)", instance=request.url.path))
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":  # no route: say what was asked for
        detail = (f"no operation {request.method} {request.url.path}" if not wants_html(request)
                  else f"no page {request.url.path}")
    return problem_response(request, problem(code, detail, status=exc.status_code, instance=request.url.path),
                            dict(exc.headers or {}))


async def data_error(request: Request, exc: Exception) -> Response:
    """A value the database cannot store or compare (a NUL character in posted text, a number out of
    the column's range): the request's fault, not the server's."""
    return problem_response(request, problem(Code.INVALID_ARGUMENT, "a value in the request cannot be stored or "
                                             "searched (a NUL character, or a number out of range)",
                                             instance=request.url.path))


async def internal_error(request: Request, exc: Exception) -> Response:
    """Last resort: no traceback or internals leave the server (they go to the server's log)."""
    return JSONResponse({"type": "about:blank", "title": "Internal Server Error", "status": 500,
                         "detail": "the server failed; the error is in its log"}, status_code=500,
                        media_type=PROBLEM)
