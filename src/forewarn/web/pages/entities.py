"""Entities: search, and each entity's page — aliases and merged members, its events as actor and
as recipient over time, the entities seen with it drawn as a small graph, and (for analysts) a
merge form."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import Field

from forewarn.model import Role
from forewarn.reads.entities import COUNT_CAP, RECENT_DOCUMENTS, RECENT_EVENTS, Neighbour
from forewarn.web.auth import ActAnalyst, Viewer, acting
from forewarn.web.charts import bar_chart
from forewarn.web.events_filters import Blank
from forewarn.web.render import render

router = APIRouter()
PAGE = 50
KINDS = ("person", "org", "group", "country", "place")
EntityId = Annotated[str, Path(min_length=1, max_length=300)]
GRAPH_W, GRAPH_H = 640, 400
EVENTS = 20  # the latest events listed on an entity's page


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    name: str
    label: str  # the name, shortened
    x: float
    y: float
    r: float
    weight: int
    center: bool = False
    title: str = ""
    lx: float = 0.0  # where its label goes, and how it is anchored
    ly: float = 0.0
    anchor: str = "middle"


@dataclass(frozen=True, slots=True)
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float


def graph_layout(center_id: str, center_name: str, neighbours: Sequence[Neighbour]
                 ) -> tuple[list[Node], list[Edge]]:
    """A star: the entity in the middle, the others evenly round a circle (heaviest first, from the
    top, clockwise), node size and edge width by how often they are seen together."""
    cx, cy = GRAPH_W / 2, GRAPH_H / 2
    heaviest = max((n.weight for n in neighbours), default=1) or 1
    ring = min(cx, cy) - 48
    nodes = [Node(center_id, center_name, _short(center_name), cx, cy, 16.0, 0, True, center_name, cx, cy + 30)]
    edges = []
    for i, n in enumerate(neighbours):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(neighbours), 1)
        x, y = round(cx + ring * math.cos(angle), 1), round(cy + ring * math.sin(angle), 1)
        share = n.weight / heaviest
        title = f"{n.name}: {n.events} shared event{'s' * (n.events != 1)}, {n.documents} shared " \
                f"document{'s' * (n.documents != 1)}"
        r = round(5 + 9 * math.sqrt(share), 1)
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
        lx = round(x + (r + 5) * (1 if cos > 0 else -1), 1) if anchor != "middle" else x
        ly = round(y + (r + 12) * sin + 4, 1) if anchor == "middle" else round(y + 4, 1)
        nodes.append(Node(n.id, n.name, _short(n.name), x, y, r, n.weight, title=title, lx=lx, ly=ly, anchor=anchor))
        edges.append(Edge(cx, cy, x, y, round(1 + 5 * share, 1)))
    return nodes, edges


def _short(name: str, most: int = 22) -> str:
    return name if len(name) <= most else name[:most - 1].rstrip() + "…"


@router.get("/entities")
def entities_page(
    request: Request, p: Viewer,
    kind: Annotated[Literal["person", "org", "group", "country", "place"] | None, Blank, Query()] = None,
    q: Annotated[Annotated[str, Field(max_length=200)] | None, Blank, Query(alias="search")] = None,
    sort: Annotated[Literal["activity", "name"], Query()] = "activity",
    show_all: Annotated[bool, Query(alias="all")] = False,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    ws = acting(request, p)
    found = ws.reads.entity_list(kind, q, PAGE, offset, sort=sort, show_all=show_all, places=ws.scenarios.gazetteer)
    params = {k: v for k, v in {"kind": kind, "search": q, "sort": None if sort == "activity" else sort,
                                "all": "true" if show_all else None}.items() if v}
    return render(request, "entities.html", entities=found.items, total=found.total, offset=offset, limit=PAGE,
                  params=params, kind=kind, q=q, kinds=KINDS, sort=sort, show_all=show_all, hidden=found.hidden,
                  suggestions=found.suggestions if not offset else (), may_merge=p.may(Role.ANALYST))


@router.get("/entities/{entity_id}")
def entity_page(request: Request, p: Viewer, entity_id: EntityId,
                merged: Annotated[str | None, Query(max_length=300)] = None) -> Response:
    found = acting(request, p).reads.entity_page(entity_id, EVENTS)
    x, listed = found.entity, found.events
    nodes, edges = graph_layout(x.canonical_id, x.canonical_name, found.neighbours)
    return render(request, "entity.html", x=x, events=listed.events, total=listed.total, sentences=listed.evidence,
                  actor_chart=bar_chart(found.as_actor, title=f"Events with {x.name} as actor, per day"),
                  recipient_chart=bar_chart(found.as_recipient, title=f"Events with {x.name} as recipient, per day"),
                  neighbours=found.neighbours, nodes=nodes, edges=edges, graph_w=GRAPH_W, graph_h=GRAPH_H,
                  may_merge=p.may(Role.ANALYST), merged=merged, cap=COUNT_CAP,
                  recent_events=RECENT_EVENTS, recent_documents=RECENT_DOCUMENTS)


@router.post("/entities/{entity_id}/merge")
def merge_entity(request: Request, p: ActAnalyst, entity_id: EntityId,
                 into: Annotated[str, Form(min_length=1, max_length=300)],
                 note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    m = acting(request, p).entities.merge(entity_id, into.strip(), note.strip() or None)
    return RedirectResponse(f"/entities/{quote(m.into_id, safe='')}?merged={quote(m.from_id, safe='')}",
                            status_code=303)
