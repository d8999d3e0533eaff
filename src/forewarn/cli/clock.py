"""`forewarn clock show|set|clear`: the workspace's own time (a demo's, a replayed workspace's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer

from forewarn.app import Workspace
from forewarn.cli.context import run
from forewarn.cli.render import out, print_json
from forewarn.ledger.clock import ClockView
from forewarn.model.clock import WorkspaceTime
from forewarn.review.steps import parse_instant

app = typer.Typer(help="The workspace's own time: the 'now' its board, pages, assessments and cycles use.",
                  no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output.")


@app.command("show")
def show(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Say the time this workspace lives in, and whether it is the real time."""
    view = run(ctx, lambda ws: ws.time.show())
    if as_json:
        print_json(view_json(view))
        return
    out.print(describe(view), markup=False)


@app.command("set")
def set_time(
    ctx: typer.Context,
    at: str = typer.Argument(..., help="The workspace's time: ISO 8601 (UTC unless it names an offset; a date "
                             "alone is midnight UTC)."),
    frozen: bool = typer.Option(False, "--frozen", help="Stay at that time (default: run on from it as the real "
                                "time passes)."),
    as_json: bool = JSON,
) -> None:
    """Set the workspace's time: the board, pages, `scenario show`, `assess`, `cycle`, `watch` and the
    post-mortem then use it. Ledgered (clock-set); refused before the ledger's last entry (FW-E091)."""

    def action(ws: Workspace) -> ClockView:
        ws.time.set(parse_instant(at, "WHEN"), frozen=frozen)
        return ws.time.show()

    view = run(ctx, action)
    if as_json:
        print_json(view_json(view))
        return
    out.print(describe(view), markup=False)


@app.command("clear")
def clear(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Go back to the real time. Ledgered (clock-cleared); refused while the real time is before the ledger's
    last entry (FW-E091)."""

    def action(ws: Workspace) -> tuple[WorkspaceTime | None, ClockView]:
        return ws.time.clear(), ws.time.show()

    was, view = run(ctx, action)
    if as_json:
        print_json(view_json(view) | {"cleared": was is not None})
        return
    out.print("the workspace ran on the real time already" if was is None else
              f"cleared the workspace time set by {was.set_by}; {describe(view)}", markup=False)


def describe(view: ClockView) -> str:
    """One line: the workspace's time, how it was set, and the real time."""
    if view.setting is None:
        return f"workspace time is the real time: {_stamp(view.real)}"
    s = view.setting
    how = "running on" if s.running else "frozen"
    return (f"workspace time {_stamp(view.now)} ({how}; set to {_stamp(s.at)} by {s.set_by} at real time "
            f"{_stamp(s.set_at)}); real time {_stamp(view.real)}")


def view_json(view: ClockView) -> dict[str, Any]:
    s = view.setting
    return {"own": view.own, "now": view.now, "real": view.real,
            "set": None if s is None else {"at": s.at, "set_at": s.set_at, "running": s.running, "set_by": s.set_by}}


def _stamp(value: datetime) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S} UTC"
