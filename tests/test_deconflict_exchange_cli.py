"""`forewarn deconflict exchange request|answer|finish` between two workspaces (two installations) by file: the
requester learns the selectors in common (or their number) and nothing else, both ledgers record each step (peer,
mode, sizes, file sha256, never a selector), the answering side is rate-limited per peer."""

from __future__ import annotations

import hashlib
import json
import stat
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from forewarn.app import Workspace
from forewarn.cli.main import app
from forewarn.config import Settings
from forewarn.store import schema as t

runner = CliRunner()
AT = datetime(2024, 8, 1, tzinfo=UTC)
A_KEYS = {"phone:+380671234567": "+380 67 123 45 67", "email:ops@example.org": "Ops@Example.org",
          "hull:152": "борт 152", "handle:only_a": "@only_a", "person:id:ner:person:ivan": "Ivan"}
B_KEYS = {"phone:+380671234567": "+380671234567", "hull:152": "152", "handle:only_b": "@only_b",
          "person:id:ner:person:ivan": "Ivan",  # an entity id means something only inside its workspace: not sent
          "email:ops@example.org": "ops@example.org"}
B_EXCLUDED = {"email:ops@example.org"}


def world(db: Path, team: str, member: str, keys: dict[str, str], excluded: set[str]) -> str:
    url = f"sqlite:///{db}"
    with Workspace.open(Settings(database_url=url, actor="setup", extract=False)) as ws, \
            ws.store.engine.begin() as conn:
        conn.execute(t.teams.insert().values(id=team, name=f"Team {team}", created_by="setup", created_at=AT))
        conn.execute(t.team_members.insert().values(team_id=team, account=member, added_by="setup", added_at=AT))
        conn.execute(t.teams.insert().values(id="other", name="Other", created_by="setup", created_at=AT))
        conn.execute(t.deconfliction_selectors.insert(), [
            {"team_id": team, "kind": k.split(":")[0], "key": k, "shown": v, "found_at": AT, "salt": "00",
             "excluded_at": AT if k in excluded else None, "excluded_by": "setup" if k in excluded else None}
            for k, v in keys.items()])
        conn.execute(t.deconfliction_selectors.insert().values(team_id="other", kind="handle", key="handle:secret_o",
                                                               shown="@secret_o", found_at=AT, salt="00"))
    return url


def cli(url: str, actor: str, *args: str) -> tuple[int, str]:
    r = runner.invoke(app, ["--db", url, "--actor", actor, *args],
                      env={"COLUMNS": "200"})
    return r.exit_code, r.output


def exchanged(url: str) -> list[dict[str, object]]:
    with Workspace.open(Settings(database_url=url, actor="reader", extract=False)) as ws, \
            ws.store.engine.connect() as conn:
        rows = conn.execute(select(t.ledger).where(t.ledger.c.kind == "deconfliction-exchanged")
                            .order_by(t.ledger.c.seq)).all()
    return [r.payload if isinstance(r.payload, dict) else json.loads(r.payload) for r in rows]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_exchange_by_file_between_two_installations(tmp_path: Path) -> None:
    a = world(tmp_path / "a.db", "north", "ana", A_KEYS, set())
    b = world(tmp_path / "b.db", "south", "bo", B_KEYS, B_EXCLUDED)
    req, state, resp = tmp_path / "req.json", tmp_path / "state.json", tmp_path / "resp.json"
    code, text = cli(a, "ana", "deconflict", "exchange", "request", str(req), "--state", str(state),
                     "--peer", "agency-b", "--team", "north")
    assert code == 0, text
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    shared = req.read_text()
    assert all(k not in shared and v not in shared for k, v in A_KEYS.items())
    code, text = cli(b, "bo", "deconflict", "exchange", "answer", str(req), str(resp), "--peer", "agency-a",
                     "--team", "south")
    assert code == 0, text
    code, text = cli(a, "ana", "deconflict", "exchange", "finish", str(resp), "--state", str(state), "--json")
    assert code == 0, text
    found = json.loads(text)
    assert found["size"] == 2 and [k["key"] for k in found["keys"]] == ["hull:152", "phone:+380671234567"]
    assert [k["selector"] for k in found["keys"]] == ["борт 152", "+380 67 123 45 67"]  # as north wrote them
    steps_a, steps_b = exchanged(a), exchanged(b)
    assert [s["step"] for s in steps_a] == ["request", "finish"] and [s["step"] for s in steps_b] == ["answer"]
    assert steps_a[0]["file_sha256"] == sha(req) == steps_b[0]["file_sha256"]
    assert steps_a[1]["file_sha256"] == sha(resp) and steps_a[0]["own_size"] == 1024
    assert steps_b[0]["peer"] == "agency-a" and steps_b[0]["peer_size"] == 1024
    ledgers = json.dumps(steps_a + steps_b)
    assert "380671234567" not in ledgers and "hull" not in ledgers and "only_" not in ledgers


