"""MISP events: a MISP event JSON file or a MISP feed folder, read as documents and observations (docs/misp.md).

A file holds ``{"Event": {...}}``, a bare event, ``{"response": [{"Event": ...}, ...]}`` (REST search output, what
forewarn's MISP export writes) or a list of events. A folder with a ``manifest.json`` is a MISP feed: each event
the manifest names is read from ``<uuid>.json`` beside it, in uuid order; another folder is read file by file
(``*.json``). The whole file is read at once, so its size cap is 20 × ``max_bytes``.

Each event is one document: text = its ``info`` then its ``text`` and ``comment`` attributes (top level, in order);
title = ``info``; url = the first ``link`` or ``url`` attribute; published = ``date`` (else ``timestamp``);
item = the event's uuid; meta ``misp.uuid``, ``misp.orgc`` (and ``misp.orgc_uuid``), ``misp.tags`` (the tag
names, a JSON list), ``misp.extends`` (``extends_uuid``) and ``marking``: the strictest ``tlp`` tag as
``TLP:AMBER`` … (ingest applies it). Each object with ``latitude`` and ``longitude`` attributes (``geolocation``,
an AIS or drone observation …) is a further document, a structured observation (docs/observations.md) at that
point: type and mode from ``forewarn:plover-type``/``forewarn:plover-mode`` tags (on the object's attributes, an
``annotation`` object linked to it, or the event) or an annotation's comment ``plover: TYPE/mode``; actor,
recipient and confidence from that comment (as forewarn's export writes it); place from the object's ``text``,
``city``, ``address`` or ``region``; date from its ``first-seen``, else the event's; text from the linked
annotation's ``text``, else the event's info. Its item is ``<event uuid>/<object uuid>``.

A malformed event (not an object, no uuid, no text, attributes that are not a list, a bad coordinate or type) is
one coded issue naming it; the other events are read. Reading the same file again yields the same items.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forewarn.errors import Code, Issue, ItemError
from forewarn.model.document import RawDocument
from forewarn.model.source import Marking
from forewarn.sources import observed
from forewarn.sources.base import ReadContext, ReadItem
from forewarn.sources.dates import resolve_date
from forewarn.sources.encoding import decode_bytes
from forewarn.sources.files import FileReader, load, sha256_hex
from forewarn.sources.html import headed
from forewarn.sources.jsonload import loads

SIZE_FACTOR = 20
MISP_SUFFIXES = frozenset({".json"})
MANIFEST = "manifest.json"
TLP: Mapping[str, Marking] = {"tlp:clear": Marking.CLEAR, "tlp:white": Marking.CLEAR, "tlp:green": Marking.GREEN,
                              "tlp:amber": Marking.AMBER, "tlp:amber+strict": Marking.AMBER_STRICT,
                              "tlp:red": Marking.RED}
_RANK = {m: i for i, m in enumerate(Marking)}
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TAG = re.compile(r'^forewarn:(plover-type|plover-mode)="([^"]*)"$')
_PARTY = re.compile(r"^(?P<name>.*?)(?: \((?P<extra>[^()]*)\))?$")
_HINT = "export the event from MISP again (JSON), or fix it; the other events were read"
_FILE_HINT = ("give a MISP event JSON file ({\"Event\": …}, {\"response\": […]} or a list of events) or a MISP feed "
              "folder (manifest.json and <uuid>.json files)")
_TEXT_TYPES = ("text", "comment")
_LINK_TYPES = ("link", "url")


class _Bad(Exception):
    """A malformed event: the issue's code and message."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class _Base:
    """What every document of one event shares."""

    location: str
    info: str
    url: str | None
    date: str | int | None
    meta: tuple[tuple[str, str], ...]


class MispReader(FileReader):
    name = "misp"
    suffixes = MISP_SUFFIXES

    def read(self, location: str, ctx: ReadContext) -> Iterator[ReadItem]:
        folder = Path(location)
        if folder.is_dir() and (folder / MANIFEST).is_file():
            yield from self._feed(folder, ctx)
        else:
            yield from super().read(location, ctx)

    def read_file(self, path: Path, ctx: ReadContext) -> Iterator[ReadItem]:
        found = _load_json(path, ctx)
        if isinstance(found, Issue):
            yield found
            return
        events = _events(found)
        if events is None:
            yield Issue(Code.JSON_INVALID, "not MISP event JSON: no \"Event\", \"response\" or list of events",
                        str(path), hint=_FILE_HINT)
            return
        for index, raw in enumerate(events, start=1):
            yield from event_items(raw, index, str(path), ctx)

    def _feed(self, folder: Path, ctx: ReadContext) -> Iterator[ReadItem]:
        manifest = _load_json(folder / MANIFEST, ctx)
        if isinstance(manifest, Issue):
            yield manifest
            return
        if not isinstance(manifest, dict):
            yield Issue(Code.JSON_INVALID, "a MISP feed manifest is an object of event uuids", str(folder / MANIFEST),
                        hint=_FILE_HINT)
            return
        for key in sorted(manifest):
            if not _UUID.match(key):
                yield Issue(Code.JSON_INVALID, f"the manifest names {key[:60]!r}, not an event uuid",
                            str(folder / MANIFEST), key[:60], hint="fix or drop that entry; the others were read")
                continue
            yield from self.read_file(folder / f"{key}.json", ctx)


