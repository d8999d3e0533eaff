"""`forewarn extract`: run (or re-run) extraction over stored documents."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from forewarn.app import Workspace
from forewarn.cli.context import run
from forewarn.cli.render import out, print_json
from forewarn.model import ExtractReport


def extract(
    ctx: typer.Context,
    document: list[str] = typer.Option(None, "--document", "-d", help="Only this document (id or unique prefix; "
                                       "repeatable). Re-extracts it even when it is up to date.", show_default=False),
    failed: bool = typer.Option(False, "--failed", help="Retry only the documents whose extraction failed."),
    stale: bool = typer.Option(False, "--stale", help="Also re-extract documents extracted by another extractor "
                               "version (after a model, lexicon or dictionary change)."),
    processes: int = typer.Option(None, "--processes", "-p", min=1, help="Worker processes (default: the "
                                  "extract_processes setting).", show_default=False),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Extract entities, places, dates, PLOVER events and claims from stored documents.

    With no option: every document not extracted yet, or whose extraction failed. Each document's
    results replace what an earlier extraction stored for it; every row records the extractor version."""
    def action(ws: Workspace) -> ExtractReport:
        with _progress(quiet or as_json) as bar:
            return ws.intake.extract(document_ids=document or (), failed_only=failed, stale=stale, progress=bar)

    report = run(ctx, action, extract_processes=processes)
    if as_json:
        print_json(report)
        return
    render_report(report)


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
    out.print(f"extracted {report.extracted:,} of {report.documents:,} documents in {report.seconds:.1f}s "
              f"({rate:.1f} docs/s): {report.events:,} events, {report.claims:,} claims; {report.failed:,} failed")
    out.print(f"extractor {report.extractor}", markup=False)
    for doc_id, error in report.failures:
        out.print(f"  [red]failed[/red] {doc_id[:12]}: {error}", highlight=False)
    if report.failed:
        out.print("  retry with: forewarn extract --failed")
