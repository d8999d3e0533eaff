"""`forewarn ingest` and `forewarn runs`."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager, nullcontext

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from forewarn.app import Workspace
from forewarn.cli.context import run
from forewarn.cli.extract import BACKFILL, SCHEDULER, WORKERS, backfill_settings
from forewarn.cli.extract import render_report as render_extraction
from forewarn.cli.render import err, out, print_json, print_page, when
from forewarn.cli.sources import parse_options
from forewarn.errors import InvalidArgument
from forewarn.ingest.sources import parse_map
from forewarn.model import IngestReport, SourceKind

UNREAD_EXIT = 3  # a named target could not be read at all
runs_app = typer.Typer(help="Ingest runs and their errors.", no_args_is_help=True)


def ingest(
    ctx: typer.Context,
    targets: list[str] = typer.Argument(None, help="Registered source ids, files, folders or feed URLs.",
                                        show_default=False),
    all_sources: bool = typer.Option(False, "--all", help="Ingest every registered source."),
    kind: SourceKind = typer.Option(SourceKind.AUTO, "--kind", help="Reader for paths and URLs."),
    include: list[str] = typer.Option([], "--include", help="Glob of files to read in folders. Repeatable."),
    exclude: list[str] = typer.Option([], "--exclude", help="Glob of files to skip. Repeatable."),
    column_map: str = typer.Option("", "--map", help="CSV/JSONL mapping, e.g. "
                                   "text=body,date=published,title=headline. A row with coordinates is an "
                                   "observation: lat, lon (or coordinates), type, mode, actor, actor_country, "
                                   "actor_sector, recipient, recipient_country, recipient_sector, place, precision, "
                                   "confidence (docs/observations.md)."),
    option: list[str] = typer.Option([], "--option", "-o", help="Reader option KEY=VALUE, e.g. preset=acled or "
                                     "preset=gdelt (those files' columns and event types). Repeatable."),
    max_bytes: int = typer.Option(None, "--max-bytes", help="Largest document file accepted (bytes).",
                                  show_default=False),
    backfill: bool = BACKFILL,
    scheduler: str = SCHEDULER,
    workers: int = WORKERS,
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Read sources, files, folders or feeds into the workspace.

    Reports new, duplicate and near-duplicate documents, and a coded error for every bad item
    (the rest proceeds). Re-running is idempotent; an interrupted run is completed by re-running it.

    CSV/JSONL rows that carry coordinates (lat=, lon= in --map, or columns named so) are structured
    observations: each becomes an event at its point, of its type, by its actor, on its date, besides
    what its text says (docs/observations.md; ACLED and GDELT files: --option preset=acled|gdelt, or
    `forewarn import acled|gdelt`).

    A large archive: with --backfill the extraction of what is new (when the `extract` setting is on)
    runs on a Dask cluster, after the documents are stored (docs/backfill.md).

    Exit status: 0 when every named target was read (bad items are reported, not fatal); 3 when a
    named target could not be read at all (not found, unreadable, or nothing but errors: the other
    targets are still ingested); 1 when an error stopped the run.
    """

    def action(ws: Workspace) -> IngestReport:
        with _progress(quiet=as_json) as progress:
            if all_sources:
                return ws.intake.ingest_all(progress=progress, backfill=backfill)
            return ws.intake.ingest(targets or [], kind=kind, include=include, exclude=exclude,
                                    column_map=parse_map(column_map), options=parse_options(option),
                                    progress=progress, backfill=backfill)

    report = run(ctx, action, long=True, max_bytes=max_bytes, **backfill_settings(backfill, scheduler, workers))
    if as_json:
        print_json(report)
    else:
        render_report(report)
    if report.unread:
        if not as_json:
            err.print("nothing could be read from: " + ", ".join(report.unread), markup=False)
        raise typer.Exit(UNREAD_EXIT)


# what `forewarn import FORMAT` reads with: the reader, and its options
IMPORTS: dict[str, tuple[SourceKind, dict[str, str]]] = {
    "stix": (SourceKind.STIX, {}), "taxii": (SourceKind.TAXII, {}), "misp": (SourceKind.MISP, {}),
    "acled": (SourceKind.CSV, {"preset": "acled"}), "gdelt": (SourceKind.CSV, {"preset": "gdelt"}),
}


