"""Who is asking, and may they? Sessions (browser) or API tokens (scripts), roles, CSRF, and
login rate limiting.

- A browser logs in with a form; the server sets an HttpOnly, SameSite=Strict session cookie whose
  value is new at every login (no session fixation) and ends it at logout.
- A script sends ``Authorization: Bearer fwt_…``; token requests need no CSRF token (a browser never
  attaches one by itself).
- Every state-changing request made with a session cookie must carry the session's CSRF token, in
  the ``X-CSRF-Token`` header or a ``csrf_token`` form field.
- Endpoints declare the least role they need with :func:`viewer`, :func:`analyst`,
  :func:`duty_officer` or :func:`admin` (reads) and the ``act_*`` forms (writes, CSRF checked).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from forewarn.accounts import Role, Session, User
from forewarn.app import Workspace
from forewarn.errors import CsrfRefused, Forbidden, RateLimited, Unauthenticated

SESSION_COOKIE = "fw_session"
LOGIN_COOKIE = "fw_login"  # double-submit token for the login form, before there is a session
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WINDOW_S = 15 * 60


@dataclass(frozen=True)
class Principal:
    user: User
    session: Session | None  # None: authenticated by API token

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session else ""

    def may(self, role: Role) -> bool:
        return self.user.role.allows(role)


def root(request: Request) -> Workspace:
    ws: Workspace = request.app.state.workspace
    return ws


def optional_principal(request: Request) -> Principal | None:
    """The caller, or None; cached on the request (several dependencies ask)."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    accounts = root(request).accounts
    principal: Principal | None = None
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        principal = Principal(accounts.token_user(header[7:].strip()), None)  # a bad token is refused, not ignored
    elif cookie := request.cookies.get(SESSION_COOKIE):
        session = accounts.session(cookie)
        principal = Principal(session.user, session) if session else None
    request.state.principal = principal
    return principal


def principal(request: Request) -> Principal:
    p = optional_principal(request)
    if p is None:
        raise Unauthenticated("log in first (or send an API token: Authorization: Bearer fwt_…)")
    return p


async def check_csrf(request: Request, p: Principal) -> None:
    if request.method in SAFE_METHODS or p.session is None:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette keeps the parsed form for the endpoint
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, p.session.csrf_token):
        raise CsrfRefused("this request needs the page's CSRF token",
                          hint=f"send it in the {CSRF_HEADER} header or the {CSRF_FIELD} form field")


def _reader(role: Role) -> Callable[[Request], Principal]:
    def dependency(request: Request) -> Principal:
        p = principal(request)
        if not p.may(role):
            raise Forbidden(f"{p.user.name} is a {p.user.role.label}; this needs {role.label} or above")
        return p

    return dependency


def _actor(role: Role) -> Callable[[Request], Awaitable[Principal]]:
    read = _reader(role)

    async def dependency(request: Request) -> Principal:
        p = read(request)  # who first (401/403), then the CSRF token
        await check_csrf(request, p)
        return p

    return dependency


# reads: the least role needed to see it
Viewer = Annotated[Principal, Depends(_reader(Role.VIEWER))]
Analyst = Annotated[Principal, Depends(_reader(Role.ANALYST))]
DutyOfficer = Annotated[Principal, Depends(_reader(Role.DUTY_OFFICER))]
Admin = Annotated[Principal, Depends(_reader(Role.ADMIN))]
# state-changing actions: the least role needed, and the CSRF token for sessions
ActViewer = Annotated[Principal, Depends(_actor(Role.VIEWER))]
ActAnalyst = Annotated[Principal, Depends(_actor(Role.ANALYST))]
ActDutyOfficer = Annotated[Principal, Depends(_actor(Role.DUTY_OFFICER))]
ActAdmin = Annotated[Principal, Depends(_actor(Role.ADMIN))]


def acting(request: Request, p: Principal) -> Workspace:
    """The workspace acting as the authenticated user: every ledger entry names them."""
    return root(request).acting_as(p.user.name)


class LoginLimiter:
    """Failed logins per account and per client address in a sliding window; past the limit,
    further attempts are refused (without checking the password) until the window clears."""

    def __init__(self, limit: int, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit, self.window_s, self.clock = limit, window_s, clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] >= self.window_s:
            q.popleft()
        return q

    def check(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                q = self._recent(key, now)
                if len(q) >= self.limit:
                    wait = int(self.window_s - (now - q[0])) + 1
                    raise RateLimited(f"too many failed logins; try again in {wait} s", retry_after=wait)

    def failed(self, *keys: str) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def succeeded(self, account_key: str) -> None:
        with self._lock:
            self._failures.pop(account_key, None)


def new_login_token() -> str:
    return secrets.token_urlsafe(24)
