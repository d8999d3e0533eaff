"""Evidence for a competing-hypotheses matrix (issue 17, item 7), read by id: a document (its title), an event or
a claim (its sentence, cut in SQL), a note (its text) — each with its document's source's Admiralty reliability
grade and its page. Never a whole document: at most :data:`SNIPPET` characters.

Ids: ``document:ID``, ``event:ID``, ``claim:DOCUMENT:SEQ``, ``note:ID`` (a bare id tries a document, then an
event)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from forewarn.errors import AchInvalid
from forewarn.model.marking import EVERYTHING, Access
from forewarn.store import schema as t
from forewarn.store.access import hidden_from
from forewarn.store.queries import via_document

SNIPPET = 300
KINDS = ("document", "event", "claim", "note")
D, S = t.documents.c, t.sources.c


@dataclass(frozen=True, slots=True)
class Found:
    kind: str  # document, event, claim, note
    ref: str  # its id
    text: str  # its title, sentence or note
    grade: str  # its document's source's reliability (A-F), "" when unknown
    href: str  # its page


def parse(text: str) -> tuple[str | None, str]:
    """``kind:id`` split; a bare id has no kind."""
    head, sep, rest = text.strip().partition(":")
    return (head.lower(), rest.strip()) if sep and head.lower() in KINDS else (None, text.strip())


def resolve(conn: Connection, text: str, access: Access = EVERYTHING) -> Found:
    """The item ``text`` names; AchInvalid (with a hint) when it names none, or one hidden from ``access``."""
    kind, ref = parse(text)
    found = None
    for k in ([kind] if kind else ["document", "event"]):
        found = _READERS[k](conn, ref, access) if ref and len(ref) <= 200 else None
        if found:
            break
    if found is None:
        raise AchInvalid(f"no {kind or 'document or event'} {ref!r} to cite as evidence",
                         hint="name it document:ID, event:ID, claim:DOCUMENT:SEQ or note:ID (as their pages show "
                              "them), or add free text with a grade")
    return found


def _grade(conn: Connection, source_id: str | None) -> str:
    if not source_id:
        return ""
    found = conn.execute(select(S.reliability).where(S.id == source_id)).scalar_one_or_none()
    return str(found or "")


def _document(conn: Connection, ref: str, access: Access) -> Found | None:
    r = conn.execute(select(D.id, D.title, D.source_id, func.substr(D.text, 1, SNIPPET).label("head"))
                     .where(D.id == ref, *hidden_from(D.compartment, access))).first()
    if r is None:
        return None
    return Found("document", r.id, _clean(r.title or r.head), _grade(conn, r.source_id), f"/documents/{r.id}")


def _cut(conn: Connection, doc_id: str, start: int, end: int) -> tuple[str, str | None]:
    r = conn.execute(select(func.substr(D.text, start + 1, min(end - start, SNIPPET)).label("s"), D.source_id)
                     .where(D.id == doc_id)).first()
    return (_clean(r.s), r.source_id) if r else ("", None)


def _event(conn: Connection, ref: str, access: Access) -> Found | None:
    e = t.events.c
    r = conn.execute(select(e.id, e.document_id, e.start, e.end, e.type)
                     .where(e.id == ref, *hidden_from(e.compartment, access))).first()
    if r is None:
        return None
    sentence, source = _cut(conn, r.document_id, r.start, r.end)
    return Found("event", r.id, f"{r.type}: {sentence}", _grade(conn, source), f"/events/{r.id}")


def _claim(conn: Connection, ref: str, access: Access) -> Found | None:
    doc, _, seq = ref.rpartition(":")
    if not doc or not seq.isdigit() or len(seq) > 9:
        return None
    c = t.claims.c
    r = conn.execute(select(c.start, c.end, c.speaker_text).where(c.document_id == doc, c.seq == int(seq),
                                                                  *hidden_from(c.compartment, access))).first()
    if r is None:
        return None
    sentence, source = _cut(conn, doc, r.start, r.end)
    return Found("claim", ref, f"{r.speaker_text}: {sentence}", _grade(conn, source), f"/documents/{doc}")


def _note(conn: Connection, ref: str, access: Access) -> Found | None:
    if not ref.isdigit() or len(ref) > 9:
        return None
    n = t.annotation_notes.c
    r = conn.execute(select(n.id, n.text, n.document_id, n.author)
                     .where(n.id == int(ref), *hidden_from(n.compartment, access), *via_document(n.document_id, access))
                     ).first()
    if r is None:
        return None
    source = conn.execute(select(D.source_id).where(D.id == r.document_id)).scalar_one_or_none()
    return Found("note", str(r.id), f"{r.author}: {_clean(r.text)[:SNIPPET]}", _grade(conn, source),
                 f"/documents/{r.document_id}")


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


_READERS = {"document": _document, "event": _event, "claim": _claim, "note": _note}
