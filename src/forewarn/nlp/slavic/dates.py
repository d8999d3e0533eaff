"""Dates in Russian and Ukrainian text, read by the English rules through an English gloss.

The words of a Russian or Ukrainian ``Doc`` are glossed, by their pymorphy3 lemmas and their context,
into the English words the English date rules (:mod:`forewarn.nlp.dates`) read: "6-го августа 2024 г."
→ "6th August 2024", "шостого серпня" → "6th August", "три дня назад" / "три дні тому" → "3 days ago",
"на прошлой неделе" / "минулого тижня" → "last week", "в начале августа" / "на початку серпня" →
"early August", "вчера вечером" → "yesterday evening". Words that carry no date keep their own text, which
no English rule matches. The English ``find_dates`` then finds and resolves the expressions of that gloss
(year inference, weekdays, counted and anchored expressions, ranges, precision), and each mention is
mapped back to the words it came from. So the rules and precisions are the English ones; what is
particular to the two languages:

* Nights: "в ночь на вторник" / "у ніч на вівторок" is the Monday ("the day before Tuesday": a night is
  dated by the evening it begins, as in English); "в ночь с 5 на 6 августа" → 5 August; "этой ночью",
  "минувшей ночью", "сегодня ночью", "цієї ночі", "вночі", "ночью" alone → the night just past (``pub - 1``).
* Parts of the day alone ("утром", "вранці", "вечером") are the publication day; after "вчера" or a weekday
  they are that day's ("yesterday morning"); next to a date they add nothing ("утром 6 августа").
* "накануне" / "напередодні" → the day before (anchored); "на следующий день" / "наступного дня" → the next
  day; "в тот же день" / "того ж дня" → that same day; "через три дня" → three days later; "днём ранее" →
  a day earlier; "за два дня до" → two days before; "спустя неделю после 24 февраля" → a week after it.
* Month abbreviations after a day's number ("6 авг.", "6 серп.") are months.
* Not read: "позапрошлой неделе" / "позаминулого тижня" (the week before last), vague words ("на днях",
  "недавно"), durations ("в течение трёх дней"), recurring ("каждый вторник").
* "летом 2023 года" (a season and a year) → that year (YEAR), as "summer 2023" is in English.
* Weekdays are the latest such day on or before publication; "в прошлую пятницу" / "минулої п'ятниці" the
  latest strictly before; "среда" / "середа" (also "environment") is a weekday only after a preposition
  or "прошлую/эту/следующую".

Each mention's text and offsets are those of the original words (a year's "г." / "года" / "року" included).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

import spacy
from spacy.tokens import Doc
from spacy.vocab import Vocab

from forewarn.model.extraction import DateMention
from forewarn.nlp import dates as english
from forewarn.nlp.slavic.analysis import parses
from forewarn.nlp.spans import sentence_index


def fold(word: str) -> str:
    """Lower case, ё as е, one apostrophe: the form words and lemmas are compared in."""
    return word.lower().replace("ё", "е").replace("’", "'").replace("ʼ", "'")


def _table(rows: dict[str, str]) -> dict[str, str]:
    """Lemma → gloss, the lemmas separated by spaces in the key."""
    return {fold(lemma): gloss for lemmas, gloss in rows.items() for lemma in lemmas.split()}


_MONTHS = _table({
    "январь січень": "January", "февраль лютий": "February", "март березень": "March", "апрель квітень": "April",
    "май травень": "May", "июнь червень": "June", "июль липень": "July", "август серпень": "August",
    "сентябрь вересень": "September", "октябрь жовтень": "October", "ноябрь листопад": "November",
    "декабрь грудень": "December",
})
_WEEKDAYS = _table({
    "понедельник понеділок": "Monday", "вторник вівторок": "Tuesday", "среда середа": "Wednesday",
    "четверг четвер": "Thursday", "пятница п'ятниця": "Friday", "суббота субота": "Saturday",
    "воскресенье неділя": "Sunday",
})
_AMBIGUOUS_WEEKDAYS = frozenset({"среда", "середа"})  # also "environment": a weekday only after a preposition
_ORDINALS: dict[str, int] = {fold(w): n for n, words in enumerate((
    "первый перший", "второй другий", "третий третій", "четвертый четвертий", "пятый п'ятий", "шестой шостий",
    "седьмой сьомий", "восьмой восьмий", "девятый дев'ятий", "десятый десятий", "одиннадцатый одинадцятий",
    "двенадцатый дванадцятий", "тринадцатый тринадцятий", "четырнадцатый чотирнадцятий",
    "пятнадцатый п'ятнадцятий", "шестнадцатый шістнадцятий", "семнадцатый сімнадцятий",
    "восемнадцатый вісімнадцятий", "девятнадцатый дев'ятнадцятий", "двадцатый двадцятий", "", "", "", "", "", "",
    "", "", "", "тридцатый тридцятий"), 1) for w in words.split()}
_TENS = {"двадцать": 20, "двадцять": 20, "тридцать": 30, "тридцять": 30}
_COUNTS: dict[str, str] = {fold(w): str(n) for n, words in enumerate((
    "один одна одно", "два две двое дві двоє", "три трое троє", "четыре четверо чотири", "пять п'ять",
    "шесть шість", "семь сім", "восемь вісім", "девять дев'ять", "десять", "одиннадцать одинадцять",
    "двенадцать дванадцять", "тринадцать тринадцять", "четырнадцать чотирнадцять", "пятнадцать п'ятнадцять"), 1)
    for w in words.split()} | {"двадцать": "20", "двадцять": "20", "тридцать": "30", "тридцять": "30",
                                "несколько": "several", "кілька": "several", "декілька": "several",
                                "пара": "a couple of", "пару": "a couple of"}
_QUALIFIERS = {"около": "about", "почти": "nearly", "примерно": "about", "приблизительно": "about",
               "более": "more than", "больше": "more than", "свыше": "more than", "близько": "about",
               "майже": "nearly", "приблизно": "about", "понад": "more than", "більше": "more than"}
_UNITS = {"ru": _table({"день сутки": "day", "неделя": "week", "месяц": "month", "год": "year", "час": "hour",
                        "минута": "minute"}),
          "uk": _table({"день доба": "day", "тиждень": "week", "місяць": "month", "рік": "year", "година": "hour",
                        "хвилина": "minute"})}
_DIRECTIONS = {"назад": "ago", "тому": "ago", "спустя": "later", "позже": "later", "позднее": "later",
               "пізніше": "later", "потому": "later", "ранее": "earlier", "раньше": "earlier", "раніше": "earlier"}
_LATER_PREPOSITIONS = frozenset({"через", "спустя", "за"})  # "через три дня": later; "за три дня до": before
_BEFORE = frozenset({"до"})
_AFTER = frozenset({"после", "після"})  # "через неделю после 24 февраля": a week after
_RELATIVE = _table({"прошлый минувший прошедший минулий": "last",
                    "этот текущий нынешний цей поточний": "this",
                    "следующий будущий ближайший наступний": "next"})
_NIGHT = frozenset({"ночь", "ніч"})
_NIGHT_TO = frozenset({"на", "проти"})  # "в ночь на вторник", "у ніч проти середи"
_WEEKEND = frozenset({"выходной", "вихідний"})
_THAT = frozenset({"тот", "той"})
_SAME = frozenset({"же", "ж"})
_DEICTIC = {"вчера": ("yesterday",), "вчора": ("yesterday",), "учора": ("yesterday",), "сегодня": ("today",),
            "сьогодні": ("today",), "нынче": ("today",), "позавчера": ("2", "days", "ago"),
            "позавчора": ("2", "days", "ago"), "завтра": ("tomorrow",),
            "послезавтра": ("the", "day", "after", "tomorrow"), "післязавтра": ("the", "day", "after", "tomorrow"),
            "накануне": ("the", "day", "before"), "напередодні": ("the", "day", "before"),
            "торік": ("last", "year")}
_PERIODS = {"начало": "early", "початок": "early", "середина": "mid", "конец": "late", "кінець": "late",
            "напочатку": "early", "посередині": "mid", "наприкінці": "late", "наприкiнцi": "late"}
# Month abbreviations, read before a dot after a day's number ("6 авг.", "6 серп.").
_MONTH_ABBREVIATIONS = {"янв": "January", "фев": "February", "февр": "February", "мар": "March", "апр": "April",
                        "авг": "August", "сен": "September", "сент": "September", "окт": "October",
                        "ноя": "November", "нояб": "November", "дек": "December", "січ": "January",
                        "лют": "February", "бер": "March", "квіт": "April", "трав": "May", "черв": "June",
                        "лип": "July", "серп": "August", "вер": "September", "жовт": "October",
                        "лист": "November", "груд": "December"}
_SEASONS = frozenset({"летом", "зимой", "весной", "осенью", "влітку", "улітку", "взимку", "узимку", "навесні",
                      "восени", "увосени"})
_PARTS = {"утром": "morning", "утра": "morning", "вечером": "evening", "днем": "afternoon", "ночью": "night",
          "вранці": "morning", "уранці": "morning", "зранку": "morning", "ввечері": "evening", "увечері": "evening",
          "вечором": "evening", "вдень": "afternoon", "удень": "afternoon", "вночі": "night", "уночі": "night"}
_STANDALONE_PART = {"morning": ("this", "morning"), "evening": ("this", "evening"),
                    "afternoon": ("this", "afternoon"), "night": ("overnight",)}
_EVERY = {"каждый": ("every",), "кожний": ("every",), "кожен": ("every",), "ежедневно": ("daily",),
          "щодня": ("daily",), "еженедельно": ("weekly",), "щотижня": ("weekly",)}
_IN = frozenset({"в", "во", "у"})
_PREPOSITIONS = frozenset({"в", "во", "у", "на", "к", "ко", "до", "о", "об", "с", "со", "з", "із", "зі", "по"})
_RANGE_TO = frozenset({"по", "до", "-", "–", "—"})
_RANGE_AND = frozenset({"и", "і", "та"})
_YEAR_WORDS = frozenset({"г", "года", "году", "год", "гг", "р", "року", "рік", "році", "роках", "годах"})
_DAY_NUMBER = re.compile(r"^(\d{1,2})-?(?:го|е|ое|ого|м|му|й|ий|ше|ге|тє|те)$")
_SHORT_DOTTED = re.compile(r"^(\d{1,2}\.\d{1,2}\.)(\d{2})$")
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")
_DATE_WORDS = frozenset({*_MONTHS.values(), *_WEEKDAYS.values(), "yesterday", "today", "tomorrow", "overnight"})


@dataclass(frozen=True, slots=True)
class Word:
    """A word of the text (shared with ``actors``): tokens ``start..end``, more than one where razdel split
    "п'ятниця" at the apostrophe."""

    start: int
    end: int
    text: str  # folded: lower case, ё as е, one apostrophe
    keys: frozenset[str]  # its folded lemmas: the pipeline's and every pymorphy3 parse's


@dataclass(slots=True)
class _Gloss:
    words: tuple[str, ...]
    tail: bool = False  # belongs to the word before it ("года" after "2024")
    lead: bool = False  # belongs to the word after it ("через" before "три дня")
    part: str = ""  # a part of the day, glossed once its neighbours are known


def find_dates(doc: Doc, published: date, lang: str) -> list[DateMention]:
    """Time expressions of a Russian or Ukrainian ``doc``, resolved against ``published``, in text order."""
    words = words_of(doc, lang)
    if not words:
        return []
    glosses = _parts(_glossed(words, lang))
    english_doc, owner = _english(doc, words, glosses)
    if not len(english_doc):
        return []
    return [_back(doc, m, english_doc, owner, words, glosses) for m in english.find_dates(english_doc, published)]


# ---------------------------------------------------------------------------------------------- words
def words_of(doc: Doc, lang: str) -> list[Word]:
    out: list[Word] = []
    i = 0
    while i < len(doc):
        if doc[i].is_space:
            i += 1
            continue
        end = i + 1
        while _apostrophe_split(doc, end):
            end += 2
        text = fold(doc[i:end].text)
        out.append(Word(i, end, text, _keys(text, fold(doc[i].lemma_) if end == i + 1 else text, lang)))
        i = end
    return out


def _apostrophe_split(doc: Doc, end: int) -> bool:
    """razdel cuts "п'ятниця" into "п", "'", "ятниця": the three tokens touch."""
    return (end + 1 < len(doc) and doc[end].text in ("'", "’", "ʼ") and not doc[end - 1].whitespace_
            and not doc[end].whitespace_ and doc[end - 1].is_alpha and doc[end + 1].is_alpha)


@cache
def _keys(text: str, lemma: str, lang: str) -> frozenset[str]:
    return frozenset({text, lemma, *(fold(p.normal_form) for p in parses(text, lang))})


# --------------------------------------------------------------------------------------------- glossing
def _glossed(words: Sequence[Word], lang: str) -> list[_Gloss]:
    out: list[_Gloss] = []
    while len(out) < len(words):
        out += _rule(words, len(out), out, lang)
    return out


def _rule(words: Sequence[Word], i: int, done: Sequence[_Gloss], lang: str) -> list[_Gloss]:
    """The glosses of the words from ``i`` on that the first rule reading them gives (at least one)."""
    for rule in (_night, _relative, _that_same, _counted, _day_of_month, _year):
        found = rule(words, i, lang)
        if found:
            return found
    return [_single(words, i, done)]


def _night(words: Sequence[Word], i: int, lang: str) -> list[_Gloss]:
    """"в ночь на вторник" → the day before Tuesday; "в ночь с 5 на 6 августа" → the night of 5 to 6 August."""
    if not (_at(words, i) in _IN and _NIGHT & _keys_at(words, i + 1)):
        return []
    if _at(words, i + 2) in _NIGHT_TO and _day_word(words, i + 3):
        return [_Gloss((), lead=True), _Gloss(("the", "day", "before")), _Gloss(())]
    if _at(words, i + 2) in ("с", "з", "із") and _at(words, i + 3).isdigit() and _at(words, i + 4) in _NIGHT_TO:
        return [_Gloss((), lead=True), _Gloss(("the", "night", "of")), _Gloss(()), _Gloss((words[i + 3].text,)),
                _Gloss(("to",))]
    return []


def _relative(words: Sequence[Word], i: int, lang: str) -> list[_Gloss]:
    """"прошлую пятницу" → last Friday, "минулого тижня" → last week, "этой ночью" → last night,
    "на следующий день" → the next day."""
    rel = next((_RELATIVE[k] for k in words[i].keys if k in _RELATIVE), None)
    if rel is None or i + 1 >= len(words):
        return []
    keys = words[i + 1].keys
    if weekday := _lookup(_WEEKDAYS, keys):
        return [_Gloss((rel,)), _Gloss((weekday,))]
    if keys & _NIGHT or words[i + 1].text in ("ночью", "ночі"):
        return [_Gloss(()), _Gloss(("the", "next", "night") if rel == "next" else ("last", "night"))]
    if keys & _WEEKEND:
        return [_Gloss((rel,)), _Gloss(("weekend",))]
    unit = _lookup(_UNITS[lang], keys)
    if unit == "day":
        return [_Gloss({"next": ("the", "next"), "last": ("the", "previous")}.get(rel, ("that",))), _Gloss(("day",))]
    if unit in ("week", "month", "year"):
        return [_Gloss((rel,)), _Gloss((unit,))]
    return []


def _that_same(words: Sequence[Word], i: int, lang: str) -> list[_Gloss]:
    """"в тот же день" / "того ж дня" → that same day."""
    if words[i].keys & _THAT and _at(words, i + 1) in _SAME and _lookup(_UNITS[lang], _keys_at(words, i + 2)) == "day":
        return [_Gloss(("that",)), _Gloss(("same",)), _Gloss(("day",))]
    return []


def _counted(words: Sequence[Word], i: int, lang: str) -> list[_Gloss]:
    """"[через|за] [около] [три] дня [назад|тому|спустя|ранее|до]": counted from publication or an anchor."""
    prep = words[i].text if words[i].text in _LATER_PREPOSITIONS else ""
    j = i + bool(prep)
    qualifier = _QUALIFIERS.get(_at(words, j), "")
    j += bool(qualifier)
    count = _count(words, j)
    j += bool(count)
    unit = _lookup(_UNITS[lang], _keys_at(words, j))
    if unit is None or (qualifier and not count):
        return []
    after = _at(words, j + 1)
    direction = ("before" if after in _BEFORE else "") if prep == "за" else _DIRECTIONS.get(after, "")
    direction = "after" if prep in ("через", "спустя") and after in _AFTER else direction
    said = bool(direction)
    direction = direction or ("later" if prep in ("через", "спустя") else "")
    if not direction:
        return []
    unit_words = (unit + "s",) if count and count != "1" else (unit,) if count else ("a", unit)
    glosses = [_Gloss((), lead=True) for _ in range(bool(prep))]
    glosses += [_Gloss(tuple(w.split())) for w in (qualifier, count) if w]
    if said:
        return [*glosses, _Gloss(unit_words), _Gloss((direction,))]
    return [*glosses, _Gloss((*unit_words, direction))]


def _count(words: Sequence[Word], j: int) -> str:
    if j >= len(words):
        return ""
    if words[j].text.isdigit() and len(words[j].text) <= 3:
        return words[j].text
    return _COUNTS.get(words[j].text) or next((_COUNTS[k] for k in sorted(words[j].keys) if k in _COUNTS), "")


def _day_of_month(words: Sequence[Word], i: int, lang: str) -> list[_Gloss]:
    """"шостого серпня" → 6th August; "двадцать шестого июля" → 26th July; "6-го августа" → 6th August."""
    tens = _TENS.get(words[i].text, 0)
    k = i + 1 if tens else i
    day = next((_ORDINALS[key] for key in _keys_at(words, k) if key in _ORDINALS), None)
    numeric = _DAY_NUMBER.match(words[k].text) if k < len(words) else None
    if numeric:
        day = int(numeric.group(1))
    if day is None or (tens and day > 9) or not _lookup(_MONTHS, _keys_at(words, k + 1)):
        return []
    return [_Gloss((), lead=True) for _ in range(k - i)] + [_Gloss((f"{tens + day}th",))]


def _year(words: Sequence[Word], i: int, lang: str) -> list[_Gloss]:
    """"2024 г." / "2024 года" / "2024 року" → 2024, the year word kept with it; "06.08.24" → 06.08.2024."""
    text = words[i].text
    if short := _SHORT_DOTTED.match(text):
        return [_Gloss((f"{short.group(1)}20{short.group(2)}",))]
    if not _YEAR.match(text) or _at(words, i + 1) not in _YEAR_WORDS:
        return []
    tail = [_Gloss((), tail=True)]
    if _at(words, i + 1) in ("г", "р") and _at(words, i + 2) == "." and words[i + 2].start == words[i + 1].end:
        tail.append(_Gloss((), tail=True))
    return [_Gloss((text,)), *tail]


def _single(words: Sequence[Word], i: int, done: Sequence[_Gloss]) -> _Gloss:
    """One word's gloss: a deictic word, a month, a weekday, a part of the day, a preposition, else itself."""
    word, keys = words[i], words[i].keys
    nxt = _keys_at(words, i + 1)
    if word.text in _DEICTIC:
        return _Gloss(_DEICTIC[word.text])
    if word.text in _PARTS:
        return _Gloss((), part=_PARTS[word.text])
    if month := _lookup(_MONTHS, keys):
        return _Gloss((month,))
    if word.text in _MONTH_ABBREVIATIONS and _at(words, i - 1).isdigit() and _at(words, i + 1) == ".":
        return _Gloss((_MONTH_ABBREVIATIONS[word.text],))
    if (weekday := _lookup(_WEEKDAYS, keys)) and (not keys & _AMBIGUOUS_WEEKDAYS
                                                  or _at(words, i - 1) in _PREPOSITIONS | _NIGHT_TO):
        return _Gloss((weekday,))
    if period := _PERIODS.get(word.text) or next((_PERIODS[k] for k in keys if k in _PERIODS), None):
        return _Gloss((period,) if _lookup(_MONTHS, nxt) else (words[i].text,))
    if keys & _WEEKEND:
        return _Gloss(("over", "the", "weekend") if _at(words, i - 1) in _PREPOSITIONS else ("weekend",))
    if word.text in _SEASONS and _YEAR.match(_at(words, i + 1)):
        return _Gloss(("in",))
    if word.text in _EVERY or keys & _EVERY.keys():
        return _Gloss(_EVERY.get(word.text) or _EVERY[min(keys & _EVERY.keys())])
    return _between_numbers(words, i, done) or _preposition(words, i) or _Gloss((word.text,))


