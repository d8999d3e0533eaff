"""`forewarn deconflict run|list|request|accept|decline|exclude|excluded|exchange`: deconfliction inside the
workspace (selectors of teams' holdings matched across teams; both owners told, nothing shown; brokered requests to
talk) and between installations by file (`exchange request|answer|finish`, a private set intersection). See
docs/sharing.md."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.markup import escape

from forewarn.cli.context import run
from forewarn.cli.render import out, print_all, print_json, when
from forewarn.errors import Code, ForewarnError
from forewarn.warn.deconfliction.desk import MatchView, Talk, match_json, run_json, selector_json, talk_json
from forewarn.warn.deconfliction.exchange import found_json

JSON = typer.Option(False, "--json", help="Machine-readable output.")
TEAM = typer.Option(None, "--team", help="Your team (needed when you are in both teams of a match).",
                    show_default=False)
deconflict_app = typer.Typer(help="Deconfliction: learn that another team (or installation) holds reporting on a "
                             "selector your team holds, without either side seeing the other's holdings.",
                             no_args_is_help=True)
exchange_app = typer.Typer(help="Deconfliction with another installation by file (private set intersection).",
                           no_args_is_help=True)
deconflict_app.add_typer(exchange_app, name="exchange")


@deconflict_app.command("run")
def run_matching(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Match the selectors of the holdings new since the last run (each warning cycle does too); analyst+."""
    r = run(ctx, lambda ws: ws.deconfliction.run())
    print_json(run_json(r)) if as_json else out.print(f"Deconfliction matched holdings until {when(r.until)}")


