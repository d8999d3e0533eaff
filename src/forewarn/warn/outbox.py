"""The outbox: notifications waiting for delivery, delivered, or given up on ("dead" after
:data:`MAX_ATTEMPTS`; a person requeues those). Failed deliveries come due again after an
exponential back-off.

A row is about a warning (``warning_id``) or, for a notice (:func:`forewarn.warn.notify.queue_notice`), about
another subject ("question:7"): :attr:`OutboxItem.about` names either in words.

A webhook row keeps its URL redacted, with the fingerprint of the full URL; requeueing a webhook
row binds it to the URL configured now (which may have changed since it was queued)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Row, select

from forewarn.errors import InvalidArgument, NotFound
from forewarn.store import schema as t
from forewarn.warn.notify import Channel, stored_target

C = t.outbox.c
MAX_ATTEMPTS = 10
BACKOFF_FIRST = 30.0  # seconds after the first failure; doubles with each further one
BACKOFF_CAP = 3600.0
CLAIM_SECONDS = 300.0  # a claimed row comes due again after this if its deliverer died mid-send


class Status(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    id: int
    warning_id: int | None  # None on a notice about something else (``subject``)
    reason: str  # raised, escalated, reopened; a notice's (line-flagged, …)
    channel: str  # webhook, email
    target: str  # e-mail address, or the webhook URL redacted
    status: Status
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    fingerprint: str | None  # of the full target (forewarn.redact.fingerprint)
    subject: str | None = None  # "warning:7", "question:7" (None on rows queued before issue 17)

    @property
    def about(self) -> str:
        """What the row is about, in words: "warning 7", "question 7"."""
        if self.warning_id is not None:
            return f"warning {self.warning_id}"
        kind, _, ref = (self.subject or "notice").partition(":")
        return f"{kind} {ref}".strip()

    @property
    def ledger_subject(self) -> str:
        """The ledger subject its requeueing is recorded under: the warning's, else the notice's subject."""
        return f"warning:{self.warning_id}" if self.warning_id is not None else (self.subject or "notice")


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed row, with what to send."""

    item: OutboxItem
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int
    failed: int  # failed this time, to be retried
    dead: int  # failed for the last time: `forewarn outbox --retry ID` requeues them


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 60 s, 120 s … at most an hour."""
    return timedelta(seconds=min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_CAP))


def to_item(row: Row[Any]) -> OutboxItem:
    return OutboxItem(row.id, row.warning_id, row.reason, row.channel, row.target, Status(row.status), row.attempts,
                      row.next_attempt_at, row.last_error, row.created_at, row.sent_at, row.target_fingerprint,
                      row.subject)


def listing(conn: Connection, status: str | None, limit: int) -> list[OutboxItem]:
    """Newest first."""
    query = select(t.outbox).order_by(C.id.desc()).limit(limit)
    if status is not None:
        query = query.where(C.status == _status(status).value)
    return [to_item(r) for r in conn.execute(query)]


def get(conn: Connection, outbox_id: int, *, lock: bool = False) -> OutboxItem:
    query = select(t.outbox).where(C.id == outbox_id)
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no notification {outbox_id} in the outbox", hint="`forewarn outbox` lists them")
    return to_item(row)


def requeue(conn: Connection, outbox_id: int, at: datetime, webhook_url: str = "") -> OutboxItem:
    """Make a pending or dead notification due now, with a fresh count of attempts; a webhook row
    is bound to ``webhook_url`` (the URL configured now) when one is given."""
    item = get(conn, outbox_id, lock=True)
    if item.status is Status.SENT:
        raise InvalidArgument(f"notification {outbox_id} was delivered at {item.sent_at:%Y-%m-%d %H:%M:%S} UTC",
                              hint="nothing to retry")
    conn.execute(t.outbox.update().where(C.id == outbox_id)
                 .values(status=Status.PENDING.value, attempts=0, next_attempt_at=at, **_retarget(item, webhook_url)))
    return get(conn, outbox_id)


def _retarget(item: OutboxItem, webhook_url: str) -> dict[str, str]:
    if item.channel != "webhook" or not webhook_url:
        return {}
    return stored_target(Channel.WEBHOOK, webhook_url)


def claim_due(conn: Connection, at: datetime, limit: int) -> list[Delivery]:
    """Take the pending rows due at ``at`` (oldest first) and push their next attempt past the
    claim period, so a second deliverer running beside this one skips them."""
    query = (select(t.outbox).where(C.status == Status.PENDING.value, C.next_attempt_at <= at)
             .order_by(C.next_attempt_at, C.id).limit(limit).with_for_update(skip_locked=True))
    found = list(conn.execute(query))
    if found:
        conn.execute(t.outbox.update().where(C.id.in_([r.id for r in found]))
                     .values(next_attempt_at=at + timedelta(seconds=CLAIM_SECONDS)))
    return [Delivery(to_item(r), r.payload) for r in found]


def mark_sent(conn: Connection, outbox_id: int, at: datetime) -> None:
    conn.execute(t.outbox.update().where(C.id == outbox_id, C.status == Status.PENDING.value)
                 .values(status=Status.SENT.value, attempts=C.attempts + 1, sent_at=at, last_error=None))


def mark_failed(conn: Connection, item: OutboxItem, at: datetime, error: str) -> Status:
    """Count the failure; the row comes due again after the back-off, or is dead after the last attempt."""
    attempts = item.attempts + 1
    status = Status.DEAD if attempts >= MAX_ATTEMPTS else Status.PENDING
    conn.execute(t.outbox.update().where(C.id == item.id, C.status == Status.PENDING.value)
                 .values(status=status.value, attempts=attempts, last_error=error,
                         next_attempt_at=at + backoff(attempts)))
    return status


def _status(value: str) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise InvalidArgument(f"unknown outbox status {value!r}",
                              hint=f"use one of: {', '.join(s.value for s in Status)}") from None
