"""Entities worth reading: the noise rules and the merge suggestions (pure functions)."""

from __future__ import annotations

from forewarn.reads.entities import Candidate, suggest_merges
from forewarn.reads.entity_noise import common_words, noise_reason

PLACES = {"sumy", "kharkiv", "paris"}


def _noise(name: str, kind: str = "person", origin: str = "ner") -> str | None:
    return noise_reason(name, kind, origin, words=common_words(), is_place=lambda n: n.casefold() in PLACES)


def test_capitalised_and_all_caps_common_words_are_noise() -> None:
    assert _noise("AGAIN", "org") == "all-caps common word"
    assert _noise("Armour") == "capitalised common word"
    assert _noise("Strike", "org") == "capitalised common word"


def test_places_typed_as_persons_or_one_word_orgs_are_noise() -> None:
    assert _noise("Sumy") == "a place, typed as a person"
    assert _noise("Kharkiv", "org") == "a place, typed as an organisation"
    assert _noise("Kharkiv Regional Administration", "org") is None  # an organisation of a place is real


def test_real_names_and_generic_actors_are_kept() -> None:
    for name, kind in (("Vladimir Putin", "person"), ("Zelensky", "person"), ("Hamas", "group"), ("NATO", "org"),
                       ("military", "group"), ("police", "group"), ("Ministry of Defence", "org")):
        assert _noise(name, kind) is None, name


def test_dictionary_entities_and_places_are_never_noise() -> None:
    assert _noise("Again", "org", origin="dictionary") is None
    assert _noise("Sumy", "person", origin="user") is None
    assert _noise("Reading", "place") is None


def test_odd_person_tokens_and_run_together_names() -> None:
    assert _noise("CTO") == "one token, not a name"
    assert _noise("Belgorod, Bryansk\n\n", "org") == "several names run together"


def test_merge_suggestions_less_active_into_more_active() -> None:
    pool = [Candidate("ner:person:vladimir-putin", "Vladimir Putin", "person", 12),
            Candidate("ner:person:putin", "Putin", "person", 3),
            Candidate("ner:org:fsb", "FSB", "org", 5), Candidate("ner:org:fsb-2", "F.S.B.", "org", 1),
            Candidate("ner:person:zelensky", "Zelensky", "person", 4),
            Candidate("ner:person:olena-zelenska", "Olena Zelenska", "person", 2)]
    found = {(s.from_id, s.into_id): s.reason for s in suggest_merges(pool)}
    assert ("ner:person:putin", "ner:person:vladimir-putin") in found
    assert not any("zelensk" in a and "zelensk" in b for a, b in found)  # different names are not suggested


def test_a_surname_that_fits_two_full_names_is_not_suggested() -> None:
    pool = [Candidate("a", "Ivan Petrov", "person", 5), Candidate("b", "Oleg Petrov", "person", 4),
            Candidate("c", "Petrov", "person", 1)]
    assert suggest_merges(pool) == []


def test_shared_alias_and_same_name_after_transliteration() -> None:
    pool = [Candidate("x", "Wagner Group", "group", 9), Candidate("y", "PMC Wagner", "group", 2),
            Candidate("k", "Kyiv Post", "org", 3), Candidate("k2", "Kyiv  Post", "org", 1)]
    found = {(s.from_id, s.into_id) for s in suggest_merges(pool, {"wagner": ["x", "y"]})}
    assert found == {("y", "x"), ("k2", "k")}
