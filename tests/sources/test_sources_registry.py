"""The reader registry: kinds, detection by extension, and read() dispatch."""

from __future__ import annotations

import io
import json
import socket
import zipfile
from pathlib import Path

import pytest
from reader_helpers import collect

from forewarn.errors import Code
from forewarn.model.source import SourceKind
from forewarn.sources import READERS, detect_kind, read
from forewarn.sources.base import ReadContext

EXPORT = {"name": "c", "type": "public_channel", "id": 1,
          "messages": [{"id": 1, "type": "message", "date_unixtime": "1722939300", "text": "Report."}]}


def test_every_kind_but_auto_has_a_reader_named_after_it() -> None:
    assert set(READERS) == set(SourceKind) - {SourceKind.AUTO}
    assert all(reader.name == kind.value for kind, reader in READERS.items())


@pytest.mark.parametrize(("name", "kind"), [
    ("a.txt", SourceKind.TEXT), ("a.MD", SourceKind.TEXT), ("a.markdown", SourceKind.TEXT),
    ("a.html", SourceKind.HTML), ("a.htm", SourceKind.HTML), ("a.xml", SourceKind.FEED),
    ("a.rss", SourceKind.FEED), ("a.atom", SourceKind.FEED), ("a.jsonl", SourceKind.JSONL),
    ("a.ndjson", SourceKind.JSONL), ("a.csv", SourceKind.CSV), ("a.docx", None), ("README", None),
])
def test_detect_kind_by_extension(name: str, kind: SourceKind | None) -> None:
    assert detect_kind(Path(name)) is kind


def test_detect_kind_of_json_looks_inside(tmp_path: Path) -> None:
    export, other = tmp_path / "result.json", tmp_path / "config.json"
    export.write_text(json.dumps(EXPORT, indent=1))
    other.write_text('{"settings": true}')
    assert detect_kind(export) is SourceKind.TELEGRAM
    assert detect_kind(other) is None


def test_a_missing_path(tmp_path: Path, ctx: ReadContext) -> None:
    (issue,) = collect(read(str(tmp_path / "gone"), SourceKind.AUTO, ctx)).items
    assert (issue.code, issue.location) == (Code.FILE_MISSING, str(tmp_path / "gone"))


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_a_mixed_folder_is_dispatched_by_extension(tmp_path: Path, ctx: ReadContext) -> None:
    (tmp_path / "a.txt").write_text("text report")
    (tmp_path / "b.csv").write_text("text\ncsv report\n")
    (tmp_path / "c.jsonl").write_text('{"text": "jsonl report"}\n')
    (tmp_path / "d.html").write_text("<html><body><article><p>html report with enough words to count as "
                                     "the main text of this page.</p></article></body></html>")
    (tmp_path / "e.docx").write_bytes(_docx())
    (tmp_path / "f.json").write_text('{"not": "an export"}')
    out = collect(read(str(tmp_path), SourceKind.AUTO, ctx))
    assert [(d.reader, d.text.split()[0]) for d in out.docs] == [
        ("text", "text"), ("csv", "csv"), ("jsonl", "jsonl"), ("html", "html")]
    assert [(i.code, Path(i.location).name) for i in out.issues] == [
        (Code.UNSUPPORTED_FORMAT, "e.docx"), (Code.UNSUPPORTED_FORMAT, "f.json")]
    assert "'.docx'" in out.issues[0].message


def test_a_telegram_export_folder_skips_its_media(tmp_path: Path, ctx: ReadContext) -> None:
    export = tmp_path / "ChatExport_2024-08-06"
    (export / "photos").mkdir(parents=True)
    (export / "result.json").write_text(json.dumps(EXPORT))
    (export / "photos" / "photo_1.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (tmp_path / "z.bin").write_bytes(b"\x00")
    out = collect(read(str(tmp_path), SourceKind.AUTO, ctx))
    assert [d.reader for d in out.docs] == ["telegram"]
    assert [Path(i.location).name for i in out.issues] == ["z.bin"]


def test_a_single_file_with_auto_and_with_an_explicit_kind(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "notes.log"
    path.write_text("a report kept in a log file")
    (issue,) = collect(read(str(path), SourceKind.AUTO, ctx)).items
    assert (issue.code, issue.location) == (Code.UNSUPPORTED_FORMAT, str(path))
    (doc,) = collect(read(str(path), SourceKind.TEXT, ctx)).docs
    assert doc.text == "a report kept in a log file"


def test_urls_go_to_the_feed_reader(ctx: ReadContext) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.xml"
    (issue,) = collect(read(url, SourceKind.AUTO, ctx)).items
    assert (issue.code, issue.location) == (Code.FEED_UNREACHABLE, url)
    (issue,) = collect(read(url, SourceKind.HTML, ctx)).items
    assert (issue.code, issue.location) == (Code.UNSUPPORTED_FORMAT, url)
