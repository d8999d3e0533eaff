"""Scoring: the arithmetic by hand, independence of sources, reliability, decay, saturation, no look-ahead."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from detect_helpers import AT, SUMY, indicator, obs, scenario

from forewarn.detect.explain import explain, explain_lines
from forewarn.detect.score import EXPIRED, RELIABILITY_WEIGHT, assess, decay, lookback_days
from forewarn.errors import InvalidArgument
from forewarn.model import IndicatorKind, Region, Reliability, SignalKind, Surge

LOGIT_PRIOR = math.log(0.02 / 0.98)


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def test_one_signal_by_hand() -> None:
    # weight 3, source B (0.85), event 2 days before T with a 4-day half-life
    a = assess(scenario(), [obs(day=date(2024, 8, 8))], AT)
    [s] = a.signals
    expected = math.log(3) * 0.85 * 0.5 ** (2 / 4)
    assert s.strength == 0.85 and s.decay == pytest.approx(0.5 ** 0.5)
    assert s.contribution == pytest.approx(expected) and s.counted
    assert a.log_odds == pytest.approx(LOGIT_PRIOR + expected)
    assert a.probability == pytest.approx(sigmoid(LOGIT_PRIOR + expected))
    assert a.level is None and a.prior == 0.02 and a.scenario_version == "v1"
    assert (s.event_ids, s.document_ids, s.source_ids, s.reliability) == (("e1",), ("doc-e1",), ("s1",), "B")
    assert s.evidence == "Armoured columns gathered near the border." and s.kind is SignalKind.EVENT


def test_several_indicators_add_up_and_reach_a_level() -> None:
    sc = scenario(indicator("troops", types=("MOBILIZE",), weight=4, half_life_days=7),
                  indicator("strikes", types=("ASSAULT",), weight=2, half_life_days=7))
    found = [obs(f"m{i}", source=f"s{i}", reliability=Reliability.A, day=AT.date()) for i in range(3)]
    found += [obs("a1", type="ASSAULT", mode=None, source="s9", reliability=Reliability.C, day=AT.date())]
    a = assess(sc, found, AT)
    expected = LOGIT_PRIOR + 3 * math.log(4) + math.log(2) * 0.7
    assert a.log_odds == pytest.approx(expected)
    assert a.probability == pytest.approx(sigmoid(expected)) and a.level == "high"  # 0.68
    assert [s.indicator_id for s in a.signals] == ["troops", "troops", "troops", "strikes"]  # largest first


def test_copies_in_one_duplicate_cluster_count_once() -> None:
    found = [obs("e1", source="s1", cluster="c1"), obs("e2", source="s2", cluster="c1", reliability=Reliability.A)]
    [s] = assess(scenario(), found, AT).signals
    assert s.event_ids == ("e1", "e2") and s.source_ids == ("s1", "s2")
    assert s.strength == 1.0 and s.reliability == "A"  # the best source of the cluster
    assert "count once" in s.note


def test_one_source_on_one_day_counts_once() -> None:
    found = [obs("e1", source="s1"), obs("e2", source="s1")]  # separate documents, same source, same day
    [s] = assess(scenario(), found, AT).signals
    assert s.event_ids == ("e1", "e2") and s.document_ids == ("doc-e1", "doc-e2")
    other_day = [obs("e1", source="s1"), obs("e2", source="s1", day=date(2024, 8, 9))]
    assert len(assess(scenario(), other_day, AT).signals) == 2


def test_two_sources_count_twice() -> None:
    a = assess(scenario(), [obs("e1", source="s1"), obs("e2", source="s2")], AT)
    assert len(a.counted) == 2
    assert a.log_odds == pytest.approx(LOGIT_PRIOR + 2 * math.log(3) * 0.85 * 0.5 ** 0.5)


def test_groups_merge_transitively() -> None:
    # e1 and e2 share a cluster; e2 and e3 share a source and a day: all three are one observation
    found = [obs("e1", source="s1", cluster="c1"), obs("e2", source="s2", cluster="c1"), obs("e3", source="s2")]
    [s] = assess(scenario(), found, AT).signals
    assert s.event_ids == ("e1", "e2", "e3")


def test_documents_without_a_source_are_sources_of_their_own() -> None:
    a = assess(scenario(), [obs("e1", source=None), obs("e2", source=None)], AT)
    assert len(a.counted) == 2 and all(s.source_ids == () for s in a.signals)


@pytest.mark.parametrize("grade", list(Reliability))
def test_reliability_weighs_each_signal(grade: Reliability) -> None:
    [s] = assess(scenario(), [obs(reliability=grade, day=AT.date())], AT).signals
    assert s.strength == RELIABILITY_WEIGHT[grade]
    assert s.contribution == pytest.approx(math.log(3) * RELIABILITY_WEIGHT[grade])


def test_reliability_order() -> None:
    w = RELIABILITY_WEIGHT
    assert w[Reliability.A] > w[Reliability.B] > w[Reliability.C] > w[Reliability.D] > w[Reliability.E]
    assert w[Reliability.F] == w[Reliability.D]


def test_half_life_decay_and_expiry() -> None:
    assert decay(4, 4) == 0.5 and decay(0, 4) == 1.0 and decay(8, 4) == 0.25
    sc = scenario(indicator(types=("MOBILIZE",), half_life_days=4))
    [s] = assess(sc, [obs(day=AT.date() - timedelta(days=4))], AT).signals
    assert s.decay == 0.5
    assert s.contribution == pytest.approx(math.log(3) * 0.85 * 0.5)
    # 18 days at a 4-day half-life: decay 0.044 < EXPIRED, dropped; 17 days: 0.052, kept
    assert assess(sc, [obs(day=AT.date() - timedelta(days=18))], AT).signals == ()
    [kept] = assess(sc, [obs(day=AT.date() - timedelta(days=17))], AT).signals
    assert kept.decay >= EXPIRED
    assert lookback_days(sc) == 18


def test_saturation_counts_the_strongest_only() -> None:
    sc = scenario(indicator(types=("MOBILIZE",), saturation=2))
    found = [obs("e1", source="s1", reliability=Reliability.E), obs("e2", source="s2", reliability=Reliability.A),
             obs("e3", source="s3", reliability=Reliability.C), obs("e4", source="s4", reliability=Reliability.B)]
    a = assess(sc, found, AT)
    assert [s.event_ids[0] for s in a.counted] == ["e2", "e4"]
    left = [s for s in a.signals if not s.counted]
    assert [s.event_ids[0] for s in left] == ["e3", "e1"]
    assert all(s.contribution == 0 and "beyond saturation (2)" in s.note for s in left)
    assert a.log_odds == pytest.approx(LOGIT_PRIOR + math.log(3) * 0.5 ** 0.5 * (1.0 + 0.85))


def test_weights_below_one_lower_the_odds() -> None:
    sc = scenario(indicator("withdrawal", types=("RETREAT",), weight=0.5))
    a = assess(sc, [obs(type="RETREAT", mode="withdraw", day=AT.date())], AT)
    assert a.log_odds == pytest.approx(LOGIT_PRIOR + math.log(0.5) * 0.85) and a.probability < 0.02


def test_no_look_ahead() -> None:
    sc = scenario()
    late = obs("late", known_at=AT + timedelta(seconds=1))
    future_dated = obs("future", day=AT.date() + timedelta(days=1), known_at=AT - timedelta(hours=1))
    now = obs("now", known_at=AT)
    a = assess(sc, [late, future_dated, now], AT)
    assert [s.event_ids for s in a.signals] == [("now",)]
    assert assess(sc, [late], AT).probability == pytest.approx(0.02)


def test_assess_is_deterministic_and_needs_an_aware_time() -> None:
    found = [obs(f"e{i}", source=f"s{i % 3}", day=AT.date() - timedelta(days=i % 4)) for i in range(12)]
    first, second = assess(scenario(), found, AT), assess(scenario(), list(reversed(found)), AT)
    assert first == second
    with pytest.raises(InvalidArgument):
        assess(scenario(), found, AT.replace(tzinfo=None))


def test_detectors_read_no_clock() -> None:
    folder = Path(__file__).resolve().parents[2] / "src" / "forewarn" / "detect"
    clock = re.compile(r"\b(?:datetime\.now|datetime\.utcnow|date\.today|time\.time|time\.monotonic)\(")
    for path in sorted(folder.glob("*.py")):
        assert not clock.search(path.read_text(encoding="utf-8")), path.name


def test_a_surge_is_a_signal() -> None:
    sc = scenario(indicator("surge", kind=IndicatorKind.SURGE, types=("ASSAULT",), weight=2.0, half_life_days=2))
    members = [obs(f"a{i}", type="ASSAULT", mode=None, source=f"s{i}", reliability=Reliability.C,
                   day=date(2024, 8, 9)) for i in range(4)]
    surge = Surge("RUS", "Kursk Oblast", "ASSAULT", date(2024, 8, 9), 4, 0.3, 0.4, 0.0001, "negative-binomial",
                  tuple(o.event.id for o in members))
    elsewhere = Surge("UKR", "Sumy Oblast", "ASSAULT", date(2024, 8, 9), 4, 0.3, 0.4, 0.0001, "poisson", ("x",))
    other_type = Surge("RUS", "Kursk Oblast", "PROTEST", date(2024, 8, 9), 4, 0.3, 0.4, 0.0001, "poisson", ("y",))
    a = assess(sc, members, AT, [surge, elsewhere, other_type])
    [s] = a.signals
    assert s.kind is SignalKind.SURGE and s.observed_on == date(2024, 8, 9)
    assert s.strength == 1.0 and s.decay == pytest.approx(0.5 ** 0.5)
    assert s.contribution == pytest.approx(math.log(2) * 0.5 ** 0.5)
    assert s.source_ids == ("s0", "s1", "s2", "s3") and s.known_at == max(o.known_at for o in members)
    # the contribution does not depend on which observations come along (replay passes only matching ones)
    assert assess(sc, [], AT, [surge]).signals[0].contribution == s.contribution
    assert s.event_ids == surge.event_ids and "4 independent reports of ASSAULT in Kursk Oblast" in s.evidence
    # the surge in Sumy counts once the indicator looks beyond the region, or the region includes Sumy
    wide = scenario(indicator("surge", kind=IndicatorKind.SURGE, types=("ASSAULT",), in_region=False))
    assert len(assess(wide, members, AT, [surge, elsewhere, other_type]).signals) == 2
    by_point = scenario(sc.indicators[0], region=Region(point=(SUMY.lat, SUMY.lon), radius_km=5))
    sumy_members = [obs("x", type="ASSAULT", place=SUMY, day=date(2024, 8, 9))]
    assert len(assess(by_point, sumy_members, AT, [elsewhere]).signals) == 1


def test_explanation_walks_from_prior_to_probability() -> None:
    sc = scenario(indicator(types=("MOBILIZE",), saturation=1))
    a = assess(sc, [obs("e1", source="s1"), obs("e2", source="s2", reliability=Reliability.E)], AT)
    lines = explain_lines(a, sc)
    assert lines[0] == f"prior 0.020 → log-odds {LOGIT_PRIOR:+.3f}"
    assert lines[1].startswith(f"{a.signals[0].contribution:+.3f}  troops [event] 2024-08-08 (s1, B, 2 days old; "
                               "ln 3 × strength 0.85 × decay 0.71)")
    assert lines[2].startswith("+0.000  troops") and "beyond saturation (1)" in lines[2]
    assert lines[-1].startswith(f"= log-odds {a.log_odds:+.3f} → probability {a.probability:.3f}")
    shown = [float(line.split()[0]) for line in lines[1:-1]]
    assert LOGIT_PRIOR + sum(shown) == pytest.approx(a.log_odds, abs=1e-3)
    assert explain(a, sc) == "\n".join(lines)
