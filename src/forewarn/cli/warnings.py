"""`forewarn warn`, `warnings` (the board) and `warnings show`, `ack`, `dispose`, `escalate`,
`notify` and `outbox`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from forewarn.app import Workspace
from forewarn.cli.context import fail, run
from forewarn.cli.render import out, print_json, print_page, short, when
from forewarn.detect.shown import hidden_text
from forewarn.errors import InvalidArgument
from forewarn.model import LedgerEntry, WarningRecord, WarningState
from forewarn.model.dissent import Dissent, dissent_json
from forewarn.warn.board import WarningList
from forewarn.warn.history import runs
from forewarn.warn.outbox import OutboxItem

JSON = typer.Option(False, "--json", help="Machine-readable output.")
ALL_STATES = ("raised", "acknowledged", "disposed")

app = typer.Typer(help="The warnings board: open warnings, escalated ones first, then by severity and age, with "
                  "the time left to acknowledge each. `forewarn warnings show ID` gives one warning's history.",
                  invoke_without_command=True)


@app.callback()
def board(
    ctx: typer.Context,
    include_all: bool = typer.Option(False, "--all", help="Include disposed warnings (as --state all)."),
    state: str = typer.Option("open", "--state", help="open (raised and acknowledged), raised, acknowledged, "
                              "disposed or all."),
    severity: str = typer.Option(None, "--severity", help="Only warnings of this severity (e.g. critical).",
                                 show_default=False),
    scenario: str = typer.Option(None, "--scenario", help="Only warnings about this scenario id.",
                                 show_default=False),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000, help="How many."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many."),
    as_json: bool = JSON,
) -> None:
    """List open warnings (escalated first, then critical, high, elevated; oldest first); the filters
    are the API's (GET /api/v1/warnings?state=…&severity=…&scenario=…)."""
    if ctx.invoked_subcommand is not None:
        return
    states = _states("all" if include_all else state)

    def action(ws: Workspace) -> tuple[WarningList, datetime]:
        return ws.warnings.listing(states, severity=severity, scenario_id=scenario, limit=limit,
                                   offset=offset), ws.clock()

    listing, now = run(ctx, action)
    found = listing.warnings
    if as_json:
        from forewarn.web.api.warnings import list_item  # the API's item

        print_page([list_item(w, listing.dissents.get(w.id, 0)) for w in found], total=listing.total, limit=limit,
                   offset=offset)
        return
    shown = {"open": " open", "all": ""}.get("all" if include_all else state, f" {state}")
    table = Table("id", "severity", "state", "owner", "age", "acknowledge within", "level", "title",
                  title=f"{len(found)} warnings{shown}" + (f" (of {listing.total:,})" if listing.total > len(found)
                                                           else ""))
    for w in found:
        table.add_row(str(w.id), w.severity.upper(), _state(w), escape(w.owner_shown), span(now - w.raised_at),
                      countdown(w, now), str(w.escalation_level), escape(short(w.title, 60)))
    out.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    warning_id: int = typer.Argument(..., help="Warning number."),
    as_json: bool = JSON,
) -> None:
    """Show one warning: its text, evidence, owner, deadline and its history from the ledger."""

    def action(ws: Workspace) -> tuple[tuple[WarningRecord, int], list[LedgerEntry], datetime, tuple[Dissent, ...]]:
        return ws.warnings.shown(warning_id), ws.warnings.history(warning_id), ws.clock(), ws.dissents.of_warning(
            warning_id)

    (w, hidden), history, now, dissents = run(ctx, action)
    if as_json:  # dissents from its disposition travel with it
        print_json({"warning": w, "hidden_signals": hidden, "hidden": hidden_text(hidden), "history": history,
                    "dissents": [dissent_json(d) for d in dissents]})
        return
    out.print(f"[bold]warning {w.id}[/bold] · {w.severity.upper()} · {_state(w)}", highlight=False)
    for line in details(w, now) + ([hidden_text(hidden)] if hidden else []):
        out.print(line, markup=False)
    out.print("history:", markup=False)
    for r in runs(history):
        if r.grouped:
            out.print(f"  {r.span}  {r.label} (entries {r.seqs})", markup=False)
            continue
        e = r.first
        out.print(f"  {when(e.at)}  {e.kind:<22} {e.actor}  {entry_summary(e)}".rstrip(), markup=False)
    for d in dissents:
        out.print(f"dissent {d.id} from its disposition, {when(d.at)}, {d.analyst}: {d.text}", markup=False)


