"""JsonlReader, CsvReader and parse_column_map."""

from __future__ import annotations

import csv
import hashlib
import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reader_helpers import collect, make_ctx

from forewarn.errors import Code, ItemError, Severity
from forewarn.sources.base import ReadContext
from forewarn.sources.tabular import CsvReader, JsonlReader, parse_column_map

ROWS = [
    {"id": "r1", "body": "Armour column seen near Sudzha.", "headline": "Column", "published": "2024-08-05",
     "link": "https://e.org/1", "lang": "en", "author": "desk"},
    {"id": "r2", "body": "Bridge closed to civilians.", "headline": "Bridge", "published": "2024-08-06T08:00:00Z",
     "link": "https://e.org/2", "lang": "en", "author": "desk"},
]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# --- parse_column_map ---------------------------------------------------------------------------

def test_parse_column_map() -> None:
    assert parse_column_map(" text = body ,Date=Published At,") == {"text": "body", "date": "Published At"}


@pytest.mark.parametrize(("spec", "words"), [
    ("text", "not field=column"), ("text=", "not field=column"), ("=body", "not field=column"),
    ("body=text", "unknown field 'body'"), ("text=a,text=b", "mapped twice"), (" , ", "empty"),
])
def test_bad_column_maps(spec: str, words: str) -> None:
    with pytest.raises(ItemError) as caught:
        parse_column_map(spec)
    assert caught.value.code is Code.MAPPING_INVALID
    assert words in caught.value.message
    assert "field=column" in caught.value.hint


# --- JSONL --------------------------------------------------------------------------------------

def test_jsonl_with_default_keys(tmp_path: Path, ctx: ReadContext) -> None:
    lines = [json.dumps(row, ensure_ascii=False) for row in ROWS]
    path = write_jsonl(tmp_path / "reports.jsonl", lines)
    out = collect(JsonlReader().read(str(path), ctx))
    assert out.issues == []
    first, second = out.docs
    assert (first.text, first.title, first.url, first.item) == ("Column\n\nArmour column seen near Sudzha.", "Column",
                                                                "https://e.org/1", "r1")
    assert first.published_at == datetime(2024, 8, 5, tzinfo=UTC)
    assert (first.language, first.reader, first.location) == ("en", "jsonl", str(path))
    assert ("author", "desk") in first.meta
    assert first.raw_sha256 == hashlib.sha256(lines[0].encode()).hexdigest()
    assert second.published_at == datetime(2024, 8, 6, 8, tzinfo=UTC)


def test_jsonl_broken_line_among_good_ones(tmp_path: Path, ctx: ReadContext) -> None:
    good = [json.dumps({"text": f"report {n}"}) for n in range(1, 6)]
    path = write_jsonl(tmp_path / "r.jsonl", [*good[:2], '{"text": "cut', *good[2:], "", "[1, 2]"])
    out = collect(JsonlReader().read(str(path), ctx))
    assert [d.text for d in out.docs] == [f"report {n}" for n in range(1, 6)]
    assert [d.item for d in out.docs] == ["line 1", "line 2", "line 4", "line 5", "line 6"]
    broken, array = out.issues
    assert (broken.code, broken.location, broken.item) == (Code.JSON_INVALID, str(path), "line 3")
    assert "not valid JSON" in broken.message
    assert (array.code, array.item) == (Code.JSON_INVALID, "line 8")
    assert "JSON list, not an object" in array.message


def test_jsonl_lines_without_text(tmp_path: Path, ctx: ReadContext) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", ['{"author": "no text"}', '{"text": "  "}', '{"text": ["a"]}'])
    out = collect(JsonlReader().read(str(path), ctx))
    assert out.docs == []
    assert [(i.code, i.item) for i in out.issues] == [(Code.NO_TEXT, f"line {n}") for n in (1, 2, 3)]
    assert "the text (text/body/content/message) is empty or missing" in out.issues[0].message
    assert "the text (text) is a JSON list" in out.issues[2].message


def test_jsonl_with_a_column_map(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.ndjson", ['{"msg": "Shelling reported.", "ts": 1722939300, "ref": 77}'])
    ctx = make_ctx(column_map={"text": "msg", "date": "ts", "id": "ref"})
    (doc,) = collect(JsonlReader().read(str(path), ctx)).docs
    assert (doc.text, doc.item) == ("Shelling reported.", "77")
    assert doc.published_at == datetime(2024, 8, 6, 10, 15, tzinfo=UTC)


def test_jsonl_unparseable_and_future_dates_keep_the_lines(tmp_path: Path, ctx: ReadContext) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", ['{"text": "a", "date": "soonish"}',
                                              '{"text": "b", "date": "2030-01-01"}'])
    out = collect(JsonlReader().read(str(path), ctx))
    assert [d.published_at for d in out.docs] == [None, None]
    assert [(w.code, w.item, w.severity) for w in out.issues] == [
        (Code.DATE_UNPARSEABLE, "line 1", Severity.WARNING), (Code.DATE_IN_FUTURE, "line 2", Severity.WARNING)]


