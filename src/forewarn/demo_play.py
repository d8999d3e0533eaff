"""Play the demo corpus's six weeks as a watch floor would have lived them.

The demo ingests the whole corpus at once, but nothing in the warning chain may know the future:
a simulated clock steps through 8 July – 12 August 2024 every six hours, and at each step the
warning cycle sees only reports published by then (scoring filters on publication time). A
scripted duty officer (Alice Ng, on days) does what the people in the story did: records the partner service's
bulletin LB-24-083 when it arrives on 2 August, and dismisses it the next morning with a
rationale. The cycle raises the scenario's own warnings, escalates what nobody acknowledges (to whoever holds
the next post on the duty roster at that hour), and reopens the dismissed bulletin when new evidence arrives.
Four analysts record blind estimates on the scenario's own question as the build-up reports come in; the watch
lead publishes a much softer line ("the situation is under control"), which is flagged; two analysts file
dissents (on the line and on the bulletin's dismissal); after 6 August the director resolves the question
yes (:data:`JUDGMENTS`; every number is the script's own, not a measured one). Everything lands in the ledger.

Then the workspace lives on in its own time from the end of the play (``forewarn clock``): the board, pages,
``scenario show`` and ``cycle`` carry on from 12 August 2024, not from the real date.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.cycle import run_cycle
from forewarn.model import Disposition, Principal, PrincipalKind, WarningRecord, WarningState
from forewarn.model.clock import WorkspaceTime
from forewarn.model.judgment import Line, QuestionState
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
WATCH_LEAD, DIRECTOR = "bruno", "dana"  # the director administers the workspace (resolves its questions)
ANALYSTS = (("ines", "Inès Varga"), ("kofi", "Kofi Mensah"), ("lena", "Lena Sørensen"), ("ravi", "Ravi Menon"))
SOFT_LINE = (0.1, "the situation is under control")  # the watch lead's line: far below the analysts' estimates


def _at(month: int, day: int, hour: int) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=UTC)


# The judgments the play records, in time order: (when, who, what, the probability or None, the text). "estimate":
# on the scenario's own question (each analyst's first is blind); "line": the published line; "dissent-line" and
# "dissent-disposition": on that line and on the partner bulletin's dismissal (filed right after it: the cycle
# reopens the bulletin later that day); "assumption": the key assumption behind the line, with
# ASSUMPTION_SIGNPOSTS (the cycle flags it when they are met); "resolve": the question, yes.
JUDGMENTS: tuple[tuple[datetime, str, str, float | None, str], ...] = (
    (_at(7, 24, 12), "ines", "estimate", 0.35, "Mechanised units reported moving into Sumy region; too early to "
     "call it more than reinforcement."),
    (_at(7, 26, 6), "kofi", "estimate", 0.4, "Fuel and engineering assets follow the units; the build-up is "
     "larger than a rotation."),
    (_at(7, 29, 18), "lena", "estimate", 0.45, "Air-assault elements near the border, and Russian bloggers report "
     "drones over Sudzha."),
    (_at(7, 31, 12), "ravi", "estimate", 0.55, "Bridging equipment near the crossings: that is an offensive "
     "signature, not a defensive one."),
    (_at(8, 2, 18), "ines", "estimate", 0.6, "The partner's bulletin fits what we have been collecting for a week."),
    (_at(8, 3, 6), "ravi", "dissent-disposition", None, "The partner's bulletin was dismissed against our own "
     "reporting: bridging, fuel and air-assault units all point to a crossing within days."),
    (_at(8, 3, 12), "kofi", "estimate", 0.65, "Communications disruption on the Russian side since last night."),
    (_at(8, 3, 18), WATCH_LEAD, "line", SOFT_LINE[0], SOFT_LINE[1]),
    (_at(8, 3, 18), WATCH_LEAD, "assumption", None, "The units gathering in Sumy region are reinforcing its defence: "
     "without bridging and engineering equipment at the border they cannot cross in strength."),
    (_at(8, 4, 6), "lena", "dissent-line", None, "Our blind estimates were 35–55% before the line, and rising: "
     "“under control” is not what any of us estimated. Decision-makers should hear that."),
    (_at(8, 4, 12), "lena", "estimate", 0.75, "Evacuation rumours in Russian border districts; signposts are "
     "being met."),
    (_at(8, 7, 6), DIRECTOR, "resolve", None, "Ukrainian forces crossed into Kursk region near Sudzha on "
     "6 August 2024, within the question's horizon: resolved yes."),
)
WATCH_ACTOR = "forewarn-watch"
PARTNER_SOURCE = "lodestar-liaison"
PARTNER_REF = "LB-24-083"
DISMISSAL = ("Assessed as a demonstration meant to draw Russian reserves away from the Pokrovsk axis. Our own "
             "collection does not corroborate a build-up on the scale described, and the service's confidence is "
             "only moderate.")
# The signposts of the watch lead's key assumption behind the line: what would show it wrong (docs/warnings.md)
ASSUMPTION_SIGNPOSTS = """\
- id: bridging-at-border
  name: Bridging or engineering equipment near the border crossings
  types: [MOBILIZE]
  keywords: [pontoon*, bridging, bridge-laying, engineering, mine-clearing, sapper*, понтон*, переправ*, инженерн*,
             інженерн*]
  region: {admin1: ["UKR:Sumy Oblast", "RUS:Kursk Oblast"]}
