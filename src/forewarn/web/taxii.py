"""The TAXII 2.1 server (read-only), mounted at ``/taxii2``: discovery, one API root (``/taxii2/api/``), its
collections, their objects, manifests and object versions (docs/taxii.md).

- Every answer is ``application/taxii+json;version=2.1``; a request whose ``Accept`` admits no such answer gets 406.
- Callers authenticate with an API token: ``Authorization: Bearer fwt_…``, or HTTP Basic with the account's name
  and a token as the password (what TAXII clients send); no session cookie. Without credentials: 401 and a
  ``WWW-Authenticate`` challenge.
- Errors are TAXII error messages (``title``, ``description``, ``http_status``, ``error_code``: forewarn's stable
  code, ``details.hint``).
- The collections and their objects are those of :mod:`forewarn.reads.taxii`, read as the caller: a collection the
  caller may not read, and an object it may not see, are answered 404 like an unknown id. Nothing can be written:
  adding or deleting objects is answered 403.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from forewarn.accounts import User
from forewarn.app import Workspace
from forewarn.errors import Code, Forbidden, ForewarnError, InvalidArgument, Unauthenticated, UnstorableValue
from forewarn.model import Role
from forewarn.reads.taxii import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    STIX_MEDIA_TYPE,
    Collection,
    Cursor,
    Filter,
    ObjectPage,
    TaxiiReads,
    version_of,
)
from forewarn.web import problems
from forewarn.web.api.common import known_names
from forewarn.web.auth import Principal, acting, root

PREFIX = "/taxii2"
MEDIA_TYPE = "application/taxii+json;version=2.1"
API_ROOT = "api/"
CHALLENGE = 'Basic realm="forewarn TAXII", Bearer realm="forewarn TAXII"'
TITLE = "forewarn TAXII 2.1"
OBJECT_ID = r"^[a-z0-9][a-z0-9-]{0,249}--[0-9a-fA-F-]{36}$"


def stamp(at: datetime) -> str:
    """A TAXII timestamp, to the microsecond (``2024-08-12T12:00:00.000000Z``)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def taxii_json(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


# -- errors ------------------------------------------------------------------------------------------------
def error(code: Code, description: str, status: int, hint: str = "") -> JSONResponse:
    """A TAXII error message carrying forewarn's stable code (a 401 with its challenge)."""
    body: dict[str, Any] = {"title": problems.title(code, description), "description": description,
                            "http_status": str(status), "error_code": code.value}
    if hint:
        body["details"] = {"hint": hint}
    return taxii_json(body, status, {"WWW-Authenticate": CHALLENGE} if status == 401 else None)


def status_of(code: Code) -> int:
    """The HTTP status of a code: the workbench's, but a malformed request is 400 in TAXII."""
    return problems.STATUS.get(code, 400)


async def forewarn_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ForewarnError)
    status = 400 if isinstance(exc, UnstorableValue) else status_of(exc.code)
    code = Code.INVALID_ARGUMENT if isinstance(exc, UnstorableValue) else exc.code
    return error(code, exc.message, status, exc.hint)


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    detail = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors())
    return error(Code.INVALID_ARGUMENT, detail or "invalid request", 400)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        return error(Code.FORBIDDEN, f"{request.method} is not offered on {request.url.path}", 405,
                     "this TAXII server is read-only: GET its resources")
    if exc.status_code == 404:
        return error(Code.NOT_FOUND, f"no resource {request.url.path}", 404,
                     f"the server's discovery resource is {PREFIX}/")
    return error(Code.INVALID_ARGUMENT, str(exc.detail), exc.status_code)


async def internal_error(request: Request, exc: Exception) -> JSONResponse:
    """No traceback leaves the server (it goes to the server's log)."""
    body = {"title": "Internal Server Error", "description": "the server failed; the error is in its log",
            "http_status": "500"}
    return taxii_json(body, 500)


