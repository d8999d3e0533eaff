"""Reading ledger entries back, with filters: a page of them and how many match (for pagers), the
kinds the ledger holds, the head's sequence number, and the display names of the actors.

Every read is bounded (LIMIT, COUNT in SQL) and uses an index, except a filter on time alone
(``at`` has no index: the count reads the ledger)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Select, String, cast, func, literal, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from forewarn.errors import InvalidArgument
from forewarn.ledger.rows import MAX_SEQ, Malformed, Row, parse, stored_columns
from forewarn.model import LedgerEntry
from forewarn.model.marking import Access
from forewarn.redact import redact_value
from forewarn.store import schema as t

PREFIX_MARK = "*"
MALFORMED = "malformed"  # the kind a row that cannot be read as an entry is shown with
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class LedgerFilter:
    """Which entries a page shows (all when empty); times inclusive."""

    kinds: tuple[str, ...] = ()
    actor: str | None = None
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def arguments(self) -> dict[str, Any]:
        return {"kind": list(self.kinds) or None, "actor": self.actor or None, "subject": self.subject or None,
                "since": self.since, "until": self.until}


@dataclass(frozen=True)
class EntryPage:
    entries: list[LedgerEntry]
    total: int  # entries matching the filter in all


def entries(engine: Engine, *, kind: str | Sequence[str] | None = None, actor: str | None = None,
            subject: str | None = None, since: datetime | None = None, until: datetime | None = None,
            limit: int | None = None, offset: int = 0, newest_first: bool = False) -> list[LedgerEntry]:
    """Ledger entries in chain order (or newest first). ``kind`` is one kind or several; ``subject``
    matches exactly, or as a prefix when it ends in ``:`` or ``*`` ("warning:" → every warning's
    entries); ``since`` and ``until`` bound the entry time, both inclusive."""
    with engine.connect() as conn:
        return fetch(conn, select_entries(kind=kind, actor=actor, subject=subject, since=since, until=until,
                                          limit=limit, offset=offset, newest_first=newest_first))


def select_entries(*, kind: str | Sequence[str] | None = None, actor: str | None = None, subject: str | None = None,
                   since: datetime | None = None, until: datetime | None = None, limit: int | None = None,
                   offset: int = 0, newest_first: bool = False) -> Select[Any]:
    c = t.ledger.c
    query = select(*stored_columns()).order_by(c.seq.desc() if newest_first else c.seq)
    kinds = [kind] if isinstance(kind, str) else list(kind or ())
    if kinds:
        query = query.where(c.kind.in_(kinds))
    if actor is not None:
        query = query.where(c.actor == actor)
    if subject:
        query = query.where(_subject(subject))
    for bound, name in ((since, "since"), (until, "until")):
        if bound is not None and bound.tzinfo is None:
            raise InvalidArgument(f"{name} must be timezone-aware", hint="give a time with its UTC offset")
    if since is not None:
        query = query.where(c.at >= since)
    if until is not None:
        query = query.where(c.at <= until)
    if limit is not None:
        query = query.limit(limit)
    return query.offset(offset) if offset else query


def _subject(subject: str) -> Any:
    c = t.ledger.c
    if subject.endswith(PREFIX_MARK):
        return c.subject.startswith(subject[:-1], autoescape=True)
    if subject.endswith(":"):
        return c.subject.startswith(subject, autoescape=True)
    return c.subject == subject


def fetch(conn: Connection, query: Select[Any]) -> list[LedgerEntry]:
    return [row_entry(r) for r in conn.execute(query)]


def row_entry(row: Any) -> LedgerEntry:
    """A ledger row as an entry to show, its payload parsed from the stored canonical JSON with every
    URL in it redacted (entries written before targets were stored redacted may hold a webhook's
    credentials; the stored row stays as hashed, and `verify` reads it, not this). The row is read
    as stored (:func:`select_entries`): a malformed one never raises, see :func:`malformed_entry`."""
    parsed = parse(row)
    try:
        payload = json.loads(parsed.payload) if isinstance(parsed, Row) else None
    except ValueError:
        payload = None
    if not isinstance(parsed, Row) or not isinstance(payload, dict):
        return malformed_entry(parsed)
    return LedgerEntry(parsed.seq, parsed.at, parsed.actor, parsed.kind, parsed.subject, redact_value(payload),
                       parsed.prev_hash, parsed.hash, parsed.key_id, parsed.signature)


def malformed_entry(r: Row | Malformed) -> LedgerEntry:
    """A row that cannot be shown as it is (a field not of its type, a payload that is not a JSON
    object), shown as kind ``malformed`` with what is wrong; ``ledger verify`` reports it as
    tampering. A seq that is not a whole number shows as 0, a time that is no time as 1970-01-01."""
    if isinstance(r, Row):
        return LedgerEntry(r.seq, r.at, r.actor, MALFORMED, r.subject,
                           {"problem": "its payload is not a JSON object"}, r.prev_hash, r.hash)
    return LedgerEntry(r.seq or 0, r.at or EPOCH, r.text("actor") or "", MALFORMED, r.text("subject") or "",
                       {"problem": r.problem, "seq": r.found_seq}, r.text("prev_hash") or "", r.text("hash") or "")


def page_entries(engine: Engine, f: LedgerFilter, *, limit: int, offset: int = 0, newest_first: bool = True,
                 matching: int | None = None, conds: Sequence[ColumnElement[bool]] = ()) -> list[LedgerEntry]:
    """One page of matching entries. ``matching`` (the count, when known) lets SQLite pick the cheaper
    path for a kind or actor filter: its index finds every match and sorts them all, which is slow when
    a large share of the ledger matches; walking the chain from its end and skipping the rest stops
    after the page. PostgreSQL's planner makes that choice by itself."""
    query = select_entries(**f.arguments(), limit=limit, offset=offset, newest_first=newest_first)
    if matching and (f.kinds or f.actor) and engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            last = conn.execute(select(func.max(t.ledger.c.seq))).scalar() or 0
        if (offset + limit) * last / matching < matching:  # rows walked vs. rows the index would fetch
            query = _walk_chain(f, limit=limit, offset=offset, newest_first=newest_first)
    with engine.connect() as conn:
        return fetch(conn, query.where(*conds))


