"""Hand-built scenarios, observations, warnings and ledger entries for the review tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from forewarn.detect.types import Observation
from forewarn.model import (
    Disposition,
    Indicator,
    IndicatorKind,
    LedgerEntry,
    Origin,
    Region,
    Reliability,
    Scenario,
    Threshold,
    WarningRecord,
    WarningState,
)
from forewarn.model.records import StoredEvent, StoredPlace

T0 = datetime(2024, 7, 1, tzinfo=UTC)
EVENT_DAY = date(2024, 8, 6)
EVENT_AT = datetime(2024, 8, 6, tzinfo=UTC)


def scenario(*, surge: bool = False, prior: float = 0.05, horizon_days: int = 14) -> Scenario:
    indicators = [Indicator(id="massing", name="Troops massing near the border", kind=IndicatorKind.EVENTS,
                            weight=3.0, half_life_days=10.0, saturation=5, types=("MOBILIZE",))]
    if surge:
        indicators.append(Indicator(id="shelling-surge", name="Surge of shelling", kind=IndicatorKind.SURGE,
                                    weight=2.0, half_life_days=5.0, types=("ASSAULT",)))
    return Scenario(id="border-push", name="Cross-border push", description="A ground push across the border.",
                    region=Region(countries=("UKR",)), horizon_days=horizon_days, prior=prior,
                    indicators=tuple(indicators),
                    thresholds=(Threshold("elevated", 0.2), Threshold("high", 0.5), Threshold("critical", 0.8)),
                    owner="duty-officer", escalation=("desk-head", "director"), version="v1", source="test")


def observation(n: int, known_at: datetime, *, type: str = "MOBILIZE", day: date | None = None,
                source: str | None = None, country: str = "UKR", reliability: Reliability = Reliability.A,
                evidence: str = "Columns of armour were seen moving towards the border.",
                cluster: str | None = None) -> Observation:
    place = StoredPlace(name="Sumy", lat=50.91, lon=34.80, country=country, admin1="Sumy", gazetteer_id="692194",
                        precision="city", text="Sumy", start=0, end=4, sentence=0)
    event = StoredEvent(
        id=f"event-{n}", document_id=f"doc-{n}", source_id=source or f"source-{n}", published_at=known_at,
        extractor="test", coded_at=known_at, type=type, mode=None, contexts=(), actor=None, recipient=None,
        place=place, date=day or known_at.date(), date_precision="day", date_from_publication=False, negated=False,
        hypothetical=False, future=False, reported=False, sentence=0, start=0, end=len(evidence), trigger_start=0,
        trigger_end=7, confidence=0.9)
    return Observation(event=event, cluster_id=cluster or f"cluster-{n}", reliability=reliability,
                       known_at=known_at, evidence=evidence)


def warning(warning_id: int, raised_at: datetime, *, origin: Origin = Origin.SCENARIO,
            scenario_id: str | None = "border-push", partner: str | None = None, title: str = "Build-up",
            state: WarningState = WarningState.RAISED, disposition: Disposition | None = None,
            **fields: Any) -> WarningRecord:
    values: dict[str, Any] = {
        "id": warning_id, "origin": origin, "scenario_id": scenario_id, "severity": "elevated", "title": title,
        "text": "Armour is massing.", "probability": 0.25, "event_ids": (), "document_ids": (), "partner": partner,
        "partner_ref": "B-7" if partner else None, "state": state, "disposition": disposition, "rationale": None,
        "signposts": (), "owner": "duty-officer", "chain": ("duty-officer", "desk-head", "director"),
        "escalation_level": 0, "raised_at": raised_at, "raised_by": "forewarn" if origin is Origin.SCENARIO
        else "analyst", "ack_deadline": None, "acknowledged_at": None, "acknowledged_by": None,
        "disposed_at": None, "disposed_by": None, "reopened": 0, "updated_at": raised_at,
    }
    values.update(fields)
    return WarningRecord(**values)


def entry(seq: int, at: datetime, actor: str, kind: str, warning_id: int, **payload: Any) -> LedgerEntry:
    return LedgerEntry(seq=seq, at=at, actor=actor, kind=kind, subject=f"warning:{warning_id}",
                       payload={"id": warning_id, **payload}, prev_hash="0" * 64, hash=f"{seq:064x}")
