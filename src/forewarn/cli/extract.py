"""`forewarn extract`: run (or re-run) extraction over stored documents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from forewarn.app import Workspace
from forewarn.cli.context import fail, run
from forewarn.cli.render import out, print_json
from forewarn.errors import InvalidArgument
from forewarn.model import ExtractReport

# a backfill on Dask (docs/backfill.md); `forewarn ingest` takes the same options
BACKFILL = typer.Option(False, "--backfill", help="Extract on a Dask cluster: a local one of --workers processes, "
                        "or the scheduler at --scheduler (needs the optional extra 'distributed'; docs/backfill.md).")
SCHEDULER = typer.Option(None, "--scheduler", metavar="ADDR", help="With --backfill: the Dask scheduler "
                         "(tcp://host:8786) instead of a local cluster (default: the backfill_scheduler setting).",
                         show_default=False)
WORKERS = typer.Option(None, "--workers", min=1, help="With --backfill: worker processes of the local cluster "
                       "(default: the backfill_workers setting).", show_default=False)


def extract(
    ctx: typer.Context,
    document: list[str] = typer.Option(None, "--document", "-d", help="Only this document (id or unique prefix; "
                                       "repeatable). Re-extracts it even when it is up to date.", show_default=False),
    failed: bool = typer.Option(False, "--failed", help="Retry only the documents whose extraction failed."),
    stale: bool = typer.Option(False, "--stale", help="Also re-extract documents extracted by another extractor "
                               "version (after a model, lexicon or dictionary change)."),
    processes: int = typer.Option(None, "--processes", "-p", min=1, help="Worker processes (default: the "
                                  "extract_processes setting).", show_default=False),
    backfill: bool = BACKFILL,
    scheduler: str = SCHEDULER,
    workers: int = WORKERS,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Extract entities, places, dates, PLOVER events and claims from stored documents.

    With no option: every document not extracted yet, or whose extraction failed. Each document's
    results replace what an earlier extraction stored for it; every row records the extractor version.
    With --backfill the work runs on a Dask cluster; an interrupted backfill is finished by running it again."""
    def action(ws: Workspace) -> ExtractReport:
        with _progress(quiet or as_json) as bar:
            return ws.intake.extract(document_ids=document or (), failed_only=failed, stale=stale, progress=bar,
                                     backfill=backfill)

    report = run(ctx, action, long=True, extract_processes=processes, **backfill_settings(backfill, scheduler, workers))
    if as_json:
        print_json(report)
        return
    render_report(report)


def backfill_settings(backfill: bool, scheduler: str | None, workers: int | None) -> dict[str, Any]:
    """The setting overrides of the backfill options; --scheduler and --workers need --backfill."""
    if not backfill and (scheduler is not None or workers is not None):
        raise fail(InvalidArgument("--scheduler and --workers go with --backfill", hint="add --backfill"))
    return {"backfill_scheduler": scheduler, "backfill_workers": workers}


@contextmanager
def _progress(quiet: bool) -> Iterator[_Bar | None]:
    if quiet or not out.is_terminal:
        yield None
        return
    with Progress(TextColumn("extracting"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.fields[failed]} failed"),
                  TimeElapsedColumn(), console=out, transient=True) as progress:
        yield _Bar(progress)


class _Bar:
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("extract", total=None, failed=0)

    def __call__(self, done: int, failed: int) -> None:
        self.progress.update(self.task, completed=done, failed=failed)


def render_report(report: ExtractReport) -> None:
    if not report.documents:
        out.print("nothing to extract: every document is up to date (--stale re-extracts after a model change)")
        return
    rate = report.documents / report.seconds if report.seconds else 0.0
    where = f" on {report.workers} Dask workers" if report.workers else ""
    out.print(f"extracted {report.extracted:,} of {report.documents:,} documents{where} in {report.seconds:.1f}s "
              f"({rate:.1f} docs/s): {report.events:,} events, {report.claims:,} claims; {report.failed:,} failed")
    out.print(f"extractor {report.extractor}", markup=False)
    for doc_id, error in report.failures:
        out.print(f"  [red]failed[/red] {doc_id[:12]}: {error}", highlight=False)
    if report.failed:
        out.print("  retry with: forewarn extract --failed")
