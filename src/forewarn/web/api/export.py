"""``GET /api/v1/export``: the events matching the explorer's filters (and, for STIX and MISP, the analysis) as a
file in the field's formats, streamed as it is written (:mod:`forewarn.web.download`): only what the asker may
see, each restricted object recorded in the read audit (the same export as `forewarn export`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from forewarn.errors import Code, InvalidArgument
from forewarn.web.auth import Viewer, acting
from forewarn.web.download import stream
from forewarn.web.events_filters import EventFilters

router = APIRouter(tags=["export"])
Format = Literal["plover", "stix", "misp"]


@router.get("/export", summary="Download the events matching the filters as PLOVER JSONL, a STIX 2.1 bundle or MISP "
            "events (the map's bbox is not an export filter: refused)",
            responses={200: {"description": "the file, streamed", "content": {
                "application/json": {"schema": {"type": "object", "description": "MISP events (format=misp)"}},
                "application/stix+json;version=2.1": {"schema": {"type": "object", "description": "a STIX bundle"}},
                "application/x-ndjson": {"schema": {"type": "string", "description": "PLOVER records, one a line"}}}}})
def export(request: Request, p: Viewer, f: Annotated[EventFilters, Depends()],
           format: Annotated[Format, Query(description="plover, stix or misp")] = "plover",
           analysis: Annotated[bool, Query(description="with scenarios, assessments, warnings and their history "
                                                       "(stix, misp)")] = True,
           limit: Annotated[int | None, Query(ge=1, le=10**8, description="at most this many events")] = None,
           ) -> StreamingResponse:
    if f.bbox is not None:
        raise InvalidArgument("bbox is not an export filter", code=Code.UNKNOWN_PARAMETER,
                              hint="filter by place or near=LAT,LON,KM instead, or leave bbox out")
    ws = acting(request, p)
    kind = ws.exports.format(format)
    q = replace(f.filter.query, limit=limit)
    pieces = stream(lambda out: ws.exports.export(out, q, format, analysis=analysis))
    name = f"forewarn-{ws.clock().strftime('%Y%m%dT%H%M%SZ')}{kind.suffix}"
    return StreamingResponse(pieces, media_type=kind.media_type,
                             headers={"content-disposition": f'attachment; filename="{name}"'})
