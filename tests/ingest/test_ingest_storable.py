"""Hostile input at ingest (issue 11): file names that are not UTF-8, NUL and lone surrogates in
texts (the same result on SQLite and PostgreSQL), store errors that must not print texts, a full
disk, targets missing at the start, hand-written reports without a date, posted sources in watch."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from forewarn.app import Workspace
from forewarn.errors import Code, ForewarnError, StoreUnavailable
from forewarn.ingest.normalise import document_id, normalise, os_location, text_location
from forewarn.model import Reliability, Source, SourceKind
from forewarn.model.query import DocumentQuery
from forewarn.model.source import POSTED
from forewarn.store import schema as t
from forewarn.watch import Watcher

STORY = "Armoured columns were seen moving along the road from Sudzha towards the border crossing overnight."
SECRET = "CANARY-TEXT-7f3a9"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _bad_name(folder: Path, text: str) -> bytes:
    """A file named ``bad\\xff\\xfe.txt`` (bytes that are not UTF-8); returns its full path as bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    path = os.path.join(os.fsencode(folder), b"bad\xff\xfe.txt")
    with open(path, "wb") as handle:
        handle.write(f"Date: 2024-08-06\n\n{text}\n".encode())
    return path


def _locations(ws: Workspace) -> list[str]:
    return sorted(d.location for d in ws.store.find_documents(DocumentQuery(limit=100)))


# -- item 8: file names whose bytes are not UTF-8 --------------------------------------------------

@pytest.mark.parametrize("name", [b"bad\xff\xfe.txt", b"caf\xc3\xa9.txt", b"back\\slash.txt", b"back\\xff.txt",
                                  b"\xed\xa0\x80.txt", b"mixed\\\xff\\x.txt"])
def test_text_location_is_valid_text_and_maps_back_to_the_bytes(name: bytes) -> None:
    path = os.fsdecode(b"/data/in/" + name)
    text = text_location(path)
    text.encode("utf-8")  # valid text: every store can hold it
    assert os_location(text) == path
    assert os.fsencode(os_location(text)) == b"/data/in/" + name


def test_text_locations_of_different_names_differ() -> None:
    names = [b"a\xff.txt", b"a\\xff.txt", b"a\\\\xff.txt", b"a\xc3\xbf.txt"]
    forms = {text_location(os.fsdecode(n)) for n in names}
    assert len(forms) == len(names)
    assert text_location("https://example.org/a\\b") == "https://example.org/a\\b"  # URLs are not paths


