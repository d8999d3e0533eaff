"""`forewarn assumption add|list|show|review|withdraw`: key assumptions behind a question's lines, with signposts
that watch themselves (issue 17; docs/warnings.md, "Key assumptions"). Each warning cycle flags an assumption whose
signpost matched new evidence and notifies its owner."""

from __future__ import annotations

from pathlib import Path

import typer
import yaml
from rich.markup import escape

from forewarn.cli.context import run
from forewarn.cli.render import out, print_all, print_json, when
from forewarn.errors import Code, ForewarnError, SignpostInvalid
from forewarn.model.assumption import Assumption, AssumptionState
from forewarn.warn.assumptions import AssumptionView, assumption_json, signpost_json, view_json

JSON = typer.Option(False, "--json", help="Machine-readable output.")
ID = typer.Argument(..., help="The assumption's number.")
assumption_app = typer.Typer(help="Key assumptions behind a question's lines, with signposts (indicators in the "
                             "scenario format) that flag them for review when new evidence matches.",
                             no_args_is_help=True)


@assumption_app.command("add")
def add(ctx: typer.Context, question: str = typer.Argument(..., help="The question's number, or a scenario's id."),
        text: str = typer.Argument(..., help="The assumption, in a sentence."),
        signposts: Path = typer.Option(..., "--signposts", help="A YAML file: a list of indicators in the scenario "
                                       "format (events or claim), each with the region it watches."),
        owner: str = typer.Option(None, "--owner", help="Its owner (you by default).", show_default=False),
        line: int = typer.Option(None, "--line", help="The published line it was made for.", show_default=False),
        as_json: bool = JSON) -> None:
    """Add an assumption (ledgered: assumption-added); analyst or above."""
    a = run(ctx, lambda ws: ws.assumptions.add(question, text, read_signposts(signposts), owner, line))
    print_json(assumption_json(a)) if as_json else out.print(f"Assumption {a.id} added on question {a.question_id}",
                                                             highlight=False)


@assumption_app.command("list")
def list_assumptions(ctx: typer.Context, question: str = typer.Option(None, "--question", show_default=False),
                     state: AssumptionState = typer.Option(None, "--state", show_default=False),
                     as_json: bool = JSON) -> None:
    """List the assumptions you may see (a question's only once your estimate on it is in)."""
    found = run(ctx, lambda ws: ws.assumptions.listing(question, state))
    if as_json:
        print_all([assumption_json(a) for a in found])
        return
    for a in found:
        out.print(line_of(a), highlight=False)
    out.print(f"{len(found)} assumption(s)")


@assumption_app.command("show")
def show(ctx: typer.Context, assumption_id: int = ID, as_json: bool = JSON) -> None:
    """Show an assumption: its signposts, the evidence that matched them, its reviews."""
    v = run(ctx, lambda ws: ws.assumptions.get(assumption_id))
    print_json(view_json(v)) if as_json else show_view(v)


@assumption_app.command("review")
def review(ctx: typer.Context, assumption_id: int = ID,
           outcome: str = typer.Argument(..., help="holds or broken."),
           rationale: str = typer.Option(..., "--rationale", help="Why."), as_json: bool = JSON) -> None:
    """Review an assumption: it holds (and is watched on) or it is broken (ledgered: assumption-reviewed);
    its owner or an admin."""
    if outcome not in ("holds", "broken"):
        raise typer.BadParameter("holds or broken", param_hint="OUTCOME")
    a = run(ctx, lambda ws: ws.assumptions.review(assumption_id, outcome == "holds", rationale))
    print_json(assumption_json(a)) if as_json else out.print(f"Assumption {a.id} is {a.state.value}")


@assumption_app.command("withdraw")
def withdraw(ctx: typer.Context, assumption_id: int = ID) -> None:
    """Withdraw an assumption (ledgered: assumption-withdrawn); its owner, its author or an admin."""
    a = run(ctx, lambda ws: ws.assumptions.withdraw(assumption_id))
    out.print(f"Assumption {a.id} is {a.state.value}")


def read_signposts(path: Path) -> str:
    """A signposts file's text (UTF-8); a missing, unreadable or non-UTF-8 file is a coded error."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SignpostInvalid(f"{path}: the file is not UTF-8 text", hint="save it as UTF-8") from None
    except OSError as e:
        raise ForewarnError(f"cannot read {path}: {e.strerror}", hint="check the path",
                            code=Code.FILE_MISSING) from None


def line_of(a: Assumption) -> str:
    return f"{a.id:>4}  q{a.question_id:<4} {a.state.value:<16} {a.owner:<12} {escape(a.text[:80])}"


def show_view(v: AssumptionView) -> None:
    a = v.assumption
    out.print(f"Assumption {a.id} on question {v.question.id} ({escape(v.question.title)})", highlight=False)
    out.print(f"  {escape(a.text)}", highlight=False)
    out.print(f"  state {a.state.value}; owner {a.owner}; added {when(a.created_at)} by {a.created_by}",
              highlight=False)
    if a.review:
        out.print(f"  reviewed {when(a.reviewed_at)} by {a.reviewed_by}: {escape(a.review)}", highlight=False)
    out.print("Signposts:")
    shown = [signpost_json(i, r) for i, r in v.signposts]
    out.print(escape(yaml.safe_dump(shown, sort_keys=False, allow_unicode=True)), highlight=False)
    out.print(f"Matches: {len(v.matches)}")
    for m in v.matches:
        out.print(f"  {when(m.known_at)}  {m.signpost}  {m.kind} {m.evidence_id}: {escape(m.evidence[:100])}",
                  highlight=False)