def _walk_chain(f: LedgerFilter, *, limit: int, offset: int, newest_first: bool) -> Select[Any]:
    """The page's query with the kind and actor tests made unusable as index lookups (``col || ''``),
    so SQLite reads the ledger in seq order and stops after the page."""
    c = t.ledger.c
    query = select_entries(subject=f.subject, since=f.since, until=f.until, limit=limit, offset=offset,
                           newest_first=newest_first)
    if f.kinds:
        query = query.where(c.kind.concat("").in_(f.kinds))
    if f.actor:
        query = query.where(c.actor.concat("") == f.actor)
    return query


def count_entries(engine: Engine, f: LedgerFilter, conds: Sequence[ColumnElement[bool]] = ()) -> int:
    """How many ledger entries match (one COUNT in the database)."""
    inner = select_entries(**f.arguments()).where(*conds).order_by(None).with_only_columns(t.ledger.c.seq).subquery()
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(inner)).scalar_one())


def kinds(engine: Engine, most: int = 100) -> list[str]:
    """The kinds of entry the ledger holds, for a filter's choices: one index seek per kind (a skip
    scan), so it costs the same however long the ledger is."""
    kind = t.ledger.c.kind
    found: list[str] = []
    with engine.connect() as conn:
        while len(found) < most:
            query = select(func.min(kind))
            nxt = conn.execute(query.where(kind > found[-1]) if found else query).scalar()
            if nxt is None:
                break
            found.append(str(nxt))
    return found


def display_names(engine: Engine) -> dict[str, str]:
    """Account name → display name (accounts are few): how a page names the actors."""
    u = t.users.c
    with engine.connect() as conn:
        return {str(r.name): str(r.display_name) for r in conn.execute(select(u.name, u.display_name))}


def head_seq(conn: Connection) -> int:
    """The sequence number of the ledger's last entry (0 when empty); a seq tampered into text or a
    fraction does not count (`ledger verify` reports it)."""
    c = t.ledger.c
    return math.floor(conn.execute(select(func.max(c.seq)).where(c.seq <= MAX_SEQ)).scalar_one_or_none() or 0)


# -- who may see what an entry is about (issue 18) ---------------------------------------------------
# An entry about an object the asker may not see shows that something happened (its seq, kind and time), not
# what: no subject, actor, payload, hashes or signature. The object of an entry is found from its subject
# ("document:ID", "event:ID", "warning:N", "scenario:ID", "question:N", "assumption:N", "ach:N"), and a note's
# entry (``note-added``) from the note it names; one query per kind of subject on a page.

