"""Ed25519 signing keys: create one, load one, register its public half for an actor.

A key's id is the SHA-256 (hex) of its raw 32-byte public key. A signature is over the entry's
hash (its 32 raw bytes), so it binds the entry's content and its place in the chain.

Registering a key writes a row to ``ledger_keys`` and a ``key-registered`` ledger entry in one
transaction. An actor's first key signs its own registration (proof that whoever registers it
holds the private half); a further key must be registered while signing with one the actor
already has, so whoever can write to the database cannot quietly give an actor a new key.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, rsa, x448, x25519
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, select

from forewarn.errors import AlreadyExists, SigningKeyError
from forewarn.ledger.chain import Signer, append
from forewarn.model import LedgerEntry
from forewarn.store import schema as t

KEY_REGISTERED = "key-registered"
KEYGEN_HINT = "create one with `forewarn ledger keygen PATH` and point the signing_key setting at it"
# DSA is told by its class name: cryptography 51 deprecates the dsa module, and touching it warns
OTHER_KINDS = ((rsa.RSAPrivateKey, "an RSA"), (ec.EllipticCurvePrivateKey, "an elliptic-curve (ECDSA)"),
               (ed448.Ed448PrivateKey, "an Ed448"), (x25519.X25519PrivateKey, "an X25519"),
               (x448.X448PrivateKey, "an X448"))


@dataclass(frozen=True, slots=True)
class RegisteredKey:
    key_id: str
    actor: str
    public_key: str  # raw 32 bytes, hex
    registered_at: datetime


class Ed25519Signer:
    """Signs with an Ed25519 private key; satisfies :class:`forewarn.ledger.Signer`."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.public_key = public_hex(private_key.public_key())
        self.key_id = key_id_of(self.public_key)

    def sign(self, data: bytes) -> str:
        return self._key.sign(data).hex()

    def __repr__(self) -> str:  # never the private key
        return f"Ed25519Signer(key_id={self.key_id[:16]}…)"


def public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def key_id_of(public_key: str) -> str:
    """The id of a public key given as hex of its raw 32 bytes."""
    return hashlib.sha256(bytes.fromhex(public_key)).hexdigest()


def generate_key(path: Path) -> str:
    """Write a new Ed25519 private key to ``path`` (PEM, PKCS#8, mode 0600) and return its key id.
    An existing file is never overwritten."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SigningKeyError(f"{path} exists already; a key file is never overwritten",
                              hint="choose another path (entries signed with the old key need it to stay)") from None
    except OSError as err:
        raise SigningKeyError(f"cannot create {path}: {err.strerror}", hint="choose a writable path") from None
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return Ed25519Signer(key).key_id


def load_signer(path: Path) -> Ed25519Signer:
    """The signer of the Ed25519 private key (PEM or DER, unencrypted) at ``path``."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(f"no signing key at {path}", hint=KEYGEN_HINT) from None
    except OSError as err:
        raise SigningKeyError(f"cannot read the signing key {path}: {err.strerror}",
                              hint="check the path and its permissions") from None
    key = _private_key(data, path)
    if not isinstance(key, Ed25519PrivateKey):
        kind = next((name for cls, name in OTHER_KINDS if isinstance(key, cls)),
                    "a DSA" if "DSA" in type(key).__name__ else "another kind of")
        raise SigningKeyError(f"{path} holds {kind} key, not an Ed25519 one", hint=KEYGEN_HINT)
    return Ed25519Signer(key)


def _private_key(data: bytes, path: Path) -> object:
    loader = serialization.load_pem_private_key if data.lstrip().startswith(b"-----") else \
        serialization.load_der_private_key
    try:
        return loader(data, password=None)
    except TypeError:  # encrypted
        raise SigningKeyError(f"{path} is protected by a passphrase; forewarn needs an unencrypted key file",
                              hint="keep it unencrypted with mode 0600, or create a new one") from None
    except (ValueError, UnsupportedAlgorithm):
        raise SigningKeyError(f"{path} is not a private key file", hint=KEYGEN_HINT) from None


def verify_signature(public_key: str, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (hex) is the Ed25519 signature of ``data`` by ``public_key`` (hex)."""
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key)).verify(bytes.fromhex(signature), data)
    except (InvalidSignature, ValueError):
        return False
    return True


def keys_of(conn: Connection, actor: str | None = None) -> list[RegisteredKey]:
    """Registered keys (of one actor, or all), oldest first."""
    k = t.ledger_keys.c
    query = select(k.key_id, k.actor, k.public_key, k.registered_at).order_by(k.registered_at, k.key_id)
    if actor is not None:
        query = query.where(k.actor == actor)
    return [RegisteredKey(r.key_id, r.actor, r.public_key, r.registered_at) for r in conn.execute(query)]


def register_key(conn: Connection, *, at: datetime, actor: str, key: Ed25519Signer,
                 current: Signer | None = None) -> LedgerEntry:
    """Register ``key`` for ``actor`` inside the caller's write transaction. The actor's first key
    signs its own registration; a further one needs ``current``, a key the actor already has."""
    if conn.execute(select(t.ledger_keys.c.actor).where(t.ledger_keys.c.key_id == key.key_id)).first():
        raise AlreadyExists(f"the key {key.key_id[:16]}… is registered already",
                            hint="`forewarn ledger show --kind key-registered` lists registered keys")
    owned = {k.key_id for k in keys_of(conn, actor)}
    if owned and (current is None or current.key_id not in owned):
        raise SigningKeyError(f"{actor} already has a registered key; a new one must be registered while signing "
                              "with it", hint="set signing_key to the key you have now, then register the new one")
    conn.execute(t.ledger_keys.insert().values(key_id=key.key_id, actor=actor, public_key=key.public_key,
                                               registered_at=at))
    payload = {"key_id": key.key_id, "public_key": key.public_key, "actor": actor}
    return append(conn, at=at, actor=actor, kind=KEY_REGISTERED, subject=f"actor:{actor}", payload=payload,
                  signer=current if owned else key)
