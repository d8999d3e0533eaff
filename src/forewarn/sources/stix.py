"""STIX 2.1 bundles as documents and structured observations (docs/import.md).

A bundle file (``{"type": "bundle", "objects": [...]}``), a TAXII envelope (``{"objects": [...]}``), a
JSON list of objects, a single object, or a folder of such files. :func:`bundle_items` maps the objects,
and the TAXII reader (:mod:`forewarn.sources.taxii`) uses it for the objects it polls:

- a ``report`` is a document (text = description, else name; title = name; published; the first external
  reference's URL), with its author, labels, confidence, Admiralty reliability and TLP marking in meta;
- a ``note`` with content, an ``opinion`` with an explanation: a document citing what it is about;
- a ``sighting`` at a ``location`` with coordinates, and a located ``location`` a report refers to (and no
  sighting uses): a structured observation (:class:`~forewarn.model.document.Observation` in meta);
- identities, threat actors, intrusion sets, locations, marking and extension definitions are read for
  what the documents cite; every other type is skipped, silently (:func:`skipped`).

Objects are checked lightly, without the ``stix2`` library: an object that is not a JSON object, has no
type or id, an id not ``<type>--<UUID>``, or a ``created``/``modified`` that is not a STIX timestamp is one
issue and is dropped; bad coordinates refuse the observation they belong to. Of several versions of one
id, the latest ``modified`` is read; a revoked object is skipped. Items are the same every time a bundle
is read (nothing depends on the clock but the future-date check), so re-importing adds nothing.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from forewarn.errors import Code, Issue, ItemError
from forewarn.model.document import DatePrecision, RawDocument, format_dated
from forewarn.model.extraction import PlacePrecision
from forewarn.model.source import Marking
from forewarn.sources import observed
from forewarn.sources.base import ReadContext, ReadItem
from forewarn.sources.dates import DateOutcome, resolve_date
from forewarn.sources.files import FileReader, load, sha256_hex
from forewarn.sources.jsonload import loads

READER = "stix"
STIX_SUFFIXES = frozenset({".json", ".stix"})
# TLP 1.0 (STIX 2.x common marking definitions) and TLP 2.0 (OASIS) marking-definition ids
TLP_IDS: Mapping[str, Marking] = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Marking.CLEAR,  # TLP:WHITE
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Marking.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Marking.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Marking.RED,
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": Marking.CLEAR,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": Marking.GREEN,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": Marking.AMBER,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": Marking.AMBER_STRICT,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": Marking.RED,
}
STRICTNESS = (Marking.CLEAR, Marking.GREEN, Marking.AMBER, Marking.AMBER_STRICT, Marking.RED)
MAPPED = frozenset({"report", "note", "opinion", "sighting"})
USED = frozenset({"identity", "threat-actor", "intrusion-set", "location", "marking-definition",
                  "extension-definition"})
ACTORS = frozenset({"identity", "threat-actor", "intrusion-set"})
ANALYSIS_KEYS = frozenset({"assessment_id", "ledger_seq"})  # forewarn's analysis notes: not documents
# extension (or x_) properties read, each under any of these names
RELIABILITY_KEYS = ("admiralty_reliability", "reliability", "x_opencti_reliability")
PLOVER_KEYS = {"type": ("plover_type", "event_type"), "mode": ("plover_mode", "mode"),
               "precision": ("place_precision", "precision"), "sector": ("sector",),
               "country": ("country", "actor_country"), "recipient": ("recipient_ref",),
               "date_precision": ("date_precision", "time_precision", "published_precision")}
# a location's own precision (metres) → forewarn's: up to each bound, else country
PRECISION_METRES = ((1_000.0, PlacePrecision.POINT), (25_000.0, PlacePrecision.TOWN),
                    (250_000.0, PlacePrecision.REGION))
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")
_GRADE = re.compile(r"([A-F])(?![A-Za-z])")
# where each observation field is read (its provenance, kept as observed.columns)
COLUMNS: Mapping[str, str] = {
    "lat": "location.latitude", "lon": "location.longitude", "place": "location.name",
    "precision": "location.precision", "type": "sighting.x_plover.event_type", "mode": "sighting.x_plover.mode",
    "actor": "sighting_of_ref.name", "actor_sector": "sighting_of_ref.sector",
    "actor_country": "sighting_of_ref.country", "recipient": "x_plover.recipient_ref.name",
    "recipient_sector": "x_plover.recipient_ref.sector", "recipient_country": "x_plover.recipient_ref.country",
    "confidence": "sighting.confidence/100"}
_OBJECT_HINT = "fix or drop the object (STIX 2.1, section 3); the other objects were read"
_MISSING = object()


class StixReader(FileReader):
    """STIX 2.1 bundle files (``.json``, ``.stix``), or every such file under a folder."""

    name = READER
    suffixes = STIX_SUFFIXES

    def read_file(self, path: Path, ctx: ReadContext) -> Iterator[ReadItem]:
        data = load(path, ctx.max_bytes)
        if isinstance(data, Issue):
            yield data
            return
        objects = envelope_objects(data, str(path))
        if isinstance(objects, Issue):
            yield objects
            return
        yield from bundle_items(objects, str(path), ctx)


def looks_like_bundle(head: bytes) -> bool:
    """Whether a JSON file's first bytes look like a STIX bundle (for reading folders by extension)."""
    text = head.decode("utf-8", errors="replace")
    return re.search(r'"type"\s*:\s*"bundle"', text) is not None and "bundle--" in text


