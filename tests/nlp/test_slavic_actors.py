"""Russian and Ukrainian actors: linked to the same canonical entities as their English names."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from forewarn.errors import ConfigError
from forewarn.nlp.actors import ActorDictionary, EntityLinker
from forewarn.nlp.slavic.actors import nominative


def _ids(slavic: Callable[..., Doc], lang: str, text: str) -> list[tuple[str, str]]:
    return [(m.text, m.entity.id) for m in slavic(lang, text)._.fw_entities]


def test_dictionary_names_match_in_any_case(slavic: Callable[..., Doc]) -> None:
    found = _ids(slavic, "ru", "ФСБ сообщила, что Марии Захаровой ответил Путин. Вооружёнными силами Украины "
                               "командует Сырский.")
    assert ("ФСБ", "dict:rus-fsb") in found
    assert ("Марии Захаровой", "dict:maria-zakharova") in found
    assert ("Путин", "dict:vladimir-putin") in found
    assert ("Вооружёнными силами Украины", "group:ukr:military") in found
    assert ("Сырский", "dict:oleksandr-syrskyi") in found
    found = _ids(slavic, "uk", "Зеленського підтримали в Офісі президента, а СБУ затримала агента ФСБ.")
    assert ("Зеленського", "dict:volodymyr-zelensky") in found
    assert ("Офісі президента", "dict:ukr-presidential-office") in found
    assert {("СБУ", "dict:ukr-sbu"), ("ФСБ", "dict:rus-fsb")} <= set(found)


def test_the_same_entity_as_its_english_name() -> None:
    dictionary = ActorDictionary.load()
    for english, cyrillic in (("FSB", "ФСБ"), ("Vladimir Putin", "Путин"), ("Armed Forces of Ukraine", "ЗСУ"),
                              ("ZSU", "ВСУ"), ("Kremlin", "Кремль"), ("Russia", "Россия"), ("Ukraine", "Україна")):
        assert dictionary.lookup(english) == dictionary.lookup(cyrillic), (english, cyrillic)


def test_national_phrases_take_the_country_that_qualifies_them(slavic: Callable[..., Doc]) -> None:
    found = _ids(slavic, "ru", "Минобороны России заявило об ударе. Генштаб ВСУ это опроверг.")
    assert ("Минобороны России", "dict:rus-mod") in found
    assert ("Генштаб ВСУ", "dict:ukr-general-staff") in found
    found = _ids(slavic, "uk", "Генштаб повідомив про атаку, а Міноборони Росії це заперечує.")
    assert ("Генштаб", "dict:ukr-general-staff") in found  # unqualified in Ukrainian: Ukraine's
    assert ("Міноборони Росії", "dict:rus-mod") in found
    assert ("Генштаб", "dict:rus-general-staff") in _ids(slavic, "ru", "Генштаб сообщил о потерях противника.")


def test_agents_make_national_groups(slavic: Callable[..., Doc]) -> None:
    found = _ids(slavic, "ru", "Российские военные отразили атаку ДРГ ВСУ, армия России продвинулась, а силовики "
                               "задержали боевиков ЧВК «Вагнер».")
    assert ("Российские военные", "group:rus:military") in found
    assert ("ДРГ ВСУ", "group:ukr:military") in found
    assert ("армия России", "group:rus:military") in found
    assert ("силовики", "group:police") in found
    assert ("боевиков ЧВК «Вагнер»", "dict:rus-wagner") in found
    found = _ids(slavic, "uk", "Українські військові збили дрон, окупанти обстріляли село, прикордонники ДПСУ "
                               "відбили атаку.")
    assert ("Українські військові", "group:ukr:military") in found
    assert ("окупанти", "group:rus:military") in found
    assert ("прикордонники ДПСУ", "dict:ukr-border-guard") in found


def test_a_sabotage_and_reconnaissance_group_is_military_in_every_language(
        nlp: Language, slavic: Callable[..., Doc]) -> None:
    english = EntityLinker(nlp.vocab, ActorDictionary.load())(
        nlp("A Ukrainian sabotage and reconnaissance group tried to cross the border."))
    assert [(m.text, m.entity.id) for m in english] == [
        ("Ukrainian sabotage and reconnaissance group", "group:ukr:military")]
    assert ("ДРГ ВСУ", "group:ukr:military") in _ids(slavic, "ru", "ДРГ ВСУ пыталась пересечь границу.")
    assert ("ДРГ", "group:military") in _ids(slavic, "uk", "ДРГ намагалася зайти в село.")


def test_metonyms_are_governments_but_not_after_a_preposition(slavic: Callable[..., Doc]) -> None:
    found = _ids(slavic, "ru", "В Москве прошли военные учения. Кремль ответил, а Москва пригрозила Вашингтону.")
    assert ("Кремль", "group:rus:government") in found
    assert ("Москва", "group:rus:government") in found
    assert ("Вашингтону", "group:usa:government") in found
    assert all(text != "Москве" for text, _ in found)
    assert all(text != "военные" for text, _ in found)  # "военные учения": an adjective


def test_unknown_people_are_named_in_the_nominative_and_are_one_entity(slavic: Callable[..., Doc]) -> None:
    doc = slavic("ru", "Иван Петров встретился с жителями. Позже Ивана Петрова поддержал губернатор, а Петров "
                       "поблагодарил его.")
    people = [m for m in doc._.fw_entities if m.entity.kind.value == "person"]
    assert [m.text for m in people] == ["Иван Петров", "Ивана Петрова", "Петров"]
    assert {m.entity.id for m in people} == {"ner:person:yvan-petrov"}
    assert people[0].entity.name == "Иван Петров"


def test_nominative_keeps_the_gender() -> None:
    assert nominative(["Алексея", "Смирнова"], "ru") == ("Алексей", "Смирнов")
    assert nominative(["Марии", "Захаровой"], "ru") == ("Мария", "Захарова")
    assert nominative(["Олексія", "Смирнова"], "uk") == ("Олексій", "Смирнов")
    assert nominative(["Министерства", "энергетики"], "ru", head_only=True) == ("Министерство", "энергетики")


def test_a_bad_cyrillic_section_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("cyrillic: [ФСБ]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cyrillic"):
        ActorDictionary.load([path])
    path.write_text("cyrillic:\n  entities:\n    - {id: rus-fsb, aliases: [Лубянка]}\n", encoding="utf-8")
    assert "Лубянка" in (ActorDictionary.load([path]).get("rus-fsb") or pytest.fail("no FSB")).aliases
