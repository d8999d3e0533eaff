"""Does an observation match an indicator? Does an event lie in a region?

Rules (docs/scenarios.md):

* Negated events ("troops did not cross") and hypothetical ones ("if troops cross …") never match.
  Future events (announced: "will hold exercises") and reported ones ("officials said troops
  crossed") do: an announcement or a report is itself what a watcher wants to see; the scoring's
  source reliability and corroboration deal with how far to trust it.
* Every filter an indicator gives must hold: type, mode, actor and recipient country and sector,
  lowest confidence, keywords (any one of them in the evidence sentence), place in the region.
* Keywords match case-insensitively at word boundaries; a trailing ``*`` matches any ending
  (``evacuat*``: evacuate, evacuation).
* An event is in a region when its place lies in one of the region's countries, or in one of its
  first-level regions, or within the radius of its point. An event without a place is in the region
  when its recipient's country (else its actor's) is one of the region's countries; it is never in a
  region given only by first-level regions or a point, since nothing says where in the country it was.
"""

from __future__ import annotations

import functools
import re

from forewarn.detect.types import Observation
from forewarn.geo.distance import haversine_km
from forewarn.model import Indicator, IndicatorKind, Region, Scenario
from forewarn.model.records import StoredEvent, StoredParticipant


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
    if indicator.keywords and not keyword_pattern(indicator.keywords).search(obs.evidence):
        return False
    return not indicator.in_region or in_region(scenario.region, event)


def in_region(region: Region, event: StoredEvent) -> bool:
    place = event.place
    if place is None:
        who = event.recipient if event.recipient is not None and event.recipient.country else event.actor
        return who is not None and who.country in region.countries
    if place.country in region.countries:
        return True
    if place.admin1 and f"{place.country}:{place.admin1}" in region.admin1:
        return True
    return in_radius(region, place.lat, place.lon)


def in_place(region: Region, country: str, admin1: str) -> bool:
    """Is the first-level region ``country``/``admin1`` part of ``region`` (by country or by name)?"""
    return country in region.countries or f"{country}:{admin1}" in region.admin1


def in_radius(region: Region, lat: float, lon: float) -> bool:
    if region.point is None or region.radius_km is None:
        return False
    return haversine_km(region.point[0], region.point[1], lat, lon) <= region.radius_km


def _participant(p: StoredParticipant | None, countries: tuple[str, ...], sectors: tuple[str, ...]) -> bool:
    if not countries and not sectors:
        return True
    if p is None:
        return False
    return (not countries or p.country in countries) and (not sectors or p.sector in sectors)


@functools.lru_cache(maxsize=512)
def keyword_pattern(keywords: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for any of ``keywords``: case-insensitive, at word boundaries, ``*`` a word ending."""
    parts = []
    for word in keywords:
        stem = word.rstrip("*")
        body = r"\s+".join(re.escape(w) for w in stem.split())
        parts.append(body + (r"\w*" if word.endswith("*") else "") + r"(?!\w)")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)
