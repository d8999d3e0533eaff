"""Analysis of competing hypotheses (ACH; Heuer, *Psychology of Intelligence Analysis*, ch. 8; issue 17, item 7):
a matrix of hypotheses (columns) × evidence (rows), each cell rated consistent / inconsistent / neutral, and the
pure arithmetic around it — the weight of an item from its Admiralty grade, the weighted inconsistency of each
hypothesis, the ranking (least inconsistent first, as Heuer ranks), each item's diagnosticity and the sensitivity
of the ranking to each single item. A matrix is folded from its changes (:func:`fold`): the content at any
version is the fold of the changes up to it.

**Weights** (:func:`weight`), written once here: an Admiralty grade is a reliability letter (A completely reliable
… E unreliable; F cannot be judged) and a credibility digit (1 confirmed … 5 improbable; 6 cannot be judged).
Each half scores 4 (A, 1) down to 0 (E, 5); a half that is missing, F or 6 counts as the middle, 2 — "cannot be
judged" is no evidence of unreliability, so it weighs as an ungraded item does. ``weight = 0.5 + (r + c) / 8``:
A1 1.5 (the highest), C3 and an ungraded item 1.0 (the middle), E5 0.5 (the lowest).

**Score** of a hypothesis: the sum over evidence of ``weight × (1 for I, 2 for II)``; C, CC, N and an unrated cell
add nothing (Heuer: evidence consistent with several hypotheses proves little; refutation does the work)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from forewarn.errors import AchInvalid

MIN_HYPOTHESES, MAX_HYPOTHESES = 2, 12
MAX_EVIDENCE = 200
TEXT_MAX = 1000  # characters of a hypothesis or a free-text item
TITLE_MAX = 300
TIE = 1e-9  # scores closer than this are tied
_GRADE = re.compile(r"^(?P<r>[A-F])?(?P<c>[1-6])?$")


class Rating(StrEnum):
    """A cell's rating: CC / C consistent (strongly), N neutral or not applicable, I / II inconsistent."""

    CC = "CC"
    C = "C"
    N = "N"
    I = "I"  # noqa: E741 - Heuer's letter
    II = "II"

    @property
    def inconsistency(self) -> int:
        return {Rating.I: 1, Rating.II: 2}.get(self, 0)

    @property
    def reversed(self) -> Rating:
        """C ↔ I, CC ↔ II; N stays."""
        return {Rating.C: Rating.I, Rating.I: Rating.C, Rating.CC: Rating.II, Rating.II: Rating.CC}.get(self, self)


class EvidenceKind(StrEnum):
    DOCUMENT = "document"
    EVENT = "event"
    CLAIM = "claim"
    NOTE = "note"
    TEXT = "text"  # a free-text item, graded by the analyst


@dataclass(frozen=True, slots=True)
class Hypothesis:
    id: int  # H1, H2 … in the order added; never reused in a matrix
    text: str

    @property
    def label(self) -> str:
        return f"H{self.id}"


@dataclass(frozen=True, slots=True)
class Evidence:
    """An evidence row: a stored item (its title or sentence and its source's grade as read when it was added)
    or a free-text item with the grade its analyst gave."""

    id: int  # E1, E2 … in the order added; never reused in a matrix
    kind: EvidenceKind
    ref: str  # the item's id ("" for free text)
    text: str  # its title or sentence, or the free text
    grade: str  # Admiralty grade: "B2", "B" (reliability only), "2", "" (ungraded)
    href: str | None = None  # its page

    @property
    def label(self) -> str:
        return f"E{self.id}"

    @property
    def weight(self) -> float:
        return weight(self.grade)


