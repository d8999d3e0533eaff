"""The `forewarn` command."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from forewarn import __version__
from forewarn.cli import (
    accounts,
    clock,
    demo,
    docs,
    entities,
    events,
    extract,
    ingest,
    ledger,
    notes,
    review,
    roster,
    scenario,
    serve,
    sources,
    watch,
)
from forewarn.cli import ach as ach_cli
from forewarn.cli import assumptions as assumptions_cli
from forewarn.cli import deconflict as deconflict_cli
from forewarn.cli import dissent as dissent_cli
from forewarn.cli import feed as feed_cli
from forewarn.cli import handover as handover_cli
from forewarn.cli import judgments as judgments_cli
from forewarn.cli import scores as scores_cli
from forewarn.cli import teams as teams_cli
from forewarn.cli import warnings as warnings_cli
from forewarn.cli.context import State, fail
from forewarn.cli.render import out, print_json
from forewarn.config import settings_markdown
from forewarn.errors import ForewarnError

app = typer.Typer(
    name="forewarn",
    help="forewarn — open-source indications and warning. Reads open-source reporting into a "
    "workspace of sourced, deduplicated documents (and, as it grows, events, scenarios and warnings).",
    epilog="--json: a list prints the API's page envelope, {\"items\": [...], \"total\": n, \"limit\": n, "
    "\"offset\": n, \"next\": \"50\" or null}, each item with the API's fields; `next` is what to give --offset "
    "(or --cursor) for the next page, null on the last.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

@app.callback()
def main(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", help="Workspace store URL (sqlite:///file.db or "
                           "postgresql+psycopg://…). Env: FOREWARN_DATABASE_URL.", show_default=False),
    actor: str = typer.Option(None, "--actor", help="Who is acting (recorded on runs). Env: FOREWARN_ACTOR.",
                              show_default=False),
    config: Path = typer.Option(None, "--config", help="Settings file (default ./forewarn.toml). "
                                "Env: FOREWARN_CONFIG.", show_default=False),
) -> None:
    overrides: dict[str, Any] = {"database_url": db, "actor": actor}
    if config is not None:
        os.environ["FOREWARN_CONFIG"] = str(config)
    ctx.obj = State(overrides)


@app.command()
def version() -> None:
    """Print the forewarn version."""
    out.print(__version__)


@app.command("config")
def show_config(
    ctx: typer.Context,
    markdown: bool = typer.Option(False, "--markdown", help="Print the configuration reference."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show the settings in force, after flags, environment and forewarn.toml."""
    if markdown:
        print(settings_markdown(), end="")
        return
    try:
        settings = ctx.obj.settings()
    except ForewarnError as e:
        raise fail(e) from None
    shown = settings.shown()
    if as_json:
        print_json(shown)
        return
    for name, value in shown.items():
        out.print(f"{name} = {value!r}")
app.add_typer(sources.app, name="source")
app.add_typer(docs.app, name="docs")
app.add_typer(ingest.runs_app, name="runs")
app.command()(ingest.ingest)
app.command("import")(ingest.import_)
app.command()(extract.extract)
app.command()(docs.stats)
app.command("demo")(demo.demo)
app.command("events")(events.events)
app.command("export")(events.export)
app.add_typer(entities.app, name="entities")
app.add_typer(notes.note_app, name="note")
app.add_typer(notes.tag_app, name="tag")
app.add_typer(notes.event_app, name="event")
app.add_typer(ledger.app, name="ledger")
app.command("replay")(review.replay)
app.command("postmortem")(review.postmortem)
app.add_typer(scenario.app, name="scenario")
app.command("assess")(scenario.assess)
app.command("surges")(scenario.surges)
app.command("warn")(warnings_cli.warn)
app.add_typer(warnings_cli.app, name="warnings")
app.command("ack")(warnings_cli.ack)
app.command("dispose")(warnings_cli.dispose)
app.command("escalate")(warnings_cli.escalate)
app.command("notify")(warnings_cli.notify)
app.command("outbox")(warnings_cli.outbox)
app.command("watch")(watch.watch)
app.command("cycle")(watch.cycle)
app.add_typer(clock.app, name="clock")
app.command("serve")(serve.serve)
app.add_typer(accounts.user_app, name="user")
app.add_typer(feed_cli.app, name="feed")  # the live feed
app.add_typer(handover_cli.app, name="handover")  # shift handovers
app.add_typer(judgments_cli.question_app, name="question")  # questions and judgments
app.command("estimate")(judgments_cli.estimate)
app.add_typer(judgments_cli.line_app, name="line")
app.command("scores")(scores_cli.scores)  # scores, calibration, aggregation
app.add_typer(dissent_cli.app, name="dissent")  # protected dissent
app.add_typer(ach_cli.app, name="ach")  # competing hypotheses
app.add_typer(assumptions_cli.assumption_app, name="assumption")  # key assumptions
app.add_typer(deconflict_cli.deconflict_app, name="deconflict")  # deconfliction (issue 18)
app.add_typer(accounts.token_app, name="token")
app.add_typer(roster.app, name="roster")
app.add_typer(teams_cli.team_app, name="team")  # teams and members (issue 18)
app.command("mark")(teams_cli.mark)  # raise a marking
app.add_typer(teams_cli.audit_app, name="audit")  # who read what; a team's report
