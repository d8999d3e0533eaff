"""Extraction through the Workspace and the CLI: ingest extracts, `forewarn extract` re-runs,
failures are recorded and retried, a changed lexicon makes extractions stale."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from forewarn.cli.main import app
from forewarn.model.query import EventQuery

REPORTS = {
    "a.txt": "Title: Shelling in Sudzha\nDate: 2024-08-06\n\nRussian troops shelled the village of Sudzha in the "
             "Kursk region on Tuesday, the governor said.\n",
    "b.txt": "Title: Talks\nDate: 2024-08-02\n\nVladimir Putin met Alexander Lukashenko in Minsk.\n",
    "c.txt": "Title: Weather\nDate: 2024-08-03\n\nThe weather stayed warm and dry across the region.\n",
}


def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name, text in REPORTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_ingest_extracts_new_documents(db_url, make_workspace, tmp_path):
    ws = make_workspace(db_url, extract=True)
    report = ws.intake.ingest([str(corpus(tmp_path))])
    assert report.new == 3 and report.extraction is not None
    assert report.extraction.extracted == 3 and report.extraction.failed == 0
    events = ws.reads.events(EventQuery())
    assert sorted(e.type for e in events) == ["ASSAULT", "CONSULT"]
    shelling = next(e for e in events if e.type == "ASSAULT")
    assert shelling.place is not None and shelling.place.name == "Sudzha"
    assert str(shelling.date) == "2024-08-06" and shelling.extractor == report.extraction.extractor
    assert ws.intake.extract().documents == 0  # nothing left to do


def test_a_near_duplicate_on_its_own_is_extracted_at_ingest(sqlite_workspace, make_workspace, tmp_path):
    """A re-post with a changed word is a document of its own (another source may vouch for it): it is
    extracted when it arrives, not when some unrelated new document happens to come next."""
    ws = make_workspace(str(sqlite_workspace.settings.database_url), extract=True)
    ws.intake.ingest([str(corpus(tmp_path))])
    repost = tmp_path / "repost"
    repost.mkdir()
    (repost / "a2.txt").write_text(REPORTS["a.txt"].replace("Tuesday", "Tuesday morning"), encoding="utf-8")
    report = ws.intake.ingest([str(repost)])
    assert (report.new, report.near_duplicate) == (0, 1)
    assert report.extraction is not None and report.extraction.extracted == 1
    assert ws.intake.extract().documents == 0


def test_a_failed_document_is_recorded_and_retried(sqlite_workspace, fail_claims_on, tmp_path):
    ws = sqlite_workspace
    ws.intake.ingest([str(corpus(tmp_path))])  # extract=False: ingest only
    fail_claims_on("Lukashenko")
    first = ws.intake.extract()
    assert (first.documents, first.extracted, first.failed) == (3, 2, 1)
    assert "claims component failed" in first.failures[0][1]
    failed_id = first.failures[0][0]
    assert ws.reads.extraction(failed_id).status.status == "failed"  # type: ignore[union-attr]
    fail_claims_on(None)
    retry = ws.intake.extract(failed_only=True)
    assert (retry.documents, retry.failed) == (1, 0)
    assert ws.reads.extraction(failed_id).status.status == "ok"  # type: ignore[union-attr]


def test_changed_lexicon_makes_extractions_stale(sqlite_workspace, make_workspace, tmp_path):
    sqlite_workspace.intake.ingest([str(corpus(tmp_path))])
    assert sqlite_workspace.intake.extract().extracted == 3
    lexicon = tmp_path / "lexicon.yaml"
    lexicon.write_text("verbs:\n  CONSULT:\n    meet: null\nnouns: {}\n", encoding="utf-8")
    url = sqlite_workspace.settings.database_url
    changed = make_workspace(url, event_lexicon=str(lexicon))
    assert changed.intake.extract().documents == 0  # up to date unless asked
    redo = changed.intake.extract(stale=True)
    assert redo.extracted == 3 and "/lex-" in redo.extractor
    assert [e.type for e in changed.reads.events(EventQuery())] == ["CONSULT"]  # shelling is no event any more


def test_extract_and_marked_document_view_from_the_cli(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    env = {"COLUMNS": "200"}
    assert runner.invoke(app, ["--db", db, "ingest", str(corpus(tmp_path))], env=env).exit_code == 0
    result = runner.invoke(app, ["--db", db, "extract"], env=env)
    assert result.exit_code == 0, result.output
    assert "extracted 3 of 3 documents" in result.output
    events = runner.invoke(app, ["--db", db, "events", "--type", "ASSAULT", "--json"], env=env)
    assert '"ASSAULT"' in events.output and "Sudzha" in events.output
    doc_id = events.output.split('"document_id": "')[1][:12]
    shown = runner.invoke(app, ["--db", db, "docs", "show", doc_id], env=env)
    assert shown.exit_code == 0 and "ASSAULT/heavy-weapons" in shown.output and "Sudzha" in shown.output
    again = runner.invoke(app, ["--db", db, "extract"], env=env)
    assert "nothing to extract" in again.output


@pytest.mark.parametrize("flag", ["--failed", "--stale"])
def test_extract_flags_run_on_an_empty_workspace(tmp_path, flag):
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path / 'e.db'}", "extract", flag])
    assert result.exit_code == 0 and "nothing to extract" in result.output
