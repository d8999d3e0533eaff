"""Events coded from Russian and Ukrainian text (forewarn.nlp.slavic.events), through the whole pipelines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from spacy.tokens import Doc

from forewarn.model.extraction import Event
from forewarn.nlp.slavic.events import lexicon_for


def events(slavic: Callable[..., Doc], lang: str, text: str) -> list[Event]:
    return list(slavic(lang, text)._.fw_events)


def types(slavic: Callable[..., Doc], lang: str, text: str) -> set[str]:
    return {e.type for e in events(slavic, lang, text)}


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("ru", "Противник обстрелял Сумы из реактивных систем залпового огня.", "ASSAULT"),
    ("uk", "Ворог обстріляв Суми з реактивних систем залпового вогню.", "ASSAULT"),
    ("ru", "Ночью прилёт по Курску, попадание в склад.", "ASSAULT"),
    ("uk", "Авіація завдала ударів по Вовчанську.", "ASSAULT"),
    ("ru", "Россия стягивает войска к границе.", "MOBILIZE"),
    ("uk", "Росія стягує війська до кордону.", "MOBILIZE"),
    ("ru", "Власти ввели комендантский час в Курске.", "COERCE"),
    ("uk", "Сотні людей протестували в Одесі.", "PROTEST"),
    ("ru", "Лукашенко пригрозил закрыть границу с Литвой.", "THREATEN"),
    ("uk", "Міністр подав у відставку.", "RETREAT"),
    ("ru", "Глава МИД подал в отставку.", "RETREAT"),
])
def test_codes_the_type_in_both_languages(slavic: Callable[..., Doc], lang: str, text: str, expected: str) -> None:
    assert types(slavic, lang, text) == {expected}


@pytest.mark.parametrize(("lang", "text"), [
    ("ru", "Завтра в Белгороде ожидается дождь."),
    ("uk", "Ціни на хліб у Сумах зросли."),
    ("ru", "В музее выставлены танки времён войны."),
    ("ru", "Во втором тайме команда атаковала ворота соперника."),
    ("uk", "Обстановка на кордоні спокійна, руху техніки немає."),
    ("ru", "Подписывайтесь на наш канал."),
])
def test_a_sentence_with_no_event_yields_none(slavic: Callable[..., Doc], lang: str, text: str) -> None:
    assert events(slavic, lang, text) == []


def test_an_argument_of_a_framing_verb_is_absorbed(slavic: Callable[..., Doc]) -> None:
    """ "обвинила Киев в ударах" is one ACCUSE, not ACCUSE and ASSAULT; the same without a usable parse."""
    assert types(slavic, "ru", "Москва обвинила Киев в ударах по мирным жителям.") == {"ACCUSE"}
    assert types(slavic, "uk", "Кремль відмовився виводити війська.") == {"REJECT"}


@pytest.mark.parametrize(("lang", "text", "mode"), [
    ("ru", "Колонна техники у Суджи.", "weapons"),
    ("uk", "Колона техніки біля Суджі.", "weapons"),
    ("ru", "В лесу под Краснопольем замечена бронетехника.", "weapons"),
    ("ru", "Через Хотень идёт колонна грузовиков с военными.", "troops"),
])
def test_a_sighting_without_an_event_verb_is_mobilize(slavic: Callable[..., Doc], lang: str, text: str,
                                                      mode: str) -> None:
    found = events(slavic, lang, text)
    assert [(e.type, e.mode, e.confidence < 0.6) for e in found] == [("MOBILIZE", mode, True)]


def test_a_civil_convoy_is_no_sighting(slavic: Callable[..., Doc]) -> None:
    assert "MOBILIZE" not in types(slavic, "ru", "Гуманитарный конвой у Суджи.")


def test_negation_turns_a_refused_cooperation_into_reject(slavic: Callable[..., Doc]) -> None:
    found = events(slavic, "uk", "Україна не погодилася на умови перемир'я.")
    assert [e.type for e in found] == ["REJECT"]


def test_flags_from_the_parse(slavic: Callable[..., Doc]) -> None:
    negated = events(slavic, "ru", "Песков заявил, что Россия не планирует наступление на Харьков.")
    assert [(e.type, e.flags.negated, e.flags.future, e.flags.reported) for e in negated] == [
        ("ASSAULT", True, True, True)]
    possible = events(slavic, "uk", "Генштаб попередив, що Росія може атакувати Суми.")
    assert [(e.type, e.flags.hypothetical, e.flags.reported) for e in possible] == [("ASSAULT", True, True)]
    sourced = events(slavic, "uk", "За словами мешканців, у селі чути вибухи.")
    assert [e.flags.reported for e in sourced] == [True]


def test_an_announced_hostile_act_of_ones_own_is_a_threat(slavic: Callable[..., Doc]) -> None:
    found = events(slavic, "ru", "Армия нанесёт удар по мостам.")
    assert [(e.type, e.mode) for e in found] == [("THREATEN", "violence")]


def test_the_event_carries_its_evidence_and_publication_date(slavic: Callable[..., Doc]) -> None:
    text = "Вчера шла подготовка. Российская авиация бомбила Волчанск."
    doc = slavic("ru", text, published=date(2024, 8, 6))
    (event,) = [e for e in doc._.fw_events if e.type == "ASSAULT"]
    assert text[event.evidence.trigger_start:event.evidence.trigger_end] == "бомбила"
    assert text[event.evidence.start:event.evidence.end].startswith("Российская авиация")
    assert event.evidence.sentence == 1
    assert event.date_from_publication and event.date == date(2024, 8, 6)  # "Вчера" is in another sentence


def test_the_lexicons_load_in_the_english_format() -> None:
    for lang in ("ru", "uk"):
        lexicon = lexicon_for(lang)
        assert lexicon.verbs and lexicon.nouns and lexicon.light_verbs and lexicon.contexts["ASSAULT"]
    assert lexicon_for("ru").version != lexicon_for("uk").version


def test_an_english_doc_gets_nothing_from_the_slavic_coder(nlp) -> None:  # type: ignore[no-untyped-def]
    from forewarn.nlp.actors import ActorDictionary
    from forewarn.nlp.slavic.events import find_events
    doc = nlp("Russia shelled Kharkiv.")
    assert find_events(doc, [], [], [], date(2024, 8, 6), ActorDictionary.load()) == []
