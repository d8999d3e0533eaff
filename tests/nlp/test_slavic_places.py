"""Russian and Ukrainian place mentions: inflected names to the English names' gazetteer ids, region phrases,
disambiguation, no places from people's names; the national romanisation; English geoparsing unchanged."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from spacy.tokens import Doc

from forewarn.geo import translit
from forewarn.geo.gazetteer import Gazetteer
from forewarn.nlp.slavic.places import find_places

Parse = Callable[..., Doc]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.default(focus=["UKR"])


def _ids(slavic: Parse, gazetteer: Gazetteer, lang: str, text: str, focus: frozenset[str] = frozenset()) -> dict[
        str, str]:
    doc = slavic(lang, text)
    return {m.text: m.place.gazetteer_id for m in find_places(doc, gazetteer, focus, lang)}


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("ru", "Колонна техники замечена в Судже Курской области.",
     {"Судже": "geonames:486816", "Курской области": "admin1:RU.41"}),
    ("uk", "У Києві та під Бахмутом чути вибухи, а на Сумщині тривога.",
     {"Києві": "geonames:703448", "Бахмутом": "geonames:713174", "Сумщині": "admin1:UA.21"}),
    ("ru", "Из Харькова выехали в Нью-Йорк через Польшу.",
     {"Харькова": "geonames:706483", "Нью-Йорк": "geonames:5128581", "Польшу": "country:POL"}),
    ("uk", "Бої тривають біля Кривого Рогу та у Великому Бурлуці.",
     {"Кривого Рогу": "geonames:703845", "Великому Бурлуці": "geonames:690193"}),
    ("uk", "Окупанти обстріляли Куп'янськ та Ізюм.", {"Куп'янськ": "geonames:703656", "Ізюм": "geonames:707292"}),
    ("uk", "З Харкова евакуювали людей до Львова і Чернігова.",
     {"Харкова": "geonames:706483", "Львова": "geonames:702550", "Чернігова": "geonames:710735"}),
])
def test_inflected_names_resolve_to_the_english_names_ids(slavic: Parse, gazetteer: Gazetteer, lang: str, text: str,
                                                        expected: dict[str, str]) -> None:
    assert _ids(slavic, gazetteer, lang, text) == expected


def test_villages_of_the_detailed_layer_resolve_by_their_ukrainian_names(slavic: Parse, gazetteer: Gazetteer) -> None:
    found = _ids(slavic, gazetteer, "uk", "Обстріл села Роботине Запорізької області.", frozenset({"UKR"}))
    assert found["Роботине"].startswith("katottg:")
    assert found["Запорізької області"] == "admin1:UA.26"


def test_a_named_region_picks_the_namesake_in_it(slavic: Parse, gazetteer: Gazetteer) -> None:
    """Pokrovsk (Donetsk Oblast) and Pokrovsk (Yakutia): the region named with it decides."""
    assert _ids(slavic, gazetteer, "ru", "В Покровске Донецкой области закрыли школы.")["Покровске"] \
        == "geonames:704422"
    assert _ids(slavic, gazetteer, "ru", "В Покровске в Якутии закрыли школы.")["Покровске"] == "geonames:2017824"


def test_people_are_not_places(slavic: Parse, gazetteer: Gazetteer) -> None:
    found = _ids(slavic, gazetteer, "ru", "Смирнов заявил, что у Смирнова и у Зеленского нет планов ехать к Путину.",
                 frozenset({"UKR", "RUS"}))
    assert found == {}


def test_a_country_as_an_actor_is_not_a_place(slavic: Parse, gazetteer: Gazetteer) -> None:
    found = _ids(slavic, gazetteer, "ru", "Россия нанесла удар по Покровску.")
    assert "Россия" not in found and found["Покровску"] == "geonames:704422"


@pytest.mark.parametrize(("native", "latin"), [
    ("Згурівка", "Zghurivka"), ("Ґорґани", "Gorgany"), ("Єнакієве", "Yenakiieve"), ("Їжаківка", "Yizhakivka"),
    ("Йосипівка", "Yosypivka"), ("Стрий", "Stryi"), ("Юрківці", "Yurkivtsi"), ("Костянтинівка", "Kostiantynivka"),
    ("Харків", "Kharkiv"), ("Щастя", "Shchastia"), ("Куп'янськ", "Kupiansk"), ("Львів", "Lviv"),
    ("Знам’янка", "Znamianka"), ("Яготин", "Yahotyn"), ("Київ", "Kyiv"),
])
def test_romanisation_follows_the_national_table(native: str, latin: str) -> None:
    assert translit.romanize(native) == latin


def test_ukrainian_towns_show_the_national_romanisation(gazetteer: Gazetteer) -> None:
    assert gazetteer.towns("Кривий Ріг")[0].place.name == "Kryvyi Rih"  # GeoNames: "Kryvyy Rih"
    assert gazetteer.towns("Суджа")[0].place.name == "Sudzha"  # a Russian town keeps GeoNames' English name


def test_cyrillic_names_of_countries_and_regions(gazetteer: Gazetteer) -> None:
    country = gazetteer.country_named("Україна")
    assert country is not None and country.place.gazetteer_id == "country:UKR"
    assert [m.place.gazetteer_id for m in gazetteer.regions("Курская область", qualified=True)] == ["admin1:RU.41"]


def test_english_names_are_looked_up_as_before(gazetteer: Gazetteer) -> None:
    assert gazetteer.towns("Kharkiv")[0].place.gazetteer_id == "geonames:706483"
    assert gazetteer.towns("Kryvyy Rih")[0].place.gazetteer_id == "geonames:703845"


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("ru", "Эвакуация объявлена в Суджанском районе.", {"Суджанском районе": "admin1:RU.41"}),
    ("ru", "Глушковский район снова под обстрелом.", {"Глушковский район": "admin1:RU.41"}),
    ("ru", "Противник активен на сумском направлении.", {"сумском направлении": "admin1:UA.21"}),
    ("ru", "Шебекинский городской округ обстреливают.", {"Шебекинский городской округ": "admin1:RU.09"}),
    ("uk", "Краснопільська громада знову під обстрілом.", {"Краснопільська громада": "admin1:UA.21"}),
    ("uk", "На куп'янському напрямку тривають бої.", {"куп'янському напрямку": "admin1:UA.07"}),
])
def test_areas_named_by_their_centre_resolve_to_its_region(slavic: Parse, gazetteer: Gazetteer, lang: str,
                                                           text: str, expected: dict[str, str]) -> None:
    assert _ids(slavic, gazetteer, lang, text) == expected


def test_area_precision_is_the_region(slavic: Parse, gazetteer: Gazetteer) -> None:
    doc = slavic("ru", "Беженцы из Суджанского района размещены в Курске.")
    places = {m.text: m.place for m in find_places(doc, gazetteer, frozenset(), "ru")}
    assert places["Суджанского района"].precision.value == "region"
    assert places["Суджанского района"].name == "Kursk Oblast"
    assert places["Курске"].gazetteer_id == "geonames:538560"


def test_a_city_district_is_only_the_city(slavic: Parse, gazetteer: Gazetteer) -> None:
    assert _ids(slavic, gazetteer, "ru", "В Киевском районе Харькова слышны взрывы.") == {
        "Харькова": "geonames:706483"}


def test_a_romanised_only_match_abroad_needs_a_large_town(slavic: Parse, gazetteer: Gazetteer) -> None:
    found = _ids(slavic, gazetteer, "ru", "Выборы в Пенсильвании решат многое, считают в США.")
    assert "Пенсильвании" not in found
