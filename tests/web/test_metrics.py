"""The workbench's operations endpoints: /healthz for load balancers (no login, nothing but the verdict) and
/metrics in Prometheus's text format for any account's token, whose figures move with the store — documents
waiting for extraction, notifications waiting in the outbox, extractions saved — and whose labels are fixed
words, never a source's or a scenario's name."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from detect_store_helpers import Report, extraction, seed
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from web_support import World, build_world

from forewarn.app import Workspace
from forewarn.store import health as health_module
from forewarn.store.health import SPREAD, StoreHealth
from forewarn.watch import StoreGauges
from forewarn.web import create_app

HOOK = "http://127.0.0.1:9/hook"  # the discard port: nothing listens, every delivery fails at once
LABELS = {"reason": {"never", "failed"}, "state": {"pending", "retrying", "dead"}, "window": {"5m", "15m"},
          "which": {"newest", "oldest"}, "figure": {"extraction_waiting", "extracted"},
          "method": {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"},
          "status": {"1xx", "2xx", "3xx", "4xx", "5xx"}}
NEW = Report("wire", "w1", date(2024, 8, 12), "armour of the Ukrainian army crossed a bridge south of Sudzha "
             "before noon, a farmer told the local paper.")
Figures = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def hooked(db_url: str, tmp_path: Path, make_workspace: Callable[..., Workspace]) -> tuple[Workspace, World]:
    """The web tests' world in a workspace with a webhook: its cycle queued the raised warnings' notifications."""
    ws = make_workspace(db_url, webhook_url=HOOK)
    return ws, build_world(ws, tmp_path)


@pytest.fixture
def client(hooked: tuple[Workspace, World]) -> Iterator[TestClient]:
    with TestClient(create_app(hooked[0]), follow_redirects=False) as client:
        yield client


@pytest.fixture
def token(hooked: tuple[Workspace, World]) -> str:
    _, secret = hooked[0].accounts.create_token("viewer", "metrics", actor="setup")  # the least role will do
    return secret


def scrape(client: TestClient, token: str) -> Figures:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def ingest_unextracted(ws: Workspace, folder: Path) -> None:
    """One new document, not extracted (extraction is off in the suite): it waits."""
    inbox = folder / "unread"
    inbox.mkdir()
    (inbox / "a.txt").write_text("Title: a\n\nTroops gathered near the border crossing on Monday, residents said.\n")
    ws.sources.add("unread", str(inbox))
    assert ws.intake.ingest(["unread"]).new == 1


def value(figures: Figures, name: str, **labels: str) -> float:
    return figures[(name, tuple(sorted(labels.items())))]


def test_healthz_answers_anyone_with_the_verdict_only(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_a_store_gone_is_503_and_reads_as_down(tmp_path: Path, make_workspace: Callable[..., Workspace]) -> None:
    folder = tmp_path / "store"
    ws = make_workspace(f"sqlite:///{folder / 'ws.db'}")
    ws.accounts.add_user("ops", "a long enough password", "viewer", actor="setup")
    _, secret = ws.accounts.create_token("ops", "metrics", actor="setup")
    with TestClient(create_app(ws)) as client:
        assert client.get("/healthz").status_code == 200
        assert scrape(client, secret)[("forewarn_database_up", ())] == 1
        ws.store.close()  # every pooled connection closed: the next one must open the file again
        shutil.rmtree(folder)
        health = client.get("/healthz")
        metrics = client.get("/metrics", headers={"Authorization": f"Bearer {secret}"})  # the token cannot be read
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": "unreachable", "code": "FW-E002"}
    assert str(folder) not in health.text
    assert metrics.status_code == 503 and "forewarn_" not in metrics.text
    families = list(StoreGauges(lambda: ws.health.figures(ws.clock())).collect())
    assert [(f.name, [s.value for s in f.samples]) for f in families] == [("forewarn_database_up", [0.0])]


def test_metrics_need_an_account(client: TestClient, token: str) -> None:
    for headers in ({}, {"Authorization": "Bearer fwt_not-a-token"}, {"Authorization": "Basic dmlld2VyOng="}):
        response = client.get("/metrics", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["code"] == "FW-E100"
        assert "forewarn_" not in response.text
    assert scrape(client, token)[("forewarn_database_up", ())] == 1


def test_metrics_move_with_the_store(hooked: tuple[Workspace, World], client: TestClient, token: str,
                                     clock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each scrape reads the store afresh (no figure reused, however long a read took on a busy machine: reuse is
    tested on its own below)."""
    monkeypatch.setattr(health_module, "CHEAP_S", math.inf)
    ws, _ = hooked
    before = scrape(client, token)
    assert value(before, "forewarn_extraction_waiting_documents", reason="never") == 0
    assert value(before, "forewarn_extraction_waiting_documents", reason="failed") == 0
    assert value(before, "forewarn_extraction_waiting_capped") == 0
    tried = len(ws.warnings.outbox("pending"))  # the world's cycle raised a warning and failed to deliver it
    assert value(before, "forewarn_outbox_notifications", state="retrying") == tried > 0
    assert value(before, "forewarn_outbox_notifications", state="pending") == 0
    assert value(before, "forewarn_outbox_oldest_pending_age_seconds") == 0  # queued at the workspace's 12:00
    assert value(before, "forewarn_extracted_documents", window="5m") == 0  # the world's were saved hours ago
    assert value(before, "forewarn_assessment_age_seconds", which="newest") == 6 * 3600  # published at 06:00
    assert value(before, "forewarn_last_cycle_age_seconds") == 0  # the cycle ran at the workspace's 12:00
    assert value(before, "forewarn_ledger_entries") == len(ws.ledger.entries())

    seed_one = seed(ws, tmp_path / "more", (NEW,))  # ingested and extracted: nothing waits
    [doc_id] = seed_one.values()
    ws.store.record_extraction_failure(doc_id, "test 1", "no model", clock())
    ws.warnings.raise_warning("Bridging near Sudzha", "Seen by a farmer.", "elevated")  # queued, not yet tried
    clock.advance(minutes=2)
    waiting = scrape(client, token)
    assert value(waiting, "forewarn_extraction_waiting_documents", reason="failed") == 1
    assert value(waiting, "forewarn_outbox_notifications", state="pending") == 1
    assert value(waiting, "forewarn_outbox_oldest_pending_age_seconds") == 120
    assert value(waiting, "forewarn_last_cycle_age_seconds") == 120
    ws.warnings.deliver()  # the webhook refuses: the new notification is to be retried too
    failed = scrape(client, token)
    assert value(failed, "forewarn_outbox_notifications", state="pending") == 0
    assert value(failed, "forewarn_outbox_notifications", state="retrying") == tried + 1

    ws.store.save_extractions([extraction(doc_id, ws.store.get_document(doc_id).text, NEW)], clock())
    saved = scrape(client, token)
    assert value(saved, "forewarn_extraction_waiting_documents", reason="failed") == 0
    assert value(saved, "forewarn_extracted_documents", window="5m") == 1
    assert value(saved, "forewarn_extracted_events", window="15m") == 1
    assert value(saved, "forewarn_extraction_documents_per_second", window="5m") == pytest.approx(1 / 300)
    assert value(saved, "forewarn_http_requests_total", method="GET", status="2xx") > \
        value(failed, "forewarn_http_requests_total", method="GET", status="2xx")


