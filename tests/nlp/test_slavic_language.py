"""Language detection and the declared-language rule: short and mixed Russian and Ukrainian texts, the
letters that tell Cyrillic languages apart, declared tags normalised or overruled by the script."""

from __future__ import annotations

import pytest

from forewarn.nlp.language import (
    SAMPLE_CHARS,
    contradicts,
    detect,
    document_language,
    pipeline_language,
    primary,
    script_of,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("Колонна техники прошла через Суджу ночью", "ru"),  # no ы э ё і ї є: py3langid between ru and uk
    ("Жители слышали взрывы", "ru"),
    ("Колона техніки пройшла через Суджу вночі", "uk"),
    ("Мешканці чули вибухи", "uk"),
    ("Знищено два танки і БМП", "uk"),
    ("Ещё один удар", "ru"),
    ("Как пишет Reuters, Владимир Зеленский прибыл в Вашингтон.", "ru"),  # Russian quoting Latin names
    ("Як пише «Би-би-си», обстановка под контролем — кажуть у штабі, але мешканці бачать інше.", "uk"),
    ("Армия заявила об отражении атаки", "ru"),  # a headline the plain classifier took for Bulgarian
    ("Пока тихо? Нет, опять ёлки горят", "ru"),
    ("Правителството обсъжда нови мерки по границата.", "bg"),  # ъ as a vowel: Bulgarian
    ("Жыхары вёскі паведамілі пра выбухі ўначы.", "be"),  # ў and no и: Belarusian
    ("Влада је објавила нове мере на граници.", "sr"),  # ј: Serbian or Macedonian, never ru/uk
    ("Sirens again.", "en"),  # short Latin text: only among widely written languages
    ("Troops gather near the border as talks stall", "en"),
    ("Die Regierung berät über neue Maßnahmen an der Grenze.", "de"),
])
def test_detect_short_and_mixed_texts(text: str, expected: str) -> None:
    assert detect(text) == expected


def test_detect_without_letters_is_none() -> None:
    assert detect("") is None and detect("12:45 — 06.08.2024 !!!") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Hello, world 2024", "latin"),  # ASCII: counted through the byte table
    ("Crème brûlée, déjà vu", "latin"),  # Latin beyond ASCII
    ("Hello мир, мир", "cyrillic"),  # 5 Latin letters, 6 Cyrillic
    ("ab — вг", "latin"),  # a tie: the script that appears first
    ("вг — ab", "cyrillic"),
    ("東京 and", "latin"),  # 2 CJK letters, 3 Latin
    ("東京都 an", "other"),
    ("12:45 — 06.08 !!! ___", None),  # digits, punctuation and "_" are not letters
])
def test_script_of_counts_letters(text: str, expected: str | None) -> None:
    assert script_of(text) == expected


def test_a_long_text_is_told_by_its_opening() -> None:
    ukrainian = "Мешканці чули вибухи біля мосту. " * 60
    assert len(ukrainian) > SAMPLE_CHARS and detect(ukrainian) == "uk"
    assert detect(ukrainian[:SAMPLE_CHARS] + "Жители слышали взрывы, ещё и ещё. " * 200) == "uk"  # read no further


@pytest.mark.parametrize(("tag", "expected"), [
    ("en-US", "en"), ("uk_UA", "uk"), ("UA", "uk"), ("rus", "ru"), ("RU", "ru"), ("und", None), ("", None),
    (None, None), ("x", None), ("русский", None),
])
def test_primary_normalises_declared_tags(tag: str | None, expected: str | None) -> None:
    assert primary(tag) == expected


def test_declared_language_is_kept_unless_the_script_contradicts_it() -> None:
    ukrainian = "Ворог стягує техніку до кордону, повідомляють місцеві мешканці."
    assert document_language("en", ukrainian) == "uk"  # a feed declaring English, an item in Ukrainian
    assert document_language("ru", ukrainian) == "uk"  # only Ukrainian letters: not Russian
    assert document_language("uk-UA", ukrainian) == "uk"
    assert document_language("ru", "Колонна техники прошла ночью") == "ru"  # nothing contradicts: kept
    assert document_language("uk", "Колонна техники прошла ночью") == "uk"  # letters say nothing: declared kept
    assert document_language("ru", "Troops gather near the border") == "en"  # Latin under a Cyrillic language
    assert document_language("de", "Troops gather near the border") == "de"  # Latin under Latin: declared kept
    assert document_language("sr", "Vlada je objavila nove mere.") == "sr"  # Serbian is written in both
    assert document_language(None, "Колона техніки пройшла") == "uk"
    assert document_language("en", "12:45") == "en" and document_language(None, "12:45") is None


def test_contradiction_rule() -> None:
    assert contradicts("en", "Взрывы в районе аэродрома")
    assert not contradicts("ru", "Взрывы в районе аэродрома")
    assert contradicts("uk", "Взрывы были слышны всю ночь")  # ы: Russian
    assert not contradicts("uk", "Обстрілы? «Взрывы были слышны» — кажуть мешканці")  # both: undecided, kept
    assert not contradicts("zh", "12:45")


def test_pipeline_language_is_en_ru_or_uk() -> None:
    assert pipeline_language(None, "Колона техніки пройшла через село") == "uk"
    assert pipeline_language("en", "Колонна техники прошла через село") == "ru"
    assert pipeline_language(None, "Правителството обсъжда нови мерки по границата.") == "en"  # no pipeline of its own
    assert pipeline_language("fr", "Les habitants ont entendu des explosions.") == "en"
