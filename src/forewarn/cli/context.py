"""What every command shares: resolved settings and one way to open the workspace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import typer

from forewarn.app import Workspace
from forewarn.cli.render import err
from forewarn.config import Settings, load_settings
from forewarn.errors import ForewarnError

T = TypeVar("T")


class State:
    def __init__(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides

    def settings(self, defaults: dict[str, Any] | None = None, **extra: Any) -> Settings:
        return load_settings({**self.overrides, **extra}, defaults=defaults)


def fail(error: ForewarnError) -> typer.Exit:
    err.print(f"[red]error[/red] {error}", markup=True, highlight=False)
    return typer.Exit(1)


def run(ctx: typer.Context, action: Callable[[Workspace], T], **extra: Any) -> T:
    """Open the workspace, do one thing, close it; a forewarn error becomes a message and exit 1."""
    state: State = ctx.obj
    try:
        with Workspace.open(state.settings(**extra)) as ws:
            return action(ws)
    except ForewarnError as e:
        raise fail(e) from None
