"""Readers against hostile input: JSON nested past any sane depth, CSV files that turn binary or
never end a line, headline-only items, decompression bombs served as feeds, and symbolic links
leading out of an ingested folder. Each costs the item (or the rest of the file) it spoils, with a
coded issue; everything else is read, and memory stays bounded."""

from __future__ import annotations

import functools
import gzip
import json
import os
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TypeVar

import pytest
from reader_helpers import collect, loopback_server, make_ctx

from forewarn import sources
from forewarn.errors import Code, ItemError
from forewarn.model import SourceKind
from forewarn.sources.base import ReadContext
from forewarn.sources.feed import FeedReader
from forewarn.sources.html import HtmlReader
from forewarn.sources.inflate import inflate
from forewarn.sources.jsonload import MAX_DEPTH, array_items, loads, nesting_depth
from forewarn.sources.tabular import CsvReader, JsonlReader
from forewarn.sources.telegram import TelegramReader

DEEP = 200_000
T = TypeVar("T")


def deep_json(levels: int = DEEP) -> str:
    return "[" * levels + "]" * levels


def peak_while(func: Callable[[], T]) -> tuple[T, int]:
    """``func()`` and the peak of Python memory allocated while it ran."""
    tracemalloc.start()
    try:
        result = func()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


# --- item 7: nesting --------------------------------------------------------------------------

def test_nesting_is_measured_without_recursion_and_brackets_in_strings_do_not_count() -> None:
    assert nesting_depth('{"a": [1, {"b": []}], "c": "[[[{{{"}') == 4
    assert nesting_depth(r'["\"[[[", "\\", []]') == 2  # escaped quote and backslash inside strings
    assert nesting_depth(deep_json()) == DEEP
    assert loads('{"text": "[[[ fine ]]]"}') == {"text": "[[[ fine ]]]"}
    with pytest.raises(ItemError) as caught:
        loads('{"a": ' + deep_json() + "}")
    assert caught.value.code is Code.NESTING_TOO_DEEP and f"{DEEP + 1:,} levels" in caught.value.message
    loads(deep_json(MAX_DEPTH))  # the limit itself is read


