"""Anchors: the chain's head (seq and hash) exported to a file kept away from the database.

Whoever can rewrite the database can rewrite the whole chain consistently, or cut off its tail;
an anchor kept elsewhere catches both (`forewarn ledger verify --anchor FILE`). An anchor is
signed with the actor's key when one is configured, and the signature is checked on reading.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select

from forewarn.errors import InvalidArgument, LedgerBroken, NotFound, SigningKeyError
from forewarn.ledger.chain import Signer
from forewarn.ledger.keys import key_id_of, verify_signature
from forewarn.ledger.verify import verify
from forewarn.store import schema as t

if TYPE_CHECKING:
    from forewarn.store import SqlStore

FORMAT = "forewarn-ledger-anchor/1"


@dataclass(frozen=True, slots=True)
class Anchor:
    seq: int  # the last entry's seq when the anchor was taken
    hash: str  # and its hash
    at: datetime  # when the anchor was taken
    count: int  # entries in the chain then
    actor: str  # who took it
    key_id: str | None = None
    public_key: str | None = None  # raw Ed25519 public key, hex
    signature: str | None = None  # hex, over signed_bytes(anchor)


def make_anchor(source: Engine | SqlStore, *, at: datetime, actor: str, signer: Signer | None = None) -> Anchor:
    """Verify the chain, then anchor its head (raises LedgerBroken on a broken chain, and
    InvalidArgument on an empty one: there is nothing to vouch for)."""
    engine = source if isinstance(source, Engine) else source.engine
    report = verify(engine)
    report.check()
    if report.count == 0:
        raise InvalidArgument("the ledger is empty: nothing to anchor", hint="anchor once something is recorded")
    anchor = Anchor(report.last_seq, report.last_hash, at, report.count, actor)
    return anchor if signer is None else sign(anchor, signer, _public_key(engine, signer, actor))


def sign(anchor: Anchor, signer: Signer, public_key: str) -> Anchor:
    unsigned = replace(anchor, key_id=signer.key_id, public_key=public_key, signature=None)
    return replace(unsigned, signature=signer.sign(signed_bytes(unsigned)))


def _public_key(engine: Engine, signer: Signer, actor: str) -> str:
    k = t.ledger_keys.c
    with engine.connect() as conn:
        row = conn.execute(select(k.actor, k.public_key).where(k.key_id == signer.key_id)).first()
    if row is None or row.actor != actor:
        raise SigningKeyError(f"the signing key {signer.key_id[:16]}… is not registered to {actor}",
                              hint="register it with `forewarn ledger keygen`, or set signing_key to your own key")
    return str(row.public_key)


def signed_bytes(anchor: Anchor) -> bytes:
    """What an anchor's signature covers: every field but the signature, as canonical JSON."""
    body = _body(anchor)
    body.pop("signature")
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _body(a: Anchor) -> dict[str, Any]:
    return {"format": FORMAT, "seq": a.seq, "hash": a.hash, "at": a.at.isoformat(), "count": a.count,
            "actor": a.actor, "key_id": a.key_id, "public_key": a.public_key, "signature": a.signature}


def anchor_json(anchor: Anchor) -> str:
    return json.dumps(_body(anchor), indent=2, ensure_ascii=False) + "\n"


def anchor_line(anchor: Anchor) -> str:
    """The anchor as one line of compact JSON (the automatic anchors' file holds one per line)."""
    return json.dumps(_body(anchor), sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def write_anchor(path: Path, anchor: Anchor) -> None:
    path.write_text(anchor_json(anchor), encoding="utf-8")


def read_anchor(path: Path) -> Anchor:
    """Read an anchor file; a signed one must carry a valid signature."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"no anchor file at {path}", hint="take one with `forewarn ledger anchor --out FILE`") from None
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidArgument(f"cannot read the anchor file {path}: {err}") from None
    anchor = parse_anchor(text, str(path))
    check_signature(anchor, str(path))
    return anchor


def parse_anchor(text: str, origin: str = "anchor") -> Anchor:
    try:
        d = json.loads(text)
        if d.get("format") != FORMAT:
            raise ValueError(f"format is {d.get('format')!r}, not {FORMAT!r}")
        at = datetime.fromisoformat(d["at"])
        if at.tzinfo is None:
            raise ValueError("its time has no UTC offset")
        return Anchor(_int(d["seq"]), _hex(d["hash"], 64), at, _int(d["count"]), str(d["actor"]),
                      _opt_hex(d.get("key_id")), _opt_hex(d.get("public_key")), _opt_hex(d.get("signature")))
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise InvalidArgument(f"{origin} is not a ledger anchor: {err}",
                              hint="give a file written by `forewarn ledger anchor --out FILE`") from None


def check_signature(a: Anchor, origin: str) -> None:
    """Raise LedgerBroken when a signed anchor's signature does not verify (an unsigned one passes)."""
    if a.signature is None and a.key_id is None and a.public_key is None:
        return
    if a.signature is None or a.key_id is None or a.public_key is None or key_id_of(a.public_key) != a.key_id \
            or not verify_signature(a.public_key, signed_bytes(a), a.signature):
        raise LedgerBroken(f"the anchor {origin} was altered: its signature does not verify",
                           hint="use an intact copy of the anchor")


def _int(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{value!r} is not a count")
    return value


def _hex(value: Any, length: int | None = None) -> str:
    if not isinstance(value, str) or (length is not None and len(value) != length):
        raise ValueError(f"{value!r} is not a hash")
    bytes.fromhex(value)
    return value


def _opt_hex(value: Any) -> str | None:
    return None if value is None else _hex(value)
