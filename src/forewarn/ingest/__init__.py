"""Ingest: readers' output → normalised, deduplicated, clustered documents in the store."""
