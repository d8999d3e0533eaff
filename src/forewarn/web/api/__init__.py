"""The REST API under ``/api/v1``. Conventions every endpoint keeps:

- Lists return :class:`~forewarn.web.api.common.Page`: ``items``, ``total``, ``limit``, ``offset``,
  ``next`` (the URL of the next page, or null); ``limit`` is 1–500 (default 50), ``offset`` ≥ 0.
- Filters are query parameters named as the command line's options.
- Times are ISO 8601 in UTC; dates ``YYYY-MM-DD``.
- Errors are RFC 9457 problem documents with the CLI's stable ``code``.
- Reads need a viewer; actions the role named on each endpoint, and for sessions a CSRF token.
- A query parameter the operation does not know, or a blank one, is refused (422).
"""

from fastapi import APIRouter, Depends

from forewarn.web.api import (
    accounts,
    ach,
    annotations,
    assumptions,
    deconflict,
    dissent,
    documents,
    entities,
    events,
    export,
    feed,
    handover,
    judgments,
    ledger,
    meta,
    roster,
    scenarios,
    scores,
    sources,
    teams,
    warnings,
)
from forewarn.web.api.common import known_query

router = APIRouter(prefix="/api/v1", dependencies=[Depends(known_query)])
for module in (meta, accounts, warnings, scenarios, events, export, documents, entities, ledger, sources, feed,
               handover, annotations, roster, judgments, dissent, scores, assumptions, ach, teams, deconflict):
    router.include_router(module.router)
