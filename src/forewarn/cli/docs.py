"""`forewarn docs list/show` and `forewarn stats`."""

from __future__ import annotations

from datetime import UTC, datetime

import typer
from rich.table import Table

from forewarn.app import Workspace
from forewarn.cli.context import run
from forewarn.cli.marked import LEGEND, claims_table, events_table, marked_text
from forewarn.cli.render import dated, out, print_json, print_page, short, when
from forewarn.errors import InvalidArgument
from forewarn.model import Document
from forewarn.model.query import DocumentQuery
from forewarn.model.records import DocumentExtraction
from forewarn.nlp.language import primary
from forewarn.reads.documents import with_forms

app = typer.Typer(help="List and read documents.", no_args_is_help=True)


@app.command("list")
def list_docs(
    ctx: typer.Context,
    source: str = typer.Option(None, "--source", help="Only this source id.", show_default=False),
    run_id: int = typer.Option(None, "--run", help="Only documents first stored by this ingest run.",
                               show_default=False),
    cluster: str = typer.Option(None, "--cluster", help="Only this duplicate cluster.", show_default=False),
    since: str = typer.Option(None, "--since", help="Published on or after (YYYY-MM-DD or ISO time).",
                              show_default=False),
    until: str = typer.Option(None, "--until", help="Published before (YYYY-MM-DD or ISO time).",
                              show_default=False),
    search: str = typer.Option(None, "--search", "-s", help="Text or title contains (case-insensitive); a "
                               "Russian or Ukrainian word in its dictionary form is searched in all its forms.",
                               show_default=False),
    language: str = typer.Option(None, "--language", "-l", help="Only documents in this language (ru, uk, en…).",
                                 show_default=False),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="Page size."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List documents, newest publication first."""
    def action(ws: Workspace) -> tuple[list[Document], int, tuple[str, ...]]:
        query = with_forms(_query(source, run_id, cluster, since, until, search, language, limit, offset))
        return (*ws.reads.documents(query), query.forms)

    if as_json:  # the API's page: its items are summaries, without the text
        found = run(ctx, lambda ws: ws.reads.document_list(_query(source, run_id, cluster, since, until, search,
                                                                      language, limit, offset)))
        print_page(found.documents, total=found.total, limit=limit, offset=offset, forms=found.forms,
                   scoped=found.scoped)
        return
    docs, total, forms = run(ctx, action)
    also = f" (also searched: {', '.join(forms)})" if forms else ""
    table = Table("id", "published", "source", "lang", "title / text", "cluster",
                  title=f"{offset + 1 if docs else 0}–{offset + len(docs)} of {total:,} documents{also}")
    for d in docs:
        dup = "" if d.cluster_id == d.id else d.cluster_id[:10]
        table.add_row(d.id[:12], dated(d.published_at, d.published_precision), d.source_id or "—",
                      d.language or "—", short(d.title or d.text, 60), dup)
    out.print(table)


def _query(source: str | None, run_id: int | None, cluster: str | None, since: str | None, until: str | None,
           search: str | None, language: str | None, limit: int, offset: int) -> DocumentQuery:
    return DocumentQuery(source_id=source, run_id=run_id, cluster_id=cluster, since=_bound(since),
                         until=_bound(until), text=search, language=_language(language), limit=limit, offset=offset)


def _language(value: str | None) -> str | None:
    if value is None:
        return None
    code = primary(value)
    if code is None:
        raise InvalidArgument(f"{value!r} is not a language code", hint="use an ISO 639-1 code, e.g. ru, uk or en")
    return code


@app.command("languages")
def languages(ctx: typer.Context,
              as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Detect and store the language of the documents stored without one (stored before languages were
    kept at intake). Safe to run again: it only fills what is missing."""
    filled = run(ctx, lambda ws: ws.intake.fill_languages())
    if as_json:
        print_json({"filled": filled})
        return
    total = sum(filled.values())
    out.print(f"{total:,} document(s) given a language" + (": " + ", ".join(f"{k} {n:,}" for k, n in filled.items())
                                                            if filled else ""))


def _bound(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(f"cannot read {value!r} as a date", hint="use YYYY-MM-DD or an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("show")
def show(
    ctx: typer.Context,
    doc_id: str = typer.Argument(..., help="Document id or a unique prefix of it."),
    plain: bool = typer.Option(False, "--plain", help="The text without its extractions marked."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show a document: text with its extractions marked (entities, places, events, claims), the
    events and claims found in it, provenance, every sighting, and its duplicate cluster."""
    view, extraction = run(ctx, lambda ws: (ws.reads.document(doc_id), ws.reads.extraction(doc_id)))
    if as_json:
        print_json({"document": view.document, "sightings": view.sightings, "cluster": view.cluster,
                    "extraction": extraction})
        return
    d = view.document
    out.print(f"[bold]{d.title or '(untitled)'}[/bold]")
    precision = d.published_precision.value if d.published_precision else "no date"
    out.print(f"id {d.id}\npublished {dated(d.published_at, d.published_precision)} ({precision})"
              f" · source {d.source_id or '—'} · language {d.language or '—'} · {d.marking} · reader {d.reader}")
    out.print(f"from {d.location}" + (f" [{d.item}]" if d.item else "") + (f"\nurl {d.url}" if d.url else ""),
              markup=False)
    out.print(f"raw sha256 {d.raw_sha256} · ingest run {d.run_id} · ingested {when(d.ingested_at)}")
    out.rule()
    if plain or extraction.status is None:
        out.print(d.text, markup=False)
    else:
        out.print(marked_text(d.text, extraction))
        out.rule()
        out.print(LEGEND)
    out.rule()
    _render_extraction(d.text, extraction)
    out.print(f"{len(view.sightings)} sighting(s):")
    for s in view.sightings:
        out.print(f"  {when(s.published_at)} {s.source_id or '—'} {s.location} {s.item or ''}", markup=False)
    others = [m for m in view.cluster if m.id != d.id]
    if others:
        out.print(f"duplicate cluster {d.cluster_id[:12]}: {len(view.cluster)} documents")
        for m in others:
            out.print(f"  {m.id[:12]} {when(m.published_at)} {m.source_id or '—'} {short(m.title or m.text, 50)}",
                      markup=False)


def _render_extraction(text: str, x: DocumentExtraction) -> None:
    if x.status is None:
        out.print("not extracted yet (forewarn extract)")
        return
    state = x.status.status + (f": {x.status.error}" if x.status.error else "")
    out.print(f"extraction {state} · {x.status.extractor} · {when(x.status.extracted_at)}", markup=False)
    if x.events:
        out.print(events_table(text, x.events))
    if x.claims:
        out.print(claims_table(text, x))


def stats(ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """Summarise the workspace: backend, sources, documents, clusters, runs."""
    data = run(ctx, lambda ws: ws.reads.stats())
    if as_json:
        print_json(data)
        return
    render_stats(data)


def render_stats(data: dict[str, object]) -> None:
    out.print(f"backend {data['backend']} (schema {data['schema_revision']})")
    out.print(f"{data['documents']:,} documents from {data['sources']} registered sources · "
              f"{data['sightings']:,} sightings · {data['clusters']:,} story clusters "
              f"({data['clusters_with_duplicates']:,} with duplicates) · {data['ingest_runs']} ingest runs · "
              f"{data['issues']:,} issues")
    out.print(f"published {when(data['first_published'])} → {when(data['last_published'])}")  # type: ignore[arg-type]
    table = Table("source", "documents")
    for source, n in data["documents_by_source"].items():  # type: ignore[attr-defined]
        table.add_row(source, f"{n:,}")
    out.print(table)
