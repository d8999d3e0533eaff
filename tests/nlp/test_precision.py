"""Words of conflict outside politics give no event: games, natural hazards, figures of speech,
releases of statements, markets, questions, opinion pieces and private meetings (sentences written
for these tests; each with a political counterpart that still gives its event)."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language
from tests.nlp.test_events import actors, mention

from forewarn.model.extraction import Entity, EntityKind, EntityMention
from forewarn.nlp.events import find_events
from forewarn.nlp.lexicon import Lexicon

PUBLISHED = date(2024, 8, 10)


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def types(nlp: Language, lexicon: Lexicon, text: str, mentions: tuple[EntityMention, ...] = ()) -> list[str]:
    return [e.type for e in find_events(nlp(text), lexicon, list(mentions), [], [], PUBLISHED, actors())]


def person(name: str, whole: str) -> EntityMention:
    return mention(name, whole, Entity(f"ner:person:{name.lower()}", name, EntityKind.PERSON))


@pytest.mark.parametrize("text", [
    "Arsenal beat Chelsea 2-1 in the league on Saturday.",
    "The striker strikes late as the club lifts the cup after a tense final.",
    "Dozens of homes were damaged by the tornado on Tuesday.",
    "Officials said dozens of homes had been damaged after the storm moved inland.",
    "The opposition launched an attack on the budget.",
    "The senator won the debt-ceiling battle in the House.",
    "The ministry released a statement on Monday.",
    "Stock markets rallied strongly on Friday.",
    "The judge asks if the law is fair.",
    "Opinion: the governor wins the budget battle",
])
def test_no_political_event(nlp: Language, lexicon: Lexicon, text: str) -> None:
    assert types(nlp, lexicon, text) == []


def test_meeting_of_private_people_is_no_consult(nlp: Language, lexicon: Lexicon) -> None:
    text = "The singer Tara Lind met the actor Joel Marsh at the premiere."
    assert types(nlp, lexicon, text, (person("Tara Lind", text), person("Joel Marsh", text))) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Dozens of homes were damaged by Russian shelling on Tuesday.", "ASSAULT"),
    ("Rebels launched an attack on the army base.", "ASSAULT"),
    ("Russia released ten prisoners on Monday.", "RETREAT"),
    ("Thousands rallied in the capital against the government.", "PROTEST"),
    ("Putin met Erdogan in Sochi.", "CONSULT"),
    ("Russian troops attacked the stadium in the city.", "ASSAULT"),
])
def test_political_counterpart_kept(nlp: Language, lexicon: Lexicon, text: str, expected: str) -> None:
    assert expected in types(nlp, lexicon, text)


@pytest.mark.parametrize("text", [
    "Texas bans the sale of lab-grown meat.",
    "The company sued its former supplier for breach of contract.",
    "Readers agree the ceasefire talks must go on | Letters",
    "Political discussion show to move to the capital",
    "A crash investigation is under way after the plane went down near the airport.",
    "A three-alarm fire broke out in a warehouse on Friday.",
    "A quarantine rule that blocked travellers from China ended in May.",
])
def test_civil_affairs_give_no_event(nlp: Language, lexicon: Lexicon, text: str) -> None:
    """Bans on products, lawsuits between firms, letters to the editor, talk shows, accident inquiries,
    house fires and rules that block people are no interactions between political actors."""
    assert types(nlp, lexicon, text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Authorities banned the protest in Minsk.", "COERCE"),
    ("Ukraine sued Russia at the International Court of Justice.", "ACCUSE"),
    ("Leaders agree the ceasefire talks must go on", "AGREE"),
    ("An investigation into the minister is under way.", "ACCUSE"),
    ("Russian forces opened fire on the village.", "ASSAULT"),
    ("Protesters blocked the road to parliament.", "PROTEST"),
])
def test_political_counterpart_of_civil_affairs_kept(nlp: Language, lexicon: Lexicon, text: str,
                                                     expected: str) -> None:
    assert expected in types(nlp, lexicon, text)


@pytest.mark.parametrize("text", [
    "Cleaning a fish tank takes an hour a week.",
    "A think tank report on defence spending came out today.",
    "A convoy of aid trucks reached the city on Monday.",
    "A column of smoke rose over the harbour.",
    "Old tanks stood on display at the museum.",
])
def test_civil_things_and_forces_off_duty_are_no_deployment(nlp: Language, lexicon: Lexicon, text: str) -> None:
    assert "MOBILIZE" not in types(nlp, lexicon, text)


@pytest.mark.parametrize("text", [
    "A Russian military convoy was seen near the border on Monday.",
    "A column of tanks near Belgorod.",
    "Residents filmed Russian tanks near the border.",
])
def test_forces_on_duty_are_still_a_deployment(nlp: Language, lexicon: Lexicon, text: str) -> None:
    assert "MOBILIZE" in types(nlp, lexicon, text)
