"""decode_bytes: BOMs, UTF-16 without BOM, legacy Cyrillic, binary and broken input."""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile

import charset_normalizer
import pytest

from forewarn.errors import Code, ItemError
from forewarn.sources import encoding
from forewarn.sources.encoding import decode_bytes, plausibility, sniff_encoding

RUSSIAN = ("Местные жители сообщают о колонне бронетехники у границы. "
           "По их словам, в колонне было больше сорока машин. Пограничная служба молчит.")
UKRAINIAN = ("Місцеві жителі повідомляють про колону техніки біля кордону. "
             "Їхні свідчення підтвердили двоє очевидців. Ні, це не навчання, — кажуть вони.")
PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document>Report text</w:document>")
    return buffer.getvalue()


def _error(data: bytes) -> ItemError:
    with pytest.raises(ItemError) as caught:
        decode_bytes(data)
    return caught.value


def test_utf8_takes_the_fast_path_without_charset_normalizer(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("charset-normalizer must not run for UTF-8 input")

    monkeypatch.setattr(charset_normalizer, "from_bytes", refuse)
    assert decode_bytes(RUSSIAN.encode("utf-8")) == (RUSSIAN, "utf-8")


@pytest.mark.parametrize(("bom", "codec", "name"), [
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
])
def test_a_byte_order_mark_decides_and_is_removed(bom: bytes, codec: str, name: str) -> None:
    assert decode_bytes(bom + UKRAINIAN.encode(codec)) == (UKRAINIAN, name)


@pytest.mark.parametrize("text", [RUSSIAN, UKRAINIAN, "Troops crossed the river at dawn, witnesses said."])
@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_by_its_byte_pattern(text: str, codec: str) -> None:
    assert decode_bytes(text.encode(codec)) == (text, codec)


@pytest.mark.parametrize("text", [RUSSIAN, UKRAINIAN, "Привет, мир", "СРОЧНО: прорыв на границе."])
def test_windows_1251_cyrillic_decodes(text: str) -> None:
    assert decode_bytes(text.encode("cp1251")) == (text, "cp1251")


def test_koi8_r_russian_decodes() -> None:
    assert decode_bytes(RUSSIAN.encode("koi8-r")) == (RUSSIAN, "koi8-r")


def test_windows_1252_french_decodes() -> None:
    text = "Les habitants signalent un déploiement de blindés près de la frontière, à l'été."
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


def test_a_declared_charset_is_tried_first() -> None:
    text = "Ваше повідомлення отримано"
    assert decode_bytes(text.encode("koi8-u"), declared="koi8-u") == (text, "koi8-u")


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n", "  \n ".encode("utf-16")])
def test_empty_or_blank_input_is_empty(data: bytes) -> None:
    err = _error(data)
    assert err.code is Code.EMPTY
    assert "empty" in err.message


@pytest.mark.parametrize(("data", "what"), [
    (PNG_HEADER + b"\x00" * 64, "PNG"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG"),
    (b"GIF89a\x10\x00\x10\x00", "GIF"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (_zip_bytes(), "ZIP"),
    (gzip.compress(b"some text", mtime=0), "gzip"),
    (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 32, "ELF"),
], ids=["PNG", "JPEG", "GIF", "PDF", "ZIP", "gzip", "ELF"])
def test_magic_numbers_are_binary(data: bytes, what: str) -> None:
    err = _error(data)
    assert err.code is Code.BINARY
    assert what in err.message


def test_nul_and_control_bytes_are_binary() -> None:
    assert _error(b"report\x00\x01\x02\x03 text" * 20).code is Code.BINARY
    assert _error(bytes(range(1, 32)) * 10).code is Code.BINARY


def test_invalid_utf8_that_is_no_other_encoding_is_undecodable() -> None:
    err = _error(b"Report: \xc3\x28 troops \xa0\xa1 moved north \x80\x81\x82 near the border")
    assert err.code is Code.UNDECODABLE
    assert "not valid UTF-8" in err.message
    assert "UTF-8" in err.hint


def test_damaged_utf8_is_undecodable_not_mojibake() -> None:
    data = RUSSIAN.encode("utf-8")
    err = _error(data[:40] + b"\xff" + data[40:])
    assert err.code is Code.UNDECODABLE
    assert "damaged UTF-8" in err.message
    assert "byte 40" in err.message


@pytest.mark.parametrize("mojibake", ["cafÃ© au lait", "РџСЂРёРІРµС‚ РјРёСЂ", "dйploiement prиs"])
def test_plausibility_rejects_mojibake(mojibake: str) -> None:
    assert plausibility(mojibake) < encoding.PLAUSIBLE


@pytest.mark.parametrize("text", [RUSSIAN, UKRAINIAN, "Zürich — «Grüße» № 5", "plain ascii"])
def test_plausibility_accepts_real_text(text: str) -> None:
    assert plausibility(text) == 1.0


def test_sniff_encoding_ignores_a_character_cut_at_the_end_of_the_head() -> None:
    head = RUSSIAN.encode("utf-8")[:51]  # cuts a two-byte letter in half
    assert sniff_encoding(head) == "utf-8"


@pytest.mark.parametrize(("data", "expected"), [
    (codecs.BOM_UTF16_LE + RUSSIAN.encode("utf-16-le"), "utf-16"),
    (codecs.BOM_UTF8 + b"a,b\n", "utf-8-sig"),
    (RUSSIAN.encode("utf-16-be"), "utf-16-be"),
    (RUSSIAN.encode("cp1251"), "cp1251"),
])
def test_sniff_encoding_names_a_stream_codec(data: bytes, expected: str) -> None:
    assert sniff_encoding(data) == expected
