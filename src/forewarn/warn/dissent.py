"""Protected dissent (``ws.dissents``; issue 17): any analyst may dissent from a published line (once its question
is revealed to them: the blind rule of :meth:`forewarn.warn.judgments.JudgmentDesk.view`) or from a warning's
disposition. Filing is one transaction with its ``dissent-filed`` ledger entry; nothing here edits or hides one
(the database refuses UPDATE and DELETE on ``dissents``: migration 0017).

A line dissent's entry holds a salted commitment of its text, not the text (subject ``question:N``); a disposition
dissent's entry holds the text (subject ``warning:N``, so it is in the warning's history). ``forewarn ledger
verify`` checks every row against its entry (:mod:`forewarn.ledger.crosscheck`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select

from forewarn.errors import Forbidden, InvalidArgument, NotFound
from forewarn.ledger.service import LedgerService
from forewarn.model import Principal, Role
from forewarn.model.dissent import Dissent, DissentTarget, check_dissent, dissent_commitment, dissent_json, target_of
from forewarn.model.judgment import new_salt
from forewarn.model.marking import EVERYTHING, Access
from forewarn.store import SqlStore
from forewarn.store import schema as t
from forewarn.warn import rows as warning_rows

if TYPE_CHECKING:  # warn.judgments imports warn.notify, which imports this module
    from forewarn.warn.judgments import QuestionView

D, L, W = t.dissents.c, t.published_lines.c, t.warnings.c


@dataclass(frozen=True)
class DissentDesk:
    store: SqlStore
    clock: Callable[[], datetime]
    who: Principal
    ledger: LedgerService
    view: Callable[[str], QuestionView]  # the judgments desk's blind read path (``ws.judgments.view``)
    access: Callable[[], Access] = lambda: EVERYTHING  # what the asker may see (the workspace's Reads.access)

    def file(self, target: str, target_id: int, text: str) -> Dissent:
        """File the asker's dissent from a line or a disposition (``dissent-filed``); analyst or above."""
        self.who.require(Role.ANALYST, "dissent")
        kind, said = target_of(target), check_dissent(text)
        if kind is DissentTarget.LINE:
            return self._file_line(self._visible_line(target_id), target_id, said)
        with self.store.transaction() as conn:
            return self._file_disposition(conn, target_id, said)

    def of_line(self, line_id: int) -> tuple[Dissent, ...]:
        """The dissents from a line (oldest first); none while its question is hidden from the asker."""
        return self.of_lines([line_id])

    def of_lines(self, ids: Iterable[int]) -> tuple[Dissent, ...]:
        """The dissents from these lines that the asker may see (oldest first)."""
        wanted = sorted(set(ids))
        if not wanted:
            return ()
        with self.store.engine.connect() as conn:
            found = _select(conn, D.target == DissentTarget.LINE.value, D.target_id.in_(wanted))
        shown = {q: self._revealed(q) for q in {d.question_id for d in found}}
        return tuple(d for d in found if shown[d.question_id])

    def _revealed(self, question_id: int | None) -> bool:
        """Whether a question's lines (and so their dissents) show to the asker: not when it is hidden from them
        (its compartment) or still blind to them."""
        try:
            return self.view(str(question_id)).revealed
        except NotFound:
            return False

    def of_view(self, v: QuestionView) -> tuple[Dissent, ...]:
        """The dissents from the lines of a question as the judgments desk showed it to this asker (its blind read
        path already decided: the lines are there only when revealed), without reading the question again."""
        ids = sorted({x.id for x in v.lines}) if v.revealed else []
        if not ids:
            return ()
        with self.store.engine.connect() as conn:
            return tuple(_select(conn, D.target == DissentTarget.LINE.value, D.target_id.in_(ids)))

    def of_warning(self, warning_id: int) -> tuple[Dissent, ...]:
        """The dissents from a warning's disposition (oldest first)."""
        with self.store.engine.connect() as conn:
            return tuple(_select(conn, D.target == DissentTarget.DISPOSITION.value, D.target_id == warning_id,
                                 *self._warnings_seen()))

    def listing(self, question: str | None = None, warning: int | None = None) -> tuple[Dissent, ...]:
        """The dissents of a question's lines, of a warning, or (neither) every one the asker may see."""
        if question is not None:
            return self._of_question(question)
        if warning is not None:
            return self.of_warning(warning)
        with self.store.engine.connect() as conn:
            ids = list(conn.execute(select(D.target_id).where(D.target == DissentTarget.LINE.value)).scalars())
        return self.of_lines(ids) + self._all_dispositions()

    def _of_question(self, ref: str) -> tuple[Dissent, ...]:
        v = self.view(ref)
        if not v.revealed:
            return ()
        with self.store.engine.connect() as conn:
            return tuple(_select(conn, D.target == DissentTarget.LINE.value, D.question_id == v.question.id))

    def _all_dispositions(self) -> tuple[Dissent, ...]:
        with self.store.engine.connect() as conn:
            return tuple(_select(conn, D.target == DissentTarget.DISPOSITION.value, *self._warnings_seen()))

    def _warnings_seen(self) -> list[Any]:
        """The condition that keeps the dissents from dispositions of warnings the asker may see."""
        hidden = sorted(self.access().hidden)
        if not hidden:
            return []
        return [D.target_id.not_in(select(W.id).where(W.compartment.in_(hidden)))]

    def _visible_line(self, line_id: int) -> int:
        """The line's question, when the line is visible to the asker (lines are never removed and a question,
        once revealed to someone, stays so: the check holds for the write that follows)."""
        with self.store.engine.connect() as conn:
            question_id = conn.execute(select(L.question_id).where(L.id == line_id)).scalar()
        try:  # a question hidden from the asker (its compartment): as a wrong line id
            revealed = question_id is not None and self.view(str(question_id)).revealed
        except NotFound:
            question_id = None
        if question_id is None:
            raise NotFound(f"no published line {line_id}", hint="`forewarn question show Q --json` lists its lines")
        if not revealed:
            raise Forbidden(f"line {line_id} is not yet visible to {self.who.name}",
                            hint=f"record your own estimate on question {question_id} first (the blind rule)")
        return int(question_id)

    def _file_line(self, question_id: int, line_id: int, text: str) -> Dissent:
        made = Dissent(0, DissentTarget.LINE, line_id, question_id, self.who.name, text, self.clock(),
                       new_salt())
        with self.store.transaction() as conn:
            made = _insert(conn, made)
            self.ledger.append(conn, "dissent-filed", f"question:{question_id}", {
                **_entry(made), "commitment": dissent_commitment(made)})
            return made

    def _file_disposition(self, conn: Connection, warning_id: int, text: str) -> Dissent:
        w = warning_rows.fetch(conn, warning_id, access=self.access())  # a hidden warning: NotFound
        if w.disposition is None:
            raise InvalidArgument(f"warning {warning_id} has no disposition to dissent from",
                                  hint="a dissent is filed against a disposed-of warning's disposition")
        made = _insert(conn, Dissent(0, DissentTarget.DISPOSITION, warning_id, None, self.who.name, text,
                                     self.clock()))
        self.ledger.append(conn, "dissent-filed", f"warning:{warning_id}", {
            **_entry(made), "disposition": w.disposition.value, "text": text})
        return made


