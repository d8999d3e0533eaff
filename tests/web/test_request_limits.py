"""Web hardening (issue 11): who may post a document into which source (item 2), request bodies read
only from accounts and only up to their route's limit (item 9), ``Cache-Control: no-store`` on
everything with a user's data (item 13), and an API that refuses unknown or blank query parameters
and documents every problem it answers (item 14)."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_support import World

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.model import Reliability, SourceKind
from forewarn.model.query import DocumentQuery
from forewarn.web import create_app

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
PROBLEM = "application/problem+json"
MiB = 1024 * 1024


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def stored(ws: Workspace, marker: str) -> int:
    found, _ = ws.reads.documents(DocumentQuery(text=marker))
    return len(found)


def posted_entries(ws: Workspace) -> int:
    return len(ws.ledger.entries(kind="document-posted"))


# -- item 2: which source a document may be posted into ----------------------------------------

@pytest.fixture
def graded_source(world_ws: tuple[Workspace, World], tmp_path: Path) -> str:
    """A file source graded C (fairly reliable): what is posted into it would weigh as C."""
    ws, _ = world_ws
    folder = tmp_path / "wire"
    folder.mkdir()
    return ws.sources.add("Wire C", str(folder), kind=SourceKind.TEXT, source_id="wire-c",
                         reliability=Reliability.C).id


def test_an_analyst_may_not_post_into_a_graded_source(world_ws: tuple[Workspace, World], web: TestClient,
                                                      token_for: Callable[[str], str], graded_source: str) -> None:
    ws, _ = world_ws
    entries = posted_entries(ws)
    response = web.post("/api/v1/documents", headers=bearer(token_for("analyst")),
                        json={"text": "marker-c1: armour near Sudzha, says the wire.", "source": graded_source})
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith(PROBLEM) and response.json()["code"] == "FW-E101"
    assert "wire-c" in response.json()["detail"] and response.json()["hint"]
    assert stored(ws, "marker-c1") == 0 and posted_entries(ws) == entries


def test_the_page_form_refuses_it_too(world_ws: tuple[Workspace, World], as_role: Callable[[str], TestClient],
                                      graded_source: str) -> None:
    ws, _ = world_ws
    analyst = as_role("analyst")
    response = analyst.post("/documents", data={"text": "marker-c2: armour near Sudzha.", "source": graded_source,
                                                "csrf_token": analyst.csrf})  # type: ignore[attr-defined]
    assert response.status_code == 403 and "FW-E101" in response.text
    assert stored(ws, "marker-c2") == 0


def test_a_duty_officer_may_post_into_any_source(world_ws: tuple[Workspace, World], web: TestClient,
                                                 token_for: Callable[[str], str], graded_source: str) -> None:
    ws, _ = world_ws
    response = web.post("/api/v1/documents", headers=bearer(token_for("duty_officer")),
                        json={"text": "marker-c3: armour near Sudzha, says the wire.", "source": graded_source})
    assert response.status_code == 201, response.text
    assert ws.store.get_document(response.json()["document_id"]).source_id == graded_source
    [entry] = [e for e in ws.ledger.entries(kind="document-posted")
               if e.subject == f"document:{response.json()['document_id']}"]
    assert entry.actor == "duty_officer" and entry.payload["reliability"] == "C"


def test_analysts_post_into_web_and_their_own_sources_only(world_ws: tuple[Workspace, World], web: TestClient,
                                                           token_for: Callable[[str], str]) -> None:
    ws, _ = world_ws
    ws.accounts.add_user("analyst2", "another analyst's passphrase", Role.ANALYST, actor="setup")
    _, second = ws.accounts.create_token("analyst2", "test", actor="setup")
    first = token_for("analyst")

    def post(secret: str, text: str, source: str) -> int:
        return web.post("/api/v1/documents", headers=bearer(secret), json={"text": text, "source": source}).status_code

    assert post(first, "marker-o1: a patrol report from the north.", "north-notes") == 201  # created: it is theirs
    assert ws.store.get_source("north-notes").reliability is Reliability.F
    assert post(first, "marker-o2: a second patrol report from the north.", "north-notes") == 201
    assert post(second, "marker-o3: someone else's report.", "north-notes") == 403
    assert post(second, "marker-o4: a report into the shared source.", "web") == 201
    assert post(first, "marker-o5: a report into the shared source too.", "web") == 201
    assert stored(ws, "marker-o3") == 0


# -- item 9: request bodies ----------------------------------------------------------------------

class Asgi:
    """One request sent straight to the app, its body in chunks handed out on demand (counted)."""

    def __init__(self, app: Any, method: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]) -> None:
        self.app, self.chunks = app, chunks
        self.scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                      "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
                      "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
                      "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}
        self.read, self.status, self.body = 0, 0, b""

    async def receive(self) -> dict[str, Any]:
        chunk = next(self.chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        self.read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    def run(self) -> Asgi:
        """Drive the app in a thread of its own: the browser tests' Playwright keeps an event loop
        running in the main thread for the whole session."""
        worker = threading.Thread(target=asyncio.run, args=(self.app(self.scope, self.receive, self.send),))
        worker.start()
        worker.join()
        return self


def chunks(size: int, total: int) -> Iterator[bytes]:
    block = b"x" * size
    for _ in range(total // size):
        yield block


@sqlite_only
def test_a_strangers_body_is_not_read(world_ws: tuple[Workspace, World]) -> None:
    ws, _ = world_ws
    app = create_app(ws)
    for headers in ({"transfer-encoding": "chunked"}, {"content-length": str(400 * MiB)},
                    {"transfer-encoding": "chunked", "authorization": "Bearer fwt_made-up"}):
        sent = Asgi(app, "POST", "/api/v1/documents", {"content-type": "application/json", **headers},
                    chunks(64 * 1024, 400 * MiB)).run()
        assert sent.status == 401 and b"FW-E100" in sent.body, (headers, sent.body[:200])
        assert sent.read == 0, f"{sent.read} chunks of a stranger's body were read"
    page = Asgi(app, "POST", "/documents", {"content-type": "application/x-www-form-urlencoded",
                                            "transfer-encoding": "chunked"}, chunks(64 * 1024, 64 * MiB)).run()
    assert page.status == 401 and page.read == 0 and b"FW-E100" in page.body


@sqlite_only
def test_an_accounts_body_is_read_only_up_to_its_routes_limit(world_ws: tuple[Workspace, World],
                                                               token_for: Callable[[str], str]) -> None:
    ws, _ = world_ws
    app, token = create_app(ws), token_for("analyst")
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    limit, block = ws.settings.web_max_body, 64 * 1024
    streamed = Asgi(app, "POST", "/api/v1/warnings", {**headers, "transfer-encoding": "chunked"},
                    chunks(block, 200 * MiB)).run()
    assert streamed.status == 413 and b"FW-E105" in streamed.body and b"web_max_body" in streamed.body
    assert streamed.read <= limit // block + 1, f"read {streamed.read} chunks past a {limit}-byte limit"
    declared = Asgi(app, "POST", "/api/v1/warnings", {**headers, "content-length": str(limit + 1)},
                    chunks(block, limit + block)).run()
    assert declared.status == 413 and declared.read == 0
    # a document may be larger than an action (max_bytes, plus the envelope): 2 MiB passes the guard
    doc = Asgi(app, "POST", "/api/v1/documents", {**headers, "content-length": str(2 * MiB)}, chunks(block, 2 * MiB)
               ).run()
    assert doc.status == 422 and b"FW-E005" in doc.body  # not JSON, said by the app: the guard let it through
    too_big = 4 * ws.settings.max_bytes + limit + 1
    assert Asgi(app, "POST", "/api/v1/documents", {**headers, "content-length": str(too_big)}, iter(())
                ).run().status == 413


@sqlite_only
def test_the_413_is_a_problem_document(world_ws: tuple[Workspace, World], web: TestClient,
                                       token_for: Callable[[str], str]) -> None:
    ws, _ = world_ws
    headers = {**bearer(token_for("analyst")), "content-type": "application/json"}
    response = web.post("/api/v1/warnings", headers=headers, content=b" " * (ws.settings.web_max_body + 1))
    assert response.status_code == 413 and response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["code"] == "FW-E105" and body["status"] == 413 and "/api/v1/warnings" in body["detail"]
    assert response.headers["cache-control"] == "no-store" and response.headers["x-frame-options"] == "DENY"


def _vm(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in bytes."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return fields


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _stream(port: int, path: str, headers: dict[str, str], total: int) -> tuple[int, int]:
    """POST ``total`` bytes in chunks made on the fly; returns (status, bytes the server let us send)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}Transfer-Encoding: chunked\r\n\r\n".encode())
    sent, block = [0], b"y" * (256 * 1024)

    def pump() -> None:
        frame = f"{len(block):x}\r\n".encode() + block + b"\r\n"
        try:
            while sent[0] < total:
                sock.sendall(frame)
                sent[0] += len(block)
            sock.sendall(b"0\r\n\r\n")
        except OSError:  # the server closed the connection: it has answered
            pass

    sender = threading.Thread(target=pump, daemon=True)
    sender.start()
    answer = b""
    while b"\r\n" not in answer:
        data = sock.recv(4096)
        if not data:
            break
        answer += data
    sender.join(timeout=120)
    sock.close()
    return int(answer.split(b" ", 2)[1]), sent[0]


