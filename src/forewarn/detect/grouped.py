"""An events indicator's independent groups kept from step to step of a replay.

At each step a live cycle groups the matching reports standing then (:func:`forewarn.detect.score.event_signals`):
copies of one report, and one source's reports of one day, are one signal. From one step to the next few reports
change: some become known (or their day comes), some leave (their day falls out of the look-back, or a correction
known by then replaces them). :class:`RunningGroups` keeps the groups: a report that joins merges the groups it
shares a key with; a report that leaves has only its own group grouped again. A group's signal is made again only
when its reports change; otherwise only its decay moves. :func:`stepped_signals` gives, at each step, the same
signals as :func:`~forewarn.detect.score.event_signals` on the reports standing then (tested), for the work of what
changed.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from forewarn.detect.score import Report, event_report, event_text, report_keys, report_signal
from forewarn.detect.types import Observation
from forewarn.detect.weights import EXPIRED, decay
from forewarn.model import Indicator, Signal, SignalKind

__all__ = ["RunningGroups", "stepped_signals"]


def stepped_signals(indicator: Indicator, matching: Sequence[Observation], times: Sequence[datetime], days: int,
                    *, counted: bool = False) -> Iterator[list[Signal]]:
    """The (events) indicator's signals before saturation at each of ``times`` (rising, one offset), from the
    observations of ``matching`` standing then: known by then, dated from ``days`` before its date up to its date,
    and not replaced by then by a correction. With ``counted`` only those saturation lets count (a replay's row
    reads no other)."""
    joining, leaving = _schedule(matching, times, days)
    groups = RunningGroups(indicator)
    for step, at in enumerate(times):
        groups.update(joining.get(step, {}), leaving.get(step, ()))
        yield groups.signals(at, indicator.saturation if counted else None)


def _schedule(matching: Sequence[Observation], times: Sequence[datetime], days: int
              ) -> tuple[dict[int, dict[int, Report[Observation]]], dict[int, list[int]]]:
    """At which step each observation joins (by its number in ``matching``), and at which it leaves. Each of
    the conditions holds from one step on (known, its day come) or until one (within the look-back, not replaced)."""
    dates = [at.date() for at in times]
    joining: dict[int, dict[int, Report[Observation]]] = {}
    leaving: dict[int, list[int]] = {}
    for n, o in enumerate(matching):
        first = max(bisect.bisect_left(times, o.known_at), bisect.bisect_left(dates, o.event.date))
        last = min(_out_of_look_back(dates, o.event.date, days),
                   len(times) if o.hidden_from is None else bisect.bisect_left(times, o.hidden_from))
        if first < last:
            joining.setdefault(first, {})[n] = event_report(o)
            leaving.setdefault(last, []).append(n)
    return joining, leaving


def _out_of_look_back(dates: Sequence[date], day: date, days: int) -> int:
    """The first step whose date is more than ``days`` after ``day``."""
    return bisect.bisect_right(dates, day + timedelta(days=days))


class RunningGroups:
    """The independent groups of an events indicator's reports standing now, as reports join and leave."""

    def __init__(self, indicator: Indicator) -> None:
        self.indicator = indicator
        self._reports: dict[int, Report[Observation]] = {}
        self._keys: dict[int, tuple[Hashable, ...]] = {}
        self._holders: dict[Hashable, set[int]] = {}  # a key -> the reports that have it
        self._group_of: dict[int, int] = {}
        self._groups: dict[int, set[int]] = {}
        self._made: dict[int, Signal] = {}  # a group's signal as last made (until its reports change)
        self._ids = itertools.count()

    def update(self, joining: Mapping[int, Report[Observation]], leaving: Iterable[int]) -> None:
        """Reports leave (by number), then others join: the groups are those of the reports standing after."""
        for group in {self._leave(n) for n in leaving}:
            self._regroup(group)
        for n, report in joining.items():
            self._join(n, report)

    def signals(self, at: datetime, strongest: int | None = None) -> list[Signal]:
        """A signal per group whose decay at ``at`` has not expired (in no particular order); only the
        ``strongest`` that saturation would count, when given."""
        weight = math.log(self.indicator.weight)
        found = []
        for group, members in self._groups.items():
            made = self._made.get(group)
            if made is None:
                made = self._made[group] = report_signal(self.indicator, SignalKind.EVENT,
                                                         [self._reports[n] for n in members], at, event_text)
            d = decay((at.date() - made.observed_on).days, self.indicator.half_life_days)
            if d >= EXPIRED:
                found.append((made, d, weight * made.strength * d))
        if strongest is not None:  # as saturate ranks them
            found = heapq.nsmallest(strongest, found, key=lambda f: (-abs(f[2]), f[0].observed_on, f[0].event_ids,
                                                                      f[0].document_ids))
        return [made if d == made.decay else replace(made, decay=d, contribution=c) for made, d, c in found]

    def _join(self, n: int, report: Report[Observation]) -> None:
        keys = self._keys[n] = report_keys(report)
        self._reports[n] = report
        touched = {self._group_of[next(iter(h))] for k in keys if (h := self._holders.get(k))}
        for k in keys:
            self._holders.setdefault(k, set()).add(n)
        group = max(touched, key=lambda g: len(self._groups[g]), default=None)
        if group is None:
            group = next(self._ids)
            self._groups[group] = set()
        for other in touched - {group}:
            self._made.pop(other, None)
            moved = self._groups.pop(other)
            self._group_of.update(dict.fromkeys(moved, group))
            self._groups[group] |= moved
        self._groups[group].add(n)
        self._group_of[n] = group
        self._made.pop(group, None)

    def _leave(self, n: int) -> int:
        """Take report ``n`` out of its group and its keys; its group, to be grouped again."""
        del self._reports[n]
        group = self._group_of.pop(n)
        self._groups[group].discard(n)
        for k in self._keys.pop(n):
            holders = self._holders[k]
            holders.discard(n)
            if not holders:
                del self._holders[k]
        return group

    def _regroup(self, group: int) -> None:
        """A group some reports left: what stays may fall apart into several."""
        self._made.pop(group, None)
        members = self._groups.pop(group)
        while members:
            part = self._component(next(iter(members)))
            members -= part
            new = next(self._ids)
            self._groups[new] = part
            self._group_of.update(dict.fromkeys(part, new))

    def _component(self, seed: int) -> set[int]:
        """The reports linked to ``seed`` through shared keys (each key followed once)."""
        part, stack, followed = {seed}, [seed], set()
        while stack:
            for k in self._keys[stack.pop()]:
                if k not in followed:
                    followed.add(k)
                    fresh = self._holders[k] - part
                    part |= fresh
                    stack.extend(fresh)
        return part
