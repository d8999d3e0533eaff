"""`forewarn scenario add/list/show/test/remove`, `forewarn assess` and `forewarn surges`."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from forewarn.app import Workspace
from forewarn.cli.context import run
from forewarn.cli.render import out, print_all, print_json, short, to_jsonable, when
from forewarn.detect.explain import explain_lines
from forewarn.detect.score import claim_text
from forewarn.detect.shown import hidden_text
from forewarn.detect.types import IndicatorTest, ScenarioChange, ScenarioRecord, ScenarioTest, ScenarioView
from forewarn.errors import InvalidArgument
from forewarn.model import Indicator, IndicatorKind, Scenario
from forewarn.model.marking import Compartment

app = typer.Typer(help="Scenarios: the threats this workspace watches — add, list, show, test, remove.",
                  no_args_is_help=True)

AT = typer.Option(None, "--at", help="As of this time (ISO 8601; a date alone: the end of that day, UTC). "
                  "Default: now.", show_default=False)
JSON = typer.Option(False, "--json", help="Machine-readable output.")


def parse_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time.max, UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidArgument(f"--at {value!r} is not an ISO 8601 time",
                              hint="e.g. 2024-08-05 or 2024-08-05T12:00+00:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("add")
def add(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(None, help="Scenario YAML files.", show_default=False),
    default: list[str] = typer.Option([], "--default", "-d", help="A default scenario's id (repeatable); "
                                      "`forewarn scenario list --available` lists them."),
    defaults: bool = typer.Option(False, "--defaults", help="Add every default scenario."),
    marking: str = typer.Option("TLP:CLEAR", "--marking", help="Who may see them, their assessments and warnings: "
                                "TLP:CLEAR, GREEN, AMBER, AMBER+STRICT or RED."),
    team: list[str] = typer.Option([], "--team", help="An owning team (repeatable)."),
    recipients: str = typer.Option("", "--recipients", help="Named accounts (or, for AMBER, teams) that may see "
                                   "them, comma-separated (RED needs them)."),
    as_json: bool = JSON,
) -> None:
    """Add scenarios (or update ones whose file changed). Every file is validated before any is stored;
    each addition or change is recorded in the ledger. Re-adding an unchanged scenario does nothing. A
    scenario's marking is raised, never lowered."""

    def action(ws: Workspace) -> list[ScenarioChange]:
        ids = [s.id for s in ws.scenarios.available()] if defaults else list(default)
        if not files and not ids:
            raise InvalidArgument("nothing to add", hint="name YAML files, --default ID or --defaults")
        compartment = Compartment.of(marking, team, recipients.split(","))
        return ws.scenarios.add_many(list(files or []), ids, compartment=compartment)

    changes = run(ctx, action)
    if as_json:
        print_json([{"id": c.scenario.id, "version": c.scenario.version, "change": c.kind,
                     "source": c.scenario.source} for c in changes])
        return
    for c in changes:
        what = {"scenario-added": "added", "scenario-changed": "changed"}.get(c.kind or "", "unchanged")
        out.print(f"{what:9} {c.scenario.id}  {c.scenario.name}  (version {c.scenario.version[:12]}, "
                  f"{len(c.scenario.indicators)} indicators)", markup=False)


