"""Bytes to text, refusing to guess silently.

Order of decisions in :func:`decode_bytes`:

1. empty or whitespace-only input -> ``EMPTY``;
2. a byte-order mark (UTF-8, UTF-32 LE/BE, UTF-16 LE/BE) decides the codec;
3. magic numbers (PNG, JPEG, PDF, ZIP/docx, gzip, ELF …) -> ``BINARY``;
4. UTF-16 without a BOM is recognised by its byte pattern (one byte of each pair is nearly
   constant: ``00`` for Latin text, ``04`` or ``00`` for Cyrillic); otherwise NUL bytes or many
   control bytes -> ``BINARY``;
5. strict UTF-8 (the fast path: most input stops here, charset-normalizer is never called);
6. input that is *mostly* valid UTF-8 with a few broken sequences -> ``UNDECODABLE``
   (it is damaged UTF-8, and decoding it as anything else would be silent mojibake);
7. otherwise a legacy single-byte encoding: candidates from a declared charset (HTML
   ``<meta charset>``), a short preference list (Windows-1251 first) and charset-normalizer
   are each decoded and scored by :func:`plausibility`; the best plausible one wins, and if
   none is plausible the input is ``UNDECODABLE``. There is no lossy decoding anywhere.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter

import charset_normalizer

from forewarn.errors import Code, ItemError

SAMPLE = 8192
PLAUSIBLE = 0.9  # share of non-ASCII characters that must sit in sane words
SCATTER_MIN, SCATTER_RATIO = 16, 0.6  # accented Latin letters: judged from 16 on, at most 60 % distinct
_PREFERRED = ("cp1251", "cp1252", "koi8-r", "koi8-u", "cp1250", "iso8859-15")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or docx/xlsx/odt/epub)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "an ELF executable"),
    *((b"BZh%d1AY&SY" % level, "a bzip2 archive") for level in range(1, 10)),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a legacy Office document (doc/xls/ppt)"),
    (b"SQLite format 3\x00", "a SQLite database"),
    (b"OggS\x00", "an Ogg media file"),
    *((b"ID3" + bytes([version]), "an MP3 audio file") for version in (2, 3, 4)),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00asm", "a WebAssembly module"),
    (b"\xca\xfe\xba\xbe", "a Java class / Mach-O binary"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
)
# codecs that consume the BOM themselves when a file is read as a text stream
_STREAM_BOM_CODECS = {"utf-16-le": "utf-16", "utf-16-be": "utf-16",
                      "utf-32-le": "utf-32", "utf-32-be": "utf-32"}
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1b")
_TEXT_CONTROL_CHARS = frozenset("\t\n\r\x0b\x0c\x1b")


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data`` to text; return ``(text, encoding name)``.

    ``declared`` is an encoding the container names (an HTML ``<meta charset>``); it is tried
    first among the legacy encodings but still has to be plausible. Raises :class:`ItemError`
    with ``EMPTY``, ``BINARY`` or ``UNDECODABLE``.
    """
    if not data.strip():
        raise _empty()
    encoding = _bom_encoding(data)
    if encoding is None:
        _refuse_magic(data)
        encoding = _sniff_utf16(data[:SAMPLE])
    if encoding is not None:
        return _decode_unicode(data, encoding), encoding
    _refuse_controls(data[:SAMPLE])
    try:
        return _not_blank(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as err:
        return _decode_legacy(data, declared, err)


def sniff_encoding(head: bytes, declared: str | None = None) -> str:
    """Pick the encoding of a stream from its first bytes (for files read line by line).

    Same decisions as :func:`decode_bytes`, except that bytes no encoding explains give UTF-8
    rather than ``UNDECODABLE``: the lines are decoded one by one, and each line with invalid
    bytes becomes its own issue while the others are read. A multi-byte character cut at the end
    of ``head`` does not count against UTF-8. Raises :class:`ItemError` (EMPTY, BINARY).
    """
    if not head.strip():
        raise _empty()
    bom = _bom_encoding(head)
    if bom is not None:
        return _STREAM_BOM_CODECS.get(bom, bom)
    _refuse_magic(head)
    encoding = _sniff_utf16(head[:SAMPLE])
    if encoding is not None:
        return encoding
    _refuse_controls(head[:SAMPLE])
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        best = None if _mostly_utf8(head) else _best_candidate(head, declared)
    return "utf-8" if best is None else best[0]


def _empty() -> ItemError:
    return ItemError(Code.EMPTY, "the file is empty or contains only whitespace",
                     hint="nothing to ingest; remove the file or fill it")


def _not_blank(text: str) -> str:
    if not text.strip():
        raise _empty()
    return text


def _bom_encoding(data: bytes) -> str | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def _decode_unicode(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        raise ItemError(Code.UNDECODABLE, f"invalid {encoding} at byte {err.start}: {err.reason}",
                        hint="re-save the file as UTF-8") from err
    return _not_blank(text.removeprefix("\ufeff"))


def _sniff_utf16(sample: bytes) -> str | None:
    """UTF-16 without a BOM: in one byte of every pair a value or two (00, 04 …) dominate."""
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    for name, high, low in (("utf-16-le", sample[1::2], sample[0::2]),
                            ("utf-16-be", sample[0::2], sample[1::2])):
        if _narrow(high) and not _narrow(low) and _plausible_utf16(sample, name):
            return name
    return None


def _narrow(stream: bytes) -> bool:
    top = Counter(stream).most_common(2)
    return sum(count for _, count in top) >= 0.9 * len(stream)


def _plausible_utf16(sample: bytes, name: str) -> bool:
    text = sample.decode(name, errors="replace").rstrip("\ufffd")  # a pair cut at the sample's end
    if "\ufffd" in text or any(unicodedata.category(c) in ("Cc", "Cs", "Co", "Cn")
                               and c not in _TEXT_CONTROL_CHARS for c in text):
        return False
    return sum(c.isalpha() or c.isspace() for c in text) >= 0.6 * len(text)


def _refuse_magic(data: bytes) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ItemError(Code.BINARY, f"not text: this is {what}",
                            hint="convert it to text first, or exclude it with --exclude")


def _refuse_controls(sample: bytes) -> None:
    controls = sum(1 for b in sample if b < 32 and b not in _TEXT_CONTROLS)
    if b"\x00" in sample or controls > 0.05 * len(sample):
        raise ItemError(Code.BINARY, "the file contains NUL or control bytes: it is binary, not text",
                        hint="convert it to text first, or exclude it with --exclude")


def _decode_legacy(data: bytes, declared: str | None, err: UnicodeDecodeError) -> tuple[str, str]:
    if _mostly_utf8(data):
        raise ItemError(Code.UNDECODABLE,
                        f"damaged UTF-8: invalid byte sequence at byte {err.start} ({err.reason})",
                        hint="the file is UTF-8 with broken bytes; repair or re-export it as UTF-8")
    best = _best_candidate(data, declared)
    if best is None:
        raise ItemError(Code.UNDECODABLE,
                        f"not valid UTF-8 (invalid byte at {err.start}) and no known encoding decodes "
                        "it to plausible text",
                        hint="re-save the file as UTF-8 (e.g. iconv -f <encoding> -t utf-8)")
    return _not_blank(best[1]), best[0]


def _mostly_utf8(data: bytes) -> bool:
    text = data[: SAMPLE * 8].decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 127) - bad
    return good >= 3 and bad <= 0.25 * (good + bad)


def _best_candidate(data: bytes, declared: str | None) -> tuple[str, str] | None:
    best: tuple[float, str, str] | None = None
    for name in _candidates(data, declared):
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        score = plausibility(text)
        if score >= PLAUSIBLE and (best is None or score > best[0]):
            best = (score, name, text)
    return None if best is None else (best[1], best[2])


def _candidates(data: bytes, declared: str | None) -> list[str]:
    names = [declared] if declared else []
    names += list(_PREFERRED)
    names += [match.encoding for match in charset_normalizer.from_bytes(data[: SAMPLE * 8])][:3]
    seen: set[str] = set()
    unique = []
    for name in names:
        key = _codec_key(name)
        if key and key not in seen:
            seen.add(key)
            unique.append(name)
    return unique


def _codec_key(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def plausibility(text: str) -> float:
    """Share (0..1) of non-ASCII characters that look like real text.

    A non-ASCII letter counts when its run of letters is of one script and cased as ``lower``,
    ``Title`` or ``UPPER``; other non-ASCII characters count when they are prose marks («», —, №,
    € …). Control characters make the text implausible outright. Mojibake (``Ã©``,
    ``РџСЂРёРІРµС‚``, ``dйploiement``) fails.
    """
    if any(unicodedata.category(c) == "Cc" and c not in _TEXT_CONTROL_CHARS for c in text):
        return 0.0
    if _scattered_latin(text):
        return 0.0
    total = good = 0
    for run in _LETTER_RUNS.findall(text):
        n = sum(1 for c in run if ord(c) > 127)
        if n:
            total += n
            good += n if _sane_run(run) else 0
    marks = [c for c in text if ord(c) > 127 and not c.isalpha()]
    total += len(marks)
    good += sum(1 for c in marks if c in _PROSE_MARKS)
    return 1.0 if total == 0 else good / total


_LETTER_RUNS = re.compile(r"[^\W\d_]+")
_PROSE_MARKS = frozenset("«»—–…№€£“”„‘’•°§©®™·\u00a0\u00ad")


def _scattered_latin(text: str) -> bool:
    """Random bytes read as a Latin code page give many different accented letters, each seen
    once or twice; a language uses a handful of them over and over."""
    accented = [c for c in text if ord(c) > 127 and c.isalpha() and _script(c) == "LATIN"]
    return len(accented) >= SCATTER_MIN and len(set(accented)) > SCATTER_RATIO * len(accented)


def _sane_run(letters: str) -> bool:
    if len({_script(c) for c in letters}) > 1:
        return False
    return letters.islower() or letters.isupper() or (letters[0].isupper() and letters[1:].islower())


def _script(char: str) -> str:
    if ord(char) < 128:
        return "LATIN"
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]
