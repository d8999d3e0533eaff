"""The Russian and Ukrainian pipelines: chosen by a document's language, with the English pipeline's
component contracts, and the analysis they start from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from forewarn.config import Settings
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.language import pipeline_language
from forewarn.nlp.pipeline import COMPONENTS, ExtractorConfig
from forewarn.nlp.slavic.analysis import tree_heads
from forewarn.nlp.slavic.events import lexicon_for

DAY = date(2024, 8, 6)


def test_a_document_goes_to_the_pipeline_of_its_language() -> None:
    assert pipeline_language(None, "Вчера в Курской области объявили режим КТО.") == "ru"
    assert pipeline_language(None, "Учора на Сумщині оголосили евакуацію.") == "uk"
    assert pipeline_language("uk-UA", "Тест") == "uk"
    assert pipeline_language("fr", "Les troupes se sont massées.") == "en"  # no French pipeline: English
    assert pipeline_language(None, "Troops massed near the border on Monday.") == "en"


def test_the_slavic_pipelines_have_the_english_components(ru_nlp: Language, uk_nlp: Language) -> None:
    for nlp in (ru_nlp, uk_nlp):
        assert [n for n in nlp.pipe_names if n in COMPONENTS] == list(COMPONENTS)
        assert not any(nlp.analyze_pipes(pretty=False)["problems"].values())


def test_the_analysis_keeps_the_text_and_gives_one_tree_per_sentence(slavic: Callable[..., Doc]) -> None:
    text = "  ДРГ пыталась прорваться в Курскую область.\n\nГубернатор заявил,  что обстрел продолжается.\n"
    doc = slavic("ru", text)
    assert doc.text == text
    sentences = [s.text.strip() for s in doc.sents]
    assert sentences == ["ДРГ пыталась прорваться в Курскую область.", "Губернатор заявил,  что обстрел продолжается."]
    assert all(sum(1 for t in s if t.dep_ == "ROOT") == 1 for s in doc.sents)
    assert {t.lemma_ for t in doc} >= {"пытаться", "курский", "губернатор", "заявить"}
    assert ("Курскую область", "LOC") in {(e.text, e.label_) for e in doc.ents}


def test_a_broken_parse_is_made_one_tree() -> None:
    assert tree_heads([1, 0, -1, 2]) == [2, 0, -1, 2]  # the cycle between 0 and 1 is cut: 0 hangs from the root
    assert tree_heads([-1, -1, 0]) == [-1, 0, 0]  # a second root hangs from the first


def test_an_extractor_reads_each_language_with_its_own_pipeline() -> None:
    extractor = Extractor(ExtractorConfig.from_settings(Settings()))
    items = [ExtractInput("ru", "Минобороны России сообщило об ударе.", DAY),
             ExtractInput("en", "Police arrested two men in Kyiv.", DAY),
             ExtractInput("uk", "Генштаб ЗСУ повідомив про обстріл.", DAY, language="uk")]
    results = list(extractor.extract(items))
    assert [r.document_id for r in results] == ["ru", "en", "uk"]
    assert set(extractor.pipelines) == {"en", "ru", "uk"}
    assert all(r.extractor == extractor.version for r in results if hasattr(r, "extractor"))


def test_the_extractor_version_names_the_russian_and_ukrainian_lexicons() -> None:
    version = Extractor(ExtractorConfig.from_settings(Settings())).version
    assert all(lexicon_for(lang).version in version for lang in ("ru", "uk"))
