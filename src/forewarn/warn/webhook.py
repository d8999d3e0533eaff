"""Webhook delivery: a JSON POST signed with HMAC-SHA256.

The signature covers ``f"{timestamp}.{body}"`` so a receiver can refuse replays of old bodies;
it is sent as ``X-Forewarn-Signature: sha256=<hex>``. ``X-Forewarn-Delivery`` is the outbox id:
a retried delivery carries the same one, so receivers can drop duplicates.

The URL may hold credentials: errors name it redacted, and the HTTP library's log lines are
redacted by a filter on its logger (:class:`RedactedUrls`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from forewarn.errors import DeliveryFailed
from forewarn.redact import redact_text, redact_url


class RedactedUrls(logging.Filter):
    """Masks the secrets of every URL in a log line: the HTTP library logs each request's URL whole,
    user, password and token included."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: logging reports it itself
            return True
        if "://" in message:
            record.msg, record.args = redact_text(message), None
        return True


logging.getLogger("httpx").addFilter(RedactedUrls())


def body_of(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes | str, header: str | None) -> bool:
    """For receivers: True when ``header`` is the signature of ``body`` sent at ``timestamp``
    (compared in constant time). Receivers should also refuse timestamps far from their clock."""
    if not header or not secret:
        return False
    raw = body.encode("utf-8") if isinstance(body, str) else body
    return hmac.compare_digest(signature(secret, timestamp, raw), header)


def headers(event: str, delivery_id: int, at: datetime, body: bytes, secret: str) -> dict[str, str]:
    timestamp = str(int(at.timestamp()))
    found = {"Content-Type": "application/json", "User-Agent": "forewarn", "X-Forewarn-Event": event,
             "X-Forewarn-Delivery": str(delivery_id), "X-Forewarn-Timestamp": timestamp}
    if secret:
        found["X-Forewarn-Signature"] = signature(secret, timestamp, body)
    return found


def post(url: str, payload: dict[str, Any], *, delivery_id: int, at: datetime, secret: str, timeout: float) -> None:
    """POST the payload; any 2xx is delivered. DeliveryFailed (naming the URL without any
    credentials in it) otherwise."""
    body = body_of(payload)
    try:
        response = httpx.post(url, content=body, timeout=timeout, follow_redirects=False,
                              headers=headers(str(payload.get("event", "")), delivery_id, at, body, secret))
    except (httpx.HTTPError, httpx.InvalidURL) as err:  # a malformed URL too: it stays queued
        raise DeliveryFailed(f"webhook {shown_url(url)}: {type(err).__name__}: {err}") from None
    if not 200 <= response.status_code < 300:
        raise DeliveryFailed(f"webhook {shown_url(url)} answered HTTP {response.status_code}")


def shown_url(url: str) -> str:
    """The URL as it may appear in errors: no user, password, query string or path token."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_url(url)
    return redact_url(urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", "")))
