"""Scenario files: YAML read strictly into a :class:`~forewarn.model.Scenario`, and the packaged defaults.

Every problem is reported as ``ScenarioInvalid("<file>:<line>: <field>: <what is wrong>")``; lines
come from the YAML node marks (1-based). The format is documented in ``docs/scenarios.md``.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import itertools
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import yaml

from forewarn.detect.plover import EVENT_TYPES, MODES
from forewarn.detect.yamlnodes import Mapping, Reader
from forewarn.errors import Code, ForewarnError, NotFound, ScenarioInvalid, SignpostInvalid
from forewarn.model import Indicator, IndicatorKind, Region, Scenario, Threshold
from forewarn.model.extraction import Sector
from forewarn.model.scenario import STANCES
from forewarn.yamlfile import StrictLoader

if TYPE_CHECKING:
    from forewarn.geo.gazetteer import Gazetteer

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
COUNTRY = re.compile(r"^[A-Z]{3}$")
DEFAULT_THRESHOLDS = (Threshold("elevated", 0.2), Threshold("high", 0.4), Threshold("critical", 0.7))
SECTORS = tuple(s.value for s in Sector)
MAX_RADIUS_KM = 5000.0
FORMAT_HINT = "see docs/scenarios.md for the scenario format"

SCENARIO_KEYS = ("id", "name", "description", "region", "horizon_days", "prior", "owner", "escalation",
                 "thresholds", "indicators")
REGION_KEYS = ("countries", "admin1", "point", "radius_km")
COMMON_KEYS = ("id", "name", "description", "kind", "weight", "half_life_days", "saturation")
KIND_KEYS: dict[IndicatorKind, tuple[str, ...]] = {  # what each kind takes beyond the common keys
    IndicatorKind.EVENTS: ("types", "modes", "actor", "recipient", "keywords", "in_region", "min_confidence"),
    IndicatorKind.SURGE: ("types", "in_region"),
    # a claimed event is coded with a type and a modality, not a mode; claims carry no confidence
    IndicatorKind.CLAIM: ("speaker", "stances", "types", "actor", "recipient", "keywords", "in_region"),
    IndicatorKind.MENTIONS: ("query", "entities", "in_region", "baseline_days", "max_p", "highest_in_days",
                             "min_stories"),
}
INDICATOR_KEYS = tuple(dict.fromkeys((*COMMON_KEYS, *(k for keys in KIND_KEYS.values() for k in keys))))
PARTICIPANT_KEYS = ("countries", "sectors")
SPEAKER_KEYS = ("entities", "countries", "sectors")
BASELINE_DAYS = (7, 365)  # a mentions indicator's baseline: at least a week, at most a year
MIN_HIGHEST_IN_DAYS = 7  # "the highest in N days" over fewer days says little
MAX_P = 0.5
THRESHOLD_KEYS = ("level", "probability", "ack_minutes")
SIGNPOST_KINDS = (IndicatorKind.EVENTS, IndicatorKind.CLAIM)
SIGNPOST_KEYS = tuple(dict.fromkeys(("id", "name", "description", "kind", "region",
                                     *(k for kind in SIGNPOST_KINDS for k in KIND_KEYS[kind] if k != "in_region"))))
MAX_SIGNPOSTS = 20
SIGNPOST_HINT = ("a YAML list of indicators in the scenario format, e.g. \"- id: troops-cross\" with \"types: "
                 "[MOBILIZE]\" and \"region: {countries: [RUS]}\" under it; see docs/warnings.md, \"Key assumptions\"")


def load_scenario(text: str, origin: str, *, gazetteer: Gazetteer | None = None) -> Scenario:
    """Parse and validate a scenario; ``origin`` names the file in messages and becomes ``Scenario.source``.

    ``gazetteer`` checks country codes and first-level region names (the default one when None)."""
    root = _compose(text, origin)
    reader = _ScenarioReader(Reader(origin), gazetteer)
    return reader.scenario(root, version=hashlib.sha256(text.encode("utf-8")).hexdigest(), source=origin)


def load_signposts(text: str, origin: str, *, gazetteer: Gazetteer | None = None
                   ) -> tuple[tuple[Indicator, Region | None], ...]:
    """An assumption's signposts (issue 17): a YAML list of events or claim indicators in the scenario format,
    without weight or half-life, each with the ``region`` it watches (none: anywhere). Every problem is a
    ``SignpostInvalid("<origin>:<line>:<column>: <field>: <what>")`` with a hint."""
    reader = _ColumnReader(origin)
    try:
        root = yaml.compose(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as e:
        raise reader.error_at(e.problem_mark or e.context_mark, f"not valid YAML: {e.problem or e.context}",
                              "check indentation, colons and quotes there") from None
    if root is None:
        raise reader.error(None, "", "no signposts", hint=SIGNPOST_HINT)
    items = reader.sequence(root, "")
    if not items or len(items) > MAX_SIGNPOSTS:
        raise reader.error(root, "", f"{len(items)} signposts; give 1 to {MAX_SIGNPOSTS}", hint=SIGNPOST_HINT)
    scenario = _ScenarioReader(reader, gazetteer)
    found = tuple(scenario.signpost(item, f"[{i}]") for i, item in enumerate(items))
    ids = [ind.id for ind, _ in found]
    for i, sid in enumerate(ids):
        if sid in ids[:i]:
            raise reader.error(items[i], f"[{i}].id", f"{sid!r} names another signpost too", hint="ids are unique")
    return found


class _ColumnReader(Reader):
    """A reader whose errors are SignpostInvalid and name the column too (a signpost is typed in a form)."""

    def error(self, node: yaml.Node | None, path: str, message: str, hint: str = "") -> ScenarioInvalid:
        where = f"{path}: " if path else ""
        return self.error_at(node.start_mark if node is not None else None, where + message, hint or SIGNPOST_HINT)

    def error_at(self, mark: yaml.Mark | None, message: str, hint: str) -> SignpostInvalid:
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        return SignpostInvalid(f"{self.origin}:{line}:{column}: {message}", hint=hint)


def load_scenario_file(path: Path, *, gazetteer: Gazetteer | None = None) -> Scenario:
    """Read a scenario file (UTF-8 YAML)."""
    return load_scenario(read_text(path), str(path), gazetteer=gazetteer)


def read_text(path: Path) -> str:
    """A scenario file's text; a missing, unreadable or non-UTF-8 file is a coded error."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ForewarnError(f"no scenario file at {path}", hint="check the path", code=Code.FILE_MISSING) from None
    except OSError as e:
        raise ForewarnError(f"cannot read {path}: {e.strerror}", code=Code.READ_FAILED) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise ScenarioInvalid(f"{path}:{line}: the file is not UTF-8 text", hint="save it as UTF-8") from None
    return text


