"""Inferred actors: the control table (who holds a place on a date) and the rule that gives a sighting with
nobody named the military of that state (the real spaCy parse; events built by hand, so only the rule is tested),
then once through the whole pipeline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from forewarn.config import Settings
from forewarn.errors import ConfigError
from forewarn.geo.control import ControlTable, region_key
from forewarn.model.extraction import (
    Entity,
    EntityKind,
    EntityMention,
    Event,
    Evidence,
    Extraction,
    Flags,
    Participant,
    Place,
    PlaceMention,
    PlacePrecision,
    Sector,
    TimePrecision,
)
from forewarn.nlp.actors import ActorDictionary
from forewarn.nlp.extract import ExtractInput, Extractor
from forewarn.nlp.inference import INFERRED_CONFIDENCE, ActorInference
from forewarn.nlp.pipeline import ExtractorConfig

MELITOPOL = Place("Melitopol", 46.8489, 35.3675, "UKR", "Zaporizhzhia Oblast", "geonames:702658", PlacePrecision.TOWN)
ZAPORIZHZHIA = Place("Zaporizhzhia", 47.8229, 35.1903, "UKR", "Zaporizhzhia Oblast", "geonames:687700",
                     PlacePrecision.TOWN)
REGION = Place("Zaporizhzhia Oblast", 47.5, 35.5, "UKR", "Zaporizhzhia Oblast", "admin1:UA.26",
               PlacePrecision.REGION)
KHERSON = Place("Kherson", 46.6354, 32.6169, "UKR", "Kherson Oblast", "geonames:706448", PlacePrecision.TOWN)
SIMFEROPOL = Place("Simferopol", 44.9521, 34.1024, "UKR", "Crimea", "geonames:693805", PlacePrecision.TOWN)
SUDZHA = Place("Sudzha", 51.1903, 35.2706, "RUS", "Kursk Oblast", "geonames:486816", PlacePrecision.TOWN)
GOMEL = Place("Homyel'", 52.4345, 30.9754, "BLR", "Gomel Region", "geonames:627907", PlacePrecision.TOWN)
KREMINNA = Place("Kreminna", 49.0481, 38.2155, "UKR", "Luhansk Oblast", "geonames:704422", PlacePrecision.TOWN)
KOZELETS = Place("Kozelets", 50.9137, 31.1156, "UKR", "Chernihiv Oblast", "geonames:705183", PlacePrecision.TOWN)
CHERNIHIV = Place("Chernihiv", 51.5055, 31.2849, "UKR", "Chernihiv Oblast", "geonames:710735", PlacePrecision.TOWN)
DAY = date(2022, 5, 1)


@cache
def table() -> ControlTable:
    return ControlTable.load()


@cache
def actors() -> ActorDictionary:
    return ActorDictionary.load()


# -- the control table -------------------------------------------------------------------------------

@pytest.mark.parametrize(("place", "on", "holder"), [
    (SIMFEROPOL, date(2013, 6, 1), "UKR"),  # before 2014
    (SIMFEROPOL, date(2014, 3, 1), "RUS"),
    (MELITOPOL, date(2022, 2, 20), "UKR"),  # before the invasion
    (MELITOPOL, DAY, "RUS"),
    (ZAPORIZHZHIA, DAY, "UKR"),  # the same region, outside the occupied part's box
    (REGION, DAY, "UKR"),  # a split region named as a whole stays its country's
    (KHERSON, date(2022, 6, 1), "RUS"),
    (KHERSON, date(2022, 11, 11), "UKR"),  # liberated: "until" is not included
    (KHERSON, date(2022, 11, 10), "RUS"),
    (SUDZHA, date(2024, 7, 1), "RUS"),
    (SUDZHA, date(2024, 9, 1), "UKR"),
    (GOMEL, DAY, "BLR"),  # outside every contested area: the place's country
    (KREMINNA, date(2022, 4, 10), "UKR"),  # the Donbas towns taken in spring 2022, each from its own day
    (KREMINNA, date(2022, 4, 20), "RUS"),
    (KOZELETS, date(2022, 3, 10), "RUS"),  # the north, held until the withdrawal at the start of April 2022
    (KOZELETS, date(2022, 4, 10), "UKR"),
    (CHERNIHIV, date(2022, 3, 10), "UKR"),  # besieged, never taken: outside the region's boxes
])
def test_holder_of_a_place_on_a_date(place: Place, on: date, holder: str) -> None:
    assert table().holder(place, on) == holder


def test_region_names_compare_without_case_punctuation_or_oblast() -> None:
    assert region_key("Luhans'ka Oblast") == region_key("luhanska")
    assert region_key("Sevastopol City") == region_key("Sevastopol") == "sevastopol"


def test_a_user_table_replaces_the_packaged_one(tmp_path: Path) -> None:
    path = tmp_path / "control.yaml"
    path.write_text("areas:\n  - {id: all-of-gomel, country: BLR, admin1: [Gomel Region], holder: RUS, "
                    "since: 2022-02-01, until: 2022-05-01}\n", encoding="utf-8")
    mine = ControlTable.load(path)
    assert (mine.holder(GOMEL, date(2022, 3, 1)), mine.holder(GOMEL, DAY)) == ("RUS", "BLR")
    assert mine.holder(MELITOPOL, DAY) == "UKR"  # the packaged areas are gone
    assert mine.version != table().version


@pytest.mark.parametrize("text", [
    "areas: {}\n",
    "areas:\n  - {id: x, country: Ukraine, holder: RUS, since: 2022-01-01}\n",
    "areas:\n  - {id: x, country: UKR, holder: RUS}\n",
    "areas:\n  - {id: x, country: UKR, holder: RUS, since: 2022-01-01, boxes: [[50, 30, 40, 31]]}\n",
    "areas:\n  - {id: x, country: UKR, holder: RUS, since: 2022-01-01, colour: red}\n",
    "areas: [\n",
])
def test_a_bad_table_is_refused_naming_the_file(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml"):
        ControlTable.load(path)


# -- the rule ----------------------------------------------------------------------------------------

def coded(nlp: Language, text: str, trigger: str, type_: str = "MOBILIZE", place: Place | None = None,
          mentions: tuple[EntityMention, ...] = (), actor: Participant | None = None, on: date = DAY) -> Event:
    """The one event of ``text`` (built by hand) after the rule ran over it."""
    doc = nlp(text)
    start = text.index(trigger)
    at = PlaceMention(place, place.name, 0, 0, 0) if place else None
    event = Event(type=type_, mode=None, contexts=(), actor=actor, recipient=None, place=at, date=on,
                  date_precision=TimePrecision.DAY, date_from_publication=True, flags=Flags(),
                  evidence=Evidence(0, 0, len(text), start, start + len(trigger)), confidence=0.7)
    [out] = ActorInference(actors(), table())(doc, [event], list(mentions), [at] if at else [])
    return out


def actor_of(event: Event) -> tuple[str, bool, str] | None:
    a = event.actor
    return None if a is None else (a.entity.id, a.inferred, a.text)


@pytest.mark.parametrize(("text", "trigger", "place", "expected"), [
    ("Column of tanks moving north near Melitopol", "Column", MELITOPOL,
     ("group:rus:military", True, "Column of tanks")),
    ("Armoured vehicles on rail flatcars near Zaporizhzhia", "vehicles", ZAPORIZHZHIA,
     ("group:ukr:military", True, "Armoured vehicles")),
    ("Military equipment parked in a field outside Gomel", "equipment", GOMEL,
     ("group:blr:military", True, "Military equipment")),
    ("Russian military equipment moving south near Gomel", "equipment", GOMEL,
     ("group:rus:military", True, "Russian military equipment")),  # the words name the country: not the holder's
    ("Russian convoy near Zaporizhzhia", "convoy", ZAPORIZHZHIA, ("group:rus:military", True, "Russian convoy")),
    ("Aid convoy near Zaporizhzhia", "convoy", ZAPORIZHZHIA, None),  # a convoy is military only with a country
    ("Crowds gathered in Melitopol", "gathered", MELITOPOL, None),  # no forces or equipment
    ("Column of tanks moving north", "Column", None, None),  # no place: no holder
])
def test_a_sighting_gets_the_military_it_implies(nlp: Language, text: str, trigger: str, place: Place | None,
                                                 expected: tuple[str, bool, str] | None) -> None:
    event = coded(nlp, text, trigger, place=place)
    assert actor_of(event) == expected
    assert event.confidence == (pytest.approx(0.7 * INFERRED_CONFIDENCE) if expected else 0.7)


def test_the_document_place_stands_in_for_the_event_place(nlp: Language) -> None:
    text = "Tanks moving north. Seen in Melitopol."
    doc = nlp(text)
    event = Event(type="MOBILIZE", mode=None, contexts=(), actor=None, recipient=None, place=None, date=DAY,
                  date_precision=TimePrecision.DAY, date_from_publication=True, flags=Flags(),
                  evidence=Evidence(0, 0, 19, 0, 5), confidence=0.7)
    where = PlaceMention(MELITOPOL, "Melitopol", 28, 37, 1)
    [out] = ActorInference(actors(), table())(doc, [event], [], [where])
    assert actor_of(out) == ("group:rus:military", True, "Tanks")


def test_only_a_posture_event_takes_the_holder_and_only_a_doer_an_adjective(nlp: Language) -> None:
    assert coded(nlp, "Artillery shelling Melitopol", "shelling", "ASSAULT", MELITOPOL).actor is None
    assert actor_of(coded(nlp, "Russian tanks firing at Ukrainian positions", "firing", "ASSAULT")) == (
        "group:rus:military", True, "Russian tanks")
    assert coded(nlp, "Russian tank destroyed near Melitopol", "destroyed", "ASSAULT", MELITOPOL).actor is None


def test_a_named_actor_is_never_replaced_or_inferred_over(nlp: Language) -> None:
    lpr = Entity("dict:ukr-lpr", "Luhansk People's Republic", EntityKind.GROUP, "UKR", Sector.REBEL)
    text = "LNR fighters moving near Melitopol"
    assert coded(nlp, text, "fighters", place=MELITOPOL, mentions=(EntityMention(lpr, "LNR fighters", 0, 12, 0),)
                 ).actor is None
    named = Participant(lpr, "LNR fighters", 0, 12)
    assert coded(nlp, text, "fighters", place=MELITOPOL, actor=named).actor == named


def test_through_the_pipeline_the_actor_is_inferred_and_the_version_names_the_table() -> None:
    extractor = Extractor(ExtractorConfig.from_settings(Settings()))
    texts = ["Column of tanks moving north near Melitopol", "Column of tanks moving north near Zaporizhzhia"]
    results = list(extractor.extract(ExtractInput(str(i), t, DAY) for i, t in enumerate(texts)))
    actors_found = []
    for x in results:
        assert isinstance(x, Extraction)
        actors_found.append([(e.actor.entity.country, e.actor.inferred) for e in x.events if e.actor])
    assert actors_found == [[("RUS", True)], [("UKR", True)]]
    assert f"ctl-{table().version}" in extractor.version


def test_forces_of_no_country_get_the_country_the_rule_gives(nlp: Language) -> None:
    troops = Participant(actors().group(None, Sector.MILITARY), "Troops", 0, 6)
    event = coded(nlp, "Troops digging trenches near Melitopol", "digging", place=MELITOPOL, actor=troops)
    assert actor_of(event) == ("group:rus:military", True, "Troops")


@pytest.mark.parametrize(("on", "expected"), [(DAY, "group:rus:military"), (date(2022, 1, 10), "group:ukr:military")])
def test_a_z_marking_names_the_russian_forces_from_february_2022(nlp: Language, on: date, expected: str) -> None:
    event = coded(nlp, "Military vehicles with Z markings near Zaporizhzhia", "vehicles", place=ZAPORIZHZHIA, on=on)
    assert actor_of(event) == (expected, True, "Military vehicles")


@pytest.mark.parametrize(("text", "trigger", "type_"), [
    ("Satellite images show a build-up of Russian troops near Zaporizhzhia", "build-up", "MOBILIZE"),
    ("Entrenching Russian positions near Zaporizhzhia", "Entrenching", "MOBILIZE"),
    ("Russian helicopters flying over Zaporizhzhia and firing at houses", "firing", "ASSAULT"),
])
def test_the_forces_a_posture_moves_or_a_conjoined_verb_shares_name_the_country(nlp: Language, text: str,
                                                                                trigger: str, type_: str) -> None:
    event = coded(nlp, text, trigger, type_, ZAPORIZHZHIA)
    assert event.actor is not None and event.actor.entity.id == "group:rus:military" and event.actor.inferred


@pytest.mark.parametrize(("text", "trigger", "type_"), [
    ("Tanks on display at the war museum in Melitopol", "Tanks", "MOBILIZE"),  # not deployed
    ("Wreckage of tanks in a field near Melitopol", "tanks", "MOBILIZE"),
    ("Fish tank for sale near Melitopol", "tank", "MOBILIZE"),  # a civil word
    ("A chief inspector of the Spanish border brigade met officials", "met", "CONSULT"),  # an inspector, no brigade
])
def test_no_actor_is_inferred_for_equipment_off_duty_or_words_that_are_no_forces(nlp: Language, text: str,
                                                                                 trigger: str, type_: str) -> None:
    assert coded(nlp, text, trigger, type_, MELITOPOL).actor is None


def test_equipment_the_ner_took_for_a_name_is_no_actor_of_its_own(nlp: Language) -> None:
    mlrs = Participant(Entity("ner:org:mlrs", "MLRS", EntityKind.ORG), "MLRS", 8, 12)
    event = coded(nlp, "Russian MLRS firing at Zaporizhzhia", "firing", "ASSAULT", ZAPORIZHZHIA, actor=mlrs)
    assert actor_of(event) == ("group:rus:military", True, "Russian MLRS")
    wagner = Participant(Entity("dict:rus-wagner", "Wagner Group", EntityKind.GROUP, "RUS", Sector.REBEL),
                         "Wagner", 0, 6)
    assert coded(nlp, "Wagner fighters firing at Zaporizhzhia", "firing", "ASSAULT", actor=wagner).actor == wagner


def test_an_exercise_takes_no_actor_from_its_host_but_keeps_the_one_its_words_name(nlp: Language) -> None:
    assert coded(nlp, "Tanks at an exercise near Zaporizhzhia", "Tanks", place=ZAPORIZHZHIA).actor is None
    event = coded(nlp, "Russian tanks at an exercise near Zaporizhzhia", "tanks", place=ZAPORIZHZHIA)
    assert actor_of(event) == ("group:rus:military", True, "Russian tanks")


# -- Russian and Ukrainian: UD parts of speech and relations, the Cyrillic words of forces ------------

@pytest.mark.parametrize(("lang", "text", "country"), [
    ("ru", "Через Сумы идёт колонна военной техники.", "UKR"),  # the holder of the place
    ("uk", "Біля Білгорода стоять танки.", "RUS"),
    ("ru", "Колонна техники у границы с Россией под Сумами.", "UKR"),  # a place phrase names no country
    ("ru", "Колонна военной техники с буквой Z под Сумами.", "RUS"),  # the marking
])
def test_a_russian_or_ukrainian_sighting_gets_the_actor_its_words_or_place_imply(
        slavic: Callable[..., Doc], lang: str, text: str, country: str) -> None:
    (event,) = slavic(lang, text)._.fw_events
    assert event.actor is not None and event.actor.inferred
    assert (event.actor.entity.country, event.actor.entity.sector) == (country, Sector.MILITARY)


def test_no_actor_is_inferred_in_russian_for_an_exercise_nor_a_civil_convoy(slavic: Callable[..., Doc]) -> None:
    exercise = slavic("ru", "На учениях под Сумами стоят танки.")._.fw_events
    assert [(e.type, e.actor) for e in exercise] == [("MOBILIZE", None)]
    assert not slavic("ru", "Через Сумы идёт колонна гуманитарных грузовиков.")._.fw_events