A, N, M = t.assumptions.c, t.annotation_notes.c, t.ach_matrices.c
QC = t.questions.c
BY_ID: dict[str, Any] = {"document": t.documents.c, "event": t.events.c, "warning": t.warnings.c,
                         "scenario": t.scenarios.c, "question": QC, "source": t.sources.c}
NUMBERED = frozenset({"warning", "question", "assumption", "ach"})
NOTE_KINDS = frozenset({"note-added"})
ID_DIGITS = 18


def _refs(kind: str, refs: set[str]) -> list[Any]:
    if kind not in NUMBERED:
        return sorted(refs)
    return sorted({int(r) for r in refs if r.isascii() and r.isdigit() and len(r) <= ID_DIGITS})


FOLLOW_QUESTION: dict[str, tuple[Any, Any]] = {"assumption": (t.assumptions, A), "ach": (t.ach_matrices, M)}
KINDS = (*BY_ID, *FOLLOW_QUESTION)  # the kinds of subject naming an object that can be hidden


def _columns(kind: str) -> tuple[Any, Any]:
    """The id and compartment columns of the objects of one kind: an assumption and a matrix follow their question."""
    if kind in FOLLOW_QUESTION:
        return FOLLOW_QUESTION[kind][1].id, QC.compartment
    c = BY_ID[kind]
    return c.id, c.compartment


def _objects(kind: str, *columns: Any) -> Select[Any]:
    """``select(*columns)`` over the objects of one kind (joined to their question where they follow it)."""
    if kind in FOLLOW_QUESTION:
        table, c = FOLLOW_QUESTION[kind]
        return select(*columns).join_from(table, t.questions, QC.id == c.question_id)
    return select(*columns)


def _owner_query(kind: str, refs: list[Any]) -> Select[Any]:
    """(id, compartment) of the objects ``refs`` of one kind."""
    ident, compartment = _columns(kind)
    return _objects(kind, ident, compartment).where(ident.in_(refs))


def subject_compartments(conn: Connection, subjects: Sequence[str]) -> dict[str, int | None]:
    """Subject → the compartment id of its object, for the subjects naming an object that can be hidden (one
    query per kind of subject); a subject naming no such object is left out (nothing to hide)."""
    wanted: dict[str, set[str]] = {}
    for s in subjects:
        kind, _, ref = s.partition(":")
        if ref and kind in KINDS:
            wanted.setdefault(kind, set()).add(ref)
    found: dict[str, int | None] = {}
    for kind, refs in wanted.items():
        ids = _refs(kind, refs)
        for r in conn.execute(_owner_query(kind, ids)) if ids else ():
            found[f"{kind}:{r[0]}"] = r[1]
    return found


def note_compartments(conn: Connection, entries: Sequence[LedgerEntry]) -> dict[int, int | None]:
    """Note id → its compartment, for the notes the ``note-added`` entries among ``entries`` name."""
    ids = sorted({n for e in entries for n in [_note_id(e)] if n is not None})
    if not ids:
        return {}
    return {int(r.id): r.compartment for r in conn.execute(select(N.id, N.compartment).where(N.id.in_(ids)))}


def hidden_seqs(conn: Connection, entries: Sequence[LedgerEntry], access: Access) -> tuple[set[int], set[int]]:
    """The seqs of the entries among ``entries`` about an object ``access`` may not see (its subject), and of
    those about one it sees that name one it may not (a note stricter than its target; a document or event a
    matrix's item, a warning, a published assessment or a handover note cites); a team's membership changes are
    for its members only."""
    teams = {e.seq for e in entries if not access.everything and e.subject.startswith("team:")
             and e.subject.removeprefix("team:") not in access.teams}  # membership: for the team's members
    if not access.hidden or not entries:
        return teams, set()
    cited = {e.seq: _cited(e) for e in entries}
    subjects = subject_compartments(conn, [e.subject for e in entries] + [c for cs in cited.values() for c in cs])
    notes = note_compartments(conn, entries)
    noted = {e.seq: _note_id(e) for e in entries}
    gone = teams | {e.seq for e in entries if not access.sees(subjects.get(e.subject))}
    named = {e.seq for e in entries if any(not access.sees(subjects.get(c)) for c in cited[e.seq])
             or ((n := noted[e.seq]) is not None and not access.sees(notes.get(n)))}
    return gone, named - gone


