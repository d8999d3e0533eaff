"""`forewarn entities list/show/merge/unmerge/edit/merges`."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from forewarn.app import Workspace
from forewarn.cli.context import run
from forewarn.cli.render import out, print_json, short, when
from forewarn.errors import InvalidArgument
from forewarn.model.records import EntityMerge, EntityRecord

app = typer.Typer(help="The actors and places extraction found: list, correct, merge and unmerge them.",
                  no_args_is_help=True)


@app.command("list")
def list_entities(
    ctx: typer.Context,
    kind: str = typer.Option(None, "--kind", help="person, org, group, country or place.", show_default=False),
    search: str = typer.Option(None, "--search", "-s", help="Part of the id, name or an alias (case-insensitive).",
                               show_default=False),
    include_merged: bool = typer.Option(False, "--merged", help="Also list entities merged into others."),
    limit: int = typer.Option(100, "--limit", min=1, max=100_000, help="How many, most active first."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List entities with how many events they (and what was merged into them) take part in."""
    found = run(ctx, lambda ws: ws.reads.entities(kind=kind, search=search, limit=limit, include_merged=include_merged))
    if as_json:
        print_json(found)
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
        print_json(log)
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
