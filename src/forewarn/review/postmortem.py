"""Post-mortem: after an event, what was known, what was warned, what people did, and where the
chain from collection to action broke.

The chain has four links: documents were collected; observations matched the scenario's
indicators (signals); a warning was raised; someone acknowledged it or acted on it before the
event. :func:`postmortem` is pure: it reads only what it is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from forewarn.detect.match import claim_matches, indicator_matches
from forewarn.detect.narrow import with_members
from forewarn.detect.score import assess, claim_text, coded_indicators
from forewarn.detect.shown import hidden_text
from forewarn.detect.surge import find_surges
from forewarn.detect.types import (
    ClaimObservation,
    DayOfStories,
    Heard,
    Observation,
    Story,
    StoryCounts,
    WholeRead,
)
from forewarn.model import (
    IndicatorKind,
    LedgerEntry,
    Scenario,
    SignalKind,
    WarningRecord,
)
from forewarn.review.judged import JudgmentsSeen
from forewarn.review.replay import ReplaySeries
from forewarn.review.steps import as_instant
from forewarn.review.timeline import TimelineEntry, TimelineKind, signal_entry, warning_entries
from forewarn.review.warnstate import WarningOutcome, WarningStatus, outcome_at

MARGIN_DAYS = 30  # looked at before the scenario's horizon: slow-decaying signals start early
FIRST_SIGNALS = 5  # signals shown one by one in the timeline; the rest are counted per day


class ChainBreak(StrEnum):
    NOT_COLLECTED = "not-collected"  # no documents at all in the window
    NOT_MATCHED = "not-matched"  # documents, but nothing matched an indicator
    NO_WARNING = "no-warning"  # signals, but no warning before the event
    DISMISSED = "dismissed"  # warned, but the warning was dismissed before the event
    UNACKNOWLEDGED = "unacknowledged"  # warned, but nobody acknowledged it before the event
    NONE = "none"  # warned and acknowledged or acted on in time


@dataclass(frozen=True, slots=True)
class SignalSeen:
    """An observation (claim, surge, swell of stories) that matched the scenario before the event."""

    indicator_ids: tuple[str, ...]
    kind: SignalKind
    known_at: datetime
    observed_on: date
    event_ids: tuple[str, ...]
    document_ids: tuple[str, ...]
    source_ids: tuple[str, ...]
    reliability: str
    evidence: str


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True, slots=True)
class Finding:
    link: ChainBreak
    text: str
    warning_id: int | None = None


@dataclass(frozen=True, slots=True)
class PostMortem:
    scenario: Scenario
    event_at: datetime
    window_start: datetime
    at: datetime  # when this report was made
    documents_in_window: int
    observations_in_window: int
    signals: tuple[SignalSeen, ...]  # known in the window before the event, earliest first
    signals_per_day: tuple[DayCount, ...]
    outcomes: tuple[WarningOutcome, ...]  # the scenario's warnings raised before the event, earliest first
    timeline: tuple[TimelineEntry, ...]
    broken: ChainBreak  # where the chain ended
    findings: tuple[Finding, ...]  # the deciding finding first, then contributing ones
    series: ReplaySeries | None = None
    judgments: JudgmentsSeen | None = None  # the scenario's question: estimates, lines, gaps, dissents (issue 17)
    hidden_signals: int = 0  # signals from holdings the reader may not see: counted, never shown (issue 18)

    @property
    def first_signal(self) -> SignalSeen | None:
        return self.signals[0] if self.signals else None

    @property
    def first_warning(self) -> WarningRecord | None:
        return self.outcomes[0].warning if self.outcomes else None

    @property
    def lead_time(self) -> timedelta | None:
        """From the first warning to the event."""
        first = self.first_warning
        return None if first is None else self.event_at - first.raised_at

    @property
    def signal_lead_time(self) -> timedelta | None:
        """From the first signal becoming known to the event."""
        first = self.first_signal
        return None if first is None else self.event_at - first.known_at


def window(scenario: Scenario, event: date | datetime, margin_days: int = MARGIN_DAYS) -> tuple[datetime, datetime]:
    """[start, event): the scenario's horizon before the event, plus a margin."""
    event_at = as_instant(event)
    return event_at - timedelta(days=scenario.horizon_days + margin_days), event_at


