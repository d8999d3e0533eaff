"""What every command shares: resolved settings and one way to open the workspace.

:func:`run` is where errors reach the user: a forewarn error is printed with its code and the command
exits 1; a database error comes from the store as one (FW-E041 for a full disk, without the statement's
parameters), printed with the command's name, never a traceback. A command that changed the workspace says
on standard error whom the change was recorded as (not with ``--json``, whose output is only the JSON)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.markup import escape

from forewarn.app import Workspace
from forewarn.cli.render import err
from forewarn.config import Settings, load_settings
from forewarn.errors import ForewarnError, StorageFull, StoreUnavailable
from forewarn.model import Principal
from forewarn.runtime import settle

T = TypeVar("T")


class State:
    def __init__(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides

    def settings(self, defaults: dict[str, Any] | None = None, **extra: Any) -> Settings:
        return load_settings({**self.overrides, **extra}, defaults=defaults)


def fail(error: ForewarnError, doing: str = "") -> typer.Exit:
    """Print the error and exit 1; a store error names what the command was ``doing`` (the store cannot)."""
    during = f" ({doing})" if doing and isinstance(error, StoreUnavailable | StorageFull) else ""
    err.print(f"[red]error[/red]{during} {escape(str(error))}", markup=True, highlight=False)  # its text is not markup
    return typer.Exit(1)


def run(ctx: typer.Context, action: Callable[[Workspace], T], *, system: bool = False, long: bool = False,
        **extra: Any) -> T:
    """Open the workspace, do one thing, close it; a forewarn error becomes a message and exit 1.
    ``system``: act as forewarn itself (cycles, watch, replays) under the configured actor's name, not
    as the person at the terminal. ``long``: a long run (ingest, extraction, the watch): what start-up made is
    kept out of the garbage collector's full passes (:func:`forewarn.runtime.settle`)."""
    state: State = ctx.obj
    try:
        settings = state.settings(**extra)
        who = Principal.system(settings.resolved_actor()) if system else None
        with Workspace.open(settings, who=who) as ws:
            if long:
                settle()
            writes = ws.writes
            result = action(ws)
            if ws.writes > writes and not ctx.params.get("as_json"):
                say_recorded(ws.actor)
            return result
    except ForewarnError as e:
        raise fail(e, f"forewarn {ctx.command_path.partition(' ')[2] or ctx.info_name}") from None


def say_recorded(actor: str) -> None:
    """Tell who a change was recorded as (standard error: standard output stays the command's own)."""
    err.print(f"recorded as {actor}", markup=False)
