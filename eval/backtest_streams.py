"""Backtests on real streams: every packaged default scenario played daily over a stream, from only what
was published by each step.

Streams (``--streams``; default the two news streams, which `make eval-streams` runs; `make eval` runs the
press corpus through eval/backtest.py):

- ``press``: Kremlin and Ukrainian presidential press releases, 24 Oct 2021 – 24 Jun 2022 (the invasion
  of 24 Feb 2022, taken at 03:00 UTC, the first strikes);
- ``news_2023_mayjun``: 93,385 items of 28 news feeds, 1 May – 30 June 2023 (the armed mutiny in Russia,
  taken at 23 June 2023 19:00 UTC: the evening the mutiny began);
- ``news_2024_feeds``: six news feeds over two periods, each played on its own (the mass-casualty attack of
  22 March 2024, taken at 17:00 UTC; the ground incursion of 6 August 2024, taken at 03:00 UTC). The periods
  are read from the items' dates: days with items, split where none came for more than two weeks.

A step is the end of a day: the step at 00:00 UTC of day D+1 sees everything published on day D and before
(replay counts what was published by the step). End of day rather than 00:00 of D: a day's news is then
judged once it is all in, as a duty officer reading the day would; a lead time is measured from the step.

For each stream and scenario: warnings raised (upward threshold crossings), the first, the peak probability
and its step; where the scenario's event happened in the period, the level at the last step before it began
and at its very time (the live assessment then), and the lead of each threshold (the run of steps at or
above it that still held at that last step, and the first warning at each level within the scenario's horizon
before the event, on which targets are judged: a raised warning stays open until a person disposes of it);
and every warning with its level and the evidence of its top
three counted signals (from the live assessment at that step). A warning is a false alarm when the
scenario's event did not follow within the scenario's horizon; one raised once the event had begun is
"after the event" (the event under way is what it reports: neither a lead nor a false alarm). Rate per
scenario-year = false alarms / (days played / 365). Per stream: documents, coded events (non-negated),
claims; per scenario, how many observations in its region (dated in the period) matched any event
indicator. Claims and stories are read for each period as the live service reads them
(:func:`forewarn.detect.service.claims_and_stories`) and replayed with the events.

Writes each daily series as CSV and SVG chart, <cache>/backtest/<stream>/<first day>_<last day>/<scenario>
(.csv, .svg), and <cache>/backtest/<stream>/summary.json (--out replaces <cache>/backtest).
Usage: python eval/backtest_streams.py [--streams press news_2023_mayjun news_2024_feeds] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from news_workspace import open_news_workspace, read_items
from press_workspace import cache_dir, open_press_workspace

from forewarn.app import Workspace
from forewarn.detect.match import in_region, indicator_matches
from forewarn.detect.observe import claim_observations, observations
from forewarn.detect.scenarios import default_scenarios
from forewarn.detect.service import Heard, assess_scenario, claims_and_stories
from forewarn.detect.types import Observation
from forewarn.model import Assessment, IndicatorKind, Scenario, Signal
from forewarn.review.chart import write_chart
from forewarn.review.replay import Crossing, ReplaySeries, ReplayStep, replay, write_csv

GAP_DAYS = 14  # a longer run of days without items splits a stream into periods
TOP_SIGNALS = 3
EVIDENCE_CHARS = 220
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class RealEvent:
    """What happened, when (UTC), and the targets: (level, at least so many days before)."""

    scenario_id: str
    at: datetime
    what: str
    targets: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Period:
    first: date
    last: date

    @property
    def name(self) -> str:  # its folder, and its key in summary.json
        return f"{self.first:%Y-%m-%d}_{self.last:%Y-%m-%d}"

    @property
    def start(self) -> datetime:  # the end of the first day
        return datetime.combine(self.first + DAY, datetime.min.time(), UTC)

    @property
    def end(self) -> datetime:  # the end of the last day
        return datetime.combine(self.last + DAY, datetime.min.time(), UTC)

    def holds(self, at: datetime) -> bool:
        return self.start - DAY <= at <= self.end


@dataclass(frozen=True, slots=True)
class Stream:
    name: str
    open: Callable[[], Workspace]
    periods: Callable[[], list[Period]]
    events: tuple[RealEvent, ...]


@dataclass(slots=True)
class Warned:
    crossing: Crossing
    kind: str  # "before the event", "after the event", "false alarm"
    signals: list[Signal] = field(default_factory=list)
    live_probability: float = 0.0


def item_periods(stream: str) -> Callable[[], list[Period]]:
    return lambda: split_days(sorted({date.fromisoformat(i["date"][:10]) for i in read_items(stream)}))


def split_days(days: Sequence[date]) -> list[Period]:
    """Runs of ``days`` (sorted) without a gap longer than :data:`GAP_DAYS`."""
    periods, first = [], days[0]
    for before, after in pairwise(days):
        if (after - before).days > GAP_DAYS:
            periods.append(Period(first, before))
            first = after
    return [*periods, Period(first, days[-1])]


STREAMS = {
    "press": Stream("press", open_press_workspace, lambda: [Period(date(2021, 10, 24), date(2022, 6, 24))],
                    (RealEvent("large-scale-invasion", datetime(2022, 2, 24, 3, tzinfo=UTC), "invasion of Ukraine",
                               (("elevated", 14),)),)),
    "news_2023_mayjun": Stream("news_2023_mayjun", lambda: open_news_workspace("news_2023_mayjun"),
                               item_periods("news_2023_mayjun"),
                               (RealEvent("armed-mutiny", datetime(2023, 6, 23, 19, tzinfo=UTC), "armed mutiny",
                                          (("elevated", 7), ("high", 0))),)),
    "news_2024_feeds": Stream("news_2024_feeds", lambda: open_news_workspace("news_2024_feeds"),
                              item_periods("news_2024_feeds"),
                              (RealEvent("mass-casualty-attack", datetime(2024, 3, 22, 17, tzinfo=UTC),
                                         "attack on a concert hall", (("elevated", 10),)),
                               RealEvent("cross-border-incursion", datetime(2024, 8, 6, 3, tzinfo=UTC),
                                         "ground incursion"))),
}
NEWS_STREAMS = ("news_2023_mayjun", "news_2024_feeds")
TARGET_FALSE_ALARMS = 1


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--streams", nargs="+", choices=sorted(STREAMS), default=list(NEWS_STREAMS))
    parser.add_argument("--out", type=Path, default=cache_dir() / "backtest", help="folder for CSV, charts, JSON")
    args = parser.parse_args(argv)
    for name in args.streams:
        started = time.perf_counter()
        summary = run_stream(STREAMS[name], args.out / name)
        summary["seconds"] = round(time.perf_counter() - started, 1)
        (args.out / name / "summary.json").write_text(json.dumps(summary, indent=1, default=str), encoding="utf-8")
        print(f"\n[{name}: {summary['seconds']:.0f} s in all; series, charts and summary.json in {args.out / name}]\n")


def run_stream(stream: Stream, out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    scenarios = default_scenarios()
    periods = stream.periods()
    with stream.open() as ws:
        until = periods[-1].end
        everything = observations(ws.store, until=until)
        claims = len(claim_observations(ws.store, until=until))
        documents = ws.reads.stats()["documents"]
        plays = {p.name: play_period(ws, scenarios, p, stream, everything, out) for p in periods}
    summary = {"stream": stream.name, "documents": documents, "events": len(everything), "claims": claims,
               "periods": plays}
    report(stream, summary, scenarios)
    return summary


def play_period(ws: Workspace, scenarios: Sequence[Scenario], period: Period, stream: Stream,
                everything: Sequence[Observation], out: Path) -> dict[str, Any]:
    """Every scenario over one period, from one read of the claims and stories they need."""
    heard = claims_and_stories(ws.store, scenarios, period.end, start=period.start)
    plays: dict[str, Any] = {s.id: play(ws, s, period, stream, everything, heard, out) for s in scenarios}
    return {"stories": len(heard.stories), "scenarios": plays}


def play(ws: Workspace, scenario: Scenario, period: Period, stream: Stream, everything: Sequence[Observation],
         heard: Heard, out: Path) -> dict[str, Any]:
    """One scenario over one period: the series written out, and what the report prints about it."""
    event = next((e for e in stream.events if e.scenario_id == scenario.id and period.holds(e.at)), None)
    series = replay(scenario, everything, period.start, period.end, "1d", claims=heard.claims,
                    stories=heard.stories, day_totals=heard.day_totals)
    folder = out / period.name
    folder.mkdir(exist_ok=True)
    write_csv(series, folder / f"{scenario.id}.csv")
    write_chart(series, folder / f"{scenario.id}.svg", event_at=event.at if event else None)
    warned = [warning(ws, scenario, c, event) for c in series.crossings]
    outcome = None if event is None else event_outcome(series, event, assess_scenario(ws.store, scenario, event.at),
                                                       scenario.horizon_days)
    peak = max(series.steps, key=lambda s: s.probability)
    in_scope, matched = region_matches(scenario, everything, period)
    return {"days": len(series.steps), "warnings": [warned_json(w) for w in warned],
            "first": series.crossings[0].at if series.crossings else None, "peak": peak.probability, "peak_at": peak.at,
            "event": outcome,
            "false_alarms": sum(w.kind == "false alarm" for w in warned), "in_region": in_scope, "matched": matched,
            "matched_anywhere": series.matched}


def warning(ws: Workspace, scenario: Scenario, crossing: Crossing, event: RealEvent | None) -> Warned:
    """A crossing, what it was (before or after the event, or a false alarm), and its top counted signals as the
    live assessment at that step gives them."""
    kind = "false alarm"
    if event is not None and crossing.at < event.at <= crossing.at + timedelta(days=scenario.horizon_days):
        kind = "before the event"
    elif event is not None and event.at <= crossing.at:
        kind = "after the event"
    live = assess_scenario(ws.store, scenario, crossing.at)
    top = sorted(live.counted, key=lambda s: -abs(s.contribution))[:TOP_SIGNALS]
    return Warned(crossing, kind, top, live.probability)


def event_outcome(series: ReplaySeries, event: RealEvent, live: Assessment, horizon_days: int) -> dict[str, Any]:
    """The level at the last step before the event and at the event itself (``live``: the live assessment at
    its time, from what was published by then), and per threshold two leads: the first warning at that level
    within the scenario's horizon before the event (a raised warning stays open until a person disposes of it:
    this is the warning the watch floor had), and the run of steps at or above it that still held at the last
    step. Targets are judged on the first."""
    before = [s for s in series.steps if s.at <= event.at]
    window = [s for s in before if s.at >= event.at - timedelta(days=horizon_days)]
    warned = {t.level: next((s.at for s in window if s.probability >= t.probability), None) for t in series.thresholds}
    held = {t.level: held_since(before, t.probability) for t in series.thresholds}
    return {"at": event.at, "what": event.what, "level_at_event": live.level, "probability_at_event": live.probability,
            "level": before[-1].level if before else None, "probability": before[-1].probability if before else None,
            "first_warned": warned, "held_since": held,
            "lead_days": _days_before(event.at, warned), "held_days": _days_before(event.at, held),
            "targets": {f"{level} >= {days:g} d": target_met(warned.get(level), event.at, days)
                        for level, days in event.targets}}


def _days_before(event_at: datetime, since: dict[str, datetime | None]) -> dict[str, float | None]:
    return {level: None if at is None else (event_at - at).total_seconds() / 86400 for level, at in since.items()}


def held_since(steps: Sequence[ReplayStep], probability: float) -> datetime | None:
    """The first step of the run at or above ``probability`` that reaches the last of ``steps``."""
    since = None
    for step in steps:
        since = (since or step.at) if step.probability >= probability else None
    return since


def target_met(since: datetime | None, event_at: datetime, days: float) -> bool:
    return since is not None and (event_at - since).total_seconds() / 86400 >= days


def region_matches(scenario: Scenario, everything: Sequence[Observation], period: Period) -> tuple[int, int]:
    """Observations dated in the period and in the scenario's region; of them, those matching an event indicator."""
    events = [i for i in scenario.indicators if i.kind is IndicatorKind.EVENTS]
    scope = [o for o in everything
             if period.first <= o.event.date <= period.last and in_region(scenario.region, o.event)]
    return len(scope), sum(any(indicator_matches(scenario, i, o) for i in events) for o in scope)