def postmortem(scenario: Scenario, event: date | datetime, observations: Sequence[Observation],
               warnings: Sequence[WarningRecord], histories: Mapping[int, Sequence[LedgerEntry]],
               documents_in_window: int, at: datetime, *, margin_days: int = MARGIN_DAYS,
               series: ReplaySeries | None = None, claims: Sequence[ClaimObservation] = (),
               stories: Sequence[Story] = (), day_totals: Mapping[date, int] | None = None,
               whole: WholeRead | None = None, counted: Mapping[str, StoryCounts] | None = None) -> PostMortem:
    """The post-mortem of ``scenario`` for an event at ``event`` (a date: midnight UTC).

    ``warnings``: the scenario's stored warnings (others and those raised after the event are
    left out); ``histories``: each warning's ledger entries by warning id; ``claims``, ``stories``, ``whole`` and
    ``counted`` as a replay takes them (``day_totals``: documents per day, for mentions indicators)."""
    start, event_at = window(scenario, event, margin_days)
    visible = [o for o in observations if start <= o.known_at < event_at and o.shown_at(event_at)]
    said = [c for c in claims if start <= c.known_at < event_at]
    heard = Heard(stories=[s for s in stories if s.known_at < event_at], day_totals=day_totals)
    story_days = {i: c.days(event_at, before=True) for i, c in (counted or {}).items()}  # as known before the event
    signals = _signals(scenario, visible, said, heard, story_days, (start, event_at), whole)
    collected = whole.count(event_at, before=True, since=start) if whole else len(visible)
    ours = sorted((w for w in warnings if w.scenario_id == scenario.id and w.raised_at < event_at),
                  key=lambda w: (w.raised_at, w.id))
    outcomes = tuple(outcome_at(w, histories.get(w.id, ()), event_at) for w in ours)
    findings = _findings(signals, outcomes, documents_in_window, collected, start, series)
    return PostMortem(
        scenario=scenario, event_at=event_at, window_start=start, at=at, documents_in_window=documents_in_window,
        observations_in_window=collected, signals=signals, signals_per_day=_per_day(signals),
        outcomes=outcomes, timeline=_timeline(signals, ours, histories, event_at), broken=findings[0].link,
        findings=findings, series=series,
    )


def _signals(scenario: Scenario, visible: Sequence[Observation], claims: Sequence[ClaimObservation], heard: Heard,
             story_days: Mapping[str, Mapping[date, DayOfStories]], period: tuple[datetime, datetime],
             whole: WholeRead | None) -> tuple[SignalSeen, ...]:
    """The signals seen in ``period`` (its start, the event), from the observations, claims and stories (those
    known before the event; the counted ones as known before it) visible then; with ``whole`` (only those an
    indicator can match were read), surges count its rows too, begin where its record begins, and read the
    observations of their events from it."""
    start, event_at = period
    found = [_seen(o, ids) for o in visible if (ids := _matching(scenario, o))]
    found += [_said(c, ids) for c in claims if (ids := _claims(scenario, c))]
    watched = tuple(i for i in scenario.indicators if i.kind in (IndicatorKind.SURGE, IndicatorKind.MENTIONS))
    if watched:  # assessed alone: the events indicators' signals are each event's, above
        region = scenario.region if all(i.in_region for i in coded_indicators(scenario)) else None
        begins = whole.first_day(event_at, before=True, since=start) if whole else None
        rows = [r for r in whole.rows if start <= r.known_at < event_at] if whole else []
        surges = find_surges(visible, event_at, region=region, start=begins, rows=rows)
        counted = with_members(visible, surges, whole,
                               lambda o: start <= o.known_at < event_at and o.shown_at(event_at))
        assessment = assess(replace(scenario, indicators=watched), counted, event_at, surges, stories=heard.stories,
                            day_totals=heard.day_totals, story_days=story_days)
        found += [SignalSeen((s.indicator_id,), s.kind, s.known_at, s.observed_on, s.event_ids, s.document_ids,
                             s.source_ids, s.reliability, s.evidence)
                  for s in assessment.signals if s.kind in (SignalKind.SURGE, SignalKind.MENTIONS)
                  and s.known_at < event_at]
    return tuple(sorted(found, key=lambda s: (s.known_at, s.event_ids, s.document_ids)))


def _matching(scenario: Scenario, obs: Observation) -> tuple[str, ...]:
    return tuple(i.id for i in scenario.indicators
                 if i.kind is IndicatorKind.EVENTS and indicator_matches(scenario, i, obs))


