"""Saved web pages: main text by trafilatura, metadata read from the page's own tags.

Title: ``og:title``, else ``<title>``, else the first ``<h1>``. URL: ``<link rel=canonical>``,
else ``og:url``. Publication date, first that parses among: ``article:published_time``,
``og:published_time``, ``datePublished`` (microdata or JSON-LD), other common meta names,
``<time datetime>``. trafilatura's own date guessing (htmldate) is not used: it compares dates
with the clock and guesses from URLs and body text, which would make replays dishonest.
``raw_sha256`` is the SHA-256 of the whole file's bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forewarn.errors import Code, Issue, ItemError
from forewarn.model.document import RawDocument
from forewarn.sources.base import ReadContext, ReadItem
from forewarn.sources.dates import DateOutcome, parse_date, resolve_date
from forewarn.sources.encoding import decode_bytes
from forewarn.sources.files import FileReader, load, sha256_hex
from forewarn.sources.jsonload import loads

if TYPE_CHECKING:
    from lxml.html import HtmlElement

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
_DATE_KEYS = ("article:published_time", "og:published_time", "og:article:published_time",
              "datepublished", "pubdate", "publishdate", "publish-date", "parsely-pub-date",
              "sailthru.date", "dc.date.issued", "dc.date", "dcterms.created", "date",
              "citation_publication_date")
# page furniture removed before extraction, so a page of links and notices has no "main text"
_PRUNE = "//nav|//footer|//aside|//noscript|//header[not(ancestor::article) and not(ancestor::main)]"
_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


class HtmlReader(FileReader):
    name = "html"
    suffixes = HTML_SUFFIXES

    def read_file(self, path: Path, ctx: ReadContext) -> Iterator[ReadItem]:
        data = load(path, ctx.max_bytes)
        if isinstance(data, Issue):
            yield data
            return
        try:
            text, encoding = decode_bytes(data, declared=declared_charset(data))
            page = parse_page(text)
        except ItemError as err:
            yield err.issue(str(path))
            return
        yield from _document(page, sha256_hex(data), str(path), ctx, encoding)


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (``<meta charset>`` or http-equiv)."""
    match = _CHARSET.search(data[:4096])
    return match[1].decode("ascii") if match else None


def parse_page(text: str) -> tuple[str, dict[str, Any]]:
    """Main text and metadata of a page; ItemError(HTML_NO_TEXT) when it has no main text."""
    import trafilatura  # imported on first use: it is slow to import and only HTML needs it
    from trafilatura.utils import load_html

    tree = load_html(text)
    if tree is None:
        raise ItemError(Code.HTML_NO_TEXT, "this does not parse as an HTML page",
                        hint="check that the file is a saved web page, or read it as text")
    meta = page_metadata(tree)
    extracted = trafilatura.bare_extraction(tree, include_comments=False, favor_precision=False,
                                            with_metadata=False, include_tables=True, prune_xpath=_PRUNE)
    body = (getattr(extracted, "text", None) or "").strip()
    if not body:
        raise ItemError(Code.HTML_NO_TEXT, "no main text found: the page holds only navigation, "
                        "scripts or boilerplate", hint="if the page needs JavaScript, save the rendered "
                        "page (or its text) instead")
    return body, meta


def _document(page: tuple[str, dict[str, Any]], digest: str, location: str,
              ctx: ReadContext, encoding: str) -> Iterator[ReadItem]:
    body, meta = page
    date = _page_date(meta.get("dates", []), ctx, location)
    extra = tuple((key, meta[key]) for key in ("author", "site_name") if meta.get(key))
    yield RawDocument(text=body, location=location, reader="html", raw_sha256=digest,
                      title=meta.get("title"), url=meta.get("url"), published_at=date.published_at,
                      published_precision=date.precision, language=meta.get("language"),
                      meta=(("encoding", encoding), *extra, *date.meta))
    if date.issue is not None:
        yield date.issue


def _page_date(candidates: list[str], ctx: ReadContext, location: str) -> DateOutcome:
    for raw in candidates:
        try:
            parse_date(raw)
        except ItemError:
            continue
        return resolve_date(raw, ctx.now, location)
    return resolve_date(candidates[0] if candidates else None, ctx.now, location)


