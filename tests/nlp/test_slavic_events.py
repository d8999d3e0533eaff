"""Events coded from Russian and Ukrainian text (forewarn.nlp.slavic.events), through the whole pipelines."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from spacy.language import Language
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


@pytest.mark.parametrize(("lang", "text", "mode"), [
    ("ru", "По трассе всю ночь движется военная техника.", "weapons"),
    ("ru", "Очевидцы пишут: по трассе на Белгород идут колонны бронетехники.", "weapons"),
    ("uk", "Через місто проїхала колона — танки на тягачах, бронемашини.", "weapons"),
    ("ru", "Обочина заставлена бронетехникой.", "weapons"),
    ("uk", "Біля школи стоїть техніка.", "weapons"),
    ("ru", "По мосту на Сумы идут понтонные машины.", "weapons"),
    ("ru", "Во дворах стоят грузовики с военными.", "troops"),
])
def test_a_motion_verb_with_forces_as_subject_is_a_sighting(slavic: Callable[..., Doc], lang: str, text: str,
                                                             mode: str) -> None:
    assert [(e.type, e.mode) for e in events(slavic, lang, text)] == [("MOBILIZE", mode)]


def test_a_verb_of_mobilisation_takes_the_mode_of_what_it_moves(slavic: Callable[..., Doc]) -> None:
    assert [e.mode for e in events(slavic, "ru", "К реке подтягивают понтонные машины.")] == ["weapons"]
    assert [e.mode for e in events(slavic, "ru", "Россия стягивает войска к границе.")] == ["troops"]


@pytest.mark.parametrize(("lang", "text"), [
    ("ru", "За сутки ни одного обстрела по посёлку."),
    ("uk", "За вихідні жодного обстрілу громади."),
    ("ru", "Никаких колонн у границы не видно."),
])
def test_a_quantifier_of_none_leaves_no_asserted_event(slavic: Callable[..., Doc], lang: str, text: str) -> None:
    assert all(e.flags.negated for e in events(slavic, lang, text))


@pytest.mark.parametrize(("lang", "text"), [
    ("ru", "У противника идёт ротация: одни части выводят, другие заходят на их место."),
    ("uk", "На сусідньому напрямку ротація: одні підрозділи виводять, інші заходять."),
])
def test_a_rotation_of_units_is_neither_an_attack_nor_a_withdrawal(slavic: Callable[..., Doc], lang: str,
                                                                   text: str) -> None:
    assert not types(slavic, lang, text) & {"ASSAULT", "RETREAT", "AGREE"}


def test_a_present_read_as_a_homonyms_future_is_no_announcement(slavic: Callable[..., Doc]) -> None:
    """ "отходит", "наносит" are present (a perfective homonym's future is another verb): no THREATEN or AGREE."""
    assert types(slavic, "ru", "Противник отходит с потерями.") == {"RETREAT"}
    assert types(slavic, "ru", "Авиация наносит удары по переправам.") == {"ASSAULT"}


def test_departing_transport_is_no_withdrawal(slavic: Callable[..., Doc]) -> None:
    assert types(slavic, "ru", "Автобусы отходят от вокзала каждый час.") == set()


def test_an_addressed_noun_is_no_actor(slavic: Callable[..., Doc]) -> None:
    found = events(slavic, "uk", "Колеги, просимо не поширювати чутки.")
    assert [e.type for e in found] == ["REQUEST"] and all(e.actor is None for e in found)


def test_a_sightings_actor_is_the_control_tables_holder(slavic: Callable[..., Doc]) -> None:
    """Armour seen in a town Ukraine holds is the Ukrainian military's, inferred as in English; a name the
    NER found in the phrase is no actor of a sighting."""
    (event,) = events(slavic, "ru", "Через Сумы идёт колонна военной техники.")
    assert event.actor is not None and event.actor.inferred and event.actor.entity.country == "UKR"
    (event,) = events(slavic, "uk", "Біля Білгорода стоять танки.")
    assert event.actor is not None and event.actor.inferred and event.actor.entity.country == "RUS"


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


def test_an_english_doc_gets_nothing_from_the_slavic_coder(nlp: Language) -> None:
    from forewarn.nlp.actors import ActorDictionary
    from forewarn.nlp.slavic.events import find_events
    doc = nlp("Russia shelled Kharkiv.")
    assert find_events(doc, [], [], [], date(2024, 8, 6), ActorDictionary.load()) == []
