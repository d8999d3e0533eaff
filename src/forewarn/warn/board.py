"""Reads behind the board, the warning pages and the warnings API: warnings in board order with
filters, offset and a total; what changed since a cursor (the ledger's sequence number); one warning
with its history and the short facts about its evidence. Each is one or two indexed queries: nothing
here reads the events or documents tables beyond the ids asked for. A page of warnings comes with how many
dissents each one's disposition has (one grouped query; dissents from a disposition are protected and anyone
may read them)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from forewarn.detect.evidence import DocumentBrief, EventBrief
from forewarn.detect.shown import hidden_text
from forewarn.ledger.query import head_seq
from forewarn.model import LedgerEntry, WarningRecord, WarningState
from forewarn.model.dissent import DissentTarget
from forewarn.model.judgment import Line, QuestionState
from forewarn.model.marking import EVERYTHING, Access
from forewarn.model.warning import OPEN_STATES
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.core import among
from forewarn.warn import rows
from forewarn.warn.judgments import QuestionView
from forewarn.warn.policy import board_key

L, D = t.ledger.c, t.dissents.c
CHANGE_ROWS = 2000  # ledger rows read per call of `changes`; the cursor then moves only that far


@dataclass(frozen=True, slots=True)
class WarningList:
    """One page of warnings in board order."""

    warnings: list[WarningRecord]
    total: int  # how many match in all
    names: dict[str, str]  # scenario names by id, removed ones too (old warnings name them)
    dissents: dict[int, int] = field(default_factory=dict)  # dissents from each one's disposition (none: left out)


@dataclass(frozen=True, slots=True)
class Board:
    """The open warnings as the board shows them first."""

    cursor: int  # the ledger's head, read before the warnings: a change after it shows in the first poll
    listing: WarningList
    watched: dict[str, str]  # the scenarios watched now, by id (a warning may be raised about them)


@dataclass(frozen=True, slots=True)
class Changes:
    cursor: int  # the ledger's sequence number the caller has seen up to
    warnings: list[WarningRecord]  # changed after the previous cursor (or, on a reset, all open ones)
    reset: bool  # True: `warnings` is the whole open board, not a difference
    dissents: dict[int, int] = field(default_factory=dict)  # dissents from each one's disposition (none: left out)


@dataclass(frozen=True, slots=True)
class WarningView:
    """One warning with its history (ledger entries, oldest first) and the facts about its evidence."""

    warning: WarningRecord
    history: list[LedgerEntry]
    documents: dict[str, DocumentBrief]
    events: dict[str, EventBrief]
    names: dict[str, str]  # scenario names by id
    remind_cap: int = 3  # reminders at most at the end of a chain (the setting in force)
    hidden: int = 0  # signals of its evidence from holdings the reader may not see (left out above)

    @property
    def hidden_text(self) -> str:
        """"n signals from holdings you may not see" ("" for none)."""
        return hidden_text(self.hidden)

    @property
    def reminders_left(self) -> str | None:
        """"reminded 3 of 3 times; no further reminders" (None when it was never reminded)."""
        w = self.warning
        if not w.reminders:
            return None
        said = f"reminded {w.reminders} of {max(self.remind_cap, w.reminders)} times"
        if w.due_at is None and w.state is WarningState.RAISED:
            return f"{said}; no further reminders until someone acts on it"
        return said + (f"; next reminder {w.due_at:%Y-%m-%d %H:%M} UTC" if w.due_at else "")


def list_warnings(conn: Connection, *, states: Sequence[WarningState], severity: str | None = None,
                  scenario_id: str | None = None, limit: int = 50, offset: int = 0, access: Access = EVERYTHING
                  ) -> tuple[list[WarningRecord], int]:
    """One page of warnings (those ``access`` may see) in board order, and how many match in all."""
    query = rows.board_query(states=states, severity=severity, scenario_id=scenario_id or None, access=access)
    found = [rows.to_record(r) for r in conn.execute(query.limit(limit).offset(offset))]
    if len(found) < limit and (found or offset == 0):  # the last page: no need to count
        return found, offset + len(found)
    counted = query.order_by(None).with_only_columns(func.count())
    return found, int(conn.execute(counted).scalar_one())


def fetch_warnings(conn: Connection, ids: Iterable[int], access: Access = EVERYTHING) -> list[WarningRecord]:
    """The warnings with these ids (unknown and hidden ones left out), in board order."""
    found: list[WarningRecord] = []
    for where in among(conn, t.warnings.c.id, sorted(set(ids))):
        query = select(t.warnings).where(where, *hidden_from(t.warnings.c.compartment, access))
        found += [rows.to_record(r) for r in conn.execute(query)]
    return sorted(found, key=board_key)


def changes(conn: Connection, since: int | None, open_limit: int = 500, access: Access = EVERYTHING) -> Changes:
    """Warnings changed after ledger entry ``since``: every change to a warning appends an entry
    about ``warning:<id>`` in the same transaction, and entries get their numbers in commit order
    (the ledger lock is held to the commit), so nothing committed after a cursor is skipped. No
    cursor (or one from another ledger, ahead of its head): the open board, as a reset."""
    head = head_seq(conn)
    if since is None or since > head:
        board, _ = list_warnings(conn, states=OPEN_STATES, limit=open_limit, access=access)
        return Changes(head, board, True, dissent_counts(conn, board))
    query = (select(L.seq, L.subject).where(L.seq > since, L.seq <= head, L.subject.like("warning:%"))
             .order_by(L.seq).limit(CHANGE_ROWS))
    found = list(conn.execute(query))
    cursor = int(found[-1].seq) if len(found) == CHANGE_ROWS else head
    ids = {int(s) for _, subject in found if (s := subject.partition(":")[2]).isdigit()}
    found_warnings = fetch_warnings(conn, ids, access)
    return Changes(cursor, found_warnings, False, dissent_counts(conn, found_warnings))


def dissent_counts(conn: Connection, warnings: Iterable[WarningRecord]) -> dict[int, int]:
    """How many dissents each of these warnings' dispositions has (those with none left out): one grouped query
    (:func:`forewarn.store.core.among`)."""
    found: dict[int, int] = {}
    for where in among(conn, D.target_id, sorted({w.id for w in warnings})):
        query = (select(D.target_id, func.count()).where(D.target == DissentTarget.DISPOSITION.value, where)
                 .group_by(D.target_id))
        found.update({int(k): int(n) for k, n in conn.execute(query)})
    return found


def scenario_names(conn: Connection, *, enabled_only: bool = False, access: Access = EVERYTHING) -> dict[str, str]:
    """Scenario names by id (of those ``access`` may see), in id order; removed ones too unless ``enabled_only``
    (old warnings name them)."""
    s = t.scenarios.c
    query = select(s.id, s.name).where(*hidden_from(s.compartment, access)).order_by(s.id)
    if enabled_only:
        query = query.where(s.enabled.is_(True))
    return {r.id: r.name for r in conn.execute(query)}


@dataclass(frozen=True, slots=True)
class ScenarioLine:
    """Beside a scenario (board, scenario page): its question's latest published line as the viewer may see it."""

    scenario_id: str
    question_id: int
    state: QuestionState
    revealed: bool  # False: withheld by the blind rule (the viewer has not estimated and the question is open)
    line: Line | None  # the latest line; None when none was published, or withheld
    lines: int  # lines published (0 when withheld)
    allowed: float  # the softening_gap setting (logits)

    @property
    def softer(self) -> bool:
        """Flagged: softer than the analysts' blind median by more than the setting when published."""
        return self.line is not None and self.line.flagged


def scenario_line(v: QuestionView, allowed: float) -> ScenarioLine | None:
    """A scenario's question seen through the blind read path (None: not a scenario's question)."""
    q = v.question
    if q.scenario_id is None:
        return None
    latest = v.lines[-1] if v.revealed and v.lines else None
    return ScenarioLine(q.scenario_id, q.id, q.state, v.revealed, latest, len(v.lines), allowed)


def scenario_lines(views: Iterable[QuestionView], allowed: float) -> dict[str, ScenarioLine]:
    """Each scenario's question (the newest when, unusually, there are several) by scenario id."""
    found: dict[str, ScenarioLine] = {}
    for v in views:
        seen = scenario_line(v, allowed)
        if seen is not None and seen.scenario_id not in found:
            found[seen.scenario_id] = seen
    return found