def test_a_deep_jsonl_line_is_one_issue_and_the_other_lines_are_read(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "r.jsonl"
    lines = ['{"text": "Shelling reported near Sumy."}', '{"text": "x", "extra": ' + deep_json() + "}",
             deep_json(), '{"text": "Convoy seen at dawn."}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = collect(JsonlReader().read(str(path), ctx))
    assert [d.text for d in out.docs] == ["Shelling reported near Sumy.", "Convoy seen at dawn."]
    assert [(i.code, i.location, i.item) for i in out.issues] == [
        (Code.NESTING_TOO_DEEP, str(path), "line 2"), (Code.NESTING_TOO_DEEP, str(path), "line 3")]
    assert "nested 200,001 levels deep" in out.issues[0].message


def export(messages: list[str], name: str = '"Border watch"') -> str:
    return '{"name": ' + name + ', "type": "public_channel", "id": 1, "messages": [' + ", ".join(messages) + "]}"


def message(number: int, text: str) -> str:
    return json.dumps({"id": number, "type": "message", "date_unixtime": "1722939300", "text": text})


def test_a_deep_telegram_message_costs_that_message_only(tmp_path: Path, ctx: ReadContext) -> None:
    deep = '{"id": 2, "type": "message", "text": ' + deep_json() + "}"
    path = tmp_path / "result.json"
    path.write_text(export([message(1, "Tanks moved at night, [sic] {sic}"), deep, message(3, "Quiet day.")]))
    out = collect(TelegramReader().read(str(path), ctx))
    assert [d.text for d in out.docs] == ["Tanks moved at night, [sic] {sic}", "Quiet day."]
    assert [d.item for d in out.docs] == ["message 1", "message 3"]
    assert ("chat_name", "Border watch") in out.docs[0].meta
    assert [(i.code, i.item) for i in out.issues] == [(Code.NESTING_TOO_DEEP, "message #2")]


def test_a_telegram_export_deep_outside_its_messages_is_one_issue(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "result.json"
    path.write_text(export([message(1, "Quiet day.")], name=deep_json()))
    out = collect(TelegramReader().read(str(path), ctx))
    assert out.docs == []
    assert [(i.code, i.location) for i in out.issues] == [(Code.NESTING_TOO_DEEP, str(path))]


def test_splitting_an_array_keeps_every_item_and_the_object_around_it() -> None:
    text = '{"a": {"messages": [1]}, "messages" : [ {"t": "x, ]"}, [1, 2], "s" ], "z": 3}'
    shell, items = array_items(text, "messages")
    assert shell == {"a": {"messages": [1]}, "messages": [], "z": 3}
    assert items == [{"t": "x, ]"}, [1, 2], "s"]


def test_deep_json_ld_in_a_page_costs_only_a_date_candidate(tmp_path: Path, ctx: ReadContext) -> None:
    body = "<p>" + "Residents reported armoured columns moving towards the border overnight. " * 6 + "</p>"
    page = (f'<html><head><title>Columns</title><script type="application/ld+json">{deep_json()}</script>'
            '<script type="application/ld+json">{"@graph": [[{"datePublished": "2024-08-06"}]]}</script>'
            f"</head><body><article>{body}</article></body></html>")
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    out = collect(HtmlReader().read(str(path), ctx))
    (doc,) = out.docs
    assert doc.title == "Columns" and doc.published_at is not None and doc.published_at.day == 6


def test_a_folder_with_a_deep_file_reads_its_good_files(tmp_path: Path, ctx: ReadContext) -> None:
    (tmp_path / "a.jsonl").write_text(deep_json() + "\n")
    (tmp_path / "b.txt").write_text("Artillery fire was heard near Kupiansk.\n")
    out = collect(sources.read(str(tmp_path), SourceKind.AUTO, ctx))
    assert [d.text for d in out.docs] == ["Artillery fire was heard near Kupiansk."]
    assert [i.code for i in out.issues] == [Code.NESTING_TOO_DEEP]


# --- item 12: CSV lines are bounded, binary content found past the sniffed head --------------------

def test_csv_turning_binary_keeps_the_rows_before(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "r.csv"
    head = "text,date\nConvoy seen.,2024-08-06\n" + "Quiet day.,2024-08-07\n" * 4000  # past the 64 KB sniff
    path.write_bytes(head.encode() + b"Bad row\x00\x00\x01,x\nLater.,2024-08-08\n")
    out = collect(CsvReader().read(str(path), ctx))
    assert len(out.docs) == 4001 and out.docs[-1].item == "row 4001"
    (issue,) = out.issues
    assert (issue.code, issue.location) == (Code.BINARY, str(path))
    assert "from line 4,003 on" in issue.message


def test_a_csv_with_a_valid_head_then_tens_of_mb_of_nul_is_read_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.write(b"text,title\n" + b"Armour near Sudzha.,Report\n" * 3000)
        for _ in range(40):
            handle.write(b"\x00" * 1_000_000)  # 40 MB and no line end
    out, peak = peak_while(lambda: collect(CsvReader().read(str(path), make_ctx())))  # max_bytes 10 MiB
    assert len(out.docs) == 3000
    assert [i.code for i in out.issues] == [Code.BINARY]
    assert peak < 6_000_000, f"peak {peak:,} bytes for a 40 MB file: lines are not bounded"


def test_a_csv_line_longer_than_max_bytes_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    with path.open("wb") as handle:
        handle.write(b"text\nfirst\n")
        for _ in range(20):
            handle.write(b"x" * 1_000_000)
        handle.write(b"\nlast\n")
    out, peak = peak_while(lambda: collect(CsvReader().read(str(path), make_ctx(max_bytes=500_000))))
    assert [(d.text, d.item) for d in out.docs] == [("first", "row 1"), ("last", "row 3")]
    assert [(i.code, i.item) for i in out.issues] == [(Code.TOO_LARGE, "row 2")]
    assert peak < 4_000_000, f"peak {peak:,} bytes: the long line was read whole"


def test_a_quoted_csv_row_of_many_short_lines_is_bounded_too(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text('text\nfirst\n"' + "line\n" * 200 + '"\nlast\n', encoding="utf-8")
    out = collect(CsvReader().read(str(path), make_ctx(max_bytes=300)))
    assert [(d.text, d.item) for d in out.docs] == [("first", "row 1"), ("last", "row 3")]  # no line of row 2
    assert [(i.code, i.item) for i in out.issues] == [(Code.TOO_LARGE, "row 2")]


def test_the_header_does_not_count_against_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("text,title\nfifteen chars!,\nabc,\n", encoding="utf-8")  # header 11, row 1 16: each <= 20
    out = collect(CsvReader().read(str(path), make_ctx(max_bytes=20)))
    assert [(d.text, d.item) for d in out.docs] == [("fifteen chars!", "row 1"), ("abc", "row 2")]
    assert out.issues == []


def test_a_row_the_csv_module_refuses_is_one_issue(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"text\nfirst\nbroken\rrow\nlast\n")  # a bare CR inside an unquoted field
    out = collect(CsvReader().read(str(path), ctx))
    assert [d.text for d in out.docs] == ["first", "last"]
    assert [(i.code, i.item) for i in out.issues] == [(Code.READ_FAILED, "row 2")]


def test_a_jsonl_file_turning_binary_keeps_the_lines_before(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "r.jsonl"
    path.write_bytes(b'{"text": "one"}\n' * 5000 + b'{"text": "t\x00wo"}\n{"text": "three"}\n')
    out = collect(JsonlReader().read(str(path), ctx))
    assert len(out.docs) == 5000
    assert [(i.code, i.item) for i in out.issues] == [(Code.BINARY, None)]


# --- item 17: a headline-only item keeps its title as text ------------------------------------

def test_jsonl_and_csv_items_with_only_a_title_keep_it_as_their_text(tmp_path: Path) -> None:
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text('{"title": "Strike on Kharkiv depot", "description": ""}\n'
                     '{"title": "Curfew extended in Kherson"}\n'
                     '{"title": "A title", "description": {"html": "<p>x</p>"}}\n'
                     '{"description": "  "}\n', encoding="utf-8")
    out = collect(JsonlReader().read(str(jsonl), make_ctx(column_map={"text": "description"})))
    assert [(d.text, d.title, d.item) for d in out.docs] == [
        ("Strike on Kharkiv depot", "Strike on Kharkiv depot", "line 1"),
        ("Curfew extended in Kherson", "Curfew extended in Kherson", "line 2")]
    assert [(i.code, i.item) for i in out.issues] == [(Code.NO_TEXT, "line 3"), (Code.NO_TEXT, "line 4")]
    csv_path = tmp_path / "items.csv"
    csv_path.write_text("title,text\nBridge closed,\n,\n", encoding="utf-8")
    out = collect(CsvReader().read(str(csv_path), make_ctx()))
    assert [(d.text, d.item) for d in out.docs] == [("Bridge closed", "row 1")]


def test_feed_entries_with_only_a_title_keep_it_as_their_text(tmp_path: Path, ctx: ReadContext) -> None:
    rss = tmp_path / "f.rss"
    rss.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>'
                   "<item><title>Strike on Kharkiv depot</title><description></description>"
                   "<link>https://e.org/1</link></item>"
                   '<item><title>Curfew in Kherson</title><description><![CDATA[<img src="a.jpg"/>]]>'
                   "</description><link>https://e.org/2</link></item></channel></rss>", encoding="utf-8")
    atom = tmp_path / "f.atom"
    atom.write_text('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
                    "<entry><title>Bridge closed</title><id>urn:1</id><content type=\"html\"></content></entry>"
                    "</feed>", encoding="utf-8")
    texts = [d.text for path in (rss, atom) for d in collect(FeedReader().read(str(path), ctx)).docs]
    assert texts == ["Strike on Kharkiv depot", "Curfew in Kherson", "Bridge closed"]


# --- item 13 a: decompression bombs served as feeds -----------------------------------------------

RSS = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><item><title>Convoy</title>'
       b"<description>Armour seen near Sudzha.</description><link>https://e.org/1</link></item>"
       b"</channel></rss>")


@functools.cache
def gzip_bomb(expanded: int) -> bytes:
    engine = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    parts = [engine.compress(RSS[:60])]
    block = b" " * 1_000_000
    parts += [engine.compress(block) for _ in range(expanded // len(block))]
    return b"".join(parts) + engine.flush()


@pytest.fixture(scope="module")
def feed_server() -> Iterator[str]:
    bomb = gzip_bomb(50_000_000)
    answers = {"/bomb": (bomb, {"Content-Encoding": "gzip"}), "/bomb.xml.gz": (bomb, {}),
               "/ok": (gzip.compress(RSS), {"Content-Encoding": "gzip"}), "/ok.xml.gz": (gzip.compress(RSS), {}),
               "/deflate": (zlib.compress(RSS), {"Content-Encoding": "deflate"}),
               "/br": (RSS, {"Content-Encoding": "br"})}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body, headers = answers[self.path]
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    with loopback_server(Handler) as url:
        yield url


@pytest.mark.parametrize("path", ["/bomb", "/bomb.xml.gz"])
def test_a_gzip_bomb_feed_is_refused_as_a_compressed_body_in_bounded_memory(feed_server: str, path: str) -> None:
    ctx = make_ctx(max_bytes=1_000_000)
    collect(FeedReader().read(feed_server + "/ok", ctx))  # what a first read imports is not what is measured
    out, peak = peak_while(lambda: collect(FeedReader().read(feed_server + path, ctx)))
    (issue,) = out.issues
    assert (issue.code, issue.location) == (Code.TOO_LARGE, feed_server + path)
    assert f"the feed is compressed ({len(gzip_bomb(50_000_000))} bytes)" in issue.message
    assert "expands past the 1.0 MB limit" in issue.message
    assert peak < 5_000_000, f"peak {peak:,} bytes: the body was decompressed beyond the limit"


@pytest.mark.parametrize("path", ["/ok", "/ok.xml.gz", "/deflate"])
def test_a_compressed_feed_within_the_limit_is_read(feed_server: str, path: str, ctx: ReadContext) -> None:
    out = collect(FeedReader().read(feed_server + path, ctx))
    assert [d.text for d in out.docs] == ["Convoy\n\nArmour seen near Sudzha."] and out.issues == []


def test_a_feed_in_an_encoding_forewarn_did_not_ask_for_is_refused(feed_server: str, ctx: ReadContext) -> None:
    out = collect(FeedReader().read(feed_server + "/br", ctx))
    assert [i.code for i in out.issues] == [Code.FEED_UNREACHABLE] and out.docs == []


def test_inflate_refuses_corrupt_data_and_stops_at_the_limit() -> None:
    with pytest.raises(ItemError) as caught:
        inflate([gzip.compress(b"abc")[:10] + b"\xff" * 20], 1000)
    assert caught.value.code is Code.FEED_MALFORMED
    data = gzip.compress(b"a" * 5000)
    assert inflate([data[:10], data[10:]], 5000) == b"a" * 5000
    with pytest.raises(ItemError, match="expands past"):
        inflate([data], 4999)


# --- item 13 b: symbolic links out of an ingested folder -------------------------------------

@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """An inbox with links that stay inside it, links that lead out, and link loops."""
    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.txt").write_text("SECRET outside the inbox.\n")
    (outside / "dir" / "more.txt").write_text("SECRET in an outside folder.\n")
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "a.txt").write_text("Report A from the inbox.\n")
    (inbox / "sub" / "b.txt").write_text("Report B from a subfolder.\n")
    links = {"in.txt": "a.txt", "out.txt": "../outside/secret.txt", "outdir": "../outside/dir",
             "subdir": "sub", "loop.txt": "loop.txt", "sub/up": ".."}
    for name, target in links.items():
        os.symlink(target, inbox / name)
    return inbox


def test_links_leading_out_of_a_folder_are_refused_one_by_one(linked: Path, ctx: ReadContext) -> None:
    out = collect(sources.read(str(linked), SourceKind.AUTO, ctx))
    assert sorted(Path(d.location).relative_to(linked).as_posix() for d in out.docs) == [
        "a.txt", "in.txt", "sub/b.txt"]  # the folder link inside is not walked twice
    refused = sorted(Path(i.location).name for i in out.issues if i.code is Code.LINK_OUTSIDE)
    assert refused == ["out.txt", "outdir"]
    assert [i.code for i in out.issues if i.code is not Code.LINK_OUTSIDE] == [Code.READ_FAILED]  # loop.txt
    assert not any("SECRET" in d.text for d in out.docs)
    assert all("follow_symlinks" in i.hint for i in out.issues if i.code is Code.LINK_OUTSIDE)


def test_following_links_is_a_setting_and_link_loops_end(linked: Path) -> None:
    out = collect(sources.read(str(linked), SourceKind.TEXT, make_ctx(follow_symlinks=True)))
    texts = sorted(d.text for d in out.docs)
    assert texts.count("Report B from a subfolder.") == 1  # sub, subdir and sub/up/sub are one folder
    assert "SECRET outside the inbox." in texts and "SECRET in an outside folder." in texts
    assert not any(i.code is Code.LINK_OUTSIDE for i in out.issues)
