"""`forewarn note add/list`, `forewarn tag add/remove/list`, `forewarn event correct/reject/corrections`:
analysts' notes, tags and corrections, each attributed and ledgered."""

from __future__ import annotations

import typer
from rich.markup import escape

from forewarn.cli.context import run
from forewarn.cli.render import out, print_json, print_page, when
from forewarn.ingest.annotations import CorrectionInput
from forewarn.model.annotations import CorrectionState, TargetKind

note_app = typer.Typer(help="Notes on documents and events.", no_args_is_help=True)
tag_app = typer.Typer(help="Tags (short labels) on documents and events.", no_args_is_help=True)
event_app = typer.Typer(help="Correct or reject a mis-coded event; list an event's corrections.",
                        no_args_is_help=True)

KIND_HELP = "What it is about: document (an id or unique prefix) or event (an event id)."


def _kind(text: str) -> TargetKind:
    try:
        return TargetKind(text.lower())
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not document or event") from None


@note_app.command("add")
def note_add(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help=KIND_HELP),
    ref: str = typer.Argument(..., help="The document's or the event's id."),
    text: str = typer.Argument(..., help="The note."),
    marking: str = typer.Option(None, "--marking", help="Its own marking (TLP:AMBER, TLP:AMBER+STRICT, TLP:RED); "
                                "the note takes the strictest of it and its target's.", show_default=False),
    team: list[str] = typer.Option([], "--team", help="An owning team of its marking (repeatable)."),
    recipients: str = typer.Option("", "--recipients", help="Named recipients, comma-separated (AMBER: accounts or "
                                   "teams; RED: accounts)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Add a note to a document or an event (ledgered as note-added)."""
    named = [r.strip() for r in recipients.split(",") if r.strip()]
    note = run(ctx, lambda ws: ws.annotations.note(_kind(kind), ref, text, marking=marking, teams=team,
                                                   recipients=named))
    if as_json:
        print_json(note)
        return
    out.print(f"note {note.id} on {note.target.kind} {note.target.event_id or note.target.document_id}", markup=False)


@tag_app.command("add")
def tag_add(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help=KIND_HELP),
    ref: str = typer.Argument(..., help="The document's or the event's id."),
    tag: str = typer.Argument(..., help="The tag (normalised: lower case, spaces as hyphens)."),
) -> None:
    """Tag a document or an event (ledgered as tag-added)."""
    done = run(ctx, lambda ws: ws.annotations.tag(_kind(kind), ref, tag))
    out.print(f"tagged {done.tag}" if done.changed else f"already tagged {done.tag}", markup=False)


@tag_app.command("remove")
def tag_remove(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help=KIND_HELP),
    ref: str = typer.Argument(..., help="The document's or the event's id."),
    tag: str = typer.Argument(..., help="The tag."),
) -> None:
    """Remove a tag from a document or an event (ledgered as tag-removed)."""
    done = run(ctx, lambda ws: ws.annotations.untag(_kind(kind), ref, tag))
    out.print(f"removed {done.tag}" if done.changed else f"not tagged {done.tag}", markup=False)


@tag_app.command("list")
def tag_list(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help="document or event."),
    tag: str = typer.Argument(..., help="The tag."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="How many, newest tagging first."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """The documents or events carrying a tag."""
    found = run(ctx, lambda ws: ws.reads.tagged(_kind(kind), tag, limit, 0))
    if as_json:
        print_page(found.items, total=found.total, limit=limit)
        return
    for t in found.items:
        out.print(f"{t.target.event_id or t.target.document_id}  {t.author}  {when(t.at)}", markup=False)
    out.print(f"{found.total:,} in all", markup=False)


@event_app.command("correct")
def correct(
    ctx: typer.Context,
    event_id: str = typer.Argument(..., help="The event's id."),
    type_: str = typer.Option(None, "--type", help="PLOVER event type, e.g. MOBILIZE.", show_default=False),
    mode: str = typer.Option(None, "--mode", help="PLOVER mode of the (new) type.", show_default=False),
    actor: str = typer.Option(None, "--actor", help="Entity id or exact name.", show_default=False),
    recipient: str = typer.Option(None, "--recipient", help="Entity id or exact name.", show_default=False),
    place: str = typer.Option(None, "--place", help="Town, region or country name, or a gazetteer id.",
                              show_default=False),
    day: str = typer.Option(None, "--date", help="The event's date, YYYY-MM-DD.", show_default=False),
    reason: str = typer.Option(None, "--reason", help="Why.", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Correct a mis-coded event; scoring uses the corrected event from now on (ledgered as event-corrected)."""
    asked = CorrectionInput(type=type_, mode=mode, actor=actor, recipient=recipient, place=place, date=day,
                            reason=reason)
    _show(run(ctx, lambda ws: ws.annotations.correct(event_id, asked)), as_json)


@event_app.command("reject")
def reject(
    ctx: typer.Context,
    event_id: str = typer.Argument(..., help="The event's id."),
    reason: str = typer.Option(..., "--reason", help="Why it is not an event (required)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Reject an event: scoring leaves it out from now on (ledgered as event-rejected)."""
    _show(run(ctx, lambda ws: ws.annotations.reject(event_id, reason)), as_json)


@event_app.command("corrections")
def corrections(
    ctx: typer.Context,
    event_id: str = typer.Argument(..., help="The event's id."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """An event's corrections: each field's original and corrected value, who and when, or its rejection."""
    found = run(ctx, lambda ws: ws.reads.event_corrections(event_id))
    if found is None:
        if as_json:
            print_json(None)
        else:
            out.print(f"event {event_id} has no corrections", markup=False)
        return
    _show(found, as_json)


def _show(found: CorrectionState, as_json: bool) -> None:
    if as_json:
        print_json(found)
        return
    out.print(f"event {found.event_id}" + (" [orphaned: re-extraction no longer finds it]" if found.orphaned else ""),
              markup=False)
    for f in found.fields:
        out.print(f"  {f.field}: [strike]{escape(f.original or '—')}[/strike] → {escape(f.value)}  "
                  f"({escape(f.author)}, {when(f.at)})")
    if found.rejected is not None:
        r = found.rejected
        out.print(f"  rejected by {r.author} {when(r.at)}: {r.reason}", markup=False)
