"""`forewarn entities list/show/merge/unmerge/edit/merges`."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from forewarn.app import Workspace
from forewarn.cli.context import fail, run
from forewarn.cli.render import out, print_json, print_page, short, when
from forewarn.errors import InvalidArgument
from forewarn.model.extraction import EntityKind
from forewarn.model.records import EntityMerge, EntityRecord
from forewarn.reads.entities import EntityListing

app = typer.Typer(help="The actors and places extraction found: list, correct, merge and unmerge them.",
                  no_args_is_help=True)


@app.command("list")
def list_entities(
    ctx: typer.Context,
    kind: str = typer.Option(None, "--kind", help="person, org, group, country or place.", show_default=False),
    search: str = typer.Option(None, "--search", "-s", help="Part of the id, name or an alias (case-insensitive).",
                               show_default=False),
    sort: str = typer.Option("activity", "--sort", help="activity (events, then mentions, recent first) or name."),
    show_all: bool = typer.Option(False, "--all", help="Also the entities that look like extraction noise "
                                  "(capitalised common words, places typed as persons), with why."),
    include_merged: bool = typer.Option(False, "--merged", help="Every stored entity, merged ones too, by name "
                                        "(no noise filter, no ranking)."),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000, help="How many."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (the API's page and items)."),
) -> None:
    """List entities, most active first, extraction noise hidden (--all shows it), with merge suggestions."""
    try:
        _check(kind, sort)
    except InvalidArgument as e:
        raise fail(e) from None
    if include_merged:
        return _stored(ctx, kind, search, limit, as_json)
    found = run(ctx, lambda ws: ws.reads.entity_list(kind, search, limit, offset, sort=sort, show_all=show_all,
                                                     places=ws.scenarios.gazetteer))
    if as_json:
        print_page(found.items, total=found.total, limit=limit, offset=offset, hidden=found.hidden,
                   suggestions=found.suggestions)
        return
    _table(found, offset, show_all)


def _check(kind: str | None, sort: str) -> None:
    if kind is not None and kind not in tuple(EntityKind):
        raise InvalidArgument(f"unknown entity kind {kind!r}", hint=f"kinds: {', '.join(EntityKind)}")
    if sort not in ("activity", "name"):
        raise InvalidArgument(f"unknown sort {sort!r}", hint="sort by activity or name")


def _table(found: EntityListing, offset: int, show_all: bool) -> None:
    table = Table("id", "name", "kind", "country", "sector", "events", "last seen", "aliases",
                  *(("noise",) if show_all else ()),
                  title=f"{offset + 1 if found.items else 0}–{offset + len(found.items)} of {found.total:,} entities")
    for e in found.items:
        table.add_row(escape(e.id), escape(e.name), e.kind, e.country or "", e.sector or "",
                      f"{e.events:,}{'+' if e.events_capped else ''}", e.last_seen.isoformat() if e.last_seen else "",
                      escape(short(", ".join(e.aliases), 40)), *((escape(e.noise or ""),) if show_all else ()))
    out.print(table)
    if found.hidden:
        out.print(f"{found.hidden:,} hidden as extraction noise (--all lists them)", markup=False)
    for s in found.suggestions:
        out.print(f"merge? {s.from_id} ({s.from_name}) → {s.into_id} ({s.into_name}): {s.reason}"
                  f"  [forewarn entities merge {s.from_id} {s.into_id}]", markup=False)


def _stored(ctx: typer.Context, kind: str | None, search: str | None, limit: int, as_json: bool) -> None:
    found = run(ctx, lambda ws: ws.reads.entities(kind=kind, search=search, limit=limit, include_merged=True))
    if as_json:
        print_page(found, total=None, limit=limit)
        return
    table = Table("id", "name", "kind", "country", "sector", "origin", "events", "aliases", "merged into",
                  title=f"{len(found)} entities")
    for e in found:
        table.add_row(e.id, e.name, e.kind, e.country or "", e.sector or "", e.origin, f"{e.events:,}",
                      short(", ".join(e.aliases), 40), e.merged_into or "")
    out.print(table)


@app.command("show")
def show(
    ctx: typer.Context,
    entity_id: str = typer.Argument(..., help="Entity id."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show an entity: its names, what was merged into it, and its merge history."""

    def action(ws: Workspace) -> tuple[EntityRecord, list[EntityMerge]]:
        return ws.reads.entity(entity_id), ws.reads.merges(entity_id)

    entity, merges = run(ctx, action)
    if as_json:
        print_json({"entity": entity, "merges": merges})
        return
    out.print(f"[bold]{escape(entity.name)}[/bold] ({entity.kind})")
    out.print(f"id {entity.id} · country {entity.country or '—'} · sector {entity.sector or '—'} · "
              f"origin {entity.origin} · {entity.events:,} events", markup=False)
    if entity.origin == "user":
        out.print(f"edited by {entity.updated_by} {when(entity.updated_at)}: extraction no longer changes it",
                  markup=False)
    out.print(f"aliases: {', '.join(entity.aliases) or '—'}", markup=False)
    if entity.merged_into:
        out.print(f"merged into {entity.merged_into} (canonical {entity.canonical_id})", markup=False)
    if entity.members:
        out.print(f"merged into it: {', '.join(entity.members)}", markup=False)
    for m in merges:
        out.print(f"  {_merge_line(m)}", markup=False)
    out.print(f"its events: forewarn events --actor {entity.canonical_id}", markup=False)


