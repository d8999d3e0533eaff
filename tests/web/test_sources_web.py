"""Sources and ingest runs over the API and on their pages: reliability and marking, run counts, and a
run's issues with code, location, message and hint."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from web_support import World

from forewarn.app import Workspace
from forewarn.model import Marking, Reliability, SourceKind

ROLE = Callable[[str], TestClient]


def failing_run(ws: Workspace, folder: Path) -> int:
    """An ingest run that meets two bad files (one with markup in its name) and one good one."""
    inbox = folder / "mixed"
    inbox.mkdir()
    (inbox / "empty <img src=x onerror=alert(1)>.txt").write_text("")
    (inbox / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    (inbox / "fine.txt").write_text("Title: fine\nDate: 2024-08-01\n\nAn ordinary report about the weather in Kursk.\n")
    return ws.intake.ingest([str(inbox)]).run_id


def test_sources_api(world_ws: tuple[Workspace, World], as_role: ROLE) -> None:
    ws, _ = world_ws
    ws.sources.add("Partner feed", "https://reader:s3cret-pass@feeds.example.org/rss.xml", kind=SourceKind.FEED,
                  reliability=Reliability.A, marking=Marking.AMBER, team="east", recipients=["viewer"])
    others = as_role("analyst").get("/api/v1/sources").json()  # neither of team east nor shared with
    assert others["total"] == 2 and "partner-feed" not in str(others) and "feeds.example.org" not in str(others)
    body = as_role("viewer").get("/api/v1/sources").json()
    assert body["total"] == 3 and [s["id"] for s in body["items"]] == ["chat", "orbitline", "partner-feed"]
    orbit, feed = body["items"][1], body["items"][2]
    assert (orbit["reliability"], orbit["reliability_label"], orbit["marking"]) == ("B", "usually reliable",
                                                                                   "TLP:CLEAR")
    assert (feed["kind"], feed["reliability"], feed["marking"], feed["team"]) == ("feed", "A", "TLP:AMBER", "east")
    assert feed["location"] == "https://feeds.example.org/rss.xml"
    assert "s3cret" not in str(body)
    paged = as_role("viewer").get("/api/v1/sources", params={"limit": 2, "offset": 2}).json()
    assert [s["id"] for s in paged["items"]] == ["partner-feed"] and paged["next"] is None


def test_runs_api(world_ws: tuple[Workspace, World], as_role: ROLE, tmp_path: Path) -> None:
    ws, _ = world_ws
    run_id = failing_run(ws, tmp_path)
    client = as_role("viewer")
    runs = client.get("/api/v1/runs", params={"limit": 2}).json()
    assert runs["total"] == 3 and [r["id"] for r in runs["items"]] == [run_id, run_id - 1]
    assert runs["next"] is not None
    latest = runs["items"][0]
    assert (latest["status"], latest["new"], latest["failed"]) == ("completed", 1, 2)
    detail = client.get(f"/api/v1/runs/{run_id}").json()
    assert detail["id"] == run_id and detail["issues"]["total"] == 2
    codes = {i["code"]: i for i in detail["issues"]["items"]}
    assert set(codes) == {"FW-E012", "FW-E013"}
    empty = codes["FW-E012"]
    assert empty["location"].endswith("empty <img src=x onerror=alert(1)>.txt") and empty["severity"] == "error"
    assert empty["message"] and empty["hint"]
    one = client.get(f"/api/v1/runs/{run_id}", params={"limit": 1, "offset": 1}).json()["issues"]
    assert one["total"] == 2 and len(one["items"]) == 1
    assert one["items"][0]["code"] == detail["issues"]["items"][1]["code"]
    missing = client.get("/api/v1/runs/4242")
    assert missing.status_code == 404 and missing.json()["code"] == "FW-E003"
    assert client.get("/api/v1/runs/0").status_code == 422
    assert client.get("/api/v1/runs/99999999999").status_code == 422


def test_sources_page(world_ws: tuple[Workspace, World], as_role: ROLE, tmp_path: Path) -> None:
    ws, _ = world_ws
    ws.sources.add("Partner feed", "https://reader:s3cret-pass@feeds.example.org/rss.xml", kind=SourceKind.FEED,
                  reliability=Reliability.A, marking=Marking.RED, recipients=["viewer"])
    assert "partner-feed" not in as_role("analyst").get("/sources").text  # RED: for the viewer only
    run_id = failing_run(ws, tmp_path)
    page = as_role("viewer").get("/sources")
    assert page.status_code == 200
    assert '<link rel="stylesheet" href="/static/css/ledger.css">' in page.text
    row = re.search(r'<tr data-source-id="orbitline">(.*?)</tr>', page.text, re.S)
    assert row and ">B</span>" in row.group(1) and "usually reliable" in row.group(1) and "TLP:CLEAR" in row.group(1)
    feed = re.search(r'<tr data-source-id="partner-feed">(.*?)</tr>', page.text, re.S)
    assert feed and "TLP:RED" in feed.group(1) and "https://feeds.example.org/rss.xml" in feed.group(1)
    assert "s3cret" not in page.text
    run = re.search(rf'<tr data-run-id="{run_id}"[^>]*>(.*?)</tr>', page.text, re.S)
    assert run and f'<a href="/runs/{run_id}">#{run_id}</a>' in run.group(1) and "completed" in run.group(1)
    assert "1–3 of 3" in page.text


def test_run_page_lists_issues(world_ws: tuple[Workspace, World], as_role: ROLE, tmp_path: Path) -> None:
    ws, _ = world_ws
    run_id = failing_run(ws, tmp_path)
    issues = ws.reads.run(run_id).issues
    page = as_role("viewer").get(f"/runs/{run_id}")
    assert page.status_code == 200
    assert f"Ingest run #{run_id}" in page.text
    for issue in issues:
        assert f"<code>{issue.code.value}</code>" in page.text
        assert issue.message in page.text and issue.hint in page.text
    assert "empty &lt;img src=x onerror=alert(1)&gt;.txt" in page.text and "<img src=x" not in page.text
    clean = as_role("viewer").get(f"/runs/{run_id - 1}")
    assert "This run met no issues." in clean.text
    missing = as_role("viewer").get("/runs/4242")
    assert missing.status_code == 404 and "FW-E003" in missing.text
