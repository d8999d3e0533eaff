"""Selectors: the things deconfliction matches (names, phone numbers, e-mails, handles, plates, hull numbers,
place cells), each normalised so that the same thing written two ways gets one key.

Pure: no I/O, no database, no clock. :func:`normalise` turns a kind and a written form into a :class:`Selector`
whose ``key`` is canonical; :meth:`Selector.keys` gives the keys it is matched by (a place cell also gives its
neighbours, in space and by one day); :func:`match` and :func:`matches` compare them. A name written in Latin
letters may be read several ways (German, Polish or English romanisation; h as г or as х): its selector carries
the keys of each reading (:attr:`Selector.readings`), and two selectors match when their key sets meet.

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
from itertools import islice, product

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
    readings: tuple[str, ...] = ()  # the keys of the other ways its written form may be read (names only)

    def keys(self) -> frozenset[str]:
        """The keys it is matched by: its own (every reading's), and for a place cell the neighbouring cells and
        days."""
        if self.kind != "place_cell":
            return self.own_keys
        i, j, day = (int(p) for p in self.key.split(":"))
        return frozenset(f"place_cell:{i + di}:{j + dj}:{day + dd}"
                         for di in (-1, 0, 1) for dj in (-1, 0, 1) for dd in (-1, 0, 1))

    @property
    def own_key(self) -> str:
        """The one key naming this selector (what is published to be matched against others' :meth:`keys`)."""
        return f"{self.kind}:{self.key}"

    @property
    def own_keys(self) -> frozenset[str]:
        """Every key naming this selector: its own and its other readings' (all published to be matched)."""
        return frozenset({self.own_key, *(f"{self.kind}:{r}" for r in self.readings)})


def match(a_keys: Iterable[str], b_keys: Iterable[str]) -> frozenset[str]:
    """The keys two sets share (empty: no match)."""
    return frozenset(a_keys) & frozenset(b_keys)


def matches(a: Selector, b: Selector) -> bool:
    """Are two selectors the same thing (a place cell: within one cell and one day of each other)?"""
    return not a.own_keys.isdisjoint(b.keys())


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
    readings = _READINGS[kind](shown) if kind in _READINGS else []
    return Selector(kind, key, shown, tuple(r for r in dict.fromkeys(readings) if r and r != key)[:MAX_READINGS])


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


# German and Polish romanisations of Cyrillic, told by letters English and Ukraine's system never use, rewritten
# as Ukraine's system writes them: Polish szcz/cz/sz/rz/ż (Szczastia, Czuhujiw, Żukow), German schtsch/tsch/sch
# (Schtschastja, Tschernihiw, Schewtschenko); in either, and in a word with w (Charkiw, Wolodymyr), ch is х.
_POLISH = re.compile(r"szcz|cz|sz|rz|ż|ch|c(?![hz])|w|ł|ś|ć|ń")
_GERMAN = re.compile(r"schtsch|tsch|sch|ch|z|w|ſ")
_FROM_POLISH = {"szcz": "shch", "cz": "ch", "sz": "sh", "rz": "zh", "ż": "zh", "ch": "kh", "c": "ts", "w": "v",
                "ł": "l", "ś": "s", "ć": "ts", "ń": "n"}
_FROM_GERMAN = {"schtsch": "shch", "tsch": "ch", "sch": "sh", "ch": "kh", "z": "ts", "w": "v", "ſ": "s"}
_GERMAN_S = re.compile(r"(?:\b|(?<=[aeiouy]))s(?=[aeiouy])")
_POLISH_MARKS = re.compile(r"cz|sz|rz|[żłśćń]")
# Ukrainian -я after a consonant is Russian -ье in neuter nouns and place names (Щастя/Счастье, Запоріжжя/Запорожье)
_NEUTER_END = re.compile(r"(?<=[^aeiou])ia$")
# ... before which Ukrainian has і where Russian has о or е, the syllable closed by the lost soft sign (Запоріжжя)
_NEUTER_IKAVISM = re.compile(r"(?<![aeiou])[oe](?=[^aeiou]e$)")
_SOFT_SIGN_S = re.compile(r"sĉ")  # Russian сч is щ in speech and in Ukrainian (Счастье/Щастя): one letter


_IOTATED = re.compile(r"j[aeiou]|[iy]j\b")  # ja, ju, je, -ij, -yj: German, Polish, Czech and scholarly, where ch is х


def _central_european(text: str) -> str:
    """Latin text of German or Polish romanisation in Ukraine's system's letters; other text unchanged. A name
    is written in one system, so the marks of one word decide for all of its words (Ritschij Chepaskij)."""
    if _POLISH_MARKS.search(text):
        convert = _from_polish
    elif "sch" in text:
        convert = _from_german
    elif "w" in text or _IOTATED.search(text):
        convert = _from_central
    else:
        return text
    return " ".join(w if normalize(w) in _LEGAL_FORMS else convert(w) for w in text.split())


def _from_polish(word: str) -> str:
    return _POLISH.sub(lambda m: _FROM_POLISH[m.group()], word)


def _from_german(word: str) -> str:
    """German: a single s at a word's start or between vowels is з (с there is written ss)."""
    return _GERMAN_S.sub("z", _GERMAN.sub(lambda m: _FROM_GERMAN[m.group()], word.replace("ss", "ſ")))


def _from_central(word: str) -> str:
    return word.replace("ch", "kh").replace("w", "v")


def _words(text: str) -> tuple[list[str], str]:
    """A name's words (Belarusian ў as w, the letter Latin alphabets write it with) and its Latin words."""
    words = text.casefold().translate(_SHORT_U).split()
    return words, " ".join(w for w in words if not has_cyrillic(w))


def _joined(words: list[str], latin: str) -> str:
    """The words, Cyrillic ones romanised and Latin ones as read in ``latin``, normalised: lower case, no accents."""
    romanised = iter(latin.split())
    return normalize(" ".join(romanize(w) if has_cyrillic(w) else next(romanised) for w in words)
                     .translate(_DIACRITICS))


def _latin(text: str) -> str:
    """Romanised (when Cyrillic) and normalised, its Latin words read as their letters tell."""
    words, latin = _words(text)
    return _joined(words, _central_european(latin))


def _latin_readings(text: str) -> list[str]:
    """:func:`_latin` first, then the other ways its Latin words may be read, each once."""
    words, latin = _words(text)
    return list(dict.fromkeys(_joined(words, form) for form in _latin_forms(latin)))


# -- other readings of Latin names: each reads a whole name one way (a name is written in one system)

MAX_READINGS = 16  # a name's keys at most: the first readings of a name with many ambiguous letters
_SHORT_U = str.maketrans({"ў": "w", "Ў": "W"})
# German without its telltale letters: z is ц, s before a vowel з (or с), ss с, sch ш or ж, ch х, w в.
_GERMAN_TOKEN = re.compile(r"schtsch|tsch|sch|ch|ss|s|z|w")
_GERMAN_CHOICES = {"schtsch": ("shch",), "tsch": ("ch",), "sch": ("sh", "zh"), "ch": ("kh",), "ss": ("s",),
                   "z": ("ts",), "w": ("v",)}
_H_ALONE = re.compile(r"(?<![kzcsg])h")  # h not in kh, zh, ch, sh, gh: г, or х as Czech and Turkish write it
_YO = re.compile(r"(?<=[^aeiouyj\s])[ij]o")  # German jo, Polish io after a consonant: ё, which is written е too
# Where Russian and Ukrainian forms of a word's end differ beyond translit_key's rules: -ев/-їв after a vowel
# (Чугуев/Чугуїв), adjectival -ой/-ий (Кривой/Кривий), -ца/-ця (keyed -ce after the neuter rule).
_ENDS = ((re.compile(r"(?<=[aeiou])ev$"), "iv"), (re.compile(r"(?<=[^aeiou])oi$"), "i"),
         (re.compile(r"(?<=c)e$"), "a"))


def _latin_forms(latin: str) -> list[str]:
    """Latin words read as their marks tell (first), each word as its own marks tell (a name written in two
    systems); without Polish marks (which no other system writes) also as written, in Polish and in German
    romanisation and with a lone h as х; and each with jo/io as ё."""
    forms = [_central_european(latin), *_each_word(latin, _own_system)]
    if not _POLISH_MARKS.search(latin):
        forms += [latin, *_each_word(latin, lambda w: [_from_polish(w)]), *_each_word(latin, _german_word),
                  _H_ALONE.sub("kh", latin)]
    return forms + [_YO.sub("e", f) for f in forms if _YO.search(f)]


def _each_word(text: str, read: Callable[[str], list[str]]) -> list[str]:
    """``text`` with each word (legal forms aside) read each way ``read`` gives: the first MAX_READINGS."""
    options = [[w] if normalize(w) in _LEGAL_FORMS else read(w) for w in text.split()]
    return [" ".join(words) for words in islice(product(*options), MAX_READINGS)]


def _german_word(word: str) -> list[str]:
    """A word read as German romanisation, every way its ambiguous letters (sch, s before a vowel) allow."""
    out, last = [""], 0
    for m in _GERMAN_TOKEN.finditer(word):
        options = _GERMAN_CHOICES.get(m.group()) or _s_options(word[m.end():m.end() + 1])
        out = [o + word[last:m.start()] + c for o in out for c in options][:MAX_READINGS]
        last = m.end()
    return [o + word[last:] for o in out]


def _s_options(after: str) -> tuple[str, ...]:
    """German s: з or с (с only, between vowels, is ss), з more likely before a vowel."""
    return ("z", "s") if after and after in "aeiouyj" else ("s", "z")


def _own_system(word: str) -> list[str]:
    """A word read as its own marks tell, and (without Polish marks) every way German romanisation allows."""
    return [_central_european(word), *([] if _POLISH_MARKS.search(word) else _german_word(word))]


def _ends_folded(key: str) -> str:
    """A key with Russian and Ukrainian word ends beyond translit_key's rules made one."""
    words = key.split()
    for pattern, new in _ENDS:
        words = [pattern.sub(new, w) for w in words]
    return " ".join(words)


def _word_key(word: str) -> str:
    for digraph, letter in _DIGRAPHS:
        word = word.replace(digraph, letter)
    key = translit_key(_SOFT_SIGN_S.sub("ŝ", word))
    return _IKAVISM.sub("i", key) if len(key) >= 3 else key


# Given names across the region's languages, one name a row (Russian, Ukrainian, Belarusian, Polish, German or
# English forms), written from general knowledge of the names, not from any data set. A person's given name is
# keyed as its row's first form, so Volodymyr, Vladimir, Uladzimir and Włodzimierz meet. Feminine and masculine
# forms (Aleksandr/Aleksandra) and different names that look alike (Vladimir/Vladislav) are different rows.
_GIVEN_NAMES = (
    "Владимир Володимир Уладзімір Włodzimierz Wladimir", "Александр Олександр Аляксандр Aleksander Alexander",
    "Александра Олександра Аляксандра", "Алексей Олексій Аляксей Alexei", "Андрей Андрій Андрэй Andrzej Andrew",
    "Дмитрий Дмитро Дзмітрый Dmitri", "Николай Микола Мікалай Mikołaj Nicholas", "Михаил Михайло Міхаіл Michał",
    "Павел Павло Paweł Paul", "Пётр Петро Пятро Piotr Peter", "Сергей Сергій Сяргей", "Юрий Юрій Юрый",
    "Григорий Григорій Рыгор Grzegorz Gregory", "Евгений Євген Яўген Eugeniusz", "Елена Олена Алена Helena",
    "Екатерина Катерина Кацярына Katarzyna Katharina", "Наталья Наталія Наталля Natalia", "Фёдор Федір Фёдар",
    "Илья Ілля Ільля", "Константин Костянтин Канстанцін Konstanty", "Георгий Георгій Георгі Jerzy",
    "Василий Василь Васіль Bazyli", "Анатолий Анатолій Анатоль", "Игорь Ігор Ігар", "Олег Алег",
    "Татьяна Тетяна Таццяна", "Ольга Вольга", "Ирина Ірина Ірына", "Светлана Світлана Святлана",
    "Людмила Людміла", "Виктор Віктор Віктар Wiktor", "Вячеслав В'ячеслав Вячаслаў Wiaczesław",
    "Кирилл Кирило Кірыл", "Максим Максім", "Тимофей Тимофій Цімафей Tymoteusz", "Мария Марія Марыя Maria",
    "Анна Ганна Hanna", "Иван Іван Jan", "Яков Яків Якаў Jakub", "Семён Семен Сямён", "Степан Сцяпан",
    "Валентин Валянцін", "Виталий Віталій Віталь", "Денис Дзяніс", "Артём Артем Арцём", "Леонид Леонід Леанід",
    "Борис Барыс Borys", "Станислав Станіслав Станіслаў Stanisław", "Ярослав Яраслаў Jarosław",
    "Владислав Уладзіслаў Władysław", "Юлия Юлія Юлія Julia", "Дарья Дарія Дар'я Дар'я",
)


def _given_lexicon() -> dict[str, str]:
    lexicon: dict[str, str] = {}
    for row in _GIVEN_NAMES:
        keys = [_word_key(_latin(form)) for form in row.split()]
        lexicon.update((k, keys[0]) for k in keys if k not in lexicon)
    return lexicon


_GIVEN = _given_lexicon()


def _given_first(text: str) -> str:
    """"Surname, Given" as "Given Surname"; other text unchanged."""
    if text.count(",") != 1:
        return text
    surname, given = text.split(",")
    return f"{given} {surname}"


def _person_words(latin: str) -> str:
    """The sorted word keys of a normalised Latin name, given names keyed as their lexicon row."""
    return " ".join(sorted(_GIVEN.get(k, k) for k in (_word_key(w) for w in latin.split())))


def _person_key(text: str) -> str:
    """Given names and surname in any order ("Surname, Given" included): the sorted word keys."""
    return _person_words(_latin(_given_first(text)))


def _person_readings(text: str) -> list[str]:
    """The keys of each reading of the name, and each with Russian and Ukrainian word ends made one."""
    keys = [_person_words(r) for r in _latin_readings(_given_first(text))]
    return keys + [_ends_folded(k) for k in keys]


def _organisation_words(latin: str) -> str:
    """A normalised Latin name's word keys in order, legal forms left out."""
    words = [w for w in latin.split() if w not in _LEGAL_FORMS]
    return " ".join(_NEUTER_IKAVISM.sub("i", _NEUTER_END.sub("e", _word_key(w))) for w in words)


def _organisation_key(text: str) -> str:
    """The name's word keys in order, legal forms ("ООО", "LLC", "ТОВ") left out."""
    return _organisation_words(_latin(text))


def _organisation_readings(text: str) -> list[str]:
    """The keys of each reading of the name (a place's too): word ends made one, Ukrainian о where Russian
    writes а before в and a vowel (Слов'янськ/Славянск), and a place named for a given name's possessive
    (Миколаїв/Николаев)."""
    keys = [_organisation_words(r) for r in _latin_readings(text)]
    keys += [_ends_folded(k) for k in keys]
    return keys + [_OV_AV.sub("a", k) for k in keys] + [p for k in keys if (p := _possessive(k))]


_OV_AV = re.compile(r"(?<=[^aeiou])o(?=v[aeiou])")  # Ukrainian о, Russian а before в and a vowel (Слов'янськ)
_POSSESSIVE = re.compile(r"^(\w+?)i?iv$")  # -ів, -їв (Миколаїв: Микола + й + ів)


def _possessive(key: str) -> str | None:
    """A one-word place name formed from a given name with -iv, keyed by the name's lexicon row."""
    m = _POSSESSIVE.match(key)
    given = m and (_GIVEN.get(m.group(1) + "i") or _GIVEN.get(m.group(1)))
    return f"{given}iv" if given else None


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
_READINGS: dict[str, Callable[[str], list[str]]] = {"person": _person_readings, "organisation": _organisation_readings}

__all__ = ["CELL_DEGREES", "KINDS", "Selector", "match", "matches", "normalise", "place_cell"]
