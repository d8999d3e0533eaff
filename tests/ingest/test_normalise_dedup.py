"""Normalisation, content ids and fingerprints."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from forewarn.ingest import dedup
from forewarn.ingest.normalise import document_id, normalise

REPORT = ("Columns of armour and fuel trucks moved through Khotin towards the border overnight, "
          "residents said; the school was taken over by soldiers from an unfamiliar unit.")


def test_layout_does_not_change_the_id() -> None:
    messy = "\ufeff  Columns of armour and fuel trucks\u00a0moved through Khotin towards the border\n overnight, " \
            "residents said;\tthe school was taken over by soldiers from an unfamiliar\u200b unit.  \r\n"
    assert normalise(messy) == REPORT
    assert document_id(normalise(messy)) == document_id(REPORT)


def test_paragraphs_survive_and_case_counts() -> None:
    assert normalise("One.\r\n\r\n\r\n  Two\n lines.\n \nThree.") == "One.\n\nTwo lines.\n\nThree."
    assert document_id(normalise("Sumy")) != document_id(normalise("sumy"))


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


def test_fingerprints_ignore_case_and_punctuation_and_batching() -> None:
    shouting = REPORT.upper().replace(";", " —")
    a, b, c = dedup.fingerprints([REPORT, shouting, "Unrelated: the harvest in Kursk is late this year."])
    assert a.signature == b.signature and a.shingles == b.shingles
    assert a.signature != c.signature
    assert dedup.fingerprint(REPORT) == a  # alone or in a batch: the same fingerprint
    assert len(a.band_keys) == dedup.BANDS and len(a.signature) == 4 * dedup.NUM_PERM


def test_words_of_other_scripts_are_words() -> None:
    words, owner = dedup.word_hashes(["Колона техніки біля Сум", "колона ТЕХНІКИ біля сум!"])
    assert len(words) == 8 and list(owner) == [0] * 4 + [1] * 4
    assert list(words[:4]) == list(words[4:])


def test_overlap_finds_a_truncated_repost_and_rejects_a_different_story() -> None:
    long = " ".join(f"{REPORT} Day {i} brought more of the same near village {i}." for i in range(6))
    base, cut, other = dedup.fingerprints([long, long[: len(long) * 2 // 3], "A different story. " * 30])
    sigs = np.stack([np.frombuffer(x.signature, dtype="<u4") for x in (cut, other)])
    jaccard, coefficient = dedup.overlaps(base.signature, base.shingles, sigs, np.array([cut.shingles, other.shingles]))
    assert dedup.is_near_duplicate(jaccard[0], coefficient[0], 0.7)
    assert not dedup.is_near_duplicate(jaccard[1], coefficient[1], 0.7)
