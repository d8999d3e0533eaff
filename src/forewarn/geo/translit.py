"""Cyrillic names in Latin letters, and the keys Cyrillic names are matched by.

:func:`romanize` is Ukraine's national romanisation (Cabinet of Ministers resolution 55 of 2010), the form
English-language reports and the gazetteer show for Ukrainian places ("Харків" → "Kharkiv", "Згурівка" →
"Zghurivka", "Їжаківка" → "Yizhakivka"); Russian letters it lacks (ы, э, ё, ъ) are romanised as Russian
passports do, so a Russian form still gets a readable key. Every part of forewarn that romanises uses it.
"""

from __future__ import annotations

import re

# Ukraine's national romanisation (2010); the second form is for the first letter of a word.
_LETTERS: dict[str, tuple[str, str]] = {
    "а": ("a", "a"), "б": ("b", "b"), "в": ("v", "v"), "г": ("h", "h"), "ґ": ("g", "g"), "д": ("d", "d"),
    "е": ("e", "e"), "є": ("ie", "ye"), "ж": ("zh", "zh"), "з": ("z", "z"), "и": ("y", "y"), "і": ("i", "i"),
    "ї": ("i", "yi"), "й": ("i", "y"), "к": ("k", "k"), "л": ("l", "l"), "м": ("m", "m"), "н": ("n", "n"),
    "о": ("o", "o"), "п": ("p", "p"), "р": ("r", "r"), "с": ("s", "s"), "т": ("t", "t"), "у": ("u", "u"),
    "ф": ("f", "f"), "х": ("kh", "kh"), "ц": ("ts", "ts"), "ч": ("ch", "ch"), "ш": ("sh", "sh"),
    "щ": ("shch", "shch"), "ь": ("", ""), "ю": ("iu", "yu"), "я": ("ia", "ya"), "'": ("", ""),
    "ы": ("y", "y"), "э": ("e", "e"), "ё": ("e", "yo"), "ъ": ("", ""),
}
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'", "ʹ": "'"})
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_SEPARATORS = re.compile(r"[\s\-‐‑–—_.]+")
_ACCENT = "\u0301"


def romanize(native: str) -> str:
    """Ukrainian Cyrillic in Ukraine's national romanisation: "Зграя" → "Zghraia", "Їжаківка" → "Yizhakivka"."""
    text = native.replace(_ACCENT, "").translate(_APOSTROPHES)
    out = []
    for i, char in enumerate(text):
        lower = char.lower()
        if lower not in _LETTERS:
            out.append(char)
            continue
        initial = i == 0 or (not text[i - 1].isalpha() and text[i - 1] != "'")
        latin = "gh" if lower == "г" and i > 0 and text[i - 1].lower() == "з" else _LETTERS[lower][initial]
        out.append(latin[:1].upper() + latin[1:] if char.isupper() else latin)
    return "".join(out)


def has_cyrillic(text: str) -> bool:
    """Does the text hold a Cyrillic letter?"""
    return _CYRILLIC.search(text) is not None


def ukrainian(name: str) -> bool:
    """Is the name spelled in Ukrainian for sure (it has і, ї, є or ґ, letters Russian lacks)?"""
    return _UKRAINIAN_LETTERS.search(name) is not None


def cyrillic_key(name: str) -> str:
    """Case, stress marks, ё/е, apostrophe forms and hyphens folded, for matching Cyrillic names:
    "Нью-Йорк" → "нью йорк", "Дем’янівка" → "демянівка"."""
    text = name.replace(_ACCENT, "").translate(_APOSTROPHES).casefold().replace("'", "").replace("ё", "е")
    return _SEPARATORS.sub(" ", text).strip()


__all__ = ["cyrillic_key", "has_cyrillic", "romanize", "ukrainian"]
