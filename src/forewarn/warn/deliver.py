"""Delivering the outbox: claim the due rows in a short transaction, send them with no lock held,
then record each outcome. A failure never touches the warning: the row stays and is retried."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from forewarn.config import Settings
from forewarn.errors import DeliveryFailed
from forewarn.store import SqlStore
from forewarn.warn import mail, webhook
from forewarn.warn.outbox import Delivery, DeliveryReport, Status, claim_due, mark_failed, mark_sent

BATCH = 100  # rows claimed per round


def deliver(store: SqlStore, settings: Settings, clock: Callable[[], datetime]) -> DeliveryReport:
    """Send every notification due now; returns how many went, failed (to retry) and died."""
    sent = failed = dead = 0
    at = clock()
    while True:
        with store.transaction() as conn:
            batch = claim_due(conn, at, BATCH)
        for d in batch:
            error = send(d, settings, clock())
            with store.transaction() as conn:
                if error is None:
                    mark_sent(conn, d.item.id, clock())
                    sent += 1
                elif mark_failed(conn, d.item, clock(), error) is Status.DEAD:
                    dead += 1
                else:
                    failed += 1
        if len(batch) < BATCH:
            return DeliveryReport(sent, failed, dead)


def send(d: Delivery, settings: Settings, at: datetime) -> str | None:
    """Deliver one row; the error text (never holding the webhook secret) when it failed."""
    try:
        if d.item.channel == "webhook":
            webhook.post(d.item.target, d.payload, delivery_id=d.item.id, at=at, secret=settings.webhook_secret,
                         timeout=settings.notify_timeout)
        else:
            mail.send(settings.smtp_host, settings.smtp_from, d.item.target, d.payload,
                      timeout=settings.notify_timeout)
    except DeliveryFailed as err:
        return scrub(err.message, settings.webhook_secret)
    return None


def scrub(text: str, secret: str) -> str:
    return text.replace(secret, "********") if secret else text
