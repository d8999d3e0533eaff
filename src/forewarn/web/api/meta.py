"""About the API itself: the caller, and what each error code means."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from forewarn.errors import DESCRIPTIONS, Code, NotFound
from forewarn.web.auth import Viewer

router = APIRouter(tags=["meta"])


class Me(BaseModel):
    name: str
    display_name: str
    role: str
    via: str  # session or token


class ErrorCode(BaseModel):
    code: str
    name: str
    description: str


@router.get("/me", response_model=Me, summary="The authenticated caller")
def me(p: Viewer) -> Me:
    return Me(name=p.user.name, display_name=p.user.display_name, role=p.user.role.value,
              via="session" if p.session else "token")


@router.get("/errors/{code}", response_model=ErrorCode, summary="What an error code means (problem `type`)")
def error_code(code: str) -> ErrorCode:
    try:
        c = Code(code.upper())
    except ValueError:
        raise NotFound(f"no error code {code!r}", hint="codes look like FW-E003") from None
    return ErrorCode(code=c.value, name=c.name.lower(), description=DESCRIPTIONS[c])