def warn(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="What is feared, in a line."),
    text: str = typer.Option("", "--text", help="The warning's text: what is known, from where, and why it "
                             "matters."),
    severity: str = typer.Option(..., "--severity", help="elevated, high or critical (the severities of the "
                                 "`ack_minutes` setting)."),
    scenario: str = typer.Option(None, "--scenario", help="The scenario id it is about (its chain then escalates "
                                 "it; new matching evidence reopens it after a dismissal).", show_default=False),
    partner: str = typer.Option(None, "--partner", help="Received from this partner (recorded as its source).",
                                show_default=False),
    ref: str = typer.Option(None, "--ref", help="The partner's reference, e.g. a bulletin number.",
                            show_default=False),
    document: list[str] = typer.Option([], "--document", help="Evidence: a document id. Repeatable."),
    event: list[str] = typer.Option([], "--event", help="Evidence: an event id. Repeatable."),
    owner: str = typer.Option(None, "--owner", help="Who must acknowledge it first (default: the head of the "
                              "escalation chain).", show_default=False),
    as_json: bool = JSON,
) -> None:
    """Raise a warning by hand, or record one received from a partner (--partner, --ref)."""
    w = run(ctx, lambda ws: ws.warnings.raise_warning(title, text, severity, scenario_id=scenario, partner=partner,
                                             partner_ref=ref, document_ids=document, event_ids=event, owner=owner))
    if as_json:
        print_json(w)
        return
    out.print(f"raised warning {w.id} ({w.severity}); {w.owner_shown} must acknowledge it by {when(w.ack_deadline)}",
              markup=False)


def ack(
    ctx: typer.Context,
    warning_id: int = typer.Argument(..., help="Warning number."),
    note: str = typer.Option(None, "--note", help="A note kept in the ledger.", show_default=False),
    as_json: bool = JSON,
) -> None:
    """Acknowledge a warning: you have seen it and own it now. It stops escalating."""
    w = run(ctx, lambda ws: ws.warnings.acknowledge(warning_id, note))
    if as_json:
        print_json(w)
        return
    out.print(f"acknowledged warning {w.id} at {when(w.acknowledged_at)}; dispose of it with "
              f"`forewarn dispose {w.id} --as …`", markup=False)


def dispose(
    ctx: typer.Context,
    warning_id: int = typer.Argument(..., help="Warning number."),
    disposition: str = typer.Option(..., "--as", help="acted-on, dismissed (needs --rationale) or superseded."),
    rationale: str = typer.Option(None, "--rationale", help="Why: required for a dismissal, kept in the ledger.",
                                  show_default=False),
    signpost: list[str] = typer.Option([], "--signpost", help="What would change your mind (a dismissed warning "
                                       "also reopens itself when new matching evidence arrives). Repeatable."),
    as_json: bool = JSON,
) -> None:
    """Close a warning as acted-on, dismissed or superseded, with a written rationale."""
    w = run(ctx, lambda ws: ws.warnings.dispose(warning_id, disposition, rationale, signpost))
    if as_json:
        print_json(w)
        return
    out.print(f"warning {w.id} disposed of as {w.disposition}", markup=False)


def escalate(
    ctx: typer.Context,
    warning_id: int = typer.Argument(None, help="Warning number (or --due).", show_default=False),
    reason: str = typer.Option(None, "--reason", help="Why it must go up now (required with an id).",
                               show_default=False),
    due: bool = typer.Option(False, "--due", help="Escalate every warning whose acknowledgement deadline has "
                             "passed, one step each (what `forewarn watch` does as it runs)."),
    as_json: bool = JSON,
) -> None:
    """Hand a warning to the next person in its escalation chain, or (--due) every overdue one."""

    def action(ws: Workspace) -> tuple[list[WarningRecord], int]:
        if due == (warning_id is not None):
            raise InvalidArgument("give either a warning number or --due", hint="e.g. forewarn escalate 12 "
                                  "--reason 'no answer from the duty officer'")
        if due:
            return ws.warnings.escalate_due(), ws.settings.remind_cap
        return [ws.warnings.escalate(warning_id, reason or "")], ws.settings.remind_cap

    done, cap = run(ctx, action)
    if as_json:
        print_json(done)
        return
    if not done:
        out.print("nothing overdue", markup=False)
    for w in done:
        if w.reminders:
            out.print(f"warning {w.id} reminded to {w.owner_shown} ({w.reminders} of {cap}), "
                      f"{'next reminder ' + when(w.due_at) if w.due_at else 'no further reminders'}", markup=False)
            continue
        out.print(f"warning {w.id} now with {w.owner_shown} (level {w.escalation_level}), acknowledge by "
                  f"{when(w.ack_deadline)}", markup=False)


