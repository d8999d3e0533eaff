"""Logging in and out."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from forewarn.errors import RateLimited, Unauthenticated
from forewarn.web.auth import LOGIN_COOKIE, SESSION_COOKIE, ActViewer, new_login_token, optional_principal, root
from forewarn.web.board_views import safe_next
from forewarn.web.render import render

router = APIRouter()


def _login_page(request: Request, next_url: str, error: str = "", status: int = 200,
                headers: dict[str, str] | None = None) -> Response:
    token = new_login_token()
    response = render(request, "login.html", status=status, headers=headers, next_url=next_url, error=error,
                      login_token=token)
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", path="/login",
                        secure=root(request).settings.secure_cookies)
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None) -> Response:
    if optional_principal(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, safe_next(next))


@router.post("/login")
def login(request: Request, name: Annotated[str, Form(max_length=200)], password: Annotated[str, Form(max_length=1000)],
          login_token: Annotated[str, Form(max_length=200)] = "", next: Annotated[str, Form(max_length=2000)] = "/"
          ) -> Response:
    ws, limiter = root(request), request.app.state.login_limiter
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, login_token):
        return _login_page(request, safe_next(next), "The login form expired. Please try again.", 403)
    account, address = name.strip().lower(), request.client.host if request.client else ""
    try:
        limiter.check(account, address)
        user = ws.accounts.check_password(name, password)
    except RateLimited as e:
        return _login_page(request, safe_next(next), e.message, 429, {"Retry-After": str(e.retry_after)})
    except Unauthenticated as e:
        limiter.failed(account, address)
        return _login_page(request, safe_next(next), e.message, 401)
    limiter.succeeded(account, address)
    old = request.cookies.get(SESSION_COOKIE)
    if old:  # a session id from before the login is never reused (session fixation)
        ws.accounts.end_session(old)
    value, _ = ws.accounts.start_session(user, ws.settings.session_hours)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, value, httponly=True, samesite="strict", path="/",
                        secure=ws.settings.secure_cookies, max_age=int(ws.settings.session_hours * 3600))
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(request: Request, p: ActViewer) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        root(request).accounts.end_session(cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