def _note_id(e: LedgerEntry) -> int | None:
    """The note a ``note-added`` entry, or a matrix's item citing a note, is about."""
    n = e.payload.get("note") if e.kind in NOTE_KINDS else None
    item = _item(e)
    if item is not None and item.get("kind") == "note" and str(item.get("ref", "")).isdigit():
        n = int(str(item["ref"])[:ID_DIGITS])
    return n if isinstance(n, int) and not isinstance(n, bool) else None


def _item(e: LedgerEntry) -> dict[str, Any] | None:
    """The item an ``ach-changed`` entry adds to a matrix (its payload's ``payload``), if any."""
    inner = e.payload.get("payload") if e.kind == "ach-changed" and e.payload.get("change") == "add-evidence" else None
    return inner if isinstance(inner, dict) else None


def _cited(e: LedgerEntry) -> list[str]:
    """The subjects of the documents and events an entry's payload names: a matrix's new item ("document:ID",
    "event:ID"; a claim: its document), a raised warning's evidence, a published assessment's signals."""
    p, item = e.payload, _item(e)
    if item is not None:
        kind, ref = str(item.get("kind", "")), str(item.get("ref", ""))
        if kind == "claim":
            return [f"document:{ref.rpartition(':')[0]}"]
        return [f"{kind}:{ref}"] if kind in ("document", "event") and ref else []
    if e.kind == "warning-raised":
        return [f"event:{i}" for i in _strings(p.get("event_ids"))] + \
            [f"document:{i}" for i in _strings(p.get("document_ids"))]
    if e.kind == "assumption-flagged":  # an event's id, or a claim's "document:seq"
        return [f"document:{i.rpartition(':')[0]}" if ":" in i else f"event:{i}" for i in _strings(p.get("evidence"))]
    if e.kind == "handover-written":  # a note's snapshot names warnings and scenarios
        named = [w for key in ("open_warnings", "warnings") for w in _dicts(p.get(key))]
        return [f"warning:{w.get('id')}" for w in named] + [f"scenario:{x.get('scenario_id')}"
                                                           for x in _dicts(p.get("levels"))]
    if e.kind == "assessment-published" and isinstance(p.get("signals"), list):
        return [f"event:{i}" for s in p["signals"] if isinstance(s, dict) for i in _strings(s.get("events"))]
    return []


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def withheld(e: LedgerEntry) -> LedgerEntry:
    """An entry about a hidden object: that something happened (seq, kind, time), not what."""
    return LedgerEntry(e.seq, e.at, "", e.kind, "", {}, "", "")


def hidden_subjects(access: Access) -> Any:
    """A query of the subjects of every object ``access`` may not see (for a filtered page: a filter by subject
    or actor finds nothing about a hidden object, so it tells nothing of its existence)."""
    hidden = sorted(access.hidden)

    def named(kind: str, ident: Any, number: bool) -> Any:
        return literal(f"{kind}:").concat(cast(ident, String) if number else ident)

    parts = [_objects(kind, named(kind, ident, kind in NUMBERED)).where(compartment.in_(hidden))
             for kind in KINDS for ident, compartment in [_columns(kind)]]
    return union_all(*parts)


def visible_conditions(f: LedgerFilter, access: Access) -> list[ColumnElement[bool]]:
    """What a filtered page adds for ``access``: with a subject or actor filter, entries about hidden objects are
    left out altogether (none when nothing is hidden, or nothing is filtered by subject or actor)."""
    if not access.hidden or not (f.subject or f.actor):
        return []
    return [t.ledger.c.subject.not_in(hidden_subjects(access))]


def seen_page(engine: Engine, f: LedgerFilter, access: Access, *, limit: int, offset: int = 0,
              newest_first: bool = True) -> EntryPage:
    """One page of the entries ``f`` matches as ``access`` may see it, with how many match: an entry about a hidden
    object is withheld (:func:`withheld`), or, with a subject or actor filter, left out (:func:`visible_conditions`);
    one about an object the reader sees that names a hidden one (:func:`hidden_seqs`) is withheld."""
    conds = visible_conditions(f, access)
    total = count_entries(engine, f, conds)
    found = page_entries(engine, f, limit=limit, offset=offset, newest_first=newest_first, matching=total,
                         conds=conds)
    with engine.connect() as conn:
        gone, named = hidden_seqs(conn, found, access)
    if conds:  # what a filter found is about objects the reader sees: entries naming a hidden one are withheld
        found = [e for e in found if e.seq not in gone]
    shut = gone | named
    return EntryPage([withheld(e) if e.seq in shut else e for e in found], total)
