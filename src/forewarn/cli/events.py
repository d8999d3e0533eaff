"""`forewarn events` and `forewarn export`."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import IO

import typer
from rich.table import Table

from forewarn.app import Workspace
from forewarn.cli.context import run
from forewarn.cli.render import dated, err, out, print_page, who
from forewarn.errors import InvalidArgument
from forewarn.model.query import EventQuery, parse_near
from forewarn.model.records import StoredEvent

FORMATS = ("plover", "plover-jsonl", "stix", "misp")  # plover-jsonl: the name plover had before stix and misp

# the filters both commands take
TYPE = typer.Option([], "--type", "-t", help="PLOVER event type, e.g. ASSAULT. Repeatable or comma-separated.")
MODE = typer.Option([], "--mode", help="Event mode, e.g. aerial. Repeatable or comma-separated.")
ACTOR = typer.Option(None, "--actor", help="Entity id, or part of an entity's name or alias (merged entities "
                     "count).", show_default=False)
RECIPIENT = typer.Option(None, "--recipient", help="As --actor, for the recipient.", show_default=False)
ACTOR_COUNTRY = typer.Option(None, "--actor-country", help="Actor's country (ISO alpha-3, e.g. RUS).",
                             show_default=False)
RECIPIENT_COUNTRY = typer.Option(None, "--recipient-country", help="Recipient's country (ISO alpha-3).",
                                 show_default=False)
PLACE = typer.Option(None, "--place", help="Part of the place name or its region (case-insensitive).",
                     show_default=False)
NEAR = typer.Option(None, "--near", help="Within a radius: LAT,LON,KM (decimal degrees, kilometres).",
                    show_default=False)
FROM = typer.Option(None, "--from", help="Event date on or after (YYYY-MM-DD).", show_default=False)
TO = typer.Option(None, "--to", help="Event date on or before (YYYY-MM-DD).", show_default=False)
SOURCE = typer.Option(None, "--source", help="Only events from documents of this source id.", show_default=False)
DOCUMENT = typer.Option(None, "--document", help="Only events of this document (id or prefix).", show_default=False)
MIN_CONFIDENCE = typer.Option(None, "--min-confidence", min=0.0, max=1.0, help="Lowest confidence (0-1).",
                              show_default=False)
INCLUDE_NEGATED = typer.Option(False, "--include-negated", help="Also list events the text says did not happen.")
PLACED = typer.Option(None, "--placed/--no-place", help="Only events with a place (--placed) or without one "
                      "(--no-place: the map cannot show them).", show_default=False)


def query(types: list[str], modes: list[str], actor: str | None, recipient: str | None, actor_country: str | None,
          recipient_country: str | None, place: str | None, near: str | None, date_from: str | None,
          date_to: str | None, source: str | None, document: str | None, min_confidence: float | None,
          include_negated: bool, limit: int | None, offset: int, placed: bool | None = None) -> EventQuery:
    """The EventQuery of the command-line filters; malformed values raise InvalidArgument."""
    return EventQuery(
        types=tuple(t.upper() for t in _split(types)), modes=tuple(m.lower() for m in _split(modes)), actor=actor,
        recipient=recipient, actor_country=actor_country, recipient_country=recipient_country, place=place,
        near=parse_near(near, "--near") if near else None, date_from=parse_day(date_from, "--from"),
        date_to=parse_day(date_to, "--to"), source_id=source, document_id=document, min_confidence=min_confidence,
        include_negated=include_negated, placed=placed, limit=limit, offset=offset,
    )


def parse_day(value: str | None, flag: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(f"{flag} {value!r} is not a date", hint="use YYYY-MM-DD") from None


def _split(values: list[str]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def events(
    ctx: typer.Context,
    types: list[str] = TYPE, modes: list[str] = MODE, actor: str = ACTOR, recipient: str = RECIPIENT,
    actor_country: str = ACTOR_COUNTRY, recipient_country: str = RECIPIENT_COUNTRY, place: str = PLACE,
    near: str = NEAR, date_from: str = FROM, date_to: str = TO, source: str = SOURCE, document: str = DOCUMENT,
    min_confidence: float = MIN_CONFIDENCE, include_negated: bool = INCLUDE_NEGATED, placed: bool = PLACED,
    limit: int = typer.Option(50, "--limit", min=1, max=100_000, help="Page size."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List extracted events, oldest first, with their actors, places and evidence."""

    def action(ws: Workspace) -> tuple[list[StoredEvent], int]:
        q = query(types, modes, actor, recipient, actor_country, recipient_country, place, near, date_from, date_to,
                  source, document, min_confidence, include_negated, limit, offset, placed)
        return ws.reads.events(q), ws.reads.count_events(q)

    found, total = run(ctx, action)
    if as_json:
        from forewarn.web.api.events import event_out  # the API's item: the same fields (imported when asked)

        print_page([event_out(e) for e in found], total=total, limit=limit, offset=offset)
        return
    table = Table("id", "date", "type", "mode", "actor", "recipient", "place", "conf", "flags", "document",
                  title=f"{offset + 1 if found else 0}–{offset + len(found)} of {total:,} events")
    for e in found:
        table.add_row(e.id[:10], dated(e.date, e.date_precision), e.type, e.mode or "", who(e.actor, country=True),
                      who(e.recipient, country=True), e.place.name if e.place else "", f"{e.confidence:.2f}", _flags(e),
                      e.document_id[:10])
    out.print(table)


