"""Ingest end to end through the Workspace, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from forewarn.app import Workspace
from forewarn.model import Marking, Reliability, SourceKind
from forewarn.model.query import DocumentQuery

STORY = (
    "Residents of Khotin said that since Sunday columns of armoured vehicles and fuel trucks have been "
    "moving along the road towards the border, mostly at night. Several families were told to leave "
    "the village for a week. Soldiers from a unit nobody had seen before are staying in the school."
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folder_ingest_keeps_provenance_and_is_idempotent(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    write(folder / "a.txt", "Title: Field report 1\nDate: 2024-08-02T10:00:00+03:00\n\n" + STORY)
    write(folder / "sub" / "b.md", "# Kursk weather\n\nRain is expected over Kursk on the weekend.")
    source = workspace.sources.add("Field reports", str(folder), kind=SourceKind.TEXT, reliability=Reliability.B,
                                  marking=Marking.AMBER, team="east", recipients=[workspace.actor])

    first = workspace.intake.ingest([source.id])
    assert (first.new, first.duplicate, first.near_duplicate, first.failed) == (2, 0, 0, 0)
    docs, total = workspace.reads.documents(DocumentQuery())
    assert total == 2
    report = next(d for d in docs if d.title == "Field report 1")
    assert report.source_id == "field-reports" and report.marking == "TLP:AMBER" and report.team == "east"
    assert report.published_at is not None and report.published_at.isoformat() == "2024-08-02T07:00:00+00:00"
    assert report.location.endswith("a.txt") and len(report.raw_sha256) == 64 and report.run_id == first.run_id

    again = workspace.intake.ingest([source.id])
    assert (again.new, again.duplicate, again.near_duplicate, again.failed) == (0, 2, 0, 0)
    assert workspace.reads.stats()["documents"] == 2 and workspace.reads.stats()["sightings"] == 2


def test_exact_duplicates_collapse_into_one_document_with_every_sighting(workspace: Workspace,
                                                                          tmp_path: Path) -> None:
    tmp_path = tmp_path / "inbox"
    write(tmp_path / "one.txt", STORY)
    write(tmp_path / "two.txt", "  " + STORY.replace(". ", ".\n   ") + "\n\n")  # layout differs only
    report = workspace.intake.ingest([str(tmp_path)])
    assert (report.new, report.duplicate) == (1, 1)
    doc = workspace.reads.documents(DocumentQuery())[0][0]
    view = workspace.reads.document(doc.id)
    assert sorted(Path(s.location).name for s in view.sightings) == ["one.txt", "two.txt"]


def test_near_duplicates_share_a_cluster_but_keep_their_own_source(workspace: Workspace, tmp_path: Path) -> None:
    write(tmp_path / "wire" / "x.txt", STORY)
    write(tmp_path / "blog" / "y.txt", STORY + "\n\nSubscribe to our channel for more news from the border!")
    write(tmp_path / "other" / "z.txt", "The harvest in Kursk region is expected to be lower this year "
          "because of the dry June, officials in the agriculture department said on Monday.")
    wire = workspace.sources.add("wire", str(tmp_path / "wire"))
    blog = workspace.sources.add("blog", str(tmp_path / "blog"))
    other = workspace.sources.add("other", str(tmp_path / "other"))
    report = workspace.intake.ingest([wire.id, blog.id, other.id])
    assert (report.new, report.near_duplicate) == (2, 1)
    docs = {d.source_id: d for d in workspace.reads.documents(DocumentQuery())[0]}
    assert docs["blog"].cluster_id == docs["wire"].id
    assert docs["other"].cluster_id == docs["other"].id
    members = workspace.reads.document(docs["wire"].id).cluster
    assert {m.source_id for m in members} == {"wire", "blog"}


def test_clusters_span_batches_and_runs(tmp_path: Path, make_workspace) -> None:  # type: ignore[no-untyped-def]
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}", batch_size=1)
    write(tmp_path / "a" / "1.txt", STORY)
    write(tmp_path / "a" / "2.txt", STORY.replace("for a week", "for two weeks"))
    ws.intake.ingest([str(tmp_path / "a")])
    write(tmp_path / "b" / "3.txt", STORY[:-40])
    report = ws.intake.ingest([str(tmp_path / "b")])
    assert report.near_duplicate == 1
    assert ws.reads.stats()["clusters"] == 1


def test_bad_items_get_codes_and_the_rest_proceeds(workspace: Workspace, tmp_path: Path) -> None:
    tmp_path = tmp_path / "inbox"  # not the folder that holds the workspace database
    write(tmp_path / "good.txt", STORY)
    write(tmp_path / "empty.txt", "")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    lines = [json.dumps({"text": "A report on the border.", "date": "2024-08-03"}), "{not json",
             json.dumps({"text": "Another one from Sudzha.", "date": "tomorrow-ish"})]
    write(tmp_path / "log.jsonl", "\n".join(lines) + "\n")
    report = workspace.intake.ingest([str(tmp_path)])
    assert report.new == 3
    assert dict(report.failed_by_code) == {"FW-E012": 1, "FW-E013": 1, "FW-E023": 1}
    assert dict(report.warnings_by_code) == {"FW-E025": 1, "FW-E030": 1}  # good.txt has no Date: header
    stored = workspace.reads.run(report.run_id)
    assert (stored.run.failed, stored.run.warnings, stored.run.status) == (3, 2, "completed")
    assert {i.code.value for i in stored.issues} == {"FW-E012", "FW-E013", "FW-E023", "FW-E025", "FW-E030"}
    broken = next(i for i in stored.issues if i.code.value == "FW-E023")
    assert broken.location.endswith("log.jsonl") and "2" in (broken.item or "")


def test_missing_input_is_an_issue_not_a_crash(workspace: Workspace, tmp_path: Path) -> None:
    write(tmp_path / "good.txt", STORY)
    report = workspace.intake.ingest([str(tmp_path / "nope"), str(tmp_path / "good.txt")])
    assert report.new == 1 and dict(report.failed_by_code) == {"FW-E010": 1}