def envelope_objects(data: bytes, location: str) -> list[Any] | Issue:
    """The objects of a bundle, a TAXII envelope, a list of objects or one object; an Issue otherwise."""
    if not data.strip():
        return Issue(Code.EMPTY, "the file is empty", location, hint="nothing to import; remove the file or fill it")
    try:
        value = loads(data.decode("utf-8-sig"))
    except ItemError as err:
        return err.issue(location)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return _not_stix(f"not JSON ({err})", location)
    objects = objects_of(value)
    return objects if objects is not None else _not_stix("no STIX objects (not a bundle, envelope or list)", location)


def objects_of(value: Any) -> list[Any] | None:
    """The objects a parsed JSON value holds, or None when it is not STIX."""
    if isinstance(value, list):
        return value
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("objects"), list):
        return list(value["objects"])
    if value.get("type") == "bundle" or ("objects" not in value and value.keys() >= {"type", "id"}):
        return [value] if value.get("type") != "bundle" else []
    return None


def _not_stix(why: str, location: str) -> Issue:
    return Issue(Code.JSON_INVALID, f"not a STIX 2.1 bundle: {why}", location,
                 hint="give a STIX 2.1 bundle ({\"type\": \"bundle\", \"objects\": [...]}) or read the file with "
                 "another --kind")


def skipped(objects: Iterable[Any]) -> Counter[str]:
    """How many objects of each type a bundle's mapping does not use (``revoked`` for revoked ones)."""
    found: Counter[str] = Counter()
    for obj in objects:
        if isinstance(obj, dict) and obj.get("revoked") is True:
            found["revoked"] += 1
        elif isinstance(obj, dict) and str(obj.get("type")) not in MAPPED | USED:
            found[str(obj.get("type"))] += 1
    return found


def bundle_items(objects: Sequence[Any], location: str, ctx: ReadContext, reader: str = READER) -> Iterator[ReadItem]:
    """The documents (and issues) of a bundle's objects, read from ``location``."""
    index, issues = index_objects(objects, location)
    yield from issues
    mapper = _Mapper(index, location, ctx, reader)
    for obj in index.values():
        if obj.get("revoked") is not True:
            yield from mapper.items(obj)


def index_objects(objects: Iterable[Any], location: str) -> tuple[dict[str, dict[str, Any]], list[Issue]]:
    """The well-formed objects by id (the latest version of each, in the order ids first appear), and an
    issue for each malformed one."""
    index: dict[str, dict[str, Any]] = {}
    issues = []
    for number, obj in enumerate(objects, start=1):
        problem = malformed(obj, number, location)
        if problem is not None:
            issues.append(problem)
        elif obj["id"] not in index or _version(obj) >= _version(index[obj["id"]]):
            index[obj["id"]] = obj
    return index, issues