- id: border-evacuation
  name: Russian border settlements told to leave
  keywords: [evacuat*, leave their homes, эвакуац*, эвакуир*, евакуац*, отселен*]
  region: {admin1: ["RUS:Kursk Oblast"]}
"""
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
            Workspace.open(officer_settings, clock) as officer, ExitStack() as people:
        played = not watch.ledger.entries(limit=1)
        staff = _People(settings, clock, people)
        steps = _play(watch, officer, staff, clock, progress) if played else 0
        clock.now = END
        own = watch.time.settle(END)  # the workspace runs on from the play's end, not from the real date
        warnings = tuple(watch.warnings.board(states=tuple(WarningState), scenario_id=SCENARIO))
        return PlayResult(played, steps, warnings, watch.review.postmortem(SCENARIO, EVENT_DATE, with_replay=True),
                          own)


def _play(watch: Workspace, officer: Workspace, people: _People, clock: SimClock,
          progress: Callable[[datetime], None] | None) -> int:
    watch.scenarios.add(default=SCENARIO)
    _staff(watch)
    script = _Script(officer)
    judges = _Judges(people, script)
    steps = 0
    while clock.now <= END:
        script.act(clock.now)
        judges.act(clock.now)
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
        watch.accounts.add_user(name, secrets.token_urlsafe(16), _role(name), actor=WATCH_ACTOR, display_name=shown)
    for name, shown in ANALYSTS:
        watch.accounts.add_user(name, secrets.token_urlsafe(16), Role.ANALYST, actor=WATCH_ACTOR,
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


def _role(name: str) -> Role:
    """The role of a person of the play: analysts, duty officers and the watch lead, and the director (admin)."""
    return Role.ANALYST if name in dict(ANALYSTS) else Role.ADMIN if name == DIRECTOR else Role.DUTY_OFFICER


def _next_morning(at: datetime) -> datetime:
    return datetime(at.year, at.month, at.day, 6, tzinfo=UTC) + timedelta(days=1)


class _People:
    """A workspace for each person of the play, opened when first needed (on the play's clock, with the role of
    their account) and closed with the play."""

    def __init__(self, settings: Settings, clock: SimClock, stack: ExitStack) -> None:
        self.settings, self.clock, self.stack = settings, clock, stack
        self.open: dict[str, Workspace] = {}

    def __call__(self, name: str) -> Workspace:
        if name not in self.open:
            who = Principal(name, _role(name), PrincipalKind.LOCAL)
            self.open[name] = self.stack.enter_context(
                Workspace.open(replace(self.settings, actor=name), self.clock, who=who))
        return self.open[name]


class _Judges:
    """The analysts' and the watch lead's part (:data:`JUDGMENTS`): each judgment once, at the first step on or
    after its time."""

    def __init__(self, people: _People, script: _Script) -> None:
        self.people, self.script = people, script
        self.done = 0
        self.line: Line | None = None

    def act(self, now: datetime) -> None:
        while self.done < len(JUDGMENTS) and JUDGMENTS[self.done][0] <= now:
            _, who, what, p, text = JUDGMENTS[self.done]
            self._do(self.people(who), what, p, text)
            self.done += 1

    def _do(self, ws: Workspace, what: str, p: float | None, text: str) -> None:
        if what == "estimate" and p is not None:
            ws.judgments.estimate(SCENARIO, p, text)
        elif what == "line" and p is not None:
            self.line = ws.judgments.publish_line(SCENARIO, p, text)
        elif what == "assumption" and self.line is not None:
            ws.assumptions.add(SCENARIO, text, ASSUMPTION_SIGNPOSTS)  # the lead has no estimate: the line is hidden
        elif what == "dissent-line" and self.line is not None:
            ws.dissents.file("line", self.line.id, text)
        elif what == "dissent-disposition" and self.script.partner_warning is not None:
            ws.dissents.file("disposition", self.script.partner_warning.id, text)
        elif what == "resolve":
            ws.judgments.resolve(SCENARIO, QuestionState.RESOLVED_YES, text)