def test_a_file_name_with_invalid_utf8_is_stored_and_the_folder_proceeds(workspace: Workspace,
                                                                       tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _write(inbox / "good.txt", "Date: 2024-08-05\n\n" + STORY)
    raw_path = _bad_name(inbox, "Shelling was reported in Krasnopillia on Tuesday morning by the local council.")
    report = workspace.intake.ingest([str(inbox)])
    assert (report.new, report.failed, report.status) == (2, 0, "completed")
    stored = _locations(workspace)
    assert str(inbox / "bad") + "\\xff\\xfe.txt" in stored
    assert any(os.fsencode(os_location(loc)) == raw_path for loc in stored)
    again = workspace.intake.ingest([str(inbox)])  # the same files again: nothing new, no second sighting
    assert (again.new, again.duplicate, again.failed) == (0, 2, 0)
    assert workspace.reads.stats()["sightings"] == 2


def test_a_bad_file_name_in_an_issue_is_stored_as_text(workspace: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    with open(os.path.join(os.fsencode(folder), b"empty\xff.txt"), "wb"):
        pass
    report = workspace.intake.ingest([str(folder)])
    [issue] = workspace.reads.run(report.run_id).issues
    assert issue.code is Code.EMPTY and issue.location == str(folder / "empty") + "\\xff.txt"


# -- item 11: NUL and other characters no store can hold -----------------------------------------

NUL_LINES = [
    {"text": "Troops\u0000 crossed the river near Tetkino at dawn, officials said.", "title": "Cross\u0000ing",
     "date": "2024-08-06"},
    {"text": "A drone struck a fuel depot in Belgorod\ud800 overnight.", "title": "Depot", "date": "2024-08-06"},
    {"text": "Border guards reported calm along the Sumy frontier on Monday.", "date": "2024-08-05"},
]


def _nul_file(tmp_path: Path) -> Path:
    lines = [json.dumps(line) for line in NUL_LINES]  # JSON escapes: \u0000 and a lone \ud800
    return _write(tmp_path / "in" / "nul.jsonl", "\n".join(lines) + "\n")


def _ingest_nul(ws: Workspace, tmp_path: Path) -> dict[str, Any]:
    report = ws.intake.ingest([str(_nul_file(tmp_path))], column_map={"text": "text", "title": "title", "date": "date"})
    docs = ws.store.find_documents(DocumentQuery(limit=10))
    return {"new": report.new, "failed": report.failed, "warnings": dict(report.warnings_by_code),
            "docs": sorted((d.id, d.text, d.title) for d in docs)}


EXPECTED_TEXTS = {"Crossing\n\nTroops crossed the river near Tetkino at dawn, officials said.",
                  "Depot\n\nA drone struck a fuel depot in Belgorod overnight.",
                  "Border guards reported calm along the Sumy frontier on Monday."}


def test_nul_and_lone_surrogates_are_removed_by_one_rule(workspace: Workspace, tmp_path: Path) -> None:
    result = _ingest_nul(workspace, tmp_path)
    assert (result["new"], result["failed"], result["warnings"]) == (3, 0, {"FW-E031": 2})
    assert {text for _, text, _ in result["docs"]} == EXPECTED_TEXTS
    assert {title for _, _, title in result["docs"]} == {"Crossing", "Depot", None}
    assert all(doc_id == document_id(normalise(text)) for doc_id, text, _ in result["docs"])


def test_both_backends_give_the_same_result(tmp_path: Path, pg_url: str,
                                            make_workspace: Callable[..., Workspace]) -> None:
    on_sqlite = _ingest_nul(make_workspace(f"sqlite:///{tmp_path / 'ws.db'}"), tmp_path / "a")
    on_postgres = _ingest_nul(make_workspace(pg_url), tmp_path / "b")
    assert on_sqlite == on_postgres


def test_a_store_error_on_a_batch_is_coded_and_never_carries_the_text(
        workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_write(tx: Any, batch: Any) -> None:  # a row the database refuses, holding a document's text
        tx.execute(t.sources.insert().values(id=None, kind="text", name=SECRET, location=SECRET))

    monkeypatch.setattr(workspace.store, "write_batch", failing_write)
    _write(tmp_path / "in" / "a.txt", f"Date: 2024-08-06\n\n{STORY} {SECRET}")
    with pytest.raises(ForewarnError) as caught:
        workspace.intake.ingest([str(tmp_path / "in")])
    assert caught.value.code is Code.DATABASE_UNAVAILABLE and "IntegrityError" in str(caught.value)
    assert SECRET not in str(caught.value) and caught.value.__suppress_context__
    assert workspace.reads.runs(1)[0].status == "failed"


def test_database_errors_never_show_their_parameters(workspace: Workspace) -> None:
    """On any connection of the store, not only at a batch: the driver's error comes out coded."""
    with pytest.raises(StoreUnavailable) as caught, workspace.store.transaction() as conn:
        conn.execute(t.sources.insert().values(id=None, kind="text", name="n", location=SECRET + "-param"))
    assert caught.value.code is Code.DATABASE_UNAVAILABLE and "IntegrityError" in str(caught.value)
    assert SECRET + "-param" not in str(caught.value) and "INSERT" not in str(caught.value)
    assert workspace.store.engine.hide_parameters  # wherever SQLAlchemy words the error, parameters stay out


# -- item 13: a full disk -------------------------------------------------------------------------

def limit_pages(ws: Workspace, spare_pages: int) -> None:
    """Let the SQLite file grow by ``spare_pages`` pages at most: then it is "full" (SQLITE_FULL)."""
    with ws.store.engine.connect() as conn:
        pages = int(conn.exec_driver_sql("PRAGMA page_count").scalar_one())

    @event.listens_for(ws.store.engine, "connect")
    def _small(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")

    ws.store.engine.dispose()


def _big_reports(folder: Path, n: int = 8) -> None:
    for i in range(n):
        words = " ".join(f"w{i}x{j}" for j in range(20_000))
        _write(folder / f"r{i}.txt", f"Date: 2024-08-06\n\n{SECRET} {words}")


def test_a_full_disk_is_storage_full_and_the_batch_is_rolled_back(sqlite_workspace: Workspace,
                                                                  tmp_path: Path) -> None:
    ws = sqlite_workspace
    _big_reports(tmp_path / "in")
    limit_pages(ws, spare_pages=12)
    with pytest.raises(ForewarnError) as caught:
        ws.intake.ingest([str(tmp_path / "in")])
    assert caught.value.code is Code.STORAGE_FULL and "full" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert ws.reads.stats()["documents"] == 0  # nothing half-stored


# -- item 15: a target missing at the start -------------------------------------------------------

def test_a_target_missing_at_the_start_is_not_found_and_unread(workspace: Workspace, tmp_path: Path) -> None:
    good = _write(tmp_path / "other.txt", "Date: 2024-08-06\n\n" + STORY)
    missing = str(tmp_path / "no-such\\dir") + "/"  # a backslash: written as text once, "\\\\"
    report = workspace.intake.ingest([missing, str(good)])
    assert report.new == 1 and report.unread == (missing.replace("\\", "\\\\"),)
    [issue] = [i for i in report.issues if i.code is Code.FILE_MISSING]
    assert "not found" in issue.message and "vanished" not in issue.message
    assert issue.location == text_location(missing) and os_location(issue.location) == missing


def test_a_target_of_nothing_but_errors_is_unread_and_a_good_one_is_not(workspace: Workspace,
                                                                       tmp_path: Path) -> None:
    _write(tmp_path / "bad" / "empty.txt", "")
    _write(tmp_path / "good" / "a.txt", "Date: 2024-08-06\n\n" + STORY)
    _write(tmp_path / "quiet" / "notes.unknown-kind", "x")  # only a file no reader takes: an error, unread
    report = workspace.intake.ingest([str(tmp_path / "bad"), str(tmp_path / "good"), str(tmp_path / "quiet")])
    assert report.new == 1 and report.unread == (str(tmp_path / "bad"), str(tmp_path / "quiet"))
    again = workspace.intake.ingest([str(tmp_path / "good")])  # read again: duplicates are read, not unread
    assert again.duplicate == 1 and again.unread == ()


# -- item 16: hand-written reports without a publication date -------------------------------------

def test_a_report_without_a_date_header_gets_a_warning(workspace: Workspace, tmp_path: Path) -> None:
    _write(tmp_path / "in" / "undated.md", "# Overnight shelling\n\nShelling hit Sumy overnight, on 20 August.")
    _write(tmp_path / "in" / "dated.txt", "Title: Convoy\nDate: 2024-08-04\n\n" + STORY)
    _write(tmp_path / "in" / "garbled.txt", "Date: sometime soon\n\nA convoy of trucks moved through Sumy today.")
    report = workspace.intake.ingest([str(tmp_path / "in")])
    assert report.new == 3 and dict(report.warnings_by_code) == {"FW-E025": 1, "FW-E030": 1}
    [issue] = [i for i in report.issues if i.code is Code.NO_PUBLICATION_DATE]
    assert issue.location.endswith("undated.md") and "Date:" in issue.hint


# -- item 13: watch and posted-document sources ---------------------------------------------------

def test_watch_and_ingest_skip_posted_document_sources(sqlite_workspace: Workspace, tmp_path: Path) -> None:
    ws = sqlite_workspace
    _write(tmp_path / "in" / "a.txt", "Date: 2024-08-06\n\n" + STORY)
    ws.sources.add("Inbox", str(tmp_path / "in"), kind=SourceKind.AUTO, source_id="inbox")
    ws.store.add_source(Source(id="web", kind=SourceKind.TEXT, name="Posted", location=POSTED + "web",
                               reliability=Reliability.F, created_at=ws.clock()))
    assert [s.id for s in Watcher(ws, interval=0).changed_sources()] == ["inbox"]
    report = ws.intake.ingest(["web", "inbox"])
    assert report.new == 1 and report.failed == 0 and report.unread == ()


def test_a_source_whose_folder_name_is_not_utf8_is_stored_and_read(workspace: Workspace, tmp_path: Path) -> None:
    folder = os.path.join(os.fsencode(tmp_path), b"reports\xff")
    os.mkdir(folder)
    with open(os.path.join(folder, b"one.txt"), "w", encoding="utf-8") as f:
        f.write("Date: 2024-08-05\n\n" + STORY)
    workspace.sources.add("Odd folder", os.fsdecode(folder), source_id="odd")
    [source] = [s for s in workspace.sources.all() if s.id == "odd"]
    assert source.location == str(tmp_path / "reports") + "\\xff"
    report = workspace.intake.ingest(["odd"])
    assert (report.new, report.failed, report.status) == (1, 0, "completed")