@dataclass(frozen=True)
class Matrix:
    """A matrix's content at one version."""

    id: int
    title: str
    owner: str
    question_id: int | None
    version: int
    hypotheses: tuple[Hypothesis, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    ratings: Mapping[tuple[int, int], Rating] = field(default_factory=dict)  # (evidence id, hypothesis id)
    last_hypothesis: int = 0  # the highest number given so far (a removed one's is not given again)
    last_evidence: int = 0

    def rating(self, evidence_id: int, hypothesis_id: int) -> Rating | None:
        return self.ratings.get((evidence_id, hypothesis_id))


@dataclass(frozen=True, slots=True)
class Sensitive:
    """An item the ranking hinges on: removing it or reversing its ratings changes the leader or the ranking."""

    evidence: Evidence
    removed_leader: bool
    reversed_leader: bool
    removed_ranking: bool
    reversed_ranking: bool
    impact: float  # the largest change it makes to any hypothesis's score (either way)

    @property
    def leader(self) -> bool:
        return self.removed_leader or self.reversed_leader


def check_grade(text: str) -> str:
    """An Admiralty grade as typed ("b2", "B", "2", "") normalised; AchInvalid otherwise."""
    grade = (text or "").strip().upper()
    if not _GRADE.match(grade):
        raise AchInvalid(f"grade {text.strip()!r} is not an Admiralty grade",
                         hint="a reliability letter A-F and/or a credibility digit 1-6, e.g. B2; empty: ungraded")
    return grade


def weight(grade: str) -> float:
    """The weight of an item of ``grade`` (see the module's doc): A1 1.5 … ungraded 1.0 … E5 0.5."""
    found = _GRADE.match((grade or "").upper())
    r, c = (found.group("r"), found.group("c")) if found else (None, None)
    r_points = 2 if r in (None, "F") else 4 - "ABCDE".index(r)
    c_points = 2 if c in (None, "6") else 4 - (int(c) - 1)
    return 0.5 + (r_points + c_points) / 8


def check_rating(text: str) -> Rating | None:
    """A rating as typed (case-insensitive; "" or "-" clears the cell); AchInvalid outside the set."""
    value = (text or "").strip().upper()
    if value in ("", "-"):
        return None
    try:
        return Rating(value)
    except ValueError:
        raise AchInvalid(f"rating {text.strip()!r} is not one of CC, C, N, I, II",
                         hint="C consistent, I inconsistent, N neutral (CC / II strongly); '-' clears") from None


def check_text(text: str, what: str, limit: int = TEXT_MAX) -> str:
    value = " ".join((text or "").split())
    if not value:
        raise AchInvalid(f"a {what} needs its text", hint=f"write the {what} in a sentence")
    if len(value) > limit:
        raise AchInvalid(f"the {what} is {len(value):,} characters; at most {limit:,}", hint="keep it short")
    return value


# -- scores, ranking, diagnosticity, sensitivity -------------------------------------------------------------

def scores(m: Matrix, *, drop: int | None = None, flip: int | None = None) -> dict[int, float]:
    """Each hypothesis's weighted inconsistency (by hypothesis id); ``drop`` leaves an item out, ``flip``
    reverses an item's ratings."""
    out = {h.id: 0.0 for h in m.hypotheses}
    for e in m.evidence:
        if e.id == drop:
            continue
        for h in m.hypotheses:
            r = m.rating(e.id, h.id)
            if r is not None:
                out[h.id] += e.weight * (r.reversed if e.id == flip else r).inconsistency
    return out


def ranking(found: Mapping[int, float]) -> tuple[tuple[int, ...], ...]:
    """Hypothesis ids, least inconsistent first, tied ones grouped (each group in the order added)."""
    groups: list[list[int]] = []
    last: float | None = None
    for hid, score in sorted(found.items(), key=lambda kv: (kv[1], kv[0])):
        if last is not None and score - last <= TIE:
            groups[-1].append(hid)
        else:
            groups.append([hid])
            last = score
    return tuple(tuple(g) for g in groups)


def diagnostic(m: Matrix, e: Evidence) -> bool:
    """An item helps tell the hypotheses apart only when it is not rated the same against all of them (an
    unrated cell counts as neutral)."""
    return len({m.rating(e.id, h.id) or Rating.N for h in m.hypotheses}) > 1


def sensitivity(m: Matrix) -> list[Sensitive]:
    """The items the ranking hinges on — removing one, or reversing its ratings, changes which hypothesis ranks
    first or the full ranking — those that change the leader first, then by impact. Empty: it hinges on none."""
    base = scores(m)
    rank, leader = ranking(base), ranking(base)[:1]
    found = [_probe(m, e, base, rank, leader) for e in m.evidence]
    hits = [s for s in found if s is not None]
    return sorted(hits, key=lambda s: (not s.leader, -s.impact, s.evidence.id))


def _probe(m: Matrix, e: Evidence, base: Mapping[int, float], rank: tuple[tuple[int, ...], ...],
           leader: tuple[tuple[int, ...], ...]) -> Sensitive | None:
    gone, flipped = scores(m, drop=e.id), scores(m, flip=e.id)
    r_gone, r_flip = ranking(gone), ranking(flipped)
    if r_gone == rank and r_flip == rank:
        return None
    impact = max(abs(s[h] - base[h]) for s in (gone, flipped) for h in base)
    return Sensitive(e, r_gone[:1] != leader, r_flip[:1] != leader, r_gone != rank, r_flip != rank, impact)


# -- the changes a matrix is folded from ----------------------------------------------------------------------

def fold(matrix_id: int, changes: Iterable[tuple[int, str, Mapping[str, Any]]]) -> Matrix:
    """The matrix after ``changes`` — (version, op, payload), in version order, the first a ``create``."""
    m: Matrix | None = None
    for version, op, payload in changes:
        m = apply(m, matrix_id, op, payload, version)
    if m is None:
        raise AchInvalid(f"matrix {matrix_id} has no changes", hint="create it first")
    return m


def apply(m: Matrix | None, matrix_id: int, op: str, p: Mapping[str, Any], version: int) -> Matrix:
    """One change applied (pure): create, add-hypothesis, add-evidence, rate, remove-hypothesis, remove-evidence."""
    if op == "create":
        hyps = tuple(Hypothesis(i + 1, text) for i, text in enumerate(p["hypotheses"]))
        return Matrix(matrix_id, p["title"], p["owner"], p.get("question_id"), version, hyps,
                      last_hypothesis=len(hyps))
    if m is None:
        raise AchInvalid(f"matrix {matrix_id}: {op} before create", hint="a matrix's first change creates it")
    return replace(_step(m, op, p), version=version)


def _step(m: Matrix, op: str, p: Mapping[str, Any]) -> Matrix:
    if op == "add-hypothesis":
        h = Hypothesis(int(p["id"]), p["text"])
        return replace(m, hypotheses=(*m.hypotheses, h), last_hypothesis=max(m.last_hypothesis, h.id))
    if op == "add-evidence":
        e = Evidence(int(p["id"]), EvidenceKind(p["kind"]), p["ref"], p["text"], p["grade"], p.get("href"))
        return replace(m, evidence=(*m.evidence, e), last_evidence=max(m.last_evidence, e.id))
    if op == "rate":
        cells = dict(m.ratings)
        key = (int(p["evidence"]), int(p["hypothesis"]))
        if p["rating"]:
            cells[key] = Rating(p["rating"])
        else:
            cells.pop(key, None)
        return replace(m, ratings=cells)
    if op == "remove-hypothesis":
        hid = int(p["hypothesis"])
        return replace(m, hypotheses=tuple(h for h in m.hypotheses if h.id != hid),
                       ratings={k: v for k, v in m.ratings.items() if k[1] != hid})
    if op == "remove-evidence":
        eid = int(p["evidence"])
        return replace(m, evidence=tuple(e for e in m.evidence if e.id != eid),
                       ratings={k: v for k, v in m.ratings.items() if k[0] != eid})
    raise AchInvalid(f"unknown change {op!r}", hint="the changes are create, add-…, rate and remove-…")
