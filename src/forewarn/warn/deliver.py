"""Delivering the outbox: claim the due rows in a short transaction, send them with no lock held,
then record each outcome. A failure never touches the warning: the row stays and is retried.

A webhook row holds its URL only redacted: the URL is read from the settings at send time, and
only when its fingerprint is the row's (else FW-E082, and the row is not sent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from forewarn import redact
from forewarn.config import Settings
from forewarn.errors import DeliveryFailed
from forewarn.store import SqlStore
from forewarn.warn import mail, webhook
from forewarn.warn.outbox import Delivery, DeliveryReport, OutboxItem, Status, claim_due, mark_failed, mark_sent

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
    """Deliver one row; the error (coded, never holding the webhook secret or the URL's credentials)
    when it failed."""
    url = settings.webhook_url.strip()
    try:
        if d.item.channel == "webhook":
            webhook.post(webhook_url(d.item, url), d.payload, delivery_id=d.item.id, at=at,
                         secret=settings.webhook_secret, timeout=settings.notify_timeout)
        else:
            mail.send(settings.smtp_host, settings.smtp_from, d.item.target, d.payload,
                      timeout=settings.notify_timeout)
    except DeliveryFailed as err:
        return scrub(str(err), settings.webhook_secret, url)
    return None


def webhook_url(item: OutboxItem, configured: str) -> str:
    """The configured webhook URL, when it is the one the row was queued for (same fingerprint);
    DeliveryFailed otherwise: a notification is never sent to a URL it was not meant for."""
    if not configured:
        raise DeliveryFailed(f"notification {item.id} is for the webhook {item.target}, but webhook_url is empty "
                             "now", hint="set webhook_url again, or leave the notification to die")
    if (current := redact.fingerprint(configured)) != item.fingerprint:
        raise DeliveryFailed(f"webhook_url was changed after notification {item.id} was queued for {item.target} "
                             f"(fingerprint {item.fingerprint}; the configured URL's is {current}); "
                             "not sent", hint=f"`forewarn outbox --retry {item.id}` sends it to the URL set now")
    return configured


def scrub(text: str, secret: str, url: str) -> str:
    """``text`` without the webhook secret, the URL's credentials, or any URL unredacted."""
    text = text.replace(secret, "********") if secret else text
    return redact.scrub(text, url) if url else redact.redact_text(text)
