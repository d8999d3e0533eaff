"""Play the demo corpus's six weeks as a watch floor would have lived them.

The demo ingests the whole corpus at once, but nothing in the warning chain may know the future:
a simulated clock steps through 8 July – 12 August 2024 every six hours, and at each step the
warning cycle sees only reports published by then (scoring filters on publication time). A
scripted duty officer (Alice Ng, on days) does what the people in the story did: records the partner service's
bulletin LB-24-083 when it arrives on 2 August, and dismisses it the next morning with a
rationale. The cycle raises the scenario's own warnings, escalates what nobody acknowledges (to whoever holds
the next post on the duty roster at that hour), and reopens the dismissed bulletin when new evidence arrives.
Everything lands in the ledger.

Then the workspace lives on in its own time from the end of the play (``forewarn clock``): the board, pages,
``scenario show`` and ``cycle`` carry on from 12 August 2024, not from the real date.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.cycle import run_cycle
from forewarn.model import Disposition, WarningRecord, WarningState
from forewarn.model.clock import WorkspaceTime
from forewarn.model.query import DocumentQuery
from forewarn.review import PostMortem

SCENARIO = "cross-border-incursion"
EVENT_DATE = date(2024, 8, 6)  # Ukrainian forces cross into Kursk region near Sudzha
START = datetime(2024, 7, 8, tzinfo=UTC)
END = datetime(2024, 8, 12, 18, tzinfo=UTC)
STEP = timedelta(hours=6)
SHIFT = timedelta(hours=12)
DAY_OFFICER, NIGHT_OFFICER = "alice", "omar"  # the duty officers; alice, on days, handles the partner's bulletin
STAFF = ((DAY_OFFICER, "Alice Ng"), (NIGHT_OFFICER, "Omar Haddad"), ("bruno", "Bruno Keller"), ("dana", "Dana Osei"))
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
    clock: WorkspaceTime | None = None  # the workspace's own time after the play (None: the real time)


def play(settings: Settings, progress: Callable[[datetime], None] | None = None) -> PlayResult:
    clock = SimClock(START)
    officer_settings = replace(settings, actor=DAY_OFFICER)
    with Workspace.open(replace(settings, actor=WATCH_ACTOR), clock) as watch, \
            Workspace.open(officer_settings, clock) as officer:
        played = not watch.ledger.entries(limit=1)
        steps = _play(watch, officer, clock, progress) if played else 0
        clock.now = END
        own = watch.time.settle(END)  # the workspace runs on from the play's end, not from the real date
        warnings = tuple(watch.warnings.board(states=tuple(WarningState), scenario_id=SCENARIO))
        return PlayResult(played, steps, warnings, watch.review.postmortem(SCENARIO, EVENT_DATE, with_replay=True),
                          own)


def _play(watch: Workspace, officer: Workspace, clock: SimClock,
          progress: Callable[[datetime], None] | None) -> int:
    watch.scenarios.add(default=SCENARIO)
    _staff(watch)
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


def _staff(watch: Workspace) -> None:
    """The watch floor's people as accounts (nobody logs in as them: their passwords are thrown away) and the
    duty roster the scenario's chain (duty-officer → watch-lead → director) resolves against: two duty officers
    on twelve-hour shifts, day from 06:00 and night from 18:00, and one watch lead and one director throughout."""
    for name, shown in STAFF:
        watch.accounts.add_user(name, secrets.token_urlsafe(16), Role.DUTY_OFFICER, actor=WATCH_ACTOR,
                                display_name=shown)
    watch.warnings.roster_add("watch-lead", "bruno", START, END + STEP)
    watch.warnings.roster_add("director", "dana", START, END + STEP)
    day = START - timedelta(hours=6)  # the night shift under way when the play starts
    while day <= END:
        watch.warnings.roster_add("duty-officer", NIGHT_OFFICER, day, day + SHIFT)
        watch.warnings.roster_add("duty-officer", DAY_OFFICER, day + SHIFT, day + 2 * SHIFT)
        day += 2 * SHIFT


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
