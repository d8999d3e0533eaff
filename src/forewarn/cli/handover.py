"""`forewarn handover write|show|list|ack`: shift handover notes (docs/web.md, "Shift handover")."""

from __future__ import annotations

import typer
from rich.markup import escape

from forewarn.app import Workspace
from forewarn.cli.context import run
from forewarn.cli.render import out, print_json, print_page, when
from forewarn.warn.handover import Handover

JSON = typer.Option(False, "--json", help="Machine-readable output.")
app = typer.Typer(help="Shift handovers: the outgoing duty officer's note (open warnings and what changed are "
                  "filled in; you say what to watch), acknowledged by the incoming one.", no_args_is_help=True)


@app.command("write")
def write(ctx: typer.Context, watch: str = typer.Option(..., "--watch", help="What the next shift should watch."),
          corrects: int = typer.Option(None, "--corrects", min=1, help="The note this one corrects.",
                                       show_default=False), as_json: bool = JSON) -> None:
    """Write the handover note for the next shift (ledgered: handover-written)."""
    h = run(ctx, lambda ws: ws.handovers.write(watch, corrects))
    print_json(h) if as_json else show_note(h)


@app.command("show")
def show(ctx: typer.Context, handover_id: int = typer.Argument(None, min=1, help="Its number; the latest if left out."),
         as_json: bool = JSON) -> None:
    """Show one note (the latest by default)."""
    def action(ws: Workspace) -> Handover | None:
        return ws.handovers.get(handover_id) if handover_id else ws.handovers.latest()

    h = run(ctx, action)
    if h is None:
        out.print("No handover written yet.")
    elif as_json:
        print_json(h)
    else:
        show_note(h)


@app.command("list")
def list_notes(ctx: typer.Context, limit: int = typer.Option(20, "--limit", min=1, max=500),
               offset: int = typer.Option(0, "--offset", min=0), as_json: bool = JSON) -> None:
    """List the notes, newest first."""
    found, total = run(ctx, lambda ws: ws.handovers.listing(limit, offset))
    if as_json:
        print_page(found, total=total, limit=limit, offset=offset)
        return
    for h in found:
        acked = ", ".join(a.account for a in h.acks) or "not acknowledged"
        out.print(f"{h.id:>4}  {when(h.written_at)}  {escape(h.written_by)}  {len(h.open_warnings)} open  "
                  f"{escape('[' + acked + ']')}  {escape(h.watch[:60])}", highlight=False)
    out.print(f"{len(found)} of {total}")


@app.command("ack")
def ack(ctx: typer.Context, handover_id: int = typer.Argument(..., min=1), as_json: bool = JSON) -> None:
    """Acknowledge a note as the incoming officer (ledgered: handover-acknowledged)."""
    h = run(ctx, lambda ws: ws.handovers.acknowledge(handover_id))
    print_json(h) if as_json else out.print(f"handover {h.id} from {escape(h.written_by)} acknowledged")


def show_note(h: Handover) -> None:
    out.print(f"[bold]handover {h.id}[/bold] · {escape(h.written_by)} · {when(h.written_at)}"
              + (f" · corrects {h.corrects}" if h.corrects else ""), highlight=False)
    out.print("what to watch:", markup=False)
    out.print(f"  {h.watch}", markup=False)
    out.print(f"open warnings at writing ({len(h.open_warnings)}):", markup=False)
    for w in h.open_warnings:
        out.print(f"  #{w.id} {w.severity.upper()} {w.state} {w.owner}: {w.title}", markup=False)
    out.print(f"changed since {when(h.since)}:", markup=False)
    for c in h.warnings:
        out.print(f"  #{c.id} {c.what} {c.detail} by {c.by}: {c.title}".replace("  ", " "), markup=False)
    for x in h.levels:
        out.print(f"  {x.scenario}: {x.before or 'none'} -> {x.after or 'none'}", markup=False)
    if h.withheld:
        out.print(f"  ({h.withheld} item{'s' if h.withheld != 1 else ''} about holdings you may not see)", markup=False)
    out.print("acknowledged by: " + (", ".join(f"{a.account} ({when(a.at)})" for a in h.acks) or "nobody yet"),
              markup=False)