def _load_json(path: Path, ctx: ReadContext) -> Any:
    """The JSON value of a file, or the issue why it cannot be read."""
    data = load(path, SIZE_FACTOR * ctx.max_bytes)
    if isinstance(data, Issue):
        return data
    try:
        return loads(decode_bytes(data)[0])
    except ItemError as err:
        return err.issue(str(path))
    except json.JSONDecodeError as err:
        return Issue(Code.JSON_INVALID, f"not valid JSON: {err.msg} at line {err.lineno} column {err.colno}",
                     str(path), hint=_FILE_HINT)


def _events(value: Any) -> list[Any] | None:
    """The events a MISP JSON value holds, each as given (checked one by one later); None: not MISP JSON."""
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("response"), list):
        return list(value["response"])
    return [value] if "Event" in value or "info" in value else None


def event_items(raw: Any, index: int, location: str, ctx: ReadContext) -> Iterator[ReadItem]:
    """The documents of one MISP event (the event, then its observations), or the issue that refuses it."""
    event = raw.get("Event", raw) if isinstance(raw, dict) else raw
    name = _name(event, index)
    try:
        base, document = _event_document(event, location, name, ctx)
    except _Bad as bad:
        yield Issue(bad.code, f"MISP event {name}: {bad}", location, name, hint=_HINT)
        return
    yield from document
    for obj in _objects(event):
        if _point(obj):
            yield _observation(event, obj, base, name, ctx)


def _name(event: Any, index: int) -> str:
    own = event.get("uuid") if isinstance(event, dict) else None
    return own if isinstance(own, str) and _UUID.match(own) else f"event #{index}"


def _event_document(event: Any, location: str, name: str, ctx: ReadContext) -> tuple[_Base, list[ReadItem]]:
    """The event's document (and a date issue, if any), and what its observations share."""
    if not isinstance(event, dict):
        raise _Bad(Code.JSON_INVALID, f"a JSON {type(event).__name__}, not an event object")
    if name.startswith("event #"):
        raise _Bad(Code.JSON_INVALID, "no uuid (every MISP event has one)")
    attributes = _list(event, "Attribute")
    info = _str(event.get("info"))
    body = "\n\n".join(v for a in attributes if a.get("type") in _TEXT_TYPES and (v := _str(a.get("value"))))
    text = headed(info, body) if body else info
    if not text:
        raise _Bad(Code.NO_TEXT, "no info and no text or comment attribute")
    url = next((v for a in attributes if a.get("type") in _LINK_TYPES and (v := _str(a.get("value")))), None)
    base = _Base(location, info, url, _date_of(event), _event_meta(event, name))
    date = resolve_date(base.date, ctx.now, location, name)
    doc = RawDocument(text=text, location=location, reader="misp", raw_sha256=_sha(event), item=name,
                      title=info or None, url=url, published_at=date.published_at, published_precision=date.precision,
                      meta=base.meta + date.meta)
    found: list[ReadItem] = [doc] if date.issue is None else [doc, date.issue]
    return base, found


