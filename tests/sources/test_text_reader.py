"""TextReader: headers, front matter, folders, and every kind of bad file."""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import tracemalloc
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reader_helpers import collect, make_ctx, read_unprivileged

from forewarn.errors import Code, Severity
from forewarn.model.document import DatePrecision
from forewarn.sources.base import ReadContext
from forewarn.sources.text import TextReader

REPORT = "Residents of Sudzha reported a long column of armour moving west overnight.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"


def read(path: Path, ctx: ReadContext) -> object:
    return collect(TextReader().read(str(path), ctx))


def test_plain_text_with_a_header_block(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "report.txt"
    path.write_text("Title: Armour near Sudzha\nDATE: 2024-08-05T21:40:00+03:00\nurl: https://e.org/1\n"
                    "Author: Field team 2\nSource: resident interviews\nLanguage: en\n\n" + REPORT)
    out = read(path, ctx)
    assert out.issues == []
    (doc,) = out.docs
    assert doc.text == REPORT.strip()
    assert (doc.title, doc.url, doc.language) == ("Armour near Sudzha", "https://e.org/1", "en")
    assert doc.published_at == datetime(2024, 8, 5, 18, 40, tzinfo=UTC)
    assert doc.published_precision is DatePrecision.SECOND
    assert ("author", "Field team 2") in doc.meta and ("source", "resident interviews") in doc.meta
    assert ("encoding", "utf-8") in doc.meta
    assert (doc.reader, doc.location, doc.item) == ("text", str(path), None)
    assert doc.raw_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_prose_that_starts_like_a_header_is_kept(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Note: the column was seen twice.\n\nSecond paragraph.\n")
    (doc,) = read(path, ctx).docs
    assert doc.text.startswith("Note: the column")
    assert doc.title is None


def test_markdown_front_matter_and_heading(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "brief.md"
    path.write_text('---\ntitle: "Daily brief"\ndate: 6 August 2024\ntags: [border]\n---\n\n'
                    "# Ignored heading\n\n" + REPORT)
    (doc,) = read(path, ctx).docs
    assert doc.title == "Daily brief"
    assert (doc.published_at, doc.published_precision) == (datetime(2024, 8, 6, tzinfo=UTC), DatePrecision.DAY)
    assert doc.text.startswith("# Ignored heading")
    assert ("fm:tags", "[border]") in doc.meta


def test_markdown_heading_is_the_title_without_front_matter(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "brief.markdown"
    path.write_text("# Column near Sudzha\n\n" + REPORT)
    (doc,) = read(path, ctx).docs
    assert doc.title == "Column near Sudzha"
    assert REPORT.strip() in doc.text


def test_a_folder_is_read_recursively_and_only_text_files(tmp_path: Path, ctx: ReadContext) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("first report")
    (tmp_path / "sub" / "b.md").write_text("second report")
    (tmp_path / "photo.png").write_bytes(PNG)
    (tmp_path / "data.csv").write_text("text\nx\n")
    out = read(tmp_path, ctx)
    assert [d.text for d in out.docs] == ["first report", "second report"]
    assert out.issues == []


def test_include_patterns_override_the_extension_filter(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("first report")
    (tmp_path / "b.log").write_text("log report")
    out = read(tmp_path, make_ctx(include=("*.log",)))
    assert [d.text for d in out.docs] == ["log report"]


@pytest.mark.parametrize(("content", "code", "words"), [
    (b"", Code.EMPTY, "empty"),
    (b"  \n\n\t ", Code.EMPTY, "whitespace"),
    (PNG, Code.BINARY, "PNG"),
    (b"Report \xc3\x28 moved \xa0\xa1 north \x80\x81\x82 of the river", Code.UNDECODABLE, "UTF-8"),
    (b"Title: Only a header\n\n", Code.NO_TEXT, "no text"),
])
def test_bad_files_become_issues(tmp_path: Path, ctx: ReadContext, content: bytes, code: Code,
                                 words: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    out = read(path, ctx)
    assert out.docs == []
    (issue,) = out.issues
    assert (issue.code, issue.location, issue.severity) == (code, str(path), Severity.ERROR)
    assert words in issue.message
    assert issue.hint


def test_a_zip_named_txt_is_binary(tmp_path: Path, ctx: ReadContext) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.txt", REPORT * 20)
    path = tmp_path / "report.txt"
    path.write_bytes(buffer.getvalue())
    (issue,) = read(path, ctx).issues
    assert (issue.code, issue.location) == (Code.BINARY, str(path))
    assert "ZIP" in issue.message


@pytest.mark.parametrize(("text", "codec", "name"), [
    ("Жители Суджи сообщили о колонне бронетехники.", "cp1251", "cp1251"),
    ("Жителі Суджі повідомили про колону бронетехніки. Їх було багато.", "cp1251", "cp1251"),
    ("Жители Суджи сообщили о колонне бронетехники.", "utf-16-be", "utf-16-be"),
])
def test_legacy_and_utf16_files_decode(tmp_path: Path, ctx: ReadContext, text: str, codec: str,
                                       name: str) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(text.encode(codec))
    (doc,) = read(path, ctx).docs
    assert doc.text == text
    assert ("encoding", name) in doc.meta


def test_utf16_le_with_bom_decodes(tmp_path: Path, ctx: ReadContext) -> None:
    text = "Жителі Суджі повідомили про колону."
    path = tmp_path / "report.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    (doc,) = read(path, ctx).docs
    assert doc.text == text


def test_an_unparseable_date_keeps_the_document(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "report.txt"
    path.write_text("Date: the night before last\n\n" + REPORT)
    out = read(path, ctx)
    (doc,) = out.docs
    assert doc.published_at is None
    assert ("raw_date", "the night before last") in doc.meta
    (warning,) = out.warnings
    assert (warning.code, warning.location) == (Code.DATE_UNPARSEABLE, str(path))
    assert "the night before last" in warning.message
    assert out.errors == []


def test_a_future_date_keeps_the_document(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "report.txt"
    path.write_text("Date: 2031-05-01\n\n" + REPORT)
    out = read(path, ctx)
    (doc,) = out.docs
    assert doc.published_at is None and ("raw_date", "2031-05-01") in doc.meta
    (warning,) = out.warnings
    assert (warning.code, warning.location, warning.severity) == (Code.DATE_IN_FUTURE, str(path), Severity.WARNING)


def test_a_50_mb_file_is_refused_without_being_read(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "huge.txt"
    line = (REPORT * 10).encode()
    with path.open("wb") as handle:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    tracemalloc.start()
    try:
        out = read(path, ctx)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    (issue,) = out.issues
    assert (issue.code, issue.location) == (Code.TOO_LARGE, str(path))
    assert "over the 10.5 MB limit" in issue.message and "--max-bytes" in issue.hint
    assert peak < 1_000_000, f"{peak} bytes allocated: the file was read"


def test_a_file_deleted_mid_run_is_missing_and_the_next_one_still_comes(tmp_path: Path,
                                                                        ctx: ReadContext) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"report {name}")
    items = TextReader().read(str(tmp_path), ctx)
    first = next(items)
    (tmp_path / "b.txt").unlink()
    rest = collect(items)
    assert first.text == "report a.txt"
    assert [d.text for d in rest.docs] == ["report c.txt"]
    (issue,) = rest.issues
    assert (issue.code, issue.location) == (Code.FILE_MISSING, str(tmp_path / "b.txt"))
    assert "vanished" in issue.message


def test_a_missing_path_is_file_missing(tmp_path: Path, ctx: ReadContext) -> None:
    (issue,) = read(tmp_path / "nope.txt", ctx).issues
    assert (issue.code, issue.location) == (Code.FILE_MISSING, str(tmp_path / "nope.txt"))


def _codes_and_texts(folder: Path) -> list[tuple[str, str]]:
    out = collect(TextReader().read(str(folder), make_ctx()))
    return [(d.location, d.text) for d in out.docs] + [(i.location, i.code.value) for i in out.issues]


def test_a_permission_denied_file_is_an_issue_and_the_rest_comes(open_dir: Path) -> None:
    folder = open_dir / "reports"
    folder.mkdir(mode=0o755)
    for name in ("a.txt", "b.txt", "c.txt"):
        (folder / name).write_text(f"report {name}")
        (folder / name).chmod(0o644)
    (folder / "b.txt").chmod(0o000)
    results = read_unprivileged(lambda: _codes_and_texts(folder))
    assert results == [(str(folder / "a.txt"), "report a.txt"), (str(folder / "c.txt"), "report c.txt"),
                       (str(folder / "b.txt"), Code.PERMISSION_DENIED.value)]


def test_unreadable_test_setup_really_denies(open_dir: Path) -> None:
    path = open_dir / "secret.txt"
    path.write_text("x")
    path.chmod(0o000)
    assert read_unprivileged(lambda: os.access(path, os.R_OK)) is False
