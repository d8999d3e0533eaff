"""TAXII 2.1 server time (issue 19): the TAXII resources over the marked store of N events (default 1,000,000),
the one bench/markings_pages.py builds (a copy of bench/fill_events.py's cached SQLite file with a tenth of the
documents restricted: half AMBER+STRICT of team "north", half RED for ``bench-admin``), asked by ``bench-admin``
(member of north, the RED recipient) with an API token, through Starlette's TestClient.

Resources, each requested --warmup times, then --repeat times; every answer checked for status 200 and a
TAXII body (an objects page must hold objects):

  discovery, api root, collections, collection     /taxii2/, /taxii2/api/, …/collections/, …/collections/ID/
  objects: open, first page                        limit 100 (the default)
  objects: open, a later page                      the fifth page's ``next``
  objects: open, added_after                       objects added in the last day of the fill
  objects: open, limit 1000                        the largest page
  objects: open, match[type]=report                one type
  objects: north-amber-strict / workspace-red      the restricted collections (their reads audited)
  manifest: open                                   limit 100
  object by id                                     a report of the first page, and its versions

Server time is the ``Server-Timing: app;dur`` header; the table shows its median and p95 and the workbench's page
budget (p95 ≤ 100 ms, issue 16).

    python bench/taxii_pages.py --events 50000 --repeat 10
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from fill_events import ADMIN, DEFAULT_EVENTS
from markings_pages import marked_sqlite
from sqlalchemy import func, select
from web_pages import _p95, server_ms

from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.reads.taxii import collection_id
from forewarn.runtime import settle
from forewarn.store import schema as t
from forewarn.web import create_app
from forewarn.web.taxii import MEDIA_TYPE, stamp

BUDGET_MS = 100.0
ROOT = "/taxii2/api/collections"


def endpoints(client: TestClient, ws: Workspace) -> list[tuple[str, str]]:
    """What to ask for: (name, path), the later page, the recent date and the report id read from the store."""
    open_objects = f"{ROOT}/{collection_id('open')}/objects/"
    url = open_objects
    for _ in range(4):
        url = f"{open_objects}?next={_json(client, url)['next']}"
    with ws.store.engine.connect() as conn:
        last = conn.execute(select(func.max(t.documents.c.ingested_at))).scalar_one()
    report = next(o["id"] for o in _json(client, open_objects)["objects"] if o["type"] == "report")
    return [("discovery", "/taxii2/"), ("api root", "/taxii2/api/"), ("collections", f"{ROOT}/"),
            ("collection", f"{ROOT}/{collection_id('open')}/"),
            ("objects: open, first page", open_objects), ("objects: open, a later page", url),
            ("objects: open, added_after", f"{open_objects}?added_after={stamp(last - timedelta(days=1))}"),
            ("objects: open, limit 1000", f"{open_objects}?limit=1000"),
            ("objects: open, match[type]=report", f"{open_objects}?match[type]=report"),
            ("objects: north-amber-strict", f"{ROOT}/{collection_id('north-amber-strict')}/objects/"),
            ("objects: workspace-red", f"{ROOT}/{collection_id('workspace-red')}/objects/"),
            ("manifest: open", f"{ROOT}/{collection_id('open')}/manifest/"),
            ("object by id (first page)", f"{open_objects}{report}/"),
            ("object versions (first page)", f"{open_objects}{report}/versions/")]


def _json(client: TestClient, path: str) -> Any:
    answer = client.get(path)
    if answer.status_code != 200 or not answer.headers["content-type"].startswith("application/taxii+json"):
        raise SystemExit(f"{path} answered {answer.status_code}: {answer.text[:300]}")
    body = answer.json()
    if "/objects/" in path and "versions" not in path and not body.get("objects"):
        raise SystemExit(f"{path} answered no objects")
    return body


def timed(client: TestClient, path: str, repeat: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        _json(client, path)
    out = []
    for _ in range(repeat):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        out.append(server_ms(answer))
    return out


def run(url: str, args: argparse.Namespace, progress: Callable[[str], None]) -> bool:
    ws = Workspace.open(Settings(database_url=url, actor="bench-taxii", extract=False))
    try:
        _, secret = ws.accounts.create_token(ADMIN, "taxii bench", actor="bench-taxii")
        app = create_app(ws)
        settle()
        with TestClient(app, headers={"Authorization": f"Bearer {secret}", "Accept": MEDIA_TYPE}) as client:
            rows = []
            for name, path in endpoints(client, ws):
                progress(f"  {name}")
                times = timed(client, path, args.repeat, args.warmup)
                rows.append((name, statistics.median(times), _p95(times)))
    finally:
        ws.close()
    return report(args.events, rows)


def report(n: int, rows: list[tuple[str, float, float]]) -> bool:
    print(f"\nTAXII server time, {n:,} events (SQLite), ms")
    print(f"| {'endpoint':<36} | {'p50':>7} | {'p95':>7} | budget | ok |")
    print(f"|{'-' * 38}|{'-' * 9}|{'-' * 9}|--------|----|")
    for name, p50, p95 in rows:
        print(f"| {name:<36} | {p50:7.1f} | {p95:7.1f} | {BUDGET_MS:6.0f} | {'✓' if p95 <= BUDGET_MS else '✗':>2} |")
    return all(p95 <= BUDGET_MS for _, _, p95 in rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--fraction", type=float, default=0.1, help="share of the documents restricted")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--db", help="measure this store (a URL) as it is")
    args = parser.parse_args()

    def progress(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    url = args.db or marked_sqlite(args.events, args.fraction, progress)
    ok = run(url, args, progress)
    print(f"\n{'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
