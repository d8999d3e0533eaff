"""Notes, tags and corrections: read a document's or an event's; add a note or a tag, remove a tag, correct or
reject an event (analyst). Each action is attributed to the caller and ledgered in its transaction."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field

from forewarn.ingest.annotations import CorrectionInput
from forewarn.model.annotations import NOTE_MAX, REASON_MAX, TAG_MAX, CorrectionState, Note, Tag, TargetKind
from forewarn.reads.notes import DocumentAnnotations, EventAnnotations
from forewarn.web.api.common import Page, Paging
from forewarn.web.api.events import EventOut, event_out
from forewarn.web.auth import ActAnalyst, Viewer, acting

router = APIRouter(tags=["annotations"])
DocumentId = Annotated[str, Path(min_length=4, max_length=64, pattern=r"^[0-9a-fA-F]+$")]
EventId = Annotated[str, Path(min_length=1, max_length=64)]
Kind = Literal["documents", "events"]
KINDS = {"documents": TargetKind.DOCUMENT, "events": TargetKind.EVENT}


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=NOTE_MAX)
    marking: str | None = Field(None, max_length=32, description="its own TLP marking (TLP:AMBER, TLP:AMBER+STRICT, "
                                "TLP:RED); the note takes the strictest of it and its target's")
    teams: list[str] = Field([], max_length=20, description="owning teams of its own marking")
    recipients: list[str] = Field([], max_length=50, description="named recipients (AMBER: accounts or teams; RED: "
                                  "accounts)")


class TagIn(BaseModel):
    tag: str = Field(min_length=1, max_length=200, description=f"normalised: lower case, at most {TAG_MAX} characters")


class TagOut(BaseModel):
    tag: str
    changed: bool


class CorrectionIn(BaseModel):
    """The fields to correct (each optional; at least one)."""

    type: str | None = Field(default=None, max_length=16, description="PLOVER type")
    mode: str | None = Field(default=None, max_length=32, description="PLOVER mode of the (new) type")
    actor: str | None = Field(default=None, max_length=300, description="entity id or exact name")
    recipient: str | None = Field(default=None, max_length=300, description="entity id or exact name")
    place: str | None = Field(default=None, max_length=300, description="town, region or country, or gazetteer id")
    date: str | None = Field(default=None, max_length=10, description="YYYY-MM-DD")
    reason: str | None = Field(default=None, max_length=REASON_MAX)


class EventAnnotationsOut(BaseModel):
    """An event as extracted and as it stands now (null: rejected), its notes, tags and corrections."""

    event: EventOut
    now: EventOut | None
    notes: list[Note]
    tags: list[str]
    corrections: CorrectionState | None


class DocumentAnnotationsOut(BaseModel):
    """A document's notes and tags, its annotated events by id, and the corrections re-extraction orphaned."""

    document_id: str
    notes: list[Note]
    tags: list[str]
    events: dict[str, EventAnnotationsOut]
    orphaned: list[CorrectionState]


def annotations_out(a: EventAnnotations) -> EventAnnotationsOut:
    return EventAnnotationsOut(event=event_out(a.event), now=event_out(a.now) if a.now else None, notes=list(a.notes),
                               tags=list(a.tags), corrections=a.corrections)


def document_out(a: DocumentAnnotations) -> DocumentAnnotationsOut:
    annotated = {k: annotations_out(v) for k, v in a.events.items() if v.notes or v.tags or v.corrections}
    return DocumentAnnotationsOut(document_id=a.document_id, notes=list(a.notes), tags=list(a.tags),
                                  events=annotated, orphaned=list(a.orphaned))


class RejectIn(BaseModel):
    reason: str = Field(min_length=1, max_length=REASON_MAX)


@router.get("/documents/{document_id}/annotations", response_model=DocumentAnnotationsOut,
            summary="A document's notes and tags, its events' notes, tags and corrections, its orphaned corrections")
def document_annotations(request: Request, p: Viewer, document_id: DocumentId) -> DocumentAnnotationsOut:
    return document_out(acting(request, p).reads.document_annotations(document_id.lower()))


@router.get("/events/{event_id}/annotations", response_model=EventAnnotationsOut,
            summary="An event as extracted and as corrected, with its notes, tags and corrections")
def event_annotations(request: Request, p: Viewer, event_id: EventId) -> EventAnnotationsOut:
    return annotations_out(acting(request, p).reads.event_annotations(event_id))


@router.get("/tags/{tag}/{kind}", response_model=Page[Tag], summary="The documents or events carrying a tag")
def tagged(request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
           tag: Annotated[str, Path(min_length=1, max_length=200)], kind: Kind) -> Page[Tag]:
    found = acting(request, p).reads.tagged(KINDS[kind], tag, paging.limit, paging.offset)
    return paging.page(request, list(found.items), found.total)


@router.post("/{kind}/{ref}/notes", response_model=Note, status_code=201, summary="Add a note (analyst)")
def add_note(request: Request, p: ActAnalyst, kind: Kind, ref: Annotated[str, Path(min_length=1, max_length=64)],
             body: NoteIn) -> Note:
    return acting(request, p).annotations.note(KINDS[kind], ref, body.text, marking=body.marking, teams=body.teams,
                                               recipients=body.recipients)


@router.post("/{kind}/{ref}/tags", response_model=TagOut, summary="Tag a document or an event (analyst)",
             responses={201: {"model": TagOut, "description": "tagged (200: it had the tag already)"}})
def add_tag(request: Request, p: ActAnalyst, kind: Kind, ref: Annotated[str, Path(min_length=1, max_length=64)],
            body: TagIn, response: Response) -> TagOut:
    done = acting(request, p).annotations.tag(KINDS[kind], ref, body.tag)
    response.status_code = 201 if done.changed else 200
    return TagOut(tag=done.tag, changed=done.changed)


@router.delete("/{kind}/{ref}/tags/{tag}", response_model=TagOut, summary="Remove a tag (analyst)")
def remove_tag(request: Request, p: ActAnalyst, kind: Kind, ref: Annotated[str, Path(min_length=1, max_length=64)],
               tag: Annotated[str, Path(min_length=1, max_length=200)]) -> TagOut:
    done = acting(request, p).annotations.untag(KINDS[kind], ref, tag)
    return TagOut(tag=done.tag, changed=done.changed)


@router.post("/events/{event_id}/corrections", response_model=CorrectionState, status_code=201,
             summary="Correct a mis-coded event (analyst): scoring uses it from now on")
def correct(request: Request, p: ActAnalyst, event_id: EventId, body: CorrectionIn) -> CorrectionState:
    return acting(request, p).annotations.correct(event_id, CorrectionInput(**body.model_dump()))


@router.post("/events/{event_id}/rejection", response_model=CorrectionState, status_code=201,
             summary="Reject an event (analyst): scoring leaves it out from now on")
def reject(request: Request, p: ActAnalyst, event_id: EventId, body: RejectIn) -> CorrectionState:
    return acting(request, p).annotations.reject(event_id, body.reason)

