"""Notices that are not warnings (issue 17, part A): ``queue_notice`` puts rows about a subject ("question:7") in
the outbox; they are delivered to the webhook and by e-mail, listed and requeued like a warning's; a flagged line is
noticed to the level above the question's owner in the line's own transaction, and the ledger entry stays blind."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from email import message_from_bytes
from email.message import Message
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner
from warn_support import Mailbox, assert_ledger_intact, webhook_receiver

from forewarn.app import Workspace
from forewarn.errors import InvalidArgument
from forewarn.model import Principal, PrincipalKind, Role
from forewarn.model.judgment import Question, QuestionState
from forewarn.warn import DeliveryReport
from forewarn.warn.notify import queue_notice
from forewarn.warn.outbox import Status
from forewarn.warn.policy import Policy

SECRET = "notice-secret"
BODY = {"title": "Signpost matched on assumption 3", "text": "Rail traffic east of Kursk doubled."}


def _queue(ws: Workspace, recipients: tuple[str, ...] = ()) -> int:
    with ws.store.transaction() as conn:
        return queue_notice(conn, Policy.from_settings(ws.settings), "signpost", "assumption:3", recipients, BODY,
                            ws.clock())


def _mail(box: Mailbox, index: int = 0) -> tuple[list[str], Message]:
    rcpts, raw = box.messages[index]
    return rcpts, message_from_bytes(raw)


def test_a_notice_is_queued_and_delivered_to_the_webhook(open_ws: Callable[..., Workspace], clock: object) -> None:
    with webhook_receiver(SECRET) as hook:
        ws = open_ws(webhook_url=hook.url, webhook_secret=SECRET)
        assert _queue(ws) == 1
        [item] = ws.warnings.outbox()
        assert (item.warning_id, item.subject, item.about, item.reason, item.channel) == (
            None, "assumption:3", "assumption 3", "signpost", "webhook")
        assert ws.warnings.deliver() == DeliveryReport(sent=1, failed=0, dead=0)
        [got] = hook.received
        assert got.valid and got.event == "signpost" and got.delivery == str(item.id)
        assert got.payload["subject"] == "assumption:3" and got.payload["notice"] == BODY
        assert "warning" not in got.payload


def test_a_notice_is_mailed_to_its_recipients(open_ws: Callable[..., Workspace], smtp_server: Mailbox) -> None:
    ws = open_ws(smtp_host=smtp_server.host, notify_email="desk@example.org")
    assert _queue(ws, ("chief@example.org", "desk@example.org", "nobody-by-mail")) == 2  # no duplicate, no address
    assert ws.warnings.deliver() == DeliveryReport(sent=2, failed=0, dead=0)
    sent = sorted(_mail(smtp_server, i)[0][0] for i in range(2))
    assert sent == ["chief@example.org", "desk@example.org"]
    _, msg = _mail(smtp_server)
    assert msg["Subject"] == "[forewarn] Signpost matched on assumption 3"
    text = msg.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "Rail traffic east of Kursk doubled." in text and "About: assumption 3" in text


def test_a_notice_is_requeued_and_the_ledger_says_what_it_was_about(open_ws: Callable[..., Workspace]) -> None:
    ws = open_ws(smtp_host="127.0.0.1:9", notify_email="desk@example.org", notify_timeout=0.5)  # nothing listens
    _queue(ws)
    report = ws.warnings.deliver()
    assert report.failed == 1
    [item] = ws.warnings.outbox(status="pending")
    assert item.attempts == 1 and item.last_error
    again = ws.warnings.retry(item.id)
    assert again.attempts == 0 and again.status is Status.PENDING and again.subject == "assumption:3"
    [entry] = ws.ledger.entries(kind="notification-requeued")
    assert entry.subject == "assumption:3" and entry.payload["about"] == "assumption 3"
    assert entry.payload["outbox_id"] == item.id
    assert_ledger_intact(ws)


def test_the_outbox_command_says_what_a_row_is_about(open_ws: Callable[..., Workspace], tmp_path: object) -> None:
    from forewarn.cli.main import app

    ws = open_ws(notify_email="desk@example.org")
    _queue(ws)
    result = CliRunner().invoke(app, ["--db", ws.settings.database_url, "outbox"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "assumption 3" in result.output, result.output


def test_a_notice_needs_a_short_reason_and_subject(open_ws: Callable[..., Workspace]) -> None:
    ws = open_ws(notify_email="desk@example.org")
    with ws.store.transaction() as conn, pytest.raises(InvalidArgument):
        queue_notice(conn, Policy.from_settings(ws.settings), "x" * 17, "question:1", (), BODY, ws.clock())
    with ws.store.transaction() as conn, pytest.raises(InvalidArgument):
        queue_notice(conn, Policy.from_settings(ws.settings), "flagged", " ", (), BODY, ws.clock())


def _as(ws: Workspace, name: str, role: Role = Role.ANALYST) -> Workspace:
    return ws.acting_as(Principal(name, role, PrincipalKind.USER))


def _softened(ws: Workspace, owner: str) -> tuple[int, int]:
    q = ws.judgments.add_question("Will the border be crossed?", "Regular troops cross.", date(2099, 1, 1), owner)
    for name, p in (("alice", 0.7), ("bob", 0.6), ("carol", 0.8)):
        _as(ws, name).judgments.estimate(str(q.id), p, "armour massing")
    line = _as(ws, "duty", Role.DUTY_OFFICER).judgments.publish_line(str(q.id), 0.2, "under control")
    assert line.flagged
    return q.id, line.id


def test_a_flagged_line_is_noticed_upward_and_the_ledger_stays_blind(open_ws: Callable[..., Workspace],
                                                                     smtp_server: Mailbox) -> None:
    ws = open_ws(smtp_host=smtp_server.host)
    qid, _ = _softened(ws, "lead@example.org")
    [item] = ws.warnings.outbox()
    assert (item.warning_id, item.subject, item.reason, item.target) == (
        None, f"question:{qid}", "line-flagged", "lead@example.org")
    assert ws.warnings.deliver().sent == 1
    rcpts, msg = _mail(smtp_server)
    assert rcpts == ["lead@example.org"] and f"question {qid}" in str(msg["Subject"])
    text = msg.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "0.20" in text and "under control" in text and "blind median 0.70" in text and "3 blind" in text
    entry = ws.ledger.entries(kind="line-published")[-1]
    assert set(entry.payload) == {"id", "question_id", "published_by", "at", "commitment"}  # no flag, no recipients
    assert "lead@example.org" not in str(entry.payload)


def test_a_flagged_lines_notice_carries_the_gaps_and_the_dissents(open_ws: Callable[..., Workspace]) -> None:
    with webhook_receiver(SECRET) as hook:
        ws = open_ws(webhook_url=hook.url, webhook_secret=SECRET)
        qid, line_id = _softened(ws, "lead")
        ws.warnings.deliver()
        [got] = hook.received
    body = got.payload["notice"]
    assert got.event == "line-flagged" and got.payload["recipients"] == ["lead"]  # no chain above: the owner
    assert body["question"]["id"] == qid and body["line"]["id"] == line_id and body["line"]["words"] == "under control"
    assert body["blind_median"] == pytest.approx(0.7) and body["blind_estimates"] == 3
    assert body["gap"] == pytest.approx(body["line"]["gap"]) and body["gap"] < -0.5 and body["model_gap"] is None
    assert body["dissents"] == [] and "salt" not in body["line"]


def test_a_fair_line_queues_nothing(open_ws: Callable[..., Workspace]) -> None:
    ws = open_ws(notify_email="desk@example.org")
    q = ws.judgments.add_question("Will it rain?", "Rain.", date(2099, 1, 1))
    _as(ws, "alice").judgments.estimate(str(q.id), 0.6)
    assert not _as(ws, "duty", Role.DUTY_OFFICER).judgments.publish_line(str(q.id), 0.6).flagged
    assert ws.warnings.outbox() == []


def test_a_flagged_line_goes_to_the_level_above_a_scenarios_owner(ws: Workspace, clock: object) -> None:
    chain = ("analysts", "chief", "minister")
    desk = replace(ws.judgments, scenario=lambda _sid: SimpleNamespace(chain=chain))
    q = Question(1, "t", "c", date(2099, 1, 1), "analysts", QuestionState.OPEN, "x", clock.now, "sc")  # type: ignore
    assert desk._notify(q) == ["chief"]
    assert desk._notify(replace(q, owner="minister")) == ["minister"]  # the top of the chain: told themselves
