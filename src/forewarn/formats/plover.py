"""PLOVER JSONL as a streaming writer (:class:`forewarn.formats.base.Writer`): one record per event, each
line written as its chunk arrives (:func:`forewarn.export.plover_record`; docs/export.md). The analysis has no
place in PLOVER's event records: :meth:`PloverWriter.analysis` writes nothing."""

from __future__ import annotations

import json
from typing import IO

from forewarn.export import plover_record
from forewarn.formats.base import Analysis, Chunk

_encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode  # as json.dumps(ensure_ascii=False)


class PloverWriter:
    """One JSON line per event, each with its document's claims and its marking label."""

    name = "plover"
    media_type = "application/x-ndjson"
    suffix = ".jsonl"

    def __init__(self) -> None:
        self._out: IO[str] | None = None

    def begin(self, out: IO[str]) -> None:
        self._out = out

    def chunk(self, chunk: Chunk) -> int:
        out = self._stream()
        lines = [_encode(plover_record(e, chunk.documents[e.document_id], chunk.claims.get(e.document_id, ()),
                                       chunk.compartment(e.compartment_id).label)) for e in chunk.events]
        if lines:
            out.write("\n".join(lines) + "\n")
        return len(lines)

    def analysis(self, analysis: Analysis) -> None:
        """Nothing: a PLOVER file holds event records only."""

    def end(self) -> None:
        self._out = None

    def _stream(self) -> IO[str]:
        if self._out is None:
            raise RuntimeError("PloverWriter.chunk before begin")
        return self._out
