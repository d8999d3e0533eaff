"""Claim and mentions indicators: their keys in scenario files, claim matching, claim signals (independence,
grading, decay), keyword hygiene around the names of states, and how assess dispatches each kind."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from claim_helpers import RUS_MIL, UKR_MIL, claim, claimed, who
from detect_helpers import AT, indicator, obs, scenario

from forewarn.detect import mentions
from forewarn.detect.match import claim_matches, country_spans, indicator_matches, keywords_found
from forewarn.detect.scenarios import load_scenario
from forewarn.detect.score import RELIABILITY_WEIGHT, assess, claim_signals, decay, story_days
from forewarn.detect.types import Story
from forewarn.errors import ScenarioInvalid
from forewarn.model import Indicator, IndicatorKind, Region, Reliability, Signal, SignalKind
from forewarn.model.records import StoredParticipant
from forewarn.model.scenario import STANCES
from forewarn.review import replay

HEAD = """\
id: gatherings
name: Attack on a crowd
region:
  countries: [RUS]
horizon_days: 30
prior: 0.02
owner: duty-officer
indicators:
"""
CLAIM = """\
  - id: foreign-warning
    kind: claim
    speaker: {entities: [US Embassy in Moscow, "dict:uk-fco"], countries: [USA, GBR], sectors: [government]}
    stances: [warn, URGE]
    types: [ASSAULT]
    actor: {sectors: [rebel]}
    recipient: {countries: [RUS]}
    keywords: [gathering*, concert*]
    weight: 4
    half_life_days: 10
"""
MENTIONS = """\
  - id: swell
    kind: mentions
    query: [мятеж*, "armed  rebellion"]
    entities: [dict:some-group]
    baseline_days: 56
    max_p: 0.005
    highest_in_days: 30
    min_stories: 4
    weight: 2
    half_life_days: 3
