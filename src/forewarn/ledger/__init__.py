"""The ledger: an append-only, hash-chained record of every warning action, published assessment,
scenario change and disposition. :func:`append` is the only writer of ledger rows.

Reading (:mod:`.query`), verifying (:mod:`.verify`), anchoring (:mod:`.anchor`) and keys
(:mod:`.keys`) live in their own modules; docs/ledger.md describes the whole."""

from forewarn.ledger.chain import GENESIS, Signer, append, canonical_payload, entry_hash, last_entry, lock

__all__ = ["GENESIS", "Signer", "append", "canonical_payload", "entry_hash", "last_entry", "lock"]
