"""Interchange with the field's tools: exports in their formats (:mod:`forewarn.interchange.exports`), driven
through the workspace's access-respecting services."""

from forewarn.interchange.exports import ExportDesk, ExportFormat

__all__ = ["ExportDesk", "ExportFormat"]