def test_documents_never_extracted_wait(hooked: tuple[Workspace, World], client: TestClient, token: str,
                                        tmp_path: Path) -> None:
    ws, _ = hooked
    ingest_unextracted(ws, tmp_path)
    assert value(scrape(client, token), "forewarn_extraction_waiting_documents", reason="never") == 1


def test_labels_are_fixed_words(hooked: tuple[Workspace, World], client: TestClient, token: str) -> None:
    ws, world = hooked
    client.get("/login")
    client.request("BREW", "/")  # an unusual method counts as "other"
    response = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    labels = {(k, v) for family in text_string_to_metric_families(response.text) for s in family.samples
              for k, v in s.labels.items() if k != "le"}  # a histogram's bucket bounds are numbers
    assert {k for k, _ in labels} <= set(LABELS)
    assert all(v in LABELS[k] for k, v in labels), labels
    assert ("method", "other") in labels
    names = [world.scenario_id, ws.scenarios.get(world.scenario_id).name, *(s.id for s in ws.sources.all()),
             *(s.location for s in ws.sources.all()), HOOK, "viewer"]
    assert [n for n in names if n in response.text] == []


def test_every_scrape_reads_the_store_now(hooked: tuple[Workspace, World], client: TestClient, token: str,
                                          clock: Any) -> None:
    """The gauges are read at the scrape, as of the workspace's clock (not cached by the registry)."""
    first = value(scrape(client, token), "forewarn_assessment_age_seconds", which="oldest")
    clock.advance(hours=1)
    assert value(scrape(client, token), "forewarn_assessment_age_seconds", which="oldest") == first + 3600


class Ticks:
    """A monotonic clock one second further at every reading: every read of a figure takes a second."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1
        return self.now


def test_a_slow_figure_is_reused_for_a_while_and_says_how_old_it_is(
        hooked: tuple[Workspace, World], tmp_path: Path) -> None:
    ws, _ = hooked
    ticks = Ticks()
    health = StoreHealth(ws.store.engine, monotonic=ticks)
    first = health.figures(ws.clock())
    assert first.waiting.never == 0 and first.ages == {"extraction_waiting": 0, "extracted": 0}
    ingest_unextracted(ws, tmp_path)
    reused = health.figures(ws.clock())  # each read took "a second": reused for SPREAD seconds
    assert reused.waiting.never == 0 and reused.ages["extraction_waiting"] > 0
    ticks.now += SPREAD
    fresh = health.figures(ws.clock())
    assert fresh.waiting.never == 1 and fresh.ages["extraction_waiting"] == 0
