"""TelegramReader: a Telegram Desktop JSON export with text, entities, media and service messages."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from reader_helpers import collect, make_ctx

from forewarn.errors import Code
from forewarn.model.document import DatePrecision
from forewarn.sources.base import ReadContext
from forewarn.sources.telegram import TelegramReader, channel_name

MESSAGES: list[dict[str, Any]] = [
    {"id": 1, "type": "service", "date": "2024-08-01T09:00:00", "date_unixtime": "1722502800",
     "actor": "Border Watch", "action": "create_channel", "title": "Border Watch", "text": "",
     "text_entities": []},
    {"id": 2, "type": "message", "date": "2024-08-06T13:15:00", "date_unixtime": "1722939300",
     "from": "Border Watch", "from_id": "channel1234567890",
     "text": "Колона бронетехніки рухається до Суджі.", "text_entities": [
         {"type": "plain", "text": "Колона бронетехніки рухається до Суджі."}]},
    {"id": 3, "type": "message", "date": "2024-08-06T13:20:00", "date_unixtime": "1722939600",
     "from": "Border Watch", "edited": "2024-08-06T13:25:00", "edited_unixtime": "1722939900",
     "text": [{"type": "bold", "text": "СРОЧНО:"}, " колонна у ", {"type": "hashtag", "text": "#Суджа"},
              ", видео ", {"type": "text_link", "text": "здесь", "href": "https://example.org/v/9"},
              " и ", {"type": "link", "text": "https://example.org/map"}]},
    {"id": 4, "type": "message", "date": "2024-08-06T13:30:00", "date_unixtime": "1722940200",
     "from": "Border Watch", "photo": "photos/photo_4@06-08-2024_13-30-00.jpg", "width": 1280,
     "height": 720, "text": "", "text_entities": []},
    {"id": 5, "type": "message", "date": "2024-08-06T13:31:00", "date_unixtime": "1722940260",
     "from": "Border Watch", "file": "video_files/clip.mp4", "media_type": "video_file",
     "mime_type": "video/mp4", "duration_seconds": 12, "text": "", "text_entities": []},
    {"id": 6, "type": "message", "date": "2024-08-06T13:40:00", "date_unixtime": "1722940800",
     "from": "Border Watch", "forwarded_from": "Kursk Region News",
     "text": "Local authorities announce an evacuation of border villages."},
]


def export(messages: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"name": "Border Watch", "type": "public_channel", "id": 1234567890,
            "messages": MESSAGES if messages is None else messages}


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def read(path: Path, ctx: ReadContext) -> object:
    return collect(TelegramReader().read(str(path), ctx))


def test_an_export(tmp_path: Path) -> None:
    path = write(tmp_path / "result.json", export())
    out = read(path, make_ctx(options={"channel": "@border_watch"}))
    assert [d.item for d in out.docs] == ["message 2", "message 3", "message 6"]
    plain, entities, forwarded = out.docs
    assert plain.text == "Колона бронетехніки рухається до Суджі."
    assert plain.published_at == datetime(2024, 8, 6, 10, 15, tzinfo=UTC)
    assert plain.published_precision is DatePrecision.SECOND
    assert (plain.url, plain.title, plain.reader, plain.location) == (
        "https://t.me/border_watch/2", None, "telegram", str(path))
    assert ("author", "Border Watch") in plain.meta and ("chat_type", "public_channel") in plain.meta
    assert ("message_link", "https://t.me/border_watch/2") in plain.meta
    assert plain.raw_sha256 == hashlib.sha256(
        json.dumps(MESSAGES[1], sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()
    assert entities.text == "СРОЧНО: колонна у #Суджа, видео здесь и https://example.org/map"
    assert ("link", "https://example.org/v/9") in entities.meta
    assert ("edited", "2024-08-06T13:25:00") in entities.meta
    assert ("forwarded_from", "Kursk Region News") in forwarded.meta


def test_media_only_messages_are_no_text_issues(tmp_path: Path, ctx: ReadContext) -> None:
    path = write(tmp_path / "result.json", export())
    out = read(path, ctx)
    photo, video = out.issues
    assert (photo.code, photo.location, photo.item) == (Code.NO_TEXT, str(path), "message 4")
    assert "only media (photo)" in photo.message
    assert (video.code, video.item) == (Code.NO_TEXT, "message 5")
    assert "only media (video_file, video/mp4)" in video.message


def test_without_a_channel_there_is_no_link_and_meta_says_why(tmp_path: Path, ctx: ReadContext) -> None:
    path = write(tmp_path / "result.json", export(MESSAGES[1:2]))
    (doc,) = read(path, ctx).docs
    assert doc.url is None
    assert dict(doc.meta)["message_link"].startswith("unknown: set the reader option channel=")


def test_a_message_without_unixtime_uses_its_local_date_and_says_so(tmp_path: Path, ctx: ReadContext) -> None:
    message = {"id": 9, "type": "message", "date": "2024-08-06T13:15:00", "text": "Report."}
    (doc,) = read(write(tmp_path / "result.json", export([message])), ctx).docs
    assert doc.published_at == datetime(2024, 8, 6, 13, 15, tzinfo=UTC)
    assert "date_note" in dict(doc.meta)


def test_a_future_message_date_keeps_the_message(tmp_path: Path, ctx: ReadContext) -> None:
    message = {"id": 9, "type": "message", "date_unixtime": "1924905600", "text": "Report."}
    out = read(write(tmp_path / "result.json", export([message])), ctx)
    (doc,) = out.docs
    assert doc.published_at is None and ("raw_date", "1924905600") in doc.meta
    (warning,) = out.issues
    assert (warning.code, warning.item) == (Code.DATE_IN_FUTURE, "message 9")


@pytest.mark.parametrize(("content", "words"), [
    ('{"name": "x", "messages": [', "not valid JSON"),
    ('{"name": "x", "chats": []}', "no top-level \"messages\" list"),
    ("[1, 2, 3]", "no top-level \"messages\" list"),
])
def test_invalid_exports(tmp_path: Path, ctx: ReadContext, content: str, words: str) -> None:
    path = tmp_path / "result.json"
    path.write_text(content)
    out = read(path, ctx)
    (issue,) = out.items
    assert (issue.code, issue.location) == (Code.TELEGRAM_INVALID, str(path))
    assert words in issue.message


def test_a_message_that_is_not_an_object(tmp_path: Path, ctx: ReadContext) -> None:
    path = write(tmp_path / "result.json", export(["oops", MESSAGES[1]]))
    out = read(path, ctx)
    assert [d.item for d in out.docs] == ["message 2"]
    (issue,) = out.issues
    assert (issue.code, issue.item) == (Code.TELEGRAM_INVALID, "message #1")


def test_the_size_cap_is_twenty_times_max_bytes(tmp_path: Path) -> None:
    path = write(tmp_path / "result.json", export())
    size = path.stat().st_size
    assert read(path, make_ctx(max_bytes=size // 20 + 1)).docs
    (issue,) = read(path, make_ctx(max_bytes=size // 20 - 1)).issues
    assert (issue.code, issue.location) == (Code.TOO_LARGE, str(path))


def test_an_export_folder_reads_its_result_json(tmp_path: Path, ctx: ReadContext) -> None:
    write(tmp_path / "result.json", export())
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "photo_4.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    out = read(tmp_path, ctx)
    assert len(out.docs) == 3


@pytest.mark.parametrize(("option", "expected"), [
    ("@border_watch", "border_watch"), ("https://t.me/border_watch/", "border_watch"),
    ("t.me/border_watch", "border_watch"), ("  ", None), (None, None),
])
def test_channel_name(option: str | None, expected: str | None) -> None:
    assert channel_name(option) == expected