def test_jsonl_line_over_the_limit_is_skipped(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "r.jsonl", [json.dumps({"text": "x" * 500}), '{"text": "short"}'])
    out = collect(JsonlReader().read(str(path), make_ctx(max_bytes=100)))
    assert [d.text for d in out.docs] == ["short"]
    (issue,) = out.issues
    assert (issue.code, issue.item) == (Code.TOO_LARGE, "line 1")


@pytest.mark.parametrize(("content", "code"), [(b"", Code.EMPTY), (b"\x89PNG\r\n\x1a\n\x00\x00", Code.BINARY)])
def test_empty_and_binary_jsonl(tmp_path: Path, ctx: ReadContext, content: bytes, code: Code) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(content)
    (issue,) = collect(JsonlReader().read(str(path), ctx)).issues
    assert (issue.code, issue.location) == (code, str(path))


# --- CSV ----------------------------------------------------------------------------------------

def test_csv_with_default_columns(tmp_path: Path, ctx: ReadContext) -> None:
    header = list(ROWS[0])
    path = write_csv(tmp_path / "r.csv", header, [list(row.values()) for row in ROWS])
    out = collect(CsvReader().read(str(path), ctx))
    assert out.issues == []
    first, second = out.docs
    assert (first.text, first.title, first.item, first.url) == ("Column\n\nArmour column seen near Sudzha.", "Column",
                                                                "r1", "https://e.org/1")
    assert (first.reader, first.location) == ("csv", str(path))
    assert first.raw_sha256 == hashlib.sha256(json.dumps(list(ROWS[0].values())).encode()).hexdigest()
    assert second.published_at == datetime(2024, 8, 6, 8, tzinfo=UTC)


def test_csv_rows_are_numbered_without_the_header(tmp_path: Path, ctx: ReadContext) -> None:
    rows = [["a", ""], ["", "2024-08-06"], ["", ""], ["c", "tomorrowish"]]  # row 3 is blank: skipped
    path = write_csv(tmp_path / "r.csv", ["Text", "Date"], rows)
    out = collect(CsvReader().read(str(path), ctx))
    assert [(d.text, d.item) for d in out.docs] == [("a", "row 1"), ("c", "row 4")]
    assert [(i.code, i.item, i.severity) for i in out.issues] == [
        (Code.NO_TEXT, "row 2", Severity.ERROR), (Code.DATE_UNPARSEABLE, "row 4", Severity.WARNING)]
    assert out.issues[0].location == str(path) and "the text (Text) is empty" in out.issues[0].message


def test_csv_missing_a_mapped_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", ["body", "when"], [["a", "2024-08-06"], ["b", "2024-08-07"]])
    out = collect(CsvReader().read(str(path), make_ctx(column_map={"text": "body", "date": "published"})))
    assert out.docs == []
    (issue,) = out.issues
    assert (issue.code, issue.location) == (Code.COLUMN_MISSING, str(path))
    assert "'published' (mapped to date)" in issue.message
    assert "available columns: 'body', 'when'" in issue.message


def test_csv_without_any_text_column(tmp_path: Path, ctx: ReadContext) -> None:
    path = write_csv(tmp_path / "r.csv", ["note", "when"], [["a", "b"]])
    (issue,) = collect(CsvReader().read(str(path), ctx)).items
    assert (issue.code, issue.location) == (Code.COLUMN_MISSING, str(path))
    assert "no text column" in issue.message and "'note'" in issue.message


def test_csv_windows_1251_with_semicolons(tmp_path: Path, ctx: ReadContext) -> None:
    text = "Жителі Суджі повідомили про колону бронетехніки."
    path = write_csv(tmp_path / "r.csv", ["текст", "text"], [["x", text]], encoding="cp1251", delimiter=";")
    (doc,) = collect(CsvReader().read(str(path), ctx)).docs
    assert doc.text == text
    assert ("encoding", "cp1251") in doc.meta


def test_csv_fields_larger_than_the_csv_module_default(tmp_path: Path, ctx: ReadContext) -> None:
    long_text = "word " * 60_000  # 300 kB, over csv's default 128 kB field limit
    path = write_csv(tmp_path / "r.csv", ["text"], [[long_text]])
    (doc,) = collect(CsvReader().read(str(path), ctx)).docs
    assert doc.text == long_text.strip()