def page_metadata(tree: HtmlElement) -> dict[str, Any]:
    """Title, canonical URL, author, site name, language and date candidates of a page."""
    tags = _meta_tags(tree)
    return {
        "title": tags.get("og:title") or _first_text(tree, "title") or _first_text(tree, "h1"),
        "url": _canonical(tree) or tags.get("og:url"),
        "author": tags.get("author") or tags.get("article:author"),
        "site_name": tags.get("og:site_name"),
        "language": (tree.get("lang") or "").strip() or None,
        "dates": _date_candidates(tree, tags),
    }


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    tags: dict[str, str] = {}
    for element in tree.iter("meta"):
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        content = (element.get("content") or "").strip()
        if key.strip() and content:
            tags.setdefault(key.strip().lower(), content)
    return tags


def _first_text(tree: HtmlElement, tag: str) -> str | None:
    for element in tree.iter(tag):
        text = " ".join(element.text_content().split())
        if text:
            return text
    return None


def _canonical(tree: HtmlElement) -> str | None:
    for element in tree.iter("link"):
        if "canonical" in (element.get("rel") or "").lower().split() and element.get("href"):
            return element.get("href").strip()
    return None


def _date_candidates(tree: HtmlElement, tags: dict[str, str]) -> list[str]:
    found = [tags[key] for key in _DATE_KEYS if key in tags]
    found += _json_ld_dates(tree)
    found += [t.get("datetime").strip() for t in tree.iter("time") if (t.get("datetime") or "").strip()]
    return found


def _json_ld_dates(tree: HtmlElement) -> list[str]:
    dates: list[str] = []
    for script in tree.iter("script"):
        if "ld+json" in (script.get("type") or "").lower() and script.text:
            dates += _find_key(_loads(script.text), "datePublished")
    return dates


def _loads(text: str) -> Any:
    try:
        return loads(text)
    except (json.JSONDecodeError, ItemError):
        return None  # broken (or absurdly nested) JSON-LD is common and only costs us a date candidate


def _find_key(node: Any, key: str) -> list[str]:
    """The string values of ``key`` anywhere in ``node``, in document order, without recursion."""
    found: list[str] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, dict):
            if isinstance(current.get(key), str):
                found.append(current[key])
            pending.extend(reversed(current.values()))
        elif isinstance(current, list):
            pending.extend(reversed(current))
    return found


_BLOCKS = frozenset({"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
                     "blockquote", "pre", "tr", "table", "section", "article", "header", "footer",
                     "figure", "figcaption", "hr", "dd", "dt", "dl"})
_SKIPPED = frozenset({"script", "style", "noscript", "template", "head"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n\n" if tag != "br" else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content), paragraph breaks kept."""
    if "<" not in fragment and "&" not in fragment:
        return _tidy(fragment)
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    return _tidy("".join(collector.parts))


_MARKUP = re.compile(r"<(?:p|br|img|a|div|span|b|i|em|strong|ul|ol|li|h[1-6]|figure|figcaption|blockquote)\b[^>]*>"
                     r"|</\w+>|&(?:[a-z]{2,8}|#\d{1,6}|#x[0-9a-f]{1,5});", re.IGNORECASE)


def markup_to_text(value: str) -> str:
    """A field that holds HTML (tags such as ``<p>`` or ``<img>``, or character references such as ``&amp;``),
    as feed archives and exports often keep their descriptions, as plain text; any other value unchanged."""
    return html_to_text(value) if _MARKUP.search(value) else value


def headed(title: str | None, text: str) -> str:
    """A feed item's or a row's text as people read it: the title, a blank line, then the text (the layout the
    headline component expects). Unchanged when there is no title or the text already opens with it."""
    if not title:
        return text
    wanted = _folded(title)
    return text if _opening(text, len(wanted)).startswith(wanted) else f"{title}\n\n{text}"


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def _opening(text: str, n: int) -> str:
    """The start of ``text`` with its spaces collapsed and its case folded, at least ``n`` characters long where
    the text is that long (folding a prefix gives a prefix of the whole text folded: a long text is not read
    whole)."""
    head = _folded(text[: 2 * n + 64])
    return head if len(head) >= n or len(text) <= 2 * n + 64 else _folded(text)


def _tidy(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
