"""`forewarn replay` and `forewarn postmortem`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from forewarn.app import Workspace
from forewarn.cli.context import fail, run
from forewarn.cli.render import err, out, print_json, short, when
from forewarn.errors import InvalidArgument
from forewarn.review import PostMortem, ReplaySeries, parse_instant, parse_step, to_html, to_markdown, write_csv
from forewarn.review.judged import judgments_json
from forewarn.review.report import duration

CHART_SUFFIXES = (".png", ".svg")


def replay(
    ctx: typer.Context,
    scenario: str = typer.Option(..., "--scenario", "-s", help="Scenario id (one added to the workspace)."),
    date_from: str = typer.Option(..., "--from", help="First step: YYYY-MM-DD (midnight UTC) or an ISO date-time."),
    date_to: str = typer.Option(..., "--to", help="Last step (inclusive), as --from."),
    step: str = typer.Option(None, "--step", help="Time between steps: 1d, 12h, 30m … (default: the live cycle's "
                             "step, the most common interval between the scenario's published assessments; else the "
                             "watch_interval setting). The output says which it used and why.", show_default=False),
    csv_file: Path = typer.Option(None, "--csv", help="Write the series as CSV "
                                  "(at,probability,log_odds,level,signals,top_signal).", show_default=False),
    chart: Path = typer.Option(None, "--chart", help="Draw the series to a .png or .svg file, with thresholds, "
                               "would-warn crossings and the stored warnings.", show_default=False),
    event_date: str = typer.Option(None, "--event-date", help="Mark an event on the chart (date or date-time).",
                                   show_default=False),
    steps: bool = typer.Option(False, "--steps", help="List every step, not only the summary."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Recompute a scenario as of each step of a past period, each time from only the documents published
    by that step (no look-ahead); summarise when it would have crossed each threshold."""

    def action(ws: Workspace) -> ReplaySeries:
        start, end = parse_instant(date_from, "--from"), parse_instant(date_to, "--to")
        delta = parse_step(step) if step is not None else None
        event_at = parse_instant(event_date, "--event-date") if event_date else None
        if chart is not None and chart.suffix.lower() not in CHART_SUFFIXES:
            raise InvalidArgument(f"--chart {chart.name!r} is neither .png nor .svg", hint="e.g. --chart replay.svg")
        series = ws.review.replay(scenario, start, end, delta)
        if csv_file is not None:
            write_csv(series, csv_file)
        if chart is not None:
            from forewarn.review.chart import write_chart  # matplotlib loads only when drawing

            write_chart(series, chart, event_at=event_at)
        return series

    series = run(ctx, action)  # rebuilt over everything, shown as the actor may see it (issue 18)
    for path in (csv_file, chart):
        if path is not None:
            err.print(f"wrote {path}", markup=False)
    if as_json:
        print_json(series_json(series))
        return
    _print_series(series, steps)


def series_json(series: ReplaySeries) -> dict[str, Any]:
    return {
        "scenario": series.scenario_id, "version": series.scenario_version, "from": series.start, "to": series.end,
        "step": series.step_text, "step_reason": series.step_reason, "observations": series.observations,
        "matched": series.matched,
        "thresholds": [{"level": t.level, "probability": t.probability,
                        "first_reached": _at(series.first_reaching(t))} for t in series.thresholds],
        "crossings": list(series.crossings), "steps": list(series.steps),
        "warnings": [w.id for w in series.warnings],
    }


def _at(found: Any) -> str | None:
    return found.at.isoformat() if found is not None else None