def _claims(scenario: Scenario, claim: ClaimObservation) -> tuple[str, ...]:
    return tuple(i.id for i in scenario.indicators
                 if i.kind is IndicatorKind.CLAIM and claim_matches(scenario, i, claim))


def _seen(obs: Observation, indicator_ids: tuple[str, ...]) -> SignalSeen:
    e = obs.event
    return SignalSeen(indicator_ids=indicator_ids, kind=SignalKind.EVENT, known_at=obs.known_at, observed_on=e.date,
                      event_ids=(e.id,), document_ids=(e.document_id,),
                      source_ids=(e.source_id,) if e.source_id else (), reliability=obs.reliability.value,
                      evidence=obs.evidence)


def _said(c: ClaimObservation, indicator_ids: tuple[str, ...]) -> SignalSeen:
    return SignalSeen(indicator_ids=indicator_ids, kind=SignalKind.CLAIM, known_at=c.known_at, observed_on=c.day,
                      event_ids=(), document_ids=(c.claim.document_id,),
                      source_ids=(c.source_id,) if c.source_id else (), reliability=c.reliability.value,
                      evidence=claim_text(c))


def _per_day(signals: Sequence[SignalSeen]) -> tuple[DayCount, ...]:
    counts = Counter(s.known_at.date() for s in signals)
    return tuple(DayCount(day, n) for day, n in sorted(counts.items()))


def _timeline(signals: Sequence[SignalSeen], warnings: Sequence[WarningRecord],
              histories: Mapping[int, Sequence[LedgerEntry]], event_at: datetime) -> tuple[TimelineEntry, ...]:
    entries = [signal_entry(s.known_at, s.indicator_ids, s.source_ids, s.evidence) for s in signals[:FIRST_SIGNALS]]
    for w in warnings:
        entries += warning_entries(w, histories.get(w.id, ()))
    entries.append(TimelineEntry(event_at, TimelineKind.EVENT, "", None, "the event"))
    order = {k: i for i, k in enumerate(TimelineKind)}
    return tuple(sorted(entries, key=lambda t: (t.at, order[t.kind])))


# -- what a reader may see (issue 18) -------------------------------------------------------------

def rests_on(s: SignalSeen) -> tuple[str, ...]:
    """The documents, events and sources a signal rests on (hidden when any of them is)."""
    return (*s.document_ids, *s.event_ids, *s.source_ids)


def shown_to(pm: PostMortem, blocked: Callable[[Sequence[str]], bool], observations: int) -> PostMortem:
    """The post-mortem as a reader sees it: a signal resting on a holding they may not see (``blocked``) is left out
    of the signals, the timeline, the counts per day and the findings' words, and counted in ``hidden_signals``
    ("n signals from holdings you may not see"); ``observations``: the coded events in the window they may see.
    Where the chain broke stays as forewarn found it over everything."""
    kept = tuple(s for s in pm.signals if not blocked(rests_on(s)))
    hidden = len(pm.signals) - len(kept)
    timeline = [e for e in pm.timeline if e.kind is not TimelineKind.SIGNAL]
    timeline += [signal_entry(s.known_at, s.indicator_ids, s.source_ids, s.evidence) for s in kept[:FIRST_SIGNALS]]
    order = {k: i for i, k in enumerate(TimelineKind)}
    findings = tuple(_shown_finding(f, pm, kept, hidden, observations) for f in pm.findings)
    return replace(pm, signals=kept, hidden_signals=hidden, signals_per_day=_per_day(kept),
                   observations_in_window=observations, findings=findings,
                   timeline=tuple(sorted(timeline, key=lambda t: (t.at, order[t.kind]))))


def _shown_finding(f: Finding, pm: PostMortem, kept: Sequence[SignalSeen], hidden: int, observations: int) -> Finding:
    """A finding's words over what the reader may see (those about signals and collection count only theirs)."""
    if f.link is ChainBreak.NO_WARNING:
        first = f" (the first you may see known {kept[0].known_at:%Y-%m-%d %H:%M} UTC)" if kept else ""
        more = f", and {hidden_text(hidden)}," if hidden else ""
        text = (f"{len(kept):,} signals{more} matched the scenario's indicators between {pm.window_start:%Y-%m-%d} "
                f"and the event{first}, but no warning was raised before the event.")
        return Finding(f.link, text + _peak(pm.series), f.warning_id)
    if f.link is ChainBreak.NOT_MATCHED:
        return Finding(f.link, _unmatched(pm.documents_in_window, observations, pm.window_start), f.warning_id)
    return f


