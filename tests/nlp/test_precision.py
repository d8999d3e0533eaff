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
