"""Russian and Ukrainian time expressions, through the whole pipelines (published Tuesday 6 August 2024)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from spacy.tokens import Doc

from forewarn.model.extraction import TimePrecision

DAY, WEEK, MONTH, YEAR = TimePrecision.DAY, TimePrecision.WEEK, TimePrecision.MONTH, TimePrecision.YEAR
PUB = date(2024, 8, 6)  # a Tuesday


def _dates(slavic: Callable[..., Doc], lang: str, text: str, published: date = PUB) -> list[tuple[str, date, str]]:
    return [(m.text, m.value, m.precision.value) for m in slavic(lang, text, published)._.fw_dates]


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("ru", "Атака началась 6-го августа 2024 г. на рассвете.", ("6-го августа 2024 г.", date(2024, 8, 6), DAY)),
    ("ru", "Документ датирован 06.08.2024.", ("06.08.2024", date(2024, 8, 6), DAY)),
    ("uk", "Наступ розпочався шостого серпня.", ("шостого серпня", date(2024, 8, 6), DAY)),
    ("ru", "Двадцать шестого июля в Курске прошли учения.", ("Двадцать шестого июля", date(2024, 7, 26), DAY)),
    ("uk", "У п'ятницю, 9 серпня, оголосили евакуацію.", ("п'ятницю, 9 серпня", date(2024, 8, 9), DAY)),
    ("ru", "28 декабря Белгород обстреляли.", ("28 декабря", date(2023, 12, 28), DAY)),  # the latest 28 December
    ("ru", "В июле 2024 года обстрелы участились.", ("июле 2024 года", date(2024, 7, 1), MONTH)),
    ("uk", "У 2022 році почалася війна.", ("2022 році", date(2022, 1, 1), YEAR)),
    ("ru", "6 авг. колонна пересекла границу.", ("6 авг", date(2024, 8, 6), DAY)),
    ("ru", "Спустя неделю после 24 февраля 2022 года всё изменилось.",
     ("Спустя неделю после 24 февраля 2022 года", date(2022, 3, 3), WEEK)),
])
def test_absolute_dates(slavic: Callable[..., Doc], lang: str, text: str,
                        expected: tuple[str, date, TimePrecision]) -> None:
    found = _dates(slavic, lang, text, date(2024, 1, 3) if "декабря" in text else PUB)
    assert (expected[0], expected[1], expected[2].value) in found


@pytest.mark.parametrize(("lang", "text", "value", "precision"), [
    ("ru", "Вчера ДРГ пыталась прорваться.", date(2024, 8, 5), DAY),
    ("uk", "Учора окупанти обстріляли Сумщину.", date(2024, 8, 5), DAY),
    ("ru", "Позавчера заметили колонну.", date(2024, 8, 4), DAY),
    ("uk", "Сьогодні вранці ворог атакував.", date(2024, 8, 6), DAY),
    ("ru", "В понедельник жители сообщили о технике.", date(2024, 8, 5), DAY),
    ("ru", "В четверг сообщили о перестрелке.", date(2024, 8, 1), DAY),  # the latest Thursday before
    ("uk", "Минулої п'ятниці голова провів нараду.", date(2024, 8, 2), DAY),
    ("ru", "В ночь на вторник дроны атаковали область.", date(2024, 8, 5), DAY),  # the night begins on Monday
    ("uk", "У ніч проти середи було тихо.", date(2024, 7, 30), DAY),
    ("ru", "В ночь с 5 на 6 августа противник начал наступление.", date(2024, 8, 5), DAY),
    ("ru", "Этой ночью над областью сбили дроны.", date(2024, 8, 5), DAY),
    ("uk", "Вночі ворог обстріляв громаду.", date(2024, 8, 5), DAY),
    ("ru", "Утром в Судже были слышны взрывы.", date(2024, 8, 6), DAY),
    ("ru", "На прошлой неделе пограничники усилили патрули.", date(2024, 7, 29), WEEK),
    ("uk", "Минулого тижня прикордонники посилили охорону.", date(2024, 7, 29), WEEK),
    ("ru", "Три дня назад военные перебросили силы.", date(2024, 8, 3), DAY),
    ("uk", "Три дні тому військові перекинули резерви.", date(2024, 8, 3), DAY),
    ("uk", "Кілька днів тому місцеві бачили гелікоптери.", date(2024, 8, 3), WEEK),
    ("ru", "В начале августа блогеры писали о переброске.", date(2024, 8, 1), MONTH),
    ("uk", "Наприкінці липня розвідка фіксувала перекидання.", date(2024, 7, 1), MONTH),
    ("uk", "Торік окупанти обстрілювали Суми.", date(2023, 1, 1), YEAR),
])
def test_relative_dates(slavic: Callable[..., Doc], lang: str, text: str, value: date,
                        precision: TimePrecision) -> None:
    assert [(v, p) for _, v, p in _dates(slavic, lang, text)] == [(value, precision.value)]


def test_anchored_expressions_count_from_the_date_in_the_sentence(slavic: Callable[..., Doc]) -> None:
    found = _dates(slavic, "ru", "Атака началась 8 августа, а через три дня противник занял село.", date(2024, 8, 12))
    assert ("через три дня", date(2024, 8, 11), DAY.value) in found
    found = _dates(slavic, "uk", "Штурм почався 6 серпня, а напередодні розвідка помітила колону.")
    assert ("напередодні", date(2024, 8, 5), DAY.value) in found
    found = _dates(slavic, "uk", "5 серпня колона вийшла до кордону, а наступного дня почався штурм.")
    assert ("наступного дня", date(2024, 8, 6), DAY.value) in found


def test_a_part_of_the_day_next_to_a_date_is_that_date(slavic: Callable[..., Doc]) -> None:
    assert _dates(slavic, "ru", "Прорыв начался утром 5 августа.") == [("5 августа", date(2024, 8, 5), DAY.value)]
    assert _dates(slavic, "uk", "Вчора ввечері пролунали вибухи.") == [("Вчора ввечері", date(2024, 8, 5), DAY.value)]


def test_words_that_only_look_like_dates_are_not_dates(slavic: Callable[..., Doc]) -> None:
    text = "Окружающая среда страдает. Каждый вторник проходят учения. В течение трёх дней шли бои. Тому є причина."
    assert _dates(slavic, "ru", text) == []
    assert _dates(slavic, "uk", "Тому ворог відступив, а середа довкілля постраждала.") == []


def test_offsets_point_at_the_original_words(slavic: Callable[..., Doc]) -> None:
    text = "Заявление: в ночь на 7 августа ВСУ атаковали."
    doc = slavic("ru", text, date(2024, 8, 10))
    (mention,) = doc._.fw_dates
    assert text[mention.start:mention.end] == mention.text == "в ночь на 7 августа"
    assert mention.value == date(2024, 8, 6)
