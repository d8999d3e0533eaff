"""Warnings, claims about others' intentions and nominal events through the whole pipeline (rules only)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from forewarn.config import Settings
from forewarn.model.extraction import Claim, Event, Extraction
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.pipeline import ExtractorConfig


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return Extractor(ExtractorConfig.from_settings(replace(Settings(), event_model="")))


def extract(extractor: Extractor, text: str) -> Extraction:
    result = next(iter(extractor.extract([ExtractInput("t", text, date(2022, 2, 1))])))
    assert isinstance(result, Extraction)
    return result


def only_claim(extraction: Extraction) -> Claim:
    assert len(extraction.claims) == 1, extraction.claims
    return extraction.claims[0]


def country(event: Event) -> str | None:
    return event.actor.entity.country if event.actor else None


def test_a_warning_about_another_is_not_the_warners_threat(extractor: Extractor) -> None:
    result = extract(extractor, "US warns Russia could invade Ukraine at any moment")
    assert not any(country(e) == "USA" for e in result.events)
    invasion = next(e for e in result.events if e.type == "ASSAULT")
    assert country(invasion) == "RUS" and invasion.flags.hypothetical and invasion.flags.reported
    claim = only_claim(result)
    assert claim.stance == "warn" and claim.speaker is not None and claim.speaker.entity.country == "USA"
    assert claim.claimed is not None and claim.claimed.type == "ASSAULT"
    assert claim.claimed.actor is not None and claim.claimed.actor.entity.country == "RUS"
    assert claim.claimed.modality == "possible"


def test_a_plan_reported_by_another_stays_the_act_and_is_hypothetical(extractor: Extractor) -> None:
    result = extract(extractor, "Intelligence says Russia plans to invade Ukraine in January")
    event = next(e for e in result.events if country(e) == "RUS")
    assert event.type == "ASSAULT" and event.flags.hypothetical
    claim = only_claim(result)
    assert claim.stance == "warn" and claim.claimed is not None and claim.claimed.modality == "planned"


def test_an_actors_own_announcement_stays_a_threat(extractor: Extractor) -> None:
    result = extract(extractor, "Russia said it would strike Kyiv.")
    assert [e.type for e in result.events] == ["THREATEN"]


@pytest.mark.parametrize("text", [
    "President Deby announced that he will extend the curfew in N'Djamena.",
    "The Sudanese government said it is ready to impose martial law in Darfur.",
])
def test_an_announcement_of_ones_own_act_without_a_subject_stays_a_threat(extractor: Extractor, text: str) -> None:
    """A restriction the speaker announces (its subject a pronoun above the trigger) is the speaker's threat."""
    event = extract(extractor, text).events[0]
    assert event.type == "THREATEN" and not event.flags.hypothetical


def test_a_feared_attack_is_no_attack(extractor: Extractor) -> None:
    result = extract(extractor, "Officials fear an attack on Kyiv")
    assert all(e.flags.hypothetical for e in result.events)
    claim = only_claim(result)
    assert claim.stance == "warn" and claim.claimed is not None and claim.claimed.modality == "feared"


def test_a_denial_of_ones_own_plans_is_an_assurance(extractor: Extractor) -> None:
    claim = only_claim(extract(extractor, "Russia assures the West it has no plans to invade Ukraine"))
    assert claim.stance == "assure"


@pytest.mark.parametrize(("text", "actor"), [
    ("Russian buildup near the border includes blood supplies", "group:rus:military"),
    ("Satellite images show a buildup of Russian forces", "group:rus:military"),
    ("Chinese drills around Taiwan enter second day", "group:chn:military"),
    ("Russian military equipment moving south", "group:rus:military"),
    ("A Russian convoy near Kharkiv", "group:rus:military"),
])
def test_nominal_events_carry_their_actor(extractor: Extractor, text: str, actor: str) -> None:
    event = next(e for e in extract(extractor, text).events if e.type == "MOBILIZE")
    assert event.actor is not None and event.actor.entity.id == actor and not event.actor.inferred


