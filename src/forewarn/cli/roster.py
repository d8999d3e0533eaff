"""`forewarn roster add/list/remove`: the duty roster, who holds a role (a post that escalation chains
name) during a shift. Warnings raised, escalated or reminded go to the person on shift then."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from forewarn.cli.context import run
from forewarn.cli.render import out, print_all, print_json, when
from forewarn.warn.roster import Shift
from forewarn.web.ledger_views import moment

app = typer.Typer(help="The duty roster: who holds a role (duty-officer, director …) during a shift.",
                  no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output.")


@app.command("add")
def add(
    ctx: typer.Context,
    role: str = typer.Argument(..., help="The role or post, as escalation chains name it (e.g. duty-officer)."),
    user: str = typer.Argument(..., help="The account that holds it (`forewarn user list`)."),
    start: str = typer.Option(None, "--from", help="Shift start: YYYY-MM-DD or an ISO date-time, UTC unless it "
                              "names an offset (default: now).", show_default=False),
    until: str = typer.Option(None, "--until", help="Shift end (default: until removed).", show_default=False),
    as_json: bool = JSON,
) -> None:
    """Put an account on a shift of a role (recorded in the ledger)."""
    shift = run(ctx, lambda ws: ws.warnings.roster_add(role, user, moment(start, "--from"),
                                                       moment(until, "--until")))
    if as_json:
        print_json(shift)
        return
    out.print(f"roster entry {shift.id}: {shift.role} held by {shift.account} ({shift.name}) {_period(shift)}",
              markup=False)


@app.command("list")
def listing(
    ctx: typer.Context,
    at: str = typer.Option(None, "--at", help="Only the shifts covering this time (YYYY-MM-DD or ISO date-time).",
                           show_default=False),
    as_json: bool = JSON,
) -> None:
    """The roster, by role then shift start (removed entries are left out)."""
    shifts = run(ctx, lambda ws: ws.warnings.roster(moment(at, "--at")))
    if as_json:
        from forewarn.web.api.roster import shift_out  # the API's item

        print_all([shift_out(s) for s in shifts])
        return
    table = Table("id", "role", "account", "name", "from", "until", "added by", title=f"{len(shifts)} shifts")
    for s in shifts:
        table.add_row(str(s.id), escape(s.role), escape(s.account), escape(s.name), when(s.starts_at),
                      when(s.ends_at) if s.ends_at else "until removed", escape(s.added_by))
    out.print(table)


@app.command("remove")
def remove(
    ctx: typer.Context,
    shift_id: int = typer.Argument(..., help="Roster entry number (`forewarn roster list`)."),
    as_json: bool = JSON,
) -> None:
    """Take a shift off the roster (kept in the store and the ledger, marked removed)."""
    shift = run(ctx, lambda ws: ws.warnings.roster_remove(shift_id))
    if as_json:
        print_json(shift)
        return
    out.print(f"roster entry {shift.id} removed: {shift.role} held by {shift.account} {_period(shift)}",
              markup=False)


def _period(s: Shift) -> str:
    return f"from {when(s.starts_at)} " + (f"until {when(s.ends_at)}" if s.ends_at else "until removed")
