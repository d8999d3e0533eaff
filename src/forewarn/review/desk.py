"""Replay and post-mortem as a service of the Workspace (``ws.review``): reads only, from the
scenario, warning and document services it is given."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from forewarn.detect.assessments import Published
from forewarn.detect.desk import ScenarioDesk
from forewarn.detect.shown import Hidden
from forewarn.detect.types import Observation, WholeRead
from forewarn.model import Scenario, WarningRecord, WarningState
from forewarn.model.marking import EVERYTHING, Access
from forewarn.review.judged import JudgmentsSeen
from forewarn.review.postmortem import MARGIN_DAYS, PostMortem, postmortem, rests_on, shown_to, window
from forewarn.review.replay import ReplaySeries, replay
from forewarn.review.steps import live_step, parse_step
from forewarn.runtime import collector_paused
from forewarn.warn.desk import WarningDesk
from forewarn.warn.withheld import nothing_hidden

CountDocuments = Callable[[datetime, datetime], int]  # documents published in [start, end)
Judgments = Callable[[str, Sequence[int]], JudgmentsSeen]  # a scenario's judgments, with its warnings' dissents
Holdings = Callable[[Access, Sequence[str], Sequence[str], Sequence[str]], Hidden]  # documents, events, sources


@dataclass(frozen=True)
class PostMortemView:
    """A post-mortem and the probability the live system published over its window (for its chart)."""

    report: PostMortem
    published: list[Published]


@dataclass(frozen=True)
class ReviewDesk:
    scenarios: ScenarioDesk
    warnings: WarningDesk
    count_documents: CountDocuments
    clock: Callable[[], datetime]
    judgments: Judgments | None = None  # the post-mortem's judgments section (as the reader may see it)
    access: Callable[[], Access] = lambda: EVERYTHING  # what the reader may see (the workspace's Reads.access)
    holdings: Holdings = nothing_hidden  # which documents, events, sources are hidden (warn.withheld)

    @collector_paused()
    def replay(self, scenario_id: str, start: datetime, end: datetime, step: timedelta | str | None = None
               ) -> ReplaySeries:
        """The scenario recomputed at ``start``, ``start + step`` … ``end``, each time from what was published
        before that time (no look-ahead), with the scenario's stored warnings for charts. ``step`` None: the
        live cycle's (:meth:`live_step`); the series says which and why."""
        scenario = self.scenarios.get(scenario_id)
        delta, why = self.step_of(scenario_id, start, end, step)
        said = self.scenarios.claims_and_stories(scenario, end, start)
        observations, whole = self._read(scenario, start, end)
        series = replay(scenario, observations, start, end, delta, warnings=self._warnings(scenario_id),
                        claims=said.claims, stories=said.stories, day_totals=said.day_totals, step_reason=why,
                        whole=whole, counted=said.counts(scenario))
        if not self.access().restricted:
            return series
        standing = [o for o in observations if o.known_at <= end and o.shown_at(end)]
        return replace(series, observations=len(self._seen(standing)[0]))

    def step_of(self, scenario_id: str, start: datetime, end: datetime, step: timedelta | str | None
                ) -> tuple[timedelta, str]:
        """The step a replay of [start, end] runs at and why: the one given, else the live cycle's
        (:func:`forewarn.review.steps.live_step` over the assessments published in the period)."""
        if step is not None:
            return (parse_step(step) if isinstance(step, str) else step), "given"
        published = [p.at for p in self.scenarios.published_between(scenario_id, start, end)]
        return live_step(published, self.scenarios.settings.watch_interval, end - start)

    @collector_paused()
    def postmortem(self, scenario_id: str, event: date | datetime, *, margin_days: int | None = None,
                   with_replay: bool = False, step: timedelta | str | None = None, at: datetime | None = None
                   ) -> PostMortem:
        """What was known and done before an event (a date: midnight UTC): first signal, first warning, lead
        time, who acknowledged or disposed of what when, and where the chain broke. ``with_replay`` adds the
        replay of the window (for the chart), at ``step`` (None: the live cycle's). ``at`` (default: now) dates
        the report."""
        scenario = self.scenarios.get(scenario_id)
        margin = MARGIN_DAYS if margin_days is None else margin_days
        start, event_at = window(scenario, event, margin)
        observations, whole = self._read(scenario, start, event_at)
        said = self.scenarios.claims_and_stories(scenario, event_at, start)
        warnings = self._warnings(scenario_id)
        histories = {w.id: self.warnings.history(w.id) for w in warnings if w.raised_at < event_at}
        series = None
        if with_replay:
            delta, why = self.step_of(scenario_id, start, event_at, step)
            series = replay(scenario, observations, start, event_at, delta, warnings=warnings, claims=said.claims,
                            stories=said.stories, day_totals=said.day_totals, step_reason=why, whole=whole,
                            counted=said.counts(scenario))
        pm = postmortem(scenario, event_at, observations, warnings, histories, self.count_documents(start, event_at),
                        at or self.clock(), margin_days=margin, series=series, claims=said.claims,
                        stories=said.stories, day_totals=said.day_totals, whole=whole, counted=said.counts(scenario))
        if self.access().restricted:
            pm = self._shown(pm, [o for o in observations if start <= o.known_at < event_at and o.shown_at(event_at)])
        if self.judgments is None:
            return pm
        return replace(pm, judgments=self.judgments(scenario_id, [o.warning.id for o in pm.outcomes]))

    def _seen(self, observations: Sequence[Observation], ids: Sequence[str] = ()) -> tuple[list[Observation], Hidden]:
        """The observations the reader may see, and which of their (and ``ids``') holdings are hidden from them."""
        hidden = self.holdings(self.access(), [*(o.event.document_id for o in observations), *ids],
                               [*(o.event.id for o in observations), *ids],
                               [*(o.event.source_id or "" for o in observations), *ids])
        return [o for o in observations if not hidden.blocks((o.event.document_id, o.event.id,
                                                              o.event.source_id or ""))], hidden

    def _shown(self, pm: PostMortem, observations: Sequence[Observation]) -> PostMortem:
        """The post-mortem (made over everything) as the reader may see it (:func:`shown_to`)."""
        ids = sorted({i for s in pm.signals for i in rests_on(s)})
        seen, hidden = self._seen(observations, ids)
        return shown_to(pm, hidden.blocks, len(seen))

    def postmortem_view(self, scenario_id: str, event: date | datetime, *, margin_days: int | None = None,
                        with_replay: bool = False) -> PostMortemView:
        """:meth:`postmortem` with what was published over its window: the workbench's page and API."""
        pm = self.postmortem(scenario_id, event, margin_days=margin_days, with_replay=with_replay)
        return PostMortemView(pm, self.scenarios.published_between(pm.scenario.id, pm.window_start, pm.event_at))

    def _read(self, scenario: Scenario, start: datetime, until: datetime) -> tuple[list[Observation], WholeRead | None]:
        """The stored observations a replay of [start, until] reads (each step's look-back), and those known in
        that period however old (a post-mortem's), every version of a corrected event. For a reader who may see
        everything, only those an indicator can match, with what the store says of the rest
        (:mod:`forewarn.detect.narrow`); a restricted reader's counts are of what they may see, so theirs are all
        read."""
        if not self.access().restricted and (narrowed := self.scenarios.narrowed(scenario, until, start)) is not None:
            return narrowed
        return self.scenarios.observations(scenario, until, start=start, history=True), None

    def _warnings(self, scenario_id: str) -> list[WarningRecord]:
        return self.warnings.board(tuple(WarningState), scenario_id, limit=100_000)
