"""Queueing notifications: one outbox row per target, written in the same transaction as the
warning change they announce (so a notification is never queued for a change that rolled back,
and a committed change always has its notifications queued). A webhook URL is stored redacted,
with a fingerprint of the full URL: its credentials never rest in the store."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from forewarn.model import WarningRecord
from forewarn.redact import fingerprint, redact_url
from forewarn.store import schema as t
from forewarn.warn.policy import Policy


class Reason(StrEnum):
    RAISED = "raised"
    ESCALATED = "escalated"
    REMINDED = "reminded"
    REOPENED = "reopened"


class Channel(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


def person_address(w: WarningRecord) -> str | None:
    """The e-mail identity of the person who holds the warning: the account holding its role when
    that account is named by an e-mail address, else the owner when it is one."""
    for identity in (w.owner_account, w.owner):
        if identity and "@" in identity:
            return identity
    return None


def targets(policy: Policy, w: WarningRecord) -> list[tuple[Channel, str]]:
    """The webhook (when set), every `notify_email` address, and the person holding the warning
    (:func:`person_address`) when an SMTP server is set."""
    found: list[tuple[Channel, str]] = []
    if policy.webhook_url:
        found.append((Channel.WEBHOOK, policy.webhook_url))
    mails = list(policy.notify_email)
    person = person_address(w)
    if policy.smtp_host and person and person not in mails:
        mails.append(person)
    found += [(Channel.EMAIL, m) for m in mails]
    return found


def warning_json(w: WarningRecord) -> dict[str, Any]:
    """The warning as a notification carries it: plain JSON."""
    return {
        "id": w.id, "origin": w.origin.value, "severity": w.severity, "title": w.title, "text": w.text,
        "state": w.state.value, "owner": w.owner, "owner_account": w.owner_account,
        "owner_name": w.owner_name, "on_shift": w.on_shift, "reminders": w.reminders, "chain": list(w.chain),
        "escalation_level": w.escalation_level,
        "deadline": _iso(w.ack_deadline), "scenario": w.scenario_id, "probability": w.probability,
        "partner": w.partner, "partner_ref": w.partner_ref, "raised_at": _iso(w.raised_at), "raised_by": w.raised_by,
        "reopened": w.reopened, "signposts": list(w.signposts),
        "evidence": {"event_ids": list(w.event_ids), "document_ids": list(w.document_ids)},
    }


def payload(reason: Reason, w: WarningRecord, at: datetime, detail: Mapping[str, Any]) -> dict[str, Any]:
    return {"event": reason.value, "warning": warning_json(w), "at": _iso(at), "detail": dict(detail)}


def queue(conn: Connection, policy: Policy, reason: Reason, w: WarningRecord, at: datetime,
          detail: Mapping[str, Any] | None = None) -> int:
    """Queue the notification of ``reason`` for every target; returns how many rows were queued."""
    body = payload(reason, w, at, detail or {})
    rows = [{"warning_id": w.id, "reason": reason.value, "channel": channel.value, **stored_target(channel, target),
             "payload": body, "status": "pending", "attempts": 0, "next_attempt_at": at, "last_error": None,
             "created_at": at, "sent_at": None} for channel, target in targets(policy, w)]
    if rows:
        conn.execute(t.outbox.insert(), rows)
    return len(rows)


def stored_target(channel: Channel, target: str) -> dict[str, str]:
    """What the outbox keeps of a target: an e-mail address as it is, a webhook URL redacted (the
    real one is read from the settings at delivery), and the fingerprint of the full target."""
    shown = redact_url(target) if channel is Channel.WEBHOOK else target
    return {"target": shown, "target_fingerprint": fingerprint(target)}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
