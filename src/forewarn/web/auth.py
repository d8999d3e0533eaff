"""Who is asking, and may they? Sessions (browser) or API tokens (scripts), roles, CSRF, and
login rate limiting.

- A browser logs in with a form; the server sets an HttpOnly, SameSite=Strict session cookie whose
  value is new at every login (no session fixation) and ends it at logout.
- A script sends ``Authorization: Bearer fwt_…``; token requests need no CSRF token (a browser never
  attaches one by itself).
- Every state-changing request made with a session cookie must carry the session's CSRF token, in
  the ``X-CSRF-Token`` header or a ``csrf_token`` form field.
- Failed logins are limited per (account, address) pair, and much more loosely per address and
  per account, so one attacker cannot lock others out (:class:`LoginLimiter`; docs/web.md).
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

from forewarn.accounts import Session, User
from forewarn.app import Workspace
from forewarn.errors import CsrfRefused, Forbidden, RateLimited, Unauthenticated
from forewarn.model import Principal as Who
from forewarn.model import PrincipalKind, Role

SESSION_COOKIE = "fw_session"
LOGIN_COOKIE = "fw_login"  # double-submit token for the login form, before there is a session
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WINDOW_S = 15 * 60
KNOWN_FOR_S = 30 * 24 * 3600  # a successful login keeps its (account, address) pair known this long


@dataclass(frozen=True)
class Principal:
    user: User
    session: Session | None  # None: authenticated by API token

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token if self.session else ""

    def may(self, role: Role) -> bool:
        return self.user.role.allows(role)

    @property
    def who(self) -> Who:
        """The acting principal the workspace's services are built for."""
        kind = PrincipalKind.USER if self.session else PrincipalKind.TOKEN
        return Who(self.user.name, self.user.role, kind)


def root(request: Request) -> Workspace:
    """The app's workspace, acting for nobody in particular: only for what needs no principal (resolving
    the caller's session or token, logging in, the app's settings). Handlers use :func:`acting`."""
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


def article(noun: str) -> str:
    """The noun with its indefinite article: "an analyst", "a duty officer"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _reader(role: Role) -> Callable[[Request], Principal]:
    def dependency(request: Request) -> Principal:
        p = principal(request)
        if not p.may(role):
            raise Forbidden(f"{p.user.name} is {article(p.user.role.label)}; this needs {article(role.label)} or above")
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
    """The workspace acting and reading as the authenticated user, the one way a handler reaches the
    services: every read carries who is asking, and every ledger entry names them."""
    return root(request).acting_as(p.who)


class LoginLimiter:
    """Failed logins in a sliding window of 15 minutes, counted three ways, so that one attacker
    cannot lock other people out:

    - per (account, address) pair, up to ``limit`` (`login_attempts`): past it, that account is
      refused from that address;
    - per address over all accounts, up to ``per_address`` (`login_attempts_per_address`): past it,
      that address is refused for every account it has not logged in with successfully before;
    - per account over all addresses, up to ``per_address`` too: past it, the account is refused
      from every address it has not logged in from successfully before.

    A pair that logged in successfully (within :data:`KNOWN_FOR_S`, since the server started) is
    *known*: only its own pair limit applies to it, so guessing at other accounts from the same
    address, or at this account from elsewhere, never locks a user out of their own address.
    A refused attempt checks no password and counts no further failure."""

    def __init__(self, limit: int, window_s: float = WINDOW_S, clock: Callable[[], float] = time.monotonic, *,
                 per_address: int) -> None:
        self.limit, self.per_address, self.window_s, self.clock = limit, per_address, window_s, clock
        self._failures: dict[tuple[str, ...], deque[float]] = defaultdict(deque)
        self._known: dict[tuple[str, str], float] = {}  # (account, address) → time of its last success
        self._swept = clock()
        self._lock = threading.Lock()

    def check(self, account: str, address: str) -> None:
        """RateLimited (with the seconds to wait) when this attempt must be refused unchecked."""
        now = self.clock()
        with self._lock:
            self._sweep(now)
            self._refuse_past(("pair", account, address), self.limit, now, "for this account from this address")
            if not self._is_known(account, address, now):
                self._refuse_past(("address", address), self.per_address, now, "from this address")
                self._refuse_past(("account", account), self.per_address, now, "for this account")

    def failed(self, account: str, address: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (("pair", account, address), ("address", address), ("account", account)):
                self._recent(key, now).append(now)

    def succeeded(self, account: str, address: str) -> None:
        """The pair's failures are forgotten and it becomes known (the address's and the account's
        counts stay: logging into one's own account must not reset a count an attacker ran up)."""
        with self._lock:
            self._failures.pop(("pair", account, address), None)
            self._known[(account, address)] = self.clock()

    def _is_known(self, account: str, address: str, now: float) -> bool:
        at = self._known.get((account, address))
        return at is not None and now - at < KNOWN_FOR_S

    def _refuse_past(self, key: tuple[str, ...], bound: int, now: float, what: str) -> None:
        q = self._recent(key, now)
        if len(q) >= bound:
            wait = int(self.window_s - (now - q[len(q) - bound])) + 1  # until the count is below the bound
            raise RateLimited(f"too many failed logins {what}; try again in {wait} s", retry_after=wait)

    def _recent(self, key: tuple[str, ...], now: float) -> deque[float]:
        q = self._failures[key]
        while q and now - q[0] >= self.window_s:
            q.popleft()
        return q

    def _sweep(self, now: float) -> None:
        """Once a window, forget the keys with no recent failure and the pairs known too long ago
        (the limiter's memory stays bounded by the recent traffic)."""
        if now - self._swept < self.window_s:
            return
        self._swept = now
        for key in [k for k, q in self._failures.items() if not q or now - q[-1] >= self.window_s]:
            del self._failures[key]
        for pair in [p for p, at in self._known.items() if now - at >= KNOWN_FOR_S]:
            del self._known[pair]


def new_login_token() -> str:
    return secrets.token_urlsafe(24)
