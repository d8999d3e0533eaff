"""Place mentions in parsed text, resolved against the gazetteer (uses the real spaCy model)."""

from __future__ import annotations

import time

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from forewarn.geo.distance import haversine_km
from forewarn.geo.gazetteer import Gazetteer
from forewarn.model.extraction import PlaceMention, PlacePrecision
from forewarn.nlp.geo import find_places, most_specific


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


def places(nlp: Language, gazetteer: Gazetteer, text: str) -> list[PlaceMention]:
    found = find_places(nlp(text), gazetteer)
    for m in found:
        assert text[m.start:m.end] == m.text
    return found


def by_text(mentions: list[PlaceMention]) -> dict[str, PlaceMention]:
    return {m.text: m for m in mentions}


def test_transliteration_variants(nlp: Language, gazetteer: Gazetteer) -> None:
    found = by_text(places(nlp, gazetteer, "Explosions were heard in Kharkov and Kiev overnight."))
    assert found["Kharkov"].place.name == "Kharkiv"
    assert found["Kiev"].place.name == "Kyiv"
    found = by_text(places(nlp, gazetteer, "Missiles hit Zaporozhye, and drones struck near Nikolaev."))
    assert found["Zaporozhye"].place.admin1 == "Zaporizhzhia Oblast"
    assert found["Nikolaev"].place.admin1 == "Mykolaiv Oblast"


@pytest.mark.parametrize(
    ("text", "mention"),
    [("Shelling was reported in Kharkiv Oblast on Monday.", "Kharkiv Oblast"),
     ("Shelling was reported in the Kharkiv region on Monday.", "Kharkiv region"),
     ("Kharkivska oblast was shelled again.", "Kharkivska oblast"),
     ("Shelling continued across Kharkiv oblast.", "Kharkiv oblast")],
)
def test_oblast_and_region_phrasing(nlp: Language, gazetteer: Gazetteer, text: str, mention: str) -> None:
    found = by_text(places(nlp, gazetteer, text))
    assert found[mention].place.precision is PlacePrecision.REGION
    assert found[mention].place.gazetteer_id == "admin1:UA.07"


def test_same_name_towns_told_apart_by_region(nlp: Language, gazetteer: Gazetteer) -> None:
    donetsk = by_text(places(nlp, gazetteer, "Russian forces shelled Avdiivka, Donetsk Oblast, on Tuesday."))
    chernihiv = by_text(places(nlp, gazetteer, "Russian forces shelled Avdiivka in the Chernihiv region."))
    assert donetsk["Avdiivka"].place.admin1 == "Donetsk Oblast"
    assert chernihiv["Avdiivka"].place.admin1 == "Chernihiv Oblast"
    assert donetsk["Avdiivka"].place.gazetteer_id != chernihiv["Avdiivka"].place.gazetteer_id


def test_same_name_towns_told_apart_by_country(nlp: Language, gazetteer: Gazetteer) -> None:
    texts = {"USA": "Protesters gathered in Odessa, Texas, on Sunday.",
             "UKR": "Protesters gathered in Odessa, Ukraine, on Sunday."}
    for country, text in texts.items():
        assert by_text(places(nlp, gazetteer, text))["Odessa"].place.country == country


def test_precision_levels(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "Fighting in Ukraine spread from Donetsk Oblast to the town of Izium."
    found = by_text(places(nlp, gazetteer, text))
    assert found["Ukraine"].place.precision is PlacePrecision.COUNTRY
    assert found["Ukraine"].place.country == "UKR"
    assert found["Donetsk Oblast"].place.precision is PlacePrecision.REGION
    assert found["Izium"].place.precision is PlacePrecision.TOWN
    best = most_specific(found.values())
    assert best is not None and best.text == "Izium"


def test_towns_the_model_misses(nlp: Language, gazetteer: Gazetteer) -> None:
    found = by_text(places(nlp, gazetteer, "Drone footage of an attack in Stavky, Donetsk region."))
    assert found["Stavky"].place.admin1 == "Donetsk Oblast"
    found = by_text(places(nlp, gazetteer, "Russian tanks were seen near Popasna and Lysychansk."))
    assert {"Popasna", "Lysychansk"} <= set(found)


def test_offsets_and_sentences(nlp: Language, gazetteer: Gazetteer) -> None:
    text = "The mayor spoke on Monday. Then a missile hit Odesa."
    found = places(nlp, gazetteer, text)
    assert [(m.text, m.sentence) for m in found] == [("Odesa", 1)]
    assert found[0].start == text.index("Odesa")


def test_text_without_places(nlp: Language, gazetteer: Gazetteer) -> None:
    assert places(nlp, gazetteer, "The committee met on Tuesday to discuss the budget with Mr Smith.") == []
    assert places(nlp, gazetteer, "President Zelensky spoke to Biden in May.") == []


def test_demonyms_are_not_places(nlp: Language, gazetteer: Gazetteer) -> None:
    assert places(nlp, gazetteer, "The Russian and Ukrainian delegations met to talk about peace.") == []
    found = places(nlp, gazetteer, "Russia's defence ministry said Ukrainians shelled Donetsk.")
    assert [m.text for m in found] == ["Donetsk"]


def test_names_of_other_things_are_not_places(nlp: Language, gazetteer: Gazetteer) -> None:
    assert places(nlp, gazetteer, "Mines were laid on Victory Avenue near the market.") == []
    found = places(nlp, gazetteer, "Ukrainian forces struck a ship near Snake Island.")
    assert all(m.place.precision is not PlacePrecision.TOWN for m in found)


def test_empty_doc(nlp: Language, gazetteer: Gazetteer) -> None:
    assert find_places(nlp(""), gazetteer) == []


def test_all_caps_text(nlp: Language, gazetteer: Gazetteer) -> None:
    found = places(nlp, gazetteer, "HEAVY SHELLING REPORTED IN KHARKIV ON MONDAY, THE GOVERNOR SAID")
    assert [m.place.name for m in found] == ["Kharkiv"]


def test_tokenizer_only_doc(nlp: Language, gazetteer: Gazetteer) -> None:
    found = find_places(nlp.make_doc("Shelling in Kharkiv Oblast."), gazetteer)
    assert [m.place.precision for m in found] == [PlacePrecision.REGION]
    assert found[0].sentence == 0


def test_a_megabyte_paragraph_stays_fast(nlp: Language, gazetteer: Gazetteer) -> None:
    unit = nlp("Russian forces shelled positions near Izium and in Kharkiv Oblast, while talks in Istanbul "
               "went on and the Ukrainian army held lines around Bakhmut, Donetsk Oblast, the governor said. ")
    doc = Doc.from_docs([unit] * (1_000_000 // len(unit.text) + 1))
    assert len(doc.text) >= 1_000_000
    started = time.perf_counter()
    found = find_places(doc, gazetteer)
    assert time.perf_counter() - started < 20
    assert len(found) >= 4 * (len(doc.text) // len(unit.text))


def test_a_nearby_town_picks_among_namesake_villages(nlp: Language) -> None:
    g = Gazetteer.default(focus=["UKR"])
    assert len(g.towns("Petrivka")) > 20
    for text, anchor in (("Artillery hit Petrivka, outside Kupiansk.", "Kupiansk"),
                         ("Shelling in Petrivka near Izium.", "Izium")):
        found = by_text(find_places(nlp(text), g, frozenset({"UKR"})))
        village, town = found["Petrivka"].place, found[anchor].place
        assert haversine_km(village.lat, village.lon, town.lat, town.lon) <= 50, text