# -- where the chain broke ------------------------------------------------------------------------

HANDLED = (WarningStatus.ACKNOWLEDGED, WarningStatus.ACTED_ON)


def _findings(signals: Sequence[SignalSeen], outcomes: Sequence[WarningOutcome], documents: int,
              observations: int, start: datetime, series: ReplaySeries | None) -> tuple[Finding, ...]:
    upstream = _collection(signals, documents, observations, start)
    if not outcomes:
        return (upstream or _no_warning(signals, start, series),)
    handled = [_handled(o) for o in outcomes if o.status in HANDLED]
    failed = [_failure(o) for o in outcomes if o.status not in HANDLED]  # earliest first: the first is the break
    return (*handled[:1], *failed, *([upstream] if upstream else []))


def _collection(signals: Sequence[SignalSeen], documents: int, observations: int, start: datetime) -> Finding | None:
    """The first two links: something collected, something matched."""
    if signals:
        return None
    if documents == 0 and observations == 0:
        return Finding(ChainBreak.NOT_COLLECTED, f"No documents were collected between {start:%Y-%m-%d} and the "
                       "event.")
    return Finding(ChainBreak.NOT_MATCHED, _unmatched(documents, observations, start))


def _unmatched(documents: int, observations: int, start: datetime) -> str:
    return (f"{documents:,} documents and {observations:,} coded events were collected between {start:%Y-%m-%d} and "
            "the event, but none matched an indicator of the scenario.")


def _no_warning(signals: Sequence[SignalSeen], start: datetime, series: ReplaySeries | None) -> Finding:
    text = (f"{len(signals):,} signals matched the scenario's indicators between {start:%Y-%m-%d} and the event "
            f"(the first known {signals[0].known_at:%Y-%m-%d %H:%M} UTC), but no warning was raised before the event.")
    return Finding(ChainBreak.NO_WARNING, text + _peak(series))


def _peak(series: ReplaySeries | None) -> str:
    if series is None or not series.steps:
        return ""
    top = max(series.steps, key=lambda s: s.probability)
    level = f", level {top.level}" if top.level else ", below every threshold"
    return f" The replay peaked at {top.probability:.0%} on {top.at:%Y-%m-%d}{level}."


def _failure(o: WarningOutcome) -> Finding:
    w = o.warning
    name = f"Warning #{w.id} ({_origin(w)}, raised {w.raised_at:%Y-%m-%d %H:%M} UTC)"
    if o.status is WarningStatus.DISMISSED:
        why = f" Rationale: “{o.rationale}”" if o.rationale else " No rationale was given."
        return Finding(ChainBreak.DISMISSED, f"{name} was dismissed by {o.by} on {o.when:%Y-%m-%d %H:%M} UTC.{why}",
                       w.id)
    if o.status is WarningStatus.SUPERSEDED:
        return Finding(ChainBreak.DISMISSED, f"{name} was superseded by {o.by} on {o.when:%Y-%m-%d %H:%M} UTC "
                       "without being acted on.", w.id)
    escalations = f"{o.escalations} escalation" + ("" if o.escalations == 1 else "s")
    return Finding(ChainBreak.UNACKNOWLEDGED, f"{name} was not acknowledged before the event: it was waiting on "
                   f"{o.owner} after {escalations}.", w.id)


def _handled(o: WarningOutcome) -> Finding:
    w = o.warning
    verb = "acted on" if o.status is WarningStatus.ACTED_ON else "acknowledged"
    return Finding(ChainBreak.NONE, f"Warning #{w.id} ({_origin(w)}, raised {w.raised_at:%Y-%m-%d %H:%M} UTC) was "
                   f"{verb} by {o.by} on {o.when:%Y-%m-%d %H:%M} UTC, before the event.", w.id)


def _origin(w: WarningRecord) -> str:
    if w.partner:
        return f"{w.origin.value} warning from {w.partner}" + (f" ref. {w.partner_ref}" if w.partner_ref else "")
    return f"{w.origin.value} warning, {w.severity}"


__all__ = ["MARGIN_DAYS", "ChainBreak", "DayCount", "Finding", "PostMortem", "SignalSeen", "WarningOutcome",
           "WarningStatus", "postmortem", "window"]