def malformed(obj: Any, number: int, location: str) -> Issue | None:
    """Why an object cannot be read (None when it can)."""
    where = f"object {number}"
    if not isinstance(obj, dict):
        return _bad(f"a JSON {type(obj).__name__}, not an object", location, where)
    kind, ident = obj.get("type"), obj.get("id")
    if not isinstance(kind, str) or not kind or not isinstance(ident, str) or not ident:
        return _bad("no type or no id", location, where)
    prefix, _, uuid = ident.partition("--")
    if prefix != kind or not _UUID.fullmatch(uuid):
        return _bad(f"the id {ident[:80]!r} is not {kind}--<UUID>", location, where)
    for name in ("created", "modified"):
        if name in obj and stix_time(obj[name]) is None:
            return Issue(Code.DATE_UNPARSEABLE, f"{name} {str(obj[name])[:40]!r} is not a STIX timestamp "
                         "(e.g. 2024-08-06T10:15:00.000Z): the object was not read", location, ident, hint=_OBJECT_HINT)
    return None


def _bad(why: str, location: str, where: str) -> Issue:
    return Issue(Code.JSON_INVALID, f"a malformed STIX object: {why}", location, where, hint=_OBJECT_HINT)


def stix_time(value: Any) -> datetime | None:
    """A STIX timestamp (RFC 3339 in UTC, ending in Z) as an aware datetime; None when it is not one."""
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        return None
    whole, _, fraction = value[:-1].partition(".")
    try:
        parsed = datetime.fromisoformat(whole)
    except ValueError:
        return None
    return parsed.replace(microsecond=int((fraction + "000000")[:6]), tzinfo=UTC)


def _version(obj: Mapping[str, Any]) -> datetime:
    return stix_time(obj.get("modified")) or datetime.min.replace(tzinfo=UTC)


def canonical_sha(obj: Mapping[str, Any]) -> str:
    """SHA-256 of an object's canonical JSON (keys sorted, no spaces, UTF-8)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return sha256_hex(text.encode("utf-8"))


def extension_values(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The properties an object carries in its property extensions and as top-level custom ``x_`` ones."""
    found = {k: v for k, v in obj.items() if k.startswith("x_")}
    extensions = obj.get("extensions")
    for ext in extensions.values() if isinstance(extensions, dict) else ():
        if isinstance(ext, dict):
            found |= {k: v for k, v in ext.items() if k != "extension_type"}
    return found


def _first(values: Mapping[str, Any], names: Iterable[str]) -> Any:
    return next((values[n] for n in names if values.get(n) not in (None, "", [])), None)


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def tlp(value: Any) -> Marking | None:
    """A TLP 1.0 or 2.0 name (``amber``, ``TLP:WHITE``, ``TLP:AMBER+STRICT``) as a marking, else None."""
    text = _text(value)
    if text is None:
        return None
    name = text.upper().removeprefix("TLP:").strip()
    try:
        return Marking("TLP:" + ("CLEAR" if name == "WHITE" else name))
    except ValueError:
        return None


def definition_marking(obj: Mapping[str, Any]) -> Marking | str | None:
    """What a marking-definition says: a TLP marking, a statement's text, or None (another kind)."""
    kind = str(obj.get("definition_type") or "").lower()
    given = obj.get("definition")
    definition: Mapping[str, Any] = given if isinstance(given, dict) else {}
    if kind == "statement":
        return _text(definition.get("statement"))
    candidates = [definition.get("tlp"), definition.get("TLP"), extension_values(obj).get("tlp_2_0")]
    if kind in ("tlp", "") or str(obj.get("name", "")).upper().startswith("TLP:"):
        candidates.append(obj.get("name"))
    return next((m for m in map(tlp, candidates) if m is not None), None)


def admiralty(value: Any) -> str | None:
    """An Admiralty reliability grade A–F from ``B``, ``B - Usually reliable`` …; None otherwise."""
    text = _text(value)
    found = _GRADE.match(text.upper()) if text else None
    return found[1] if found else None


def metres_precision(value: Any) -> str | None:
    """A location's precision in metres as forewarn's point, town, region or country."""
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        return None
    return next((p.value for bound, p in PRECISION_METRES if value <= bound), PlacePrecision.COUNTRY.value)


