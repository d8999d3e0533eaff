"""Events in what people say: warnings about others, plans denied or reported by others, demands, and two
headline parser slips, through the whole pipeline (rules only; sentences written for these tests, each
with a counterpart that keeps its event)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from forewarn.config import Settings
from forewarn.model.extraction import Event, Extraction
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig

HOSTILE = frozenset({"ASSAULT", "COERCE", "MOBILIZE", "THREATEN", "SANCTION"})


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(ExtractorConfig.from_settings(replace(Settings(), event_model="")))


def events(extractor: Extractor, text: str) -> list[Event]:
    result = next(iter(extractor.extract([ExtractInput("t", text, date(2022, 2, 1))])))
    assert isinstance(result, Extraction)
    return list(result.events)


def country(event: Event, side: str = "actor") -> str | None:
    participant = event.actor if side == "actor" else event.recipient
    return participant.entity.country if participant else None


def asserted(event: Event) -> bool:
    return not event.flags.hypothetical and not event.flags.negated


@pytest.mark.parametrize(("text", "warner"), [
    ("Armenia warns Azerbaijan may attack in the south", "ARM"),  # the one warned parsed as the object
    ("Poland warns of a Belarusian attack on the border", "POL"),
    ("Estonia warned about Russia in a speech on Monday.", "EST"),
    ("Latvia watches Russia closely and warns it could attack within a year.", "LVA"),
])
def test_a_warning_about_another_makes_the_warner_no_aggressor(extractor: Extractor, text: str, warner: str) -> None:
    found = events(extractor, text)
    assert not any(e.type in HOSTILE and country(e) == warner and asserted(e) for e in found), found


def test_the_warned_of_act_keeps_its_own_actor(extractor: Extractor) -> None:
    [attack] = events(extractor, "Armenia warns Azerbaijan may attack in the south")
    assert attack.type == "ASSAULT" and country(attack) == "AZE" and attack.flags.hypothetical


def test_a_warning_of_a_state_of_things_is_no_threat(extractor: Extractor) -> None:
    assert events(extractor, "The mayor warned that rising rents pose a threat to the city.") == []


@pytest.mark.parametrize(("text", "recipient"), [
    ("China warned the United States of serious consequences.", "USA"),
    ("Iran warns of retaliation after the strike.", None),
])
def test_a_warning_of_consequences_stays_the_warners_threat(extractor: Extractor, text: str,
                                                           recipient: str | None) -> None:
    threat = events(extractor, text)[0]
    assert threat.type == "THREATEN" and asserted(threat) and country(threat, "recipient") == recipient


def test_warning_someone_against_an_act_asks_them_to_refrain(extractor: Extractor) -> None:
    [request] = events(extractor, "Egypt warned Ethiopia against a military strike on the dam.")
    assert request.type == "REQUEST" and country(request) == "EGY" and country(request, "recipient") == "ETH"


@pytest.mark.parametrize("text", [
    "Belarus says it has no plans to attack Lithuania.",
    "Minsk says it has no intention of invading Poland.",
])
def test_plans_denied_are_negated_acts_not_demands(extractor: Extractor, text: str) -> None:
    [act] = events(extractor, text)
    assert act.type == "ASSAULT" and act.flags.negated


def test_a_friendly_plan_reported_by_another_state_is_no_commitment(extractor: Extractor) -> None:
    [aid] = events(extractor, "The State Department said Iran is planning to supply ballistic missiles to Russia.")
    assert aid.type == "AID" and country(aid) == "IRN" and aid.flags.hypothetical
    [own] = events(extractor, "Iran said it will supply ballistic missiles to Russia.")
    assert own.type == "AGREE" and asserted(own)


def test_must_said_of_a_political_actor_is_a_demand(extractor: Extractor) -> None:
    [demand] = events(extractor, "NATO must give Ukraine a clear answer on membership.")
    assert demand.type == "REQUEST" and asserted(demand)
    assert not any(asserted(e) for e in events(extractor, "You must always wash your hands."))


def test_a_verb_parsed_as_a_modifier_in_a_headline_is_the_event(extractor: Extractor) -> None:
    [arrest] = events(extractor, "Police detain protesters in Tbilisi")
    assert arrest.type == "COERCE" and arrest.actor is not None and arrest.actor.entity.sector == "police"


@pytest.mark.parametrize("text", [
    "Heavy fighting between Russian troops and Ukrainian forces near Avdiivka",
    "Russian forces during a street battle in the old town",
])
def test_the_troops_of_a_battle_are_its_sides_not_a_deployment(extractor: Extractor, text: str) -> None:
    assert [e.type for e in events(extractor, text)] == ["ASSAULT"]


def test_troops_seen_amid_destruction_are_still_a_presence(extractor: Extractor) -> None:
    found = events(extractor, "Russian soldiers in Mariupol amid widescale destruction")
    assert "MOBILIZE" in [e.type for e in found]


def test_an_announced_resignation_is_no_commitment_to_another(extractor: Extractor) -> None:
    [resignation] = events(extractor, "The finance minister will step down in June.")
    assert resignation.type == "RETREAT" and resignation.mode == "resign"


def test_a_heading_and_its_description_naming_one_act_count_once(extractor: Extractor) -> None:
    """The heading names the minister by country, the description by a name of no known country."""
    text = ("Belgian minister resigns over visa scandal\n\n"
            "Jan Peeters stepped down on Monday after weeks of pressure over the visa scandal.")
    assert [e.type for e in events(extractor, text)] == ["RETREAT"]
