"""Finders: the selectors written in a document's text (phone numbers, e-mail addresses, handles, vehicle plates,
hull numbers), each normalised by :func:`forewarn.geo.selectors.normalise`, and the selectors of its extraction
(canonical entities, their names, and events' place cells with their ISO week).

Pure: text and rows in, selectors out. A candidate that does not normalise (a number too short for its country, a
handle with odd characters) is dropped, never raised: a document's text is not the user's input."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import phonenumbers

from forewarn.errors import InvalidArgument
from forewarn.geo.selectors import Selector, normalise, place_cell

TEXT_MAX = 200_000  # characters of a document's text searched (a longer text is searched up to here)
ENTITY_KINDS = {"person": "person", "org": "organisation"}  # extraction's kinds → selector kinds (units: sector)


@dataclass(frozen=True, slots=True)
class Held:
    """A selector as a team holds it: kind, key (what is matched) and the form it was written in."""

    kind: str
    key: str
    shown: str

    @classmethod
    def of(cls, s: Selector) -> Held:
        return cls(s.kind, s.own_key, s.shown)

    @classmethod
    def every(cls, s: Selector) -> list[Held]:
        """One held selector per key of ``s`` (a name read several ways: one per reading), its own key first."""
        return [cls.of(s), *(cls(s.kind, k, s.shown) for k in sorted(s.own_keys - {s.own_key}))]

    def matched_by(self) -> frozenset[str]:
        """The keys it matches (a place cell: its neighbours in space and by one week)."""
        if self.kind != "place_cell":
            return frozenset({self.key})
        _, i, j, week = self.key.split(":")
        return frozenset(f"place_cell:{int(i) + di}:{int(j) + dj}:{int(week) + dw}"
                         for di in (-1, 0, 1) for dj in (-1, 0, 1) for dw in (-1, 0, 1))


_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
_HANDLE = re.compile(r"(?:(?<![\w@./])@[A-Za-z][\w]{3,31}\b|(?:https?://)?(?:t\.me|telegram\.me)/[A-Za-z][\w]{3,31})")
_PLATE_LETTER = "ABEKMHOPCTYXIАВЕКМНОРСТУХІ"
_PLATE = re.compile(  # Ukrainian "AA 1234 BB", Russian "А123ВС 77" / "А 123 ВС 777"
    rf"(?<![\w])(?:[{_PLATE_LETTER}]{{2}}[ -]?\d{{4}}[ -]?[{_PLATE_LETTER}]{{2}}"
    rf"|[{_PLATE_LETTER}][ -]?\d{{3}}[ -]?[{_PLATE_LETTER}]{{2}}[ -]?\d{{2,3}})(?![\w])")
_HULL = re.compile(r"(?:бортов(?:ой|ий)\s+номер|борт(?:овой|овий)?|б/н|hull(?:\s+number)?|tail(?:\s+(?:no|number))?"
                   r"|pennant(?:\s+number)?)\.?\s*[:№#]?\s*(?P<n>[A-ZА-Я]{0,3}-?\d{2,5}[A-ZА-Я]?)(?![\w])",
                   re.IGNORECASE)


def _keep(kind: str, text: str, region: str | None = None) -> Held | None:
    try:
        return Held.of(normalise(kind, text, region=region))
    except InvalidArgument:
        return None


def reading_keys(kind: str, key: str, shown: str) -> frozenset[str]:
    """The keys held for the selector written ``shown`` that ``key`` is one of: every reading of a name, the key
    alone otherwise (a canonical entity's id, a form that no longer normalises to it)."""
    try:
        keys = normalise(kind, shown).own_keys
    except InvalidArgument:
        return frozenset({key})
    return keys if key in keys else frozenset({key})


def phones(text: str, region: str | None = None) -> Iterator[Held]:
    """Phone numbers (libphonenumber's matcher; without ``region`` only those written with a country code)."""
    for m in phonenumbers.PhoneNumberMatcher(text[:TEXT_MAX], (region or "ZZ").upper(), leniency=1):
        if (h := _keep("phone", m.raw_string, region)) is not None:
            yield h


def _by(pattern: re.Pattern[str], kind: str, group: str | int = 0) -> Callable[[str], Iterator[Held]]:
    def find(text: str) -> Iterator[Held]:
        for m in pattern.finditer(text[:TEXT_MAX]):
            if (h := _keep(kind, m.group(group))) is not None:
                yield h
    return find


emails = _by(_EMAIL, "email")
handles = _by(_HANDLE, "handle")
plates = _by(_PLATE, "plate")
hulls = _by(_HULL, "hull", "n")


def in_text(text: str, region: str | None = None) -> list[Held]:
    """Every selector written in ``text``, each once (by key), in order of kind."""
    return distinct([*phones(text, region), *emails(text), *handles(text), *plates(text), *hulls(text)])


def entity(canonical_id: str, kind: str, sector: str | None, name: str) -> list[Held]:
    """A canonical entity's selectors: its id (inside one workspace the id names it) and its normalised name (one
    per reading of it). A military organisation is a unit; countries, groups and places are not selectors (too
    common to deconflict)."""
    skind = "unit" if kind == "org" and sector == "military" else ENTITY_KINDS.get(kind)
    if skind is None:
        return []
    try:
        named = Held.every(normalise(skind, name))
    except InvalidArgument:
        named = []
    return [Held(skind, f"{skind}:id:{canonical_id}", name), *named]


def place_week(lat: float | None, lon: float | None, day: dt.date | None) -> Held | None:
    """An event's place cell with its week ("place_cell:<i>:<j>:<week>", weeks counted from Monday 1 January 1
    of the proleptic calendar, so neighbouring weeks differ by one across a year's end), or None without a point."""
    if lat is None or lon is None or day is None:
        return None
    try:
        cell = place_cell(lat, lon, day)
    except InvalidArgument:
        return None
    i, j, _ = cell.key.split(":")
    year, week, _ = day.isocalendar()
    return Held("place_cell", f"place_cell:{i}:{j}:{(day.toordinal() - 1) // 7}",
                f"{cell.shown.split()[0]} week {year}-W{week:02d}")


def distinct(found: Iterable[Held]) -> list[Held]:
    """Each key once (the first form it was written in)."""
    return list({h.key: h for h in reversed(list(found))}.values())[::-1]
