"""Attributed claims in Russian and Ukrainian text (forewarn.nlp.slavic.claims), through the whole pipelines."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from forewarn.model.extraction import Claim


def claims(slavic: Callable[..., Doc], lang: str, text: str) -> list[tuple[Claim, str]]:
    return [(c, text[c.content_start:c.content_end]) for c in slavic(lang, text)._.fw_claims]


@pytest.mark.parametrize(("lang", "text", "cue", "speaker", "content"), [
    ("ru", "Песков заявил, что Россия не планирует наступление.", "заявить", "Песков",
     "Россия не планирует наступление"),
    ("uk", "Речник ЗСУ повідомив, що ворог накопичує техніку біля кордону.", "повідомити", "Речник ЗСУ",
     "ворог накопичує техніку біля кордону"),
    ("ru", "ВСУ стягивают технику к границе, сообщает военкор.", "сообщать", "военкор",
     "ВСУ стягивают технику к границе"),
    ("ru", "Как сообщает ТАСС, колонна техники прошла через Суджу.", "сообщать", "ТАСС",
     "колонна техники прошла через Суджу"),
    ("ru", "По данным разведки, противник сосредоточил две бригады.", "по данным", "разведки",
     "противник сосредоточил две бригады"),
    ("uk", "За словами мешканців, у селі чути вибухи.", "за словами", "мешканців", "у селі чути вибухи"),
])
def test_speaker_cue_and_content(slavic: Callable[..., Doc], lang: str, text: str, cue: str, speaker: str,
                                 content: str) -> None:
    [(claim, said)] = claims(slavic, lang, text)
    assert (claim.cue, claim.speaker_text, said, claim.quoted) == (cue, speaker, content, False)


def test_a_quotation_before_its_attribution(slavic: Callable[..., Doc]) -> None:
    [(claim, said)] = claims(slavic, "uk", "«Ми готові до переговорів», — сказав президент.")
    assert (claim.cue, claim.speaker_text, said, claim.quoted) == ("сказати", "президент", "«Ми готові до переговорів»",
                                                                    True)


@pytest.mark.parametrize(("lang", "text", "stance"), [
    ("ru", "Генштаб предупредил, что противник готовит наступление.", "warn"),
    ("uk", "Генштаб попередив, що Росія може атакувати Суми.", "warn"),
    ("ru", "Минобороны опровергло сообщения об ударе по больнице.", "deny"),
    ("uk", "Міністр спростував інформацію про відступ.", "deny"),
    ("ru", "В Кремле заявили, что эта информация не соответствует действительности.", "deny"),
    ("ru", "Зеленский обвинил Москву в ударах по энергетике.", "accuse"),
    ("uk", "Медведєв пригрозив Києву ударом.", "threat"),
    ("ru", "Губернатор призвал жителей покинуть приграничные сёла.", "urge"),
    ("uk", "Президент закликав союзників пришвидшити постачання ППО.", "urge"),
    ("ru", "Министр признал, что часть позиций потеряна.", "admit"),
])
def test_stances(slavic: Callable[..., Doc], lang: str, text: str, stance: str) -> None:
    assert [c.stance for c, _ in claims(slavic, lang, text)] == [stance]


def test_a_negated_cue_takes_no_stance(slavic: Callable[..., Doc]) -> None:
    [(claim, said)] = claims(slavic, "ru", "Шойгу не подтвердил переброску войск.")
    assert (claim.cue, claim.stance, said) == ("подтвердить", None, "переброску войск")


def test_the_claimed_event_is_linked(slavic: Callable[..., Doc]) -> None:
    [(claim, _)] = claims(slavic, "uk", "Генштаб попередив, що Росія може атакувати Суми.")
    assert claim.claimed is not None and (claim.claimed.type, claim.claimed.modality) == ("ASSAULT", "possible")


@pytest.mark.parametrize(("lang", "text"), [
    ("ru", "Завтра в Курске будет тепло."),
    ("uk", "Колона техніки біля Суджі."),
    ("ru", "Он долго говорил."),
])
def test_no_claim_without_attributed_content(slavic: Callable[..., Doc], lang: str, text: str) -> None:
    assert claims(slavic, lang, text) == []
