"""Protected dissent (issue 17): file a dissent from a published line (once its question is revealed to the caller)
or from a warning's disposition (analyst), and list the dissents the caller may see. There is no route that edits
or removes one: the database refuses it too."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from forewarn.model.dissent import DISSENT_MAX, Dissent, dissent_json
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import ActAnalyst, Viewer, acting

router = APIRouter(tags=["dissent"])
REF = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


class DissentOut(BaseModel):
    id: int
    target: Literal["line", "disposition"]
    target_id: int = Field(description="the published line's number, or the warning's")
    question_id: int | None = Field(description="the line's question; null for a disposition dissent")
    analyst: str
    text: str
    at: str
    salt: str = Field(description="a line dissent's commitment salt: with the text, anyone may check the ledger")


class DissentIn(BaseModel):
    target: Literal["line", "disposition"]
    target_id: Id
    text: str = Field(min_length=1, max_length=DISSENT_MAX)


def dissent_out(d: Dissent) -> DissentOut:
    return DissentOut.model_validate(dissent_json(d))


@router.post("/dissents", response_model=DissentOut, status_code=201,
             summary="Dissent from a published line or a warning's disposition (analyst; ledgered, permanent)")
def file_dissent(request: Request, response: Response, p: ActAnalyst, body: DissentIn) -> DissentOut:
    """A line only once its question is revealed to you (FW-E101 before); a warning only once it has a
    disposition."""
    d = acting(request, p).dissents.file(body.target, body.target_id, body.text)
    response.headers["Location"] = f"/api/v1/dissents?{'question' if d.question_id else 'warning'}=" \
                                   f"{d.question_id or d.target_id}"
    return dissent_out(d)


@router.get("/dissents", response_model=Page[DissentOut], summary="The dissents you may see")
def list_dissents(request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
                  question: Annotated[str | None, Query(min_length=1, max_length=64, pattern=REF,
                                                        description="a question's number or a scenario's id")] = None,
                  warning: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="a warning's number")] = None,
                  ) -> Page[DissentOut]:
    """Every dissent from a question's lines (none while it is hidden from you), from a warning's disposition, or
    (neither) all you may see, oldest first."""
    found = acting(request, p).dissents.listing(question, warning)
    shown = found[paging.offset:paging.offset + paging.limit]
    return paging.page(request, [dissent_out(d) for d in shown], len(found))
