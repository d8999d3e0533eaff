"""Competing hypotheses (``ws.ach``; issue 17, item 7): matrices of hypotheses × evidence, each belonging to a
question or standing alone, with an owner.

Every change — create, add a hypothesis or an item, rate a cell, remove one — is one transaction: a row of
``ach_changes`` numbered by the matrix's next version (append-only), the matrix's current version, and its ledger
entry ``ach-changed`` (the matrix id, the version, the change and, under ``payload``, the row's payload; ``ledger
verify`` checks each row against it). A matrix at any version is the fold of its changes up to it
(:func:`forewarn.model.ach.fold`). Analysts and above change matrices; any viewer reads.

An item cited by id is read through the one read path (``ws.reads.ach_evidence``) when it is added: its title or
sentence, its page and its source's reliability letter are kept in the change, so a version's scores stay as they
were; the analyst may add the information's credibility digit (1-6). A free-text item carries the grade its analyst
gives."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from forewarn.errors import AchInvalid, NotFound
from forewarn.ledger.service import LedgerService
from forewarn.model import Principal, Role
from forewarn.model.ach import (
    MAX_EVIDENCE,
    MAX_HYPOTHESES,
    MIN_HYPOTHESES,
    TITLE_MAX,
    EvidenceKind,
    Matrix,
    Sensitive,
    apply,
    check_grade,
    check_rating,
    check_text,
    diagnostic,
    fold,
    ranking,
    scores,
    sensitivity,
)
from forewarn.model.marking import EVERYTHING, Access
from forewarn.reads.ach import Found
from forewarn.store import SqlStore
from forewarn.store import schema as t
from forewarn.store.access import hidden_among
from forewarn.warn.judgments import fetch as fetch_question
from forewarn.warn.judgments import no_question

M, C, Q = t.ach_matrices.c, t.ach_changes.c, t.questions.c
LIST_CAP = 500


@dataclass(frozen=True, slots=True)
class MatrixRow:
    """A matrix in a list."""

    id: int
    title: str
    owner: str
    question_id: int | None
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """One version of a matrix: what changed, by whom, when."""

    version: int
    op: str
    payload: Mapping[str, Any]
    actor: str
    at: datetime


@dataclass(frozen=True)
class AchDesk:
    store: SqlStore
    clock: Callable[[], datetime]
    who: Principal
    ledger: LedgerService
    evidence: Callable[[str], Found]  # ws.reads.ach_evidence
    access: Callable[[], Access] = lambda: EVERYTHING  # what the asker may see (the workspace's Reads.access)

    def create(self, title: str, hypotheses: Sequence[str], question_id: int | None = None,
               owner: str | None = None) -> Matrix:
        """A new matrix with its first hypotheses (2 to 12): version 1."""
        self.who.require(Role.ANALYST, "change a competing-hypotheses matrix")
        texts = [check_text(h, "hypothesis") for h in hypotheses]
        _count(len(texts))
        name = check_text(title, "title", TITLE_MAX)
        now = self.clock()
        with self.store.transaction() as conn:
            if question_id is not None:
                q = fetch_question(conn, question_id)  # NotFound for an unknown question
                if not self.access().sees(conn.execute(select(Q.compartment).where(Q.id == q.id)).scalar()):
                    raise no_question(question_id)  # the same NotFound as for a wrong id
            row = {"title": name, "owner": (owner or self.who.name).strip()[:128] or self.who.name,
                   "question_id": question_id, "version": 0, "created_by": self.who.name, "created_at": now,
                   "updated_at": now}
            mid = int(conn.execute(t.ach_matrices.insert().values(row).returning(M.id)).scalar_one())
            payload = {"title": name, "owner": row["owner"], "question_id": question_id, "hypotheses": texts}
            return self._record(conn, None, mid, "create", payload)

    def add_hypothesis(self, matrix_id: int, text: str) -> Matrix:
        self.who.require(Role.ANALYST, "change a competing-hypotheses matrix")
        value = check_text(text, "hypothesis")
        with self.store.transaction() as conn:
            m = self._current(conn, matrix_id)
            _count(len(m.hypotheses) + 1)
            return self._record(conn, m, matrix_id, "add-hypothesis", {"id": m.last_hypothesis + 1, "text": value})

    def add_evidence(self, matrix_id: int, ref: str = "", text: str = "", grade: str = "") -> Matrix:
        """Cite a document, event, claim or note by id (``ref``; ``grade``: the credibility digit, if any), or add
        a free-text item (``text``) with its Admiralty grade."""
        self.who.require(Role.ANALYST, "change a competing-hypotheses matrix")
        item = self._item(ref.strip(), text, check_grade(grade))
        with self.store.transaction() as conn:
            m = self._current(conn, matrix_id)
            if len(m.evidence) >= MAX_EVIDENCE:
                raise AchInvalid(f"matrix {matrix_id} has {MAX_EVIDENCE} items already",
                                 hint="remove non-diagnostic items first")
            return self._record(conn, m, matrix_id, "add-evidence", {"id": m.last_evidence + 1, **item})

    def rate(self, matrix_id: int, evidence_id: int, hypothesis_id: int, rating: str) -> Matrix:
        """Rate a cell (CC, C, N, I, II; "" or "-" clears it). Rating it as it is already changes nothing."""
        self.who.require(Role.ANALYST, "change a competing-hypotheses matrix")
        value = check_rating(rating)
        with self.store.transaction() as conn:
            m = self._current(conn, matrix_id)
            _known(m, evidence_id, hypothesis_id)
            if m.rating(evidence_id, hypothesis_id) == value:
                return m
            payload = {"evidence": evidence_id, "hypothesis": hypothesis_id, "rating": value.value if value else ""}
            return self._record(conn, m, matrix_id, "rate", payload)

    def remove_hypothesis(self, matrix_id: int, hypothesis_id: int) -> Matrix:
        self.who.require(Role.ANALYST, "change a competing-hypotheses matrix")
        with self.store.transaction() as conn:
            m = self._current(conn, matrix_id)
            _known(m, None, hypothesis_id)
            if len(m.hypotheses) <= MIN_HYPOTHESES:
                raise AchInvalid(f"matrix {matrix_id} keeps at least {MIN_HYPOTHESES} hypotheses",
                                 hint="add another hypothesis before removing this one")
            return self._record(conn, m, matrix_id, "remove-hypothesis", {"hypothesis": hypothesis_id})

    def remove_evidence(self, matrix_id: int, evidence_id: int) -> Matrix:
        self.who.require(Role.ANALYST, "change a competing-hypotheses matrix")
        with self.store.transaction() as conn:
            m = self._current(conn, matrix_id)
            _known(m, evidence_id, None)
            return self._record(conn, m, matrix_id, "remove-evidence", {"evidence": evidence_id})

    def get(self, matrix_id: int, version: int | None = None) -> Matrix:
        """The matrix now, or as it was at ``version``."""
        with self.store.engine.connect() as conn:
            changes = self._changes(conn, matrix_id)
        if version is not None and not 1 <= version <= len(changes):
            raise NotFound(f"matrix {matrix_id} has no version {version}",
                           hint=f"its versions are 1 to {len(changes)}")
        return fold(matrix_id, ((c.version, c.op, c.payload) for c in changes[:version]))

    def history(self, matrix_id: int) -> list[Change]:
        """Every change of the matrix, oldest first (an item from holdings hidden from the asker withheld)."""
        with self.store.engine.connect() as conn:
            return self._changes(conn, matrix_id)

    def _changes(self, conn: Connection, matrix_id: int) -> list[Change]:
        """The changes of a matrix the asker may see (one of a question hidden from them: NotFound, as a wrong id),
        each item cited from a hidden document, event, claim or note withheld (:func:`withhold`)."""
        self._check_seen(conn, matrix_id)
        changes = _changes(conn, matrix_id)
        hidden = hidden_items(conn, [c.payload for c in changes if c.op == "add-evidence"], self.access())
        return [withhold(c, hidden) for c in changes] if hidden else changes

    def _check_seen(self, conn: Connection, matrix_id: int) -> None:
        """NotFound (as for a wrong id) for a matrix of a question hidden from the asker; no query when none is."""
        hidden = self._hidden_questions()
        if hidden is not None and conn.execute(select(M.id).where(M.id == matrix_id,
                                                                  M.question_id.in_(hidden))).first():
            raise no_matrix(matrix_id)

    def _hidden_questions(self) -> Select[Any] | None:
        """The ids of the questions hidden from the asker (a subquery); None when nothing is hidden."""
        hidden = sorted(self.access().hidden)
        return select(Q.id).where(Q.compartment.in_(hidden)) if hidden else None

    def listing(self, question_id: int | None = None) -> list[MatrixRow]:
        """The matrices (of a question, or all) the asker may see, most recently changed first, at most LIST_CAP."""
        cond = [M.question_id == question_id] if question_id is not None else []
        hidden = self._hidden_questions()
        if hidden is not None:
            cond.append(M.question_id.is_(None) | M.question_id.not_in(hidden))
        with self.store.engine.connect() as conn:
            rows = conn.execute(select(t.ach_matrices).where(*cond)
                                .order_by(M.updated_at.desc(), M.id.desc()).limit(LIST_CAP))
            return [MatrixRow(r.id, r.title, r.owner, r.question_id, r.version, r.created_by, r.created_at,
                              r.updated_at) for r in rows]

    def _item(self, ref: str, text: str, grade: str) -> dict[str, Any]:
        if not ref:
            value = check_text(text, "evidence item")
            return {"kind": EvidenceKind.TEXT.value, "ref": "", "text": value, "grade": grade, "href": None}
        if grade[:1].isalpha():
            raise AchInvalid(f"{ref} is graded by its source; give only the credibility (1-6), not {grade!r}",
                             hint="the source's reliability letter comes from the source; regrade the source")
        found = self.evidence(ref)
        return {"kind": found.kind, "ref": found.ref, "text": found.text, "grade": found.grade + grade,
                "href": found.href}

    def _current(self, conn: Connection, matrix_id: int) -> Matrix:
        """The matrix now, its row locked (PostgreSQL) so that two changes cannot both take the next version."""
        conn.execute(select(M.id).where(M.id == matrix_id).with_for_update())
        self._check_seen(conn, matrix_id)
        return fold(matrix_id, ((c.version, c.op, c.payload) for c in _changes(conn, matrix_id)))

    def _record(self, conn: Connection, m: Matrix | None, matrix_id: int, op: str,
                payload: dict[str, Any]) -> Matrix:
        version, now = (m.version if m else 0) + 1, self.clock()
        after = apply(m, matrix_id, op, payload, version)
        conn.execute(t.ach_changes.insert().values(matrix_id=matrix_id, version=version, op=op, payload=payload,
                                                   actor=self.who.name, at=now))
        conn.execute(t.ach_matrices.update().where(M.id == matrix_id).values(version=version, updated_at=now))
        self.ledger.append(conn, "ach-changed", subject(matrix_id),
                           {"id": matrix_id, "version": version, "change": op, "payload": payload})
        return after



WITHHELD = "evidence from holdings you may not see"


def hidden_items(conn: Connection, items: Sequence[Mapping[str, Any]], access: Access) -> set[tuple[str, str]]:
    """The (kind, ref) of the cited items among ``items`` (add-evidence payloads) from documents, events, claims or
    notes ``access`` may not see: one query per kind."""
    hidden = sorted(access.hidden)
    if not hidden:
        return set()
    refs: dict[str, set[str]] = {}
    for item in items:
        if item.get("ref") and item.get("kind") in ("document", "event", "claim", "note"):
            refs.setdefault(str(item["kind"]), set()).add(str(item["ref"]))
    docs = hidden_among(conn, access, documents=[*refs.get("document", ()),
                                                 *(r.rpartition(":")[0] for r in refs.get("claim", ()))])
    events = hidden_among(conn, access, events=refs.get("event", ()))
    found = {("document", r) for r in refs.get("document", ()) if r in docs}
    found |= {("claim", r) for r in refs.get("claim", ()) if r.rpartition(":")[0] in docs}
    found |= {("event", r) for r in refs.get("event", ()) if r in events}
    notes = sorted(int(r) for r in refs.get("note", ()) if r.isdigit() and len(r) <= 9)
    if notes:  # a note is hidden by its own compartment or its document's
        n, d = t.annotation_notes.c, t.documents.c
        found |= {("note", str(i)) for i in conn.execute(select(n.id).where(n.id.in_(notes), (
            n.compartment.in_(hidden) | n.document_id.in_(select(d.id).where(d.compartment.in_(hidden)))))).scalars()}
    return found


def withhold(c: Change, hidden: set[tuple[str, str]]) -> Change:
    """A change as the asker may see it: an item cited from a hidden holding keeps its place, its grade and its
    ratings (the matrix's scores stay as they are), not its id, text or page."""
    p = c.payload
    if c.op != "add-evidence" or (str(p.get("kind")), str(p.get("ref"))) not in hidden:
        return c
    return Change(c.version, c.op, {**p, "kind": EvidenceKind.TEXT.value, "ref": "", "text": WITHHELD, "href": None},
                  c.actor, c.at)


def subject(matrix_id: int) -> str:
    return f"ach:{matrix_id}"


def _count(n: int) -> None:
    if not MIN_HYPOTHESES <= n <= MAX_HYPOTHESES:
        raise AchInvalid(f"a matrix has {MIN_HYPOTHESES} to {MAX_HYPOTHESES} hypotheses, not {n}",
                         hint="merge close hypotheses, or split the question into two matrices"
                         if n > MAX_HYPOTHESES else "name at least two competing hypotheses")


def _known(m: Matrix, evidence_id: int | None, hypothesis_id: int | None) -> None:
    if evidence_id is not None and all(e.id != evidence_id for e in m.evidence):
        raise AchInvalid(f"matrix {m.id} has no item E{evidence_id}",
                         hint=f"its items are {', '.join(e.label for e in m.evidence) or 'none yet'}")
    if hypothesis_id is not None and all(h.id != hypothesis_id for h in m.hypotheses):
        raise AchInvalid(f"matrix {m.id} has no hypothesis H{hypothesis_id}",
                         hint=f"its hypotheses are {', '.join(h.label for h in m.hypotheses)}")


def no_matrix(matrix_id: int) -> NotFound:
    """The one answer for a matrix that is not there, or hangs on a question hidden from the asker."""
    return NotFound(f"no matrix {matrix_id}", hint="`forewarn ach list` lists them")


def _changes(conn: Connection, matrix_id: int) -> list[Change]:
    rows = list(conn.execute(select(t.ach_changes).where(C.matrix_id == matrix_id).order_by(C.version)))
    if not rows:
        raise no_matrix(matrix_id)
    return [Change(r.version, r.op, r.payload, r.actor, r.at) for r in rows]


def matrix_json(m: Matrix) -> dict[str, Any]:
    """A matrix with its scores, ranking (least inconsistent first; tied ones grouped), each item's weight and
    diagnosticity, and the items its ranking hinges on — as the CLI and the API show it."""
    found = scores(m)
    return {"id": m.id, "title": m.title, "owner": m.owner, "question_id": m.question_id, "version": m.version,
            "hypotheses": [{"id": h.id, "label": h.label, "text": h.text, "inconsistency": round(found[h.id], 6)}
                           for h in m.hypotheses],
            "evidence": [{"id": e.id, "label": e.label, "kind": e.kind.value, "ref": e.ref, "text": e.text,
                          "grade": e.grade, "weight": e.weight, "href": e.href, "diagnostic": diagnostic(m, e),
                          "ratings": {f"H{h.id}": (r.value if (r := m.rating(e.id, h.id)) else None)
                                      for h in m.hypotheses}} for e in m.evidence],
            "ranking": [[f"H{hid}" for hid in group] for group in ranking(found)],
            "sensitivity": [sensitive_json(s) for s in sensitivity(m)]}


def sensitive_json(s: Sensitive) -> dict[str, Any]:
    return {"evidence": s.evidence.label, "removed_changes_leader": s.removed_leader,
            "reversed_changes_leader": s.reversed_leader, "removed_changes_ranking": s.removed_ranking,
            "reversed_changes_ranking": s.reversed_ranking, "impact": round(s.impact, 6)}


def change_json(c: Change) -> dict[str, Any]:
    return {"version": c.version, "change": c.op, "payload": dict(c.payload), "actor": c.actor,
            "at": c.at.isoformat()}


def row_json(r: MatrixRow) -> dict[str, Any]:
    return {"id": r.id, "title": r.title, "owner": r.owner, "question_id": r.question_id, "version": r.version,
            "created_by": r.created_by, "created_at": r.created_at.isoformat(), "updated_at": r.updated_at.isoformat()}
