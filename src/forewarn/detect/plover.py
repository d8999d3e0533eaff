"""The PLOVER event types and their modes, as scenario indicators may name them."""

from __future__ import annotations

from forewarn.model.query import EVENT_TYPES

# PLOVER's modes per type, plus the two the default event lexicon also emits ("ease" for RETREAT,
# "misinformation" for ASSAULT) so that indicators can name everything extraction produces.
MODES: dict[str, tuple[str, ...]] = {
    "AGREE": (),
    "CONSULT": ("visit", "third-party", "multilateral", "phone"),
    "SUPPORT": (),
    "CONCEDE": (),
    "COOPERATE": (),
    "AID": (),
    "RETREAT": ("withdraw", "release", "disarm", "ceasefire", "access", "resign", "ease"),
    "REQUEST": ("assist", "change", "yield", "meet"),
    "ACCUSE": ("disapprove", "investigate", "allege"),
    "REJECT": ("assist", "change", "yield", "meet"),
    "THREATEN": ("restrict", "arrest", "relations", "expel", "territory", "violence"),
    "SANCTION": ("convict", "expel", "withdraw", "discontinue"),
    "PROTEST": ("demo", "riot", "strike", "hunger", "boycott", "obstruct", "vandalize"),
    "MOBILIZE": ("troops", "weapons", "police", "militia"),
    "COERCE": ("seize", "restrict", "censor", "curfew", "martial-law", "arrest", "deport", "withhold",
               "misinformation", "cyber"),
    "ASSAULT": ("abduct", "beat", "torture", "sexual", "targeted", "destroy", "primitive", "firearms", "explosives",
                "suicide-attack", "aerial", "drone", "heavy-weapons", "crowd-control", "unconventional",
                "misinformation"),
}

__all__ = ["EVENT_TYPES", "MODES"]
