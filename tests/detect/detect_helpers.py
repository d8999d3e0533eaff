"""Hand-built observations and scenarios for the detector tests (no spaCy, no store)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from forewarn.detect.types import Observation
from forewarn.model import Indicator, IndicatorKind, Region, Reliability, Scenario, Threshold
from forewarn.model.records import StoredEvent, StoredParticipant, StoredPlace

AT = datetime(2024, 8, 10, 12, 0, tzinfo=UTC)
THRESHOLDS = (Threshold("elevated", 0.2), Threshold("high", 0.4), Threshold("critical", 0.7))
KURSK_REGION = Region(admin1=("RUS:Kursk Oblast",))


def place(name: str = "Sudzha", country: str = "RUS", admin1: str | None = "Kursk Oblast", lat: float = 51.19,
          lon: float = 35.27) -> StoredPlace:
    return StoredPlace(name, lat, lon, country, admin1, "geonames:1", "town", name, 0, len(name), 0)


SUDZHA = place()
SUMY = place("Sumy", "UKR", "Sumy Oblast", 50.91, 34.80)
MOSCOW = place("Moscow", "RUS", "Moscow", 55.75, 37.62)


def who(country: str | None, sector: str | None = None, name: str = "someone") -> StoredParticipant:
    return StoredParticipant(f"dict:{name}", f"dict:{name}", name, name, 0, len(name), country, sector)


UKR_MIL = who("UKR", "military", "ukr-army")
RUS_MIL = who("RUS", "military", "rus-army")
RUS_GOV = who("RUS", "government", "rus-gov")


def event(event_id: str = "e1", *, type: str = "MOBILIZE", mode: str | None = "troops", day: date = date(2024, 8, 8),
          place: StoredPlace | None = SUDZHA, actor: StoredParticipant | None = UKR_MIL,
          recipient: StoredParticipant | None = None, source: str | None = "s1", document: str | None = None,
          confidence: float = 0.8, negated: bool = False, hypothetical: bool = False, future: bool = False,
          reported: bool = False) -> StoredEvent:
    return StoredEvent(
        id=event_id, document_id=document or f"doc-{event_id}", source_id=source, published_at=None, extractor="test",
        coded_at=AT, type=type, mode=mode, contexts=(), actor=actor, recipient=recipient, place=place, date=day,
        date_precision="day", date_from_publication=False, negated=negated, hypothetical=hypothetical, future=future,
        reported=reported, sentence=0, start=0, end=10, trigger_start=0, trigger_end=5, confidence=confidence,
    )


def obs(event_id: str = "e1", *, cluster: str | None = None, reliability: Reliability = Reliability.B,
        known_at: datetime | None = None, evidence: str = "Armoured columns gathered near the border.",
        **kwargs: Any) -> Observation:
    e = event(event_id, **kwargs)
    known = known_at or datetime.combine(e.date, datetime.min.time(), UTC) + timedelta(hours=6)
    return Observation(event=e, cluster_id=cluster or e.document_id, reliability=reliability, known_at=known,
                       evidence=evidence)


def indicator(indicator_id: str = "troops", *, weight: float = 3.0, half_life_days: float = 4.0,
              kind: IndicatorKind = IndicatorKind.EVENTS, **kwargs: Any) -> Indicator:
    return Indicator(id=indicator_id, name=indicator_id.replace("-", " "), kind=kind, weight=weight,
                     half_life_days=half_life_days, **kwargs)


def scenario(*indicators: Indicator, region: Region = KURSK_REGION, prior: float = 0.02) -> Scenario:
    return Scenario(id="test", name="Test scenario", description="", region=region, horizon_days=14, prior=prior,
                    indicators=indicators or (indicator(types=("MOBILIZE",)),), thresholds=THRESHOLDS,
                    owner="duty-officer", escalation=("watch-lead",), version="v1", source="test")
