"""The ledger as a service of the Workspace (``ws.ledger``): read entries (filtered, or a page with
its count for the workbench), verify, anchor, register keys and append, all as the principal the
workspace acts for. The only module outside the ledger's
own that other services use to write entries (:meth:`LedgerService.append`, inside their transaction)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from forewarn.config import Settings
from forewarn.errors import Issue
from forewarn.ledger import query
from forewarn.ledger.anchor import Anchor, make_anchor, read_anchor, write_anchor
from forewarn.ledger.autoanchor import AutoAnchors
from forewarn.ledger.chain import Signer, append, lock
from forewarn.ledger.keys import generate_key, load_signer, register_key
from forewarn.ledger.query import EntryPage, LedgerFilter
from forewarn.ledger.verify import VerifyReport, verify
from forewarn.model import LedgerEntry, Principal
from forewarn.model.marking import EVERYTHING, Access
from forewarn.store import SqlStore


@dataclass
class LedgerService:
    store: SqlStore
    settings: Settings
    clock: Callable[[], datetime]
    who: Principal
    anchors: AutoAnchors
    access: Callable[[], Access] = lambda: EVERYTHING  # what the asker may see (the workspace's Reads.access)
    _signer: Signer | None = field(default=None, init=False, repr=False)

    @property
    def signer(self) -> Signer | None:
        """This actor's Ed25519 signer when the `signing_key` setting names a key, else None."""
        if self._signer is None and self.settings.signing_key:
            self._signer = load_signer(self.settings.signing_key)
        return self._signer

    def entries(self, *, kind: str | Sequence[str] | None = None, actor: str | None = None,
                subject: str | None = None, since: datetime | None = None, until: datetime | None = None,
                limit: int | None = None, offset: int = 0, newest_first: bool = False) -> list[LedgerEntry]:
        """Ledger entries, filtered; ``subject`` ending in ``:`` or ``*`` matches as a prefix ("warning:")."""
        return query.entries(self.store.engine, kind=kind, actor=actor, subject=subject, since=since, until=until,
                       limit=limit, offset=offset, newest_first=newest_first)

    def page(self, f: LedgerFilter, *, limit: int, offset: int = 0, newest_first: bool = True) -> EntryPage:
        """One page of the entries ``f`` matches (newest first, or in chain order) and how many match, as the asker
        may see them: an entry about an object hidden from them shows its seq, kind and time only, and a filter by
        subject or actor finds nothing about such an object (:func:`forewarn.ledger.query.seen_page`)."""
        return query.seen_page(self.store.engine, f, self.access(), limit=limit, offset=offset,
                               newest_first=newest_first)

    def kinds(self) -> list[str]:
        """The kinds of entry the ledger holds (for a filter's choices)."""
        return query.kinds(self.store.engine)

    def display_names(self) -> dict[str, str]:
        """Account name → display name, for naming the actors of entries."""
        return query.display_names(self.store.engine)

    def verify(self, anchor_path: Path | None = None) -> VerifyReport:
        """Recompute the chain, check it against an anchor file (when given) and the newest automatic
        anchor, and cross-check the state tables against it; the report lists every problem."""
        automatic = self.anchors.reading()
        return verify(self.store, read_anchor(anchor_path) if anchor_path else None, auto_anchor=automatic.newest,
                      notes=automatic.notes)

    def anchor(self, out: Path | None = None) -> Anchor:
        """Verify the chain and anchor its head (signed with this actor's key, if one is set); written
        to ``out`` when given. Keep anchors away from the database."""
        made = make_anchor(self.store, at=self.clock(), actor=self.who.name, signer=self.signer)
        if out is not None:
            write_anchor(out, made)
        return made

    def anchor_after_cycle(self) -> Issue | None:
        """The automatic anchor a cycle ends with (:mod:`forewarn.ledger.autoanchor`); its issue or None."""
        return self.anchors.at_cycle(self.store.engine)

    def register_key(self, path: Path, *, generate: bool = False) -> str:
        """Register the Ed25519 key at ``path`` for this actor (``generate``: create the file first; an
        existing file is never overwritten) and return its key id. A further key for an actor who has
        one must be registered while signing_key names the current one."""
        path = path.expanduser()
        if generate:
            generate_key(path)
        try:
            key, current = load_signer(path), self.signer
            with self.store.transaction() as conn:
                register_key(conn, at=self.clock(), actor=self.who.name, key=key, current=current)
        except BaseException:
            if generate:  # the file this call made is of no use unregistered
                path.unlink(missing_ok=True)
            raise
        return key.key_id

    def record(self, kind: str, subject: str, payload: dict[str, Any]) -> LedgerEntry:
        """Append a standalone entry (a comment, a note) now, as this actor, signed when a key is set."""
        with self.store.transaction() as conn:
            return self.append(conn, kind, subject, payload)

    def append(self, conn: Connection, kind: str, subject: str, payload: dict[str, Any]) -> LedgerEntry:
        """Append an entry inside the caller's transaction, as this actor, signed when a key is set."""
        signer = self.signer
        lock(conn)  # then read the clock: appends stay in time order across processes
        return append(conn, at=self.clock(), actor=self.who.name, kind=kind, subject=subject, payload=payload,
                      signer=signer)
