"""Queueing notifications: one outbox row per target, written in the same transaction as the
warning change they announce (so a notification is never queued for a change that rolled back,
and a committed change always has its notifications queued). A webhook URL is stored redacted,
with a fingerprint of the full URL: its credentials never rest in the store.

Each recipient gets only the evidence it may see (:func:`recipient_access`; the rest as "n signals from holdings
you may not see"), and none at all about a warning whose scenario it may not see: that target is skipped, and the
caller records the skip (``on_skip``: the warning lifecycle ledgers it as "notification-skipped", target redacted).

A notice that is not about a warning (:func:`queue_notice`: a flagged line, a signpost matched) goes the same
way; its row names its subject ("question:7", "assumption:3") instead of a warning."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, func, select

from forewarn.detect.shown import hidden_text, shown_warning
from forewarn.errors import InvalidArgument
from forewarn.model import WarningRecord
from forewarn.model.marking import Access
from forewarn.redact import fingerprint, redact_url
from forewarn.store import schema as t
from forewarn.store.access import account_access, compartment_of
from forewarn.warn import roster
from forewarn.warn.dissent import warning_dissents
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


def warning_json(w: WarningRecord, dissents: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """The warning as a notification carries it: plain JSON, with the dissents from its disposition."""
    return {
        "id": w.id, "origin": w.origin.value, "severity": w.severity, "title": w.title, "text": w.text,
        "state": w.state.value, "owner": w.owner, "owner_account": w.owner_account,
        "owner_name": w.owner_name, "on_shift": w.on_shift, "reminders": w.reminders, "chain": list(w.chain),
        "escalation_level": w.escalation_level,
        "deadline": _iso(w.ack_deadline), "scenario": w.scenario_id, "probability": w.probability,
        "partner": w.partner, "partner_ref": w.partner_ref, "raised_at": _iso(w.raised_at), "raised_by": w.raised_by,
        "reopened": w.reopened, "signposts": list(w.signposts),
        "evidence": {"event_ids": list(w.event_ids), "document_ids": list(w.document_ids)},
        "dissents": [dict(d) for d in dissents],  # issue 17: protected dissent travels with it
    }


def payload(reason: Reason, w: WarningRecord, at: datetime, detail: Mapping[str, Any],
            dissents: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    return {"event": reason.value, "warning": warning_json(w, dissents), "at": _iso(at), "detail": dict(detail)}


def queue(conn: Connection, policy: Policy, reason: Reason, w: WarningRecord, at: datetime,
          detail: Mapping[str, Any] | None = None, on_skip: Callable[[dict[str, Any]], object] | None = None) -> int:
    """Queue the notification of ``reason`` for every target that may see the warning, each with the evidence
    it may see; ``on_skip`` hears of each target left out (channel, redacted target, fingerprint, why). Returns
    how many rows were queued."""
    dissents = warning_dissents(conn, w.id)
    about = {"warning_id": w.id, "subject": f"warning:{w.id}", "reason": reason.value}
    compartment = conn.execute(select(t.warnings.c.compartment).where(t.warnings.c.id == w.id)).scalar()
    queued = 0
    for channel, target in targets(policy, w):
        access = recipient_access(conn, channel, target)
        if not access.sees(compartment):
            if on_skip is not None:
                on_skip({"reason": reason.value, "channel": channel.value, **stored_target(channel, target),
                         "why": "the recipient may not see the warning's scenario"})
            continue
        queued += _insert(conn, about, recipient_payload(conn, access, reason, w, at, detail or {}, dissents),
                          [(channel, target)], at)
    return queued


def recipient_payload(conn: Connection, access: Access, reason: Reason, w: WarningRecord, at: datetime,
                      detail: Mapping[str, Any], dissents: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The notification as one recipient reads it: the evidence it may not see left out, counted."""
    shown, hidden = shown_warning(conn, w, access)
    if not hidden:
        return payload(reason, w, at, detail, dissents)
    kept = set(shown.event_ids) | set(shown.document_ids)
    told = {k: ([i for i in v if i in kept] if k in ("new_event_ids", "new_document_ids") else v)
            for k, v in detail.items()}
    body = payload(reason, shown, at, told, dissents)
    body["warning"].update(hidden_signals=hidden, hidden=hidden_text(hidden))
    return body


def recipient_access(conn: Connection, channel: Channel, target: str) -> Access:
    """What a recipient may see: an e-mail address that names an account (a roster post's holder is named by
    one) sees what that account sees; a webhook, or an address with no account, only open holdings."""
    name = target.strip().lower()
    u = t.users.c
    if channel is Channel.EMAIL and conn.execute(select(u.id).where(func.lower(u.name) == name)).first() is not None:
        return account_access(conn, name)
    return Access(f"{channel.value} recipient", hidden=frozenset(
        int(r.id) for r in conn.execute(select(t.compartments)) if compartment_of(r).restricted))


def queue_notice(conn: Connection, policy: Policy, reason: str, subject: str, recipients: Sequence[str],
                 body: Mapping[str, Any], at: datetime) -> int:
    """Queue a notice that is not about a warning (``subject`` such as "question:7") for the webhook, every
    ``notify_email`` address and, when an SMTP server is set, each of ``recipients`` that is an e-mail address or
    an account or role whose holder (:func:`forewarn.warn.roster.resolve`) is named by one. ``body`` should carry
    a ``title`` and a ``text`` (the e-mail's subject and first paragraph). Returns how many rows were queued."""
    key, about = _checked(reason, 16, "reason"), _checked(subject, 64, "subject")
    payload = {"event": key, "subject": about, "notice": dict(body), "recipients": list(recipients), "at": _iso(at)}
    found = notice_targets(conn, policy, recipients, at)
    return _insert(conn, {"warning_id": None, "subject": about, "reason": key}, payload, found, at)


def notice_targets(conn: Connection, policy: Policy, recipients: Sequence[str],
                   at: datetime) -> list[tuple[Channel, str]]:
    found: list[tuple[Channel, str]] = [(Channel.WEBHOOK, policy.webhook_url)] if policy.webhook_url else []
    mails = list(policy.notify_email)
    for person in (address_of(conn, r, at) for r in recipients) if policy.smtp_host else ():
        if person and person not in mails:
            mails.append(person)
    return found + [(Channel.EMAIL, m) for m in mails]


def address_of(conn: Connection, recipient: str, at: datetime) -> str | None:
    """A recipient's e-mail address: itself when it is one, else its holder's account name when that is one."""
    name = recipient.strip()
    if "@" in name:
        return name
    holder = roster.resolve(conn, name, at) if name else None
    return holder.account if holder and "@" in holder.account else None


def _checked(value: str, limit: int, what: str) -> str:
    text = value.strip()
    if not text or len(text) > limit:
        raise InvalidArgument(f"a notice's {what} {value!r} is empty or longer than {limit} characters",
                              hint=f"give a short {what} such as 'question:7'")
    return text


def _insert(conn: Connection, about: dict[str, Any], body: Mapping[str, Any], found: list[tuple[Channel, str]],
            at: datetime) -> int:
    rows = [{**about, "channel": channel.value, **stored_target(channel, target), "payload": dict(body),
             "status": "pending", "attempts": 0, "next_attempt_at": at, "last_error": None, "created_at": at,
             "sent_at": None} for channel, target in found]
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
