"""Accounts and API tokens. Admins manage every account; everyone manages their own tokens.

Password hashes and token secrets never leave the server; a new token's secret is in the response
that creates it, once. Every change is a ledger entry naming the caller.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from forewarn.accounts import Role, Token, User
from forewarn.errors import Forbidden, InvalidArgument
from forewarn.web.api.common import Page, Paging
from forewarn.web.auth import ActAdmin, ActViewer, Admin, Principal, Viewer, acting

router = APIRouter(tags=["accounts"])

NameField = Annotated[str, Field(min_length=1, max_length=128, description="lower-case letters, digits and . _ @ -")]


class UserOut(BaseModel):
    name: str
    display_name: str
    role: Role
    disabled: bool
    created_at: datetime
    updated_at: datetime


class NewUser(BaseModel):
    name: NameField
    password: Annotated[str, Field(min_length=1, max_length=1000, description="at least 8 characters")]
    role: Role = Role.VIEWER
    display_name: Annotated[str | None, Field(max_length=200)] = None


class NewPassword(BaseModel):
    password: Annotated[str, Field(min_length=1, max_length=1000, description="at least 8 characters")]


class TokenOut(BaseModel):
    id: int
    user: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    secret: str = Field(description="send as `Authorization: Bearer <secret>`; shown only in this response")


class NewToken(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=200, description="what the token is for")]
    user: Annotated[str | None, Field(max_length=128, description="the account it acts for (default: yours; "
                                                                  "another's needs admin)")] = None


def user_out(u: User) -> UserOut:
    return UserOut(name=u.name, display_name=u.display_name, role=u.role, disabled=u.disabled,
                   created_at=u.created_at, updated_at=u.updated_at)


def token_out(t: Token) -> TokenOut:
    return TokenOut(id=t.id, user=t.user, name=t.name, created_at=t.created_at, last_used_at=t.last_used_at,
                    revoked_at=t.revoked_at)


def _own_or_admin(p: Principal, user: str, what: str) -> None:
    if user != p.user.name and not p.may(Role.ADMIN):
        raise Forbidden(f"{p.user.name} may not {what} another account's tokens",
                        hint="only an admin manages the tokens of others")


@router.get("/users", response_model=Page[UserOut], summary="Accounts (admin)")
def list_users(request: Request, p: Admin, paging: Annotated[Paging, Depends()]) -> Page[UserOut]:
    found = acting(request, p).accounts.users()  # accounts are few: one read
    return paging.page(request, [user_out(u) for u in found[paging.offset:paging.offset + paging.limit]], len(found))


@router.post("/users", response_model=UserOut, status_code=201, summary="Add an account (admin)")
def add_user(request: Request, p: ActAdmin, body: NewUser) -> UserOut:
    user = acting(request, p).accounts.add_user(body.name, body.password, body.role, actor=p.user.name,
                                           display_name=body.display_name or None)
    return user_out(user)


@router.post("/users/{name}/disable", response_model=UserOut, summary="Disable an account (admin): its sessions "
                                                                       "end and its tokens are revoked for good")
def disable_user(request: Request, p: ActAdmin, name: Annotated[str, PathParam(max_length=128)]) -> UserOut:
    accounts = acting(request, p).accounts
    user = accounts.user(name)  # NotFound first
    if user.name == p.user.name:
        raise InvalidArgument("you cannot disable your own account", hint="ask another admin")
    return user_out(accounts.disable_user(user.name, actor=p.user.name))


@router.post("/users/{name}/password", response_model=UserOut,
             summary="Set a new password (admin): every session and API token of the account ends for good")
def set_password(request: Request, p: ActAdmin, name: Annotated[str, PathParam(max_length=128)],
                 body: NewPassword) -> UserOut:
    return user_out(acting(request, p).accounts.set_password(name, body.password, actor=p.user.name))


@router.get("/tokens", response_model=Page[TokenOut], summary="API tokens: your own (an admin sees every account's)")
def list_tokens(request: Request, p: Viewer, paging: Annotated[Paging, Depends()],
                user: Annotated[str | None, Query(max_length=128, description="only this account's (admin: any; "
                                                                               "others: their own)")] = None
                ) -> Page[TokenOut]:
    wanted = (user or "").strip().lower() or None
    if wanted is not None:
        _own_or_admin(p, wanted, "list")
    elif not p.may(Role.ADMIN):
        wanted = p.user.name
    found = acting(request, p).accounts.tokens(wanted)
    return paging.page(request, [token_out(t) for t in found[paging.offset:paging.offset + paging.limit]],
                       len(found))


@router.post("/tokens", response_model=NewTokenOut, status_code=201,
             summary="Create an API token (for yourself; for another account: admin)")
def create_token(request: Request, p: ActViewer, body: NewToken) -> NewTokenOut:
    owner = (body.user or "").strip().lower() or p.user.name
    _own_or_admin(p, owner, "create")
    token, secret = acting(request, p).accounts.create_token(owner, body.name.strip() or "token", actor=p.user.name)
    return NewTokenOut(**token_out(token).model_dump(), secret=secret)


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut,
             summary="Revoke an API token (your own; another's: admin)")
def revoke_token(request: Request, p: ActViewer, token_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)]) -> TokenOut:
    accounts = acting(request, p).accounts
    _own_or_admin(p, accounts.token(token_id).user, "revoke")
    return token_out(accounts.revoke_token(token_id, actor=p.user.name))
