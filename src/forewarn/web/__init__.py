"""The workbench: a FastAPI application serving server-rendered pages (``pages``) and a REST API
under ``/api/v1`` (``api``), with accounts, roles and CSRF protection (``auth``). ``forewarn serve``
runs it with Uvicorn; :func:`create_app` builds it for tests and benchmarks."""

from forewarn.web.server import create_app

__all__ = ["create_app"]
