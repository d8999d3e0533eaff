"""Sharing between installations that do not trust each other (deconfliction by file)."""