def _between_numbers(words: Sequence[Word], i: int, done: Sequence[_Gloss]) -> _Gloss | None:
    """"с 1 по 3 августа" → 1 to 3 August; "5 и 6 августа" → 5 and 6 August."""
    text = words[i].text
    after_number = i > 0 and words[i - 1].text.isdigit()
    if after_number and _at(words, i + 1).isdigit() and text in _RANGE_TO | _RANGE_AND:
        return _Gloss(("to",) if text in _RANGE_TO else ("and",))
    return None


def _preposition(words: Sequence[Word], i: int) -> _Gloss | None:
    """"в августе" → in August, "у 2023 році" → in 2023; other prepositions gloss to nothing."""
    if words[i].text not in _PREPOSITIONS:
        return None
    following = _at(words, i + 1)
    if words[i].text in _IN and (_lookup(_MONTHS, _keys_at(words, i + 1)) or _YEAR.match(following)):
        return _Gloss(("in",))
    return _Gloss(())


def _parts(glosses: list[_Gloss]) -> list[_Gloss]:
    """Parts of the day: after a day word they name its part ("yesterday evening"), next to a date they
    add nothing, alone they are the publication day's ("this morning"; a night alone is the night past)."""
    for k, g in enumerate(glosses):
        if not g.part:
            continue
        before = next((glosses[j] for j in range(k - 1, -1, -1) if glosses[j].words), None)
        after = next((h for h in glosses[k + 1:] if h.words or h.part), None)
        last = before.words[-1] if before else ""
        if before is not None and before.words == ("today",):
            before.words, before.lead = (), True
            g.words = ("overnight",) if g.part == "night" else ("this", g.part)
        elif last in ("yesterday", "today", "tomorrow") or last in _WEEKDAYS.values():
            g.words = (g.part,)
        elif last in ("before", *_MONTHS.values()) or _dated(before) or _dated(after):
            g.words = ()
        else:
            g.words = _STANDALONE_PART[g.part]
    return glosses