def default_scenarios(*, gazetteer: Gazetteer | None = None) -> list[Scenario]:
    """The scenarios shipped with forewarn (``forewarn/data/scenarios/*.yaml``), by id."""
    return sorted((load_scenario(text, origin, gazetteer=gazetteer) for origin, text in _packaged()),
                  key=lambda s: s.id)


def default_scenario(scenario_id: str, *, gazetteer: Gazetteer | None = None) -> Scenario:
    origin, text = default_scenario_text(scenario_id)
    return load_scenario(text, origin, gazetteer=gazetteer)


def default_scenario_text(scenario_id: str) -> tuple[str, str]:
    """(origin, YAML text) of a packaged scenario."""
    for origin, text in _packaged():
        if Path(origin).stem == scenario_id:
            return origin, text
    ids = ", ".join(Path(origin).stem for origin, _ in _packaged())
    raise NotFound(f"no default scenario {scenario_id!r}", hint=f"defaults: {ids}")


def _packaged() -> list[tuple[str, str]]:
    """(origin, text) of each packaged scenario file; a packaged file is named after its scenario id."""
    folder = importlib.resources.files("forewarn").joinpath("data", "scenarios")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    return [(f"forewarn/data/scenarios/{f.name}", f.read_text(encoding="utf-8")) for f in files]


