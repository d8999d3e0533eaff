"""Thin command-line layer: parse, call one Workspace method, render."""
