"""Jinja2 rendering for the pages: autoescaping everywhere (document text is hostile input), the
caller and CSRF token in every template, and a few formatting filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from forewarn import __version__
from forewarn.model.document import format_dated
from forewarn.web.auth import CSRF_FIELD, optional_principal

TEMPLATES = Path(__file__).parent / "templates"
NAV = (("board", "/", "Board"), ("scenarios", "/scenarios", "Scenarios"), ("events", "/events", "Events"),
       ("documents", "/documents", "Documents"), ("entities", "/entities", "Entities"),
       ("ledger", "/ledger", "Ledger"), ("postmortem", "/postmortem", "Post-mortem"),
       ("sources", "/sources", "Sources"))


def when(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(fmt) + (" UTC" if "%H" in fmt else "")
    return value.strftime("%Y-%m-%d")


def span(delta: timedelta | float | None) -> str:
    """A duration in words: "3 d 4 h", "25 min", "40 s"."""
    if delta is None:
        return "—"
    seconds = int(delta.total_seconds() if isinstance(delta, timedelta) else delta)
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    d, rest = divmod(seconds, 86400)
    h, rest = divmod(rest, 3600)
    m, s = divmod(rest, 60)
    if d:
        return f"{sign}{d} d {h} h"
    if h:
        return f"{sign}{h} h {m} min"
    return f"{sign}{m} min" if m else f"{sign}{s} s"


def pct(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f} %"


def query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from ``params`` with ``changes`` applied (None removes a key)."""
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "", [], ())}
    return "?" + urlencode(merged, doseq=True) if merged else "?"


env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                  trim_blocks=True, lstrip_blocks=True)
env.filters.update(when=when, span=span, pct=pct, dated=format_dated)  # dated: to its precision ("2024", "2024-08")
env.globals.update(query=query, nav=NAV, version=__version__, csrf_field=CSRF_FIELD)


def render(request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    p = optional_principal(request)
    html = env.get_template(template).render(request=request, principal=p, user=p.user if p else None,
                                             csrf_token=p.csrf_token if p else "", now=datetime.now(UTC),
                                             **context)
    return HTMLResponse(html, status_code=status, headers=headers)


def render_error(request: Request, problem: dict[str, Any], headers: dict[str, str] | None = None) -> HTMLResponse:
    try:
        p = optional_principal(request)
    except Exception:  # a bad token on a page: show the error without a user
        p = None
    html = env.get_template("error.html").render(request=request, principal=p, user=p.user if p else None,
                                                 csrf_token=p.csrf_token if p else "", problem=problem)
    return HTMLResponse(html, status_code=problem["status"], headers=headers)