def _flags(e: StoredEvent) -> str:
    return ",".join(e.flags)


def export(
    ctx: typer.Context,
    fmt: str = typer.Option("plover", "--format", help="plover (PLOVER JSONL), stix (a STIX 2.1 bundle) or misp "
                            "(MISP events); docs/export.md, docs/stix.md, docs/misp.md."),
    out_file: Path = typer.Option(None, "--out", "-o", help="Write to this file (default: standard output).",
                                  show_default=False),
    types: list[str] = TYPE, modes: list[str] = MODE, actor: str = ACTOR, recipient: str = RECIPIENT,
    actor_country: str = ACTOR_COUNTRY, recipient_country: str = RECIPIENT_COUNTRY, place: str = PLACE,
    near: str = NEAR, date_from: str = FROM, date_to: str = TO, source: str = SOURCE, document: str = DOCUMENT,
    min_confidence: float = MIN_CONFIDENCE, include_negated: bool = INCLUDE_NEGATED, placed: bool = PLACED,
    limit: int = typer.Option(None, "--limit", min=1, help="At most this many events (default: all).",
                              show_default=False),
    analysis: bool = typer.Option(True, "--analysis/--no-analysis", help="With the scenarios, assessments, "
                                  "warnings and their ledger history you may see (stix and misp; plover holds events "
                                  "only)."),
) -> None:
    """Export events (and, for stix and misp, the analysis) with the same filters as `forewarn events`: only what
    you may see; each restricted object exported is recorded in the read audit. Streams: memory stays bounded."""

    def action(ws: Workspace) -> int:
        if fmt not in FORMATS:
            raise InvalidArgument(f"unknown export format {fmt!r}", hint="formats: plover, stix, misp")
        q = query(types, modes, actor, recipient, actor_country, recipient_country, place, near, date_from, date_to,
                  source, document, min_confidence, include_negated, limit, 0, placed)
        name = "plover" if fmt == "plover-jsonl" else fmt
        if out_file is None:
            return ws.exports.export(sys.stdout, q, name, analysis=analysis)
        with _open(out_file) as stream:
            return ws.exports.export(stream, q, name, analysis=analysis)

    written = run(ctx, action)
    if out_file is not None:
        err.print(f"wrote {written:,} events to {out_file}", markup=False)


def _open(path: Path) -> IO[str]:
    try:
        return path.open("w", encoding="utf-8", newline="\n")
    except OSError as e:
        raise InvalidArgument(f"cannot write {path}: {e.strerror}", hint="check the folder exists and is writable",
                              ) from None