def test_csv_streams_without_loading_the_file(tmp_path: Path, ctx: ReadContext) -> None:
    body = "Troops were seen moving near the border, witnesses said. " * 30
    rows = [[str(n), "2024-08-06", body] for n in range(3000)]
    path = write_csv(tmp_path / "big.csv", ["id", "date", "text"], rows)
    assert path.stat().st_size > 5_000_000
    tracemalloc.start()
    try:
        count = sum(1 for _ in CsvReader().read(str(path), ctx))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 3000
    assert peak < 1_000_000, f"peak {peak} bytes: the file was not streamed"


def test_a_row_the_csv_module_refuses_is_skipped(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r.csv", ["text"], [["short"], ["x" * 50], ["after"]])
    saved = csv.field_size_limit(10)  # the reader raises the limit to max_bytes, here 20
    try:
        out = collect(CsvReader().read(str(path), make_ctx(max_bytes=20)))
    finally:
        csv.field_size_limit(saved)
    assert [(d.text, d.item) for d in out.docs] == [("short", "row 1"), ("after", "row 3")]
    (issue,) = out.issues
    assert (issue.code, issue.location, issue.item) == (Code.TOO_LARGE, str(path), "row 2")
    assert "longer than 20 bytes" in issue.message  # the line is skipped before the csv module sees it


@pytest.mark.parametrize(("content", "code"), [(b"", Code.EMPTY), (b"PK\x03\x04\x14\x00\x00\x00", Code.BINARY)])
def test_empty_and_binary_csv(tmp_path: Path, ctx: ReadContext, content: bytes, code: Code) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    (issue,) = collect(CsvReader().read(str(path), ctx)).issues
    assert (issue.code, issue.location) == (code, str(path))


def test_csv_invalid_bytes_after_the_sniffed_head(tmp_path: Path, ctx: ReadContext) -> None:
    good = "".join(f"report number {n} from the border\n" for n in range(3000)).encode()  # > 64 kB
    path = tmp_path / "r.csv"
    path.write_bytes(b"text\n" + good + b"broken \xff\xfe row\n" + b"after\n")
    out = collect(CsvReader().read(str(path), ctx))
    assert len(out.docs) == 3001 and out.docs[-1].text == "after"
    (issue,) = out.issues
    assert (issue.code, issue.location, issue.item) == (Code.UNDECODABLE, str(path), "row 3001")
    assert "invalid utf-8 bytes" in issue.message


def test_jsonl_line_with_invalid_bytes(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"text": "caf\xc3\xa9 one"}\n{"text": "bad \xff byte"}\n{"text": "three"}\n')
    out = collect(JsonlReader().read(str(path), ctx))
    assert [d.text for d in out.docs] == ["café one", "three"]
    (issue,) = out.issues
    assert (issue.code, issue.location, issue.item) == (Code.UNDECODABLE, str(path), "line 2")
    assert "invalid utf-8 bytes" in issue.message


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be"])
def test_utf16_jsonl_and_csv(tmp_path: Path, ctx: ReadContext, codec: str) -> None:
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_bytes('{"text": "Жителі Суджі"}\n{"text": "друге"}\n'.encode(codec))
    assert [d.text for d in collect(JsonlReader().read(str(jsonl), ctx)).docs] == ["Жителі Суджі", "друге"]
    table = tmp_path / "r.csv"
    table.write_bytes("текст;text\nx;Жителі Суджі\n".encode(codec))
    assert [d.text for d in collect(CsvReader().read(str(table), ctx)).docs] == ["Жителі Суджі"]


def test_a_row_reads_as_title_then_text_and_markup_becomes_text(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "items.jsonl"
    rows = [{"title": "Convoy &amp; tanks near the border", "text": "<p>Residents filmed a convoy.<br/>Police "
             "closed the road.</p><img src=\"x.jpg\"/>"},
            {"title": "Drone strike", "text": "Drone strike on a depot, officials said."},
            {"title": "Costs", "text": "Prices rose by 3 < 5 percent"}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    docs = collect(JsonlReader().read(str(path), ctx)).docs
    assert [d.text for d in docs] == [
        "Convoy & tanks near the border\n\nResidents filmed a convoy.\n\nPolice closed the road.",
        "Drone strike on a depot, officials said.",  # the text opens with its title: not repeated
        "Costs\n\nPrices rose by 3 < 5 percent"]  # no markup: left as written
    assert docs[0].title == "Convoy & tanks near the border"