@app.command("list")
def list_scenarios(
    ctx: typer.Context,
    available: bool = typer.Option(False, "--available", help="List the default scenarios shipped with forewarn."),
    removed: bool = typer.Option(False, "--removed", help="Also list removed scenarios."),
    as_json: bool = JSON,
) -> None:
    """List the workspace's scenarios (or, with --available, the default ones)."""
    if available:
        found = run(ctx, lambda ws: ws.scenarios.available())
        if as_json:
            print_all([_summary(s) for s in found])
            return
        table = Table("id", "name", "region", "horizon", "prior", "indicators", title=f"{len(found)} default scenarios")
        for s in found:
            table.add_row(s.id, s.name, short(region_text(s), 50), f"{s.horizon_days} d", f"{s.prior:g}",
                          str(len(s.indicators)))
        out.print(table)
        return
    if as_json and not removed:
        from forewarn.web.api.scenarios import summary  # the API's item, with the latest assessment

        print_all([summary(line) for line in run(ctx, lambda ws: ws.scenarios.lines())])
        return
    records = run(ctx, lambda ws: ws.scenarios.records(include_removed=removed))
    if as_json:
        print_all([_summary(r.scenario) | {"enabled": r.enabled, "origin": r.origin, "added_at": r.added_at,
                                           "added_by": r.added_by} for r in records])
        return
    table = Table("id", "name", "region", "horizon", "prior", "owner", "indicators", "version", "added",
                  title=f"{len(records)} scenarios")
    for r in records:
        s = r.scenario
        table.add_row(s.id + ("" if r.enabled else " (removed)"), s.name, short(region_text(s), 40),
                      f"{s.horizon_days} d", f"{s.prior:g}", s.owner, str(len(s.indicators)), s.version[:12],
                      f"{when(r.added_at)} {r.added_by}")
    out.print(table)
    if not records:
        out.print("add one with `forewarn scenario add FILE` or `forewarn scenario add --defaults`", markup=False)


@app.command("show")
def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="A workspace scenario's id, a scenario YAML file, or a default's id."),
    at: str = AT,
    as_json: bool = JSON,
) -> None:
    """Show a scenario: what it watches, its indicators, and its assessment now with every contribution."""
    view = run(ctx, lambda ws: ws.scenarios.view(ref, parse_at(at)))
    if as_json:
        print_json({"scenario": view.scenario, "assessment": view.assessment, "hidden_signals": view.hidden,
                    "hidden": hidden_text(view.hidden),
                    "origin": view.record.origin if view.record else view.scenario.source})
        return
    render_scenario(view.scenario, view.record)
    out.print()
    render_assessment(view)


@app.command("test")
def test(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="A workspace scenario's id, a scenario YAML file, or a default's id."),
    at: str = AT,
    limit: int = typer.Option(10, "--limit", min=0, help="Matching events shown per indicator."),
    as_json: bool = JSON,
) -> None:
    """Show which stored events match each indicator (whatever their age) and what they contribute now.
    A file can be tested before it is added."""
    result = run(ctx, lambda ws: ws.scenarios.test(ref, parse_at(at)))
    if as_json:
        print_json(test_json(result))
        return
    a = result.assessment
    out.print(f"[bold]{escape(result.scenario.name)}[/bold] ({result.scenario.id}) tested at {when(result.at)}: "
              f"probability {a.probability:.3f}, level {a.level or 'none'}")
    for t in result.indicators:
        ind = t.indicator
        counted = [s for s in t.signals if s.counted]
        total = sum(s.contribution for s in counted)
        found = f"{len(t.surges)} surges, " if ind.kind.value == "surge" else ""
        lines = _matched_lines(t)
        what = {"claim": "claims", "mentions": "stories"}.get(ind.kind.value, "events")
        out.print(f"\n[bold]{escape(ind.id)}[/bold] — {escape(ind.name)}: {found}{len(lines)} matching "
                  f"{what}, {len(t.signals)} live signals ({len(counted)} counted, {total:+.3f} log-odds)")
        out.print(f"  pattern: {pattern_text(ind)}", markup=False)
        for line in lines[-limit:] if limit else ():
            out.print(f"  {line}", markup=False)
        if limit and len(lines) > limit:
            out.print(f"  … and {len(lines) - limit} earlier (--limit)", markup=False)
    if result.hidden:
        out.print(f"\n{hidden_text(result.hidden)}", markup=False)


def _matched_lines(t: IndicatorTest) -> list[str]:
    """One line per matching event, claim or story of an indicator's test, oldest first."""
    if t.claims:
        return [f"{c.day.isoformat()} {c.claim.claimed.type if c.claim.claimed else '—'} "
                f"[{c.source_id or '—'} {c.reliability.value}] {c.claim.document_id[:10]}: {short(claim_text(c), 90)}"
                for c in t.claims]
    if t.stories:
        return [f"{s.day.isoformat()} [{s.source_id or '—'} {s.reliability.value}] {s.document_id[:10]}: "
                f"{short(s.title or s.text, 90)}" for s in t.stories]
    lines = []
    for o in t.observations:
        e = o.event
        place = e.place.name if e.place else "—"
        lines.append(f"{e.date.isoformat()} {e.type}{'/' + e.mode if e.mode else ''} {place} "
                     f"[{e.source_id or '—'} {o.reliability.value}] {e.id[:10]}: {short(o.evidence, 90)}")
    return lines


