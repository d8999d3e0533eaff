"""`forewarn user` and `forewarn token`, and `serve`'s loopback rule."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from forewarn.cli.main import app
from forewarn.cli.serve import is_loopback
from forewarn.config import Settings

runner = CliRunner()


def cli(db: str, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", db, "--actor", "root", *args], input=stdin, env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_user_and_token_round_trip(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    code, out = cli(db, "user", "add", "alice", "--role", "duty_officer", "--password-stdin",
                    stdin="a long passphrase\n")
    assert code == 0 and "alice (duty officer) added" in out, out
    code, out = cli(db, "user", "add", "alice", "--password-stdin", stdin="a long passphrase\n")
    assert code == 1 and "FW-E004" in out
    code, out = cli(db, "user", "add", "bob", "--role", "pope", "--password-stdin", stdin="a long passphrase\n")
    assert code == 1 and "FW-E104" in out and "unknown role" in out
    code, out = cli(db, "user", "list", "--json")
    users = json.loads(out)["items"]
    assert [(u["name"], u["role"], u["disabled"]) for u in users] == [("alice", "duty_officer", False)]

    code, out = cli(db, "token", "create", "alice", "--name", "ci")
    assert code == 0, out
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("fwt_") and len(secret) > 40
    code, out = cli(db, "token", "list", "--json")
    [token] = json.loads(out)["items"]
    assert token["user"] == "alice" and token["revoked_at"] is None and secret not in out
    code, out = cli(db, "token", "revoke", str(token["id"]))
    assert code == 0 and "revoked" in out
    code, out = cli(db, "user", "disable", "alice")
    assert code == 0 and "disabled" in out
    code, out = cli(db, "ledger", "show", "--json", "--oldest-first")
    kinds = [(e["kind"], e["actor"]) for e in json.loads(out)["items"]]
    assert kinds == [("user-added", "root"), ("token-created", "root"), ("token-revoked", "root"),
                     ("user-disabled", "root")]


def test_serve_binds_loopback_by_default() -> None:
    assert Settings().web_host == "127.0.0.1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")
