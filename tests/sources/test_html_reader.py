"""HtmlReader: main text, metadata from the page's tags, and pages with no text."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reader_helpers import collect

from forewarn.errors import Code, Severity
from forewarn.model.document import DatePrecision
from forewarn.sources.base import ReadContext
from forewarn.sources.html import HtmlReader, headed, html_to_text

PARAGRAPHS = (
    "Місцеві жителі повідомили про велику колону бронетехніки, що рухалася до кордону вночі. "
    "За їхніми словами, колона налічувала понад сорок машин.",
    "Представник прикордонної служби заявив, що ситуація під контролем, але відмовився від "
    "подальших коментарів. Очевидці опублікували відео в соціальних мережах.",
)


def page(head: str = "", charset: str = "utf-8") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (f'<!doctype html><html lang="uk"><head><meta charset="{charset}"><title>Колона | Новини</title>'
            f"{head}</head><body><nav><a href='/'>Головна</a> <a href='/news'>Новини</a></nav>"
            f"<article><h1>Колона техніки біля кордону</h1>{body}</article>"
            "<footer>© 2024 Example News. Усі права захищені.</footer></body></html>")


ARTICLE_HEAD = (
    '<meta property="og:title" content="Колона техніки біля кордону">'
    '<link rel="canonical" href="https://news.example.org/2024/08/06/column">'
    '<meta property="article:published_time" content="2024-08-06T09:30:00+03:00">'
    '<meta name="author" content="Olena Kovalenko">'
)


def read(path: Path, ctx: ReadContext) -> object:
    return collect(HtmlReader().read(str(path), ctx))


def test_an_article_page(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "column.html"
    path.write_text(page(ARTICLE_HEAD), encoding="utf-8")
    out = read(path, ctx)
    assert out.issues == []
    (doc,) = out.docs
    assert PARAGRAPHS[0] in doc.text and PARAGRAPHS[1] in doc.text
    assert "Головна" not in doc.text and "права захищені" not in doc.text
    assert doc.title == "Колона техніки біля кордону"
    assert doc.url == "https://news.example.org/2024/08/06/column"
    assert doc.published_at == datetime(2024, 8, 6, 6, 30, tzinfo=UTC)
    assert doc.published_precision is DatePrecision.SECOND
    assert (doc.language, doc.reader, doc.location) == ("uk", "html", str(path))
    assert ("author", "Olena Kovalenko") in doc.meta
    assert doc.raw_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(("head", "expected"), [
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": '
     '[{"@type": "NewsArticle", "datePublished": "2024-08-06"}]}</script>', datetime(2024, 8, 6, tzinfo=UTC)),
    ('<meta property="og:url" content="https://e.org/x"><meta name="date" content="6 August 2024">',
     datetime(2024, 8, 6, tzinfo=UTC)),
])
def test_dates_from_json_ld_and_meta_names(tmp_path: Path, ctx: ReadContext, head: str,
                                           expected: datetime) -> None:
    path = tmp_path / "p.htm"
    path.write_text(page(head), encoding="utf-8")
    (doc,) = read(path, ctx).docs
    assert doc.published_at == expected


def test_a_time_element_date_and_title_fallback(tmp_path: Path, ctx: ReadContext) -> None:
    html = page().replace("<h1>", '<time datetime="2024-08-06T10:00:00Z">6 Aug</time><h1>')
    path = tmp_path / "p.html"
    path.write_text(html, encoding="utf-8")
    (doc,) = read(path, ctx).docs
    assert doc.published_at == datetime(2024, 8, 6, 10, tzinfo=UTC)
    assert doc.title == "Колона | Новини"
    assert doc.url is None


def test_a_windows_1251_page_with_its_charset_declared(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "p.html"
    path.write_bytes(page(ARTICLE_HEAD, charset="windows-1251").encode("cp1251"))
    (doc,) = read(path, ctx).docs
    assert PARAGRAPHS[0] in doc.text
    assert ("encoding", "windows-1251") in doc.meta


def test_a_future_date_keeps_the_page_with_a_warning(tmp_path: Path, ctx: ReadContext) -> None:
    path = tmp_path / "p.html"
    path.write_text(page('<meta property="article:published_time" content="2030-01-01T00:00:00Z">'))
    out = read(path, ctx)
    (doc,) = out.docs
    assert doc.published_at is None and ("raw_date", "2030-01-01T00:00:00Z") in doc.meta
    (warning,) = out.issues
    assert (warning.code, warning.location, warning.severity) == (Code.DATE_IN_FUTURE, str(path),
                                                                   Severity.WARNING)


@pytest.mark.parametrize("html", [
    "<html><head><title>Site</title></head><body><header><a href='/'>Home</a></header><nav><ul>"
    "<li><a href='/a'>World</a></li><li><a href='/b'>Politics</a></li></ul></nav>"
    "<footer>© 2024 Example. Privacy. Terms.</footer></body></html>",
    "<html><head><title>App</title></head><body><div id='root'></div><script>window.app()</script>"
    "<noscript>You need to enable JavaScript to run this app.</noscript></body></html>",
])
def test_a_page_without_main_text(tmp_path: Path, ctx: ReadContext, html: str) -> None:
    path = tmp_path / "nav.html"
    path.write_text(html)
    out = read(path, ctx)
    assert out.docs == []
    (issue,) = out.issues
    assert (issue.code, issue.location) == (Code.HTML_NO_TEXT, str(path))
    assert "no main text" in issue.message


@pytest.mark.parametrize(("content", "code"), [(b"", Code.EMPTY), (b"\x89PNG\r\n\x1a\n\x00\x00", Code.BINARY)])
def test_empty_and_binary_pages(tmp_path: Path, ctx: ReadContext, content: bytes, code: Code) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    (issue,) = read(path, ctx).issues
    assert (issue.code, issue.location) == (code, str(path))


def test_a_folder_reads_only_html_files(tmp_path: Path, ctx: ReadContext) -> None:
    (tmp_path / "a.html").write_text(page(), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not html")
    out = read(tmp_path, ctx)
    assert [d.location for d in out.docs] == [str(tmp_path / "a.html")]


def test_a_page_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_text(page())
    out = collect(HtmlReader().read(str(path), ReadContext(now=datetime(2024, 9, 1, tzinfo=UTC), max_bytes=100)))
    (issue,) = out.issues
    assert (issue.code, issue.location) == (Code.TOO_LARGE, str(path))


def test_html_to_text_keeps_paragraphs_and_drops_scripts() -> None:
    fragment = "<p>First &amp; <b>bold</b>.</p><p>Second<br>line</p><script>track()</script><ul><li>one</li></ul>"
    assert html_to_text(fragment) == "First & bold.\n\nSecond\nline\n\none"


@pytest.mark.parametrize(("title", "text", "expected_prefixed"), [
    ("Troops  massed at the border", "troops massed at the BORDER\n\n" + "More. " * 2000, False),  # spaces, case
    ("Troops massed", " \n\t " * 500 + "Troops massed near the town.", False),  # a long blank opening is read past
    ("Troops massed", "Residents saw columns. " + "Troops massed. " * 1000, True),
    ("Straße gesperrt", "STRASSE gesperrt, sagt die Polizei.", False),  # folded: ß is ss
])
def test_a_title_is_put_before_a_text_that_does_not_open_with_it(title: str, text: str,
                                                                 expected_prefixed: bool) -> None:
    assert headed(title, text) == (f"{title}\n\n{text}" if expected_prefixed else text)