@app.command("merge")
def merge(
    ctx: typer.Context,
    from_id: str = typer.Argument(..., help="The entity to merge away (its events then count for INTO)."),
    into_id: str = typer.Argument(..., help="The entity that stays."),
    note: str = typer.Option(None, "--note", help="Why (kept in the merge log).", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Merge one entity into another. Recorded, and undone with `forewarn entities unmerge`."""
    done = run(ctx, lambda ws: ws.entities.merge(from_id, into_id, note))
    if as_json:
        print_json(done)
        return
    out.print(f"merged {done.from_id} into {done.into_id} (merge {done.id}; undo: forewarn entities unmerge {done.id})",
              markup=False)


@app.command("unmerge")
def unmerge(
    ctx: typer.Context,
    merge_id: int = typer.Argument(..., help="Merge number (see `forewarn entities merges`)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Undo a merge: the merged entity stands on its own again."""
    undone = run(ctx, lambda ws: ws.entities.undo_merge(merge_id))
    if as_json:
        print_json(undone)
        return
    out.print(f"undid merge {undone.id}: {undone.from_id} no longer counts as {undone.into_id}", markup=False)


@app.command("edit")
def edit(
    ctx: typer.Context,
    entity_id: str = typer.Argument(..., help="Entity id."),
    name: str = typer.Option(None, "--name", help="New name.", show_default=False),
    country: str = typer.Option(None, "--country", help="ISO 3166 alpha-3 code, e.g. UKR.", show_default=False),
    sector: str = typer.Option(None, "--sector", help="military, government, intelligence, police, rebel, civilian, "
                               "media, business, igo or ngo.", show_default=False),
    alias: list[str] = typer.Option([], "--alias", help="Add an alias. Repeatable."),
    remove_alias: list[str] = typer.Option([], "--remove-alias", help="Remove an alias. Repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Correct an entity by hand. Later extractions leave an edited entity (and its aliases) alone."""

    def action(ws: Workspace) -> EntityRecord:
        if name is None and country is None and sector is None and not alias and not remove_alias:
            raise InvalidArgument("nothing to edit", hint="give --name, --country, --sector, --alias or --remove-alias")
        return ws.entities.edit(entity_id, name=name, country=country, sector=sector, add_aliases=alias,
                              remove_aliases=remove_alias)

    entity = run(ctx, action)
    if as_json:
        print_json(entity)
        return
    out.print(f"edited {entity.id}: {entity.name} · country {entity.country or '—'} · sector {entity.sector or '—'}"
              f" · aliases {', '.join(entity.aliases) or '—'}", markup=False)


@app.command("merges")
def merges(
    ctx: typer.Context,
    entity: str = typer.Option(None, "--entity", help="Only merges from or into this entity id.", show_default=False),
    limit: int = typer.Option(100, "--limit", min=1, help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """The merge log: every merge, who made it, and whether it was undone."""
    log = run(ctx, lambda ws: ws.reads.merges(entity, limit))
    if as_json:
        print_page(log, total=None, limit=limit)
        return
    table = Table("merge", "from", "into", "by", "at", "undone", "note", title=f"{len(log)} merges")
    for m in log:
        undone = f"{m.undone_by} {when(m.undone_at)}" if m.undone_at else ""
        table.add_row(str(m.id), m.from_id, m.into_id, m.actor, when(m.at), undone, short(m.note, 40))
    out.print(table)


def _merge_line(m: EntityMerge) -> str:
    line = f"merge {m.id}: {m.from_id} → {m.into_id} by {m.actor} {when(m.at)}"
    if m.undone_at:
        line += f", undone by {m.undone_by} {when(m.undone_at)}"
    return line + (f" — {m.note}" if m.note else "")
