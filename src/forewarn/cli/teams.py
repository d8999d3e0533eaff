"""`forewarn team …`, `forewarn mark …` and `forewarn audit …`: teams and their members (admins), raising the
marking of a source, document, scenario or question (its owner; never lowered), who read what restricted object
(admins) and a team's report (admins and its members). Every change is recorded in the ledger."""

from __future__ import annotations

from enum import StrEnum

import typer
from rich.markup import escape
from rich.table import Table

from forewarn.cli.context import run
from forewarn.cli.render import out, print_json, print_page, when
from forewarn.warn.teams import Team, TeamReport
from forewarn.web.ledger_views import moment

team_app = typer.Typer(help="Teams (owners of compartments) and their members: admins change them.",
                       no_args_is_help=True)
audit_app = typer.Typer(help="Who read which AMBER or RED object (admins); a team's report.", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Machine-readable output.")


class Kind(StrEnum):
    source = "source"
    document = "document"
    scenario = "scenario"
    question = "question"


@team_app.command("add")
def add(ctx: typer.Context, team_id: str = typer.Argument(..., help="A short slug, e.g. border-watch."),
        name: str = typer.Option("", "--name", help="What the team is called (default: its id)."),
        as_json: bool = JSON) -> None:
    """Add a team (admins; recorded in the ledger)."""
    _team_out(run(ctx, lambda ws: ws.teams.add(team_id, name)), as_json)


@team_app.command("add-member")
def add_member(ctx: typer.Context, team_id: str = typer.Argument(..., help="The team's id."),
               account: str = typer.Argument(..., help="An account (`forewarn user list`)."),
               as_json: bool = JSON) -> None:
    """Put an account in a team (admins; recorded in the ledger)."""
    _team_out(run(ctx, lambda ws: ws.teams.add_member(team_id, account)), as_json)


@team_app.command("remove-member")
def remove_member(ctx: typer.Context, team_id: str = typer.Argument(..., help="The team's id."),
                  account: str = typer.Argument(..., help="A member of it."), as_json: bool = JSON) -> None:
    """Take an account out of a team (admins; recorded in the ledger)."""
    _team_out(run(ctx, lambda ws: ws.teams.remove_member(team_id, account)), as_json)


@team_app.command("list")
def listing(ctx: typer.Context, as_json: bool = JSON) -> None:
    """The teams (an admin sees all; anyone else their own)."""
    found = run(ctx, lambda ws: ws.teams.teams())
    if as_json:
        print_json({"items": found, "total": len(found)})
        return
    table = Table("id", "name", "members", "created by", "created", title=f"{len(found)} teams")
    for x in found:
        table.add_row(escape(x.id), escape(x.name), escape(", ".join(m.account for m in x.members) or "—"),
                      escape(x.created_by), when(x.created_at))
    out.print(table)


@team_app.command("show")
def show(ctx: typer.Context, team_id: str = typer.Argument(..., help="The team's id."), as_json: bool = JSON) -> None:
    """A team and its members (admins and its members)."""
    _team_out(run(ctx, lambda ws: ws.teams.get(team_id)), as_json)


def mark(
    ctx: typer.Context,
    kind: Kind = typer.Argument(..., help="What to raise: source, document, scenario or question."),
    object_id: str = typer.Argument(..., help="Its id."),
    marking: str = typer.Option(..., "--marking", help="TLP 2.0: GREEN, AMBER, AMBER+STRICT or RED (stricter "
                                "than now)."),
    team: str = typer.Option(None, "--team", help="An owning team to add (you must be a member of it).",
                             show_default=False),
    recipients: str = typer.Option(None, "--recipients", help="Comma-separated accounts (RED), or accounts and "
                                   "teams (AMBER), who may see it besides the owners.", show_default=False),
    existing: bool = typer.Option(False, "--existing", help="A source: raise the documents it brought in "
                                  "already too (else only those it brings in from now on)."),
    as_json: bool = JSON,
) -> None:
    """Raise the marking of an object you own (never lowered; recorded in the ledger). A document's events,
    claims and notes follow it, a scenario's warnings, and (with --existing) a source's documents."""
    names = tuple(p.strip() for p in recipients.split(",") if p.strip()) if recipients is not None else None
    raised = run(ctx, lambda ws: ws.teams.mark(kind.value, object_id, marking, team, names, existing))
    if as_json:
        print_json(raised)
        return
    followed = ", ".join(f"{n} {k}s" for k, n in raised.cascaded.items() if n)
    out.print(f"{raised.kind} {raised.id}: {raised.before.label} → {raised.after.label}"
              + (f" (with {followed})" if followed else ""), markup=False)


@audit_app.command("reads")
def reads(
    ctx: typer.Context,
    account: str = typer.Option(None, "--account", help="Only this account's reads.", show_default=False),
    object_id: str = typer.Option(None, "--object", help="Only the reads of this object (one you may see).",
                                  show_default=False),
    since: str = typer.Option(None, "--since", help="Only reads at or after (YYYY-MM-DD or ISO date-time).",
                              show_default=False),
    limit: int = typer.Option(100, "--limit", min=1, max=1000, help="At most this many, newest first."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many."),
    as_json: bool = JSON,
) -> None:
    """Who read which AMBER or RED object, when and by which way out (admins). An object you may not see is
    shown as hidden, not by id."""
    rows, total = run(ctx, lambda ws: ws.teams.reads(account, object_id, moment(since, "--since"), limit, offset))
    if as_json:
        print_page(rows, total=total, limit=limit, offset=offset)
        return
    table = Table("at", "account", "kind", "object", "via", title=f"{total} reads of restricted objects")
    for r in rows:
        table.add_row(when(r.at), escape(r.account), r.kind, escape(r.object_id or "(hidden from you)"), r.via)
    out.print(table)


@audit_app.command("team")
def team_report(ctx: typer.Context, team_id: str = typer.Argument(..., help="The team's id."),
                as_json: bool = JSON) -> None:
    """A team's report (admins and its members): what it holds by kind and marking, what it shared and with
    whom, and what deconfliction matched — over what you may see."""
    report = run(ctx, lambda ws: ws.teams.report(team_id))
    if as_json:
        print_json(report)
        return
    _print_report(report)


def _print_report(r: TeamReport) -> None:
    out.print(f"team {r.team.id} ({r.team.name}): members {', '.join(m.account for m in r.team.members) or '—'}",
              markup=False)
    held = Table("kind", "marking", "objects", title="holdings (what you may see)")
    for h in r.holdings:
        held.add_row(h.kind, h.marking, str(h.count))
    out.print(held)
    shared = Table("compartment", "given to", "objects", title="shared")
    for s in r.shared:
        shared.add_row(escape(s.label), escape(", ".join(s.recipients)), str(s.objects))
    out.print(shared)
    out.print(f"deconfliction: {len(r.matched)} of its selectors matched another team's; "
              f"{sum(a.direction == 'made' for a in r.requests)} requests to talk made, "
              f"{sum(a.direction == 'received' for a in r.requests)} received", markup=False)


def _team_out(team: Team, as_json: bool) -> None:
    if as_json:
        print_json(team)
        return
    members = ", ".join(m.account for m in team.members) or "no members yet"
    out.print(f"team {team.id} ({team.name}): {members}", markup=False)