@pytest.mark.slow
@sqlite_only
def test_large_bodies_do_not_grow_the_servers_memory(world_ws: tuple[Workspace, World], tmp_path: Path,
                                                     token_for: Callable[[str], str]) -> None:
    """The real server (uvicorn, in its own process): 200 MB streamed by a stranger, and 200 MB streamed
    by an analyst past the documents route's limit, leave its peak memory within 50 MB."""
    ws, _ = world_ws
    token, port = token_for("analyst"), _free_port()
    env = {**os.environ, "FOREWARN_DATABASE_URL": ws.settings.database_url, "FOREWARN_EXTRACT": "false",
           "FOREWARN_MAX_BYTES": str(MiB), "FOREWARN_ACTOR": "server"}
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "forewarn", "serve", "--port", str(port)], env=env,
                                  cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        warm = _stream(port, "/api/v1/documents", {"Authorization": f"Bearer {token}",
                                                    "Content-Type": "application/json"}, 256 * 1024)
        assert warm[0] == 422  # a small body reaches the app (not JSON): the server works
        before = _vm(server.pid)
        stranger = _stream(port, "/api/v1/documents", {"Content-Type": "application/json"}, 200 * MiB)
        analyst = _stream(port, "/api/v1/documents", {"Authorization": f"Bearer {token}",
                                                       "Content-Type": "application/json"}, 200 * MiB)
        after = _vm(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert stranger[0] == 401 and analyst[0] == 413, (stranger, analyst)
    growth = after["VmHWM"] - before["VmHWM"]
    print(f"server memory: VmHWM {before['VmHWM'] / MiB:.1f} -> {after['VmHWM'] / MiB:.1f} MiB "
          f"(+{growth / MiB:.1f}), VmRSS {before['VmRSS'] / MiB:.1f} -> {after['VmRSS'] / MiB:.1f} MiB; "
          f"sent {stranger[1] / MiB:.0f} and {analyst[1] / MiB:.0f} MiB")
    assert growth < 50 * MiB, f"the server's peak memory grew by {growth / MiB:.1f} MiB"


# -- item 13: no-store ----------------------------------------------------------------------------

@sqlite_only
def test_responses_with_user_data_are_not_stored(web: TestClient, as_role: Callable[[str], TestClient],
                                                 token_for: Callable[[str], str]) -> None:
    viewer = as_role("viewer")
    with_data = {
        "api (token)": web.get("/api/v1/me", headers=bearer(token_for("viewer"))),
        "api (session)": viewer.get("/api/v1/warnings"),
        "page": viewer.get("/"),
        "problem": viewer.get("/api/v1/warnings/999999"),
        "login page": web.get("/login"),
        "refused": web.get("/api/v1/me"),
    }
    for name, response in with_data.items():
        assert response.headers.get("cache-control") == "no-store", (name, response.headers)
    assert "no-store" not in web.get("/static/forewarn.js").headers.get("cache-control", "")  # the same for all


# -- item 14: query parameters and the schema -------------------------------------------------------

@pytest.mark.parametrize(("path", "query", "named"), [
    ("/api/v1/events", {"tpye": "MOBILIZE"}, "tpye"),
    ("/api/v1/documents", {"sorce": "alpha"}, "sorce"),
    ("/api/v1/warnings", {"state": "all", "severty": "high"}, "severty"),
    ("/api/v1/me", {"x": "1"}, "x"),
])
@sqlite_only
def test_unknown_query_parameters_are_refused(web: TestClient, token_for: Callable[[str], str], path: str,
                                              query: dict[str, str], named: str) -> None:
    response = web.get(path, params=query, headers=bearer(token_for("viewer")))
    assert response.status_code == 422, response.text
    body = response.json()
    assert response.headers["content-type"].startswith(PROBLEM) and body["code"] == "FW-E106"
    assert named in body["detail"]
    if path != "/api/v1/me":
        assert "limit" in body["hint"] and "offset" in body["hint"]  # the known ones are listed
    assert web.get(path, params={k: v for k, v in query.items() if k != named},
                   headers=bearer(token_for("viewer"))).status_code == 200


@pytest.mark.parametrize("query", [{"document": ""}, {"document": "  "}, {"from": ""}, {"type": ""},
                                   {"min-confidence": ""}, {"source": ""}])
@sqlite_only
def test_blank_filters_are_refused(web: TestClient, token_for: Callable[[str], str], query: dict[str, str]) -> None:
    response = web.get("/api/v1/events", params=query, headers=bearer(token_for("viewer")))
    assert response.status_code == 422 and response.json()["code"] == "FW-E005", response.text
    assert next(iter(query)) in response.json()["detail"]


@sqlite_only
def test_the_explorer_page_still_takes_blank_form_fields(as_role: Callable[[str], TestClient]) -> None:
    """The page's filter form sends every field, blank or not: blank means absent there."""
    response = as_role("viewer").get("/events", params={"document": "", "type": "", "from": "", "place": ""})
    assert response.status_code == 200


@sqlite_only
def test_the_schema_documents_every_problem(web: TestClient) -> None:
    schema = web.get("/api/v1/openapi.json").json()
    assert "Problem" in schema["components"]["schemas"]
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            responses = op["responses"]
            for status, spec in responses.items():
                if status.startswith(("4", "5")):
                    assert list(spec["content"]) == [PROBLEM], where
                    assert spec["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}, where
            assert "422" in responses, where
            if path != "/api/v1/errors/{code}":
                assert "401" in responses, where
            if method != "get":
                assert {"403", "409", "413"} <= set(responses), where
