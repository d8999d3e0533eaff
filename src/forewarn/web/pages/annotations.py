"""An event's page (as extracted and as corrected, its notes, tags and corrections, and for analysts the forms
to note, tag, correct or reject it) and the form posts that annotate documents and events; each post redirects
back to the page it came from."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from forewarn.ingest.annotations import CorrectionInput
from forewarn.model import Role
from forewarn.model.annotations import NOTE_MAX, REASON_MAX, TargetKind
from forewarn.model.query import EVENT_MODES, EVENT_TYPES
from forewarn.web.auth import ActAnalyst, Viewer, acting
from forewarn.web.render import render

router = APIRouter()
EventId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-fA-F]+$")]
Ref = Annotated[str, Path(min_length=4, max_length=64, pattern=r"^[0-9a-fA-F]+$")]
Kind = Literal["documents", "events"]
KINDS = {"documents": TargetKind.DOCUMENT, "events": TargetKind.EVENT}
Field = Annotated[str, Form(max_length=300)]


@router.get("/events/{event_id}")
def event_page(request: Request, p: Viewer, event_id: EventId) -> Response:
    ws = acting(request, p)
    found = ws.reads.event_annotations(event_id)
    sentence = ws.reads.event(event_id).evidence.get(event_id)
    return render(request, "event.html", a=found, e=found.event, now_event=found.now, fixes=found.corrections,
                  sentence=sentence, may_annotate=p.may(Role.ANALYST), types=EVENT_TYPES, modes=EVENT_MODES,
                  note_max=NOTE_MAX, reason_max=REASON_MAX)


@router.post("/{kind}/{ref}/notes")
def add_note(request: Request, p: ActAnalyst, kind: Kind, ref: Ref,
             text: Annotated[str, Form(min_length=1, max_length=NOTE_MAX)]) -> Response:
    note = acting(request, p).annotations.note(KINDS[kind], ref, text)
    return _back(kind, note.target.event_id or note.target.document_id, "notes")


@router.post("/{kind}/{ref}/tags")
def add_tag(request: Request, p: ActAnalyst, kind: Kind, ref: Ref,
            tag: Annotated[str, Form(min_length=1, max_length=200)]) -> Response:
    done = acting(request, p).annotations.tag(KINDS[kind], ref, tag)
    return _back(kind, done.target.event_id or done.target.document_id, "notes")


@router.post("/{kind}/{ref}/tags/remove")
def remove_tag(request: Request, p: ActAnalyst, kind: Kind, ref: Ref,
               tag: Annotated[str, Form(min_length=1, max_length=200)]) -> Response:
    done = acting(request, p).annotations.untag(KINDS[kind], ref, tag)
    return _back(kind, done.target.event_id or done.target.document_id, "notes")


@router.post("/events/{event_id}/correct")
def correct(request: Request, p: ActAnalyst, event_id: EventId, type: Field = "", mode: Field = "",
            actor: Field = "", recipient: Field = "", place: Field = "", date: Field = "",
            reason: Annotated[str, Form(max_length=REASON_MAX)] = "") -> Response:
    asked = CorrectionInput(type=type.strip() or None, mode=mode.strip() or None, actor=actor.strip() or None,
                            recipient=recipient.strip() or None, place=place.strip() or None,
                            date=date.strip() or None, reason=reason.strip() or None)
    acting(request, p).annotations.correct(event_id, asked)
    return _back("events", event_id, "corrections")


@router.post("/events/{event_id}/reject")
def reject(request: Request, p: ActAnalyst, event_id: EventId,
           reason: Annotated[str, Form(min_length=1, max_length=REASON_MAX)]) -> Response:
    acting(request, p).annotations.reject(event_id, reason)
    return _back("events", event_id, "corrections")


def _back(kind: str, ref: str, anchor: str) -> Response:
    return RedirectResponse(f"/{kind}/{quote(ref, safe='')}#{anchor}", status_code=303)
