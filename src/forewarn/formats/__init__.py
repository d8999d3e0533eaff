"""Interchange formats: what forewarn's records become in the field's formats (STIX 2.1, MISP, PLOVER JSONL).

Pure functions and streaming writers over model records (:mod:`forewarn.formats.base`): no store, no network.
Who may see what is decided before a record reaches a writer (the export desk reads through the asker's access).
"""
