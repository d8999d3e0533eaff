"""`forewarn export --format stix|misp|plover` and `forewarn import`: a STIX bundle out of one workspace comes into
another as documents with their provenance, a report's own TLP marking honoured, and re-importing adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

from stix2validator import ValidationOptions, validate_string
from test_events_cli import cli, db  # noqa: F401 (db: the fixture, a workspace with two coded events)

from forewarn.model import Marking
from forewarn.model.query import DocumentQuery
from forewarn.store import open_store


def _export(url: str, tmp_path: Path, fmt: str, *more: str) -> str:
    path = tmp_path / f"out.{fmt}"
    code, out = cli(url, "export", "--format", fmt, "-o", str(path), *more)
    assert code == 0, out
    return path.read_text()


def test_each_format_exports_what_its_validator_accepts(db: str, tmp_path: Path) -> None:  # noqa: F811
    bundle = _export(db, tmp_path, "stix")
    result = validate_string(bundle, ValidationOptions(version="2.1", strict=False))
    assert result.is_valid, [e.message for e in result.errors]
    assert sum(o["type"] == "sighting" for o in json.loads(bundle)["objects"]) == 2
    events = json.loads(_export(db, tmp_path, "misp"))["response"]
    assert len(events) == 1 and events[0]["Event"]["info"] == "Strike"
    old, new = _export(db, tmp_path, "plover-jsonl"), _export(db, tmp_path, "plover")
    assert old == new and len(new.splitlines()) == 2


def test_a_stix_bundle_comes_into_another_workspace_once(db: str, tmp_path: Path) -> None:  # noqa: F811
    bundle = tmp_path / "bundle.json"
    bundle.write_text(_export(db, tmp_path, "stix", "--no-analysis"))
    other = f"sqlite:///{tmp_path / 'other.db'}"
    code, out = cli(other, "import", "stix", str(bundle), "--json")
    assert code == 0, out
    first = json.loads(out)
    assert first["new"] >= 1 and first["failed"] == 0
    code, out = cli(other, "import", "stix", str(bundle), "--json")
    assert code == 0 and json.loads(out)["new"] == 0


def test_a_reports_own_marking_closes_its_document(tmp_path: Path) -> None:
    bundle = tmp_path / "red.json"
    red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"  # OASIS TLP 2.0 TLP:RED
    bundle.write_text(json.dumps({"type": "bundle", "id": "bundle--6f0e5a3c-0d4b-4c39-9d0b-0f5f8b2a1c11", "objects": [
        {"type": "report", "spec_version": "2.1", "id": "report--0b7a4e7c-6a51-4b0e-8d8e-3f0b1c9d2e44",
         "created": "2024-08-03T10:00:00.000Z", "modified": "2024-08-03T10:00:00.000Z", "name": "Column",
         "published": "2024-08-03T10:00:00.000Z", "description": "A column of armour moved north of Sudzha.",
         "object_refs": ["identity--5d8f0b9e-3c1a-4f6e-9b2d-7a4c8e1f0a33"], "object_marking_refs": [red]}]}))
    url = f"sqlite:///{tmp_path / 'ws.db'}"
    code, out = cli(url, "import", "stix", str(bundle), "--json")
    assert code == 0 and json.loads(out)["new"] == 1, out
    store = open_store(url)
    try:
        [doc] = store.find_documents(DocumentQuery(limit=10))
        [c] = store.compartments([doc.compartment_id]).values()
    finally:
        store.close()
    assert c.marking is Marking.RED and c.recipients == ("cli-test",)


def test_an_unknown_import_format_is_a_coded_error(tmp_path: Path) -> None:
    code, out = cli(f"sqlite:///{tmp_path / 'ws.db'}", "import", "csv", str(tmp_path))
    assert code == 1 and "FW-E005" in out and "stix, taxii, misp, acled, gdelt" in out


def test_a_document_without_events_travels_unless_an_event_filter_rules_it_out(db: str, tmp_path: Path  # noqa: F811
                                                                               ) -> None:
    inbox = tmp_path / "more"
    inbox.mkdir()
    (inbox / "b.txt").write_text("Title: Bulletin\nDate: 2024-08-05\n\nNothing was coded from this bulletin.")
    code, out = cli(db, "ingest", str(inbox), "--json")
    assert code == 0, out

    def reports(*filters: str) -> set[str]:
        return {o["name"] for o in json.loads(_export(db, tmp_path, "stix", *filters))["objects"]
                if o["type"] == "report" and "threat-report" not in o.get("report_types", [])}

    assert reports() == {"Strike", "Bulletin"}
    assert reports("--from", "2024-08-05") == {"Bulletin"}  # its publication day; the strike's events are of 4 Aug
    assert reports("--type", "ASSAULT") == {"Strike"}
    assert [e["Event"]["info"] for e in json.loads(_export(db, tmp_path, "misp"))["response"]
            if e["Event"]["info"] in ("Strike", "Bulletin")] == ["Strike", "Bulletin"]