def notify(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Deliver the notifications due now (webhook and e-mail); failures stay in the outbox and are retried."""
    report = run(ctx, lambda ws: ws.warnings.deliver())
    if as_json:
        print_json(report)
        return
    out.print(f"sent {report.sent}, failed {report.failed} (retried later), dead {report.dead}", markup=False)


def outbox(
    ctx: typer.Context,
    status: str = typer.Option(None, "--status", help="pending, sent or dead.", show_default=False),
    retry: int = typer.Option(None, "--retry", help="Requeue this notification (a dead one, or a pending one "
                              "now), then list.", show_default=False),
    limit: int = typer.Option(100, "--limit", min=1, help="How many, newest first."),
    as_json: bool = JSON,
) -> None:
    """The notification outbox: what was sent, what waits for a retry (and why), what gave up."""

    def action(ws: Workspace) -> list[Any]:
        if retry is not None:
            ws.warnings.retry(retry)
        return ws.warnings.outbox(status, limit)

    items = run(ctx, action)
    if as_json:
        print_page(items, total=None, limit=limit)
        return
    table = Table("id", "about", "reason", "channel", "target", "status", "tries", "next try", "last error",
                  title=f"{len(items)} notifications")
    for i in items:
        table.add_row(str(i.id), i.about, i.reason, i.channel, escape(_target(i)), i.status.value,
                      str(i.attempts), when(i.next_attempt_at) if i.status.value == "pending" else "",
                      escape(short(i.last_error, 60)))
    out.print(table)


STATES = {"open": ALL_STATES[:2], "all": ALL_STATES, **{s: (s,) for s in ALL_STATES}}


def _states(state: str) -> tuple[WarningState, ...]:
    """The states a ``--state`` names (as the API's ``state``), or exit 1 with the known ones."""
    if state not in STATES:
        raise fail(InvalidArgument(f"unknown --state {state!r}", hint=f"states: {', '.join(STATES)}"))
    return tuple(WarningState(s) for s in STATES[state])


def _target(item: OutboxItem) -> str:
    """An e-mail address, or the webhook URL as stored (redacted) with the start of its fingerprint,
    which tells two URLs apart when their redacted forms are alike."""
    if item.channel != "webhook" or not item.fingerprint:
        return short(item.target, 40)
    return f"{short(item.target, 40)} #{item.fingerprint[:8]}"


def details(w: WarningRecord, now: datetime) -> list[str]:
    lines = [w.title, ""] + ([w.text, ""] if w.text else [])
    lines.append(f"origin {w.origin.value}" + (f" · from {w.partner}" if w.partner else "")
                 + (f" ({w.partner_ref})" if w.partner_ref else "")
                 + (f" · scenario {w.scenario_id}" if w.scenario_id else "")
                 + (f" · p={w.probability:.2f}" if w.probability is not None else ""))
    lines.append(f"raised by {w.raised_by} {when(w.raised_at)} · owner {w.owner_shown} · chain {' → '.join(w.chain)} "
                 f"(level {w.escalation_level})")
    if w.state is WarningState.RAISED:
        lines.append(f"acknowledge within: {countdown(w, now)}")
    if w.reminders:
        lines.append(f"reminded {w.reminders} time(s) at the end of its chain; "
                     + (f"next reminder {when(w.due_at)}" if w.due_at else "no further reminders"))
    if w.acknowledged_at:
        lines.append(f"acknowledged by {w.acknowledged_by} {when(w.acknowledged_at)}")
    if w.disposed_at:
        lines.append(f"{w.disposition} by {w.disposed_by} {when(w.disposed_at)}: {w.rationale or '(no rationale)'}")
    lines += [f"signpost: {s}" for s in w.signposts]
    if w.reopened:
        lines.append(f"reopened {w.reopened} time(s) after a dismissal")
    lines.append(f"evidence: events {', '.join(w.event_ids) or '—'}; documents {', '.join(w.document_ids) or '—'}")
    return lines


def entry_summary(e: LedgerEntry) -> str:
    p = e.payload
    if e.kind == "warning-raised":
        return f"{p.get('severity')} → {p.get('owner')}, due {p.get('deadline')}"
    if e.kind == "warning-acknowledged":
        return ("late " if p.get("late") else "") + (f"— {p['note']}" if p.get("note") else "")
    if e.kind == "warning-escalated":
        tail = " (chain exhausted)" if p.get("chain_exhausted") else ""
        return f"{p.get('from')} → {p.get('to')}: {p.get('reason')}{tail}"
    if e.kind == "warning-reminded":
        return f"{p.get('n')} of {p.get('cap')} → {p.get('owner_account') or p.get('owner')}" + (
            "; no further reminders" if p.get("last") else "")
    if e.kind in ("warning-disposed", "warning-superseded"):
        return f"{p.get('disposition')}: {p.get('rationale') or '—'}"
    if e.kind == "warning-reopened":
        return f"new evidence {', '.join(p.get('new_event_ids') or []) or '—'} → {p.get('owner')}"
    return ""


def countdown(w: WarningRecord, now: datetime) -> str:
    if w.state is not WarningState.RAISED or w.ack_deadline is None:
        return ""
    left = w.ack_deadline - now
    return "OVERDUE " + span(-left) if left <= timedelta(0) else span(left)


def span(delta: timedelta) -> str:
    """``2d 4h``, ``3h 12m``, ``45m``, ``20s``."""
    seconds = max(int(delta.total_seconds()), 0)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m" if minutes else f"{seconds}s"


def _state(w: WarningRecord) -> str:
    if w.state is WarningState.DISPOSED and w.disposition:
        return w.disposition.value
    return w.state.value + (" (reopened)" if w.reopened and w.state is WarningState.RAISED else "")
