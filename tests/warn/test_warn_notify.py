"""Notifications through the outbox: a signed webhook and e-mail on raise, escalation and reopen;
failed deliveries retried with back-off; the warning itself never touched by a delivery failure;
the webhook secret never in an error."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from email import message_from_bytes

import pytest
from warn_support import Mailbox, assert_ledger_intact, assessment, free_port, scenario, signal, webhook_receiver

from forewarn.app import Workspace
from forewarn.errors import InvalidArgument, NotFound
from forewarn.model import WarningState
from forewarn.warn import DeliveryReport, verify_signature
from forewarn.warn.outbox import MAX_ATTEMPTS, Status, backoff

SECRET = "s3cret-shared-with-the-receiver"


def test_webhook_is_signed_and_carries_the_warning(open_ws: Callable[..., Workspace], clock) -> None:
    with webhook_receiver(SECRET) as hook:
        ws = open_ws(webhook_url=hook.url, webhook_secret=SECRET, escalation_chain="alice,bob")
        w = ws.warnings.raise_warning("Convoys", "Armour at night.", "high", event_ids=["e1"])
        [item] = ws.warnings.outbox()
        assert (item.warning_id, item.reason, item.channel, item.status) == (w.id, "raised", "webhook", Status.PENDING)
        assert ws.warnings.deliver() == DeliveryReport(sent=1, failed=0, dead=0)
        [got] = hook.received
        assert got.valid and got.signature and got.signature.startswith("sha256=")
        assert (got.event, got.delivery, got.timestamp) == ("raised", str(item.id), str(int(clock.now.timestamp())))
        body = got.payload
        assert body["event"] == "raised" and body["at"] == clock.now.isoformat()
        warning = body["warning"]
        assert (warning["id"], warning["severity"], warning["owner"], warning["title"]) == (w.id, "high", "alice",
                                                                                            "Convoys")
        assert warning["deadline"] == (clock.now + timedelta(minutes=60)).isoformat()
        assert warning["evidence"] == {"event_ids": ["e1"], "document_ids": []}
        [sent] = ws.warnings.outbox(status="sent")
        assert sent.attempts == 1 and sent.sent_at == clock.now and sent.last_error is None
        assert ws.warnings.deliver() == DeliveryReport(0, 0, 0)  # nothing due: nothing sent twice
        assert len(hook.received) == 1


def test_verify_signature_refuses_tampering() -> None:
    from forewarn.warn.webhook import signature

    body = b'{"event":"raised"}'
    good = signature(SECRET, "1723464000", body)
    assert verify_signature(SECRET, "1723464000", body, good)
    assert verify_signature(SECRET, "1723464000", body.decode(), good)
    assert not verify_signature(SECRET, "1723464001", body, good)  # replayed with another time
    assert not verify_signature(SECRET, "1723464000", body + b" ", good)
    assert not verify_signature("other", "1723464000", body, good)
    assert not verify_signature(SECRET, "1723464000", body, None)


def test_a_failing_receiver_is_retried_with_back_off_and_served_once(open_ws: Callable[..., Workspace],
                                                                     clock) -> None:
    with webhook_receiver(SECRET, statuses=[500, 503]) as hook:
        ws = open_ws(webhook_url=hook.url, webhook_secret=SECRET)
        w = ws.warnings.raise_warning("Convoys", "x", "high")
        assert ws.warnings.deliver() == DeliveryReport(sent=0, failed=1, dead=0)
        [item] = ws.warnings.outbox()
        assert item.attempts == 1 and item.status is Status.PENDING and "HTTP 500" in (item.last_error or "")
        assert item.next_attempt_at == clock.now + timedelta(seconds=30)

        clock.advance(seconds=29)
        assert ws.warnings.deliver() == DeliveryReport(0, 0, 0)  # not due yet
        clock.advance(seconds=1)
        assert ws.warnings.deliver() == DeliveryReport(0, 1, 0)
        assert ws.warnings.outbox()[0].next_attempt_at == clock.now + timedelta(seconds=60)
        clock.advance(seconds=60)
        assert ws.warnings.deliver() == DeliveryReport(1, 0, 0)
        assert len(hook.received) == 3 and len({r.delivery for r in hook.received}) == 1  # one delivery id
        assert all(r.valid for r in hook.received)
        assert ws.warnings.outbox()[0].status is Status.SENT and ws.warnings.outbox()[0].attempts == 3
        assert ws.warnings.get(w.id) == w


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [30, 60, 120, 1920, 3600, 3600]


def test_an_unreachable_webhook_keeps_the_notification_and_the_warning(open_ws: Callable[..., Workspace],
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"http://user:{SECRET}@127.0.0.1:{free_port()}/hook?token={SECRET}"
    ws = open_ws(webhook_url=url, webhook_secret=SECRET, notify_timeout=2.0)
    w = ws.warnings.raise_warning("Convoys", "x", "high")
    assert ws.warnings.deliver() == DeliveryReport(0, 1, 0)
    [item] = ws.warnings.outbox(status="pending")
    assert item.last_error and "ConnectError" in item.last_error and "127.0.0.1" in item.last_error
    assert SECRET not in item.last_error and "token" not in item.last_error
    assert ws.warnings.get(w.id) == w
    assert ws.warnings.acknowledge(w.id).state is WarningState.ACKNOWLEDGED  # the warning goes on regardless
    assert_ledger_intact(ws)
    assert SECRET not in caplog.text


def test_the_secret_stays_out_of_the_logs_when_delivering(open_ws: Callable[..., Workspace],
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with webhook_receiver(SECRET, statuses=[500]) as hook:
        ws = open_ws(webhook_url=hook.url, webhook_secret=SECRET)
        ws.warnings.raise_warning("Convoys", "x", "high")
        ws.warnings.deliver()
        assert hook.received and SECRET not in (ws.warnings.outbox()[0].last_error or "")
    assert "HTTP" in caplog.text and SECRET not in caplog.text


def test_after_the_last_attempt_it_is_dead_until_requeued(open_ws: Callable[..., Workspace], clock) -> None:
    ws = open_ws(webhook_url=f"http://127.0.0.1:{free_port()}/hook", notify_timeout=1.0)
    w = ws.warnings.raise_warning("Convoys", "x", "high")
    reports = []
    for _ in range(MAX_ATTEMPTS):
        reports.append(ws.warnings.deliver())
        clock.advance(hours=1)
    assert reports[-1] == DeliveryReport(0, 0, 1) and reports[-2] == DeliveryReport(0, 1, 0)
    [dead] = ws.warnings.outbox(status="dead")
    assert dead.attempts == MAX_ATTEMPTS
    assert ws.warnings.deliver() == DeliveryReport(0, 0, 0)  # dead rows are not retried by themselves

    again = ws.warnings.retry(dead.id)
    assert (again.status, again.attempts, again.next_attempt_at) == (Status.PENDING, 0, clock.now)
    assert ws.warnings.history(w.id)[-1].kind == "notification-requeued"
    with pytest.raises(NotFound):
        ws.warnings.retry(999)
    with pytest.raises(InvalidArgument):
        ws.warnings.outbox(status="lost")


def test_a_sent_notification_is_not_requeued(open_ws: Callable[..., Workspace]) -> None:
    with webhook_receiver(SECRET) as hook:
        ws = open_ws(webhook_url=hook.url, webhook_secret=SECRET)
        ws.warnings.raise_warning("Convoys", "x", "high")
        ws.warnings.deliver()
        with pytest.raises(InvalidArgument, match="delivered"):
            ws.warnings.retry(ws.warnings.outbox()[0].id)


def test_email_goes_to_the_list_and_to_an_owner_with_an_address(open_ws: Callable[..., Workspace],
                                                               smtp_server: Mailbox, clock) -> None:
    ws = open_ws(smtp_host=smtp_server.host, smtp_from="forewarn@example.org", notify_email="desk@example.org",
                 escalation_chain="duty@example.org,chief@example.org")
    w = ws.warnings.raise_warning("Convoys near Sudzha", "Armour at night.", "high")
    assert sorted(i.target for i in ws.warnings.outbox()) == ["desk@example.org", "duty@example.org"]
    assert ws.warnings.deliver() == DeliveryReport(2, 0, 0)
    assert sorted(to for tos, _ in smtp_server.messages for to in tos) == ["desk@example.org", "duty@example.org"]
    mail = message_from_bytes(smtp_server.messages[0][1])
    assert mail["Subject"] == f"[forewarn] HIGH warning {w.id} raised: Convoys near Sudzha"
    assert mail["From"] == "forewarn@example.org"
    text = mail.get_payload(decode=True).decode()
    assert "Armour at night." in text and f"forewarn ack {w.id}" in text

    clock.advance(minutes=61)
    ws.warnings.escalate_due()  # the chief is mailed now, with the desk
    assert ws.warnings.deliver() == DeliveryReport(2, 0, 0)
    last = [message_from_bytes(m) for _, m in smtp_server.messages[2:]]
    assert {m["To"] for m in last} == {"desk@example.org", "chief@example.org"}
    assert all("escalated" in m["Subject"] for m in last)


def test_an_unreachable_smtp_server_keeps_the_mail_pending(open_ws: Callable[..., Workspace]) -> None:
    ws = open_ws(smtp_host=f"127.0.0.1:{free_port()}", notify_email="desk@example.org", notify_timeout=2.0)
    w = ws.warnings.raise_warning("Convoys", "x", "high")
    assert ws.warnings.deliver() == DeliveryReport(0, 1, 0)
    [item] = ws.warnings.outbox()
    assert item.channel == "email" and item.status is Status.PENDING
    assert "desk@example.org via 127.0.0.1" in (item.last_error or "")
    assert ws.warnings.get(w.id) == w


def test_mail_without_an_smtp_server_says_so(open_ws: Callable[..., Workspace]) -> None:
    ws = open_ws(notify_email="desk@example.org", escalation_chain="duty@example.org")
    ws.warnings.raise_warning("Convoys", "x", "high")
    [item] = ws.warnings.outbox()  # the owner is mailed only where a server is set; the list always is
    assert item.target == "desk@example.org"
    ws.warnings.deliver()
    assert "smtp_host" in (ws.warnings.outbox()[0].last_error or "")


def test_escalation_and_reopening_are_announced(open_ws: Callable[..., Workspace], clock) -> None:
    with webhook_receiver(SECRET) as hook:
        ws = open_ws(webhook_url=hook.url, webhook_secret=SECRET)
        sc = scenario()
        [w] = ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [signal("e1", clock.now)]), None)
        clock.advance(minutes=241)
        ws.warnings.escalate_due()
        ws.warnings.dispose(w.id, "dismissed", "seasonal exercise")
        clock.advance(minutes=1)
        ws.warnings.react(sc, assessment(sc, 0.45, clock.now, [signal("e2", clock.now)]), "elevated")
        assert ws.warnings.deliver() == DeliveryReport(3, 0, 0)
        assert [r.event for r in hook.received] == ["raised", "escalated", "reopened"]
        escalated, reopened = hook.received[1].payload, hook.received[2].payload
        assert (escalated["detail"]["from"], escalated["detail"]["to"]) == ("alice", "bob")
        assert escalated["warning"]["owner"] == "bob"
        assert reopened["detail"]["new_event_ids"] == ["e2"]
        assert reopened["warning"]["evidence"]["event_ids"] == ["e1", "e2"]
