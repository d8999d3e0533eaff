"""The PLOVER event types and their modes, as scenario indicators may name them (stated once, in the model)."""

from __future__ import annotations

from forewarn.model.query import EVENT_MODES, EVENT_TYPES

MODES = EVENT_MODES

__all__ = ["EVENT_TYPES", "MODES"]
