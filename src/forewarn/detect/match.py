"""Does an observation match an indicator? Does an event lie in a region?

Rules (docs/scenarios.md):

* Negated events ("troops did not cross") and hypothetical ones ("if troops cross …") never match.
  Future events (announced: "will hold exercises") and reported ones ("officials said troops
  crossed") do: an announcement or a report is itself what a watcher wants to see; the scoring's
  source reliability and corroboration deal with how far to trust it.
* Every filter an indicator gives must hold: type, mode, actor and recipient country and sector,
  lowest confidence, keywords (any one of them in the evidence sentence), place in the region.
* Keywords match case-insensitively at word boundaries; a trailing ``*`` matches any ending
  (``evacuat*``: evacuate, evacuation). A keyword never matches inside the name of a state ("republic" in
  "Czech Republic", "people's republic" in "People's Republic of China"): a match that cuts into a country's
  name (its GeoNames, common or official name, longest first) counts only when it covers the whole name
  ("leave Ukraine" covers "Ukraine").
* A claim matches a claim indicator when its speaker (entity by canonical name or id, country, sector), its
  stance, and the event it claims (type, actor, recipient, place) pass the indicator's filters and a keyword
  occurs in its sentence. A country named as the speaker ("the US warned", "Latvia urges") is its government
  speaking: it passes a ``government`` sector filter. A claim that the event will not happen or did not
  (modality "denied": a denial, an assurance) matches only indicators whose stances include ``deny`` or
  ``assure``: "X denies planning an attack" is no warning of one.
* An event is in a region when its place lies in one of the region's countries, or in one of its
  first-level regions, or within the radius of its point. An event without a place is in the region
  when its recipient's country (else its actor's) is one of the region's countries; it is never in a
  region given only by first-level regions or a point, since nothing says where in the country it was.
  A claimed event is placed the same way (its place, else its recipient's or actor's country); a claim
  about no event is in no region.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import replace

from forewarn.detect.types import ClaimObservation, Observation
from forewarn.geo import cyrillic
from forewarn.geo.distance import haversine_km
from forewarn.geo.gazetteer import Gazetteer, normalize
from forewarn.model import Indicator, IndicatorKind, Region, Scenario
from forewarn.model.extraction import Sector
from forewarn.model.records import StoredClaim, StoredClaimed, StoredEvent, StoredParticipant

MATCH_CACHE = 1 << 18  # (pattern, document) match results remembered
_MATCHED: dict[tuple[re.Pattern[str], str], bool] = {}
COUNTRY_ENTITY = "country:"  # the id prefix of a country's entity (country:USA), which has no sector of its own
NEGATING_STANCES = frozenset({"deny", "assure"})  # stances that say the claimed event will not or did not happen
_WORD = re.compile(r"\w+(?:['’ʼ]\w+)*")


def indicator_matches(scenario: Scenario, indicator: Indicator, obs: Observation) -> bool:
    """True when ``obs`` is an observation of an (events) indicator of ``scenario``."""
    event = obs.event
    if indicator.kind is not IndicatorKind.EVENTS or event.negated or event.hypothetical:
        return False
    if indicator.types and event.type not in indicator.types:
        return False
    if indicator.modes and event.mode not in indicator.modes:
        return False
    if event.confidence < indicator.min_confidence:
        return False
    if not _participant(event.actor, indicator.actor_countries, indicator.actor_sectors):
        return False
    if not _participant(event.recipient, indicator.recipient_countries, indicator.recipient_sectors):
        return False
    if indicator.keywords and not keywords_found(indicator.keywords, obs.evidence):
        return False
    return not indicator.in_region or in_region(scenario.region, event)


def claim_matches(scenario: Scenario, indicator: Indicator, c: ClaimObservation) -> bool:
    """True when ``c`` is an observation of a claim indicator of ``scenario``."""
    claim, claimed = c.claim, c.claim.claimed
    if indicator.kind is not IndicatorKind.CLAIM or not _stance(indicator, claim) or not _speaker(indicator, claim):
        return False
    if indicator.types and (claimed is None or claimed.type not in indicator.types):
        return False
    if not _participant(claimed.actor if claimed else None, indicator.actor_countries, indicator.actor_sectors):
        return False
    if not _participant(claimed.recipient if claimed else None, indicator.recipient_countries,
                        indicator.recipient_sectors):
        return False
    if indicator.keywords and not keywords_found(indicator.keywords, c.evidence):
        return False
    return not indicator.in_region or claim_in_region(scenario.region, c)


def claim_in_region(region: Region, c: ClaimObservation) -> bool:
    """Is what a claim is about in ``region``: its claimed event (:func:`claimed_in_region`); where it names no
    place for one (no claimed event, or one without a place), a place its sentence names ("Latvia urges its
    citizens to leave Russia")."""
    claimed = c.claim.claimed
    if claimed is not None and claimed_in_region(region, claimed):
        return True
    return (claimed is None or claimed.place_country is None) and names_place_in(region, c.places)


def names_place_in(region: Region, places: Iterable[str]) -> bool:
    """Does one of ``places`` (countries and "COUNTRY:admin1" regions) lie in ``region``?"""
    return _names_place_in(region, frozenset(places))


@functools.lru_cache(maxsize=MATCH_CACHE)  # a replay asks it of the same stories at every step
def _names_place_in(region: Region, places: frozenset[str]) -> bool:
    return any(in_place(region, *place.partition(":")[::2]) for place in places)


def in_region(region: Region, event: StoredEvent) -> bool:
    place = event.place
    if place is None:
        return _by_participants(region, event.recipient, event.actor)
    return in_place(region, place.country, place.admin1 or "") or in_radius(region, place.lat, place.lon)


def claimed_in_region(region: Region, claimed: StoredClaimed) -> bool:
    """Is the claimed event in ``region``: its place, else its recipient's (or actor's) country, as events are?"""
    if claimed.place_country is None:
        return _by_participants(region, claimed.recipient, claimed.actor)
    if in_place(region, claimed.place_country, claimed.place_admin1 or ""):
        return True
    return claimed.place_lat is not None and claimed.place_lon is not None and in_radius(
        region, claimed.place_lat, claimed.place_lon)


def _by_participants(region: Region, recipient: StoredParticipant | None, actor: StoredParticipant | None) -> bool:
    """Where nothing says where: the recipient's country, else (no recipient's country) the actor's."""
    who = recipient if recipient is not None and recipient.country else actor
    return who is not None and who.country in region.countries


def in_place(region: Region, country: str, admin1: str) -> bool:
    """Is the first-level region ``country``/``admin1`` part of ``region`` (by country or by name)?"""
    return country in region.countries or f"{country}:{admin1}" in region.admin1


def in_radius(region: Region, lat: float, lon: float) -> bool:
    if region.point is None or region.radius_km is None:
        return False
    return haversine_km(region.point[0], region.point[1], lat, lon) <= region.radius_km


def _stance(indicator: Indicator, claim: StoredClaim) -> bool:
    if indicator.stances and claim.stance not in indicator.stances:
        return False
    denied = claim.claimed is not None and claim.claimed.modality == "denied"
    return not denied or not NEGATING_STANCES.isdisjoint(indicator.stances)


def _speaker(indicator: Indicator, claim: StoredClaim) -> bool:
    p = claim.speaker
    if indicator.speakers and (p is None or _folded(indicator.speakers).isdisjoint(
            {p.name.casefold(), p.canonical_id.casefold()})):
        return False
    if p is not None and p.sector is None and p.canonical_id.startswith(COUNTRY_ENTITY):
        p = replace(p, sector=Sector.GOVERNMENT.value)  # "the US warned", "Latvia urges": its government speaks
    return _participant(p, indicator.speaker_countries, indicator.speaker_sectors)


@functools.lru_cache(maxsize=512)
def _folded(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(n.casefold() for n in names)


def _participant(p: StoredParticipant | None, countries: tuple[str, ...], sectors: tuple[str, ...]) -> bool:
    if not countries and not sectors:
        return True
    if p is None:
        return False
    return (not countries or p.country in countries) and (not sectors or p.sector in sectors)


def text_matches(pattern: re.Pattern[str], document_id: str, title: str | None, text: str) -> bool:
    """Does ``pattern`` occur in a document's text or title? Remembered by document id (the hash of its text),
    not by text, so that a long-running watch keeps no texts alive: each cycle (and each step of a replay)
    asks again about the same documents, and a regex search costs far more than a look-up."""
    key = (pattern, document_id)
    found = _MATCHED.get(key)
    if found is None:
        if len(_MATCHED) >= MATCH_CACHE:
            _MATCHED.clear()
        found = _MATCHED[key] = pattern.search(text) is not None or (title is not None and
                                                                       pattern.search(title) is not None)
    return found


@functools.lru_cache(maxsize=512)
def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for any of ``keywords``: case-insensitive, at word boundaries, ``*`` a word ending; any
    apostrophe matches any other ("зв'язок", "зв’язок") and е matches ё ("сапер*" finds "сапёры")."""
    parts = []
    for word in keywords:
        stem = word.rstrip("*")
        body = r"\s+".join(_letters(w) for w in stem.split())
        parts.append(body + (r"\w*" if word.endswith("*") else "") + r"(?!\w)")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


def _letters(word: str) -> str:
    return "".join(_SAME_LETTER.get(c.lower(), re.escape(c)) for c in word)


_SAME_LETTER = {"'": "['’ʼ]", "’": "['’ʼ]", "ʼ": "['’ʼ]", "е": "[её]", "ё": "[её]"}


def keywords_found(keywords: tuple[str, ...], text: str) -> bool:
    """Does one of ``keywords`` occur in ``text``, not inside the name of a state? A match that cuts into a
    country's name counts only when it covers the whole name."""
    pattern = keyword_pattern(keywords)
    found = pattern.search(text)
    while found is not None:
        start, end = found.span()
        if all(end <= s or e <= start or (start <= s and e <= end) for s, e in country_spans(text)):
            return True
        found = pattern.search(text, start + 1)
    return False


@functools.lru_cache(maxsize=4096)
def country_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) of each country name in ``text``, the longest name first where names overlap;
    Russian and Ukrainian names in any case ("Китайской Народной Республики")."""
    spans = _latin_country_spans(text)
    if _CYRILLIC.search(text):
        spans += tuple(m.span() for m in _cyrillic_countries().finditer(text)
                       if all(m.end() <= s or e <= m.start() for s, e in spans))
    return spans


_CYRILLIC = re.compile("[\u0400-\u04ff]")


@functools.cache
def _cyrillic_countries() -> re.Pattern[str]:
    """Russian and Ukrainian country names in any case, longest first: a word's vowel ending may be any case
    ending, unless too little is left to tell the name ("Мали", not "мало")."""
    def inflected(word: str) -> str:
        stem = word.rstrip(_VOWELS)
        return re.escape(stem) + _ENDING if len(stem) >= 4 else re.escape(word)

    names = sorted(cyrillic.COUNTRIES, key=len, reverse=True)
    body = "|".join(r"\s+".join(inflected(w) for w in n.split()) for n in names)
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)", re.IGNORECASE)


_VOWELS = "аяоеёиыуюйьіїє"
_ENDING = "[аяоеёиыуюйьіїємхвг]{0,3}"  # the letters of Russian and Ukrainian case endings


def _latin_country_spans(text: str) -> tuple[tuple[int, int], ...]:
    names, firsts, longest = _country_names()
    words = [(m.start(), m.end(), normalize(m.group())) for m in _WORD.finditer(text)]
    spans = []
    i = 0
    while i < len(words):
        size = 0 if words[i][2] not in firsts else next(
            (n for n in range(min(longest, len(words) - i), 0, -1)
             if " ".join(w for _, _, w in words[i:i + n]) in names), 0)
        if size:
            spans.append((words[i][0], words[i + size - 1][1]))
        i += size or 1
    return tuple(spans)


@functools.cache
def _country_names() -> tuple[frozenset[str], frozenset[str], int]:
    """The gazetteer's country names (normalised), their first words, and the most words one has."""
    names = Gazetteer.default().country_names()
    return names, frozenset(n.split()[0] for n in names), max(len(n.split()) for n in names)
