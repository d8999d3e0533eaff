"""The ledger: an append-only, hash-chained record of every warning action, published assessment,
scenario change and disposition. :func:`append` is the only writer of ledger rows."""

from forewarn.ledger.chain import GENESIS, Signer, append, canonical_payload, entry_hash, last_entry

__all__ = ["GENESIS", "Signer", "append", "canonical_payload", "entry_hash", "last_entry"]
