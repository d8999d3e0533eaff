"""Cross-checking the state tables against the ledger.

Every change to a warning, every published assessment and every account change is written in the
same transaction as its ledger entry, so replaying the ledger says what those tables must hold. A
row that disagrees, a row no entry records, or an entry whose row is gone means the table was
changed behind the ledger's back, or the ledger was rewritten (consistently, re-hashed) and the
table was not. Each disagreement is a ``state-mismatch`` problem naming the table, the row and
the column, at the seq of the entry the ledger's value comes from (0: no entry records the row).

What is compared (docs/ledger.md lists it too):

- ``warnings``: state, owner, disposition, rationale, escalation level, times reopened, who raised,
  acknowledged and disposed of it and when, and what was raised (origin, scenario, severity,
  title, text, probability, partner and their reference);
- ``assessments``: each row against the ``assessment-published`` entry of its scenario at its
  time: scenario version, probability (to the 6 places the entry keeps) and level;
- ``users``: role, display name, disabled;
- ``api_tokens``: each token has its ``token-created`` entry, for the same account and name; a
  token the ledger revoked is still revoked;
- ``estimates`` and ``published_lines`` (issue 17): each row has its ``estimate-recorded`` /
  ``line-published`` entry, for the same question and analyst (publisher), and the commitment the
  entry holds is the one the row's values and salt give (the entry holds no values: the blind rule);
- ``dissents`` (issue 17): each row has its ``dissent-filed`` entry, for the same target, line or warning,
  question and analyst; a disposition dissent's text is the entry's, a line dissent's text and salt give the
  commitment its entry holds;
- ``ach_changes`` and ``ach_matrices`` (issue 17): each change has its ``ach-changed`` entry for the same matrix and
  version, with the same change, payload and actor; a matrix's versions run 1, 2, 3 … with none missing; a matrix's
  title, owner, question and creator are its first version's, its current version its last change's;
- ``assumptions`` and ``assumption_matches`` (issue 17): each assumption has its ``assumption-added`` entry (question,
  owner, author, time, and the commitment its text, signposts and salt give); its state is the last of its added,
  flagged, reviewed and withdrawn entries; its last review (who, and the commitment its outcome, rationale and salt
  give) is its last ``assumption-reviewed`` entry's; each match is named by the ``assumption-flagged`` entry of its
  check (the assumption, the time and the evidence id), and each evidence id such an entry names has its match.

Rows are read as stored (:mod:`.rows`): a value that is not of its type is a disagreement, never
an exception. Ledger rows that are malformed are left out here (the chain walk reports them).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from functools import partial
from typing import Any, TypeGuard

from sqlalchemy import ColumnElement, Connection, Select, select, type_coerce
from sqlalchemy.types import NullType

from forewarn.ledger.problems import Problem, ProblemKind
from forewarn.ledger.rows import Row, as_text, as_time, parse, stored, stored_columns, stored_time
from forewarn.model.assumption import Assumption, AssumptionState, assumption_commitment, review_commitment
from forewarn.model.dissent import Dissent, DissentTarget, dissent_commitment
from forewarn.model.judgment import Estimate, Line, estimate_commitment, line_commitment
from forewarn.store import schema as t

ASSESSMENT = "assessment-published"
WARNING_KINDS = ("warning-raised", "warning-acknowledged", "warning-escalated", "warning-disposed",
                 "warning-superseded", "warning-reopened")
TOKEN_KINDS = ("token-created", "token-revoked")
READ = 2000  # rows fetched at a time
SHOWN = 60  # characters of a value quoted in a message
NO_ENTRY = 0  # the seq of a problem about a row that no entry records

Expected = dict[str, tuple[Any, int]]  # column → (value the ledger gives, seq of the entry it comes from)


def cross_check(conn: Connection) -> Iterator[Problem]:
    """Every disagreement between the state tables and the ledger (read in the caller's transaction)."""
    yield from _warnings(conn)
    yield from _assessments(conn)
    yield from _users(conn)
    yield from _tokens(conn)
    yield from _judgments(conn)
    yield from _dissents(conn)
    yield from _ach(conn)
    yield from _assumptions(conn)


# -- reading ------------------------------------------------------------------------------------

def entries(conn: Connection, *where: ColumnElement[bool]) -> Iterator[tuple[Row, dict[str, Any]]]:
    """Well-formed entries that meet ``where`` (on the ledger's columns), in chain order, with their payloads."""
    query = select(*stored_columns()).where(*where).order_by(t.ledger.c.seq)
    for raw in conn.execute(query.execution_options(yield_per=READ)):
        row = parse(raw)
        payload = _payload(row) if isinstance(row, Row) else None
        if isinstance(row, Row) and payload is not None:
            yield row, payload


def _payload(row: Row) -> dict[str, Any] | None:
    try:
        payload = json.loads(row.payload)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _table_rows(conn: Connection, query: Select[Any]) -> Iterator[Any]:
    yield from conn.execute(query.execution_options(yield_per=READ))


def _columns(table: Any, texts: Iterable[str], times: Iterable[str] = (), plain: Iterable[str] = ()
             ) -> list[ColumnElement[Any]]:
    """A table's columns read as stored: texts as bytes on SQLite, times unconverted."""
    c = table.c
    return [*(stored(c[n]) for n in texts), *(stored_time(c[n]) for n in times),
            *(type_coerce(c[n], NullType()).label(n) for n in plain)]


# -- comparing ----------------------------------------------------------------------------------

def _mismatches(table: str, key: str, actual: Callable[[str], Any], expected: Expected) -> Iterator[Problem]:
    for column, (value, seq) in expected.items():
        found = actual(column)
        if not _same(found, value):
            yield Problem(seq, ProblemKind.STATE_MISMATCH, f"the table holds {_shown(found)}, but the ledger "
                          f"(seq {seq}) says {_shown(value)}", table, key, column)


def _same(found: Any, value: Any) -> bool:
    if _number(found) and _number(value):
        return math.isclose(found, value, rel_tol=1e-9, abs_tol=1e-9)
    return type(found) is type(value) and bool(found == value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN - 1] + "…"


def _text_value(value: Any) -> Any:
    """A text column read as stored: its text, or the value itself when it is not UTF-8 text (it then
    disagrees with whatever the ledger says)."""
    return None if value is None else as_text(value) or value


def _unrecorded(table: str, key: str, what: str) -> Problem:
    return Problem(NO_ENTRY, ProblemKind.STATE_MISMATCH, f"no ledger entry records {what}: it was put into the "
                   "table behind the ledger's back", table, key)


def _missing_row(table: str, key: str, seq: int, what: str) -> Problem:
    return Problem(seq, ProblemKind.STATE_MISMATCH, f"the ledger records {what} (seq {seq}), but the table has "
                   "no such row", table, key)


def _set(expected: Expected, seq: int, values: dict[str, Any]) -> None:
    expected.update({column: (value, seq) for column, value in values.items() if value is not _UNKNOWN})


_UNKNOWN = object()  # a payload without the key: nothing to compare


def _get(payload: dict[str, Any], key: str) -> Any:
    return payload.get(key, _UNKNOWN)


# -- warnings -----------------------------------------------------------------------------------

WARNING_TEXTS = ("state", "owner", "disposition", "rationale", "origin", "scenario_id", "severity", "title", "text",
                 "partner", "partner_ref", "raised_by", "acknowledged_by", "disposed_by")
WARNING_TIMES = ("raised_at", "acknowledged_at", "disposed_at")
WARNING_NUMBERS = ("escalation_level", "reopened", "probability")


def _warnings(conn: Connection) -> Iterator[Problem]:
    replayed = _replay_warnings(conn)
    query = select(t.warnings.c.id, *_columns(t.warnings, WARNING_TEXTS, WARNING_TIMES, WARNING_NUMBERS))
    for r in _table_rows(conn, query.order_by(t.warnings.c.id)):
        expected = replayed.pop(r.id, None)
        if expected is None or "state" not in expected:
            yield _unrecorded("warnings", f"id {r.id}", f"warning {r.id} being raised")
            continue
        yield from _mismatches("warnings", f"id {r.id}", partial(_warning_value, r), expected)
    for warning_id, expected in replayed.items():
        seq = min(seq for _, seq in expected.values())
        yield _missing_row("warnings", f"id {warning_id}", seq, f"warning {warning_id}")


def _warning_value(r: Any, column: str) -> Any:
    value = getattr(r, column)
    if column in WARNING_TIMES:
        return None if value is None else as_time(value) or value
    return _text_value(value) if column in WARNING_TEXTS else value


def _replay_warnings(conn: Connection) -> dict[int, Expected]:
    """What the ledger says each warning's row holds now."""
    found: dict[int, Expected] = {}
    for row, payload in entries(conn, t.ledger.c.kind.in_(WARNING_KINDS)):
        kind, ref = row.subject.partition(":")[::2]
        if kind == "warning" and ref.isdigit():
            _set(found.setdefault(int(ref), {}), row.seq, _warning_change(row, payload))
    return found


def _warning_change(row: Row, p: dict[str, Any]) -> dict[str, Any]:
    kind = row.kind.removeprefix("warning-")
    if kind == "raised":
        return {"state": "raised", "origin": _get(p, "origin"), "scenario_id": _get(p, "scenario"),
                "severity": _get(p, "severity"), "title": _get(p, "title"), "text": _get(p, "text"),
                "probability": _get(p, "probability"), "partner": _get(p, "partner"),
                "partner_ref": _get(p, "partner_ref"), "owner": _get(p, "owner"), "raised_by": row.actor,
                "raised_at": row.at, **_OPEN, "escalation_level": 0, "reopened": 0}
    if kind == "acknowledged":
        return {"state": "acknowledged", "acknowledged_by": row.actor, "acknowledged_at": row.at}
    if kind == "escalated":
        return {"state": "raised", "owner": _get(p, "to"), "escalation_level": _get(p, "level"),
                "acknowledged_by": None, "acknowledged_at": None}
    if kind in ("disposed", "superseded"):
        return {"state": "disposed", "disposition": _get(p, "disposition"), "rationale": _get(p, "rationale"),
                "disposed_by": row.actor, "disposed_at": row.at}
    return {"state": "raised", **_OPEN, "owner": _get(p, "owner"), "escalation_level": 0,  # reopened
            "reopened": _get(p, "times")}


_OPEN = {"disposition": None, "rationale": None, "disposed_by": None, "disposed_at": None,
         "acknowledged_by": None, "acknowledged_at": None}


# -- assessments --------------------------------------------------------------------------------

def _assessments(conn: Connection) -> Iterator[Problem]:
    a, c = t.assessments.c, t.ledger.c
    scenarios = {as_text(s) or "" for s in conn.execute(select(stored(a.scenario_id)).distinct()).scalars()}
    for subject in conn.execute(select(stored(c.subject)).distinct().where(c.kind == ASSESSMENT)).scalars():
        text = as_text(subject) or ""
        if text.startswith("scenario:"):
            scenarios.add(text.removeprefix("scenario:"))
    for scenario_id in sorted(s for s in scenarios if s):
        yield from _scenario_assessments(conn, scenario_id)


def _scenario_assessments(conn: Connection, scenario_id: str) -> Iterator[Problem]:
    published: dict[datetime, list[tuple[dict[str, Any], int]]] = {}
    c = t.ledger.c
    for row, payload in entries(conn, c.kind == ASSESSMENT, c.subject == f"scenario:{scenario_id}"):
        at = _as_of(payload)
        if at is not None:
            published.setdefault(at, []).append((payload, row.seq))
    a = t.assessments
    query = select(a.c.id, *_columns(a, ("scenario_version", "level"), ("at",), ("probability",)))
    for r in _table_rows(conn, query.where(a.c.scenario_id == scenario_id).order_by(a.c.id)):
        yield from _assessment_row(r, published.get(as_time(r.at) or datetime.min))
    for at, left in published.items():
        for _, seq in left:
            yield _missing_row("assessments", f"scenario {scenario_id} at {at.isoformat()}", seq,
                               f"an assessment of {scenario_id} as of {at.isoformat()}")


def _assessment_row(r: Any, candidates: list[tuple[dict[str, Any], int]] | None) -> Iterator[Problem]:
    if not candidates:
        yield _unrecorded("assessments", f"id {r.id}", f"assessment {r.id}")
        return
    payload, seq = candidates.pop(0)
    expected: Expected = {}
    _set(expected, seq, {"scenario_version": _get(payload, "version"), "level": _get(payload, "level"),
                         "probability": _get(payload, "probability")})
    yield from _mismatches("assessments", f"id {r.id}", partial(_assessment_value, r), expected)


def _assessment_value(r: Any, column: str) -> Any:
    value = getattr(r, column)
    if column == "probability":
        return round(value, 6) if isinstance(value, float) else value
    return _text_value(value)


def _as_of(payload: dict[str, Any]) -> datetime | None:
    value = payload.get("as_of")
    return as_time(value) if isinstance(value, str) else None


# -- accounts -----------------------------------------------------------------------------------

def _users(conn: Connection) -> Iterator[Problem]:
    replayed = _replay_users(conn)
    query = select(*_columns(t.users, ("name", "role", "display_name"), plain=("disabled",)))
    for r in _table_rows(conn, query.order_by(t.users.c.id)):
        name = as_text(r.name) or repr(r.name)
        expected = replayed.pop(name, None)
        if expected is None:
            yield _unrecorded("users", f"name {name}", f"account {name!r}")
            continue
        yield from _mismatches("users", f"name {name}", partial(_user_value, r), expected)
    for name, expected in replayed.items():
        yield _missing_row("users", f"name {name}", min(seq for _, seq in expected.values()), f"account {name!r}")


def _user_value(r: Any, column: str) -> Any:
    value = getattr(r, column)
    if column == "disabled":
        return bool(value) if isinstance(value, int) and value in (0, 1) else value
    return _text_value(value)


def _replay_users(conn: Connection) -> dict[str, Expected]:
    """Role, display name and whether disabled, for every account the ledger records."""
    found: dict[str, Expected] = {}
    for row, payload in entries(conn, t.ledger.c.kind.startswith("user-")):
        if row.subject.startswith("user:"):
            _set(found.setdefault(row.subject.removeprefix("user:"), {}), row.seq, _user_change(row.kind, payload))
    return found


def _user_change(kind: str, p: dict[str, Any]) -> dict[str, Any]:
    change = {"role": _get(p, "role"), "display_name": _get(p, "display_name"), "disabled": _get(p, "disabled")}
    if kind in ("user-added", "user-updated", "user-enabled"):
        change["disabled"] = False
    elif kind == "user-disabled":
        change["disabled"] = True
    return change


def _tokens(conn: Connection) -> Iterator[Problem]:
    created: dict[int, tuple[dict[str, Any], int]] = {}
    revoked: dict[int, int] = {}
    for row, payload in entries(conn, t.ledger.c.kind.in_(TOKEN_KINDS)):
        kind, ref = row.subject.partition(":")[::2]
        if kind == "token" and ref.isdigit():
            if row.kind == "token-created":
                created.setdefault(int(ref), (payload, row.seq))
            else:
                revoked[int(ref)] = row.seq
    tk = t.api_tokens
    query = (select(tk.c.id, stored(t.users.c.name).label("user"), stored(tk.c.name), stored_time(tk.c.revoked_at))
             .select_from(tk.join(t.users, t.users.c.id == tk.c.user_id, isouter=True)).order_by(tk.c.id))
    for r in _table_rows(conn, query):
        yield from _token_row(r, created.pop(r.id, None), revoked.get(r.id))
    for token_id, (_, seq) in created.items():
        yield _missing_row("api_tokens", f"id {token_id}", seq, f"token {token_id}")


def _token_row(r: Any, created: tuple[dict[str, Any], int] | None, revoked: int | None) -> Iterator[Problem]:
    key = f"id {r.id}"
    if created is None:
        yield _unrecorded("api_tokens", key, f"token {r.id} being created")
        return
    payload, seq = created
    expected: Expected = {}
    _set(expected, seq, {"user": _get(payload, "user"), "name": _get(payload, "name")})
    yield from _mismatches("api_tokens", key, lambda column: _text_value(getattr(r, column)), expected)
    if revoked is not None and r.revoked_at is None:
        yield Problem(revoked, ProblemKind.STATE_MISMATCH, f"the ledger revoked token {r.id} (seq {revoked}), but "
                      "the table holds it as live", "api_tokens", key, "revoked_at")


# -- judgments (issue 17): the entry holds a commitment to the row's values, not the values -----------------------

ESTIMATE_TEXTS, LINE_TEXTS = ("analyst", "rationale", "salt"), ("published_by", "words", "salt")


def _judgments(conn: Connection) -> Iterator[Problem]:
    yield from _committed(conn, t.estimates, "estimate-recorded", ESTIMATE_TEXTS, ("probability", "blind"))
    yield from _committed(conn, t.published_lines, "line-published", LINE_TEXTS,
                          ("probability", "gap", "model_gap", "flagged"))


def _committed(conn: Connection, table: Any, kind: str, texts: tuple[str, ...], plain: tuple[str, ...]
               ) -> Iterator[Problem]:
    recorded: dict[int, tuple[dict[str, Any], int]] = {}
    for row, payload in entries(conn, t.ledger.c.kind == kind):
        if isinstance(payload.get("id"), int):
            recorded.setdefault(payload["id"], (payload, row.seq))
    query = select(table.c.id, *_columns(table, texts, plain=("question_id", *plain)))
    for r in _table_rows(conn, query.order_by(table.c.id)):
        key, found = f"id {r.id}", recorded.pop(r.id, None)
        if found is None:
            yield _unrecorded(table.name, key, f"{table.name} row {r.id}")
            continue
        payload, seq = found
        expected: Expected = {}
        _set(expected, seq, {"question_id": _get(payload, "question_id"), texts[0]: _get(payload, texts[0]),
                             "blind": _get(payload, "blind"), "commitment": _get(payload, "commitment")})
        yield from _mismatches(table.name, key, partial(_judgment_value, r, texts), expected)
    for ref, (_, seq) in recorded.items():
        yield _missing_row(table.name, f"id {ref}", seq, f"{table.name} row {ref}")


def _judgment_value(r: Any, texts: tuple[str, ...], column: str) -> Any:
    if column == "commitment":
        return _recommit(r, texts)
    if column == "blind":  # a 0/1 flag read as stored, as `disabled` is
        return bool(r.blind) if isinstance(r.blind, int) and r.blind in (0, 1) else r.blind
    return _text_value(getattr(r, column)) if column in texts else getattr(r, column)


def _recommit(r: Any, texts: tuple[str, ...]) -> str | None:
    """The commitment the row's values give; None when a value is not of its type (it then disagrees)."""
    read = [as_text(getattr(r, n)) for n in texts]
    numbers = [getattr(r, n) for n in ("probability", "gap", "model_gap") if hasattr(r, n)]
    flag = getattr(r, "blind", getattr(r, "flagged", None))
    if not _well_typed(r.question_id, numbers, flag):
        return None
    who, text, salt = read
    if who is None or text is None or salt is None:
        return None
    if texts == ESTIMATE_TEXTS:
        return estimate_commitment(Estimate(r.id, r.question_id, who, numbers[0], text, datetime.min, bool(flag),
                                            salt))
    return line_commitment(Line(r.id, r.question_id, numbers[0], text, who, datetime.min, numbers[1], numbers[2],
                                bool(flag), salt))


def _well_typed(question_id: Any, numbers: list[Any], flag: Any) -> bool:
    """An integer question, a probability, optional gaps and a 0/1 flag, as a row should hold them."""
    return (isinstance(question_id, int) and _number(numbers[0]) and all(v is None or _number(v) for v in numbers)
            and isinstance(flag, int) and flag in (0, 1))


# -- dissents (issue 17): a disposition dissent's entry holds its text, a line dissent's a commitment to it ---------

DISSENT_TEXTS = ("target", "analyst", "text", "salt")
DISSENT_KEYS = ("target", "target_id", "question_id", "analyst", "text", "commitment")


def _dissents(conn: Connection) -> Iterator[Problem]:
    recorded: dict[int, tuple[dict[str, Any], int]] = {}
    for row, payload in entries(conn, t.ledger.c.kind == "dissent-filed"):
        if isinstance(payload.get("id"), int):
            recorded.setdefault(payload["id"], (payload, row.seq))
    query = select(t.dissents.c.id, *_columns(t.dissents, DISSENT_TEXTS, plain=("target_id", "question_id")))
    for r in _table_rows(conn, query.order_by(t.dissents.c.id)):
        key, found = f"id {r.id}", recorded.pop(r.id, None)
        if found is None:
            yield _unrecorded("dissents", key, f"dissent {r.id}")
            continue
        expected: Expected = {}
        _set(expected, found[1], {k: _get(found[0], k) for k in DISSENT_KEYS})
        yield from _mismatches("dissents", key, partial(_dissent_value, r), expected)
    for ref, (_, seq) in recorded.items():
        yield _missing_row("dissents", f"id {ref}", seq, f"dissent {ref}")


def _dissent_value(r: Any, column: str) -> Any:
    if column == "commitment":
        return _dissent_commitment(r)
    return _text_value(getattr(r, column)) if column in DISSENT_TEXTS else getattr(r, column)


def _dissent_commitment(r: Any) -> str | None:
    """The commitment a line dissent's row gives; None when a value is not of its type (it then disagrees)."""
    target, analyst, text, salt = (as_text(getattr(r, n)) for n in DISSENT_TEXTS)
    if target != DissentTarget.LINE.value or analyst is None or text is None or salt is None \
            or not isinstance(r.target_id, int) or not isinstance(r.question_id, int):
        return None
    return dissent_commitment(Dissent(r.id, DissentTarget.LINE, r.target_id, r.question_id, analyst, text,
                                      datetime.min, salt))


# -- competing hypotheses (issue 17): each version a row and an entry, numbered 1, 2 ... per matrix -----------------

ACH = "ach-changed"
ACH_TEXTS = ("op", "actor", "payload")
MATRIX_TEXTS = ("title", "owner", "created_by")
AchEntry = tuple[dict[str, Any], int, str]  # payload, seq, actor


def _ach(conn: Connection) -> Iterator[Problem]:
    recorded: dict[tuple[int, int], AchEntry] = {}
    for row, payload in entries(conn, t.ledger.c.kind == ACH):
        matrix, version = payload.get("id"), payload.get("version")
        if _whole(matrix) and _whole(version):
            recorded.setdefault((matrix, version), (payload, row.seq, row.actor))
    latest = _latest_versions(recorded)
    yield from _ach_matrices(conn, latest, {m: found for (m, v), found in recorded.items() if v == 1})
    yield from _ach_changes(conn, recorded)


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _latest_versions(recorded: dict[tuple[int, int], AchEntry]) -> dict[int, tuple[int, int]]:
    """Each matrix's last version in the ledger, with the seq of its entry."""
    latest: dict[int, tuple[int, int]] = {}
    for (matrix, version), (_, seq, _) in recorded.items():
        if version > latest.get(matrix, (0, 0))[0]:
            latest[matrix] = (version, seq)
    return latest


def _ach_changes(conn: Connection, recorded: dict[tuple[int, int], AchEntry]) -> Iterator[Problem]:
    c = t.ach_changes.c
    query = select(c.id, *_columns(t.ach_changes, ACH_TEXTS, plain=("matrix_id", "version")))
    last: dict[Any, Any] = {}  # matrix → the version of its previous row
    for r in _table_rows(conn, query.order_by(c.matrix_id, c.version, c.id)):
        key = f"id {r.id} (matrix {r.matrix_id}, version {r.version})"
        yield from _contiguous(r, last.get(r.matrix_id, 0), key)
        last[r.matrix_id] = r.version
        found = recorded.pop((r.matrix_id, r.version), None)
        if found is None:
            yield _unrecorded("ach_changes", key, f"version {r.version} of matrix {r.matrix_id}")
            continue
        payload, seq, actor = found
        expected: Expected = {}
        _set(expected, seq, {"op": _get(payload, "change"), "actor": actor, "payload": _get(payload, "payload")})
        yield from _mismatches("ach_changes", key, partial(_change_value, r), expected)
    for (matrix, version), (_, seq, _) in recorded.items():
        yield _missing_row("ach_changes", f"matrix {matrix}, version {version}", seq,
                           f"version {version} of matrix {matrix}")


def _contiguous(r: Any, previous: Any, key: str) -> Iterator[Problem]:
    """A matrix's versions run 1, 2, 3 ... with none missing or repeated."""
    if _whole(previous) and _whole(r.version) and r.version == previous + 1:
        return
    what = f"follows version {previous}" if previous else "is the matrix's first"
    yield Problem(NO_ENTRY, ProblemKind.STATE_MISMATCH, f"version {_shown(r.version)} of matrix {r.matrix_id} "
                  f"{what}: a matrix's versions run 1, 2, 3 … with none missing", "ach_changes", key, "version")


def _change_value(r: Any, column: str) -> Any:
    value = _text_value(getattr(r, column))
    if column == "payload" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _ach_matrices(conn: Connection, latest: dict[int, tuple[int, int]], created: dict[int, AchEntry]
                  ) -> Iterator[Problem]:
    m = t.ach_matrices
    query = select(m.c.id, *_columns(m, MATRIX_TEXTS, plain=("question_id", "version")))
    for r in _table_rows(conn, query.order_by(m.c.id)):
        key, first, last = f"id {r.id}", created.pop(r.id, None), latest.pop(r.id, None)
        if first is None or last is None:
            yield _unrecorded("ach_matrices", key, f"matrix {r.id} being created")
            continue
        made = first[0].get("payload")
        made = made if isinstance(made, dict) else {}
        expected: Expected = {}
        _set(expected, first[1], {"title": _get(made, "title"), "owner": _get(made, "owner"),
                                  "question_id": _get(made, "question_id"), "created_by": first[2]})
        _set(expected, last[1], {"version": last[0]})  # its current version is its last change's
        yield from _mismatches("ach_matrices", key, partial(_plain_or_text, r, texts=MATRIX_TEXTS), expected)
    for matrix, (_, seq) in latest.items():
        yield _missing_row("ach_matrices", f"id {matrix}", seq, f"matrix {matrix}")


def _plain_or_text(r: Any, column: str, texts: tuple[str, ...] = ()) -> Any:
    return _text_value(getattr(r, column)) if column in texts else getattr(r, column)


# -- key assumptions (issue 17): each entry holds a commitment to the text (the blind rule), the row the values ------

ASSUMPTION_KINDS = ("assumption-added", "assumption-flagged", "assumption-reviewed", "assumption-withdrawn")
ASSUMPTION_TEXTS = ("owner", "text", "signposts", "state", "created_by", "salt", "review", "review_salt",
                    "reviewed_by")
STATES = frozenset(s.value for s in AssumptionState)


def _assumptions(conn: Connection) -> Iterator[Problem]:
    replayed, reviewed = _replay_assumptions(conn)
    a = t.assumptions
    query = select(a.c.id, *_columns(a, ASSUMPTION_TEXTS, ("created_at",), ("question_id", "line_id")))
    for r in _table_rows(conn, query.order_by(a.c.id)):
        key, expected = f"id {r.id}", replayed.pop(r.id, None)
        if expected is None or "commitment" not in expected:
            yield _unrecorded("assumptions", key, f"assumption {r.id} being added")
            continue
        yield from _mismatches("assumptions", key, partial(_assumption_value, r, reviewed.get(r.id)), expected)
    for ref, expected in replayed.items():
        yield _missing_row("assumptions", f"id {ref}", min(seq for _, seq in expected.values()), f"assumption {ref}")
    yield from _assumption_matches(conn)


def _replay_assumptions(conn: Connection) -> tuple[dict[int, Expected], dict[int, Any]]:
    """What the ledger says each assumption's row holds now, and the outcome of its last review."""
    found: dict[int, Expected] = {}
    reviewed: dict[int, Any] = {}
    for row, p in entries(conn, t.ledger.c.kind.in_(ASSUMPTION_KINDS)):
        ref = p.get("id")
        if not _whole(ref):
            continue
        _set(found.setdefault(ref, {}), row.seq, _assumption_change(row, p))
        if row.kind == "assumption-reviewed":
            reviewed[ref] = p.get("state")
    return found, reviewed


def _assumption_change(row: Row, p: dict[str, Any]) -> dict[str, Any]:
    kind = row.kind.removeprefix("assumption-")
    if kind == "added":
        at = p.get("at")
        return {"question_id": _get(p, "question_id"), "owner": _get(p, "owner"), "created_by": row.actor,
                "created_at": as_time(at) if isinstance(at, str) else _UNKNOWN, "commitment": _get(p, "commitment"),
                "state": AssumptionState.HOLDING.value, "reviewed_by": None, "review_commitment": None}
    if kind == "reviewed":
        return {"state": _get(p, "state"), "reviewed_by": _get(p, "by"), "review_commitment": _get(p, "commitment")}
    return {"state": (AssumptionState.FLAGGED if kind == "flagged" else AssumptionState.WITHDRAWN).value}


def _assumption_value(r: Any, reviewed: Any, column: str) -> Any:
    if column == "commitment":
        return _assumption_commitment(r)
    if column == "review_commitment":
        return _review_commitment(r, reviewed)
    if column == "created_at":
        return None if r.created_at is None else as_time(r.created_at) or r.created_at
    return _plain_or_text(r, column, ASSUMPTION_TEXTS)


def _assumption_commitment(r: Any) -> str | None:
    """The commitment the row's values give; None when a value is not of its type (it then disagrees)."""
    owner, text, signposts, salt = (as_text(getattr(r, n)) for n in ("owner", "text", "signposts", "salt"))
    if owner is None or text is None or signposts is None or salt is None or not _whole(r.question_id) \
            or not (r.line_id is None or _whole(r.line_id)):
        return None
    return assumption_commitment(Assumption(r.id, r.question_id, r.line_id, owner, text, signposts,
                                            AssumptionState.HOLDING, "", datetime.min, datetime.min, salt))


UNCHECKABLE = "a review the ledger cannot check"


def _review_commitment(r: Any, reviewed: Any) -> str | None:
    """The commitment the row's last review gives (with the outcome its entry gives); None when it has none."""
    if r.review is None and r.review_salt is None and r.reviewed_by is None:
        return None
    why, salt, by = (as_text(getattr(r, n)) for n in ("review", "review_salt", "reviewed_by"))
    state = reviewed if reviewed is not None else as_text(r.state)
    if why is None or salt is None or by is None or state not in STATES:
        return UNCHECKABLE
    return review_commitment(r.id, AssumptionState(state), by, why, salt)


def _assumption_matches(conn: Connection) -> Iterator[Problem]:
    """Each match is named by the ``assumption-flagged`` entry of its check: assumption, time and evidence id."""
    recorded: dict[tuple[int, datetime, str], int] = {}
    for row, p in entries(conn, t.ledger.c.kind == "assumption-flagged"):
        at, evidence = p.get("at"), p.get("evidence")
        when = as_time(at) if isinstance(at, str) else None
        if _whole(p.get("id")) and when is not None and isinstance(evidence, list):
            recorded.update({(p["id"], when, e): row.seq for e in evidence if isinstance(e, str)})
    seen: set[tuple[int, datetime, str]] = set()
    mc = t.assumption_matches.c
    query = select(mc.id, *_columns(t.assumption_matches, ("evidence_id",), ("found_at",), ("assumption_id",)))
    for r in _table_rows(conn, query.order_by(mc.id)):
        found = (r.assumption_id, as_time(r.found_at) or datetime.min, as_text(r.evidence_id) or "")
        if found in recorded:
            seen.add(found)
            continue
        yield _unrecorded("assumption_matches", f"id {r.id}", f"match {r.id} (assumption {r.assumption_id}, "
                          f"evidence {_shown(_text_value(r.evidence_id))})")
    for (ref, when, evidence), seq in recorded.items():
        if (ref, when, evidence) not in seen:
            yield _missing_row("assumption_matches", f"assumption {ref}, evidence {evidence}", seq,
                               f"evidence {evidence} matching a signpost of assumption {ref} at {when.isoformat()}")
