"""Sources: where documents come from, how far to trust them, how to handle them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from forewarn.errors import InvalidArgument

if TYPE_CHECKING:
    from forewarn.model.marking import Compartment


class SourceKind(StrEnum):
    """Reader format of a source. ``auto`` picks a reader from the file extension."""

    AUTO = "auto"
    TEXT = "text"  # .txt, .md files or folders
    HTML = "html"  # saved web pages
    FEED = "feed"  # RSS 2.0 / Atom, file or http(s) URL
    JSONL = "jsonl"
    CSV = "csv"
    TELEGRAM = "telegram"  # Telegram Desktop "export chat history" JSON
    STIX = "stix"  # a STIX 2.1 bundle (docs/import.md)
    TAXII = "taxii"  # a TAXII 2.1 collection URL, polled (docs/import.md)
    MISP = "misp"  # a MISP event JSON file or feed directory (docs/misp.md)


class Reliability(StrEnum):
    """Admiralty (NATO) source reliability grade."""

    A = "A"  # completely reliable
    B = "B"  # usually reliable
    C = "C"  # fairly reliable
    D = "D"  # not usually reliable
    E = "E"  # unreliable
    F = "F"  # reliability cannot be judged

    @property
    def label(self) -> str:
        return _RELIABILITY_LABELS[self]


_RELIABILITY_LABELS = {
    Reliability.A: "completely reliable",
    Reliability.B: "usually reliable",
    Reliability.C: "fairly reliable",
    Reliability.D: "not usually reliable",
    Reliability.E: "unreliable",
    Reliability.F: "cannot be judged",
}


class Marking(StrEnum):
    """Traffic Light Protocol 2.0 marking."""

    CLEAR = "TLP:CLEAR"
    GREEN = "TLP:GREEN"
    AMBER = "TLP:AMBER"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    RED = "TLP:RED"

    @classmethod
    def parse(cls, value: str) -> Marking:
        """``amber``, ``TLP:AMBER+STRICT`` … as a marking; anything else is refused with a hint."""
        text = value.strip().upper()
        if not text.startswith("TLP:"):
            text = "TLP:" + text
        try:
            return cls(text)
        except ValueError:
            raise InvalidArgument(f"{value!r} is not a TLP 2.0 marking",
                                  hint="one of CLEAR, GREEN, AMBER, AMBER+STRICT, RED") from None


POSTED = "web:"  # the location of a source whose documents are posted to the workbench (nothing to read)


@dataclass(frozen=True, slots=True)
class Source:
    id: str  # slug, unique
    kind: SourceKind
    name: str
    location: str  # path or URL, or POSTED + id
    reliability: Reliability = Reliability.F
    marking: Marking = Marking.CLEAR
    team: str | None = None
    options: tuple[tuple[str, str], ...] = field(default=())  # reader options, e.g. ("map", "text=body")
    created_at: datetime | None = None
    recipients: tuple[str, ...] = ()  # who may see its documents besides the team (TLP:AMBER), or only (TLP:RED)
    compartment_id: int | None = field(default=None, compare=False)  # as stored (None: open to every account)

    @property
    def compartment(self) -> Compartment:
        """Who may see what it brings in: its marking, team and recipients (checked)."""
        from forewarn.model.marking import Compartment

        return Compartment.of(self.marking, [self.team] if self.team else [], self.recipients)

    @property
    def posted(self) -> bool:
        """Its documents are posted to the workbench; there is no location to read."""
        return self.location.startswith(POSTED)


@dataclass(frozen=True, slots=True)
class FeedValidators:
    """HTTP cache validators of a feed URL, to be saved once its entries are committed."""

    url: str
    etag: str | None
    last_modified: str | None
