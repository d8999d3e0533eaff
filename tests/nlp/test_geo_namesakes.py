"""Geoparsing in a workspace that watches Ukraine and its neighbours: villages against far namesakes,
Russian-style spellings of Ukrainian names, common words and names of other things, a country as a
destination, and names that open a sentence or a longer name (uses the real spaCy model)."""

from __future__ import annotations

import pytest
from spacy.language import Language

from forewarn.geo.gazetteer import (
    VILLAGE_POPULATION,
    Gazetteer,
    Match,
    base_score,
    normalize,
    same_name,
    translit_key,
)
from forewarn.model.extraction import Place, PlaceMention, PlacePrecision
from forewarn.nlp.geo import find_places

FOCUS = frozenset({"UKR", "RUS", "BLR", "MDA"})


@pytest.fixture(scope="module")
def detailed() -> Gazetteer:
    return Gazetteer.default(focus=sorted(FOCUS))


def places(nlp: Language, g: Gazetteer, text: str, focus: frozenset[str] = FOCUS) -> dict[str, PlaceMention]:
    return {m.text: m for m in find_places(nlp(text), g, focus)}


@pytest.mark.parametrize(
    ("russian", "ukrainian"),
    [("Troitskoye", "Troitske"), ("Opytnoe", "Opytne"), ("Malaya Rohan", "Mala Rohan"),
     ("Novaya Kakhovka", "Nova Kakhovka"), ("Chumakovo", "Chumakove"), ("Lutugino", "Lutuhyne"),
     ("Novomikhaylovka", "Novomykhailivka"), ("Novoselovka", "Novoselivka")],
)
def test_russian_and_ukrainian_forms_share_a_key(russian: str, ukrainian: str) -> None:
    assert translit_key(normalize(russian)) == translit_key(normalize(ukrainian))


def test_adjective_endings_fold_only_at_the_end_of_a_word() -> None:
    assert translit_key("novaia") == "nova" and translit_key("aiaks") == "aiaks"
    assert translit_key("kharkov") != translit_key("kherson")


def test_an_acute_accent_used_as_an_apostrophe_is_dropped() -> None:
    assert normalize("Tavrijs´ke") == normalize("Tavrijs'ke") == "tavrijske"


def test_spelling_variants_are_one_name_other_names_are_not() -> None:
    assert same_name("Siverskodonetsk", "Severodonetsk") and same_name("Zaporizhzhia", "Zaporozhye")
    assert not same_name("Perm", "Molotov") and not same_name("Casablanca", "White House")
    assert not same_name("Amman", "Man")  # short names are alike by chance


def test_a_village_without_population_ranks_as_a_village() -> None:
    def match(population: int, fuzzy: bool) -> Match:
        return Match(Place("x", 0.0, 0.0, "UKR", None, "x", PlacePrecision.TOWN), population, None, fuzzy)

    assert base_score(match(0, False)) == base_score(match(VILLAGE_POPULATION, False))
    assert base_score(match(0, False)) > base_score(match(2_000, True))  # a spelling variant's hamlet loses


def test_a_village_spelled_the_ukrainian_way_beats_a_far_variant(nlp: Language, detailed: Gazetteer) -> None:
    found = places(nlp, detailed, "Houses burned after heavy shelling of Novomykhailivka overnight.")
    assert found["Novomykhailivka"].place.country == "UKR"
    assert found["Novomykhailivka"].place.gazetteer_id.startswith("katottg:")


def test_a_russian_spelling_finds_the_ukrainian_village(nlp: Language, detailed: Gazetteer) -> None:
    found = places(nlp, detailed, "Residents of the village of Malaya Rohan returned to damaged homes.")
    assert found["Malaya Rohan"].place.name == "Mala Rohan"
    assert found["Malaya Rohan"].place.admin1 == "Kharkiv Oblast"


def test_a_town_after_a_comma_names_its_region(nlp: Language, detailed: Gazetteer) -> None:
    found = places(nlp, detailed, "Shelling damaged a school in Novoselivka, Donetsk.")
    assert found["Novoselivka"].place.admin1 == "Donetsk Oblast"


def test_a_nearby_town_helps_even_when_the_model_calls_it_a_person(nlp: Language, detailed: Gazetteer) -> None:
    found = places(nlp, detailed, "Burnt vehicles on a road in Ozera close to Hostomel.")
    assert found["Ozera"].place.admin1 == "Kiev Oblast"


@pytest.mark.parametrize(
    ("text", "kept"),
    [("Parcels were lost when a missile hit Nova Poshta in Odesa.", {"Odesa"}),
     ("Long queues formed outside 'Metro' in Kherson.", {"Kherson"}),
     ("A shell landed on Leningradskaya Street in Kherson.", {"Kherson"}),
     ("Pontoons were seen on the Dnipro river near Kherson.", {"Kherson"}),
     ("The photo on Row 18 shows the square in Kherson.", {"Kherson"}),
     ("Fighters of the Azov Regiment were seen in Kherson.", {"Kherson"}),
     ('Windows were blown out at Cafe "Lastivka" in Kherson.', {"Kherson"}),
     ("Water poured through the breach in the Nova Kakhovka dam.", {"Nova Kakhovka"})],
)
def test_names_of_other_things_are_not_places(nlp: Language, detailed: Gazetteer, text: str, kept: set[str]) -> None:
    assert set(places(nlp, detailed, text)) == kept


def test_a_country_as_a_destination_is_not_a_place(nlp: Language, detailed: Gazetteer) -> None:
    assert "Ukraine" not in places(nlp, detailed, "A long column of trucks was moving towards Ukraine.")
    assert "Ukraine" in places(nlp, detailed, "A long column of trucks was seen in Ukraine.")


def test_a_well_known_town_opening_a_sentence_or_a_longer_name(nlp: Language, detailed: Gazetteer) -> None:
    found = places(nlp, detailed, "Mykolaiv regional administration building was hit.")
    assert found["Mykolaiv"].place.admin1 == "Mykolaiv Oblast"
    assert "Mariupol" in places(nlp, detailed, "Mariupol Drama Theatre lies in ruins.")
    assert "Kharkiv" in places(nlp, detailed, "Fire broke out at the Kharkiv Tractor Plant after shelling.")
    assert "Denver" not in places(nlp, detailed, "Fans cheered as the Denver Nuggets won again.")
    assert places(nlp, detailed, "Man arrested after a fight outside a bar.") == {}
    # without the workspace's countries, only a very large town stands there on its own
    assert places(nlp, detailed, "Mariupol Drama Theatre lies in ruins.", frozenset()) == {}


def test_a_caption_names_its_place_after_a_comma(nlp: Language, detailed: Gazetteer) -> None:
    found = places(nlp, detailed, "Collapsed bridge over the river, Borodianka.")
    assert found["Borodianka"].place.admin1 == "Kiev Oblast"
    found = places(nlp, detailed, "Horenka, drone footage of burnt houses.")
    assert found["Horenka"].place.admin1 == "Kiev Oblast"