# -- who asks, and what they accept ----------------------------------------------------------------------------
def token_account(request: Request) -> User | None:
    """The account of the request's API token (Bearer, or Basic with the account's name); None without one."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    accounts = root(request).accounts
    if scheme.lower() == "bearer":
        return accounts.token_user(value.strip())
    if scheme.lower() == "basic":
        name, secret = basic_credentials(value.strip())
        user = accounts.token_user(secret)
        if user.name.lower() != name.strip().lower():
            raise Unauthenticated("the account name and the API token do not go together",
                                  hint="send the token's own account name as the user name")
        return user
    return None


def basic_credentials(value: str) -> tuple[str, str]:
    try:
        name, sep, secret = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError) as bad:
        raise Unauthenticated("the Basic credentials cannot be read") from bad
    if not sep or not secret:
        raise Unauthenticated("the Basic credentials hold no password",
                              hint="send the account name and an API token (`forewarn token create`) as the password")
    return name, secret


def accepts(header: str | None) -> bool:
    """Whether an ``Accept`` header admits ``application/taxii+json;version=2.1`` (no header: anything goes)."""
    if not header or not header.strip():
        return True
    for part in header.lower().split(","):
        kind, *params = [p.strip() for p in part.split(";")]
        args = {k.strip(): v.strip().strip('"') for k, _, v in (p.partition("=") for p in params)}
        if args.get("q", "1") in {"0", "0.0", "0.00", "0.000"}:
            continue
        if kind in {"*/*", "application/*"} or (kind == "application/taxii+json" and
                                                 args.get("version", "2.1") == "2.1"):
            return True
    return False


def reader(request: Request) -> TaxiiReads:
    """The caller's TAXII reads: 401 without a token, 406 for an ``Accept`` this server cannot answer."""
    user = token_account(request)
    if user is None:
        raise Unauthenticated("send an API token: Authorization: Bearer fwt_…, or HTTP Basic with your account "
                              "name and the token as the password", hint="create one with `forewarn token create`")
    p = Principal(user, None)
    if not p.may(Role.VIEWER):
        raise Forbidden(f"{user.name} may not read")
    if not accepts(request.headers.get("accept")):
        raise NotAcceptable(f"this server answers {MEDIA_TYPE} only, not {request.headers.get('accept', '')[:100]}",
                            hint=f"send Accept: {MEDIA_TYPE}")
    return acting(request, p).reads.taxii()


class NotAcceptable(InvalidArgument):
    """An ``Accept`` this server cannot answer (406)."""


async def not_acceptable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NotAcceptable)
    return error(exc.code, exc.message, 406, exc.hint)


Reader = Annotated[TaxiiReads, Depends(reader)]
router = APIRouter(dependencies=[Depends(known_names)])


# -- the filters of objects, manifests and versions ---------------------------------------------------------
def timestamp(value: str | None, name: str) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError as bad:
        raise InvalidArgument(f"{name} {value[:60]!r} is not a timestamp",
                              hint="write it as 2024-08-12T12:00:00.000Z") from bad
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def listed(value: str | None) -> frozenset[str]:
    return frozenset(v.strip() for v in (value or "").split(",") if v.strip())


class Paging:
    """``limit`` (default 100, at most 1,000: a larger one is served as 1,000), ``next`` and ``added_after``."""

    def __init__(self, limit: Annotated[int, Query(ge=1, le=10**9, description="objects per page")] = DEFAULT_LIMIT,
                 next: Annotated[str | None, Query(max_length=400, description="the previous page's next")] = None,
                 added_after: Annotated[str | None, Query(max_length=40)] = None) -> None:
        self.limit = min(limit, MAX_LIMIT)
        self.after = Cursor.parse(next) if next else None
        self.added_after = timestamp(added_after, "added_after")


VERSION_WORDS = frozenset({"first", "last", "all"})


class Versions:
    """``match[version]`` (``first``, ``last``, ``all``: each object here has one version; or timestamps) and
    ``match[spec_version]``."""

    def __init__(self, version: Annotated[str | None, Query(alias="match[version]", max_length=2000)] = None,
                 spec_version: Annotated[str | None, Query(alias="match[spec_version]", max_length=200)] = None
                 ) -> None:
        times = [timestamp(w, "match[version]") for w in listed(version) - VERSION_WORDS]
        self.versions = frozenset(t for t in times if t is not None)
        self.spec_versions = listed(spec_version)
        self.ids: frozenset[str] = frozenset()
        self.types: frozenset[str] = frozenset()


class Matches(Versions):
    """The object filters: ``match[id]`` and ``match[type]`` too."""

    def __init__(self, id: Annotated[str | None, Query(alias="match[id]", max_length=20000)] = None,
                 type: Annotated[str | None, Query(alias="match[type]", max_length=2000)] = None,
                 version: Annotated[str | None, Query(alias="match[version]", max_length=2000)] = None,
                 spec_version: Annotated[str | None, Query(alias="match[spec_version]", max_length=200)] = None
                 ) -> None:
        super().__init__(version, spec_version)
        self.ids, self.types = listed(id), listed(type)


def object_filter(paging: Paging, v: Versions) -> Filter:
    return Filter(paging.added_after, v.ids, v.types, v.spec_versions, v.versions)


Pages = Annotated[Paging, Depends()]
Match = Annotated[Matches, Depends()]
VersionMatch = Annotated[Versions, Depends()]
CollectionId = Annotated[str, Path(max_length=64)]
ObjectId = Annotated[str, Path(max_length=300, pattern=OBJECT_ID)]


def page_headers(page: ObjectPage) -> dict[str, str]:
    if not page.objects:
        return {}
    return {"X-TAXII-Date-Added-First": stamp(page.objects[0].date_added),
            "X-TAXII-Date-Added-Last": stamp(page.objects[-1].date_added)}


