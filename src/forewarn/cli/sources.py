"""`forewarn source add/list/remove`."""

from __future__ import annotations

import typer
from rich.table import Table

from forewarn.app import Workspace
from forewarn.cli.context import run
from forewarn.cli.render import out, print_all, print_json, short
from forewarn.errors import InvalidArgument
from forewarn.ingest.sources import parse_map
from forewarn.model import Marking, Reliability, SourceKind

app = typer.Typer(help="Register the sources forewarn reads, with their reliability and marking.",
                  no_args_is_help=True)


def parse_options(pairs: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InvalidArgument(f"option {pair!r} is not KEY=VALUE", hint="e.g. --option channel=sumy_news")
        options[key.strip()] = value.strip()
    return options


@app.command("add")
def add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Display name, e.g. 'Sumy residents chat'."),
    location: str = typer.Argument(..., help="File, folder, or http(s) feed URL."),
    kind: SourceKind = typer.Option(SourceKind.AUTO, "--kind", help="Reader; auto picks by file extension."),
    source_id: str = typer.Option(None, "--id", help="Short id (default: from the name).", show_default=False),
    reliability: Reliability = typer.Option(Reliability.F, "--reliability", "-r",
                                            help="Admiralty grade A (completely reliable) … F (cannot be judged)."),
    marking: str = typer.Option("TLP:CLEAR", "--marking", "-m", help="TLP marking: CLEAR, GREEN, AMBER, "
                                "AMBER+STRICT, RED."),
    team: str = typer.Option(None, "--team", help="Owning team.", show_default=False),
    recipients: str = typer.Option("", "--recipients", help="Comma-separated accounts (for AMBER also teams) its "
                                   "documents are shared with (AMBER) or only for (RED)."),
    include: str = typer.Option("", "--include", help="Comma-separated globs of files to read in a folder."),
    exclude: str = typer.Option("", "--exclude", help="Comma-separated globs of files to skip."),
    column_map: str = typer.Option("", "--map", help="CSV/JSONL column mapping, e.g. text=body,date=published."),
    option: list[str] = typer.Option([], "--option", "-o", help="Reader option KEY=VALUE, e.g. channel=name "
                                     "for Telegram message links. Repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Register a source."""

    def action(ws: Workspace) -> None:
        opts = parse_options(option)
        for key, value in (("include", include), ("exclude", exclude), ("map", column_map)):
            if value:
                opts[key] = value
        mark = Marking.parse(marking)
        if "map" in opts:
            parse_map(opts["map"])  # fail now, not at the first ingest
        source = ws.sources.add(name, location, kind=kind, source_id=source_id, reliability=reliability,
                               marking=mark, team=team, options=opts, recipients=recipients.split(","))
        if as_json:
            print_json(source)
        else:
            out.print(f"added source [bold]{source.id}[/bold] ({source.kind.value}, {source.reliability.value}, "
                      f"{source.marking.value}) → {source.location}")

    run(ctx, action)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List registered sources."""
    sources = run(ctx, lambda ws: ws.reads.sources())
    if as_json:
        from forewarn.web.api.sources import source_out  # the API's item (its location without secrets)

        print_all([source_out(s) for s in sources])
        return
    table = Table("id", "kind", "name", "reliability", "marking", "location", title=f"{len(sources)} sources")
    for s in sources:
        table.add_row(s.id, s.kind.value, s.name, f"{s.reliability.value} ({s.reliability.label})",
                      s.marking.value, short(s.location, 60))
    out.print(table)


@app.command("remove")
def remove(ctx: typer.Context, source_id: str = typer.Argument(..., help="Source id.")) -> None:
    """Remove a source from the registry. Its documents stay in the workspace, naming it as provenance."""
    kept = run(ctx, lambda ws: ws.sources.remove(source_id))
    out.print(f"removed source {source_id}; {kept} documents keep it as their source")
