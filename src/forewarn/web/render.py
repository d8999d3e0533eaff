"""Jinja2 rendering for the pages: autoescaping everywhere (document text is hostile input), the
caller and CSRF token in every template, and a few formatting filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from forewarn import __version__
from forewarn.model.document import format_dated
from forewarn.web.auth import CSRF_FIELD, optional_principal, root

TEMPLATES = Path(__file__).parent / "templates"
NAV = (("board", "/", "Board"), ("feed", "/feed", "Feed"), ("scenarios", "/scenarios", "Scenarios"),
       ("events", "/events", "Events"), ("map", "/map", "Map"), ("documents", "/documents", "Documents"),
       ("entities", "/entities", "Entities"),
       ("ledger", "/ledger", "Ledger"), ("postmortem", "/postmortem", "Post-mortem"),
       ("sources", "/sources", "Sources"), ("roster", "/roster", "Roster"),
       ("analysis", "/analysis", "Analysis"))
# the analytic pages (issue 17), teams and deconfliction (issue 18) behind the one "Analysis" entry (the main nav
# has no room for more at 1280 px):
# listed on /analysis and in a second row of navigation on each of them
ANALYSIS = (("/questions", "Questions", "Binary questions, blind estimates and the published lines with their "
                                        "softening gap."),
            ("/scores", "Scores", "Brier and log scores of the analysts, the published lines and the model on "
                                  "resolved questions; calibration, discrimination and aggregation."),
            ("/ach", "Hypotheses", "Competing hypotheses: hypotheses against the evidence, an inconsistency score "
                                   "each and which evidence would change their ranking."),
            ("/assumptions", "Assumptions", "Key assumptions behind a line, with signposts that flag them for "
                                            "review when new evidence matches."),
            ("/teams", "Teams", "Teams and their members, what each holds and shared, and (admins) who read "
                                "restricted objects."),
            ("/deconfliction", "Deconfliction", "Selectors your team holds that another team holds too, and "
                                                "brokered requests to talk."))
# the data-page of each (hypotheses and assumptions pages say "questions")
ANALYSIS_PAGES = frozenset({"analysis", "questions", "scores", "teams", "deconfliction"})


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


def web_url(value: object) -> str | None:
    """The value as a link target when it is an http(s) URL with a host, else None (a path, a
    ``javascript:`` or ``data:`` URL is never made a link)."""
    text = str(value or "").strip()
    parts = urlsplit(text)
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc and " " not in text else None


def query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from ``params`` with ``changes`` applied (None removes a key)."""
    merged = {k: v for k, v in {**params, **changes}.items() if v not in (None, "", [], ())}
    return "?" + urlencode(merged, doseq=True) if merged else "?"


# a date field that shows and takes ISO dates whatever the browser's locale (type="date" shows mm/dd/yyyy)
ISO_DATE = Markup('type="text" inputmode="numeric" pattern="[0-9]{4}-[0-9]{2}-[0-9]{2}" placeholder="YYYY-MM-DD" '
                  'maxlength="10" size="10" autocomplete="off" title="a date: YYYY-MM-DD"')

env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                  trim_blocks=True, lstrip_blocks=True)
env.filters.update(when=when, span=span, pct=pct, dated=format_dated,  # dated: to its precision ("2024", "2024-08")
                   web_url=web_url)
env.globals.update(query=query, nav=NAV, version=__version__, csrf_field=CSRF_FIELD, iso_date=ISO_DATE,
                   analysis=ANALYSIS, analysis_pages=ANALYSIS_PAGES)


def render(request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    p = optional_principal(request)
    clock = root(request).time.show()  # the workspace's own time: "now" on every page, and the banner
    html = env.get_template(template).render(request=request, principal=p, user=p.user if p else None,
                                             csrf_token=p.csrf_token if p else "", now=clock.now,
                                             workspace_time=clock, **context)
    return HTMLResponse(html, status_code=status, headers=headers)


def render_error(request: Request, problem: dict[str, Any], headers: dict[str, str] | None = None) -> HTMLResponse:
    try:
        p = optional_principal(request)
    except Exception:  # a bad token on a page: show the error without a user
        p = None
    html = env.get_template("error.html").render(request=request, principal=p, user=p.user if p else None,
                                                 csrf_token=p.csrf_token if p else "", problem=problem)
    return HTMLResponse(html, status_code=problem["status"], headers=headers)
