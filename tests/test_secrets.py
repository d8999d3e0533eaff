"""Issue 11, item 1: a webhook URL's credentials (user, password, path token, query value) never
reach the store, the ledger as shown, logs, CLI output, pages or API answers.

A canary secret sits in every part of the URL; a warning goes through the outbox (failed
delivery, a changed URL refused, a requeue, a failed delivery again), then every table and column
of the workspace, every ledger payload, the captured logs, the CLI's `config`, `outbox` and
`ledger show`, the API's `/api/v1/ledger`, the ledger page and the warning page are searched."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from typer.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent / "web"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "warn"))
from warn_support import free_port, webhook_receiver
from web_support import build_world, role_login

from forewarn import accounts
from forewarn.app import Workspace
from forewarn.cli.main import app as cli_app
from forewarn.config import Settings
from forewarn.redact import MASK, fingerprint, redact_text, redact_url, redact_value, scrub
from forewarn.store.core import migrations_config
from forewarn.warn import DeliveryReport
from forewarn.warn.outbox import Status
from forewarn.web import create_app

CANARIES = ("canaryuser", "CANARYPASS", "CANARYPATHTOKEN123456", "CANARYQUERY")
SECRET = "CANARYSIGNINGSECRET"


def canary_url(port: int = 9, user: str = "canaryuser") -> str:
    return f"http://{user}:CANARYPASS@127.0.0.1:{port}/hooks/CANARYPATHTOKEN123456?token=CANARYQUERY"


def leaks(text: str) -> list[str]:
    """The canaries (and the signing secret) found in ``text``, compared case-insensitively."""
    low = text.lower()
    return [c for c in (*CANARIES, SECRET) if c.lower() in low]


# -- the redaction itself --------------------------------------------------------------------------

def test_every_secret_part_of_a_url_is_masked() -> None:
    assert redact_url(canary_url()) == f"http://{MASK}@127.0.0.1:9/hooks/{MASK}?token={MASK}"
    assert redact_url("https://hooks.example.org/services/T0AB12CD3/B0AB12CD3/aBcDeFgHiJkLmNoPqRsTuVwX") == \
        f"https://hooks.example.org/services/{MASK}/{MASK}/{MASK}"
    assert redact_url("https://example.org/feeds/alerts-2024/rss2.xml") == "https://example.org/feeds/alerts-2024/rss2.xml"
    assert redact_url("https://example.org/a?CANARYBARETOKEN#frag") == f"https://example.org/a?{MASK}#{MASK}"
    assert redact_url("http://[::1/broken") == MASK and redact_url("") == ""
    assert redact_text(f"see {canary_url()}, then retry.") == f"see {redact_url(canary_url())}, then retry."
    assert redact_value({"a": [canary_url(), 3, None]}) == {"a": [redact_url(canary_url()), 3, None]}
    assert not leaks(scrub("Invalid port: 'CANARYPASS@127' for canaryuser", canary_url()))


def test_a_fingerprint_tells_urls_apart_without_holding_them() -> None:
    assert fingerprint(canary_url()) == fingerprint(canary_url())
    assert fingerprint(canary_url()) != fingerprint(canary_url(user="other"))
    assert redact_url(canary_url()) == redact_url(canary_url(user="other"))  # alike once redacted …
    assert not leaks(fingerprint(canary_url())) and len(fingerprint(canary_url())) == 16  # … the fingerprint differs


def test_config_masks_the_webhook_url() -> None:
    shown = Settings(webhook_url=canary_url(), webhook_secret=SECRET).shown()
    assert shown["webhook_url"] == redact_url(canary_url()) and not leaks(repr(shown))


# -- the whole way through ---------------------------------------------------------------------------

@pytest.fixture
def cheap_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _through_the_outbox(make_workspace: Callable[..., Workspace], db_url: str, tmp_path: Path, clock: object,
                        hook_url: str) -> Workspace:
    """A world whose cycle raised warnings (queued for the canary URL on port 9); delivery fails;
    the URL is changed to ``hook_url`` (a receiver answering 500): the queued rows are refused,
    requeued onto the new URL, and fail again with an HTTP answer (which the HTTP library logs)."""
    first = make_workspace(db_url, webhook_url=canary_url(), webhook_secret=SECRET, notify_timeout=1.0)
    build_world(first, tmp_path)  # its cycle tries to deliver once
    clock.advance(minutes=5)  # type: ignore[attr-defined]
    assert first.warnings.outbox() and first.warnings.deliver().failed == len(first.warnings.outbox())
    assert all("ConnectError" in (i.last_error or "") for i in first.warnings.outbox())
    clock.advance(minutes=5)  # type: ignore[attr-defined]
    ws = make_workspace(db_url, webhook_url=hook_url, webhook_secret=SECRET, notify_timeout=2.0)
    report = ws.warnings.deliver()
    assert report == DeliveryReport(0, len(ws.warnings.outbox()), 0)
    assert all("FW-E082" in (i.last_error or "") and "changed" in (i.last_error or "") for i in ws.warnings.outbox())
    for item in ws.warnings.outbox():
        again = ws.warnings.retry(item.id)
        assert again.fingerprint == fingerprint(hook_url) and again.status is Status.PENDING
    assert ws.warnings.deliver().failed == len(ws.warnings.outbox())
    assert all("HTTP 500" in (i.last_error or "") for i in ws.warnings.outbox())
    return ws


def _tables(ws: Workspace) -> str:
    """Every row of every table of the workspace, all columns, as text."""
    found = []
    with ws.store.engine.connect() as conn:
        for table in sa.inspect(conn).get_table_names():
            found += [repr(tuple(r)) for r in conn.execute(sa.text(f'SELECT * FROM "{table}"'))]
    return "\n".join(found)


def _cli(runner: CliRunner, db_url: str, hook_url: str, *args: str) -> str:
    result = runner.invoke(cli_app, ["--db", db_url, "--actor", "root", *args],
                           env={"COLUMNS": "300", "FOREWARN_WEBHOOK_URL": hook_url, "FOREWARN_WEBHOOK_SECRET": SECRET})
    assert result.exit_code == 0, result.output
    return result.output


def test_no_canary_anywhere(make_workspace: Callable[..., Workspace], db_url: str, tmp_path: Path, clock: object,
                            caplog: pytest.LogCaptureFixture, runner: CliRunner, cheap_hashes: None) -> None:
    caplog.set_level(logging.DEBUG)
    with webhook_receiver(SECRET, statuses=[500] * 50) as hook:
        hook_url = canary_url(port=int(hook.url.rsplit(":", 1)[1].split("/")[0]), user="canaryuser2")
        ws = _through_the_outbox(make_workspace, db_url, tmp_path, clock, hook_url)
        assert hook.received  # it was sent, to the URL set now
    requeued = ws.ledger.entries(kind="notification-requeued")
    assert requeued and all(e.payload["target"] == redact_url(hook_url) for e in requeued)
    assert all(e.payload["target_fingerprint"] == fingerprint(hook_url) for e in requeued)
    assert not leaks(_tables(ws)), "a canary rests in the store"
    # an entry written before targets were redacted: the ledger cannot change, its reads redact
    warning_id = ws.warnings.outbox()[0].warning_id
    ws.ledger.record("notification-requeued", f"warning:{warning_id}", {"outbox_id": 1, "target": canary_url()})

    shown = [repr([e.payload for e in ws.ledger.entries()]), repr(ws.warnings.history(warning_id)), caplog.text,
             repr(ws.warnings.outbox()), repr(ws.settings.shown())]
    shown += [_cli(runner, db_url, hook_url, *args) for args in (
        ("config",), ("config", "--json"), ("outbox",), ("outbox", "--json"), ("ledger", "show", "--json"),
        ("ledger", "show", "--limit", "1000"), ("warnings", "show", str(warning_id)))]
    with TestClient(create_app(ws), follow_redirects=False) as client:
        client.headers["X-CSRF-Token"] = role_login(client, "viewer")
        api = client.get("/api/v1/ledger", params={"limit": 500})
        assert api.status_code == 200 and "notification-requeued" in api.text
        pages = [client.get("/ledger"), client.get(f"/warnings/{warning_id}"),
                 client.get("/ledger", params={"kind": "notification-requeued"})]
        assert all(p.status_code == 200 for p in pages)
        shown += [api.text] + [p.text for p in pages]
    assert "notification-requeued" in shown[-1]
    assert verify_intact(ws)  # the redaction is of what is shown: the stored chain is untouched
    for text in shown:
        assert not leaks(text), [m.start() for c in CANARIES for m in re.finditer(c, text, re.I)][:3]


def verify_intact(ws: Workspace) -> bool:
    return ws.ledger.verify().ok


def test_a_changed_webhook_url_is_not_sent_to(make_workspace: Callable[..., Workspace], tmp_path: Path,
                                              clock: object) -> None:
    db = f"sqlite:///{tmp_path / 'ws.db'}"
    with webhook_receiver(SECRET) as old, webhook_receiver(SECRET) as new:
        ws = make_workspace(db, webhook_url=old.url + "/CANARYPATHTOKEN123456", webhook_secret=SECRET)
        w = ws.warnings.raise_warning("Convoys", "x", "high")
        [item] = ws.warnings.outbox()
        assert item.target == old.url + f"/{MASK}"
        assert item.fingerprint == fingerprint(old.url + "/CANARYPATHTOKEN123456")
        moved = make_workspace(db, webhook_url=new.url, webhook_secret=SECRET)
        assert moved.warnings.deliver() == DeliveryReport(0, 1, 0)
        assert not old.received and not new.received  # sent nowhere rather than to the wrong place
        error = moved.warnings.outbox()[0].last_error or ""
        assert "FW-E082" in error and f"--retry {item.id}" in error
        clock.advance(minutes=1)  # type: ignore[attr-defined]
        emptied = make_workspace(db, webhook_url="", webhook_secret=SECRET)
        assert emptied.warnings.deliver() == DeliveryReport(0, 1, 0)
        assert "empty" in (emptied.warnings.outbox()[0].last_error or "")
        moved.warnings.retry(item.id)
        assert moved.warnings.deliver() == DeliveryReport(1, 0, 0)
        assert [r.delivery for r in new.received] == [str(item.id)] and not old.received
    assert moved.warnings.get(w.id).id == w.id


# -- rows stored before this fix ---------------------------------------------------------------------

@pytest.fixture
def old_store(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    yield engine
    engine.dispose()


def test_the_migration_redacts_stored_targets(old_store: sa.Engine, make_workspace: Callable[..., Workspace],
                                              tmp_path: Path) -> None:
    with old_store.begin() as conn:
        command.upgrade(migrations_config(conn), "0008")
        conn.execute(sa.text(
            "INSERT INTO outbox (warning_id, reason, channel, target, payload, status, attempts, next_attempt_at, "
            "last_error, created_at) VALUES (1, 'raised', :channel, :target, '{}', 'dead', 10, "
            "'2024-08-12 12:00:00.000000', :error, '2024-08-12 12:00:00.000000')"),
            [{"channel": "webhook", "target": canary_url(),
              "error": "webhook http://127.0.0.1:9/hooks/CANARYPATHTOKEN123456: ConnectError: refused"},
             {"channel": "email", "target": "desk@example.org", "error": None}])
    old_store.dispose()
    ws = make_workspace(f"sqlite:///{tmp_path / 'old.db'}", webhook_url=canary_url())
    hook, mail = sorted(ws.warnings.outbox(), key=lambda i: i.channel, reverse=True)
    assert (hook.target, hook.fingerprint) == (redact_url(canary_url()), fingerprint(canary_url()))
    assert hook.last_error and "ConnectError" in hook.last_error and not leaks(hook.last_error)
    assert (mail.target, mail.fingerprint) == ("desk@example.org", fingerprint("desk@example.org"))
    assert not leaks(_tables(ws))
    with ws.store.engine.begin() as conn:  # and back down: the column goes, the rows stay
        command.downgrade(migrations_config(conn), "0008")
        assert "target_fingerprint" not in {c["name"] for c in sa.inspect(conn).get_columns("outbox")}
        assert conn.execute(sa.text("SELECT count(*) FROM outbox")).scalar() == 2


def test_the_logs_of_an_answered_delivery_hold_no_secret(make_workspace: Callable[..., Workspace], tmp_path: Path,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with webhook_receiver(SECRET) as hook:
        port = int(hook.url.rsplit(":", 1)[1].split("/")[0])
        ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}", webhook_url=canary_url(port), webhook_secret=SECRET)
        ws.warnings.raise_warning("Convoys", "x", "high")
        assert ws.warnings.deliver() == DeliveryReport(1, 0, 0)
    assert "HTTP Request" in caplog.text and "127.0.0.1" in caplog.text
    assert not leaks(caplog.text)


def test_an_unparseable_url_stays_queued(make_workspace: Callable[..., Workspace], tmp_path: Path) -> None:
    url = f"http://canaryuser:CANARYPASS@127.0.0.1:{free_port()}x/hooks/CANARYPATHTOKEN123456"
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}", webhook_url=url, notify_timeout=1.0)
    ws.warnings.raise_warning("Convoys", "x", "high")
    assert ws.warnings.deliver() == DeliveryReport(0, 1, 0)
    [item] = ws.warnings.outbox()
    assert item.last_error and "FW-E082" in item.last_error and not leaks(json.dumps(item.last_error))