def warned_json(w: Warned) -> dict[str, Any]:
    c = w.crossing
    return {"at": c.at, "level": c.level, "previous": c.previous, "probability": c.probability, "kind": w.kind,
            "live_probability": w.live_probability,
            "signals": [{"indicator": s.indicator_id, "kind": s.kind.value, "contribution": s.contribution,
                         "observed_on": s.observed_on, "sources": s.source_ids, "reliability": s.reliability,
                         "evidence": s.evidence} for s in w.signals]}


# -- the printed report ----------------------------------------------------------------------------------------


def report(stream: Stream, summary: dict[str, Any], scenarios: Sequence[Scenario]) -> None:
    print(f"# {stream.name}: {summary['documents']:,} documents, {summary['events']:,} coded events (non-negated), "
          f"{summary['claims']:,} claims\n")
    for period, played in summary["periods"].items():
        plays = played["scenarios"]
        print(f"## {stream.name}, {period.replace('_', ' – ')} (daily steps at 24:00 UTC; "
              f"{played['stories']:,} stories matching a mentions query)\n")
        print("| scenario | days | warnings (before, after the event) | false alarms (per scenario-year) | "
              "first warning | peak p (step) | event: level then; first warning per level before it (held) | targets | "
              "in region: matched / observations (matched anywhere) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for scenario in scenarios:
            print(row(scenario, plays[scenario.id]))
        for scenario in scenarios:
            print_warnings(scenario.id, plays[scenario.id])
        print()


def row(scenario: Scenario, p: dict[str, Any]) -> str:
    rate = p["false_alarms"] / (p["days"] / 365)
    alarms = f"{p['false_alarms']} ({rate:.1f}/yr) {'✓' if p['false_alarms'] <= TARGET_FALSE_ALARMS else '✗'}"
    event, targets = "—", "—"
    if p["event"] is not None:
        e = p["event"]
        leads = ", ".join(f"{lvl} {_days(d)} (held {_days(e['held_days'][lvl])})" for lvl, d in e["lead_days"].items())
        event = (f"{e['what']} {e['at']:%Y-%m-%d %H:%M}: last step {e['level'] or 'none'} (p={e['probability']:.3f}), "
                 f"at {e['at']:%H:%M} {e['level_at_event'] or 'none'} (p={e['probability_at_event']:.3f}); {leads}")
        targets = ", ".join(f"{t} {'✓' if ok else '✗'}" for t, ok in e["targets"].items()) or "none set"
    kinds = Counter(w["kind"] for w in p["warnings"])
    warned = f"{len(p['warnings'])} ({kinds['before the event']} before, {kinds['after the event']} after the event)"
    return (f"| {scenario.id} | {p['days']} | {warned} | {alarms} | {stamp(p['first'])} | "
            f"{p['peak']:.3f} ({p['peak_at']:%Y-%m-%d}) | {event} | {targets} | {p['matched']:,} / {p['in_region']:,} "
            f"({p['matched_anywhere']:,}) |")


def _days(d: float | None) -> str:
    return "—" if d is None else f"{d:.1f} d"


def print_warnings(scenario_id: str, p: dict[str, Any]) -> None:
    for w in p["warnings"]:
        print(f"\n- {scenario_id} {stamp(w['at'])}: {w['previous'] or 'none'} → {w['level']} "
              f"(p={w['probability']:.3f}{live_note(w)}) — {w['kind']}")
        for s in w["signals"]:
            evidence = " ".join(s["evidence"].split())[:EVIDENCE_CHARS]
            print(f"  - {s['indicator']} ({s['kind']}, {s['contribution']:+.2f}, {s['observed_on']}, "
                  f"{'/'.join(s['sources'])} {s['reliability']}): {evidence}")


def live_note(w: dict[str, Any]) -> str:
    """The live assessment's probability at the step, where it differs from the replay's (it should not)."""
    live = w["live_probability"]
    return "" if abs(live - w["probability"]) < 1e-9 else f"; live assessment {live:.3f}"


def stamp(at: datetime | None) -> str:
    return "—" if at is None else f"{at:%Y-%m-%d %H:%M}"


if __name__ == "__main__":
    main()
