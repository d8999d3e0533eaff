"""Secrets in URLs: the one place that decides what of a URL may be stored, logged or shown.

A notification target such as ``webhook_url`` may carry credentials in three places: its user
info (``user:password@``), its path (``/hooks/T0KEN…``) and its query (``?token=…``).

- :func:`redact_url` keeps what lets a reader recognise a target (scheme, host, port, the plain
  words of the path, the names of the query's parameters) and masks the rest with ``***``.
- :func:`fingerprint` names the full URL by a short hash, so two targets can be told apart and a
  stored notification matched to the configured URL without the URL being kept.
- :func:`redact_text` masks every URL inside a text (error messages); :func:`redact_value` every
  URL inside a JSON-like value (ledger payloads, as shown to people).
- :func:`scrub` removes from a text every secret part of one known URL, even where the text
  quotes a part on its own (an HTTP library naming a bad port or password).

A path segment is masked when it looks like a token: 16 characters or more, or 8 or more with a
digit, unless it is a plain slug (lower-case words and short numbers, such as ``hooks``,
``alerts-2024`` or ``rss2.xml``). This module imports nothing from forewarn: every layer may use it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit, urlunsplit

MASK = "***"
FINGERPRINT_CHARS = 16
_DOMAIN = b"forewarn-target\x00"
_SLUG_PART = re.compile(r"[a-z]+\d{0,2}|\d{1,4}")
_SLUG_SPLIT = re.compile(r"[-_.]")
_QUERY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-\[\]]{0,31}")
URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,31}://[^\s<>\"'`]+")
_TRAILING = ".,;:!?)]}"
_SHORTEST_SECRET = 3  # parts shorter than this are not scrubbed out of free text on their own


def redact_url(url: str) -> str:
    """``url`` without its secrets: ``http://u:p@host:9/hooks/T0K3N…?token=q`` → ``http://***@host:9/hooks/***?token=***``.
    Something that does not parse as an absolute URL is masked whole."""
    if not url:
        return url
    parts = _split(url)
    if parts is None or not parts.scheme or not parts.netloc:
        return MASK
    _, at, host = parts.netloc.rpartition("@")
    netloc = f"{MASK}@{host}" if at else host
    path = "/".join(MASK if is_secret_segment(s) else s for s in parts.path.split("/"))
    return urlunsplit((parts.scheme, netloc, path, _redact_query(parts.query), MASK if parts.fragment else ""))


def fingerprint(url: str) -> str:
    """A short SHA-256 of the full URL (secrets and all): equal for the same URL, different for
    another one; it does not give the URL back."""
    return hashlib.sha256(_DOMAIN + url.encode("utf-8", "surrogatepass")).hexdigest()[:FINGERPRINT_CHARS]


def redact_text(text: str) -> str:
    """``text`` with every URL in it redacted (punctuation right after a URL is left as it was)."""
    return URL_IN_TEXT.sub(_redact_match, text) if "://" in text else text


def redact_value(value: Any) -> Any:
    """A copy of a JSON-like value (dicts, lists, strings, numbers) with every URL in its strings redacted."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    return value


def scrub(text: str, url: str) -> str:
    """``text`` with every secret part of ``url`` masked, and then every URL in it redacted."""
    for part in sorted(secret_parts(url), key=len, reverse=True):
        text = text.replace(part, MASK)
    return redact_text(text)


def secret_parts(url: str) -> set[str]:
    """What :func:`redact_url` masks in ``url``, as written and percent-decoded (the short ones left out)."""
    parts = _split(url)
    if parts is None:
        return {url} if url else set()
    found = {_userinfo(parts), parts.fragment}
    found |= {s for s in parts.path.split("/") if is_secret_segment(s)}
    for pair in parts.query.split("&"):
        name, eq, value = pair.partition("=")
        found |= {value} if eq and _QUERY_NAME.fullmatch(name) else {name, value}
    found |= {unquote(p) for p in found} | set(_userinfo(parts).split(":"))
    return {p for p in found if len(p) >= _SHORTEST_SECRET}


def is_secret_segment(segment: str) -> bool:
    """True when a path segment looks like a token rather than a word (see the module's text)."""
    if len(segment) < 8 or _is_slug(segment):
        return False
    return len(segment) >= 16 or any(c.isdigit() for c in segment)


def _is_slug(segment: str) -> bool:
    return all(_SLUG_PART.fullmatch(p) for p in _SLUG_SPLIT.split(segment))


def _redact_query(query: str) -> str:
    if not query:
        return ""
    return "&".join(_redact_pair(pair) for pair in query.split("&"))


def _redact_pair(pair: str) -> str:
    name, eq, _ = pair.partition("=")
    return f"{name}={MASK}" if eq and _QUERY_NAME.fullmatch(name) else MASK


def _userinfo(parts: SplitResult) -> str:
    user, at, _ = parts.netloc.rpartition("@")
    return user if at else ""


def _split(url: str) -> SplitResult | None:
    try:
        return urlsplit(url.strip())
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None


def _redact_match(match: re.Match[str]) -> str:
    found = match.group(0)
    url = found.rstrip(_TRAILING)
    return redact_url(url) + found[len(url):]
