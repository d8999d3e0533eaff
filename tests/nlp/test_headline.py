"""Headline and caption style (sentences written for these tests): title case parsed as ordinary case with the
text kept, line breaks that end sentences, a headline that restates its lead, the parser's and lemmatizer's
slips on headlines, verbless captions, and private affairs that are no political events."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language
from tests.nlp.test_events import actors, mention

from forewarn.config import Settings
from forewarn.model.extraction import Entity, EntityKind, Event, Extraction
from forewarn.nlp.events import find_events
from forewarn.nlp.extract import ExtractInput, Extractor, shared_extractor
from forewarn.nlp.headline import ORIGINAL_WORDS
from forewarn.nlp.lexicon import Lexicon
from forewarn.nlp.pipeline import make_doc

DAY = date(2022, 6, 1)


@pytest.fixture(scope="module")
def extractor() -> Extractor:
    return shared_extractor(Settings())


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.load()


def extracted(extractor: Extractor, text: str) -> list[Event]:
    (result,) = extractor.extract([ExtractInput("d", text, DAY)])
    assert isinstance(result, Extraction), result
    return list(result.events)


def parsed(extractor: Extractor, text: str):  # type: ignore[no-untyped-def]
    return extractor.nlp(make_doc(extractor.nlp, text, DAY))


def test_title_case_is_parsed_as_ordinary_case_and_keeps_its_words(extractor: Extractor) -> None:
    text = "Russian Forces Shell Kharkiv Suburbs Overnight"
    doc = parsed(extractor, text)
    assert doc.text == text and [t.text for t in doc] == text.split()
    assert ORIGINAL_WORDS not in doc.user_data
    shell = doc[2]
    assert (shell.pos_, shell.dep_, shell.lemma_) == ("VERB", "ROOT", "shell")
    assert [e.type for e in extracted(extractor, text)] == ["ASSAULT"]


def test_title_case_keeps_names_capitalised_for_the_parser(extractor: Extractor) -> None:
    text = "Biden Warns Putin Of Severe Sanctions Over Ukraine Invasion In Kharkiv"
    recased = extractor.nlp.get_pipe("forewarn_headline")(make_doc(extractor.nlp, text, DAY))
    assert recased.text == "Biden warns Putin of severe sanctions over Ukraine invasion in Kharkiv"
    assert recased.user_data[ORIGINAL_WORDS] == text.split()
    events = extracted(extractor, "Biden Warns Putin Of Severe Sanctions Over Ukraine Invasion")
    assert [(e.type, e.actor and e.actor.entity.country) for e in events] == [("THREATEN", "USA")]


def test_ordinary_case_is_left_to_the_parser(extractor: Extractor) -> None:
    doc = extractor.nlp.get_pipe("forewarn_headline")(make_doc(extractor.nlp, "Russia moves troops to the border", DAY))
    assert ORIGINAL_WORDS not in doc.user_data


def test_a_paragraph_break_ends_the_headline(extractor: Extractor) -> None:
    doc = parsed(extractor, "Protesters storm parliament in Baghdad\n\nHundreds of people stormed the building.")
    assert [s.text.strip() for s in doc.sents] == ["Protesters storm parliament in Baghdad",
                                                   "Hundreds of people stormed the building."]


def test_a_verb_read_as_a_noun_after_its_subject_is_a_verb(extractor: Extractor) -> None:
    doc = parsed(extractor, "Protesters Storm Parliament In Baghdad")
    assert doc[1].pos_ == "NOUN"  # the parser's slip, kept visible in the parse
    assert extracted(extractor, "Protesters Storm Parliament In Baghdad")


def test_a_headline_that_restates_its_lead_is_one_event(extractor: Extractor) -> None:
    text = "Police detain protesters in Minsk\n\nPolice detained dozens of protesters in Minsk on Sunday."
    assert [e.type for e in extracted(extractor, text)] == ["COERCE"]
    other = "Police detain dozens of protesters in Minsk\n\nLater, troops shelled a village in the east."
    assert sorted(e.type for e in extracted(extractor, other)) == ["ASSAULT", "COERCE"]


@pytest.mark.parametrize(("text", "kind"), [
    ("Suspected mass graves near the village", "ASSAULT"),  # "graves" lemmatised as "graf"
    ("Aftermath of shelling of a school in the town", "ASSAULT"),
    ("Smoke rises after an explosion in the city", "ASSAULT"),
    ("Bodies found in a forest near the town", "ASSAULT"),
    ("The talks focused on an exchange of prisoners.", "CONSULT"),
])
def test_verbless_reports(nlp: Language, lexicon: Lexicon, text: str, kind: str) -> None:
    assert kind in [e.type for e in find_events(nlp(text), lexicon, [], [], [], DAY, actors())]


@pytest.mark.parametrize(("text", "kind", "actor"), [
    ("China Launches Large-Scale Military Drills Around Taiwan", "MOBILIZE", "CHN"),
    ("Ukraine Says It Repelled Russian Attack Near Bakhmut", "ASSAULT", "RUS"),
    ("Hungary Blocks EU Aid Package For Ukraine", "REJECT", "HUN"),
])
def test_title_case_headlines(extractor: Extractor, text: str, kind: str, actor: str) -> None:
    assert [(e.type, e.actor and e.actor.entity.country) for e in extracted(extractor, text)] == [(kind, actor)]


@pytest.mark.parametrize("text", [
    "The reactor was shut down on Friday.",
    "Talk of a ban is shaking up the industry.",
    "Amid the battle of the giants, a new order struggles to take shape.",
    "The court strikes down the law on Friday.",
])
def test_no_event(nlp: Language, lexicon: Lexicon, text: str) -> None:
    assert find_events(nlp(text), lexicon, [], [], [], DAY, actors()) == []


def test_private_affairs_are_no_political_events(nlp: Language, lexicon: Lexicon) -> None:
    text = "Acme sued Globex for five million dollars."
    firms = [mention(name, text, Entity(f"ner:org:{name.lower()}", name, EntityKind.ORG))
             for name in ("Acme", "Globex")]
    assert find_events(nlp(text), lexicon, firms, [], [], DAY, actors()) == []
    state = "Acme sued Ukraine for five million dollars."
    named = [mention("Acme", state, Entity("ner:org:acme", "Acme", EntityKind.ORG)),
             mention("Ukraine", state, Entity("country:UKR", "Ukraine", EntityKind.COUNTRY, "UKR"))]
    assert [e.type for e in find_events(nlp(state), lexicon, named, [], [], DAY, actors())] == ["ACCUSE"]