def _compose(text: str, origin: str) -> yaml.Node:
    try:
        root = yaml.compose(text, Loader=StrictLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = e.problem or e.context or "malformed"
        raise ScenarioInvalid(f"{origin}:{line}: not valid YAML: {problem}",
                              hint="check indentation, colons and quotes on that line") from None
    except yaml.YAMLError as e:
        raise ScenarioInvalid(f"{origin}:1: not valid YAML: {e}", hint=FORMAT_HINT) from None
    if root is None:
        raise ScenarioInvalid(f"{origin}:1: the file is empty", hint=FORMAT_HINT)
    return root


class _ScenarioReader:
    """Turns the node tree into a Scenario, checking every field."""

    def __init__(self, reader: Reader, gazetteer: Gazetteer | None) -> None:
        self.r = reader
        self._gazetteer = gazetteer

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            from forewarn.geo.gazetteer import Gazetteer

            self._gazetteer = Gazetteer.default()
        return self._gazetteer

    def scenario(self, root: yaml.Node, *, version: str, source: str) -> Scenario:
        m = self.r.mapping(root, "", SCENARIO_KEYS, required=("id", "name", "region", "horizon_days", "prior",
                                                             "owner", "indicators"))
        sid = self.slug(m, "id")
        owner = m.text("owner")
        escalation = m.texts("escalation")
        self._unique(m, "escalation", (owner, *escalation))
        prior = m.number("prior", low=0.0, high=1.0, low_open=True, high_open=True)
        thresholds = self.thresholds(m)
        if prior >= thresholds[0].probability:
            raise self.r.error(m.node_of("prior"), "prior",
                               f"{prior:g} is not below the lowest threshold ({thresholds[0].level} "
                               f"{thresholds[0].probability:g}): the scenario would be at that level without "
                               "any evidence", hint="lower the prior or raise the threshold")
        return Scenario(
            id=sid, name=m.text("name"), description=m.text("description", default=""), region=self.region(m),
            horizon_days=m.integer("horizon_days", low=1), prior=prior, indicators=self.indicators(m),
            thresholds=thresholds, owner=owner, escalation=escalation, version=version, source=source,
        )

    # -- identifiers

    def slug(self, m: Mapping, key: str) -> str:
        value = m.text(key)
        if not SLUG.match(value):
            raise self.r.error(m.node_of(key), m.path_of(key), f"{value!r} is not a valid id",
                               hint="lower-case letters, digits and hyphens, starting with a letter or digit, "
                                    "at most 64 characters")
        return value

    def _unique(self, m: Mapping, key: str, chain: Iterable[str]) -> None:
        seen: set[str] = set()
        for value in chain:
            if value in seen:
                raise self.r.error(m.node_of(key) or m.node, m.path_of(key),
                                   f"{value!r} appears twice in the chain (the owner, then the escalation)",
                                   hint="name each person once")
            seen.add(value)

    # -- region

    def region(self, m: Mapping) -> Region:
        node = m.node_of("region")
        assert node is not None  # required
        rm = self.r.mapping(node, "region", REGION_KEYS)
        countries = tuple(self.country(rm, "countries", i, c) for i, c in enumerate(rm.texts("countries")))
        admin1 = tuple(self.admin1(rm, i, a) for i, a in enumerate(rm.texts("admin1")))
        point, radius = self.point(rm)
        if not (countries or admin1 or point):
            raise self.r.error(node, "region", "names no place",
                               hint="give countries (ISO alpha-3), admin1 (\"RUS:Kursk Oblast\") or point and "
                                    "radius_km")
        return Region(countries=_dedupe(countries), admin1=_dedupe(admin1), point=point, radius_km=radius)

    def country(self, m: Mapping, key: str, index: int, value: str) -> str:
        code = value.strip().upper()
        place = self.gazetteer.country(code) if COUNTRY.match(code) else None
        if place is None or place.country != code:
            raise self.r.error(m.item_node(key, index), f"{m.path_of(key)}[{index}]",
                               f"{value!r} is not a known ISO 3166 alpha-3 country code",
                               hint="three letters, e.g. RUS, UKR, BLR, MLI")
        return code

    def admin1(self, m: Mapping, index: int, value: str) -> str:
        node, path = m.item_node("admin1", index), f"{m.path_of('admin1')}[{index}]"
        country, sep, name = value.partition(":")
        if not sep or not name.strip():
            raise self.r.error(node, path, f"{value!r} is not COUNTRY:REGION",
                               hint="e.g. \"RUS:Kursk Oblast\" or \"UKR:Sumy Oblast\"")
        code = self.country(m, "admin1", index, country)
        names = self._admin1_names(code, name.strip())
        if len(names) > 1:
            raise self.r.error(node, path, f"{name.strip()!r} is ambiguous in {code}: {', '.join(sorted(names))}",
                               hint="write the region's full name")
        if not names:
            raise self.r.error(node, path, f"no first-level region {name.strip()!r} in {code}",
                               hint="use the region's name as GeoNames has it, e.g. \"RUS:Kursk Oblast\", "
                                    "\"UKR:Kharkiv Oblast\"")
        return f"{code}:{names.pop()}"

    def _admin1_names(self, country: str, name: str) -> set[str]:
        """The gazetteer's spelling of a first-level region of ``country`` ("Kursk", "Kursk region" → "Kursk
        Oblast"): exact matches first, then transliteration variants ("Kharkov" → "Kharkiv Oblast")."""
        for qualified in (False, True):
            found = [m for m in self.gazetteer.regions(name, qualified=qualified)
                     if m.place.country == country and m.place.admin1]
            for fuzzy in (False, True):
                names = {m.place.admin1 for m in found if m.fuzzy == fuzzy and m.place.admin1}
                if names:
                    return names
        return set()

    def point(self, m: Mapping) -> tuple[tuple[float, float] | None, float | None]:
        node, radius_node = m.node_of("point"), m.node_of("radius_km")
        if node is None and radius_node is None:
            return None, None
        if node is None:
            raise self.r.error(radius_node or m.node, "region.radius_km", "a radius needs a point",
                               hint="add point: [LAT, LON]")
        items = self.r.sequence(node, "region.point")
        if len(items) != 2:
            raise self.r.error(node, "region.point", f"expected [latitude, longitude], found {len(items)} values")
        lat = self.r.number(items[0], "region.point[0]", low=-90.0, high=90.0)
        lon = self.r.number(items[1], "region.point[1]", low=-180.0, high=180.0)
        if radius_node is None:
            raise self.r.error(node, "region.point", "a point needs radius_km", hint="e.g. radius_km: 50")
        radius = m.number("radius_km", low=0.0, high=MAX_RADIUS_KM, low_open=True)
        return (lat, lon), radius

    # -- thresholds

    def thresholds(self, m: Mapping) -> tuple[Threshold, ...]:
        node = m.node_of("thresholds")
        if node is None:
            return DEFAULT_THRESHOLDS
        if isinstance(node, yaml.MappingNode):
            tm = self.r.mapping(node, "thresholds", None)
            found = [self.threshold_entry(tm, level) for level in tm.keys]
        elif isinstance(node, yaml.SequenceNode):
            found = [self.threshold_item(item, f"thresholds[{i}]")
                     for i, item in enumerate(self.r.sequence(node, "thresholds"))]
        else:
            raise self.r.error(node, "thresholds", f"expected a mapping or a list, found {self.r.kind(node)}",
                               hint="e.g. thresholds: {elevated: 0.2, high: 0.4, critical: 0.7}")
        if not found:
            raise self.r.error(node, "thresholds", "names no level", hint="e.g. {elevated: 0.2, high: 0.4}")
        for (prev, _), (cur, where) in itertools.pairwise(found):
            if cur.probability <= prev.probability:
                raise self.r.error(where, "thresholds",
                                   f"{cur.level} ({cur.probability:g}) is not above {prev.level} "
                                   f"({prev.probability:g})", hint="list levels in ascending probability")
        levels = [t.level for t, _ in found]
        if len(set(levels)) != len(levels):
            raise self.r.error(node, "thresholds", "a level appears twice")
        return tuple(t for t, _ in found)

    def threshold_entry(self, tm: Mapping, level: str) -> tuple[Threshold, yaml.Node]:
        value = tm.node_of(level)
        assert value is not None
        path = tm.path_of(level)
        if not SLUG.match(level):
            raise self.r.error(tm.key_node(level), path, f"level {level!r} is not a valid name",
                               hint="lower-case letters, digits and hyphens")
        if isinstance(value, yaml.MappingNode):
            vm = self.r.mapping(value, path, ("probability", "ack_minutes"), required=("probability",))
            return Threshold(level, _probability(vm), vm.optional_integer("ack_minutes", low=1)), value
        return Threshold(level, self.r.number(value, path, low=0.0, high=1.0, low_open=True, high_open=True)), value

    def threshold_item(self, node: yaml.Node, path: str) -> tuple[Threshold, yaml.Node]:
        vm = self.r.mapping(node, path, THRESHOLD_KEYS, required=("level", "probability"))
        level = self.slug(vm, "level")
        return Threshold(level, _probability(vm), vm.optional_integer("ack_minutes", low=1)), node

    # -- indicators

    def indicators(self, m: Mapping) -> tuple[Indicator, ...]:
        node = m.node_of("indicators")
        assert node is not None
        items = self.r.sequence(node, "indicators")
        if not items:
            raise self.r.error(node, "indicators", "the list is empty", hint="a scenario needs at least one")
        found = tuple(self.indicator(item, f"indicators[{i}]") for i, item in enumerate(items))
        ids: dict[str, int] = {}
        for i, ind in enumerate(found):
            if ind.id in ids:
                raise self.r.error(items[i], f"indicators[{i}].id",
                                   f"{ind.id!r} is also the id of indicators[{ids[ind.id]}]",
                                   hint="indicator ids must be unique within a scenario")
            ids[ind.id] = i
        return found

    def indicator(self, node: yaml.Node, path: str) -> Indicator:
        m = self.r.mapping(node, path, INDICATOR_KEYS, required=("id", "weight", "half_life_days"))
        kind = self.kind(m)
        self.applicable(m, kind)
        types = self.types(m)
        actor, recipient = self.participant(m, "actor"), self.participant(m, "recipient")
        speaker = self.participant(m, "speaker", SPEAKER_KEYS)
        iid = self.slug(m, "id")
        return Indicator(
            id=iid, name=m.text("name", default=iid), kind=kind,
            weight=m.number("weight", low=0.0, low_open=True),
            half_life_days=m.number("half_life_days", low=0.0, low_open=True),
            saturation=m.integer("saturation", low=1, default=5), types=types, modes=self.modes(m, types),
            actor_countries=actor.countries, actor_sectors=actor.sectors, recipient_countries=recipient.countries,
            recipient_sectors=recipient.sectors, keywords=self.words(m, "keywords"),
            in_region=m.boolean("in_region", kind is not IndicatorKind.MENTIONS),
            min_confidence=m.number("min_confidence", low=0.0, high=1.0, default=0.0),
            description=m.text("description", default=""), speakers=speaker.entities,
            speaker_countries=speaker.countries, speaker_sectors=speaker.sectors, stances=self.stances(m),
            query=self.query(m, kind), entities=_names(m.texts("entities")), **self.mentions_test(m),
        )

    def signpost(self, node: yaml.Node, path: str) -> tuple[Indicator, Region | None]:
        """One signpost: an events or claim indicator (no weight, half-life or saturation) and its region."""
        m = self.r.mapping(node, path, SIGNPOST_KEYS, required=("id",))
        kind = self.kind(m)
        if kind not in SIGNPOST_KINDS:
            raise self.r.error(m.node_of("kind"), m.path_of("kind"), f"a signpost is not a {kind.value} indicator",
                               hint="a signpost watches events (kind: events) or claims (kind: claim)")
        for key in m.keys:
            if key not in ("id", "name", "description", "kind", "region") and key not in KIND_KEYS[kind]:
                raise self.r.error(m.key_node(key), m.path_of(key), f"does not apply to a {kind.value} signpost",
                                   hint="remove it or change the kind")
        region = self.region(m) if m.node_of("region") is not None else None
        types = self.types(m)
        actor, recipient = self.participant(m, "actor"), self.participant(m, "recipient")
        speaker = self.participant(m, "speaker", SPEAKER_KEYS)
        iid = self.slug(m, "id")
        return Indicator(
            id=iid, name=m.text("name", default=iid), kind=kind, weight=1.0, half_life_days=1.0, types=types,
            modes=self.modes(m, types), actor_countries=actor.countries, actor_sectors=actor.sectors,
            recipient_countries=recipient.countries, recipient_sectors=recipient.sectors,
            keywords=self.words(m, "keywords"), in_region=region is not None,
            min_confidence=m.number("min_confidence", low=0.0, high=1.0, default=0.0),
            description=m.text("description", default=""), speakers=speaker.entities,
            speaker_countries=speaker.countries, speaker_sectors=speaker.sectors, stances=self.stances(m),
        ), region

    def applicable(self, m: Mapping, kind: IndicatorKind) -> None:
        """Refuse a key that means nothing for this kind of indicator, saying which kinds take it."""
        for key in m.keys:
            if key not in COMMON_KEYS and key not in KIND_KEYS[kind]:
                takers = ", ".join(k.value for k, keys in KIND_KEYS.items() if key in keys)
                raise self.r.error(m.key_node(key), m.path_of(key), f"does not apply to a {kind.value} indicator",
                                   hint=f"{key} is taken by {takers} indicators; remove it or change the kind")

    def kind(self, m: Mapping) -> IndicatorKind:
        value = m.text("kind", default=IndicatorKind.EVENTS.value)
        try:
            return IndicatorKind(value.strip().lower())
        except ValueError:
            raise self.r.error(m.node_of("kind"), m.path_of("kind"), f"unknown kind {value!r}",
                               hint="events (a pattern over coded events), surge (unusually many events), claim "
                                    "(who said what) or mentions (unusually many stories)") from None

    def types(self, m: Mapping) -> tuple[str, ...]:
        return self.chosen(m, "types", EVENT_TYPES, "event type", "PLOVER types", upper=True)

    def chosen(self, m: Mapping, key: str, allowed: tuple[str, ...], what: str, listed: str, *, upper: bool = False
               ) -> tuple[str, ...]:
        """The values under ``key``, each one of ``allowed`` (case-folded; upper case with ``upper``), without
        repeats; an unknown one is an error naming the allowed values (``listed``: how the hint introduces them)."""
        found = []
        for i, value in enumerate(m.texts(key)):
            word = value.strip().upper() if upper else value.strip().lower()
            if word not in allowed:
                raise self.r.error(m.item_node(key, i), f"{m.path_of(key)}[{i}]", f"unknown {what} {value!r}",
                                   hint=f"{listed}: {', '.join(allowed)}")
            found.append(word)
        return _dedupe(found)

    def modes(self, m: Mapping, types: tuple[str, ...]) -> tuple[str, ...]:
        allowed = {mode for t in (types or EVENT_TYPES) for mode in MODES[t]}
        found = []
        for i, value in enumerate(m.texts("modes")):
            mode = value.strip().lower()
            if mode not in allowed:
                of = "/".join(types) if types else "any PLOVER type"
                raise self.r.error(m.item_node("modes", i), f"{m.path_of('modes')}[{i}]",
                                   f"{value!r} is not a mode of {of}",
                                   hint=f"modes: {', '.join(sorted(allowed)) or 'none (leave modes out)'}")
            found.append(mode)
        return _dedupe(found)

    def participant(self, m: Mapping, key: str, allowed: tuple[str, ...] = PARTICIPANT_KEYS) -> _Participant:
        node = m.node_of(key)
        if node is None:
            return _Participant()
        pm = self.r.mapping(node, m.path_of(key), allowed)
        countries = tuple(self.country(pm, "countries", i, c) for i, c in enumerate(pm.texts("countries")))
        sectors = self.chosen(pm, "sectors", SECTORS, "sector", "sectors")
        return _Participant(_names(pm.texts("entities")), _dedupe(countries), sectors)

    def words(self, m: Mapping, key: str) -> tuple[str, ...]:
        """Keywords (or a query): words and phrases, spaces collapsed, a trailing ``*`` for any ending."""
        found = []
        for i, value in enumerate(m.texts(key)):
            word = " ".join(value.split())
            if not word.rstrip("*") or not any(c.isalnum() for c in word):
                raise self.r.error(m.item_node(key, i), f"{m.path_of(key)}[{i}]",
                                   f"{'keyword' if key == 'keywords' else key} {value!r} has no letters or digits")
            found.append(word)
        return _dedupe(found)

    def stances(self, m: Mapping) -> tuple[str, ...]:
        return self.chosen(m, "stances", STANCES, "stance", "stances")

    def query(self, m: Mapping, kind: IndicatorKind) -> tuple[str, ...]:
        query = self.words(m, "query")
        if kind is IndicatorKind.MENTIONS and not query:
            raise self.r.error(m.node_of("query") or m.node, m.path_of("query"),
                               "missing" if m.node_of("query") is None else "the list is empty",
                               hint="a mentions indicator counts the stories that hold one of these words or "
                                    "phrases, e.g. query: [mutiny, \"armed rebellion\"]")
        return query

    def mentions_test(self, m: Mapping) -> dict[str, Any]:
        """A mentions indicator's test on its daily counts (the model's defaults where not given)."""
        found: dict[str, Any] = {}
        if m.node_of("baseline_days") is not None:
            low, high = BASELINE_DAYS
            found["baseline_days"] = self.bounded(m, "baseline_days", low, high)
        if m.node_of("max_p") is not None:
            found["max_p"] = m.number("max_p", low=0.0, high=MAX_P, low_open=True)
        if m.node_of("highest_in_days") is not None:
            days = m.integer("highest_in_days", low=0)
            if 0 < days < MIN_HIGHEST_IN_DAYS:
                raise self.r.error(m.node_of("highest_in_days"), m.path_of("highest_in_days"),
                                   f"{days} is neither 0 (off) nor at least {MIN_HIGHEST_IN_DAYS}",
                                   hint="the highest count in fewer days than a week says little")
            found["highest_in_days"] = days
        if m.node_of("min_stories") is not None:
            found["min_stories"] = m.integer("min_stories", low=1)
        return found

    def bounded(self, m: Mapping, key: str, low: int, high: int) -> int:
        value = m.integer(key, low=low)
        if value > high:
            raise self.r.error(m.node_of(key), m.path_of(key), f"{value} must be at most {high}")
        return value


class _Participant(NamedTuple):
    entities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()


def _probability(m: Mapping) -> float:
    return m.number("probability", low=0.0, high=1.0, low_open=True, high_open=True)


def _dedupe(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _names(values: Iterable[str]) -> tuple[str, ...]:
    """Entity names or ids as given, spaces collapsed (they are compared case-insensitively)."""
    return _dedupe(" ".join(v.split()) for v in values)


__all__ = ["DEFAULT_THRESHOLDS", "default_scenario", "default_scenario_text", "default_scenarios", "load_scenario",
           "load_scenario_file", "load_signposts", "read_text"]