def _list(holder: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A list of objects under ``key`` (absent: empty); anything else makes the event malformed."""
    value = holder.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise _Bad(Code.JSON_INVALID, f"{key} is not a list of objects")
    return value


def _objects(event: dict[str, Any]) -> list[dict[str, Any]]:
    value = event.get("Object", [])
    return [o for o in value if isinstance(o, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value) if isinstance(value, int | float) else ""


def _date_of(event: dict[str, Any]) -> str | int | None:
    day = _str(event.get("date"))
    if day:
        return day
    stamp = _str(event.get("timestamp"))
    return int(stamp) if stamp.isdigit() else stamp or None


def _sha(value: Any) -> str:
    return sha256_hex(json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _tag_names(holder: dict[str, Any]) -> list[str]:
    tags = holder.get("Tag", [])
    if not isinstance(tags, list):
        return []
    names = (t.get("name") if isinstance(t, dict) else t for t in tags)
    return [n.strip() for n in names if isinstance(n, str) and n.strip()]


def strictest_tlp(tags: Sequence[str]) -> Marking | None:
    """The strictest TLP marking among MISP tags (``tlp:white`` is CLEAR), or None without one."""
    found = [TLP[t.lower()] for t in tags if t.lower() in TLP]
    return max(found, key=_RANK.__getitem__) if found else None


def _event_meta(event: dict[str, Any], name: str) -> tuple[tuple[str, str], ...]:
    meta: list[tuple[str, str]] = [("misp.uuid", name)]
    orgc = event.get("Orgc")
    if isinstance(orgc, dict) and _str(orgc.get("name")):
        meta.append(("misp.orgc", _str(orgc.get("name"))))
        if _str(orgc.get("uuid")):
            meta.append(("misp.orgc_uuid", _str(orgc.get("uuid"))))
    extends = _str(event.get("extends_uuid"))
    if extends:
        meta.append(("misp.extends", extends))
    tags = _tag_names(event)
    meta.append(("misp.tags", json.dumps(tags, ensure_ascii=False)))
    marking = strictest_tlp(tags)
    return tuple(meta + ([("marking", marking.value)] if marking else []))


# --- observations -------------------------------------------------------------------------------------------------


def _values(obj: dict[str, Any]) -> dict[str, str]:
    """An object's attribute values by relation (the first of each)."""
    found: dict[str, str] = {}
    for attr in obj.get("Attribute", []) if isinstance(obj.get("Attribute"), list) else []:
        if isinstance(attr, dict) and isinstance(attr.get("object_relation"), str):
            found.setdefault(attr["object_relation"], _str(attr.get("value")))
    return found


def _point(obj: dict[str, Any]) -> bool:
    values = _values(obj)
    return "latitude" in values and "longitude" in values


def _annotations(event: dict[str, Any], obj: dict[str, Any]) -> list[dict[str, Any]]:
    """The annotation objects linked to ``obj`` (by a reference either way)."""
    own = obj.get("uuid")
    mine = {r.get("referenced_uuid") for r in _refs(obj)}
    return [o for o in _objects(event) if o.get("name") == "annotation"
            and (o.get("uuid") in mine or any(r.get("referenced_uuid") == own for r in _refs(o)))]


def _refs(obj: dict[str, Any]) -> list[dict[str, Any]]:
    refs = obj.get("ObjectReference", [])
    return [r for r in refs if isinstance(r, dict)] if isinstance(refs, list) else []


def _attribute_tags(obj: dict[str, Any]) -> list[str]:
    attrs = obj.get("Attribute", [])
    return [t for a in attrs if isinstance(a, dict) for t in _tag_names(a)] if isinstance(attrs, list) else []


def _coding(tags: Sequence[str], comments: Sequence[str]) -> dict[str, str]:
    """The PLOVER fields the tags and forewarn coding comments give (tags first)."""
    found: dict[str, str] = {}
    for tag in tags:
        match = _TAG.match(tag)
        if match:
            found.setdefault("type" if match[1] == "plover-type" else "mode", match[2])
    for comment in comments:
        for key, value in _pairs(comment).items():
            if key == "plover":
                kind, _, mode = value.partition("/")
                found.setdefault("type", kind)
                if mode:
                    found.setdefault("mode", mode)
            elif key in ("actor", "recipient"):
                found |= {k: v for k, v in _party(key, value).items() if k not in found}
            elif key == "confidence":
                found.setdefault("confidence", value)
    return found


def _pairs(comment: str) -> dict[str, str]:
    pairs = (part.partition(": ") for part in comment.split("; "))
    return {key.strip(): value.strip() for key, sep, value in pairs if sep}


def _party(role: str, value: str) -> dict[str, str]:
    """``Russian military (RUS, military)`` → actor, actor_country, actor_sector."""
    match = _PARTY.match(value)
    name, extra = (match["name"], match["extra"]) if match else (value, None)
    found = {role: name.strip()}
    for part in (p.strip() for p in (extra or "").split(",") if p.strip()):
        key = f"{role}_country" if re.fullmatch(r"[A-Z]{3}", part) else f"{role}_sector"
        found.setdefault(key, part)
    return found


def _observation(event: dict[str, Any], obj: dict[str, Any], base: _Base, name: str,
                 ctx: ReadContext) -> ReadItem:
    values, notes = _values(obj), _annotations(event, obj)
    own = _str(obj.get("uuid")) or _sha(obj)[:32]
    item = f"{name}/{own}"
    tags = _attribute_tags(obj) + [t for n in notes for t in _attribute_tags(n)] + _tag_names(event)
    coding = _coding(tags, [_str(n.get("comment")) for n in notes])
    place = next((values[k] for k in ("text", "city", "address", "region") if values.get(k)), None)
    fields = {"lat": values["latitude"], "lon": values["longitude"], "place": place, **coding}
    columns = {f: _column(f, obj) for f, v in fields.items() if v}
    found = observed.observation(fields, columns, {}, base.location, item)
    if isinstance(found, Issue):
        return found
    date = resolve_date(values.get("first-seen") or base.date, ctx.now, base.location, item)
    if date.published_at is None:
        return Issue(Code.OBSERVATION_UNDATED, "a geolocation needs its day: the object has no first-seen and the "
                     "event no date", base.location, item, hint="give the event a date, or the object a first-seen")
    evidence = next((v for n in notes if (v := _values(n).get("text"))), None) or base.info
    return RawDocument(text=evidence, location=base.location, reader="misp", raw_sha256=_sha(obj), item=item,
                       title=base.info or None, url=base.url, published_at=date.published_at,
                       published_precision=date.precision,
                       meta=(*base.meta, ("misp.object", own), *found.meta()))


def _column(field: str, obj: dict[str, Any]) -> str:
    """Where a field came from, for the observation's provenance."""
    kind = _str(obj.get("name")) or "object"
    own = {"lat": "latitude", "lon": "longitude", "place": "text"}
    return f"{kind}.{own[field]}" if field in own else f"annotation/tags.{field}"
