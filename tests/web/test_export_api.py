"""``GET /api/v1/export`` and the explorer's download links: the same export as `forewarn export`, streamed, in
each format, valid by the field's own validator; a viewer may download; filters apply."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient
from stix2validator import ValidationOptions, validate_string
from web_support import World

from forewarn.model import Role


def _get(client: TestClient, url: str) -> tuple[int, str, dict[str, str]]:
    r = client.get(url)
    return r.status_code, r.text, dict(r.headers)


def test_a_stix_download_is_a_valid_bundle_with_the_analysis(as_role: Callable[[Role], TestClient],
                                                            world: World) -> None:
    code, body, headers = _get(as_role(Role.VIEWER), "/api/v1/export?format=stix")
    assert code == 200 and headers["content-type"].startswith("application/stix+json")
    assert 'attachment; filename="forewarn-' in headers["content-disposition"]
    assert headers["content-disposition"].endswith('.json"')
    result = validate_string(body, ValidationOptions(version="2.1", strict=False))
    assert result.is_valid, [e.message for e in result.errors]
    types = {o["type"] for o in json.loads(body)["objects"]}
    assert {"report", "sighting", "grouping", "marking-definition"} <= types
    warnings = [o for o in json.loads(body)["objects"] if "threat-report" in o.get("report_types", [])]
    assert len(warnings) == len(world.warning_ids)


def test_without_the_analysis_only_events_and_what_they_cite(as_role: Callable[[Role], TestClient]) -> None:
    code, body, _ = _get(as_role(Role.VIEWER), "/api/v1/export?format=stix&analysis=false")
    assert code == 200
    types = {o["type"] for o in json.loads(body)["objects"]}
    assert "grouping" not in types and "sighting" in types


def test_plover_and_misp_downloads(as_role: Callable[[Role], TestClient]) -> None:
    client = as_role(Role.VIEWER)
    code, body, headers = _get(client, "/api/v1/export?format=plover&type=MOBILIZE")
    assert code == 200 and headers["content-type"].startswith("application/x-ndjson")
    records = [json.loads(line) for line in body.splitlines()]
    assert records and {r["event"] for r in records} == {"MOBILIZE"}
    code, body, headers = _get(client, "/api/v1/export?format=misp&limit=2")
    assert code == 200 and headers["content-type"].startswith("application/json")
    assert all("Event" in e for e in json.loads(body)["response"])


def test_a_filter_narrows_the_export(as_role: Callable[[Role], TestClient]) -> None:
    client = as_role(Role.VIEWER)
    every = _get(client, "/api/v1/export?format=plover")[1].splitlines()
    few = _get(client, "/api/v1/export?format=plover&limit=1")[1].splitlines()
    assert len(every) > 1 and len(few) == 1 and few[0] == every[0]


def test_a_bad_format_or_parameter_is_a_problem_before_anything_streams(as_role: Callable[[Role], TestClient]
                                                                        ) -> None:
    client = as_role(Role.VIEWER)
    r = client.get("/api/v1/export?format=csv")
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/export?bbox=1,2,3,4").status_code == 422  # the map's box is not an export filter


def test_a_stranger_gets_nothing(web: TestClient) -> None:
    assert web.get("/api/v1/export?format=stix").status_code == 401


def test_the_explorer_offers_the_downloads_with_its_filters(as_role: Callable[[Role], TestClient]) -> None:
    html = as_role(Role.VIEWER).get("/events?type=MOBILIZE").text
    for fmt in ("plover", "stix", "misp"):
        assert '/api/v1/export?type=MOBILIZE' in html and f"format={fmt}" in html
