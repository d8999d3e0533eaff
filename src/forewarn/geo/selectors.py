"""Selectors: the things deconfliction matches (names, phone numbers, e-mails, handles, plates, hull numbers,
place cells), each normalised so that the same thing written two ways gets one key.

Pure: no I/O, no database, no clock. :func:`normalise` turns a kind and a written form into a :class:`Selector`
whose ``key`` is canonical; :meth:`Selector.keys` gives the keys it is matched by (a place cell also gives its
neighbours, in space and by one day); :func:`match` and :func:`matches` compare them.

Names are folded by rules, never by lists of items: case, diacritics, punctuation, "Surname, Given", Cyrillic
romanised (:func:`forewarn.geo.translit.romanize`) and then keyed like gazetteer names
(:func:`forewarn.geo.gazetteer.translit_key`), plus Ukrainian ikavism in a word's last syllable (Київ/Киев,
Харків/Харьков). Lives in ``geo`` rather than ``model`` because ``model`` may not import the romanisation.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import phonenumbers

from forewarn.errors import InvalidArgument
from forewarn.geo.gazetteer import normalize, translit_key
from forewarn.geo.translit import has_cyrillic, romanize

KINDS = ("person", "organisation", "unit", "phone", "email", "handle", "plate", "hull", "place_cell")
CELL_DEGREES = 0.1  # a place cell: 0.1° of latitude (about 11 km) by 0.1° of longitude


@dataclass(frozen=True, slots=True)
class Selector:
    """One selector: its kind, its canonical key, and the form it was written in (for its owner's eyes only)."""

    kind: str
    key: str
    shown: str

    def keys(self) -> frozenset[str]:
        """The keys it is matched by: its own, and for a place cell also the neighbouring cells and days."""
        if self.kind != "place_cell":
            return frozenset({f"{self.kind}:{self.key}"})
        i, j, day = (int(p) for p in self.key.split(":"))
        return frozenset(f"place_cell:{i + di}:{j + dj}:{day + dd}"
                         for di in (-1, 0, 1) for dj in (-1, 0, 1) for dd in (-1, 0, 1))

    @property
    def own_key(self) -> str:
        """The one key naming this selector (what is published to be matched against others' :meth:`keys`)."""
        return f"{self.kind}:{self.key}"


def match(a_keys: Iterable[str], b_keys: Iterable[str]) -> frozenset[str]:
    """The keys two sets share (empty: no match)."""
    return frozenset(a_keys) & frozenset(b_keys)


def matches(a: Selector, b: Selector) -> bool:
    """Are two selectors the same thing (a place cell: within one cell and one day of each other)?"""
    return a.own_key in b.keys()  # noqa: SIM118 (a Selector, not a dict)


def normalise(kind: str, text: str, *, region: str | None = None) -> Selector:
    """The selector ``text`` of ``kind`` names. ``region``: the default country (ISO alpha-2) for phone
    numbers written without a country code. Raises :class:`InvalidArgument` when it cannot be read."""
    if kind not in _NORMALISERS:
        raise InvalidArgument(f"unknown selector kind {kind!r}", hint="one of " + ", ".join(KINDS))
    shown = " ".join(text.split())
    if not shown:
        raise InvalidArgument(f"empty {kind} selector", hint="give the selector's text")
    key = _phone_key(shown, region) if kind == "phone" else _NORMALISERS[kind](shown)
    if not key:
        raise InvalidArgument(f"{kind} selector {shown!r} has nothing to match on",
                              hint="give letters or digits, not only punctuation")
    return Selector(kind, key, shown)


def place_cell(lat: float, lon: float, day: dt.date, cell_degrees: float = CELL_DEGREES) -> Selector:
    """The place cell (grid cell and day) a point at a date falls in."""
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidArgument(f"place {lat},{lon} is not a point", hint="latitude -90…90, longitude -180…180")
    i, j = math.floor(lat / cell_degrees), math.floor(lon / cell_degrees)
    return Selector("place_cell", f"{i}:{j}:{day.toordinal()}", f"{lat:.5f},{lon:.5f} {day.isoformat()}")


# -- names

_ORDINAL = re.compile(r"^(\d+)(?:[-‐]?[^\W\d_]{1,3})?$")  # 47, 47th, 47-я, 47-ма, 3-тя
# Legal forms of organisations: generic words of company law, dropped from the key.
_LEGAL_FORMS = frozenset({"ooo", "tov", "pao", "ao", "oao", "zao", "pat", "prat", "llc", "ltd", "jsc", "pjsc",
                          "ojsc", "cjsc", "inc", "gmbh", "plc", "co", "corp", "company", "limited", "fop", "ip",
                          "nko", "ano", "fgup", "gup", "dp", "kp"})
# Echelons of military units by the first letters of the word, in English, Russian and Ukrainian romanised.
# Echelons of military units by how a word's key begins (English, Russian and Ukrainian, romanised and keyed).
_ECHELONS = (("brigade", ("brih", "bde")), ("regiment", ("rehim", "reht", "polk")), ("division", ("div",)),
             ("battalion", ("batal", "bn")), ("corps", ("corps", "korp")), ("army", ("armi",)),
             ("company", ("compan", "rota")), ("squadron", ("skuadr", "eskadr")), ("flotilla", ("flotil",)),
             ("detachment", ("detaĉ", "otriad")))
_CYRILLIC_CAPS = re.compile(r"^[А-ЯЁІЇЄҐ]{2}[А-ЯЁІЇЄҐа-яёіїєґ]*$")
_ABBREVIATION_ENDS = {"П": "regiment", "Д": "division", "Б": "battalion", "А": "army", "К": "corps"}
_IKAVISM = re.compile(r"(?<![aeiou])(?:ie|[eio])(?=[^aeiou]$)")
# Digraphs kept apart from the single letters they would fold into (ж/з, ч/ц, ш/с, щ, х/г): one letter each.
_DIGRAPHS = (("shch", "ŝ"), ("zh", "ʒ"), ("ch", "ĉ"), ("sh", "ʃ"), ("kh", "ẋ"))
_DIACRITICS = str.maketrans({"ž": "zh", "Ž": "Zh", "č": "ch", "Č": "Ch", "š": "sh", "Š": "Sh"})


def _latin(text: str) -> str:
    """Romanised (when Cyrillic) and normalised: lower case, no accents, words of letters and digits."""
    return normalize((romanize(text) if has_cyrillic(text) else text).translate(_DIACRITICS))


def _word_key(word: str) -> str:
    for digraph, letter in _DIGRAPHS:
        word = word.replace(digraph, letter)
    key = translit_key(word)
    return _IKAVISM.sub("i", key) if len(key) >= 3 else key


def _name_words(text: str) -> list[str]:
    return [_word_key(w) for w in _latin(text).split()]


def _person_key(text: str) -> str:
    """Given names and surname in any order ("Surname, Given" included): the sorted word keys."""
    if text.count(",") == 1:
        surname, given = text.split(",")
        text = f"{given} {surname}"
    return " ".join(sorted(_name_words(text)))


def _organisation_key(text: str) -> str:
    """The name's word keys in order, legal forms ("ООО", "LLC", "ТОВ") left out."""
    words = [w for w in _latin(text).split() if w not in _LEGAL_FORMS]
    return " ".join(_word_key(w) for w in words)


def _echelon(word: str) -> str | None:
    return next((name for name, prefixes in _ECHELONS if word.startswith(prefixes)), None)


def _abbreviated_echelon(word: str) -> str | None:
    """A Cyrillic abbreviation names the echelon by its last letters: ОМБр, ОШБр → brigade, МСП → regiment,
    МСД → division, ОМСБ → battalion, ТА → army, АК → corps."""
    if not (2 <= len(word) <= 7 and _CYRILLIC_CAPS.match(word)):
        return None
    upper = word.upper()
    return "brigade" if "БР" in upper else _ABBREVIATION_ENDS.get(upper[-1])


def _unit_key(text: str) -> str:
    """"47th Mechanized Brigade", "47 ОМБр", "47-я бригада" → "47 brigade": the number and the echelon; a
    designation without both is keyed as an organisation name."""
    raw = [w for w in re.split(r"[\s,.;:()«»\"]+", text) if w]
    numbers = [m.group(1) for w in raw if (m := _ORDINAL.match(w))]
    echelons = [e for w in raw if (e := _abbreviated_echelon(w))]
    echelons += [e for w in _latin(text).split() if not w.isdigit() and (e := _echelon(_word_key(w)))]
    if len(numbers) == 1 and echelons:
        return f"{int(numbers[0])} {echelons[-1]}"
    return "name " + _organisation_key(text)


# -- numbers, addresses, handles

def _phone_key(text: str, region: str | None) -> str:
    """E.164: "8 (912) 345-67-89" (region RU), "+7 912 345 67 89", "0 67 123 45 67" (region UA)."""
    written = "+" + text.lstrip()[2:] if text.lstrip().startswith("00") else text
    try:
        number = phonenumbers.parse(written, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        raise InvalidArgument(f"phone number {text!r} cannot be read",
                              hint="write it with its country code (+380…) or give a default region") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidArgument(f"phone number {text!r} has the wrong length for its country",
                              hint="check the digits and the country code")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _email_key(text: str) -> str:
    address = text.strip().removeprefix("mailto:").strip("<>").strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address:
        raise InvalidArgument(f"e-mail address {text!r} cannot be read", hint="write it as name@domain.tld")
    return address


_TELEGRAM = re.compile(r"^(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|telegram\.dog)/(?:s/)?", re.IGNORECASE)
_URL = re.compile(r"^(?:https?://)?(?:www\.)?([a-z0-9.-]+\.[a-z]{2,})/@?", re.IGNORECASE)


def _handle_key(text: str) -> str:
    """@name, t.me/name, https://t.me/name → "name" (Telegram and bare @ handles); other sites "site/name"."""
    handle = _TELEGRAM.sub("", text.strip())
    site = ""
    if handle == text.strip() and (m := _URL.match(handle)):
        site, handle = m.group(1).lower() + "/", handle[m.end():]
    name = handle.lstrip("@").split("?")[0].strip("/").lower()
    if not re.fullmatch(r"[\w.]+", name):
        raise InvalidArgument(f"handle {text!r} cannot be read", hint="write it as @name or t.me/name")
    return site + name


# Cyrillic capitals that look like Latin ones, folded to the Latin.
_LOOKALIKES = str.maketrans("АВЕКМНОРСТУХІ", "ABEKMHOPCTYXI")
_HULL_LABELS = re.compile(r"^(?:(?:бортовой|бортовий|борт|номер|б/н|tail|hull|reg|registration|number|no|nr)"
                          r"(?:[.:]\s*|\s+)|[№#]\s*)+", re.IGNORECASE)


def _plate_key(text: str) -> str:
    """Upper case, Cyrillic look-alikes in Latin, spaces, dashes and dots out: "ах 1234 вк" → "AX1234BK"."""
    return re.sub(r"[\W_]+", "", text.upper().translate(_LOOKALIKES))


def _hull_key(text: str) -> str:
    """A plate key after labels ("бортовой номер", "tail no.", "№") are taken off."""
    return _plate_key(_HULL_LABELS.sub("", text.strip()))


def _place_key(text: str) -> str:
    """"lat,lon,YYYY-MM-DD" → the place cell's key."""
    try:
        lat, lon, day = (p.strip() for p in text.split(","))
        return place_cell(float(lat), float(lon), dt.date.fromisoformat(day)).key
    except ValueError:
        raise InvalidArgument(f"place cell {text!r} cannot be read", hint="write it as lat,lon,YYYY-MM-DD") from None


_NORMALISERS: dict[str, Callable[[str], str]] = {
    "person": _person_key, "organisation": _organisation_key, "unit": _unit_key, "phone": str,
    "email": _email_key, "handle": _handle_key, "plate": _plate_key, "hull": _hull_key,
    "place_cell": _place_key}

__all__ = ["CELL_DEGREES", "KINDS", "Selector", "match", "matches", "normalise", "place_cell"]