class _Mapper:
    """Maps the objects of one bundle (indexed by id) to read items."""

    def __init__(self, index: Mapping[str, dict[str, Any]], location: str, ctx: ReadContext, reader: str) -> None:
        self.index = index
        self.location = location
        self.ctx = ctx
        self.reader = reader
        self.sighted = {ref for obj in index.values() if obj["type"] == "sighting"
                        for ref in _strings(obj.get("where_sighted_refs"))}

    def items(self, obj: dict[str, Any]) -> Iterator[ReadItem]:
        kind = obj["type"]
        if kind == "report":
            yield from self.report(obj)
        elif kind in ("note", "opinion"):
            yield from self.comment(obj)
        elif kind == "sighting":
            yield from self.sighting(obj)

    def get(self, ref: Any) -> dict[str, Any] | None:
        found = self.index.get(ref) if isinstance(ref, str) else None
        return found if found is not None and found.get("revoked") is not True else None

    def name(self, ref: Any) -> str | None:
        found = self.get(ref)
        return _text(found.get("name")) if found else None

    # -- documents ---------------------------------------------------------------------------------------

    def report(self, obj: dict[str, Any]) -> Iterator[ReadItem]:
        name, text = _text(obj.get("name")), _text(obj.get("description"))
        title = None if text is not None and name == first_words(text) else name
        text = text or title
        if text is None:
            yield self._no_text(obj, "a report without a description or a name")
            return
        date = resolve_date(_text(obj.get("published")), self.ctx.now, self.location, obj["id"])
        precision = self._date_precision(obj, date)
        yield self._document(obj, text, title, date, precision, self._about(obj, []))
        if date.issue is not None:
            yield date.issue
        for ref in _strings(obj.get("object_refs")):
            place = self.get(ref)
            if place is not None and place["type"] == "location" and ref not in self.sighted and _located(place):
                yield from self.place(place, obj)

    def comment(self, obj: dict[str, Any]) -> Iterator[ReadItem]:
        """A note (its content) or an opinion (its explanation), citing what it is about."""
        opinion = obj["type"] == "opinion"
        text = _text(obj.get("explanation" if opinion else "content"))
        if text is None or ANALYSIS_KEYS & extension_values(obj).keys():
            return  # no explanation or content: nothing to read; forewarn's own assessments and history
        refs = _strings(obj.get("object_refs"))
        about = self.name(refs[0]) if refs else None
        kind = f"Opinion ({obj.get('opinion')})" if opinion and _text(obj.get("opinion")) else obj["type"].capitalize()
        title = _text(obj.get("abstract")) or (f"{kind} on {about}" if about else None)
        date = resolve_date(_text(obj.get("created")), self.ctx.now, self.location, obj["id"])
        extra: tuple[tuple[str, str], ...] = (("stix.object_refs", json.dumps(refs)),)
        extra += (("stix.authors", json.dumps(_strings(obj.get("authors")), ensure_ascii=False)),) \
            if obj.get("authors") else ()
        extra += (("stix.opinion", str(obj["opinion"])),) if opinion and _text(obj.get("opinion")) else ()
        yield self._document(obj, text, title, date, date.precision, self._about(obj, refs[:1]) + extra)
        if date.issue is not None:
            yield date.issue

    def _document(self, obj: dict[str, Any], text: str, title: str | None, date: DateOutcome,
                  precision: DatePrecision | None, meta: tuple[tuple[str, str], ...]) -> RawDocument:
        return RawDocument(text=text, location=self.location, reader=self.reader, raw_sha256=canonical_sha(obj),
                           item=obj["id"], title=title, url=_first_url(obj), published_at=date.published_at,
                           published_precision=precision if date.published_at else None,
                           language=_text(obj.get("lang")), meta=meta + date.meta)

    def _about(self, obj: dict[str, Any], cited: Sequence[Any]) -> tuple[tuple[str, str], ...]:
        """The meta entries every document of ``obj`` carries: its id, author, labels, confidence,
        reliability and markings (the strictest of ``obj``, its author and the objects ``cited`` by it)."""
        author = self.get(obj.get("created_by_ref"))
        meta: list[tuple[str, str]] = [("stix.id", obj["id"]), ("stix.type", obj["type"])]
        if author is not None and _text(author.get("name")):
            meta.append(("stix.created_by", str(author["name"]).strip()))
        if _strings(obj.get("labels")):
            meta.append(("stix.labels", json.dumps(_strings(obj["labels"]), ensure_ascii=False)))
        if isinstance(obj.get("confidence"), int) and not isinstance(obj["confidence"], bool):
            meta.append(("stix.confidence", str(obj["confidence"])))
        grade = self._reliability(obj, author)
        if grade is not None:
            meta.append(("stix.reliability", grade))
        return tuple(meta) + self.markings([obj, author, *(self.get(ref) for ref in cited)])

    def _reliability(self, obj: Mapping[str, Any], author: Mapping[str, Any] | None) -> str | None:
        for holder in (obj, author or {}):
            grade = admiralty(_first(extension_values(holder), RELIABILITY_KEYS))
            if grade is not None:
                return grade
        return None

    def markings(self, objs: Iterable[Mapping[str, Any] | None]) -> tuple[tuple[str, str], ...]:
        """``marking``: the strictest TLP the objects carry; ``stix.statement``: their statements' text;
        ``stix.markings``: the other marking-definitions they cite (unknown here, or of another kind)."""
        refs = dict.fromkeys(ref for obj in objs if obj for ref in _strings(obj.get("object_marking_refs")))
        found, statements, other = [], [], []
        for ref in refs:
            definition = self.index.get(ref)
            said = TLP_IDS.get(ref) or (definition_marking(definition) if definition else None)
            if isinstance(said, Marking):
                found.append(said)
            elif said is not None:
                statements.append(said)
            else:
                other.append(_text(definition.get("name")) or ref if definition else ref)
        meta = [("marking", max(found, key=STRICTNESS.index).value)] if found else []
        meta += [("stix.statement", "\n".join(statements))] if statements else []
        return tuple(meta + ([("stix.markings", json.dumps(other, ensure_ascii=False))] if other else []))

    def _date_precision(self, obj: Mapping[str, Any], date: DateOutcome) -> DatePrecision | None:
        """The precision an extension gives the date (a week is read as its first day), else the parsed one's."""
        value = _first(extension_values(obj), PLOVER_KEYS["date_precision"])
        value = DatePrecision.DAY.value if value == "week" else value
        return DatePrecision(value) if value in {p.value for p in DatePrecision} else date.precision

    def _no_text(self, obj: Mapping[str, Any], what: str) -> Issue:
        return Issue(Code.NO_TEXT, f"{what}: nothing to read", self.location, obj["id"],
                     hint="give the object a description; the other objects were read")

    # -- observations -------------------------------------------------------------------------------------

    def sighting(self, obj: dict[str, Any]) -> Iterator[ReadItem]:
        place = next((p for p in map(self.get, _strings(obj.get("where_sighted_refs")))
                      if p is not None and p["type"] == "location" and _located(p)), None)
        if place is None:
            return  # sighted by an identity, or at a place without coordinates: nothing located to read
        sighted = self.get(obj.get("sighting_of_ref"))
        actor = sighted if sighted is not None and _actor(sighted) else None
        values = extension_values(obj)
        recipient = self.get(_first(values, PLOVER_KEYS["recipient"]))
        fields = _place_fields(place, values) | _party("actor", actor) | _party("recipient", recipient)
        fields["confidence"] = _percent(obj.get("confidence"))
        seen = _text(obj.get("first_seen")) or _text(obj.get("last_seen"))
        date = resolve_date(seen, self.ctx.now, self.location, obj["id"])
        what = (sighted or {}).get("name") or (sighted or {}).get("type")
        text = _text(obj.get("description")) or _sentence(what, place, date)
        yield from self._observation(obj, fields, date, text, [obj, place, sighted, recipient])

    def place(self, place: dict[str, Any], report: dict[str, Any]) -> Iterator[ReadItem]:
        """A located place a report refers to: an observation dated by the report."""
        fields = _place_fields(place, {})
        date = resolve_date(_text(report.get("published")), self.ctx.now, self.location, place["id"])
        text = _text(place.get("description")) or _named_in(place, report)
        yield from self._observation(place, fields, date, text, [place, report])

    def _observation(self, obj: dict[str, Any], fields: Mapping[str, Any], date: DateOutcome, text: str,
                     cited: Sequence[Mapping[str, Any] | None]) -> Iterator[ReadItem]:
        """An observation document, or the issue that refuses it (bad coordinates or values, no date)."""
        present = {f: c for f, c in COLUMNS.items() if fields.get(f) is not None}
        found = observed.observation(fields, present, {}, self.location, obj["id"])
        if isinstance(found, Issue):
            yield replace(found, hint="fix the object; the other objects were read")
            return
        if date.published_at is None:
            why = date.issue.message if date.issue is not None else "no first_seen, last_seen or published"
            yield Issue(Code.OBSERVATION_UNDATED, f"an observation needs its date: {why}", self.location, obj["id"],
                        hint="give the sighting a first_seen (or the report a published date); the other "
                        "objects were read")
            return
        meta = (("stix.id", obj["id"]), ("stix.type", obj["type"]), *self.markings(cited), *found.meta())
        precision = self._date_precision(obj, date)
        yield RawDocument(text=text, location=self.location, reader=self.reader, raw_sha256=canonical_sha(obj),
                          item=obj["id"], title=None, url=_first_url(obj), published_at=date.published_at,
                          published_precision=precision, meta=meta)


