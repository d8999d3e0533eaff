"""`forewarn question add|list|show|resolve`, `forewarn estimate QUESTION P`, `forewarn line publish QUESTION P`:
questions, blind estimates and published lines (issue 17; docs/warnings.md, "Questions and judgments").

QUESTION is a question's number, or a scenario's id for the scenario's own question (created when first
estimated on or published for)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import typer
from rich.markup import escape

from forewarn.app import Workspace
from forewarn.cli.context import run
from forewarn.cli.render import out, print_all, print_json, when
from forewarn.ingest.annotations import asked_compartment
from forewarn.model.dissent import Dissent, dissent_json
from forewarn.model.judgment import QuestionState, words
from forewarn.warn.judgments import QuestionView, estimate_json, question_json, view_json

JSON = typer.Option(False, "--json", help="Machine-readable output.")
REF = typer.Argument(..., help="The question's number, or a scenario's id for the scenario's own question.")
OUTCOMES = {"yes": QuestionState.RESOLVED_YES, "no": QuestionState.RESOLVED_NO, "annul": QuestionState.ANNULLED}
question_app = typer.Typer(help="Questions: binary, with criteria, a resolution date and an owner; every scenario "
                           "is one.", no_args_is_help=True)
line_app = typer.Typer(help="The published line: the probability and words a team passes up.", no_args_is_help=True)


@question_app.command("add")
def add(ctx: typer.Context, title: str = typer.Argument(..., help="The question, e.g. 'Will X happen by …?'"),
        criteria: str = typer.Option(..., "--criteria", help="What resolves it yes."),
        resolves_by: datetime = typer.Option(..., "--resolves-by", formats=["%Y-%m-%d"], help="YYYY-MM-DD."),
        owner: str = typer.Option(None, "--owner", help="Its owner (you by default).", show_default=False),
        reveal_at: datetime = typer.Option(None, "--reveal-at", help="When everyone sees every estimate (UTC).",
                                           show_default=False),
        marking: str = typer.Option(None, "--marking", help="Who may see it and all tied to it: TLP:AMBER, "
                                    "TLP:AMBER+STRICT or TLP:RED (default: every account).", show_default=False),
        team: list[str] = typer.Option([], "--team", help="An owning team of its marking (repeatable)."),
        recipients: str = typer.Option("", "--recipients", help="Named recipients, comma-separated (AMBER: accounts "
                                       "or teams; RED: accounts)."), as_json: bool = JSON) -> None:
    """Add a question (ledgered: question-added)."""
    day: date = resolves_by.date()
    named = [r.strip() for r in recipients.split(",") if r.strip()]
    q = run(ctx, lambda ws: ws.judgments.add_question(title, criteria, day, owner, _utc(reveal_at),
                                                      asked_compartment(marking, team, named)))
    print_json(question_json(q)) if as_json else out.print(f"Question {q.id} added: {escape(q.title)}", highlight=False)


@question_app.command("list")
def list_questions(ctx: typer.Context, state: QuestionState = typer.Option(None, "--state", show_default=False),
                   as_json: bool = JSON) -> None:
    """List the questions (newest first) with your estimate; others' only once yours is in."""
    found = run(ctx, lambda ws: ws.judgments.listing(state))
    if as_json:
        print_all([view_json(v) for v in found])
        return
    for v in found:
        q, mine = v.question, (f"{v.mine[-1].probability:.0%}" if v.mine else "—")
        out.print(f"{q.id:>4}  {q.state.value:<12} by {q.resolves_by}  yours {mine:>4}  {escape(q.title)}",
                  highlight=False)
    out.print(f"{len(found)} question(s)")


@question_app.command("show")
def show(ctx: typer.Context, ref: str = REF, as_json: bool = JSON) -> None:
    """Show a question as you may see it: until your estimate is in (or its reveal time passes) only yours."""
    v, dissents = run(ctx, lambda ws: _with_dissents(ws, ws.judgments.shown(ref)))
    if as_json:  # the dissents from its lines travel with them
        print_json({**view_json(v), "dissents": [dissent_json(d) for d in dissents]})
        return
    show_view(v)
    for d in dissents:
        out.print(f"  dissent from line {d.target_id}  {when(d.at)}  {escape(d.analyst)}: {escape(d.text)}",
                  highlight=False)


