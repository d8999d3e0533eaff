"""Telegram Desktop "Export chat history" files (``result.json``, machine-readable JSON).

Each text message is one document; service messages (joins, pins, title changes) are skipped
silently; a media-only message is a ``NO_TEXT`` issue naming its media. Text entities (bold,
links, hashtags …) are flattened to their text; the targets of ``text_link`` entities are kept in
meta as ``("link", href)``. The date is ``date_unixtime`` (UTC); an export without it falls back
to ``date``, the exporting computer's local time, read as UTC and flagged in meta.

The message link ``https://t.me/<channel>/<id>`` needs the channel's public username, which an
export does not contain: it comes from the reader option ``channel``; without it the document has
no URL and meta says why (``("message_link", "unknown: …")``). Documents have no title (a
message has none; the first line is still the first line of the text). ``item`` is
``message <id>``. ``raw_sha256`` is the SHA-256 of the message object re-serialised as compact
JSON with sorted keys. The whole file is read at once, so its size cap is 20 × ``max_bytes``.
A message nested deeper than :data:`~forewarn.sources.jsonload.MAX_DEPTH` levels is one
``NESTING_TOO_DEEP`` issue (``message #<position>``); the other messages are read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forewarn.errors import Code, Issue, ItemError
from forewarn.model.document import RawDocument
from forewarn.sources.base import ReadContext, ReadItem
from forewarn.sources.dates import resolve_date
from forewarn.sources.encoding import decode_bytes
from forewarn.sources.files import FileReader, load, sha256_hex
from forewarn.sources.jsonload import Unreadable, array_items, loads

SIZE_FACTOR = 20
TELEGRAM_SUFFIXES = frozenset({".json"})
_MEDIA_KEYS = (("photo", "photo"), ("file", "file"), ("poll", "poll"), ("location_information", "location"),
               ("contact_information", "contact"), ("sticker_emoji", "sticker"))
_EXPORT_HINT = ("export with Telegram Desktop: Export chat history, Format: Machine-readable JSON, "
                "and give the result.json file")


@dataclass(frozen=True, slots=True)
class Chat:
    """What every message of one export shares."""

    location: str
    channel: str | None
    meta: tuple[tuple[str, str], ...]


class TelegramReader(FileReader):
    name = "telegram"
    suffixes = TELEGRAM_SUFFIXES

    def read_file(self, path: Path, ctx: ReadContext) -> Iterator[ReadItem]:
        data = load(path, SIZE_FACTOR * ctx.max_bytes)
        if isinstance(data, Issue):
            yield data
            return
        try:
            export = parse_export(data)
        except ItemError as err:
            yield err.issue(str(path))
            return
        chat = Chat(str(path), channel_name(ctx.options.get("channel")), _chat_meta(export))
        for index, message in enumerate(export["messages"], start=1):
            yield from message_items(message, index, chat, ctx)


def parse_export(data: bytes) -> dict[str, Any]:
    """The export's top-level object; ItemError(TELEGRAM_INVALID) when it is not an export.

    An export nested deeper than forewarn reads is loaded message by message: a message too
    deep is an :class:`~forewarn.sources.jsonload.Unreadable` in the list, the others are read.
    Raises ItemError(NESTING_TOO_DEEP) when the nesting lies outside the messages."""
    text, _encoding = decode_bytes(data)
    try:
        export = _load(text)
    except ItemError as err:
        if err.code is not Code.NESTING_TOO_DEEP:
            raise
        export = _load_by_message(text)
    if not isinstance(export, dict) or not isinstance(export.get("messages"), list):
        raise _not_export()
    return export


def _load(text: str) -> Any:
    try:
        return loads(text)
    except json.JSONDecodeError as err:
        raise ItemError(Code.TELEGRAM_INVALID, f"not valid JSON: {err.msg} at line {err.lineno} "
                        f"column {err.colno}", hint=_EXPORT_HINT) from err


def _load_by_message(text: str) -> Any:
    try:
        shell, messages = array_items(text, "messages")
    except json.JSONDecodeError as err:
        raise ItemError(Code.TELEGRAM_INVALID, f"not valid JSON: {err.msg}", hint=_EXPORT_HINT) from err
    except ItemError as err:
        if err.code is Code.JSON_INVALID:
            raise _not_export() from err
        raise
    if isinstance(shell, dict):
        shell["messages"] = messages
    return shell


def _not_export() -> ItemError:
    return ItemError(Code.TELEGRAM_INVALID, "not a Telegram chat export: there is no top-level "
                     "\"messages\" list", hint=_EXPORT_HINT)


def looks_like_export(head: bytes) -> bool:
    """Whether the first bytes of a .json file look like a Telegram export."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"{") and b'"messages"' in head


def channel_name(option: str | None) -> str | None:
    """``@name``, ``t.me/name`` or ``https://t.me/name`` → ``name``."""
    if not option or not option.strip():
        return None
    name = option.strip().removeprefix("https://").removeprefix("http://").removeprefix("t.me/")
    return name.lstrip("@").strip("/") or None


def _chat_meta(export: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    pairs = (("chat_name", export.get("name")), ("chat_type", export.get("type")),
             ("chat_id", export.get("id")))
    return tuple((key, str(value)) for key, value in pairs if value is not None)


def message_items(message: Any, index: int, chat: Chat, ctx: ReadContext) -> Iterator[ReadItem]:
    """One message: a document (and its date warning), an issue, or nothing for a service message."""
    if isinstance(message, Unreadable):
        yield message.error.issue(chat.location, f"message #{index}")
        return
    if not isinstance(message, dict):
        yield Issue(Code.TELEGRAM_INVALID, f"message #{index} is a JSON {type(message).__name__}, not an "
                    "object", chat.location, f"message #{index}", hint=_EXPORT_HINT)
        return
    if message.get("type", "message") != "message":
        return  # service messages (joined, pinned, renamed …) are not reports
    item = f"message {message.get('id', f'#{index}')}"
    text, links = flatten_text(message.get("text"))
    if not text.strip():
        text, links = flatten_text(message.get("text_entities"))
    if not text.strip():
        yield _no_text(message, chat.location, item)
        return
    yield from _document(message, text.strip(), links, item, chat, ctx)


def _document(message: Mapping[str, Any], text: str, links: list[str], item: str, chat: Chat,
              ctx: ReadContext) -> Iterator[ReadItem]:
    unixtime = message.get("date_unixtime")
    date = resolve_date(unixtime or message.get("date"), ctx.now, chat.location, item)
    link = f"https://t.me/{chat.channel}/{message['id']}" if chat.channel and "id" in message else None
    meta = (*chat.meta, *_message_meta(message, link), *(("link", href) for href in links), *date.meta)
    if not unixtime and message.get("date"):
        meta += (("date_note", "local time of the exporting computer, read as UTC"),)
    yield RawDocument(text=text, location=chat.location, reader="telegram", raw_sha256=_message_sha(message),
                      item=item, url=link, published_at=date.published_at,
                      published_precision=date.precision, meta=meta)
    if date.issue is not None:
        yield date.issue


def _message_meta(message: Mapping[str, Any], link: str | None) -> tuple[tuple[str, str], ...]:
    pairs = [("author", message.get("from")), ("author_id", message.get("from_id")),
             ("forwarded_from", message.get("forwarded_from")), ("edited", message.get("edited")),
             ("reply_to_message_id", message.get("reply_to_message_id")), ("media", media_type(message))]
    found = tuple((key, str(value)) for key, value in pairs if value not in (None, ""))
    note = link or "unknown: set the reader option channel=<public username> to link messages"
    return (*found, ("message_link", note))


def media_type(message: Mapping[str, Any]) -> str | None:
    """What media a message carries ("photo", "video_file", "voice_message" …), or None."""
    if message.get("media_type"):
        return str(message["media_type"])
    for key, name in _MEDIA_KEYS:
        if message.get(key):
            return name
    return None


def _no_text(message: Mapping[str, Any], location: str, item: str) -> Issue:
    media = media_type(message)
    mime = f", {message['mime_type']}" if message.get("mime_type") else ""
    what = f"only media ({media}{mime})" if media else "nothing"
    return Issue(Code.NO_TEXT, f"the message has no text, {what}", location, item,
                 hint="media are not ingested; describe it in a note if it matters")


def flatten_text(value: Any) -> tuple[str, list[str]]:
    """Plain text of a message's ``text`` (a string, or a list of strings and entity objects),
    and the targets of its ``text_link`` entities."""
    if isinstance(value, str):
        return value, []
    parts: list[str] = []
    links: list[str] = []
    for part in value if isinstance(value, list) else []:
        if isinstance(part, str):
            parts.append(part)
        elif isinstance(part, dict):
            parts.append(str(part.get("text") or ""))
            if part.get("href"):
                links.append(str(part["href"]))
    return "".join(parts), links


def _message_sha(message: Mapping[str, Any]) -> str:
    serialised = json.dumps(message, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return sha256_hex(serialised.encode("utf-8"))
