"""Server-rendered pages (Jinja2 templates in ``../templates``)."""

from fastapi import APIRouter

from forewarn.web.pages import board, documents, entities, events, ledger, postmortem, scenarios, session, sources

router = APIRouter(include_in_schema=False)
for module in (session, board, scenarios, events, documents, entities, ledger, postmortem, sources):
    router.include_router(module.router)