def _entry(d: Dissent) -> dict[str, Any]:
    return {"id": d.id, "target": d.target.value, "target_id": d.target_id, "question_id": d.question_id,
            "analyst": d.analyst, "at": d.at.isoformat()}


def _insert(conn: Connection, d: Dissent) -> Dissent:
    row = {"target": d.target.value, "target_id": d.target_id, "question_id": d.question_id, "analyst": d.analyst,
           "text": d.text, "at": d.at, "salt": d.salt}
    return replace(d, id=int(conn.execute(t.dissents.insert().values(row).returning(D.id)).scalar_one()))


def _select(conn: Connection, *where: Any) -> list[Dissent]:
    rows = conn.execute(select(t.dissents).where(*where).order_by(D.at, D.id))
    return [Dissent(r.id, DissentTarget(r.target), r.target_id, r.question_id, r.analyst, r.text, r.at, r.salt)
            for r in rows]


def dissents_json(found: Iterable[Dissent]) -> list[dict[str, Any]]:
    return [dissent_json(d) for d in found]


def warning_dissents(conn: Connection, warning_id: int) -> list[dict[str, Any]]:
    """The dissents from a warning's disposition as a notification carries them (read in the caller's
    transaction: the notification is queued in the one that changed the warning)."""
    return dissents_json(_select(conn, D.target == DissentTarget.DISPOSITION.value, D.target_id == warning_id))
