"""`forewarn demo`."""

from __future__ import annotations

import typer

from forewarn.cli.context import fail
from forewarn.cli.docs import render_stats
from forewarn.cli.extract import render_report as render_extraction
from forewarn.cli.ingest import render_report
from forewarn.cli.render import out, print_json
from forewarn.demo import DEMO_DEFAULTS, build_demo
from forewarn.errors import ForewarnError


def demo(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Build a workspace from the bundled demo corpus and show what it holds.

    The corpus: reports around the Sumy–Kursk border, 1 July – 12 August 2024, in several source
    kinds and formats. Uses the configured store (--db, FOREWARN_DATABASE_URL, forewarn.toml) when
    there is one, else ./forewarn-demo.db. Re-running is idempotent.
    """
    try:
        settings = ctx.obj.settings(defaults=DEMO_DEFAULTS)
        result = build_demo(settings)
    except ForewarnError as e:
        raise fail(e) from None
    if as_json:
        print_json({"database_url": settings.database_url, "report": result.report,
                    "extraction": result.extraction, "stats": result.stats})
        return
    out.print(f"demo workspace: {settings.database_url}")
    render_report(result.report)
    if result.extraction is not None:
        render_extraction(result.extraction)
    render_stats(result.stats)
