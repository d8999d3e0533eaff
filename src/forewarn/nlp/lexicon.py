"""The event lexicon: which words carry which PLOVER event (see ``data/nlp/event_lexicon.yaml``)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from forewarn.errors import ConfigError
from forewarn.yamlfile import load_strict

PLOVER_TYPES = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "SANCTION", "PROTEST", "MOBILIZE", "COERCE", "ASSAULT",
)
QUADS = {
    "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1, "COOPERATE": 2, "AID": 2, "RETREAT": 2,
    "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3, "SANCTION": 3,
    "PROTEST": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
}


@dataclass(frozen=True, slots=True)
class Entry:
    """One trigger: ``head`` is the lemma that must be a verb (verbs) or noun (nouns); ``before``
    and ``after`` are the words that must precede / follow it."""

    head: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    type: str
    mode: str | None
    weak: bool = False

    @property
    def length(self) -> int:
        return 1 + len(self.before) + len(self.after)


@dataclass(frozen=True)
class Lexicon:
    verbs: dict[str, tuple[Entry, ...]]
    nouns: dict[str, tuple[Entry, ...]]
    adjectives: dict[str, tuple[Entry, ...]]
    light_verbs: dict[str, dict[str, tuple[str, str | None]]]
    subject_overrides: dict[str, dict[str, tuple[str, str | None]]]
    needs_recipient: frozenset[str]
    needs_political: frozenset[str]
    unfit_objects: dict[str, frozenset[str]]
    unfit_subjects: dict[str, frozenset[str]]
    sport: frozenset[str]
    hazards: frozenset[str]
    contexts: dict[str, tuple[str, ...]]
    version: str

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        """The packaged lexicon, or the file at ``path`` (a complete lexicon in the same format)."""
        if path is None:
            text = resources.files("forewarn").joinpath("data/nlp/event_lexicon.yaml").read_text("utf-8")
            where = "event_lexicon.yaml (packaged)"
        else:
            try:
                text = path.read_text("utf-8")
            except OSError as exc:
                raise ConfigError(f"cannot read event lexicon {path}: {exc.strerror}",
                                  hint="fix the event_lexicon setting") from exc
            where = str(path)
        data = _parse(text, where)
        return _build(data, where, hashlib.sha256(text.encode()).hexdigest()[:10])


def _parse(text: str, where: str) -> dict[str, Any]:
    try:
        data = load_strict(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"event lexicon {where} is not valid YAML: {exc}", hint="fix the line named") from exc
    if not isinstance(data, dict) or not isinstance(data.get("verbs"), dict) or not isinstance(data.get("nouns"), dict):
        raise ConfigError(f"event lexicon {where} needs mappings 'verbs' and 'nouns'", hint="see the packaged file")
    return data


def _words(phrase: str) -> list[str]:
    return [w for w in re.split(r"\s+|(-)", phrase.strip().lower()) if w]


def _check_type(name: str, where: str) -> str:
    if name not in PLOVER_TYPES:
        raise ConfigError(f"event lexicon {where}: unknown PLOVER type {name!r}",
                          hint=f"use one of {', '.join(PLOVER_TYPES)}")
    return name


def _entries(section: dict[str, Any], where: str, noun: bool,
             weak: set[str] | None) -> dict[str, tuple[Entry, ...]]:
    """``weak``: the phrases that are weak; None: all are."""
    index: dict[str, list[Entry]] = {}
    for type_name, phrases in section.items():
        _check_type(type_name, where)
        for phrase, mode in (phrases or {}).items():
            words = _words(str(phrase))
            head, rest = (words[-1], words[:-1]) if noun else (words[0], words[1:])
            entry = Entry(head=head, before=tuple(rest) if noun else (), after=() if noun else tuple(rest),
                          type=type_name, mode=mode, weak=weak is None or (noun and " ".join(words) in weak))
            clash = [e for e in index.get(head, []) if (e.before, e.after) == (entry.before, entry.after)]
            if clash:
                raise ConfigError(f"event lexicon {where}: {phrase!r} is listed under {clash[0].type} and {type_name}",
                                  hint="a trigger may carry one event type only")
            index.setdefault(head, []).append(entry)
    # longest entries first, so "hunger strike" wins over "strike"
    return {h: tuple(sorted(es, key=lambda e: -e.length)) for h, es in index.items()}


def _light(section: dict[str, Any], where: str) -> dict[str, dict[str, tuple[str, str | None]]]:
    out: dict[str, dict[str, tuple[str, str | None]]] = {}
    for verb, objects in (section or {}).items():
        for obj, value in (objects or {}).items():
            type_name, _, mode = str(value).partition("/")
            out.setdefault(str(verb), {})[str(obj)] = (_check_type(type_name, where), mode or None)
    return out


def _word_sets(section: dict[str, Any] | None) -> dict[str, frozenset[str]]:
    return {str(k): frozenset(str(w) for w in v) for k, v in (section or {}).items()}


def _build(data: dict[str, Any], where: str, version: str) -> Lexicon:
    weak = {" ".join(_words(str(w))) for w in data.get("weak_nouns") or ()}
    contexts = {_check_type(t, where): tuple(c) for t, c in (data.get("contexts") or {}).items()}
    return Lexicon(
        verbs=_entries(data["verbs"], where, noun=False, weak=set()),
        nouns=_entries(data["nouns"], where, noun=True, weak=weak),
        adjectives=_entries(data.get("adjectives") or {}, where, noun=True, weak=None),
        light_verbs=_light(data.get("light_verbs") or {}, where),
        subject_overrides=_light(data.get("subject_overrides") or {}, where),
        needs_recipient=frozenset(str(v).lower() for v in data.get("needs_recipient") or ()),
        needs_political=frozenset(" ".join(_words(str(v))) for v in data.get("needs_political") or ()),
        unfit_objects=_word_sets(data.get("unfit_objects")),
        unfit_subjects=_word_sets(data.get("unfit_subjects")),
        sport=frozenset(str(w) for w in data.get("sport") or ()),
        hazards=frozenset(str(w) for w in data.get("hazards") or ()),
        contexts=contexts,
        version=version,
    )
