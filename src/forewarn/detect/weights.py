"""How much one report counts, and for how long: the reliability weight of its source's Admiralty grade, the
decay of a signal with its age, and the point at which it expires. Shared by scoring and by the mentions
indicators (which :mod:`forewarn.detect.score` calls), so neither imports the other for them."""

from __future__ import annotations

import math

from forewarn.model import Reliability

# How much one observation from a source of each Admiralty grade counts. A (completely reliable) counts
# fully; each grade down loses about a sixth (B, C), then more steeply (D half, E less than a third),
# because a source that is "not usually reliable" is wrong often enough that its report is weak
# evidence. F ("cannot be judged", the default of a new source) sits with D: an unknown source is
# neither trusted nor discounted as a known-bad one.
RELIABILITY_WEIGHT: dict[Reliability, float] = {
    Reliability.A: 1.0, Reliability.B: 0.85, Reliability.C: 0.7, Reliability.D: 0.5, Reliability.E: 0.3,
    Reliability.F: 0.5,
}
EXPIRED = 0.05  # a signal whose decay fell below this contributes under 5 % of its weight: dropped
EXPIRY_HALF_LIVES = math.log2(1 / EXPIRED)  # ≈ 4.32 half-lives


def decay(age_days: float, half_life_days: float) -> float:
    return 0.5 ** (max(age_days, 0.0) / half_life_days)


def rank(r: Reliability) -> tuple[float, str]:
    """Best source first: by reliability weight, then grade (D before F, which weighs the same)."""
    return -RELIABILITY_WEIGHT[r], r.value
