"""`forewarn dissent line|disposition|list`: protected dissent from a published line or a warning's disposition
(issue 17; docs/warnings.md, "Protected dissent"). A dissent is ledgered (``dissent-filed``) and cannot be edited
or removed; it is shown wherever the line or the disposition is."""

from __future__ import annotations

import typer
from rich.markup import escape

from forewarn.cli.context import run
from forewarn.cli.render import out, print_all, print_json, when
from forewarn.model.dissent import Dissent, dissent_json

JSON = typer.Option(False, "--json", help="Machine-readable output.")
TEXT = typer.Argument(..., help="What you disagree with, and why.")
app = typer.Typer(help="Protected dissent from a published line or a warning's disposition (analysts).",
                  no_args_is_help=True)


@app.command("line")
def line(ctx: typer.Context, line_id: int = typer.Argument(..., help="The published line's number."),
         text: str = TEXT, as_json: bool = JSON) -> None:
    """Dissent from a published line (once you may see it; ledgered: dissent-filed)."""
    shown(run(ctx, lambda ws: ws.dissents.file("line", line_id, text)), as_json)


@app.command("disposition")
def disposition(ctx: typer.Context, warning_id: int = typer.Argument(..., help="The warning's number."),
                text: str = TEXT, as_json: bool = JSON) -> None:
    """Dissent from a warning's disposition (ledgered: dissent-filed)."""
    shown(run(ctx, lambda ws: ws.dissents.file("disposition", warning_id, text)), as_json)


@app.command("list")
def list_dissents(ctx: typer.Context,
                  question: str = typer.Option(None, "--question", help="A question's number or scenario id.",
                                               show_default=False),
                  warning: int = typer.Option(None, "--warning", help="A warning's number.", show_default=False),
                  as_json: bool = JSON) -> None:
    """List the dissents you may see (a line's only once its question is revealed to you)."""
    found = run(ctx, lambda ws: ws.dissents.listing(question, warning))
    if as_json:
        print_all([dissent_json(d) for d in found])
        return
    for d in found:
        out.print(f"{d.id:>4}  {when(d.at)}  {describe(d)}  {d.analyst}: {escape(d.text)}", highlight=False)
    out.print(f"{len(found)} dissent(s)")


def describe(d: Dissent) -> str:
    if d.question_id is not None:
        return f"line {d.target_id} (question {d.question_id})"
    return f"disposition of warning {d.target_id}"


def shown(d: Dissent, as_json: bool) -> None:
    if as_json:
        print_json(dissent_json(d))
        return
    out.print(f"Dissent {d.id} from the {describe(d)} recorded.", highlight=False)