def _print_series(series: ReplaySeries, every_step: bool) -> None:
    out.print(f"{series.scenario_name} ({series.scenario_id}): {len(series.steps):,} steps of {series.step_text} "
              f"from {when(series.start)} to {when(series.end)} UTC; {series.observations:,} observations known by "
              f"the end, {series.matched:,} matching an indicator", markup=False)
    out.print(f"step {series.step_text}: {series.step_reason or 'given'}", markup=False)
    if every_step:
        table = Table("at (UTC)", "probability", "level", "signals", "top signal", title="steps")
        for s in series.steps:
            table.add_row(when(s.at), f"{s.probability:.1%}", s.level or "", str(s.signals), s.top_signal)
        out.print(table)
    top = max(series.steps, key=lambda s: s.probability)
    out.print(f"peak {top.probability:.1%} at {when(top.at)} UTC ({top.level or 'below every threshold'})",
              markup=False)
    table = Table("threshold", "probability", "first reached (UTC)", title="first step at each threshold")
    for t in series.thresholds:
        first = series.first_reaching(t)
        table.add_row(t.level, f"{t.probability:.0%}", when(first.at) if first else "never")
    out.print(table)
    if series.crossings:
        table = Table("at (UTC)", "from", "to", "probability", title="a live system would have warned")
        for c in series.crossings:
            table.add_row(when(c.at), c.previous or "—", c.level, f"{c.probability:.1%}")
        out.print(table)


def postmortem(
    ctx: typer.Context,
    scenario: str = typer.Argument(..., help="Scenario id."),
    event_date: str = typer.Option(..., "--event-date", help="When the event happened: YYYY-MM-DD (midnight UTC) "
                                   "or an ISO date-time."),
    markdown: Path = typer.Option(None, "--markdown", help="Write the report as Markdown to this file.",
                                  show_default=False),
    html: Path = typer.Option(None, "--html", help="Write the report as a self-contained HTML page.",
                              show_default=False),
    chart: bool = typer.Option(True, "--chart/--no-chart", help="Replay the window and embed the chart in the "
                               "HTML page."),
    margin_days: int = typer.Option(None, "--margin-days", min=0, max=3650, help="Days looked at before the "
                                    "scenario's horizon (default 30).", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Reconstruct what was known before an event: first signal, first warning, lead time, each
    acknowledgement and disposition with who and when, and where the chain broke. Prints Markdown
    unless --markdown, --html or --json is given."""

    def action(ws: Workspace) -> PostMortem:
        event = parse_instant(event_date, "--event-date")
        return ws.review.postmortem(scenario, event, margin_days=margin_days, with_replay=html is not None and chart)

    pm = run(ctx, action)  # rebuilt over everything, shown as the actor may see it (issue 18)
    try:
        for path, text in ((markdown, to_markdown), (html, to_html)):
            if path is not None:
                path.write_text(text(pm), encoding="utf-8")
                err.print(f"wrote {path}", markup=False)
    except OSError as e:
        raise fail(InvalidArgument(f"cannot write {e.filename}: {e.strerror}",
                                   hint="check the folder exists and is writable")) from None
    if as_json:
        print_json(postmortem_json(pm))
    elif markdown is None and html is None:
        print(to_markdown(pm), end="")
    else:
        out.print(f"{pm.broken.value}: {short(pm.findings[0].text, 200)}", markup=False)
        out.print(f"lead time: {duration(pm.lead_time)} from the first warning, {duration(pm.signal_lead_time)} "
                  "from the first signal", markup=False)


def postmortem_json(pm: PostMortem) -> dict[str, Any]:
    return {
        "scenario": pm.scenario.id, "version": pm.scenario.version, "event_at": pm.event_at,
        "window_start": pm.window_start, "at": pm.at, "broken": pm.broken, "findings": list(pm.findings),
        "documents_in_window": pm.documents_in_window, "observations_in_window": pm.observations_in_window,
        "first_signal": pm.first_signal, "first_warning": pm.first_warning.id if pm.first_warning else None,
        "lead_time_seconds": _seconds(pm.lead_time), "signal_lead_time_seconds": _seconds(pm.signal_lead_time),
        "warnings": [{"id": o.warning.id, "origin": o.warning.origin, "raised_at": o.warning.raised_at,
                      "status": o.status, "owner": o.owner, "escalations": o.escalations, "by": o.by,
                      "when": o.when, "rationale": o.rationale, "reopened": o.reopened} for o in pm.outcomes],
        "timeline": list(pm.timeline), "signals": len(pm.signals),
        "hidden_signals": pm.hidden_signals, "signals_per_day": list(pm.signals_per_day),
        "judgments": judgments_json(pm.judgments) if pm.judgments else None,
    }


def _seconds(delta: Any) -> float | None:
    return None if delta is None else delta.total_seconds()