"""


def load(*indicators: str) -> list[Indicator]:
    return list(load_scenario(HEAD + "".join(indicators), "f.yaml").indicators)


def test_claim_indicator_keys() -> None:
    [i] = load(CLAIM)
    assert i.kind is IndicatorKind.CLAIM
    assert i.speakers == ("US Embassy in Moscow", "dict:uk-fco")
    assert (i.speaker_countries, i.speaker_sectors) == (("USA", "GBR"), ("government",))
    assert i.stances == ("warn", "urge") and i.types == ("ASSAULT",)
    assert (i.actor_sectors, i.recipient_countries) == (("rebel",), ("RUS",))
    assert i.keywords == ("gathering*", "concert*") and i.in_region and (i.weight, i.half_life_days) == (4, 10)


def test_mentions_indicator_keys_and_defaults() -> None:
    [i] = load(MENTIONS)
    assert i.kind is IndicatorKind.MENTIONS and i.query == ("мятеж*", "armed rebellion")
    assert i.entities == ("dict:some-group",) and not i.in_region  # mentions look anywhere unless told
    assert (i.baseline_days, i.max_p, i.highest_in_days, i.min_stories) == (56, 0.005, 30, 4)
    [bare] = load("  - {id: bare, kind: mentions, query: coup, weight: 2, half_life_days: 3}\n")
    assert (bare.baseline_days, bare.max_p, bare.highest_in_days, bare.min_stories) == (28, 0.01, 0, 3)
    assert bare.query == ("coup",) and not bare.in_region
    [placed] = load("  - {id: p, kind: mentions, query: coup, in_region: true, weight: 2, half_life_days: 3}\n")
    assert placed.in_region


# (indicator text, replaced, replacement, field, words of the message)
BAD = [
    (CLAIM, "stances: [warn, URGE]", "stances: [warn, shout]", "indicators[0].stances[1]", "unknown stance 'shout'"),
    (CLAIM, "countries: [USA, GBR]", "countries: [USA, XYZ]", "indicators[0].speaker.countries[1]",
     "not a known ISO 3166 alpha-3"),
    (CLAIM, "sectors: [government]}", "sectors: [embassy]}", "indicators[0].speaker.sectors[0]",
     "unknown sector 'embassy'"),
    (CLAIM, "speaker: {entities", "speaker: {names", "indicators[0].speaker.names", "unknown key 'names'"),
    (CLAIM, "    weight: 4\n", "    weight: 4\n    modes: [firearms]\n", "indicators[0].modes",
     "does not apply to a claim indicator"),
    (CLAIM, "    weight: 4\n", "    weight: 4\n    min_confidence: 0.5\n", "indicators[0].min_confidence",
     "does not apply to a claim indicator"),
    (CLAIM, "    weight: 4\n", "    weight: 4\n    query: [x]\n", "indicators[0].query",
     "does not apply to a claim indicator"),
    (MENTIONS, "query: [мятеж*, \"armed  rebellion\"]", "query: []", "indicators[0].query", "the list is empty"),
    (MENTIONS, "    query: [мятеж*, \"armed  rebellion\"]\n", "", "indicators[0].query", "missing"),
    (MENTIONS, "query: [мятеж*, \"armed  rebellion\"]", "query: [\"*\"]", "indicators[0].query[0]",
     "has no letters or digits"),
    (MENTIONS, "baseline_days: 56", "baseline_days: 6", "indicators[0].baseline_days", "at least 7"),
    (MENTIONS, "baseline_days: 56", "baseline_days: 400", "indicators[0].baseline_days", "at most 365"),
    (MENTIONS, "max_p: 0.005", "max_p: 0.6", "indicators[0].max_p", "outside (0, 0.5]"),
    (MENTIONS, "max_p: 0.005", "max_p: 0", "indicators[0].max_p", "outside (0, 0.5]"),
    (MENTIONS, "highest_in_days: 30", "highest_in_days: 3", "indicators[0].highest_in_days",
     "neither 0 (off) nor at least 7"),
    (MENTIONS, "min_stories: 4", "min_stories: 0", "indicators[0].min_stories", "at least 1"),
    (MENTIONS, "    weight: 2\n", "    weight: 2\n    speaker: {countries: [USA]}\n", "indicators[0].speaker",
     "does not apply to a mentions indicator"),
    (MENTIONS, "    weight: 2\n", "    weight: 2\n    keywords: [coup]\n", "indicators[0].keywords",
     "does not apply to a mentions indicator"),
    (CLAIM.replace("kind: claim", "kind: events"), "stances: [warn, URGE]", "stances: [warn]",
     "indicators[0].speaker", "does not apply to a events indicator"),
]


@pytest.mark.parametrize(("block", "old", "new", "field", "words"), BAD, ids=[b[3] + ":" + b[4] for b in BAD])
def test_invalid_claim_and_mentions_keys(block: str, old: str, new: str, field: str, words: str) -> None:
    assert old in block
    text = HEAD + block.replace(old, new, 1)
    with pytest.raises(ScenarioInvalid) as info:
        load_scenario(text, "f.yaml")
    message = info.value.message
    line = re.match(r"f\.yaml:(\d+): ", message)
    assert line is not None and message[line.end():].startswith(f"{field}: "), message
    assert words in message, message
    needle = "- id:" if words == "missing" else field.rsplit(".", 1)[-1].split("[")[0]  # missing: the indicator's line
    assert needle in text.splitlines()[int(line.group(1)) - 1], message


def test_a_key_of_another_kind_names_the_kinds_that_take_it() -> None:
    with pytest.raises(ScenarioInvalid) as info:
        load(CLAIM.replace("    weight: 4\n", "    weight: 4\n    modes: [firearms]\n"))
    assert "modes is taken by events indicators" in info.value.hint
    with pytest.raises(ScenarioInvalid) as info:
        load(MENTIONS.replace("    weight: 2\n", "    weight: 2\n    stances: [warn]\n"))
    assert "stances is taken by claim indicators" in info.value.hint


def test_stances_are_those_the_claims_component_gives() -> None:
    from forewarn.nlp import claims as nlp_claims

    given = {s for s in nlp_claims.CUE_STANCE.values() if s} | {"accuse", "assure", "threat", "warn", "promise"}
    assert given == set(STANCES)


# -- matching ----------------------------------------------------------------------------------------

MOSCOW_REGION = Region(countries=("RUS",))


def claims(ind: dict[str, Any], region: Region = MOSCOW_REGION, **kwargs: Any) -> bool:
    i = indicator("warned", kind=IndicatorKind.CLAIM, **ind)
    return claim_matches(scenario(i, region=region), i, claim(**kwargs))


def test_speaker_by_entity_name_or_id_country_and_sector() -> None:
    assert claims({})
    assert claims({"speakers": ("us embassy in moscow",)}) and claims({"speakers": ("DICT:US-EMBASSY",)})
    assert not claims({"speakers": ("UK Foreign Office",)})
    assert claims({"speaker_countries": ("USA", "GBR"), "speaker_sectors": ("government",)})
    assert not claims({"speaker_countries": ("RUS",)}) and not claims({"speaker_sectors": ("intelligence",)})
    assert not claims({"speaker_countries": ("USA",)}, speaker=None)  # unattributed: no speaker to match
    assert claims({}, speaker=None)


def test_stance_and_the_claimed_event() -> None:
    assert claims({"stances": ("warn", "urge")}) and not claims({"stances": ("accuse",)})
    assert not claims({"stances": ("warn",)}, stance=None)
    assert claims({"types": ("ASSAULT",)}) and not claims({"types": ("MOBILIZE",)})
    rebels = who("RUS", "rebel", "some-group")
    assert claims({"actor_sectors": ("rebel",)}, about=claimed(actor=rebels))
    assert not claims({"actor_sectors": ("rebel",)}, about=claimed(actor=RUS_MIL))
    assert not claims({"actor_sectors": ("rebel",)})  # no claimed actor
    assert claims({"recipient_countries": ("RUS",)}, about=claimed(recipient=RUS_MIL))
    assert not claims({"recipient_countries": ("UKR",)}, about=claimed(recipient=RUS_MIL))
    assert claims({"keywords": ("gathering*",)}) and not claims({"keywords": ("stadium",)})


def test_a_claim_about_no_event() -> None:
    plain = claim(about=None)
    i = indicator("warned", kind=IndicatorKind.CLAIM)
    assert not claim_matches(scenario(i, region=MOSCOW_REGION), i, plain)  # in_region: nothing says where
    anywhere = indicator("warned", kind=IndicatorKind.CLAIM, in_region=False)
    assert claim_matches(scenario(anywhere), anywhere, plain)
    typed = indicator("warned", kind=IndicatorKind.CLAIM, in_region=False, types=("ASSAULT",))
    assert not claim_matches(scenario(typed), typed, plain)


def test_the_claimed_event_in_the_region_as_events_are() -> None:
    assert claims({}, region=Region(admin1=("RUS:Moscow",)))
    assert not claims({}, region=Region(countries=("UKR",)))
    assert claims({}, region=Region(point=(55.7, 37.6), radius_km=30))
    unplaced = claimed(country=None, admin1=None, lat=None, lon=None, actor=UKR_MIL, recipient=RUS_MIL)
    assert claims({}, about=unplaced)  # the recipient's country
    assert not claims({}, region=Region(countries=("UKR",)), about=unplaced)
    actor_only = claimed(country=None, admin1=None, lat=None, lon=None, actor=UKR_MIL)
    assert claims({}, region=Region(countries=("UKR",)), about=actor_only)
    assert not claims({}, region=Region(admin1=("RUS:Moscow",)), about=unplaced)  # no place: not in an admin1
    assert claims({"in_region": False}, region=Region(countries=("UKR",)))


def test_a_denied_event_matches_only_denials_and_assurances() -> None:
    denied = claimed(modality="denied", actor=RUS_MIL)
    assert not claims({}, about=denied, stance="deny")
    assert not claims({"stances": ("warn",)}, about=denied, stance="warn")
    assert claims({"stances": ("deny",)}, about=denied, stance="deny")
    assert claims({"stances": ("assure", "deny")}, about=denied, stance="assure")
    assert claims({"stances": ("deny",)}, stance="deny")  # a denial of another's claim, the event not denied


# -- keyword hygiene --------------------------------------------------------------------------------


@pytest.mark.parametrize(("keywords", "text", "found"), [
    (("people's republic*",), "Ministers flew to the People's Republic of China for trade talks.", False),
    (("people's republic*",), "Envoys of the People’s Republic of China arrived.", False),
    (("people's republic*",), "The separatist people's republic declared a mobilisation.", True),
    (("republic",), "Exercises were held in the Czech Republic.", False),
    (("republic",), "Exercises were held in the Czech Republic and in a breakaway republic.", True),
    (("united",), "The United States and the United Kingdom said so.", False),
    (("islamic",), "The Islamic Republic of Iran sent a note.", False),
    (("islamic",), "An Islamic group claimed the attack.", True),
    (("czech republic",), "Exercises were held in the Czech Republic.", True),
    (("leave ukraine",), "Citizens were told to leave Ukraine at once.", True),
    (("ukrain*",), "Citizens were told to leave Ukraine at once.", True),
    (("korea",), "North Korea fired a missile.", False),
    (("north korea",), "North Korea fired a missile.", True),
])
def test_keywords_never_match_inside_the_name_of_a_state(keywords: tuple[str, ...], text: str, found: bool) -> None:
    assert keywords_found(keywords, text) is found


def test_country_spans_take_the_longest_name() -> None:
    text = "Talks between the People's Republic of China and the Republic of Korea."
    assert [text[a:b] for a, b in country_spans(text)] == ["People's Republic of China", "Republic of Korea"]


def test_russian_and_ukrainian_country_names_in_any_case_are_spans() -> None:
    text = ("Делегация Китайской Народной Республики прибыла; мало кто знал о Мали. "
            "Посольство Сполучених Штатів Америки.")
    assert [text[a:b] for a, b in country_spans(text)] == ["Китайской Народной Республики", "Мали",
                                                            "Сполучених Штатів Америки"]
    assert not keywords_found(("народной республики",), text[:48])
    assert keywords_found(("народной республики",), "Власти самопровозглашённой народной республики заявили.")


@pytest.mark.parametrize(("keyword", "text"), [("сапер*", "Сапёры работают"), ("без зв'язку", "Досі без зв’язку."),
                                               ("ёлк*", "Ёлки и елки")])
def test_cyrillic_keywords_fold_apostrophes_and_yo(keyword: str, text: str) -> None:
    assert keywords_found((keyword,), text)


def test_event_keywords_follow_the_same_rule() -> None:
    i = indicator(keywords=("people's republic*",))
    assert not indicator_matches(scenario(i), i, obs(evidence="Troops trained with the People's Republic of China."))
    assert indicator_matches(scenario(i), i, obs(evidence="Troops trained in the self-proclaimed people's republic."))


# -- claim signals ----------------------------------------------------------------------------------

WARN = indicator("warned", kind=IndicatorKind.CLAIM, weight=4.0, half_life_days=10.0)


@pytest.mark.parametrize("grade", list(Reliability))
def test_a_claim_counts_with_the_grade_of_its_source(grade: Reliability) -> None:
    [s] = claim_signals(WARN, [claim(reliability=grade)], AT)
    d = decay((AT.date() - date(2024, 8, 8)).days, 10.0)
    assert s.kind is SignalKind.CLAIM and s.strength == RELIABILITY_WEIGHT[grade] and s.decay == d
    assert s.contribution == pytest.approx(math.log(4) * RELIABILITY_WEIGHT[grade] * d)
    assert s.reliability == grade.value and s.document_ids == ("doc-c1",) and s.event_ids == ()
    assert s.evidence.startswith("US Embassy in Moscow (warn): The US embassy warned")


def test_copies_and_one_source_on_one_day_count_once() -> None:
    found = claim_signals(WARN, [
        claim("a", source="wire", reliability=Reliability.C),
        claim("b", source="paper", cluster="a", reliability=Reliability.A),  # a copy of a: one report
        claim("c", source="wire", reliability=Reliability.C, start=200),  # wire again that day
        claim("d", source="wire", day=date(2024, 8, 9)),  # wire the next day: independent
        claim("e", source=None), claim("f", source=None),  # no source: each document its own
    ], AT)
    assert sorted(s.document_ids for s in found) == [("a", "b", "c"), ("d",), ("e",), ("f",)]
    copies = next(s for s in found if s.document_ids == ("a", "b", "c"))
    assert copies.strength == RELIABILITY_WEIGHT[Reliability.A] and copies.source_ids == ("paper", "wire")
    assert "3 claims in 3 document(s) from 2 source(s) count once" in copies.note


def test_claims_decay_from_the_day_said_and_expire() -> None:
    [fresh] = claim_signals(WARN, [claim(day=AT.date())], AT)
    assert fresh.decay == 1.0
    assert claim_signals(WARN, [claim(day=AT.date() - timedelta(days=60))], AT) == []


def test_an_unattributed_claim_names_its_words_or_no_one() -> None:
    [s] = claim_signals(WARN, [claim(speaker=None, stance=None)], AT)
    assert s.evidence.startswith("unnamed speaker: The US embassy")


# -- assess -----------------------------------------------------------------------------------------


def test_assess_counts_matching_claims_known_by_then_and_saturates() -> None:
    i = indicator("warned", kind=IndicatorKind.CLAIM, weight=4.0, half_life_days=10.0, saturation=2,
                  stances=("warn",))
    sc = scenario(i, region=MOSCOW_REGION)
    said = [claim(f"d{n}", source=f"s{n}") for n in range(3)]
    late = claim("late", source="x", known_at=AT + timedelta(hours=1))
    future = claim("future", source="y", day=AT.date() + timedelta(days=1), known_at=AT - timedelta(hours=1))
    denied = claim("deny", source="z", stance="deny", about=claimed(modality="denied"))
    a = assess(sc, [], AT, claims=[*said, late, future, denied])
    assert [s.counted for s in a.signals] == [True, True, False]
    assert {d for s in a.signals for d in s.document_ids} == {"d0", "d1", "d2"}
    expected = math.log(4) * 0.85 * decay(2, 10.0)
    assert a.log_odds == pytest.approx(math.log(0.02 / 0.98) + 2 * expected)
    assert assess(sc, [], AT).log_odds == pytest.approx(math.log(0.02 / 0.98))


def test_assess_hands_mentions_indicators_their_stories(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, list[str], datetime, object]] = []
    story = Story("doc-s", "wire", "doc-s", Reliability.B, AT - timedelta(hours=2), AT.date(), "Title", "text")
    late = Story("doc-late", "wire", "doc-late", Reliability.B, AT + timedelta(hours=2), AT.date(), "T", "text")

    def fake(scenario: object, indicator: Indicator, stories: list[Story], at: datetime,
             day_totals: object = None, matches: object = None, days: object = None) -> list[Signal]:
        seen.append((indicator.id, [s.document_id for s in stories], at, day_totals))
        return [Signal(indicator.id, SignalKind.MENTIONS, at.date(), at, ("wire",), "B", (), (f"doc-{n}",), 1.0,
                       1.0, math.log(indicator.weight), True, evidence="many stories") for n in range(3)]

    monkeypatch.setattr(mentions, "mention_signals", fake)
    swell = indicator("swell", kind=IndicatorKind.MENTIONS, weight=2.0, half_life_days=3.0, query=("x",),
                      saturation=2)
    troops = indicator(types=("MOBILIZE",))
    a = assess(scenario(troops, swell), [obs()], AT, stories=[story, late], day_totals={AT.date(): 5})
    assert seen == [("swell", ["doc-s"], AT, {AT.date(): 5})]
    mine = [s for s in a.signals if s.indicator_id == "swell"]
    assert [s.counted for s in mine] == [True, True, False]  # saturated as any indicator is
    assert a.log_odds == pytest.approx(math.log(0.02 / 0.98) + 2 * math.log(2) + sum(
        s.contribution for s in a.signals if s.indicator_id == "troops"))


def test_a_scenario_without_mentions_never_asks_for_them(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> list[Signal]:
        raise AssertionError("mention_signals called")

    monkeypatch.setattr(mentions, "mention_signals", refuse)
    assert assess(scenario(), [obs()], AT).counted
    assert story_days(scenario()) == 0


def test_story_days_cover_the_look_back_baseline_and_highest_in() -> None:
    swell = indicator("swell", kind=IndicatorKind.MENTIONS, half_life_days=3.0, query=("x",), baseline_days=28,
                      highest_in_days=30)
    assert story_days(scenario(indicator(half_life_days=4.0), swell)) == math.ceil(4 * math.log2(20)) + 58


# -- replay -----------------------------------------------------------------------------------------


def test_replay_counts_a_claim_only_from_when_it_was_known() -> None:
    i = indicator("warned", kind=IndicatorKind.CLAIM, weight=4.0, half_life_days=10.0)
    sc = scenario(i, region=MOSCOW_REGION)
    start = datetime(2024, 8, 7, tzinfo=UTC)
    said = claim(day=date(2024, 8, 8), known_at=datetime(2024, 8, 8, 9, tzinfo=UTC))
    heard_late = claim("late", source="other", day=date(2024, 8, 8), known_at=datetime(2024, 8, 10, 9, tzinfo=UTC))
    series = replay(sc, [], start, start + timedelta(days=4), "1d", claims=[said, heard_late])
    assert [r.signals for r in series.steps] == [0, 0, 1, 1, 2]
    for row in series.steps:
        expected = assess(sc, [], row.at, claims=[c for c in (said, heard_late) if c.known_at <= row.at])
        assert row.probability == pytest.approx(expected.probability)
    assert series.steps[-1].top_signal == "warned"


def test_a_country_named_as_speaker_is_its_government_speaking() -> None:
    latvia = StoredParticipant("country:LVA", "country:LVA", "Latvia", "Latvia", 0, 6, "LVA", None)
    assert claims({"speaker_sectors": ("government",)}, speaker=latvia)
    assert not claims({"speaker_sectors": ("intelligence",)}, speaker=latvia)
    unknown = StoredParticipant("ner:org:x", "ner:org:x", "Some Group", "Some Group", 0, 10, "LVA", None)
    assert not claims({"speaker_sectors": ("government",)}, speaker=unknown)  # a sectorless group is no government


def test_a_claim_about_no_placed_event_is_in_the_region_its_sentence_names() -> None:
    """"Latvia urges its citizens to leave Russia": no claimed event, but the sentence names a place."""
    def urged(about: Any, places: frozenset[str]) -> bool:
        i = indicator("urged", kind=IndicatorKind.CLAIM)
        return claim_matches(scenario(i, region=MOSCOW_REGION), i, replace(claim(about=about), places=places))

    assert urged(None, frozenset({"RUS"})) and urged(None, frozenset({"RUS", "RUS:Moscow"}))
    assert not urged(None, frozenset()) and not urged(None, frozenset({"LVA"}))
    assert urged(claimed(country=None, admin1=None, lat=None, lon=None), frozenset({"RUS"}))
    assert not urged(claimed(country="UKR", admin1="Kyiv City"), frozenset({"RUS"}))  # its event's place decides