@pytest.mark.parametrize(("text", "kind"), [
    ("Finland warned that Russia could test the alliance's air defences.", "MOBILIZE"),
    ("Georgia warns Moscow is preparing an offensive in the north", "ASSAULT"),
    ("Estonia warned that Russia may try to destabilise the region.", "COERCE"),
])
def test_a_foreseen_act_in_general_terms_is_claimed_of_its_subject(extractor: Extractor, text: str,
                                                                  kind: str) -> None:
    claim = only_claim(extract(extractor, text))
    assert claim.claimed is not None and claim.claimed.type == kind
    assert claim.claimed.actor is not None and claim.claimed.actor.entity.country == "RUS"


@pytest.mark.parametrize("text", ["Tokyo: China could seize the islands within days",
                                  "Warsaw: Belarus massing troops near the border"])
def test_a_headline_colon_before_a_foreseen_act_attributes_it(extractor: Extractor, text: str) -> None:
    claim = only_claim(extract(extractor, text))
    assert claim.speaker is not None and claim.speaker.entity.country in ("JPN", "POL")
    assert claim.claimed is not None and claim.claimed.actor is not None
    assert claim.claimed.actor.entity.country in ("CHN", "BLR")


def test_a_headline_colon_before_a_plain_report_names_only_the_topic(extractor: Extractor) -> None:
    assert not extract(extractor, "Sudan: UN agencies suspend food deliveries to Darfur").claims


def test_a_warning_between_sides_sharing_a_word_is_still_about_another(extractor: Extractor) -> None:
    result = extract(extractor, "South Korea warned that North Korea could fire another missile soon.")
    assert not any(country(e) == "KOR" and e.type == "THREATEN" for e in result.events)


def claimed_country(claim: Claim) -> str | None:
    assert claim.claimed is not None, claim
    return claim.claimed.actor.entity.country if claim.claimed.actor else None


@pytest.mark.parametrize(("text", "stance", "actor"), [
    # a clause whose verb names a movement or pressure in general terms
    ("Lithuania warns Belarus may send migrants across the border", "warn", "BLR"),
    # a pronoun: the named side before it, or the speaker for what one says of oneself
    ("Poland is watching Belarus closely and warned it could provoke clashes.", "warn", "BLR"),
    ("Hungary said it would not send troops to Ukraine.", "assure", "HUN"),
    ("Kazakhstan promised that its forces would not enter Russia.", "assure", "KAZ"),
    # a nominal claimed event: the country adjective's military
    ("Helsinki warned of a Russian incursion into Finnish airspace.", "warn", "RUS"),
    # a denial of one's own act, a gerund without subject or "no intention"
    ("Minsk denies sending troops to the border", "deny", "BLR"),
    ("The Kremlin said Russia has no intention of invading Finland.", "assure", "RUS"),
    # a claim that another prepares a hostile act is an accusation
    ("Moscow claims Kyiv is planning a provocation", "accuse", "UKR"),
])
def test_the_claimed_actor_is_the_doer_of_what_was_said(extractor: Extractor, text: str, stance: str,
                                                         actor: str) -> None:
    claim = only_claim(extract(extractor, text))
    assert (claim.stance, claimed_country(claim)) == (stance, actor)


def test_a_denial_rules_the_act_out(extractor: Extractor) -> None:
    claim = only_claim(extract(extractor, "Minsk denies sending troops to the border"))
    assert claim.claimed is not None and (claim.claimed.type, claim.claimed.modality) == ("MOBILIZE", "denied")


def test_a_warning_claims_no_act_of_the_warner(extractor: Extractor) -> None:
    """"warned about X" names whom the warning is about; the warner's own verb is no claimed act."""
    claim = extract(extractor, "Latvia warned about Russia on Monday.").claims[0]
    assert claim.claimed is None or claimed_country(claim) != "LVA"


def test_a_quotation_after_a_colon_is_no_headline_attribution(extractor: Extractor) -> None:
    claim = only_claim(extract(extractor, "Peskov said: “We will not retreat.”"))
    assert claim.quoted
