"""Competing hypotheses, the pure part (issue 17, item 7): grade weights, ratings, the weighted inconsistency and
its ranking (least first, ties grouped), diagnosticity, the sensitivity of the ranking to each single item, and a
matrix folded from its changes (any version reconstructible)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from typing import Any

import pytest

from forewarn.errors import AchInvalid, Code
from forewarn.model.ach import (
    Evidence,
    EvidenceKind,
    Hypothesis,
    Matrix,
    Rating,
    check_grade,
    check_rating,
    diagnostic,
    fold,
    ranking,
    scores,
    sensitivity,
    weight,
)


def _matrix(rows: list[tuple[str, str]], n: int = 3) -> Matrix:
    """rows: (grade, ratings as one letter per hypothesis: c C n i I or - for unrated; C/I upper = strongly)."""
    letters = {"c": Rating.C, "C": Rating.CC, "n": Rating.N, "i": Rating.I, "I": Rating.II}
    hyps = tuple(Hypothesis(i + 1, f"h{i + 1}") for i in range(n))
    ev = tuple(Evidence(j + 1, EvidenceKind.TEXT, "", f"e{j + 1}", g) for j, (g, _) in enumerate(rows))
    cells = {(j + 1, i + 1): letters[ch] for j, (_, rs) in enumerate(rows) for i, ch in enumerate(rs) if ch != "-"}
    return Matrix(1, "t", "o", None, 1, hyps, ev, cells)


@pytest.mark.parametrize(("grade", "expected"), [
    ("A1", 1.5), ("E5", 0.5), ("", 1.0), ("C3", 1.0), ("F6", 1.0), ("F", 1.0), ("6", 1.0), ("A", 1.25),
    ("B2", 1.25), ("D", 0.875), ("5", 0.75)])
def test_weights_from_the_admiralty_grade(grade: str, expected: float) -> None:
    assert weight(grade) == pytest.approx(expected)


def test_weights_fall_with_each_half_of_the_grade() -> None:
    for r, c in itertools.product("ABCDE", "12345"):
        if r != "E":
            assert weight(f"{r}{c}") > weight(f"{chr(ord(r) + 1)}{c}")
        if c != "5":
            assert weight(f"{r}{c}") > weight(f"{r}{int(c) + 1}")
    assert max(weight(f"{r}{c}") for r, c in itertools.product("ABCDEF", "123456")) == weight("A1")
    assert min(weight(f"{r}{c}") for r, c in itertools.product("ABCDEF", "123456")) == weight("E5")


def test_grades_and_ratings_are_checked_with_a_code_and_a_hint() -> None:
    assert check_grade(" b2 ") == "B2" and check_grade("") == "" and check_grade("3") == "3"
    for bad in ("G1", "A7", "AA", "1A", "B22"):
        with pytest.raises(AchInvalid) as e:
            check_grade(bad)
        assert e.value.code is Code.ACH_INVALID and e.value.hint
    assert check_rating("ii") is Rating.II and check_rating(" c ") is Rating.C and check_rating("-") is None
    with pytest.raises(AchInvalid, match="not one of CC, C, N, I, II") as e:
        check_rating("X")
    assert e.value.code.value == "FW-E072"


def test_score_is_the_weighted_inconsistency_and_ranks_least_first() -> None:
    m = _matrix([("A1", "cin"), ("E5", "Iic"), ("", "-cC")])
    assert scores(m) == pytest.approx({1: 0.5 * 2, 2: 1.5 + 0.5, 3: 0.0})
    assert ranking(scores(m)) == ((3,), (1,), (2,))


def test_ties_are_grouped_in_the_order_added() -> None:
    m = _matrix([("C3", "iic"), ("C3", "nnn")])
    assert ranking(scores(m)) == ((3,), (1, 2))
    assert not diagnostic(m, m.evidence[1]) and diagnostic(m, m.evidence[0])
    unrated = _matrix([("", "n--")])
    assert not diagnostic(unrated, unrated.evidence[0])  # an unrated cell reads as neutral


def test_sensitivity_lists_the_items_the_leader_hinges_on_strongest_first() -> None:
    # scores: H1 0.5 (E2, weak), H2 1.5 (E1, strong), H3 1.0 (E3): H1 leads
    m = _matrix([("A1", "ciC"), ("E5", "icc"), ("C3", "cci")], n=3)
    assert ranking(scores(m)) == ((1,), (3,), (2,))
    found = sensitivity(m)
    assert [s.evidence.label for s in found] == ["E1", "E3"]  # E2 removed or reversed leaves the ranking as it is
    e1, e3 = found
    # without E1, H2 leads; reversed, its CC against H3 becomes II (2 × 1.5)
    assert e1.removed_leader and e1.reversed_leader and e1.impact == pytest.approx(3.0)
    assert e3.removed_leader and e3.impact == pytest.approx(1.0)  # without E3, H3 leads


def test_a_ranking_that_hinges_on_no_single_item() -> None:
    m = _matrix([("A1", "cii"), ("A1", "cii"), ("A1", "cii")], n=3)
    assert sensitivity(m) == []  # removing or reversing any one still leaves H1 first, H2 = H3


def _brute(m: Matrix) -> set[str]:
    """The sensitive items by rebuilding the matrix without / with each item reversed (independent of scores'
    drop/flip arguments)."""
    base = ranking(scores(m))
    hit = set()
    for e in m.evidence:
        gone = Matrix(1, "t", "o", None, 1, m.hypotheses, tuple(x for x in m.evidence if x.id != e.id),
                      {k: v for k, v in m.ratings.items() if k[0] != e.id})
        flipped = Matrix(1, "t", "o", None, 1, m.hypotheses, m.evidence,
                         {k: (v.reversed if k[0] == e.id else v) for k, v in m.ratings.items()})
        if ranking(scores(gone)) != base or ranking(scores(flipped)) != base:
            hit.add(e.label)
    return hit


def test_sensitivity_agrees_with_rebuilding_the_matrix_on_random_cases() -> None:
    rng = random.Random(17)
    for _ in range(300):
        n, k = rng.randint(2, 6), rng.randint(1, 8)
        rows = [(rng.choice(["A1", "B2", "C3", "", "E5", "F6"]), "".join(rng.choice("cCniI-") for _ in range(n)))
                for _ in range(k)]
        m = _matrix(rows, n)
        assert {s.evidence.label for s in sensitivity(m)} == _brute(m)


def _changes() -> list[tuple[int, str, Mapping[str, Any]]]:
    return [
        (1, "create", {"title": "Kursk", "owner": "ana", "question_id": 3, "hypotheses": ["feint", "incursion"]}),
        (2, "add-evidence", {"id": 1, "kind": "text", "ref": "", "text": "bridging kit", "grade": "B2",
                             "href": None}),
        (3, "rate", {"evidence": 1, "hypothesis": 1, "rating": "I"}),
        (4, "add-hypothesis", {"id": 3, "text": "exercise"}),
        (5, "rate", {"evidence": 1, "hypothesis": 1, "rating": ""}),
        (6, "remove-hypothesis", {"hypothesis": 2}),
    ]


def test_a_matrix_is_the_fold_of_its_changes_at_every_version() -> None:
    ch = _changes()
    at3 = fold(9, ch[:3])
    assert at3.version == 3 and at3.rating(1, 1) is Rating.I and at3.question_id == 3
    now = fold(9, ch)
    assert now.version == 6 and [h.label for h in now.hypotheses] == ["H1", "H3"] and now.rating(1, 1) is None
    assert now.last_hypothesis == 3 and now.last_evidence == 1
    with pytest.raises(AchInvalid):
        fold(9, ch[1:])  # no create
    with pytest.raises(AchInvalid):
        fold(9, [])