def import_(
    ctx: typer.Context,
    fmt: str = typer.Argument(..., help="stix (bundle files or folders), taxii (a collection URL), misp (event JSON "
                              "or a feed folder), acled (ACLED CSV export), gdelt (GDELT 2.0 event files).",
                              show_default=False),
    targets: list[str] = typer.Argument(..., help="Files, folders or URLs.", show_default=False),
    option: list[str] = typer.Option([], "--option", "-o", help="Reader option KEY=VALUE, e.g. token_env=NAME "
                                     "(taxii). Repeatable."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Import a partner's data in the field's formats: each report, note or event becomes a document (with its
    provenance and its own marking, never lower than its source's), each located sighting or row a structured
    observation. Re-importing is idempotent. To give the documents a source's team, marking and reliability,
    register the location as a source (`forewarn source add --kind stix …`) and ingest it instead.

    Exit status as `forewarn ingest`: 3 when a target could not be read at all."""

    def action(ws: Workspace) -> IngestReport:
        if fmt not in IMPORTS:
            raise InvalidArgument(f"unknown import format {fmt!r}", hint=f"one of {', '.join(IMPORTS)}")
        kind, preset = IMPORTS[fmt]
        with _progress(quiet=as_json) as progress:
            return ws.intake.ingest(targets, kind=kind, options=preset | parse_options(option), progress=progress)

    report = run(ctx, action, long=True)
    if as_json:
        print_json(report)
    else:
        render_report(report)
    if report.unread:
        raise typer.Exit(UNREAD_EXIT)


class _Bar(AbstractContextManager["_Bar"]):
    """A Rich progress bar on a terminal: items, documents/s, errors."""

    def __init__(self) -> None:
        self.progress = Progress(TextColumn("ingest"), BarColumn(bar_width=None, pulse_style="cyan"),
                                 TextColumn("{task.fields[read]:,} items · {task.fields[rate]:,.0f}/s · "
                                            "{task.fields[failed]:,} errors"), TimeElapsedColumn(), console=err,
                                 transient=True)
        self.task = self.progress.add_task("ingest", total=None, read=0, rate=0.0, failed=0)
        self.started = time.perf_counter()

    def __enter__(self) -> _Bar:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, read: int, failed: int, committed: int) -> None:
        rate = read / max(time.perf_counter() - self.started, 1e-9)
        self.progress.update(self.task, read=read, rate=rate, failed=failed)


def _progress(quiet: bool) -> AbstractContextManager[_Bar | None]:
    if quiet or not err.is_terminal:
        return nullcontext(None)
    return _Bar()


def render_report(report: IngestReport) -> None:
    rate = report.read / report.seconds if report.seconds else 0.0
    out.print(f"ingest run {report.run_id} {report.status}: {report.read:,} items in {report.seconds:.1f}s "
              f"({rate:,.0f}/s)")
    table = Table("new", "duplicate", "near-duplicate", "failed", "warnings")
    table.add_row(*(f"{n:,}" for n in (report.new, report.duplicate, report.near_duplicate, report.failed,
                                        report.warnings)))
    out.print(table)
    for label, codes in (("failed", report.failed_by_code), ("warnings", report.warnings_by_code)):
        if codes:
            out.print(f"{label} by code: " + ", ".join(f"{code} × {n}" for code, n in codes))
    for issue in report.issues[:20]:
        out.print(f"  {issue.render()}", markup=False)
    if len(report.issues) > 20 or report.failed + report.warnings > len(report.issues):
        out.print(f"  … all issues: forewarn runs show {report.run_id}")
    if report.extraction is not None:
        render_extraction(report.extraction)


@runs_app.command("list")
def list_runs(
    ctx: typer.Context,
    limit: int = typer.Option(20, "--limit", help="How many, newest first."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List ingest runs, newest first."""
    if as_json:
        from forewarn.web.api.sources import run_out  # the API's item

        found = run(ctx, lambda ws: ws.reads.run_list(limit, 0))
        print_page([run_out(r) for r in found.items], total=found.total, limit=limit)
        return
    runs = run(ctx, lambda ws: ws.reads.runs(limit))
    table = Table("run", "started", "status", "actor", "new", "dup", "near-dup", "failed", "warn", "inputs")
    for r in runs:
        table.add_row(str(r.id), when(r.started_at), r.status, r.actor, str(r.new), str(r.duplicate),
                      str(r.near_duplicate), str(r.failed), str(r.warnings), ", ".join(r.inputs)[:60])
    out.print(table)


@runs_app.command("show")
def show_run(
    ctx: typer.Context,
    run_id: int = typer.Argument(..., help="Run number."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show one ingest run with every issue it met."""
    view = run(ctx, lambda ws: ws.reads.run(run_id))
    if as_json:
        print_json(view)
        return
    r = view.run
    out.print(f"run {r.id} · {r.status} · {r.actor} · {when(r.started_at)} → {when(r.finished_at)}")
    out.print(f"new {r.new} · duplicate {r.duplicate} · near-duplicate {r.near_duplicate} · failed {r.failed} · "
              f"warnings {r.warnings}")
    for issue in view.issues:
        out.print(f"  [{issue.severity.value}] {issue.render()}", markup=False)
