"""Scoring a scenario at a time T: independent signals, their contributions, the probability.

``assess`` is a pure function of (observations, scenario, T, surges, claims, stories): it reads no clock and
no store, and it uses only what was known at T (``known_at <= T``) about events dated (claims said, stories
published) on or before T's date.

For each indicator, matching observations (or claims) are grouped into independent signals:

* copies of one report (documents of one duplicate cluster) are one signal, whatever their sources;
* reports of one source about events of the same day (claims one source carried on one day) are one signal
  (a channel re-posting itself); a document without a source is a source of its own.

A signal's ``strength`` is the reliability weight of its best source
(:data:`~forewarn.detect.weights.RELIABILITY_WEIGHT`), its ``decay`` is ``0.5 ** (age / half-life)`` with the
age in whole days from its latest event date to T's date, and its contribution to the log-odds is ``ln(weight) *
strength * decay``. Signals whose decay fell below :data:`~forewarn.detect.weights.EXPIRED` are dropped. A claim
signal is made the same way, decaying from the day the claim was said, its evidence the sentence with the
speaker and stance named. A surge is one signal of strength :data:`SURGE_STRENGTH`; a mentions indicator's
signals come from :func:`forewarn.detect.mentions.mention_signals`.
Per indicator only the ``saturation`` strongest signals count.
``log_odds = logit(prior) + sum(counted contributions)`` and ``probability = sigmoid(log_odds)``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Generic, NamedTuple, TypeVar

from forewarn.detect import mentions
from forewarn.detect.match import claim_matches, in_place, in_region, indicator_matches
from forewarn.detect.types import ClaimObservation, DayOfStories, Observation, Story
from forewarn.detect.weights import EXPIRED, EXPIRY_HALF_LIVES, RELIABILITY_WEIGHT, decay, rank
from forewarn.errors import InvalidArgument
from forewarn.model import Assessment, Indicator, IndicatorKind, Reliability, Scenario, Signal, SignalKind, Surge

# A surge's strength: its count already counts independent reports (duplicate clusters) and its p-value is
# the evidence; how far single reports can be trusted enters through the event indicators.
SURGE_STRENGTH = 1.0

T = TypeVar("T")
M = TypeVar("M", Observation, ClaimObservation, Story)


def assess(scenario: Scenario, observations: Sequence[Observation], at: datetime, surges: Sequence[Surge] = (),
           claims: Sequence[ClaimObservation] = (), stories: Sequence[Story] = (), *,
           day_totals: Mapping[date, int] | None = None, matches: Matches | None = None,
           story_days: Mapping[str, Mapping[date, DayOfStories]] | None = None,
           grouped: Mapping[str, Sequence[Signal]] | None = None) -> Assessment:
    """The scenario's probability at ``at`` with every signal's contribution (sorted, largest first).
    ``day_totals``: the documents per day of the stories' span (the days the stream was up), for mentions;
    ``matches``: which indicator each item matches, remembered across calls (a replay's steps); ``story_days``: by
    mentions indicator id, the stories it matches among ``stories`` known at ``at``, grouped by day already
    (a replay's :class:`~forewarn.detect.mentions.StoryDays`, or the store's counts); ``grouped``: by events
    indicator id, its signals at ``at`` (before saturation, or only those it lets count), made already from the
    observations known then that it matches (a replay keeps each indicator's groups from step to step:
    :mod:`forewarn.detect.grouped`)."""
    if at.tzinfo is None:
        raise InvalidArgument("assessment times must be timezone-aware", hint="give an offset, e.g. +00:00")
    known = _Known(visible=[o for o in observations if o.known_at <= at and o.event.date <= at.date()],
                   surges=surges, claims=[c for c in claims if c.known_at <= at and c.day <= at.date()],
                   stories=[s for s in stories if s.known_at <= at and s.day <= at.date()], day_totals=day_totals,
                   story_days=story_days or {}, grouped=grouped or {})
    signals: list[Signal] = []
    matches = matches or Matches(scenario)
    for indicator in scenario.indicators:
        signals += saturate(indicator, _signals(scenario, indicator, known, at, matches))
    signals.sort(key=lambda s: (-abs(s.contribution), -abs(_raw(s)), s.indicator_id, s.observed_on, s.event_ids,
                                s.document_ids))
    log_odds = logit(scenario.prior) + math.fsum(s.contribution for s in signals if s.counted)
    probability = sigmoid(log_odds)
    return Assessment(scenario_id=scenario.id, scenario_version=scenario.version, at=at, prior=scenario.prior,
                      log_odds=log_odds, probability=probability, level=scenario.level_of(probability),
                      signals=tuple(signals))


@dataclass(frozen=True, slots=True)
class _Known:
    """What an assessment at T sees: observations, surges, claims and stories known by then."""

    visible: Sequence[Observation]
    surges: Sequence[Surge]
    claims: Sequence[ClaimObservation]
    stories: Sequence[Story]
    day_totals: Mapping[date, int] | None
    story_days: Mapping[str, Mapping[date, DayOfStories]]
    grouped: Mapping[str, Sequence[Signal]]


class Matches:
    """Which items (observations, claims, stories) an indicator of ``scenario`` matches, each asked once: a replay
    asks again about the same items at every step. Remembered by identity, so the caller keeps the items alive
    while it uses this (a replay holds them all); a fresh one per assessment otherwise."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._seen: dict[int, dict[int, bool]] = {}  # id(indicator) -> id(item) -> matches

    def __call__(self, indicator: Indicator, item: Observation | ClaimObservation | Story) -> bool:
        seen = self._seen.setdefault(id(indicator), {})
        found = seen.get(id(item))
        if found is None:
            found = seen[id(item)] = _matches(self.scenario, indicator, item)
        return found

    def among(self, indicator: Indicator, items: Sequence[M]) -> list[M]:
        """Those of ``items`` the indicator matches, in their order: each new one tested, the others looked up
        (a replay's step asks this of its claims, for each claim indicator)."""
        seen = self._seen.setdefault(id(indicator), {})
        return [i for i in items if ((f := seen.get(id(i))) is None and self(indicator, i)) or f]


def _matches(scenario: Scenario, indicator: Indicator, item: Observation | ClaimObservation | Story) -> bool:
    if isinstance(item, Observation):
        return indicator_matches(scenario, indicator, item)
    if isinstance(item, ClaimObservation):
        return claim_matches(scenario, indicator, item)
    return mentions.story_matches(scenario, indicator, item)


def _signals(scenario: Scenario, indicator: Indicator, known: _Known, at: datetime, matches: Matches
             ) -> list[Signal]:
    """The indicator's signals at ``at``, before saturation."""
    if indicator.kind is IndicatorKind.SURGE:
        return surge_signals(scenario, indicator, known.surges, known.visible, at)
    if indicator.kind is IndicatorKind.CLAIM:
        return claim_signals(indicator, matches.among(indicator, known.claims), at)
    if indicator.kind is IndicatorKind.MENTIONS:
        return mentions.mention_signals(scenario, indicator, known.stories, at, known.day_totals,
                                        lambda story: matches(indicator, story), known.story_days.get(indicator.id))
    made = known.grouped.get(indicator.id)
    return event_signals(indicator, matches.among(indicator, known.visible), at) if made is None else list(made)


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def lookback_days(scenario: Scenario) -> int:
    """How many days before T an observation can still contribute (its decay not yet expired)."""
    return max(math.ceil(i.half_life_days * EXPIRY_HALF_LIVES) for i in scenario.indicators)


def coded_indicators(scenario: Scenario) -> tuple[Indicator, ...]:
    """The indicators that read coded events (events and surge indicators)."""
    return tuple(i for i in scenario.indicators if i.kind in (IndicatorKind.EVENTS, IndicatorKind.SURGE))


def story_days(scenario: Scenario) -> int:
    """How many days of stories before T its mentions indicators read (the look-back, a baseline before the
    oldest day that can still count, and the days "the highest in N days" compares with); 0 without any."""
    widest = max((i.baseline_days + i.highest_in_days for i in scenario.indicators
                  if i.kind is IndicatorKind.MENTIONS), default=None)
    return 0 if widest is None else lookback_days(scenario) + widest


# -- event and claim signals -----------------------------------------------------------------------


def independent_groups(items: Iterable[T], keys: Callable[[T], Iterable[Hashable]]) -> list[list[T]]:
    """Items grouped so that each group is one independent observation: items sharing a key (a duplicate
    cluster; a source and a day) end in the same group (transitively). Groups keep the items' order."""
    listed = list(items)
    parent = list(range(len(listed)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[Hashable, int] = {}
    for i, item in enumerate(listed):
        for key in keys(item):
            if key in first:
                parent[find(i)] = find(first[key])
            else:
                first[key] = i
    groups: dict[int, list[T]] = defaultdict(list)
    for i, item in enumerate(listed):
        groups[find(i)].append(item)
    return list(groups.values())


class Report(NamedTuple, Generic[T]):
    """What scoring needs of one matching event or claim: one report of one source about one day (a tuple: a
    live cycle makes one per matching item)."""

    item: T
    cluster_id: str
    source_id: str | None
    document_id: str
    day: date  # the event's date; the day a claim was said
    known_at: datetime
    reliability: Reliability
    event_id: str | None
    order: tuple[str, int]  # breaks ties between equally good, equally early reports


def event_signals(indicator: Indicator, matching: Sequence[Observation], at: datetime) -> list[Signal]:
    """One signal per independent group of matching observations, before saturation; expired ones dropped."""
    return report_signals(indicator, SignalKind.EVENT, [event_report(o) for o in matching], at, event_text)


def event_report(o: Observation) -> Report[Observation]:
    """What scoring needs of one matching observation."""
    return Report(o, o.cluster_id, o.event.source_id, o.event.document_id, o.event.date, o.known_at, o.reliability,
                  o.event.id, (o.event.id, 0))


def event_text(o: Observation) -> str:
    """An event signal's evidence: its best report's sentence, on one line."""
    return " ".join(o.evidence.split())


def claim_signals(indicator: Indicator, matching: Sequence[ClaimObservation], at: datetime) -> list[Signal]:
    """One signal per independent group of matching claims (copies of one report; one source on one day),
    with the strength of its best source, decaying from the day it was said; expired ones dropped."""
    reports = [Report(c, c.cluster_id, c.source_id, c.claim.document_id, c.day, c.known_at, c.reliability, None,
                       (c.claim.document_id, c.claim.start)) for c in matching]
    return report_signals(indicator, SignalKind.CLAIM, reports, at, claim_text)


def report_signals(indicator: Indicator, kind: SignalKind, reports: Sequence[Report[T]], at: datetime,
                    describe: Callable[[T], str]) -> list[Signal]:
    groups = independent_groups(reports, report_keys)  # expired ones left out before their signals are made
    return [report_signal(indicator, kind, group, at, describe) for group in groups
            if decay((at.date() - max(r.day for r in group)).days, indicator.half_life_days) >= EXPIRED]


def report_keys(r: Report[T]) -> tuple[tuple[str, str], tuple[str, str, date]]:
    return ("cluster", r.cluster_id), ("source-day", r.source_id or f"document:{r.document_id}", r.day)


def report_signal(indicator: Indicator, kind: SignalKind, group: Sequence[Report[T]], at: datetime,
                   describe: Callable[[T], str]) -> Signal:
    """A group's signal: the strength of its best source, decaying from its latest day, read in the words of
    its best report (``describe``)."""
    best = min(group, key=lambda r: (rank(r.reliability), r.known_at, r.order))
    observed_on = max(r.day for r in group)
    strength = RELIABILITY_WEIGHT[best.reliability]
    d = decay((at.date() - observed_on).days, indicator.half_life_days)
    sources = sorted({r.source_id for r in group if r.source_id})
    documents = sorted({r.document_id for r in group})
    note = ""
    if len(group) > 1:
        what = "claims" if kind is SignalKind.CLAIM else "reports"
        note = (f"{len(group)} {what} in {len(documents)} document(s) from {len(sources) or 1} source(s) count "
                "once: copies of one report, or one source on one day")
    return Signal(
        indicator_id=indicator.id, kind=kind, observed_on=observed_on, known_at=min(r.known_at for r in group),
        source_ids=tuple(sources), reliability=best.reliability.value,
        event_ids=tuple(sorted({r.event_id for r in group if r.event_id})), document_ids=tuple(documents),
        strength=strength, decay=d, contribution=math.log(indicator.weight) * strength * d, counted=True,
        note=note, evidence=describe(best.item),
    )


def claim_text(c: ClaimObservation) -> str:
    """The claim's sentence with its speaker and stance named: "US embassy (warn): …"."""
    claim = c.claim
    speaker = claim.speaker.name if claim.speaker is not None else claim.speaker_text or "unnamed speaker"
    stance = f" ({claim.stance})" if claim.stance else ""
    return f"{speaker}{stance}: {' '.join(c.evidence.split())}"


# -- surge signals ---------------------------------------------------------------------------------


def surge_signals(scenario: Scenario, indicator: Indicator, surges: Sequence[Surge],
                  visible: Sequence[Observation], at: datetime) -> list[Signal]:
    """One signal per surge of the indicator's types (in the scenario's region unless ``in_region`` is
    false), decaying from the surge's day, with strength :data:`SURGE_STRENGTH`. Its sources and documents
    are those of the surge's events among ``visible`` (for reading; the contribution does not depend on them,
    so a caller passing only some observations gets the same number)."""
    by_event = {o.event.id: o for o in visible}
    found = []
    for surge in surges:
        if surge.day > at.date() or not surge_matches(scenario, indicator, surge, by_event):
            continue
        signal = _surge_signal(indicator, surge, [by_event[e] for e in surge.event_ids if e in by_event], at)
        if signal.decay >= EXPIRED:
            found.append(signal)
    return found


def surge_matches(scenario: Scenario, indicator: Indicator, surge: Surge, by_event: Mapping[str, Observation]
                  ) -> bool:
    """Is ``surge`` one of the (surge) indicator's: of its types and, unless it looks beyond the region, in
    the scenario's region (its first-level region is, or one of its events is)?"""
    if indicator.kind is not IndicatorKind.SURGE or (indicator.types and surge.type not in indicator.types):
        return False
    if not indicator.in_region or in_place(scenario.region, surge.country, surge.admin1):
        return True
    return any(in_region(scenario.region, by_event[e].event) for e in surge.event_ids if e in by_event)


def _surge_signal(indicator: Indicator, surge: Surge, members: Sequence[Observation], at: datetime) -> Signal:
    strength = SURGE_STRENGTH
    d = decay((at.date() - surge.day).days, indicator.half_life_days)
    known = max((o.known_at for o in members), default=at)
    return Signal(
        indicator_id=indicator.id, kind=SignalKind.SURGE, observed_on=surge.day, known_at=known,
        source_ids=tuple(sorted({o.event.source_id for o in members if o.event.source_id})),
        reliability="", event_ids=surge.event_ids,
        document_ids=tuple(sorted({o.event.document_id for o in members})), strength=strength, decay=d,
        contribution=math.log(indicator.weight) * strength * d, counted=True, evidence=describe_surge(surge),
    )


def describe_surge(s: Surge) -> str:
    return (f"{s.count} independent reports of {s.type} in {s.admin1} ({s.country}) on {s.day.isoformat()} "
            f"against a baseline of {s.baseline_mean:.2f}/day (variance {s.baseline_var:.2f}); "
            f"{s.test} p = {s.p_value:.2g}")


# -- saturation ------------------------------------------------------------------------------------


def saturate(indicator: Indicator, signals: Sequence[Signal]) -> list[Signal]:
    """The ``saturation`` strongest signals count; the others stay listed with contribution 0 and a note."""
    ranked = sorted(signals, key=lambda s: (-abs(s.contribution), s.observed_on, s.event_ids, s.document_ids))
    kept = list(ranked[:indicator.saturation])
    for s in ranked[indicator.saturation:]:
        note = f"beyond saturation ({indicator.saturation}): would add {s.contribution:+.3f}"
        kept.append(replace(s, counted=False, contribution=0.0, note=_join(s.note, note)))
    return kept


def _raw(s: Signal) -> float:
    """What a signal would contribute if counted (for ordering uncounted ones)."""
    return s.strength * s.decay


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def age_text(observed_on: date, at: datetime) -> str:
    days = (at.date() - observed_on).days
    return "today" if days == 0 else "1 day old" if days == 1 else f"{days} days old"
