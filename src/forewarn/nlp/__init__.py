"""Extraction: spaCy pipeline plus forewarn components (entities, places, dates, events, claims)."""
