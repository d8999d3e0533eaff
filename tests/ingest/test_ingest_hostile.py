"""Hostile input through the whole ingest, on both backends: a folder holding JSON nested 200,000
levels deep and symbolic links leading out of it is still ingested, with one coded issue per bad
item; `forewarn watch` polling such a folder keeps running; following links is a setting."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from forewarn.app import Workspace
from forewarn.config import Settings, load_settings
from forewarn.errors import Code, Issue
from forewarn.model import SourceKind
from forewarn.model.query import DocumentQuery

DEEP = "[" * 200_000 + "]" * 200_000


def hostile_inbox(root: Path) -> Path:
    """An inbox of good reports, a JSONL file and a Telegram export each with one item nested
    200,000 levels deep, and a link to a file outside the inbox."""
    inbox = root / "inbox"
    inbox.mkdir()
    (inbox / "a.jsonl").write_text('{"text": "Convoy seen near Sudzha at dawn."}\n{"text": "x", "deep": ' + DEEP
                                   + '}\n{"text": "Shelling reported in Vovchansk overnight."}\n')
    messages = [{"id": 1, "type": "message", "date_unixtime": "1722939300", "text": "Bridge at Kupiansk closed."}]
    export = json.dumps({"name": "Border watch", "messages": messages})
    (inbox / "result.json").write_text(export[:-2] + ', {"id": 2, "text": ' + DEEP + "}]}")
    (inbox / "b.txt").write_text("Title: b\nDate: 2024-08-06\n\nCheckpoint moved east of Sumy.\n")
    (root / "secret.txt").write_text("Outside the inbox: never to be ingested.\n")
    os.symlink("../secret.txt", inbox / "outside.txt")
    return inbox


def stored_texts(ws: Workspace) -> list[str]:
    return sorted(d.text for d in ws.reads.documents(DocumentQuery())[0])


def codes(issues: tuple[Issue, ...]) -> list[tuple[str, str, str | None]]:
    return sorted((i.code.value, Path(i.location).name, i.item) for i in issues)


def test_a_folder_with_deep_items_and_outside_links_stores_every_good_item(workspace: Workspace,
                                                                           tmp_path: Path) -> None:
    report = workspace.intake.ingest([str(hostile_inbox(tmp_path))])
    assert report.status == "completed" and report.new == 4
    assert stored_texts(workspace) == ["Bridge at Kupiansk closed.", "Checkpoint moved east of Sumy.",
                                       "Convoy seen near Sudzha at dawn.", "Shelling reported in Vovchansk overnight."]
    assert codes(report.issues) == [(Code.NESTING_TOO_DEEP.value, "a.jsonl", "line 2"),
                                    (Code.NESTING_TOO_DEEP.value, "result.json", "message #2"),
                                    (Code.LINK_OUTSIDE.value, "outside.txt", None)]


def test_the_watch_keeps_polling_a_folder_with_deep_items(tmp_path: Path) -> None:
    from forewarn.watch import WatchCycle, Watcher

    inbox = hostile_inbox(tmp_path)
    cycles: list[WatchCycle] = []
    errors: list[Exception] = []
    with Workspace.open(Settings(database_url=f"sqlite:///{tmp_path / 'ws.db'}", actor="t", extract=False)) as ws:
        ws.sources.add("inbox", str(inbox), kind=SourceKind.AUTO)
        Watcher(ws, interval=0).run(cycles.append, max_cycles=1, on_error=errors.append)
        (inbox / "c.txt").write_text("Title: c\nDate: 2024-08-07\n\nFerry crossing at Kherson suspended.\n")
        Watcher(ws, interval=0).run(cycles.append, max_cycles=1, on_error=errors.append)  # a restart
        texts = stored_texts(ws)
    assert errors == []
    assert [c.ingest.new if c.ingest else None for c in cycles] == [4, 1]
    assert "Ferry crossing at Kherson suspended." in texts and len(texts) == 5


def test_following_links_out_of_a_folder_is_a_setting(tmp_path: Path,
                                                      make_workspace: Callable[..., Workspace]) -> None:
    settings = load_settings(env={"FOREWARN_FOLLOW_SYMLINKS": "true"}, config_path=tmp_path / "none.toml")
    assert settings.follow_symlinks and not Settings().follow_symlinks
    ws = make_workspace(f"sqlite:///{tmp_path / 'ws.db'}", follow_symlinks=True)
    report = ws.intake.ingest([str(hostile_inbox(tmp_path))])
    assert "Outside the inbox: never to be ingested." in stored_texts(ws)
    assert Code.LINK_OUTSIDE.value not in [i.code.value for i in report.issues]
