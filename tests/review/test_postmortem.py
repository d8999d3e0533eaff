"""Post-mortem: first signal, first warning, lead time, who did what when, and where the chain broke."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from review_helpers import EVENT_AT, EVENT_DAY, entry, observation, scenario, warning

from forewarn.model import Disposition, LedgerEntry, Origin, WarningRecord, WarningState
from forewarn.review import ChainBreak, PostMortem, TimelineKind, WarningStatus, postmortem, window
from forewarn.review.report import duration

REPORT_AT = datetime(2024, 9, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def before(days: float = 0, hours: float = 0) -> datetime:
    return EVENT_AT - timedelta(days=days, hours=hours)


def signals() -> list:
    return [observation(1, before(days=6, hours=3)), observation(2, before(days=5)), observation(3, before(days=5))]


def run(observations: Sequence = (), warnings: Sequence[WarningRecord] = (),
        histories: Mapping[int, Sequence[LedgerEntry]] | None = None, documents: int = 40,
        event: object = EVENT_DAY, **kw: object) -> PostMortem:
    return postmortem(scenario(), event, list(observations), list(warnings), histories or {}, documents,  # type: ignore[arg-type]
                      REPORT_AT, **kw)  # type: ignore[arg-type]


def raised(w: WarningRecord, seq: int = 1) -> LedgerEntry:
    return entry(seq, w.raised_at, w.raised_by, "warning-raised", w.id, owner=w.owner, severity=w.severity)


# -- one test per break -------------------------------------------------------------------------

def test_not_collected() -> None:
    pm = run(documents=0)
    assert pm.broken is ChainBreak.NOT_COLLECTED
    assert "No documents were collected between 2024-06-23" in pm.findings[0].text
    assert pm.first_signal is None and pm.first_warning is None and pm.lead_time is None


def test_not_matched() -> None:
    elsewhere = [observation(1, before(days=3), country="POL"), observation(2, before(days=2), type="PROTEST")]
    pm = run(elsewhere, documents=12)
    assert pm.broken is ChainBreak.NOT_MATCHED
    assert pm.findings[0].text.startswith("12 documents and 2 coded events were collected")
    assert pm.observations_in_window == 2 and pm.signals == ()


def test_documents_without_any_coded_event_are_not_matched_either() -> None:
    assert run(documents=5).broken is ChainBreak.NOT_MATCHED


def test_no_warning() -> None:
    pm = run(signals())
    assert pm.broken is ChainBreak.NO_WARNING
    assert len(pm.findings) == 1
    assert "3 signals matched" in pm.findings[0].text and "no warning was raised" in pm.findings[0].text
    first = pm.first_signal
    assert first is not None and first.event_ids == ("event-1",) and first.source_ids == ("source-1",)
    assert first.indicator_ids == ("massing",) and first.evidence.startswith("Columns of armour")
    assert pm.signal_lead_time == timedelta(days=6, hours=3)


def test_dismissed_names_who_and_why() -> None:
    w = warning(1, before(days=4), state=WarningState.DISPOSED, disposition=Disposition.DISMISSED)
    history = [raised(w), entry(2, before(days=4) + HOUR, "duty-officer", "warning-acknowledged", 1, note="looking"),
               entry(3, before(days=3), "desk-head", "warning-disposed", 1, disposition="dismissed",
                     rationale="Routine exercise, seen every summer.")]
    pm = run(signals(), [w], {1: history})
    assert pm.broken is ChainBreak.DISMISSED
    outcome = pm.outcomes[0]
    assert (outcome.status, outcome.by, outcome.when) == (WarningStatus.DISMISSED, "desk-head", before(days=3))
    assert outcome.rationale == "Routine exercise, seen every summer."
    text = pm.findings[0].text
    assert "dismissed by desk-head on 2024-08-03 00:00 UTC" in text and "Routine exercise" in text


def test_unacknowledged_names_whom_it_waited_on_and_the_escalations() -> None:
    w = warning(1, before(days=2), owner="director", escalation_level=2)
    history = [raised(w),
               entry(2, before(days=2) + 2 * HOUR, "forewarn", "warning-escalated", 1, to="desk-head",
                     reason="acknowledgement deadline passed"),
               entry(3, before(days=2) + 4 * HOUR, "forewarn", "warning-escalated", 1, to="director",
                     reason="acknowledgement deadline passed")]
    pm = run(signals(), [w], {1: history})
    assert pm.broken is ChainBreak.UNACKNOWLEDGED
    outcome = pm.outcomes[0]
    assert (outcome.status, outcome.owner, outcome.escalations) == (WarningStatus.UNACKNOWLEDGED, "director", 2)
    assert "waiting on director after 2 escalations" in pm.findings[0].text


def test_none_when_acknowledged_in_time() -> None:
    w = warning(1, before(days=4, hours=17.5), state=WarningState.ACKNOWLEDGED)
    history = [raised(w), entry(2, before(days=4), "duty-officer", "warning-acknowledged", 1, note="On it.")]
    pm = run(signals(), [w], {1: history})
    assert pm.broken is ChainBreak.NONE
    assert (pm.outcomes[0].by, pm.outcomes[0].when) == ("duty-officer", before(days=4))
    assert "acknowledged by duty-officer on 2024-08-02 00:00 UTC" in pm.findings[0].text


def test_acted_on_counts_as_handled() -> None:
    w = warning(1, before(days=3), state=WarningState.DISPOSED, disposition=Disposition.ACTED_ON)
    history = [raised(w), entry(2, before(days=2), "director", "warning-disposed", 1, disposition="acted-on",
                                rationale="Units moved.")]
    pm = run(signals(), [w], {1: history})
    assert pm.broken is ChainBreak.NONE and pm.outcomes[0].status is WarningStatus.ACTED_ON
    assert "acted on by director" in pm.findings[0].text


# -- the first broken link and contributing ones -------------------------------------------------

def test_a_dismissed_partner_warning_then_an_unacknowledged_scenario_warning() -> None:
    partner = warning(1, before(days=9), origin=Origin.PARTNER, partner="Allied desk", state=WarningState.DISPOSED,
                      disposition=Disposition.DISMISSED)
    ours = warning(2, before(days=1))
    histories = {1: [raised(partner), entry(2, before(days=8), "desk-head", "warning-disposed", 1,
                                            disposition="dismissed", rationale="Partner over-reads exercises.")],
                 2: [raised(ours, 3)]}
    pm = run(signals(), [ours, partner], histories)
    assert pm.broken is ChainBreak.DISMISSED
    assert [f.link for f in pm.findings] == [ChainBreak.DISMISSED, ChainBreak.UNACKNOWLEDGED]
    assert [f.warning_id for f in pm.findings] == [1, 2]
    assert "partner warning from Allied desk ref. B-7" in pm.findings[0].text
    assert pm.first_warning is partner
    assert pm.lead_time == timedelta(days=9)


def test_handled_in_time_with_an_earlier_dismissal_contributing() -> None:
    partner = warning(1, before(days=9), origin=Origin.PARTNER, partner="Allied desk")
    ours = warning(2, before(days=1))
    histories = {1: [raised(partner), entry(2, before(days=8), "desk-head", "warning-disposed", 1,
                                            disposition="dismissed", rationale="No.")],
                 2: [raised(ours, 3), entry(4, before(hours=20), "duty-officer", "warning-acknowledged", 2)]}
    pm = run(signals(), [partner, ours], histories)
    assert pm.broken is ChainBreak.NONE
    assert [(f.link, f.warning_id) for f in pm.findings] == [(ChainBreak.NONE, 2), (ChainBreak.DISMISSED, 1)]


def test_a_person_warning_without_matched_signals_notes_the_matching_gap() -> None:
    w = warning(1, before(days=2), origin=Origin.PERSON)
    pm = run([], [w], {1: [raised(w)]}, documents=7)
    assert pm.broken is ChainBreak.UNACKNOWLEDGED
    assert [f.link for f in pm.findings] == [ChainBreak.UNACKNOWLEDGED, ChainBreak.NOT_MATCHED]


# -- state as of the event -----------------------------------------------------------------------

def test_acknowledged_only_after_the_event_was_unacknowledged_at_it() -> None:
    w = warning(1, before(days=1), state=WarningState.ACKNOWLEDGED, acknowledged_at=EVENT_AT + HOUR,
                acknowledged_by="duty-officer")
    history = [raised(w), entry(2, EVENT_AT + HOUR, "duty-officer", "warning-acknowledged", 1)]
    pm = run(signals(), [w], {1: history})
    assert pm.broken is ChainBreak.UNACKNOWLEDGED
    late = [t for t in pm.timeline if t.kind is TimelineKind.ACKNOWLEDGED]
    assert [(t.at, t.actor) for t in late] == [(EVENT_AT + HOUR, "duty-officer")]
    assert pm.timeline[-1].kind is TimelineKind.ACKNOWLEDGED  # after the event, listed after it
    assert pm.timeline[-2].kind is TimelineKind.EVENT


def test_an_escalation_after_an_acknowledgement_awaits_the_next_person() -> None:
    w = warning(1, before(days=3))
    history = [raised(w), entry(2, before(days=3) + HOUR, "duty-officer", "warning-acknowledged", 1),
               entry(3, before(days=2), "duty-officer", "warning-escalated", 1, to="desk-head", reason="needs a call")]
    pm = run(signals(), [w], {1: history})
    outcome = pm.outcomes[0]
    assert (outcome.status, outcome.owner, outcome.escalations) == (WarningStatus.UNACKNOWLEDGED, "desk-head", 1)
    escalated = next(t for t in pm.timeline if t.kind is TimelineKind.ESCALATED)
    assert (escalated.summary, escalated.detail) == ("warning #1 escalated to desk-head", "needs a call")


def test_a_reopened_warning_is_open_again() -> None:
    w = warning(1, before(days=6), reopened=1)
    history = [raised(w), entry(2, before(days=5), "desk-head", "warning-disposed", 1, disposition="dismissed",
                                rationale="Exercise."),
               entry(3, before(days=2), "forewarn", "warning-reopened", 1, owner="duty-officer",
                     new_event_ids=["event-3", "event-4"])]
    pm = run(signals(), [w], {1: history})
    outcome = pm.outcomes[0]
    assert (outcome.status, outcome.reopened, outcome.by) == (WarningStatus.UNACKNOWLEDGED, 1, None)
    reopened = next(t for t in pm.timeline if t.kind is TimelineKind.REOPENED)
    assert reopened.detail == "2 new matching events"


def test_superseded_alone_reads_as_closed_without_action() -> None:
    w = warning(1, before(days=3))
    history = [raised(w), entry(2, before(days=2), "forewarn", "warning-superseded", 1, disposition="superseded",
                                rationale="superseded by warning 9", by=9)]
    pm = run(signals(), [w], {1: history})
    assert pm.outcomes[0].status is WarningStatus.SUPERSEDED
    assert pm.broken is ChainBreak.DISMISSED and "superseded" in pm.findings[0].text
    assert any(t.summary == "warning #1 superseded by #9" for t in pm.timeline)


def test_without_a_history_the_record_says_what_happened() -> None:
    w = warning(1, before(days=3), state=WarningState.DISPOSED, disposition=Disposition.DISMISSED,
                disposed_at=before(days=2), disposed_by="desk-head", rationale="Old news.",
                acknowledged_at=before(days=2, hours=5), acknowledged_by="duty-officer")
    pm = run(signals(), [w], {})
    assert (pm.outcomes[0].status, pm.outcomes[0].by, pm.outcomes[0].rationale) == (
        WarningStatus.DISMISSED, "desk-head", "Old news.")
    kinds = [t.kind for t in pm.timeline if t.warning_id == 1]
    assert kinds == [TimelineKind.RAISED, TimelineKind.ACKNOWLEDGED, TimelineKind.DISPOSED]


# -- what counts -----------------------------------------------------------------------------------

def test_warnings_after_the_event_or_of_other_scenarios_do_not_count() -> None:
    late = warning(1, EVENT_AT + HOUR)
    other = warning(2, before(days=2), scenario_id="another")
    unscoped = warning(3, before(days=2), origin=Origin.PERSON, scenario_id=None)
    pm = run(signals(), [late, other, unscoped])
    assert pm.broken is ChainBreak.NO_WARNING and pm.outcomes == ()


def test_the_window_is_the_horizon_and_a_margin_before_the_event() -> None:
    start, event_at = window(scenario(), EVENT_DAY)
    assert (start, event_at) == (EVENT_AT - timedelta(days=44), EVENT_AT)
    too_early = observation(8, start - HOUR)
    too_late = observation(9, EVENT_AT)
    pm = run([*signals(), too_early, too_late])
    assert pm.window_start == start and pm.observations_in_window == 3 and len(pm.signals) == 3
    assert run(signals(), margin_days=0).window_start == EVENT_AT - timedelta(days=14)


def test_lead_times_from_the_first_warning_and_the_first_signal() -> None:
    first = warning(1, datetime(2024, 8, 1, 6, 30, tzinfo=UTC))
    second = warning(2, datetime(2024, 8, 3, tzinfo=UTC))
    pm = run(signals(), [second, first])
    assert pm.first_warning is first
    assert pm.lead_time == timedelta(days=4, hours=17, minutes=30)
    assert duration(pm.lead_time) == "4 d 17 h 30 min"
    at_five = run(signals(), [second, first], event=datetime(2024, 8, 6, 5, 0, tzinfo=UTC))
    assert at_five.event_at == datetime(2024, 8, 6, 5, 0, tzinfo=UTC)
    assert at_five.lead_time == timedelta(days=4, hours=22, minutes=30)
    assert at_five.signal_lead_time == timedelta(days=6, hours=8)


def test_signals_are_counted_per_day_and_the_first_few_listed() -> None:
    many = [observation(i, before(days=3) + i * timedelta(minutes=7)) for i in range(1, 9)]
    pm = run([*many, observation(20, before(days=1))])
    assert [(d.day.isoformat(), d.count) for d in pm.signals_per_day] == [("2024-08-03", 8), ("2024-08-05", 1)]
    assert sum(1 for t in pm.timeline if t.kind is TimelineKind.SIGNAL) == 5


def test_surges_count_as_signals() -> None:
    quiet = [observation(100 + i, before(days=30 - i, hours=1), type="ASSAULT") for i in range(0, 20, 4)]
    burst = [observation(200 + i, before(days=3) + i * HOUR, type="ASSAULT") for i in range(6)]
    pm = postmortem(scenario(surge=True), EVENT_DAY, [*quiet, *burst], [], {}, 30, REPORT_AT)
    surges = [s for s in pm.signals if s.indicator_ids == ("shelling-surge",)]
    assert len(surges) == 1 and surges[0].observed_on == (EVENT_AT - 3 * DAY).date()
    assert pm.broken is ChainBreak.NO_WARNING


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(0), "0 min"), (timedelta(minutes=59, seconds=59), "59 min"), (timedelta(days=2), "2 d"),
    (timedelta(days=1, minutes=1), "1 d 1 min"), (-timedelta(hours=3), "-3 h"), (None, "—"),
])
def test_duration(delta: timedelta | None, text: str) -> None:
    assert duration(delta) == text
