"""`forewarn ledger show/verify/anchor/keygen`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from forewarn.app import Workspace
from forewarn.cli.context import fail, run
from forewarn.cli.render import err, out, print_json, print_page, short, to_jsonable, when
from forewarn.errors import InvalidArgument, LedgerBroken
from forewarn.ledger.anchor import anchor_json
from forewarn.ledger.query import EntryPage, LedgerFilter
from forewarn.ledger.verify import VerifyReport

app = typer.Typer(help="The tamper-evident ledger of warnings, assessments and scenario changes: read it, "
                  "verify it, anchor it, sign it.", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Machine-readable output.")


@app.command("show")
def show(
    ctx: typer.Context,
    kind: list[str] = typer.Option([], "--kind", help="Entry kind, e.g. warning-disposed. Repeatable or "
                                   "comma-separated."),
    actor: str = typer.Option(None, "--actor", help="Only entries by this actor.", show_default=False),
    subject: str = typer.Option(None, "--subject", help="Exact subject (warning:12), or a prefix ending in ':' or "
                                "'*' (warning:).", show_default=False),
    since: str = typer.Option(None, "--since", help="At or after (YYYY-MM-DD or ISO time; UTC unless given).",
                              show_default=False),
    until: str = typer.Option(None, "--until", help="At or before (a date includes the whole day).",
                              show_default=False),
    limit: int = typer.Option(50, "--limit", min=1, help="How many."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many first."),
    oldest_first: bool = typer.Option(False, "--oldest-first", help="Chain order (default: newest first)."),
    as_json: bool = JSON,
) -> None:
    """List ledger entries, newest first, with filters."""
    kinds = [k.strip() for value in kind for k in value.split(",") if k.strip()]

    def action(ws: Workspace) -> EntryPage:
        start, end = moment(since, "--since"), moment(until, "--until", end_of_day=True)
        return ws.ledger.page(LedgerFilter(tuple(kinds), actor, subject, start, end), limit=limit, offset=offset,
                              newest_first=not oldest_first)

    page = run(ctx, action)
    found = page.entries
    if as_json:
        print_page(found, total=page.total, limit=limit, offset=offset)
        return
    table = Table("seq", "at", "actor", "kind", "subject", "payload", "signed", title=f"{len(found)} entries")
    for e in found:
        if not e.hash:  # about an object the actor may not see: that something happened, not what
            table.add_row(str(e.seq), when(e.at), "—", e.kind, "", "about something you may not see", "")
            continue
        payload = json.dumps(e.payload, ensure_ascii=False, sort_keys=True)
        table.add_row(str(e.seq), when(e.at), e.actor, e.kind, e.subject, short(payload, 60),
                      e.key_id[:12] if e.key_id else "")
    out.print(table)


@app.command("verify")
def verify(
    ctx: typer.Context,
    anchor: Path = typer.Option(None, "--anchor", help="An anchor file from `forewarn ledger anchor`: also "
                                "catches a cut-off tail or a chain rewritten up to it.", show_default=False),
    as_json: bool = JSON,
) -> None:
    """Recompute the whole chain (hashes, links, times, signatures), check it against the anchor and
    the newest automatic anchor, and cross-check the warnings, assessments and accounts against it.
    Exit 1 when anything disagrees."""
    report = run(ctx, lambda ws: ws.ledger.verify(anchor))
    if as_json:
        print_json(report_json(report))
    elif report.problems:
        table = Table("seq", "problem", "what was found", title=report.summary())
        for p in report.problems:
            table.add_row(str(p.seq), p.kind.value, f"{p.where}: {p.message}" if p.table else p.message)
        out.print(table)
        if report.more:
            out.print(f"… and {report.more} more", markup=False)
    for note in () if as_json else report.notes:
        err.print(f"note: {note}", markup=False, highlight=False)
    if not report.ok:
        raise fail(LedgerBroken(report.summary(), hint="treat the store as tampered with; the list says where"))
    if not as_json:
        out.print(report.summary() + checked_against(report), markup=False, soft_wrap=True)


def checked_against(report: VerifyReport) -> str:
    said = [f"the anchor at seq {report.anchored}"] if report.anchored is not None else []
    said += [f"the automatic anchor at seq {report.auto_anchored}"] if report.auto_anchored is not None else []
    return f" (checked against {' and '.join(said)})" if said else ""


def report_json(report: VerifyReport) -> dict[str, Any]:
    """The report as JSON; a chain problem has no table, row or column, and shows none."""
    value: dict[str, Any] = to_jsonable(report)
    value["problems"] = [{k: v for k, v in p.items() if v is not None} for p in value["problems"]]
    return value


@app.command("anchor")
def anchor(
    ctx: typer.Context,
    out_path: Path = typer.Option(None, "--out", help="Write the anchor to this file (else print it).",
                                  show_default=False),
) -> None:
    """Verify the chain and export its head (seq and hash), signed when signing_key is set. Keep the file
    away from the database: `forewarn ledger verify --anchor FILE` then catches a cut-off or rewritten chain."""
    made = run(ctx, lambda ws: ws.ledger.anchor(out_path))
    if out_path is None:
        print(anchor_json(made), end="")
        return
    signed = f", signed with key {made.key_id[:16]}…" if made.key_id else ", unsigned"
    out.print(f"anchored seq {made.seq} (hash {made.hash}){signed} → {out_path}", markup=False, soft_wrap=True)


@app.command("keygen")
def keygen(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="Where to write the private key (PEM, mode 0600; never overwritten)."),
) -> None:
    """Create an Ed25519 signing key and register it for the acting actor (in the ledger)."""
    key_id, actor = run(ctx, lambda ws: (ws.ledger.register_key(path, generate=True), ws.actor))
    out.print(f"registered key {key_id} for {actor}; sign your ledger entries with it:", markup=False,
              soft_wrap=True)
    out.print(f"  export FOREWARN_SIGNING_KEY={path.expanduser().resolve()}", markup=False, soft_wrap=True)
    out.print("  (or signing_key = \"…\" in forewarn.toml)", markup=False)


def moment(value: str | None, flag: str, *, end_of_day: bool = False) -> datetime | None:
    """An ISO date or time; a naive one is UTC; a date alone is its start (or, ``end_of_day``, its end)."""
    if not value:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            start = datetime.combine(day, time(), UTC)
            return start + timedelta(days=1, microseconds=-1) if end_of_day else start
        at = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(f"{flag} {value!r} is not a date or time", hint="use YYYY-MM-DD or ISO 8601") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)
