"""`forewarn feed` (the live feed, newest known first, new items marked) and `forewarn feed seen`."""

from __future__ import annotations

import typer
from rich.markup import escape

from forewarn.cli.context import run
from forewarn.cli.render import out, print_json, when
from forewarn.reads.feed import FeedQuery

app = typer.Typer(help="The live feed: incoming documents newest known first, with their source grade, place and "
                  "why they were flagged; items new since your last mark are starred.", invoke_without_command=True)


@app.callback()
def feed(ctx: typer.Context,
         scenario: str = typer.Option(None, "--scenario", help="Only items this scenario matched.", show_default=False),
         flagged: bool = typer.Option(False, "--flagged", help="Only items some scenario matched."),
         cursor: str = typer.Option(None, "--cursor", help="The `next` of the page before.", show_default=False),
         limit: int = typer.Option(50, "--limit", min=1, max=500),
         as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Show a page of the feed (reading it moves no mark: `forewarn feed seen` does)."""
    if ctx.invoked_subcommand is not None:
        return
    found = run(ctx, lambda ws: ws.feed.page(FeedQuery(scenario, flagged, cursor, limit)))
    if as_json:
        print_json({"items": found.items, "total": None, "limit": limit, "offset": 0, "next": found.next,
                    "new": found.new, "new_since": found.new_since})
        return
    for i in found.items:
        why = "; ".join(f"{f.scenario}: {f.indicator}" for f in i.flags)
        out.print(f"{'*' if i.new else ' '} {when(i.known_at)}  [{escape(i.grade or '-')}] {escape(i.source or '-')}"
                  f"  {escape(i.headline[:70])}" + (f"  ({escape(i.place)})" if i.place else "")
                  + (f"\n      flagged: {escape(why)}" if why else ""), highlight=False)
    out.print(f"{found.new_shown} new since {when(found.new_since)}" + (f"; next: --cursor {found.next}"
                                                                          if found.next else ""))


@app.command("seen")
def seen(ctx: typer.Context) -> None:
    """Mark everything in the feed seen (ledgered: feed-seen)."""
    until = run(ctx, lambda ws: ws.feed.seen())
    out.print(f"marked seen up to {when(until)}" if until else "the feed is empty")
