"""The ledger page: entries with filters, a page at a time, and the chain's verification on demand."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from forewarn.model import LedgerEntry
from forewarn.warn.history import Run, runs
from forewarn.web.auth import Viewer, acting
from forewarn.web.ledger_views import ledger_filter, verify_words
from forewarn.web.render import render

router = APIRouter()
PER_PAGE = 50
PAYLOAD_WIDTH = 300


def subject_link(subject: str) -> str | None:
    """The page an entry's subject has, if any (a path on this site)."""
    kind, _, ref = subject.partition(":")
    if not ref:
        return None
    if kind == "warning" and ref.isdigit():
        return f"/warnings/{ref}"
    if kind == "scenario":
        return f"/scenarios/{ref}"
    if kind == "document":
        return f"/documents/{ref}"
    if kind == "entity":
        return f"/entities/{ref}"
    return None


def payload_text(entry: LedgerEntry) -> str:
    text = json.dumps(entry.payload, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= PAYLOAD_WIDTH else text[:PAYLOAD_WIDTH - 1] + "…"


def ledger_row(run: Run) -> dict[str, Any]:
    """One row of the page: an entry, or repeated reminders (identical escalations) of one warning
    folded into one row that expands to its entries."""
    e = run.first
    repeats = [{"entry": r, "payload": payload_text(r)} for r in run.entries] if run.grouped else []
    return {"entry": e, "link": subject_link(e.subject), "payload": payload_text(e), "repeats": repeats,
            "label": run.label, "span": run.span, "seqs": run.seqs, "withheld": False}


def withheld_row(e: LedgerEntry) -> dict[str, Any]:
    """An entry about an object hidden from the viewer (:func:`forewarn.ledger.query.withheld`): seq, kind, time."""
    return {"entry": e, "link": None, "payload": "", "repeats": [], "label": e.kind, "span": "", "seqs": str(e.seq),
            "withheld": True}


def page_rows(entries: list[LedgerEntry]) -> list[dict[str, Any]]:
    """The page's rows in the entries' order; withheld entries (no hash) are never folded together."""
    place = {id(e): i for i, e in enumerate(entries)}
    rows: list[tuple[int, dict[str, Any]]] = []
    for run in runs(entries):
        if run.first.hash:
            rows.append((place[id(run.first)], ledger_row(run)))
        else:
            rows.extend((place[id(e)], withheld_row(e)) for e in run.entries)
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


@router.get("/ledger")
def ledger_page(request: Request, p: Viewer,
                kind: Annotated[str, Query(max_length=200)] = "", actor: Annotated[str, Query(max_length=128)] = "",
                subject: Annotated[str, Query(max_length=300)] = "", since: Annotated[str, Query(max_length=40)] = "",
                until: Annotated[str, Query(max_length=40)] = "",
                offset: Annotated[int, Query(ge=0, le=10**9)] = 0, verify: Annotated[bool, Query()] = False
                ) -> Response:
    ws = acting(request, p)
    found = ws.ledger.page(ledger_filter([kind], actor, subject, since, until), limit=PER_PAGE, offset=offset)
    report = ws.ledger.verify() if verify else None
    params = {"kind": kind, "actor": actor, "subject": subject, "since": since, "until": until}
    rows = page_rows(found.entries)
    return render(request, "ledger.html", rows=rows, total=found.total, offset=offset, limit=PER_PAGE, params=params,
                  kinds=ws.ledger.kinds(), names=ws.ledger.display_names(), report=report,
                  verify_text=verify_words(report) if report else "", checked_at=ws.clock() if report else None)
