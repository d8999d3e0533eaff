"""`forewarn serve`: the workbench (pages and REST API) with Uvicorn."""

from __future__ import annotations

import ipaddress

import typer

from forewarn.app import Workspace
from forewarn.cli.context import fail
from forewarn.cli.render import err, out
from forewarn.config import Settings
from forewarn.errors import ForewarnError
from forewarn.runtime import settle


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_workspace(settings: Settings, banner: str = "") -> None:
    """Serve the workbench over the workspace until interrupted (Ctrl-C)."""
    import uvicorn

    from forewarn.web import create_app

    host, port = settings.web_host, settings.web_port
    if not is_loopback(host):
        err.print(f"[yellow]warning[/yellow] binding to {host}, beyond this machine: without TLS in front (a "
                  "reverse proxy), passwords and session cookies cross the network in clear. Put a TLS proxy in "
                  "front and set secure_cookies = true.", markup=True, highlight=False)
    with Workspace.open(settings) as ws:
        app = create_app(ws)
        settle()
        shown = f"[{host}]" if ":" in host else host
        out.print(f"workbench: http://{shown}:{port}/  (Ctrl-C stops it)", highlight=False)
        if banner:
            out.print(banner, highlight=False)
        uvicorn.run(app, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)


def serve(
    ctx: typer.Context,
    host: str = typer.Option(None, "--host", help="Address to bind (default 127.0.0.1; setting web_host).",
                             show_default=False),
    port: int = typer.Option(None, "--port", help="Port (default 8400; setting web_port).", show_default=False),
) -> None:
    """Serve the workbench: board, scenarios, events, documents, entities, ledger, post-mortem,
    sources, and the REST API under /api/v1 (OpenAPI at /api/v1/openapi.json)."""
    try:
        settings = ctx.obj.settings(web_host=host, web_port=port)
        serve_workspace(settings)
    except ForewarnError as e:
        raise fail(e) from None