@app.command("remove")
def remove(
    ctx: typer.Context,
    scenario_id: str = typer.Argument(..., help="The scenario's id."),
    as_json: bool = JSON,
) -> None:
    """Stop watching a scenario. Its record and ledger history stay; `scenario add` brings it back."""
    scenario = run(ctx, lambda ws: ws.scenarios.remove(scenario_id))
    if as_json:
        print_json({"id": scenario.id, "version": scenario.version, "change": "scenario-removed"})
        return
    out.print(f"removed {scenario.id}", markup=False)


def assess(
    ctx: typer.Context,
    scenario_ids: list[str] = typer.Argument(None, help="Scenario ids (default: every scenario of the workspace).",
                                             show_default=False),
    at: str = AT,
    as_json: bool = JSON,
) -> None:
    """Assess scenarios: each probability, explained from the prior through every signal's contribution
    ("why is this 0.72?"). Computes only; `forewarn cycle` publishes assessments and raises warnings."""
    views = run(ctx, lambda ws: ws.scenarios.views(scenario_ids or [], parse_at(at)))
    if as_json:
        print_json([{"scenario": v.scenario.id, "name": v.scenario.name, "assessment": v.assessment,
                     "explanation": explain_lines(v.assessment, v.scenario), "hidden_signals": v.hidden,
                     "hidden": hidden_text(v.hidden)} for v in views])
        return
    if not views:
        out.print("no scenarios in this workspace: `forewarn scenario add --defaults` adds the default ones",
                  markup=False)
    for i, v in enumerate(views):
        if i:
            out.print()
        render_assessment(v)


def surges(
    ctx: typer.Context,
    days: int = typer.Option(30, "--days", min=1, max=3660, help="Days up to --at to list surges of."),
    at: str = AT,
    as_json: bool = JSON,
) -> None:
    """List surges: days on which events of one type in one first-level region ran unusually high
    against the 28 days before (negative-binomial test; see docs/scenarios.md)."""
    found = run(ctx, lambda ws: ws.scenarios.surges(parse_at(at), days))
    if as_json:
        print_json(found)
        return
    table = Table("day", "country", "region", "type", "reports", "baseline/day", "variance", "p", "test", "events",
                  title=f"{len(found)} surges")
    for s in found:
        table.add_row(s.day.isoformat(), s.country, s.admin1, s.type, str(s.count), f"{s.baseline_mean:.2f}",
                      f"{s.baseline_var:.2f}", f"{s.p_value:.1e}", s.test, str(len(s.event_ids)))
    out.print(table)


# -- rendering --------------------------------------------------------------------------------------


def render_scenario(s: Scenario, record: ScenarioRecord | None) -> None:
    out.print(f"[bold]{escape(s.name)}[/bold] ({s.id})")
    if s.description:
        out.print(s.description, markup=False)
    origin = f"added {when(record.added_at)} by {record.added_by} from {record.origin}" if record else \
        f"not in this workspace: read from {s.source}"
    out.print(f"region: {region_text(s)}", markup=False)
    out.print(f"horizon {s.horizon_days} days · prior {s.prior:g} · thresholds "
              f"{', '.join(_threshold(t.level, t.probability, t.ack_minutes) for t in s.thresholds)}", markup=False)
    out.print(f"owner {s.owner}; escalation {' → '.join(s.chain)} · version {s.version[:12]} · {origin}",
              markup=False)
    table = Table("indicator", "kind", "pattern", "weight", "ln w", "half-life", "sat.", title="indicators")
    for i in s.indicators:
        table.add_row(f"{i.id}\n{i.name}", i.kind.value, pattern_text(i), f"{i.weight:g}",
                      f"{_ln(i.weight):+.2f}", f"{i.half_life_days:g} d", str(i.saturation))
    out.print(table)


