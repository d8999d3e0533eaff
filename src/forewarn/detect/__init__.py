"""Detectors: scenarios, indicator scoring and surges. Pure functions of (observations up to T,
scenario, T): nothing here reads the clock or the store."""
