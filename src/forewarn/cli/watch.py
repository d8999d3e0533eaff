"""`forewarn watch` (poll sources and warn until stopped) and `forewarn cycle` (one warning cycle)."""

from __future__ import annotations

import signal
import threading
from datetime import UTC, datetime
from types import FrameType

import typer

from forewarn.app import Workspace
from forewarn.cli.context import fail, run
from forewarn.cli.render import err, out, print_json
from forewarn.cycle import CycleReport, run_cycle, seen_report
from forewarn.errors import ForewarnError, InvalidArgument
from forewarn.model import Principal
from forewarn.watch import WatchCycle, Watcher


def watch(
    ctx: typer.Context,
    interval: float = typer.Option(None, "--interval", min=0.05, help="Seconds between polls (default: the "
                                   "watch_interval setting).", show_default=False),
    cycles: int = typer.Option(None, "--cycles", min=1, help="Stop after this many polls (default: run until "
                               "SIGINT or SIGTERM).", show_default=False),
    metrics_port: int = typer.Option(None, "--metrics-port", min=0, max=65535, help="Serve metrics in "
                                     "Prometheus's text format on 127.0.0.1 at this port while watching (default: "
                                     "the metrics_port setting; 0: none).", show_default=False),
) -> None:
    """Poll the registered sources; run new documents through extraction, scoring and warning.

    Each poll ingests the sources that changed (extracting new documents), assesses every scenario,
    raises or reopens warnings, escalates overdue ones and delivers notifications. SIGINT (Ctrl-C)
    or SIGTERM stops it after the step in progress: a write is never cut off."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        err.print(f"{signal.Signals(signum).name}: stopping after the current step")
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        count = run(ctx, lambda ws: _watch(ws, interval, stop, cycles), system=True, long=True,
                    metrics_port=metrics_port)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    err.print(f"watch stopped after {count} polls")


def _watch(ws: Workspace, interval: float | None, stop: threading.Event, cycles: int | None) -> int:
    own = ws.time.live().setting  # a frozen workspace time is refused (FW-E095): nothing would ever fall due
    if own is not None:
        err.print(f"watching in the workspace's own time, running on from {own.at:%Y-%m-%d %H:%M} UTC (set by "
                  f"{own.set_by}; `forewarn clock clear` goes back to the real time)", markup=False)
    err.print(f"watching; every action is recorded as {ws.actor}", markup=False)
    port = ws.settings.metrics_port
    if port:
        err.print(f"metrics: http://127.0.0.1:{port}/metrics", markup=False)
    person = _person(ws)
    watcher = Watcher(ws, interval=interval, stop=stop, metrics_port=port)
    return watcher.run(lambda r: _render_cycle(person, r), cycles, _report_error)


def _person(ws: Workspace) -> Workspace:
    """The workspace as the person at the terminal: forewarn cycles as itself, but shows them what they may see."""
    return ws.acting_as(Principal.local(ws.actor))


def _render_cycle(person: Workspace, result: WatchCycle) -> None:
    report = result.ingest
    if report is not None and (report.new or report.failed):
        out.print(f"{_stamp(result.cycle.at)} ingested {report.new} new, {report.failed} failed")
    _render_events(seen_report(person, result.cycle))


def _report_error(error: ForewarnError) -> None:
    err.print(f"[red]error[/red] {error} — retrying at the next poll", markup=True, highlight=False)


def _render_events(cycle: CycleReport) -> None:
    for w in cycle.warnings:
        out.print(f"{_stamp(cycle.at)} [bold]warning {w.id}[/bold] {w.state.value} {w.severity}: {w.title} "
                  f"→ {w.owner}")
    for w in cycle.escalated:
        out.print(f"{_stamp(cycle.at)} warning {w.id} escalated to {w.owner} (level {w.escalation_level})")
    d = cycle.delivery
    if d.failed or d.dead:
        err.print(f"{_stamp(cycle.at)} notifications: {d.sent} sent, {d.failed} failed (retried later), "
                  f"{d.dead} given up — `forewarn outbox`")


def _stamp(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S")


def cycle(
    ctx: typer.Context,
    at: str = typer.Option(None, "--at", help="Assess as of this time (ISO 8601; default now). Actions are still "
                           "recorded at the real time.", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Run one warning cycle: assess every scenario, raise or reopen warnings, escalate, notify."""
    try:
        when = _parse_time(at) if at else None
    except ForewarnError as e:
        raise fail(e) from None

    def action(ws: Workspace) -> CycleReport:
        return seen_report(_person(ws), run_cycle(ws, when or ws.clock()))

    report = run(ctx, action, system=True)
    if as_json:
        print_json(report)
        return
    for a in report.assessments:
        out.print(f"{a.scenario_id}: p={a.probability:.3f} level={a.level or '—'} "
                  f"({len(a.counted)} signals counted){' published' if a.scenario_id in report.published else ''}")
    _render_events(report)


def _parse_time(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidArgument(f"{text!r} is not an ISO 8601 time", hint="e.g. 2024-08-05T12:00+00:00") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
