"""The OpenAPI schema, completed with every problem response an operation can give.

FastAPI documents the successes and a 422 of its own shape; the API answers errors as RFC 9457
problem documents (``application/problem+json``). Each operation's problems are derived here, in one
place, from what the route is: 401 and 503 where an account is needed, 403 where a role above
viewer (or, for sessions, the CSRF token) is, 404 where the path or body names something, 409 and
413 for actions, 422 everywhere (validation, an unknown query parameter, a blank filter).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, get_args

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from forewarn.accounts import Role
from forewarn.web import auth
from forewarn.web.problems import PROBLEM

# the dependency behind each role alias: (least role, an action with a CSRF check)
ROLE_ALIASES = ((auth.Viewer, Role.VIEWER, False), (auth.Analyst, Role.ANALYST, False),
                (auth.DutyOfficer, Role.DUTY_OFFICER, False), (auth.Admin, Role.ADMIN, False),
                (auth.ActViewer, Role.VIEWER, True), (auth.ActAnalyst, Role.ANALYST, True),
                (auth.ActDutyOfficer, Role.DUTY_OFFICER, True), (auth.ActAdmin, Role.ADMIN, True))
ROLE_OF: dict[Any, tuple[Role, bool]] = {get_args(alias)[1].dependency: (role, acts)
                                         for alias, role, acts in ROLE_ALIASES}
# reads open to viewers that still refuse some callers (another account's tokens: admin only)
FORBIDDING_READS = frozenset({("get", "/api/v1/tokens")})
# reads whose query names something that may not exist (the feed's scenario; the question of assumptions and dissents)
NAMING_READS = frozenset({("get", "/api/v1/feed"), ("get", "/api/v1/assumptions"), ("get", "/api/v1/dissents")})
WHY = {
    "401": "Not authenticated: no, or an unknown, expired or revoked session or token (FW-E100)",
    "403": "The role may not do this (FW-E101), or a session sent no CSRF token (FW-E102)",
    "404": "Something the request names does not exist (FW-E003)",
    "409": "The action conflicts with the current state (FW-E004, FW-E060, FW-E080, …)",
    "413": "The request body is larger than this route accepts (FW-E105)",
    "422": "The request is invalid: a value out of its range or form (FW-E005 and others), a blank filter, or "
           "an unknown query parameter (FW-E106)",
    "503": "The database is unavailable (FW-E002)",
}


class Problem(BaseModel):
    """An RFC 9457 problem document with forewarn's stable error code."""

    model_config = ConfigDict(extra="allow")
    type: str = Field(description="/api/v1/errors/{code}: what the code means")
    title: str
    status: int
    detail: str = Field(description="what went wrong, and where")
    code: str = Field(description="the stable forewarn error code, e.g. FW-E101")
    hint: str | None = Field(None, description="what to do about it")
    instance: str | None = Field(None, description="the request's path")
    errors: list[dict[str, Any]] | None = Field(None, description="each invalid field (validation errors)")


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` build (once) the completed schema."""

    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            app.openapi_schema = complete(schema, app)
        return app.openapi_schema

    app.openapi = build  # type: ignore[method-assign]


def complete(schema: dict[str, Any], app: FastAPI) -> dict[str, Any]:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for method, path, dependant in api_routes(app):
        operation = schema["paths"].get(path, {}).get(method)
        if operation is not None:
            operation["responses"] = responses(operation, method, path, dependant)
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    return schema


def api_routes(app: FastAPI) -> Iterator[tuple[str, str, Dependant]]:
    """(method in lower case, path, dependant) of every API route in the schema."""
    for context in routing.iter_route_contexts(app.routes):
        route, path = context.route, context.path or ""
        if isinstance(route, routing.APIRoute) and route.include_in_schema and path.startswith("/api/"):
            for method in context.methods or ():
                yield method.lower(), path, route.dependant


def dependencies(dependant: Dependant) -> Iterator[Dependant]:
    """``dependant`` and every dependency below it, depth first."""
    yield dependant
    for sub in dependant.dependencies:
        yield from dependencies(sub)


def role_of(dependant: Dependant) -> tuple[Role, bool] | None:
    """The least role the route needs and whether it is an action; None for an open route."""
    return next((ROLE_OF[d.call] for d in dependencies(dependant) if d.call in ROLE_OF), None)


def problem_statuses(operation: dict[str, Any], method: str, path: str, dependant: Dependant) -> list[str]:
    needs = role_of(dependant)
    acts = method != "get"
    statuses = ["422"]
    if needs is not None:
        statuses += ["401", "503"]
        role, csrf = needs
        if role != Role.VIEWER or csrf or (method, path) in FORBIDDING_READS:
            statuses.append("403")
    if "{" in path or "requestBody" in operation or (method, path) in NAMING_READS:
        statuses.append("404")
    if acts:
        statuses += ["409", "413"]
    return sorted(statuses)


def responses(operation: dict[str, Any], method: str, path: str, dependant: Dependant) -> dict[str, Any]:
    kept = {code: r for code, r in operation.get("responses", {}).items() if code.startswith(("2", "3"))}
    for status in problem_statuses(operation, method, path, dependant):
        kept[status] = {"description": WHY[status],
                        "content": {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    return kept