def _dated(g: _Gloss | None) -> bool:
    return g is not None and bool(g.words) and (g.words[0] in _DATE_WORDS or g.words[0][:1].isdigit())


# ------------------------------------------------------------------------------------ English and back
def _english(doc: Doc, words: Sequence[Word], glosses: Sequence[_Gloss]) -> tuple[Doc, list[int]]:
    """The gloss as an English ``Doc`` (sentences as the original's) and, per English word, its word's index."""
    sentence_of = [sentence_index(doc[w.start:w.end]) for w in words]
    texts: list[str] = []
    spaces: list[bool] = []
    starts: list[bool | int | None] = []
    owner: list[int] = []
    last_sentence = -1
    for k, g in enumerate(glosses):
        for n, text in enumerate(g.words):
            if texts:
                spaces[-1] = spaces[-1] or n > 0 or owner[-1] != k - 1 or bool(doc[words[k - 1].end - 1].whitespace_)
            texts.append(text)
            spaces.append(False)
            starts.append(sentence_of[k] != last_sentence)
            last_sentence = sentence_of[k]
            owner.append(k)
    return Doc(_vocab(), words=texts, spaces=spaces, sent_starts=starts), owner


@cache
def _vocab() -> Vocab:
    return spacy.blank("en").vocab


def _back(doc: Doc, mention: DateMention, english_doc: Doc, owner: Sequence[int], words: Sequence[Word],
          glosses: Sequence[_Gloss]) -> DateMention:
    """The mention over the original words its English words came from."""
    span = english_doc.char_span(mention.start, mention.end, alignment_mode="expand")
    if span is None or not len(span):
        raise ValueError(f"the English date {mention.text!r} lies on no English word")
    first, last = owner[span.start], owner[span.end - 1]
    while first > 0 and glosses[first - 1].lead:
        first -= 1
    while last + 1 < len(glosses) and glosses[last + 1].tail:
        last += 1
    original = doc[words[first].start:words[last].end]
    return DateMention(mention.value, mention.precision, original.text, original.start_char, original.end_char,
                       sentence_index(original))


# ------------------------------------------------------------------------------------------------ helpers
def _at(words: Sequence[Word], i: int) -> str:
    return words[i].text if 0 <= i < len(words) else ""


def _day_word(words: Sequence[Word], i: int) -> bool:
    """A weekday, a day's number or an ordinal: what "в ночь на" is followed by."""
    keys = _keys_at(words, i)
    return _at(words, i)[:1].isdigit() or bool(keys & (_WEEKDAYS.keys() | _ORDINALS.keys() | _TENS.keys()))


def _keys_at(words: Sequence[Word], i: int) -> frozenset[str]:
    return words[i].keys if 0 <= i < len(words) else frozenset()


def _lookup(table: dict[str, str], keys: frozenset[str]) -> str | None:
    return next((table[k] for k in sorted(keys) if k in table), None)

