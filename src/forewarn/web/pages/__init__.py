"""Server-rendered pages (Jinja2 templates in ``../templates``)."""

from fastapi import APIRouter, Depends

from forewarn.web.api.common import known_names
from forewarn.web.pages import (
    ach,
    analysis,
    annotations,
    assumptions,
    board,
    deconflict,
    dissent,
    documents,
    entities,
    events,
    feed,
    handover,
    ledger,
    postmortem,
    questions,
    roster,
    scenarios,
    scores,
    session,
    sources,
    teams,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(known_names)])  # unknown query parameters: 422
for module in (session, board, scenarios, events, documents, entities, ledger, postmortem, sources, feed, handover,
               roster, questions, ach, scores, dissent, assumptions, analysis, teams, deconflict,
               annotations):  # annotations last: its /events/{id} must not shadow another's /events/…
    router.include_router(module.router)
