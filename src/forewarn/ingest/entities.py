"""Curating extracted entities as a service of the Workspace (``ws.entities``): merge, undo a merge,
edit. Each action and its ledger entry commit in one transaction, as the acting principal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from forewarn.ledger.service import LedgerService
from forewarn.model.records import EntityMerge, EntityRecord
from forewarn.store import SqlStore


@dataclass(frozen=True)
class EntityDesk:
    store: SqlStore
    clock: Callable[[], datetime]
    ledger: LedgerService

    @property
    def actor(self) -> str:
        return self.ledger.who.name

    def merge(self, from_id: str, into_id: str, note: str | None = None) -> EntityMerge:
        """Merge an entity into another; the merge log and its ledger entry (``entity-merged``) commit together."""
        with self.store.transaction() as conn:
            merge_id = self.store.merge_entities(from_id, into_id, self.actor, self.clock(), note)
            self.ledger.append(conn, "entity-merged", f"entity:{from_id}", {"merge": merge_id, "into": into_id,
                                                                            "note": note})
        return self.store.get_merge(merge_id)

    def undo_merge(self, merge_id: int) -> EntityMerge:
        """Undo a merge, with its ledger entry (``entity-unmerged``) in the same transaction."""
        with self.store.transaction() as conn:
            merge = self.store.undo_merge(merge_id, self.actor, self.clock())
            self.ledger.append(conn, "entity-unmerged", f"entity:{merge.from_id}", {"merge": merge.id,
                                                                                    "from": merge.into_id})
        return merge

    def edit(self, entity_id: str, *, name: str | None = None, country: str | None = None,
             sector: str | None = None, add_aliases: Sequence[str] = (),
             remove_aliases: Sequence[str] = ()) -> EntityRecord:
        """Edit an entity, with its ledger entry (``entity-edited``, what changed) in the same transaction."""
        changes = {"name": name, "country": country, "sector": sector, "add_aliases": list(add_aliases),
                   "remove_aliases": list(remove_aliases)}
        with self.store.transaction() as conn:
            self.store.edit_entity(entity_id, actor=self.actor, now=self.clock(), name=name, country=country,
                                   sector=sector, add_aliases=add_aliases, remove_aliases=remove_aliases)
            self.ledger.append(conn, "entity-edited", f"entity:{entity_id}", {k: v for k, v in changes.items() if v})
        return self.store.get_entity(entity_id)
