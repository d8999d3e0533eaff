"""What detectors read: a coded event with the facts about its document that scoring needs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from forewarn.model import Reliability
from forewarn.store.records import StoredEvent


@dataclass(frozen=True, slots=True)
class Observation:
    event: StoredEvent
    cluster_id: str  # the document's duplicate cluster: copies of one report count once
    reliability: Reliability  # of the document's source (F when it has none)
    known_at: datetime  # when it could first be known: publication (ingest time when undated)
    evidence: str  # the evidence sentence, for keywords and for people
