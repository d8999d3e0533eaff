"""Play the demo corpus's six weeks as a watch floor would have lived them.

The demo ingests the whole corpus at once, but nothing in the warning chain may know the future:
a simulated clock steps through 8 July – 12 August 2024 every six hours, and at each step the
warning cycle sees only reports published by then (scoring filters on publication time). A
scripted duty officer does what the people in the story did: records the partner service's
bulletin LB-24-083 when it arrives on 2 August, and dismisses it the next morning with a
rationale. The cycle raises the scenario's own warnings, escalates what nobody acknowledges, and
reopens the dismissed bulletin when new evidence arrives. Everything lands in the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.cycle import run_cycle
from forewarn.model import Disposition, WarningRecord, WarningState
from forewarn.model.query import DocumentQuery
from forewarn.review import PostMortem

SCENARIO = "cross-border-incursion"
EVENT_DATE = date(2024, 8, 6)  # Ukrainian forces cross into Kursk region near Sudzha
START = datetime(2024, 7, 8, tzinfo=UTC)
END = datetime(2024, 8, 12, 18, tzinfo=UTC)
STEP = timedelta(hours=6)
WATCH_ACTOR = "forewarn-watch"
PARTNER_SOURCE = "lodestar-liaison"
PARTNER_REF = "LB-24-083"
DISMISSAL = ("Assessed as a demonstration meant to draw Russian reserves away from the Pokrovsk axis. Our own "
             "collection does not corroborate a build-up on the scale described, and the service's confidence is "
             "only moderate.")
SIGNPOSTS = ("Bridging or engineering equipment moving up to the border crossings",
             "Evacuation orders for Russian border districts",
             "Communications or GPS disruption reported on the Russian side")


class SimClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class PlayResult:
    played: bool  # False: an earlier run played it already (the ledger holds it)
    steps: int
    warnings: tuple[WarningRecord, ...]
    postmortem: PostMortem


def play(settings: Settings, progress: Callable[[datetime], None] | None = None) -> PlayResult:
    clock = SimClock(START)
    officer_settings = replace(settings, actor=_owner(settings))
    with Workspace.open(replace(settings, actor=WATCH_ACTOR), clock) as watch, \
            Workspace.open(officer_settings, clock) as officer:
        played = not watch.ledger.entries(limit=1)
        steps = _play(watch, officer, clock, progress) if played else 0
        clock.now = END
        warnings = tuple(watch.warnings.board(states=tuple(WarningState), scenario_id=SCENARIO))
        return PlayResult(played, steps, warnings, watch.review.postmortem(SCENARIO, EVENT_DATE, with_replay=True))


def _play(watch: Workspace, officer: Workspace, clock: SimClock,
          progress: Callable[[datetime], None] | None) -> int:
    watch.scenarios.add(default=SCENARIO)
    script = _Script(officer)
    steps = 0
    while clock.now <= END:
        script.act(clock.now)
        run_cycle(watch, clock.now)
        if progress:
            progress(clock.now)
        clock.now += STEP
        steps += 1
    return steps


def _owner(settings: Settings) -> str:
    from forewarn.detect.scenarios import default_scenario

    return default_scenario(SCENARIO).owner


class _Script:
    """The duty officer's part: record the partner's bulletin when it arrives, dismiss it next morning."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.partner_warning: WarningRecord | None = None

    def act(self, now: datetime) -> None:
        if self.partner_warning is None:
            bulletin = self._bulletin(now)
            if bulletin is not None:
                self.partner_warning = self.ws.warnings.raise_warning(
                    f"Partner warning {PARTNER_REF}: mechanised units concentrating near Sumy",
                    "Lodestar Liaison Service reports a concentration of mechanised and air-assault units with "
                    "bridging and fuel assets opposite Kursk region, and assesses preparation for a cross-border "
                    "operation towards Sudzha within days (moderate confidence).",
                    "high", scenario_id=SCENARIO, partner="Lodestar Liaison Service", partner_ref=PARTNER_REF,
                    document_ids=(bulletin,))
        elif self.partner_warning.state.value == "raised" and now >= _next_morning(self.partner_warning.raised_at):
            wid = self.partner_warning.id
            self.ws.warnings.acknowledge(wid, note="Read on the morning shift.")
            self.partner_warning = self.ws.warnings.dispose(wid, Disposition.DISMISSED, DISMISSAL, SIGNPOSTS)

    def _bulletin(self, now: datetime) -> str | None:
        docs, _ = self.ws.reads.documents(DocumentQuery(source_id=PARTNER_SOURCE, text=PARTNER_REF, until=now))
        hits = [d for d in docs if d.title and PARTNER_REF in d.title.split("—")[0]]
        return hits[0].id if hits else None


def _next_morning(at: datetime) -> datetime:
    return datetime(at.year, at.month, at.day, 6, tzinfo=UTC) + timedelta(days=1)
