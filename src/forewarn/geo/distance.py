"""Distances on the Earth's surface, shared by the gazetteer and the store's radius queries."""

from __future__ import annotations

import math

EARTH_KM = 6371.0088  # mean radius
KM_PER_DEGREE = math.pi * EARTH_KM / 180  # of latitude


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))