def test_rate_limit_size_only_cardinality_and_membership(tmp_path: Path) -> None:
    a = world(tmp_path / "a.db", "north", "ana", A_KEYS, set())
    b = world(tmp_path / "b.db", "south", "bo", B_KEYS, B_EXCLUDED)
    req, state, resp = tmp_path / "req.json", tmp_path / "state.json", tmp_path / "resp.json"
    code, _ = cli(a, "ana", "deconflict", "exchange", "request", str(req), "--state", str(state), "--peer", "b",
                  "--team", "north", "--mode", "cardinality")
    assert code == 0
    code, text = cli(b, "bo", "deconflict", "exchange", "answer", str(req), str(resp), "--peer", "a", "--team",
                     "south", "--size-only")
    assert code == 0, text
    code, text = cli(a, "ana", "deconflict", "exchange", "finish", str(resp), "--state", str(state), "--json")
    assert json.loads(text) == {"exchange_id": json.loads(req.read_text())["exchange_id"], "mode": "cardinality",
                                "size": 2, "keys": None}
    code, text = cli(b, "bo", "deconflict", "exchange", "answer", str(req), str(resp), "--peer", "a", "--team",
                     "south")
    assert code == 1 and "FW-E103" in text  # the same peer again within deconfliction_exchange_hours
    code, text = cli(a, "ana", "deconflict", "exchange", "request", str(req), "--state", str(state), "--peer", "c",
                     "--team", "south")
    assert code == 1 and "FW-E101" in text  # not a member of that team
    code, _ = cli(a, "ana", "deconflict", "exchange", "request", str(req), "--state", str(state), "--peer", "d",
                  "--team", "north")
    code, text = cli(b, "bo", "deconflict", "exchange", "answer", str(req), str(resp), "--peer", "d", "--team",
                     "south", "--size-only")
    assert code == 1 and "size only" in text  # an intersection request, answered with the size only: refused
    code, text = cli(b, "bo", "deconflict", "exchange", "answer", str(state), str(resp), "--peer", "e")
    assert code == 1 and "FW-E" in text  # a state file is not a request


def test_whole_workspace_for_the_local_admin(tmp_path: Path) -> None:
    a = world(tmp_path / "a.db", "north", "ana", A_KEYS, set())
    b = world(tmp_path / "b.db", "south", "bo", {"handle:secret_o": "@secret_o"}, set())
    req, state, resp = tmp_path / "req.json", tmp_path / "state.json", tmp_path / "resp.json"
    assert cli(a, "root", "deconflict", "exchange", "request", str(req), "--state", str(state), "--peer", "b")[0] == 0
    assert cli(b, "bo", "deconflict", "exchange", "answer", str(req), str(resp), "--peer", "a", "--team",
               "south")[0] == 0
    # root is in no team: the key comes back as its key, not as a team wrote it
    code, text = cli(a, "root", "deconflict", "exchange", "finish", str(resp), "--state", str(state), "--json")
    assert code == 0 and json.loads(text)["keys"] == [{"key": "handle:secret_o", "selector": "handle:secret_o"}]
