"""What `ledger verify` can find: the kinds of problem, and one problem with where it is.

A problem in the chain sits at a seq. A disagreement between a state table and the ledger
(:mod:`.crosscheck`) also names the table, the row and the column; its seq is the entry the
ledger's value comes from, or 0 when no entry records the row at all."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProblemKind(StrEnum):
    MODIFIED = "modified"  # an entry's content no longer matches its hash, or it was changed and re-hashed
    DELETED = "deleted"  # entries are missing (a gap in seq, or the later ones renumbered to close it)
    REORDERED = "reordered"  # an entry sits at another place than the one it was written at
    FORGED = "forged"  # entries put in between two that chain to each other, or a start not at genesis
    TIME_BACKWARDS = "time-backwards"  # an entry is dated earlier than the one before it
    BAD_SIGNATURE = "bad-signature"  # a signature that does not verify, or by a key not registered to the actor
    UNSIGNED = "unsigned"  # an unsigned entry from an actor who has registered a key
    BAD_KEY = "bad-key"  # a key registration that does not hold
    TRUNCATED = "truncated"  # the chain ends before the entry an anchor vouches for
    REWRITTEN = "rewritten"  # the entry an anchor vouches for has another hash now
    MALFORMED = "malformed"  # a row whose fields are not of their types (a seq that is text, a time that is not)
    STATE_MISMATCH = "state-mismatch"  # a state table (warnings, assessments, accounts) disagrees with the ledger


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int
    kind: ProblemKind
    message: str
    table: str | None = None  # for a state mismatch: the table, row and column that disagree
    row: str | None = None
    column: str | None = None

    @property
    def where(self) -> str:
        """A state mismatch's place ("warnings id 3, state"); empty for a problem in the chain."""
        return f"{self.table} {self.row}{', ' + self.column if self.column else ''}" if self.table else ""

    def render(self) -> str:
        where = f" ({self.where})" if self.table else ""
        return f"seq {self.seq}: {self.kind.value}{where}: {self.message}"
