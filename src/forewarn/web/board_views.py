"""What the board and scenario pages share: the one-shot flash message a form's redirect carries
(in a short-lived cookie, so no link can put words on the page), the local address a form returns
to, and running a page action so that a refusal comes back as a flash instead of a dead end."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from forewarn.errors import Code, ForewarnError
from forewarn.model import LedgerEntry
from forewarn.warn.history import Run, runs
from forewarn.web.auth import root

if TYPE_CHECKING:
    pass

FLASH_COOKIE = "fw_flash"
FLASH_CHARS = 600
FLASH_SECONDS = 120
WEB_HINTS = {  # the command line's hints name options; on a page these say what to do there
    Code.RATIONALE_REQUIRED: "write in the rationale why it does not call for action, then dismiss it again",
    Code.WARNING_STATE: "the board now shows where it stands",
}


@dataclass(frozen=True, slots=True)
class Flash:
    kind: Literal["ok", "error"]
    text: str
    code: str = ""  # the error's stable code (FW-E081 …)


def safe_next(target: str | None, default: str = "/") -> str:
    """A path on this site (no open redirect to another origin)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def redirect(request: Request, target: str, flash: Flash | None = None) -> RedirectResponse:
    """303 to ``target``, carrying ``flash`` to the page shown next."""
    response = RedirectResponse(target, status_code=303)
    if flash is not None:
        value = json.dumps({"k": flash.kind, "t": flash.text[:FLASH_CHARS], "c": flash.code})
        response.set_cookie(FLASH_COOKIE, base64.urlsafe_b64encode(value.encode()).decode(), max_age=FLASH_SECONDS,
                            path="/", httponly=True, samesite="strict", secure=root(request).settings.secure_cookies)
    return response


def take_flash(request: Request) -> Flash | None:
    """The flash the last redirect left (call :func:`clear_flash` on the response that shows it)."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(raw.encode()))
        kind, text, code = value["k"], str(value["t"])[:FLASH_CHARS], str(value.get("c", ""))[:16]
    except (ValueError, KeyError, TypeError):
        return None
    return Flash("error" if kind == "error" else "ok", text, code)


def clear_flash(request: Request, response: Response) -> Response:
    if FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def attempt(request: Request, target: str, action: Callable[[], str | tuple[str, str]]) -> RedirectResponse:
    """Run a page form's action; on to ``target`` with its message (an action may name another
    page: ``(message, path)``), or back with the refusal's words (a dismissal without a rationale, a
    warning someone else acknowledged first …) as an error flash."""
    try:
        done = action()
        if isinstance(done, tuple):
            done, target = done
    except ForewarnError as e:
        hint = WEB_HINTS.get(e.code) or (e.hint if e.hint and "`" not in e.hint and "--" not in e.hint else "")
        text = e.message + (f" — {hint}" if hint else "")
        return redirect(request, target, Flash("error", text, e.code.value))
    return redirect(request, target, Flash("ok", done))


@dataclass(frozen=True, slots=True)
class HistoryRow:
    entry: LedgerEntry  # the first of a group
    details: list[tuple[str, str]]  # (what, value) in words, for a definition list
    label: str = ""  # the kind, or a group's "reminded 3 times"
    span: str = ""  # a group's "12 Aug 06:00 – 18:00"
    repeats: tuple[HistoryRow, ...] = ()  # a group's entries, each a row (shown when expanded)


HIDDEN = frozenset({"id", "title", "text"})  # on the page already
COUNTED = frozenset({"event_ids", "document_ids", "new_event_ids", "new_document_ids"})  # long id lists: a count


def history_rows(entries: list[LedgerEntry]) -> list[HistoryRow]:
    """A warning's ledger entries with their payloads as plain (key, text) pairs; repeated reminders
    and identical escalations folded into one row (:func:`forewarn.warn.history.runs`)."""
    return [_history_row(run) for run in runs(entries)]


def _history_row(run: Run) -> HistoryRow:
    if not run.grouped:
        return HistoryRow(run.first, details(run.first.payload), run.label)
    inner = tuple(HistoryRow(e, details(e.payload), e.kind) for e in run.entries)
    return HistoryRow(run.first, [], run.label, run.span, inner)


def details(payload: dict[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for key, value in payload.items():
        if key in HIDDEN or value is None or value == [] or value == "":
            continue
        if key in COUNTED and isinstance(value, list):
            text = f"{len(value)}"
        elif isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, float):
            text = f"{value:.3f}"
        else:
            text = str(value)
        found.append((key.replace("_", " "), text))
    return found
