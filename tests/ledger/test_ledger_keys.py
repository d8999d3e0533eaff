"""Signing keys: creating, loading, registering, signing."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.errors import AlreadyExists, SigningKeyError
from forewarn.ledger.keys import generate_key, key_id_of, keys_of, load_signer, verify_signature
from forewarn.store import schema as t


def test_generate_writes_a_private_file_and_returns_the_key_id(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ana.pem"
    key_id = generate_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    signer = load_signer(path)
    assert signer.key_id == key_id == key_id_of(signer.public_key)
    assert len(bytes.fromhex(signer.public_key)) == 32


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "ana.pem"
    generate_key(path)
    before = path.read_bytes()
    with pytest.raises(SigningKeyError, match="never overwritten"):
        generate_key(path)
    assert path.read_bytes() == before


def test_signatures_verify_and_a_changed_one_does_not(tmp_path: Path) -> None:
    generate_key(tmp_path / "k.pem")
    signer = load_signer(tmp_path / "k.pem")
    data = bytes(range(32))
    signature = signer.sign(data)
    assert verify_signature(signer.public_key, data, signature)
    flipped = ("1" if signature[0] == "0" else "0") + signature[1:]
    assert not verify_signature(signer.public_key, data, flipped)
    assert not verify_signature(signer.public_key, data[::-1], signature)
    assert not verify_signature(signer.public_key, data, "not hex")
    assert "PRIVATE" not in repr(signer) and signer.key_id[:16] in repr(signer)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "absent.pem", "no signing key"),
    (lambda d: _write(d / "notes.txt", b"just some notes\n"), "not a private key"),
    (lambda d: _write(d / "empty.pem", b""), "not a private key"),
    (lambda d: _write(d / "ec.pem", ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
     r"an elliptic-curve \(ECDSA\) key, not an Ed25519"),
    (lambda d: _write(d / "locked.pem", Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"))), "passphrase"),
    (lambda d: _write(d / "public.pem", Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)), "not a private key"),
])
def test_a_bad_key_file_is_a_clear_error(tmp_path: Path, make: Callable[[Path], Path], message: str) -> None:
    with pytest.raises(SigningKeyError, match=message) as caught:
        load_signer(make(tmp_path))
    assert caught.value.hint and "FW-E093" in str(caught.value)


def test_a_der_key_loads(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    path = _write(tmp_path / "k.der", key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
    assert load_signer(path).sign(b"x") == key.sign(b"x").hex()


def test_registration_writes_the_key_and_a_self_signed_entry(workspace: Workspace, tmp_path: Path) -> None:
    key_id = workspace.ledger.register_key(tmp_path / "tester.pem", generate=True)
    with workspace.store.engine.connect() as conn:
        registered = keys_of(conn, "tester")
    assert [k.key_id for k in registered] == [key_id]
    entry = workspace.ledger.entries(kind="key-registered")[0]
    assert entry.subject == "actor:tester" and entry.key_id == key_id and entry.signature
    assert entry.payload == {"key_id": key_id, "public_key": registered[0].public_key, "actor": "tester"}
    assert workspace.ledger.verify().ok


def test_registering_the_same_key_twice_is_refused(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    sqlite_workspace.ledger.register_key(tmp_path / "k.pem", generate=True)
    with pytest.raises(AlreadyExists):
        sqlite_workspace.ledger.register_key(tmp_path / "k.pem")
    assert len(sqlite_workspace.ledger.entries()) == 1


def test_a_second_key_needs_the_first_one(tmp_path: Path, make_workspace: Callable[..., Workspace],
                                          clock: Any) -> None:
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    first = tmp_path / "first.pem"
    make_workspace(url).ledger.register_key(first, generate=True)
    second = tmp_path / "second.pem"
    with pytest.raises(SigningKeyError, match="already has a registered key"):
        make_workspace(url).ledger.register_key(second, generate=True)
    assert not second.exists()  # the key made for nothing is removed again
    rotating = make_workspace(url, signing_key=str(first))
    clock.advance(minutes=1)
    new_id = rotating.ledger.register_key(second, generate=True)
    entries = rotating.ledger.entries(kind="key-registered")
    assert entries[1].key_id == load_signer(first).key_id and entries[1].payload["key_id"] == new_id
    signing = make_workspace(url, signing_key=str(second))
    signing.ledger.record("comment", "warning:1", {"text": "signed with the new key"})
    assert signing.ledger.verify().ok


def test_entries_are_signed_when_a_key_is_set(workspace: Workspace, make_workspace: Callable[..., Workspace],
                                              tmp_path: Path) -> None:
    path = tmp_path / "tester.pem"
    workspace.ledger.register_key(path, generate=True)
    ws = make_workspace(workspace.settings.database_url, signing_key=str(path))
    entry = ws.ledger.record("comment", "warning:1", {"text": "signed"})
    assert entry.key_id == load_signer(path).key_id
    assert verify_signature(load_signer(path).public_key, bytes.fromhex(entry.hash), entry.signature or "")
    assert ws.ledger.verify().ok


def test_signing_with_an_unregistered_or_foreign_key_is_refused(tmp_path: Path,
                                                                make_workspace: Callable[..., Workspace]) -> None:
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    loose = tmp_path / "loose.pem"
    generate_key(loose)
    with pytest.raises(SigningKeyError, match="not registered"):
        make_workspace(url, signing_key=str(loose)).ledger.record("comment", "warning:1", {})
    make_workspace(url).ledger.register_key(loose)  # now tester's
    olga = Settings(database_url=url, actor="olga", signing_key=str(loose), extract=False)
    with pytest.raises(SigningKeyError, match="registered to tester, not olga"), Workspace.open(olga) as ws:
        ws.ledger.record("comment", "warning:1", {})
    ws = make_workspace(url)
    with ws.store.engine.connect() as conn:
        assert conn.execute(select(t.ledger.c.seq)).scalars().all() == [1]


def test_a_missing_configured_key_says_how_to_make_one(sqlite_workspace: Workspace, tmp_path: Path,
                                                       make_workspace: Callable[..., Workspace]) -> None:
    ws = make_workspace(sqlite_workspace.settings.database_url, signing_key=str(tmp_path / "gone.pem"))
    with pytest.raises(SigningKeyError, match="no signing key") as caught:
        ws.ledger.record("comment", "warning:1", {})
    assert "forewarn ledger keygen" in caught.value.hint
