"""Anchors: taken from a verified chain, signed when a key is set, checked on reading."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ledger_kit import attacker

from forewarn.app import Workspace
from forewarn.errors import InvalidArgument, LedgerBroken, NotFound
from forewarn.ledger.anchor import FORMAT, parse_anchor, read_anchor
from forewarn.ledger.keys import generate_key
from forewarn.ledger.verify import ProblemKind
from forewarn.store import schema as t


def test_an_anchor_holds_the_head_of_the_chain(chain: Workspace, clock: Any, tmp_path: Path) -> None:
    path = tmp_path / "anchor.json"
    anchor = chain.ledger.anchor(path)
    head = chain.ledger.entries(newest_first=True, limit=1)[0]
    assert (anchor.seq, anchor.hash, anchor.count, anchor.at, anchor.actor) == (10, head.hash, 10, clock(), "tester")
    assert anchor.signature is None
    assert read_anchor(path) == anchor
    assert json.loads(path.read_text())["format"] == FORMAT


def test_a_signed_anchor_is_checked_on_reading(signed_chain: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "anchor.json"
    anchor = signed_chain.ledger.anchor(path)
    assert anchor.signature and anchor.key_id == signed_chain.ledger.entries()[0].key_id
    assert signed_chain.ledger.verify(path).ok
    data = json.loads(path.read_text())
    data["seq"] = 9  # an attacker who also cut the chain back to 9 tries to move the anchor with it
    path.write_text(json.dumps(data))
    with pytest.raises(LedgerBroken, match="its signature does not verify"):
        read_anchor(path)


def test_an_anchor_signed_by_a_key_foreign_to_the_ledger_is_a_problem(signed_chain: Workspace, tmp_path: Path,
                                                                      make_workspace: Callable[..., Workspace],
                                                                      ) -> None:
    elsewhere = make_workspace(f"sqlite:///{tmp_path / 'other.db'}", signing_key=str(tmp_path / "other.pem"))
    elsewhere.ledger.register_key(tmp_path / "other.pem", generate=True)
    for _ in range(9):
        elsewhere.ledger.record("comment", "warning:1", {})
    path = tmp_path / "anchor.json"
    elsewhere.ledger.anchor(path)
    report = signed_chain.ledger.verify(path)
    assert (ProblemKind.BAD_SIGNATURE, 10) in [(p.kind, p.seq) for p in report.problems]


def test_an_empty_or_broken_chain_is_not_anchored(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgument, match="empty"):
        sqlite_workspace.ledger.anchor(tmp_path / "a.json")
    sqlite_workspace.ledger.record("comment", "warning:1", {"text": "one"})
    with attacker(sqlite_workspace) as conn:
        conn.execute(t.ledger.update().values(payload="{}"))
    with pytest.raises(LedgerBroken, match="FW-E092"):
        sqlite_workspace.ledger.anchor(tmp_path / "a.json")
    assert not (tmp_path / "a.json").exists()


def test_an_unregistered_key_cannot_sign_an_anchor(chain: Workspace, tmp_path: Path,
                                                   make_workspace: Callable[..., Workspace]) -> None:
    from forewarn.errors import SigningKeyError

    generate_key(tmp_path / "loose.pem")
    ws = make_workspace(chain.settings.database_url, signing_key=str(tmp_path / "loose.pem"))
    with pytest.raises(SigningKeyError, match="not registered"):
        ws.ledger.anchor()


@pytest.mark.parametrize("text, message", [
    ("not json", "not a ledger anchor"),
    ('{"format": "something else"}', "format is 'something else'"),
    (json.dumps({"format": FORMAT, "seq": -1, "hash": "0" * 64, "at": "2024-08-12T12:00:00+00:00", "count": 1,
                 "actor": "a"}), "not a count"),
    (json.dumps({"format": FORMAT, "seq": 1, "hash": "xyz", "at": "2024-08-12T12:00:00+00:00", "count": 1,
                 "actor": "a"}), "not a hash"),
    (json.dumps({"format": FORMAT, "seq": 1, "hash": "0" * 64, "at": "2024-08-12T12:00:00", "count": 1,
                 "actor": "a"}), "UTC offset"),
])
def test_a_malformed_anchor_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidArgument, match=message):
        parse_anchor(text)


def test_a_missing_anchor_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no anchor file"):
        read_anchor(tmp_path / "absent.json")


def test_half_a_signature_is_refused(signed_chain: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "anchor.json"
    signed_chain.ledger.anchor(path)
    data = json.loads(path.read_text())
    data["signature"] = None
    path.write_text(json.dumps(data))
    with pytest.raises(LedgerBroken):
        read_anchor(path)
