"""The Russian and Ukrainian analysis: sentences of Telegram-style posts, trees, lemmas (Ukrainian place
names through the gazetteer's towns) and names (slovnet's, mended by the dictionaries)."""

from __future__ import annotations

from collections.abc import Callable

import spacy
from spacy.tokens import Doc

from forewarn.nlp.slavic.analysis import RazdelTokenizer, lemma, sentence_spans
from forewarn.nlp.slavic.names import russian_spelling, word

Parse = Callable[..., Doc]


def sentences(text: str, lang: str = "ru") -> list[str]:
    doc = RazdelTokenizer(spacy.blank(lang).vocab)(text)
    return [doc[start:end].text.strip() for start, end in sentence_spans(doc)]


def names(doc: Doc) -> set[tuple[str, str]]:
    return {(e.text, e.label_) for e in doc.ents}


def test_a_place_abbreviation_does_not_end_a_sentence() -> None:
    assert sentences("Колонна у пгт. Коренево, т.е. в 10 км от границы. Жители уходят") == [
        "Колонна у пгт. Коренево, т.е. в 10 км от границы.", "Жители уходят"]
    assert sentences("Вибухи у м. Суми та смт. Хотінь. Місцевим радять укритися", "uk") == [
        "Вибухи у м. Суми та смт. Хотінь.", "Місцевим радять укритися"]
    assert sentences("Обстрел с. Горналь и д. Гуево, ул. Ленина разрушена") == [
        "Обстрел с. Горналь и д. Гуево, ул. Ленина разрушена"]


def test_telegram_posts_split_at_line_breaks_and_keep_emoji_tags_and_links() -> None:
    text = "⚡️Срочно: взрывы в Белгороде\nВСУ идут к Судже 🔥 #Курск https://t.me/x/1\n\nПодробности позже"
    assert sentences(text) == ["⚡️Срочно: взрывы в Белгороде", "ВСУ идут к Судже 🔥 #Курск https://t.me/x/1",
                               "Подробности позже"]


def test_every_sentence_has_one_tree_in_both_languages(slavic: Parse) -> None:
    for lang, text in (("ru", "Колонна техники замечена у г. Суджа. Жители сообщают о взрывах\nБез комментариев"),
                       ("uk", "Генштаб повідомив про обстріл смт. Хотінь. Окупанти стягують техніку")):
        doc = slavic(lang, text)
        assert len(list(doc.sents)) >= 2
        assert all(sum(1 for t in s if t.dep_ == "ROOT") == 1 for s in doc.sents)


def test_ukrainian_place_names_get_the_town_as_lemma(slavic: Parse) -> None:
    doc = slavic("uk", "Сьогодні у Києві та Львові пройшли мітинги.")
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["Києві"] == "київ" and lemmas["Львові"] == "львів"
    assert lemma("Харкова", "PROPN", "uk") == "харків"
    assert lemma("мітинги", "NOUN", "uk") == "мітинг"  # ordinary words keep their dictionary lemma


def test_russian_names_without_titles_and_with_aliases_apart(slavic: Parse) -> None:
    doc = slavic("ru", "Император Нарухито встретился с Владимиром Путиным в Москве. Рэпер Джей Зи (Jay Z) выступил.")
    found = names(doc)
    assert ("Нарухито", "PERSON") in found and ("Владимиром Путиным", "PERSON") in found
    assert ("Москве", "LOC") in found
    assert ("Джей Зи", "PERSON") in found and ("Jay Z", "PERSON") in found
    assert not any(text.startswith(("Император", "Рэпер")) for text, _ in found)


def test_russian_initials_belong_to_the_name(slavic: Parse) -> None:
    found = names(slavic("ru", "Президент Белоруссии А.Лукашенко заявил, что премьер Ли Пэн прав."))
    assert {("А.Лукашенко", "PERSON"), ("Ли Пэн", "PERSON")} <= found


def test_generic_abbreviations_are_not_organisations(slavic: Parse) -> None:
    assert not {e.text for e in slavic("ru", "Об этом сообщили СМИ со ссылкой на ФСБ.").ents} & {"СМИ"}


def test_ukrainian_sentence_openers_are_not_names(slavic: Parse) -> None:
    doc = slavic("uk", "Мабуть, вона повернеться. Потім прийшов тато. Коли стемніло, всі пішли.")
    assert names(doc) == set()


def test_ukrainian_names_are_typed_by_the_dictionaries(slavic: Parse) -> None:
    doc = slavic("uk", "Депутат Володимир Бондаренко приїхав до Харкова, а Олена Шевчук лишилася у Сумах.")
    found = names(doc)
    assert ("Володимир Бондаренко", "PERSON") in found and ("Олена Шевчук", "PERSON") in found
    assert ("Харкова", "LOC") in found and ("Сумах", "LOC") in found


def test_ukrainian_persons_joined_by_a_conjunction_are_two_names(slavic: Parse) -> None:
    doc = slavic("uk", "На зустріч прийшли Тарас Коваленко і Марія Ткаченко.")
    assert {("Тарас Коваленко", "PERSON"), ("Марія Ткаченко", "PERSON")} <= names(doc)


def test_what_the_dictionaries_say_of_a_word() -> None:
    assert word("Київ", "uk").city and word("Київ", "uk").place
    assert word("Тато", "uk").title and not word("Тато", "uk").person
    assert not word("Вона", "uk").edge  # a pronoun never begins a name
    assert word("Міністерство", "uk").organisation
    assert word("Суджи", "ru").place  # the Russian dictionary tags places (Geox)


def test_a_region_named_by_an_adjective_takes_its_head_word(slavic: Parse) -> None:
    assert ("Донецької області", "LOC") in names(slavic("uk", "Обстріл Донецької області тривав до ранку."))
    assert ("Курской области", "LOC") in names(slavic("ru", "Обстрел Курской области продолжался всю ночь."))


def test_ukrainian_is_spelled_the_russian_way_letter_for_letter() -> None:
    for text, spelled in (("Міністерство України", "Министерство Украины"), ("об'єкт і Київ", "объект и Киив"),
                          ("Ґрунт, Європа, Харків", "Грунт, Европа, Харкив"), ("'цитата'", "'цытата'")):
        assert russian_spelling(text) == spelled and len(spelled) == len(text)


def test_organisations_by_their_head_noun(slavic: Parse) -> None:
    found = names(slavic("uk", "Учора Міністерство закордонних справ України та Верховна Рада ухвалили рішення "
                               "минулого тижня. Засновником є ТОВ «Зелений Гай», а партія «Нова Хвиля» мовчить."))
    assert {("Міністерство закордонних справ України", "ORG"), ("Верховна Рада", "ORG"),
            ("ТОВ «Зелений Гай»", "ORG"), ("«Нова Хвиля»", "ORG")} <= found
    found = names(slavic("ru", "Вчера Следственный комитет и Счётная палата России начали проверку."))
    assert {("Следственный комитет", "ORG"), ("Счётная палата России", "ORG")} <= found


def test_a_head_noun_alone_at_a_sentence_start_is_no_name(slavic: Parse) -> None:
    assert names(slavic("uk", "Суд відклав засідання.")) == set()


def test_countries_and_dictionary_organisations_in_ukrainian(slavic: Parse) -> None:
    found = names(slavic("uk", "Україна отримала допомогу. Про затримання повідомила СБУ."))
    assert {("Україна", "LOC"), ("СБУ", "ORG")} <= found