def render_assessment(view: ScenarioView) -> None:
    a = view.assessment
    out.print(f"[bold]{escape(view.scenario.name)}[/bold] ({view.scenario.id}) at {when(a.at)}: "
              f"probability [bold]{a.probability:.3f}[/bold], level {a.level or 'none'}")
    for line in explain_lines(a, view.scenario) + ([hidden_text(view.hidden)] if view.hidden else []):
        out.print(f"  {line}", markup=False)


def region_text(s: Scenario) -> str:
    r = s.region
    parts = list(r.countries) + list(r.admin1)
    if r.point is not None:
        parts.append(f"within {r.radius_km:g} km of {r.point[0]:g},{r.point[1]:g}")
    return ", ".join(parts)


def pattern_text(i: Indicator) -> str:
    if i.kind is IndicatorKind.MENTIONS:
        return _mentions_text(i)
    claim = i.kind is IndicatorKind.CLAIM
    parts = _speaker_parts(i) if claim else []
    parts.append(("claimed " if claim else "") + ("/".join(i.types) or "any type"))
    if i.modes:
        parts.append("mode " + "/".join(i.modes))
    for role, countries, sectors in (("actor", i.actor_countries, i.actor_sectors),
                                     ("recipient", i.recipient_countries, i.recipient_sectors)):
        if countries or sectors:
            parts.append(f"{role} " + " ".join(x for x in ("/".join(countries), "/".join(sectors)) if x))
    if i.keywords:
        parts.append("words " + ", ".join(i.keywords))
    if i.min_confidence:
        parts.append(f"confidence ≥ {i.min_confidence:g}")
    parts.append("in region" if i.in_region else "anywhere")
    return "; ".join(parts)


def _speaker_parts(i: Indicator) -> list[str]:
    who = " ".join(x for x in (", ".join(i.speakers), "/".join(i.speaker_countries), "/".join(i.speaker_sectors)) if x)
    return [f"said by {who or 'anyone'}", f"stance {'/'.join(i.stances) or 'any'}"]


def _mentions_text(i: Indicator) -> str:
    parts = ["stories with " + ", ".join(i.query)]
    if i.entities:
        parts.append("naming " + ", ".join(i.entities))
    parts.append(f"≥ {i.min_stories} a day, p < {i.max_p:g} against {i.baseline_days} days")
    if i.highest_in_days:
        parts.append(f"or the highest in {i.highest_in_days} days")
    parts.append("in region" if i.in_region else "anywhere")
    return "; ".join(parts)


def test_json(result: ScenarioTest) -> dict[str, Any]:
    return {
        "scenario": result.scenario.id, "at": result.at, "assessment": result.assessment,
        "hidden_signals": result.hidden, "hidden": hidden_text(result.hidden),
        "indicators": [{"id": t.indicator.id, "surges": t.surges, "signals": t.signals,
                        "events": [{"id": o.event.id, "date": o.event.date.isoformat(), "type": o.event.type,
                                    "mode": o.event.mode, "document_id": o.event.document_id,
                                    "source_id": o.event.source_id, "reliability": o.reliability,
                                    "cluster_id": o.cluster_id, "known_at": o.known_at, "evidence": o.evidence}
                                   for o in t.observations],
                        "claims": [{"document_id": c.claim.document_id, "day": c.day.isoformat(),
                                    "source_id": c.source_id, "reliability": c.reliability, "known_at": c.known_at,
                                    "stance": c.claim.stance, "evidence": claim_text(c)} for c in t.claims],
                        "stories": [{"document_id": s.document_id, "day": s.day.isoformat(), "source_id": s.source_id,
                                     "known_at": s.known_at, "title": s.title} for s in t.stories]}
                       for t in result.indicators],
    }


def _summary(s: Scenario) -> dict[str, Any]:
    data: dict[str, Any] = to_jsonable(s)
    data.pop("indicators")
    data["indicators"] = [i.id for i in s.indicators]
    return data


def _threshold(level: str, p: float, ack: int | None) -> str:
    return f"{level} {p:g}" + (f" (ack {ack} min)" if ack else "")


def _ln(weight: float) -> float:
    return math.log(weight)


__all__ = ["app", "assess", "surges"]
