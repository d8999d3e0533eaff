"""E-mail delivery through an SMTP server (plain SMTP: a local relay or a server on the network)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

from forewarn.errors import DeliveryFailed

DEFAULT_PORT = 25


def message(payload: dict[str, Any], sender: str, to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    if "warning" not in payload:  # a notice (forewarn.warn.notify.queue_notice)
        msg["Subject"] = f"[forewarn] {_one_line(notice_of(payload).get('title') or payload.get('subject'))}"
        msg.set_content(notice_body(payload))
        return msg
    w = payload["warning"]
    msg["Subject"] = f"[forewarn] {str(w['severity']).upper()} warning {w['id']} {payload['event']}: {w['title']}"
    msg.set_content(body(payload))
    return msg


def notice_of(payload: dict[str, Any]) -> dict[str, Any]:
    found = payload.get("notice")
    return found if isinstance(found, dict) else {}


def notice_body(payload: dict[str, Any]) -> str:
    """A notice in plain text: its title, its text, and what it is about."""
    notice = notice_of(payload)
    about = str(payload.get("subject") or "").replace(":", " ")
    lines = [str(notice.get("title") or about), "", str(notice.get("text") or ""), "",
             f"About: {about} ({payload.get('event')}, {payload.get('at')})."]
    return "\n".join(lines) + "\n"


def _one_line(value: object) -> str:
    return " ".join(str(value or "notice").split())[:200]


def body(payload: dict[str, Any]) -> str:
    w = payload["warning"]
    detail = payload.get("detail") or {}
    lines = [f"Warning {w['id']} ({w['severity']}) was {payload['event']} at {payload['at']}.", "",
             str(w["title"]), "", str(w["text"]), ""]
    if payload["event"] == "escalated":
        lines.append(f"Escalated from {detail.get('from')} to {detail.get('to')}: {detail.get('reason')}.")
    if payload["event"] == "reminded":
        more = "no further reminders" if detail.get("last") else f"next reminder {detail.get('next')}"
        lines.append(f"Reminder {detail.get('n')} of {detail.get('cap')}: the acknowledgement deadline "
                     f"{detail.get('deadline_missed')} passed at the end of the chain; {more}.")
    if payload["event"] == "reopened":
        lines.append(f"Reopened with new evidence: {', '.join(detail.get('new_event_ids') or []) or 'none listed'}.")
    lines += [f"Owner: {_owner(w)} — acknowledge by {w['deadline'] or 'n/a'}.",
              f"Scenario: {w['scenario'] or '—'}; probability: {_probability(w['probability'])}.",
              f"Evidence events: {', '.join(w['evidence']['event_ids']) or '—'}",
              f"Evidence documents: {', '.join(w['evidence']['document_ids']) or '—'}",
              "", f"forewarn ack {w['id']}    ·    forewarn warnings show {w['id']}"]
    return "\n".join(lines) + "\n"


def _owner(w: dict[str, Any]) -> str:
    person = w.get("owner_name") or w.get("owner_account")
    return f"{w['owner']} ({person})" if person and person != w["owner"] else str(w["owner"])


def _probability(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def host_port(spec: str) -> tuple[str, int]:
    host, sep, port = spec.strip().rpartition(":")
    if sep and port.isdigit() and host:
        return host, int(port)
    return spec.strip(), DEFAULT_PORT


def send(smtp_host: str, sender: str, to: str, payload: dict[str, Any], *, timeout: float) -> None:
    if not smtp_host:
        raise DeliveryFailed(f"e-mail to {to}: the smtp_host setting is empty")
    host, port = host_port(smtp_host)
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            smtp.send_message(message(payload, sender, to))
    except (smtplib.SMTPException, OSError) as err:
        raise DeliveryFailed(f"e-mail to {to} via {host}:{port}: {type(err).__name__}: {err}") from None