def envelope(page: ObjectPage, key: str, item: Callable[[Any], Any]) -> JSONResponse:
    body: dict[str, Any] = {"more": page.more}
    if page.next is not None:
        body["next"] = page.next.token
    if page.objects:
        body[key] = [item(x) for x in page.objects]
    return taxii_json(body, headers=page_headers(page))


# -- the resources -----------------------------------------------------------------------------------------
def collection_out(c: Collection) -> dict[str, Any]:
    return {"id": c.id, "title": c.title, "description": c.description, "alias": c.name, "can_read": True,
            "can_write": False, "media_types": [STIX_MEDIA_TYPE]}


@router.get("/")
def discovery(request: Request, reads: Reader) -> JSONResponse:
    api = f"{str(request.url.replace(query='', fragment='')).rstrip('/')}/{API_ROOT}"  # beside this resource
    return taxii_json({"title": TITLE, "description": "The forewarn workbench's events as STIX 2.1, read-only, per "
                       "team and marking (docs/taxii.md).", "default": api, "api_roots": [api]})


@router.get(f"/{API_ROOT}")
def api_root(request: Request, reads: Reader) -> JSONResponse:
    ws: Workspace = root(request)
    return taxii_json({"title": f"{TITLE}: the workspace's collections", "versions": [MEDIA_TYPE],
                       "max_content_length": ws.settings.web_max_body})


@router.get(f"/{API_ROOT}collections/")
def collections(reads: Reader) -> JSONResponse:
    return taxii_json({"collections": [collection_out(c) for c in reads.collections()]})


@router.get(f"/{API_ROOT}collections/{{collection_id}}/")
def collection(reads: Reader, collection_id: CollectionId) -> JSONResponse:
    return taxii_json(collection_out(reads.collection(collection_id)))


@router.get(f"/{API_ROOT}collections/{{collection_id}}/objects/")
def objects(reads: Reader, collection_id: CollectionId, paging: Pages, match: Match) -> JSONResponse:
    page = reads.objects(reads.collection(collection_id), object_filter(paging, match), paging.limit, paging.after)
    return envelope(page, "objects", lambda x: x.object)


@router.get(f"/{API_ROOT}collections/{{collection_id}}/manifest/")
def manifest(reads: Reader, collection_id: CollectionId, paging: Pages, match: Match) -> JSONResponse:
    page = reads.objects(reads.collection(collection_id), object_filter(paging, match), paging.limit, paging.after)
    return envelope(page, "objects", lambda x: {"id": x.object["id"], "date_added": stamp(x.date_added),
                                                "version": version_of(x.object), "media_type": STIX_MEDIA_TYPE})


@router.get(f"/{API_ROOT}collections/{{collection_id}}/objects/{{object_id}}/")
def one_object(reads: Reader, collection_id: CollectionId, object_id: ObjectId, paging: Pages,
               versions: VersionMatch) -> JSONResponse:
    page = reads.object(reads.collection(collection_id), object_id, object_filter(paging, versions), paging.limit,
                        paging.after)
    return envelope(page, "objects", lambda x: x.object)


@router.get(f"/{API_ROOT}collections/{{collection_id}}/objects/{{object_id}}/versions/")
def object_versions(reads: Reader, collection_id: CollectionId, object_id: ObjectId, paging: Pages,
                    versions: VersionMatch) -> JSONResponse:
    page = reads.object(reads.collection(collection_id), object_id, object_filter(paging, versions), paging.limit,
                        paging.after)
    return envelope(page, "versions", lambda x: version_of(x.object))


@router.post(f"/{API_ROOT}collections/{{collection_id}}/objects/")
def add_objects(reads: Reader, collection_id: CollectionId) -> JSONResponse:
    raise read_only(reads.collection(collection_id))


@router.delete(f"/{API_ROOT}collections/{{collection_id}}/objects/{{object_id}}/")
def delete_object(reads: Reader, collection_id: CollectionId, object_id: ObjectId) -> JSONResponse:
    raise read_only(reads.collection(collection_id))


def read_only(c: Collection) -> Forbidden:
    return Forbidden(f"collection {c.id} ({c.name}) is read-only (can_write is false)",
                     hint="forewarn's TAXII server serves objects; bring objects in with `forewarn import`")


def taxii_app(workspace: Workspace) -> FastAPI:
    """The TAXII server over ``workspace``, to mount at :data:`PREFIX`."""
    app = FastAPI(title=TITLE, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.workspace = workspace
    handlers: dict[Any, Any] = {NotAcceptable: not_acceptable, ForewarnError: forewarn_error,
                                RequestValidationError: validation_error, StarletteHTTPException: http_error,
                                Exception: internal_error}
    for exc, handler in handlers.items():
        app.add_exception_handler(exc, handler)
    app.include_router(router)
    return app
