"""Event coding on hand-built sentences (the real spaCy model, no other component needed)."""

from __future__ import annotations

from datetime import date
from functools import cache

import pytest
from spacy.language import Language

from forewarn.model.extraction import (
    DateMention,
    Entity,
    EntityKind,
    EntityMention,
    Event,
    Place,
    PlaceMention,
    PlacePrecision,
    Sector,
    TimePrecision,
)
from forewarn.nlp.actors import ActorDictionary
from forewarn.nlp.events import find_events
from forewarn.nlp.lexicon import Lexicon

PUBLISHED = date(2024, 8, 10)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def events(nlp: Language, lexicon: Lexicon, text: str, mentions=(), places=(), dates=()) -> list[Event]:
    return find_events(nlp(text), lexicon, list(mentions), list(places), list(dates), PUBLISHED, actors())


@cache
def actors() -> ActorDictionary:
    return ActorDictionary.load()


def mention(text: str, whole: str, entity: Entity) -> EntityMention:
    start = whole.index(text)
    return EntityMention(entity, text, start, start + len(text), 0)


RUS_MIL = Entity("group:rus:military", "Russian military", EntityKind.GROUP, "RUS", Sector.MILITARY)
UKR = Entity("country:UKR", "Ukraine", EntityKind.COUNTRY, "UKR")


@pytest.mark.parametrize(("text", "kind"), [
    ("Russian troops shelled the village overnight.", "ASSAULT"),
    ("The two presidents held talks in Minsk.", "CONSULT"),
    ("Ukraine accused Russia of shelling civilians.", "ACCUSE"),
    ("Protesters demanded the release of the journalist.", "REQUEST"),
    ("Police arrested twelve activists in the capital.", "COERCE"),
    ("The army deployed two more brigades to the border.", "MOBILIZE"),
    ("The European Union imposed new sanctions on the bank.", "SANCTION"),
    ("Thousands of people rallied in the square.", "PROTEST"),
    ("The government rejected the proposal.", "REJECT"),
    ("The minister threatened to expel the ambassador.", "THREATEN"),
    ("Both sides agreed to a prisoner exchange.", "AGREE"),
    ("The rebels withdrew from the town.", "RETREAT"),
    ("Damage to an apartment block in the city centre.", "ASSAULT"),
])
def test_types(nlp, lexicon, text, kind):
    found = events(nlp, lexicon, text)
    assert [e.type for e in found][:1] == [kind], found


@pytest.mark.parametrize("text", [
    "The weather was warm and the harvest is expected to be good.",
    "I am grateful to our partners for their support.",
    "The report has 40 pages and three annexes.",
    "",
])
def test_no_event_sentences_yield_none(nlp, lexicon, text):
    assert events(nlp, lexicon, text) == []


def test_framing_verb_absorbs_the_event_it_frames(nlp, lexicon):
    found = events(nlp, lexicon, "Moscow threatened to cut off gas supplies.")
    assert [e.type for e in found] == ["THREATEN"]


def test_negated_attack_is_flagged(nlp, lexicon):
    (ev,) = events(nlp, lexicon, "The soldiers did not attack the convoy.")
    assert ev.type == "ASSAULT" and ev.flags.negated


def test_refused_cooperation_is_a_rejection(nlp, lexicon):
    (ev,) = events(nlp, lexicon, "The government refused to release the prisoners.")
    assert ev.type == "REJECT" and not ev.flags.negated


def test_announced_hostile_act_is_a_threat(nlp, lexicon):
    found = events(nlp, lexicon, "The farmers said they would blockade the capital.")
    assert [e.type for e in found] == ["THREATEN"] and found[0].flags.future


def test_reported_speech_is_flagged(nlp, lexicon):
    (ev,) = events(nlp, lexicon, "Officials said that drones attacked an oil depot.")
    assert ev.type == "ASSAULT" and ev.flags.reported


def test_actor_recipient_place_and_date(nlp, lexicon):
    text = "Russian troops shelled Ukraine near Kharkiv on Tuesday."
    kharkiv = Place("Kharkiv", 49.98, 36.25, "UKR", "Kharkiv Oblast", "geonames:706483", PlacePrecision.TOWN)
    at = text.index("Kharkiv")
    tuesday = text.index("Tuesday")
    (ev,) = events(nlp, lexicon, text,
                   mentions=[mention("Russian troops", text, RUS_MIL), mention("Ukraine", text, UKR)],
                   places=[PlaceMention(kharkiv, "Kharkiv", at, at + 7, 0)],
                   dates=[DateMention(date(2024, 8, 6), TimePrecision.DAY, "Tuesday", tuesday, tuesday + 7, 0)])
    assert ev.actor is not None and ev.actor.entity.id == RUS_MIL.id
    assert ev.recipient is not None and ev.recipient.entity.id == UKR.id
    assert ev.place is not None and ev.place.place.name == "Kharkiv"
    assert ev.date == date(2024, 8, 6) and not ev.date_from_publication
    assert "military" in ev.contexts
    assert text[ev.evidence.trigger_start:ev.evidence.trigger_end] == "shelled"


def test_without_date_expression_the_publication_date_stands_in(nlp, lexicon):
    (ev,) = events(nlp, lexicon, "Police arrested twelve activists.")
    assert ev.date == PUBLISHED and ev.date_from_publication


def test_place_of_the_action_not_of_the_actor(nlp, lexicon):
    text = "Moscow accused Kyiv of provocations."
    moscow = Place("Moscow", 55.75, 37.62, "RUS", "Moscow", "geonames:524901", PlacePrecision.TOWN)
    gov = Entity("dict:rus-government", "Russian government", EntityKind.ORG, "RUS", Sector.GOVERNMENT)
    (ev,) = events(nlp, lexicon, text, mentions=[mention("Moscow", text, gov)],
                   places=[PlaceMention(moscow, "Moscow", 0, 6, 0)])
    assert ev.type == "ACCUSE" and ev.place is None


def test_one_event_per_type_and_participants_in_a_sentence(nlp, lexicon):
    found = events(nlp, lexicon, "A missile strike hit the station and the blast damaged homes.")
    assert [e.type for e in found] == ["ASSAULT"]


def test_all_caps_and_noise_do_not_crash(nlp, lexicon):
    events(nlp, lexicon, "RUSSIAN TROOPS SHELLED THE VILLAGE!!! 🔥🔥🔥 #war @channel")
    assert events(nlp, lexicon, "12 34 56 | 78 90 12 | 34 56 78\n" * 20) == []

