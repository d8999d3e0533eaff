"""Hand-built claims for the detector tests (no spaCy, no store). The sentences are the tests' own words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from detect_helpers import RUS_MIL, UKR_MIL, who

from forewarn.detect.types import ClaimObservation
from forewarn.model import Reliability
from forewarn.model.records import StoredClaim, StoredClaimed, StoredParticipant

EMBASSY = StoredParticipant("dict:us-embassy", "dict:us-embassy", "US Embassy in Moscow", "the US embassy", 0, 15,
                            "USA", "government")
WARNING = "The US embassy warned that extremists could attack large gatherings in Moscow within days."


def claimed(type: str = "ASSAULT", *, modality: str | None = "possible", actor: StoredParticipant | None = None,
            recipient: StoredParticipant | None = None, country: str | None = "RUS",
            admin1: str | None = "Moscow", lat: float | None = 55.75, lon: float | None = 37.62) -> StoredClaimed:
    return StoredClaimed(type=type, modality=modality, actor=actor, recipient=recipient,
                         place_name="Moscow" if country else None, place_country=country, place_admin1=admin1,
                         place_lat=lat, place_lon=lon)


MOSCOW_ATTACK = claimed()


def claim(document: str = "doc-c1", *, speaker: StoredParticipant | None = EMBASSY, stance: str | None = "warn",
          about: StoredClaimed | None = MOSCOW_ATTACK, source: str | None = "wire", cluster: str | None = None,
          reliability: Reliability = Reliability.B, day: date = date(2024, 8, 8), known_at: datetime | None = None,
          sentence: str = WARNING, start: int = 0) -> ClaimObservation:
    c = StoredClaim(document_id=document, speaker=speaker, speaker_text=speaker.text if speaker else "",
                    cue="warn", content_start=start + 20, content_end=start + len(sentence), quoted=False,
                    stance=stance, sentence=0, start=start, end=start + len(sentence), extractor="test",
                    claimed=about)
    known = known_at or datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)
    return ClaimObservation(claim=c, source_id=source, cluster_id=cluster or document, reliability=reliability,
                            known_at=known, day=day, evidence=sentence)


__all__ = ["EMBASSY", "RUS_MIL", "UKR_MIL", "WARNING", "claim", "claimed", "who"]
