"""`forewarn demo`."""

from __future__ import annotations

import secrets
from pathlib import Path

import typer

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.cli.context import fail, say_recorded
from forewarn.cli.docs import render_stats
from forewarn.cli.extract import render_report as render_extraction
from forewarn.cli.ingest import render_report
from forewarn.cli.render import out, print_json
from forewarn.cli.serve import serve_workspace
from forewarn.demo import DEMO_DEFAULTS, build_demo
from forewarn.demo_play import EVENT_DATE, PlayResult, play
from forewarn.errors import ForewarnError
from forewarn.review import PostMortem, to_html, to_markdown
from forewarn.review.report import logits

DEMO_USER = "demo"
POSTMORTEM_FILES = (Path("forewarn-demo-postmortem.md"), Path("forewarn-demo-postmortem.html"))


def demo(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    serve: bool = typer.Option(False, "--serve", help="Then serve the workbench over the demo workspace, with a "
                               "demo account (duty officer) whose fresh password is printed."),
) -> None:
    """Build a workspace from the bundled demo corpus and show what it holds.

    The corpus: reports around the Sumy–Kursk border, 1 July – 12 August 2024, in several source
    kinds and formats. Uses the configured store (--db, FOREWARN_DATABASE_URL, forewarn.toml) when
    there is one, else ./forewarn-demo.db. Re-running is idempotent.
    """
    try:
        settings = ctx.obj.settings(defaults=DEMO_DEFAULTS)
        result = build_demo(settings)
        played = play(settings) if settings.extract else None
    except ForewarnError as e:
        raise fail(e, "building the demo workspace") from None
    if played is not None:
        markdown, html = POSTMORTEM_FILES
        markdown.write_text(to_markdown(played.postmortem), encoding="utf-8")
        html.write_text(to_html(played.postmortem), encoding="utf-8")
    if as_json:
        print_json({"database_url": settings.shown()["database_url"], "report": result.report,
                    "extraction": result.extraction, "stats": result.stats,
                    "warnings": played.warnings if played else [], "postmortem": played.postmortem if played else None})
        return
    out.print(f"demo workspace: {settings.shown()['database_url']}")
    say_recorded(settings.resolved_actor())
    render_report(result.report)
    if result.extraction is not None:
        render_extraction(result.extraction)
    render_stats(result.stats)
    if played is not None:
        render_play(played)
    if serve:
        try:
            password = secrets.token_urlsafe(12)
            with Workspace.open(settings) as ws:
                ws.accounts.add_user(DEMO_USER, password, Role.DUTY_OFFICER, actor="forewarn-demo",
                                     display_name="Demo duty officer", update_existing=True)
            serve_workspace(settings, banner=f"log in as [bold]{DEMO_USER}[/bold] with password "
                                             f"[bold]{password}[/bold] (new at every `make demo`)")
        except ForewarnError as e:
            raise fail(e) from None


def render_play(played: PlayResult) -> None:
    pm = played.postmortem
    how = f"played 8 July – 12 August 2024 in {played.steps} six-hour steps" if played.played else \
        "played by an earlier run (the ledger holds it)"
    out.print(f"\n[bold]warning chain[/bold], {how}:")
    for w in sorted(played.warnings, key=lambda w: w.id):
        fate = w.disposition.value if w.disposition else w.state.value
        out.print(f"  warning {w.id} {w.raised_at:%Y-%m-%d %H:%M} {w.origin.value:8} {w.severity:8} {fate:12} "
                  f"{w.title}")
    if pm.first_warning is not None and pm.lead_time is not None:
        out.print(f"first warning {pm.first_warning.raised_at:%Y-%m-%d %H:%M} UTC: "
                  f"[bold]{_days(pm.lead_time.total_seconds())}[/bold] before the incursion of {EVENT_DATE:%d %B %Y}")
    out.print(f"where the chain broke: {pm.broken.value} — {pm.findings[0].text if pm.findings else ''}")
    render_judgments(pm)
    if played.clock is not None:
        out.print(f"workspace time: runs on from {played.clock.at:%Y-%m-%d %H:%M} UTC, the play's end, so the board, "
                  "pages, `scenario show` and `cycle` carry on from there (`forewarn clock show`; `forewarn clock "
                  "clear` for the real time)", markup=False)
    out.print(f"post-mortem: {POSTMORTEM_FILES[0]} and {POSTMORTEM_FILES[1]} "
              f"(again: forewarn --db … postmortem cross-border-incursion --event-date {EVENT_DATE})")


def render_judgments(pm: PostMortem) -> None:
    """The play's judgments: blind estimates, the published line and its softening gap, dissents, resolution."""
    j = pm.judgments
    if j is None or j.question is None:
        return
    q = j.question
    analysts = sorted({e.analyst for e in j.estimates if e.blind})
    out.print(f"judgments: {len(j.estimates)} estimates by {len(analysts)} analysts ({', '.join(analysts)}) on "
              f"question {q.id}, {q.state.value}" + (f" by {q.resolved_by} {q.resolved_at:%Y-%m-%d %H:%M}"
                                                    if q.resolved_at else ""), markup=False)
    for x in j.lines:
        median = "—" if x.median is None else f"{x.median:.0%}"
        flag = "FLAGGED, softer than the analysts" if x.line.flagged else "not flagged"
        out.print(f"  line {x.line.at:%Y-%m-%d %H:%M} by {x.line.published_by}: “{x.line.words}” "
                  f"{x.line.probability:.0%} against a blind median of {median}: gap {logits(x.line.gap)} logits, "
                  f"{flag}; {len(x.dissents)} dissent(s)", markup=False)
    if j.dispositions:
        out.print(f"  {len(j.dispositions)} dissent(s) from dispositions", markup=False)
    for seen in j.assumptions:
        a, met = seen.assumption, f", a signpost met {seen.matches[0].known_at:%Y-%m-%d %H:%M}" if seen.matches else ""
        out.print(f"  key assumption {a.id} ({a.owner}): {a.state.value}{met}", markup=False)


def _days(seconds: float) -> str:
    return f"{seconds / 86400:.1f} days"