def _with_dissents(ws: Workspace, v: QuestionView) -> tuple[QuestionView, tuple[Dissent, ...]]:
    return v, ws.dissents.of_view(v)


@question_app.command("resolve")
def resolve(ctx: typer.Context, ref: str = REF,
            outcome: str = typer.Argument(..., help="yes, no or annul."),
            rationale: str = typer.Option(..., "--rationale", help="Why (required)."), as_json: bool = JSON) -> None:
    """Resolve a question yes or no, or annul it (ledgered: question-resolved)."""
    state = OUTCOMES.get(outcome.strip().lower())
    if state is None:
        raise typer.BadParameter("the outcome is yes, no or annul", param_hint="OUTCOME")
    q = run(ctx, lambda ws: ws.judgments.resolve(ref, state, rationale))
    print_json(question_json(q)) if as_json else out.print(f"Question {q.id} {q.state.value}.", highlight=False)


def estimate(ctx: typer.Context, ref: str = REF,
             probability: float = typer.Argument(..., help="Strictly between 0 and 1, e.g. 0.3."),
             rationale: str = typer.Option("", "--rationale", help="Why, in a sentence or two."),
             as_json: bool = JSON) -> None:
    """Record your estimate on a question (ledgered: estimate-recorded); a change is a new estimate."""
    e = run(ctx, lambda ws: ws.judgments.estimate(ref, probability, rationale))
    if as_json:
        print_json(estimate_json(e))
    else:
        out.print(f"Estimate recorded on question {e.question_id}: {e.probability:.0%} ({e.words})"
                  f"{' — blind' if e.blind else ''}.", highlight=False)


@line_app.command("publish")
def publish(ctx: typer.Context, ref: str = REF,
            probability: float = typer.Argument(..., help="Strictly between 0 and 1."),
            text: str = typer.Option(None, "--words", help="The words passed up (ICD 203 words by default).",
                                     show_default=False), as_json: bool = JSON) -> None:
    """Publish the team's line on a question (duty officer; ledgered: line-published, with its softening gap)."""
    x = run(ctx, lambda ws: ws.judgments.line_shown(ws.judgments.publish_line(ref, probability, text)))
    if as_json:
        print_json(x)
        return
    said = (f"gap to the analysts {_logits(x['gap'])}, to the model {_logits(x['model_gap'])}"
            f"{' — FLAGGED: softer than the analysts' if x['flagged'] else ''}" if not x.get("withheld") else
            "its gaps are withheld until you record an estimate of your own on the question")
    out.print(f"Line published on question {x['question_id']}: {x['probability']:.0%} \"{escape(x['words'])}\"; "
              f"{said}.", highlight=False)


def show_view(v: QuestionView) -> None:
    q = v.question
    head = f"Question {q.id} [{q.state.value}]" if v.asked else f"Scenario {q.scenario_id}'s question [not yet asked]"
    out.print(f"{head} {escape(q.title)}", highlight=False)
    out.print(f"  criteria: {escape(q.criteria)}\n  resolves by {q.resolves_by}; owner {escape(q.owner)}"
              f"{'; scenario ' + q.scenario_id if q.scenario_id else ''}", highlight=False)
    for e in v.mine:
        out.print(f"  yours  {when(e.at)}  {e.probability:.0%} ({e.words})  {escape(e.rationale)}", highlight=False)
    if not v.revealed:
        out.print("  Others' estimates, the published line and the model are hidden until your estimate is in.")
        return
    for e in (e for e in v.history if e not in v.mine):  # every other analyst's estimate and change, oldest first
        out.print(f"  {escape(e.analyst)}  {when(e.at)}  {e.probability:.0%} ({e.words})", highlight=False)
    for x in v.lines:
        out.print(f"  line  {when(x.at)}  {x.probability:.0%} \"{escape(x.words)}\" by {escape(x.published_by)}; "
                  f"gap {_logits(x.gap)}{' FLAGGED' if x.flagged else ''}", highlight=False)
    if v.model is not None:
        out.print(f"  model now {v.model:.0%} ({words(v.model)})", highlight=False)


def _logits(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f} logits"


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