@deconflict_app.command("list")
def list_matches(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Your teams' matches: each selector as your team holds it, and the requests to talk about it."""
    found = run(ctx, lambda ws: ws.deconfliction.listing())
    if as_json:
        print_all([match_json(v) for v in found])
        return
    for v in found:
        out.print(line_of(v), highlight=False)
        for x in v.talks:
            out.print("        " + talk_line(x), highlight=False)
    out.print(f"{len(found)} match(es)")


@deconflict_app.command("request")
def request(ctx: typer.Context, match_id: int = typer.Argument(..., help="The match's number."), team: str = TEAM,
            as_json: bool = JSON) -> None:
    """Ask the other team of a match to talk (they see the request, not who asked); ledgered."""
    x = run(ctx, lambda ws: ws.deconfliction.request(match_id, team))
    print_json(talk_json(x)) if as_json else out.print(f"Request {x.id} sent", highlight=False)


@deconflict_app.command("accept")
def accept(ctx: typer.Context, request_id: int = typer.Argument(..., help="The request's number."),
           as_json: bool = JSON) -> None:
    """Accept a request to talk: both teams then see each other's name and who asked and answered; ledgered."""
    x = run(ctx, lambda ws: ws.deconfliction.answer(request_id, True))
    print_json(talk_json(x)) if as_json else out.print(talk_line(x), highlight=False)


@deconflict_app.command("decline")
def decline(ctx: typer.Context, request_id: int = typer.Argument(..., help="The request's number."),
            as_json: bool = JSON) -> None:
    """Decline a request to talk: nothing is revealed to either side; ledgered."""
    x = run(ctx, lambda ws: ws.deconfliction.answer(request_id, False))
    print_json(talk_json(x)) if as_json else out.print(talk_line(x), highlight=False)


@deconflict_app.command("exclude")
def exclude(ctx: typer.Context, team: str = typer.Option(..., "--team", help="Your team that holds it."),
            kind: str = typer.Argument(None, help="person, organisation, unit, phone, email, handle, plate, hull or "
                                       "place_cell.", show_default=False),
            text: str = typer.Argument(None, help="The selector as written (a place cell: lat,lon,YYYY-MM-DD).",
                                       show_default=False),
            selector: int = typer.Option(None, "--selector", help="Or the selector's number.", show_default=False),
            as_json: bool = JSON) -> None:
    """Mark a selector of your team not to be matched (never again; its matches stay, marked); ledgered."""
    r = run(ctx, lambda ws: ws.deconfliction.exclude(team, kind, text, selector))
    print_json(selector_json(r)) if as_json else out.print(
        f"Selector {r.id} ({r.kind} {escape(r.shown)}) of team {r.team_id} is not matched from {when(r.excluded_at)}",
        highlight=False)


@deconflict_app.command("excluded")
def excluded(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Your teams' selectors marked not to be matched."""
    rows = run(ctx, lambda ws: ws.deconfliction.excluded())
    if as_json:
        print_all([selector_json(r) for r in rows])
        return
    for r in rows:
        out.print(f"{r.id:>5}  {r.team_id:<12} {r.kind:<12} {escape(r.shown)}  by {r.excluded_by} "
                  f"{when(r.excluded_at)}", highlight=False)


PEER = typer.Option(..., "--peer", help="The other installation's label (it goes in both ledgers).")
XTEAM = typer.Option(None, "--team", help="The team whose selectors are exported; leave out for the whole workspace "
                     "(admins only).", show_default=False)


@exchange_app.command("request")
def exchange_request(ctx: typer.Context, out_file: Path = typer.Argument(..., help="The request file to send."),
                     state_file: Path = typer.Option(..., "--state", help="Where to keep the secret state (never "
                                                     "send it: it holds your keys)."),
                     peer: str = PEER, team: str = XTEAM,
                     mode: str = typer.Option("intersection", "--mode", help="intersection or cardinality."),
                     as_json: bool = JSON) -> None:
    """Step 1: write a request file for the peer and keep the state; ledgered (deconfliction-exchanged)."""
    request_text, state_text = run(ctx, lambda ws: ws.exchanges.request(peer, team, mode))
    write(state_file, state_text, secret=True)
    write(out_file, request_text)
    print_json({"request": str(out_file), "state": str(state_file)}) if as_json else out.print(
        f"Request written to {out_file}; keep {state_file} here", highlight=False)


@exchange_app.command("answer")
def exchange_answer(ctx: typer.Context, request_file: Path = typer.Argument(..., help="The peer's request file."),
                    out_file: Path = typer.Argument(..., help="The response file to send back."),
                    peer: str = PEER, team: str = XTEAM,
                    size_only: bool = typer.Option(False, "--size-only", help="Answer only with the number in "
                                                   "common (refuse a request for the intersection)."),
                    as_json: bool = JSON) -> None:
    """Step 2: answer a peer's request with your selectors (rate-limited per peer); ledgered."""
    text = run(ctx, lambda ws: ws.exchanges.answer(read(request_file), peer, team, not size_only))
    write(out_file, text)
    print_json({"response": str(out_file)}) if as_json else out.print(f"Response written to {out_file}",
                                                                      highlight=False)


@exchange_app.command("finish")
def exchange_finish(ctx: typer.Context, response_file: Path = typer.Argument(..., help="The peer's response file."),
                    state_file: Path = typer.Option(..., "--state", help="The state kept at step 1."),
                    as_json: bool = JSON) -> None:
    """Step 3: what both sides hold in common (or how many); ledgered."""
    found = run(ctx, lambda ws: ws.exchanges.finish(read(state_file), read(response_file)))
    if as_json:
        print_json(found_json(found))
        return
    out.print(f"Exchange {found.exchange_id} ({found.mode}): {found.size} selector(s) in common", highlight=False)
    for key, shown in found.keys or ():
        out.print(f"  {escape(shown)}  ({escape(key)})", highlight=False)


def line_of(v: MatchView) -> str:
    mark = " (not matched any more)" if v.excluded else ""
    return (f"{v.id:>5}  {v.team:<12} {v.kind:<12} {escape(v.shown)}: another team holds reporting on this "
            f"selector{mark}  {when(v.found_at)}")


def talk_line(x: Talk) -> str:
    who = f"; team {escape(x.other_team)}" if x.other_team else ""
    names = f"; asked by {x.requested_by}" if x.requested_by else ""
    names += f", answered by {x.answered_by}" if x.answered_by else ""
    return f"request {x.id} {x.direction} {when(x.requested_at)}: {x.state}{who}{names}"


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ForewarnError(f"cannot read {path}: {e}", hint="check the path", code=Code.FILE_MISSING) from None


def write(path: Path, text: str, *, secret: bool = False) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise ForewarnError(f"cannot write {path}: {e.strerror}", hint="check the folder",
                            code=Code.PERMISSION_DENIED) from None