def first_words(text: str, count: int = 12) -> str:
    """A text's first ``count`` words (and `` …`` when it has more): the name forewarn's export gives a report
    of a document without a title, which is read back as no title."""
    words = text.split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def _place_fields(place: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """An observation's fields read from a location and a sighting's extension properties (``values``)."""
    precision = _first(extension_values(place), PLOVER_KEYS["precision"]) or metres_precision(place.get("precision"))
    return {"lat": place.get("latitude"), "lon": place.get("longitude"), "precision": precision,
            "place": _text(place.get("name")) or _text(place.get("city")),
            "type": _first(values, PLOVER_KEYS["type"]), "mode": _first(values, PLOVER_KEYS["mode"])}


def _party(role: str, obj: Mapping[str, Any] | None) -> dict[str, Any]:
    """The name, sector and country of an event's actor or recipient, from its STIX object."""
    if obj is None:
        return {}
    values = extension_values(obj)
    return {role: _text(obj.get("name")), f"{role}_sector": _first(values, PLOVER_KEYS["sector"]),
            f"{role}_country": _country(_first(values, PLOVER_KEYS["country"]) or obj.get("country"))}


def _actor(obj: Mapping[str, Any]) -> bool:
    """Whether a sighted object is an actor: an identity (not of class ``unknown``), threat actor or
    intrusion set."""
    return obj["type"] in ACTORS and obj.get("identity_class") != "unknown"


def _located(place: Mapping[str, Any]) -> bool:
    return place.get("latitude") is not None or place.get("longitude") is not None


def _percent(value: Any) -> str | None:
    """A STIX confidence (0–100) as a fraction; text the observation check refuses when it is not a number."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return repr(value / 100)
    return str(value)


def _country(value: Any) -> str | None:
    """An ISO alpha-2 code as alpha-3 (the gazetteer's); other values as given, for the observation check."""
    text = _text(value)
    if text is None or len(text) != 2:
        return text
    from forewarn.geo.gazetteer import Gazetteer

    place = Gazetteer.default().country(text.upper())
    return place.country if place is not None else None


def _first_url(obj: Mapping[str, Any]) -> str | None:
    refs = obj.get("external_references")
    urls = (_text(ref.get("url")) for ref in refs if isinstance(ref, dict)) if isinstance(refs, list) else ()
    return next((url for url in urls if url), None)


def _where(place: Mapping[str, Any]) -> str:
    name = _text(place.get("name")) or _text(place.get("city"))
    return name or f"{place.get('latitude')}, {place.get('longitude')}"


def _sentence(what: Any, place: Mapping[str, Any], date: DateOutcome) -> str:
    """The text of a sighting without a description: "Sighting of X at Y on D." """
    coarse = date.precision if date.precision in (DatePrecision.MONTH, DatePrecision.YEAR) else DatePrecision.DAY
    day = f" on {format_dated(date.published_at, coarse)}" if date.published_at else ""
    return f"Sighting of {what or 'an unnamed object'} at {_where(place)}{day}."


def _named_in(place: Mapping[str, Any], report: Mapping[str, Any]) -> str:
    title = _text(report.get("name"))
    return f"{_where(place)}, named in the report {title!r}." if title else f"{_where(place)}, named in a report."
