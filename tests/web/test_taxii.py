"""The TAXII 2.1 server (issue 19, item 3), driven by taxii2-client (and plain requests for what a client does
not send) against the real workbench served by uvicorn on a loopback port, over a SQLite workspace of
compartment_support's holdings in every marking (teams north and south) and a few more open documents, each
ingested a minute after the last (its objects' ``date_added``)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from compartment_support import HOLDINGS, PASSWORD, TEAMS, add_people, extraction
from hand_support import file_source
from serving import serving
from sqlalchemy import func, select
from stix2validator import ValidationOptions, validate_instance
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.formats.stix import report_ref
from forewarn.model.marking import visible_to
from forewarn.reads.taxii import NAMESPACE, collection_id, names_of
from forewarn.store import schema as t
from forewarn.web.taxii import stamp

MEDIA = "application/taxii+json;version=2.1"
START = datetime(2024, 8, 10, 8, 0, tzinfo=UTC)
EXTRA = tuple(replace(HOLDINGS[0], key=f"op{i}", person=f"Canary Openov{i}", place=f"Openfield {i}",
                      lat=50.1 + i / 10, lon=35.1 + i / 10, phone=f"+7 912 555 07{i}0") for i in range(1, 6))
ALL = (*HOLDINGS, *EXTRA)
BY_KEY = {h.key: h for h in ALL}


class Steps:
    """The workspace's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Live:
    url: str
    ws: Workspace
    tokens: dict[str, str]  # account → API token secret
    documents: dict[str, str]  # holding key → document id
    added: dict[str, datetime]  # holding key → its document's ingested_at

    def server(self, who: str) -> Server:
        return Server(f"{self.url}/taxii2/", user=who, password=self.tokens[who])

    def collection(self, who: str, name: str) -> Collection:
        return Collection(f"{self.url}/taxii2/api/collections/{collection_id(name)}/", user=who,
                          password=self.tokens[who])

    def get(self, path: str, who: str | None = None, **headers: str) -> requests.Response:
        auth = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return requests.get(f"{self.url}/taxii2/{path}", headers={"Accept": MEDIA, **auth, **headers}, timeout=10)


def seed(ws: Workspace, clock: Steps, folder: Path) -> tuple[dict[str, str], dict[str, datetime]]:
    """Every holding ingested a minute after the last, and its extraction stored by hand."""
    documents, added = {}, {}
    for h in ALL:
        clock.now += timedelta(minutes=1)
        file_source(ws, folder / f"inbox-{h.key}", f"{h.key}.txt", title=h.title, day=START.date(), text=h.text,
                    source_id=h.source_id, source_name=f"Source {h.key}", marking=h.marking, team=h.team,
                    recipients=h.recipients)
        added[h.key] = clock.now
    by_title = {h.title: h for h in ALL}
    found = []
    for doc_id in ws.store.documents_needing_extraction():
        doc = ws.store.get_document(doc_id)
        documents[by_title[doc.title or ""].key] = doc_id
        found.append(extraction(doc_id, doc.text, by_title[doc.title or ""]))
    ws.store.save_extractions(found, START + timedelta(hours=2))
    return documents, added


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("taxii")
    clock = Steps()
    ws = Workspace.open(Settings(database_url=f"sqlite:///{folder / 'ws.db'}", actor="tester", extract=False),
                        clock=clock)
    add_people(ws)  # (cheap password hashes: tests/web/conftest.py)
    ws.accounts.add_user("vera", PASSWORD, Role.VIEWER, actor="setup")
    documents, added = seed(ws, clock, folder)
    tokens = {name: ws.accounts.create_token(name, "taxii", actor="setup")[1]
              for name in ("nora", "sam", "rita", "xavier", "vera")}
    with serving(ws) as url:
        yield Live(url, ws, tokens, documents, added)
    ws.close()


def visible_keys(name: str, collection: str) -> set[str]:
    """The holdings whose documents ``name`` reads in ``collection`` (model.marking's rule)."""
    teams = frozenset(team for team, members in TEAMS.items() if name in members)
    return {h.key for h in ALL if visible_to(h.compartment, name, teams)
            and collection in [n for n, _ in names_of(h.compartment)]}


def everything(c: Collection, per_request: int = 0, **filters: Any) -> list[list[dict[str, Any]]]:
    """Every page of a collection's objects (as_pages), as lists of objects."""
    return [page.get("objects", []) for page in as_pages(c.get_objects, per_request=per_request, **filters)]


def reports(objects: list[dict[str, Any]]) -> set[str]:
    return {o["id"] for o in objects if o["type"] == "report"}


def report_ids(live: Live, keys: set[str]) -> set[str]:
    return {report_ref(live.documents[k]) for k in keys}


# -- discovery, API root, collections ---------------------------------------------------------------------------
def test_discovery_and_api_root(live: Live) -> None:
    server = live.server("vera")
    assert server.title == "forewarn TAXII 2.1"
    assert [r.url for r in server.api_roots] == [f"{live.url}/taxii2/api/"]
    assert server.default.url == f"{live.url}/taxii2/api/"
    root = server.api_roots[0]
    assert root.versions == [MEDIA]
    assert root.max_content_length == live.ws.settings.web_max_body


@pytest.mark.parametrize(("who", "names"), [
    ("vera", ["open"]),
    ("nora", ["open", "north-amber"]),
    ("sam", ["open", "south-amber-strict"]),
    ("rita", ["open", "workspace-red"]),
    ("xavier", ["open", "north-amber"]),  # named on one of north's AMBER holdings
])
def test_collections_are_those_the_account_may_read(live: Live, who: str, names: list[str]) -> None:
    listed = ApiRoot(f"{live.url}/taxii2/api/", user=who, password=live.tokens[who]).collections
    assert [c.alias for c in listed] == names
    assert [c.id for c in listed] == [collection_id(n) for n in names]
    assert all(c.can_read and not c.can_write and c.title for c in listed)
    assert all(c.media_types == ["application/stix+json;version=2.1"] for c in listed)


def test_collection_ids_are_uuid5_of_their_names() -> None:
    assert uuid.UUID(collection_id("north-amber")).version == 5
    assert collection_id("north-amber") == str(uuid.uuid5(NAMESPACE, "north-amber"))
    assert len({collection_id(n) for n in ("open", "north-amber", "north-red", "workspace-red")}) == 4


@pytest.mark.parametrize(("who", "name"), [("nora", "open"), ("nora", "north-amber"), ("xavier", "north-amber"),
                                           ("rita", "workspace-red"), ("sam", "south-amber-strict"), ("vera", "open")])
def test_a_collection_holds_what_its_reader_may_see_of_it(live: Live, who: str, name: str) -> None:
    objects = [o for page in everything(live.collection(who, name)) for o in page]
    assert reports(objects) == report_ids(live, visible_keys(who, name))
    sightings = {o["id"] for o in objects if o["type"] == "sighting"}
    assert len(sightings) == len(visible_keys(who, name))  # one event per holding


def test_xavier_reads_only_what_north_shares_with_him(live: Live) -> None:
    objects = [o for page in everything(live.collection("xavier", "north-amber")) for o in page]
    assert reports(objects) == report_ids(live, {"shx"})
    text = str(objects)
    assert BY_KEY["amn"].person not in text and BY_KEY["amn"].token not in text


def test_a_non_member_reads_neither_the_collection_nor_its_objects(live: Live) -> None:
    north = collection_id("north-amber")
    amber_report = report_ref(live.documents["amn"])
    unknown = live.get(f"api/collections/{uuid.uuid4()}/", "sam")
    for path in (f"api/collections/{north}/", f"api/collections/{north}/objects/",
                 f"api/collections/{north}/manifest/", f"api/collections/{north}/objects/{amber_report}/"):
        answer = live.get(path, "sam")
        assert answer.status_code == 404, path
        assert answer.json()["error_code"] == unknown.json()["error_code"] == "FW-E003"
    wrong = live.get(f"api/collections/{collection_id('open')}/objects/report--{uuid.uuid4()}/", "sam")
    hidden = live.get(f"api/collections/{collection_id('open')}/objects/{amber_report}/", "sam")
    assert hidden.status_code == wrong.status_code == 404
    assert hidden.json()["title"] == wrong.json()["title"]
    assert live.get(f"api/collections/{north}/objects/{amber_report}/", "nora").status_code == 200


# -- objects: pages, filters, one object, manifest, versions ---------------------------------------------------
def first_seen(pages: list[list[dict[str, Any]]]) -> list[str]:
    return list(dict.fromkeys(o["id"] for page in pages for o in page))


@pytest.mark.parametrize("per_request", [1, 4, 7])
def test_pages_follow_next_until_more_is_false(live: Live, per_request: int) -> None:
    c = live.collection("nora", "open")
    whole = everything(c)
    assert len(whole) == 1
    pages = everything(c, per_request)
    assert len(pages) > 1 and all(0 < len(page) <= per_request for page in pages)
    assert all(len(page) == len({o["id"] for o in page}) for page in pages)  # once per page
    assert first_seen(pages) == [o["id"] for o in whole[0]]


def test_an_envelope_says_more_and_next_and_its_dates(live: Live) -> None:
    path = f"api/collections/{collection_id('open')}/objects/"
    first = live.get(f"{path}?limit=3", "nora")
    assert first.headers["content-type"] == MEDIA
    body = first.json()
    assert body["more"] is True and len(body["objects"]) == 3
    start = first.headers["X-TAXII-Date-Added-First"]
    assert start == "2024-08-10T08:01:00.000000Z"  # the first open document, ingested at 08:01
    last = live.get(f"{path}?limit=1000", "nora")
    assert last.json()["more"] is False and "next" not in last.json()
    assert last.headers["X-TAXII-Date-Added-Last"] == stamp(live.added[EXTRA[-1].key])


def test_added_after_keeps_the_objects_added_later(live: Live) -> None:
    c = live.collection("nora", "open")
    cut = live.added["op2"]
    later = [o for page in everything(c, added_after=cut) for o in page]
    assert reports(later) == report_ids(live, {"op3", "op4", "op5"})
    manifest = [m for page in as_pages(c.get_manifest, added_after=cut) for m in page.get("objects", [])]
    assert all(m["date_added"] > stamp(cut) for m in manifest)


def test_match_filters(live: Live) -> None:
    c = live.collection("nora", "open")
    only = [o for page in everything(c, type="report") for o in page]
    assert {o["type"] for o in only} == {"report"} and reports(only) == report_ids(live, visible_keys("nora", "open"))
    two = sorted(report_ids(live, {"clr", "op4"}))
    assert sorted(o["id"] for page in everything(c, id=two) for o in page) == two
    several = {o["type"] for page in everything(c, type=["sighting", "location"]) for o in page}
    assert several == {"sighting", "location"}
    assert everything(c, spec_version="2.0") == [[]]
    assert len(everything(c, spec_version="2.1")[0]) == len(everything(c)[0])
    assert len(everything(c, version="last")[0]) == len(everything(c, version="all")[0]) == len(everything(c)[0])


def test_one_object_its_versions_and_the_manifest(live: Live) -> None:
    c = live.collection("nora", "north-amber")
    rid = report_ref(live.documents["amn"])
    got = c.get_object(rid)
    assert [o["id"] for o in got["objects"]] == [rid]
    version = got["objects"][0]["modified"]
    assert c.object_versions(rid)["versions"] == [version]
    assert c.get_object(rid, version=version)["objects"][0]["id"] == rid
    with pytest.raises(requests.HTTPError, match="404"):  # no such version: nothing to give
        c.get_object(rid, version="2001-01-01T00:00:00.000Z")
    manifest = c.get_manifest()["objects"]
    entry = next(m for m in manifest if m["id"] == rid)
    assert entry == {"id": rid, "date_added": stamp(live.added["amn"]), "version": version,
                     "media_type": "application/stix+json;version=2.1"}
    assert [m["id"] for m in manifest] == [o["id"] for o in c.get_objects()["objects"]]


def test_the_objects_validate(live: Live) -> None:
    seen: dict[str, dict[str, Any]] = {}
    for who, names in (("nora", ["open", "north-amber"]), ("sam", ["south-amber-strict"]), ("rita", ["workspace-red"])):
        for name in names:
            for page in everything(live.collection(who, name)):
                seen.update((o["id"], o) for o in page)
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": list(seen.values())}
    result = validate_instance(bundle, ValidationOptions(version="2.1", strict=False))
    assert result.is_valid, [str(e) for e in result.errors]
    assert {o["type"] for o in seen.values()} >= {"report", "sighting", "location", "note", "marking-definition"}


# -- reads are audited -----------------------------------------------------------------------------------------
def test_restricted_reads_are_recorded(live: Live) -> None:
    a = t.read_audit.c
    with live.ws.store.engine.connect() as conn:
        before = conn.execute(select(func.max(a.id))).scalar() or 0
    everything(live.collection("rita", "workspace-red"))
    everything(live.collection("vera", "open"))
    with live.ws.store.engine.connect() as conn:
        new = conn.execute(select(a.account, a.kind, a.object_id, a.via).where(a.id > before)).all()
    red = live.documents["red"]
    assert {(r.account, r.kind, r.object_id, r.via) for r in new} == {
        ("rita", "document", red, "token"), ("rita", "event", event_of(live, red), "token")}


def event_of(live: Live, document_id: str) -> str:
    with live.ws.store.engine.connect() as conn:
        return str(conn.execute(select(t.events.c.id).where(t.events.c.document_id == document_id)).scalar_one())


# -- authentication, media types, errors --------------------------------------------------------------------------
def test_without_credentials_401_with_a_challenge(live: Live) -> None:
    answer = live.get("")
    assert answer.status_code == 401
    assert answer.headers["content-type"] == MEDIA
    assert "Basic" in answer.headers["www-authenticate"] and "Bearer" in answer.headers["www-authenticate"]
    body = answer.json()
    assert body["http_status"] == "401" and body["error_code"] == "FW-E100" and body["title"]


@pytest.mark.parametrize("authorization", [
    "Bearer fwt_not-a-token",
    "Basic " + base64.b64encode(b"nora:fwt_not-a-token").decode(),
    "Basic " + base64.b64encode(b"nora").decode(),
    "Basic %%%",
])
def test_a_bad_token_is_refused(live: Live, authorization: str) -> None:
    answer = live.get("api/collections/", Authorization=authorization)
    assert answer.status_code == 401 and answer.json()["error_code"] == "FW-E100"


def test_basic_needs_the_tokens_own_account(live: Live) -> None:
    mine = base64.b64encode(f"nora:{live.tokens['nora']}".encode()).decode()
    theirs = base64.b64encode(f"sam:{live.tokens['nora']}".encode()).decode()
    assert live.get("api/collections/", Authorization=f"Basic {mine}").status_code == 200
    assert live.get("api/collections/", Authorization=f"Basic {theirs}").status_code == 401


def test_bearer_tokens_work_as_well(live: Live) -> None:
    answer = live.get("api/collections/", "nora")
    assert answer.status_code == 200
    assert [c["alias"] for c in answer.json()["collections"]] == ["open", "north-amber"]


@pytest.mark.parametrize(("accept", "status"), [
    ("application/json", 406), ("application/taxii+json;version=2.0", 406), ("text/html", 406),
    ("application/taxii+json", 200), ("*/*", 200), ("application/taxii+json; version=2.1", 200),
    ("text/html, application/taxii+json;version=2.1;q=0.5", 200), ("application/taxii+json;version=2.1;q=0", 406),
])
def test_accept(live: Live, accept: str, status: int) -> None:
    answer = live.get("api/", "vera", Accept=accept)
    assert answer.status_code == status
    assert answer.headers["content-type"] == MEDIA
    if status == 406:
        assert answer.json()["http_status"] == "406"


def test_nothing_can_be_written(live: Live) -> None:
    path = f"{live.url}/taxii2/api/collections/{collection_id('open')}/objects/"
    auth = {"Authorization": f"Bearer {live.tokens['nora']}", "Accept": MEDIA, "Content-Type": MEDIA}
    added = requests.post(path, data=b'{"objects": []}', headers=auth, timeout=10)
    assert added.status_code == 403 and added.json()["error_code"] == "FW-E101"
    stranger = requests.post(path, data=b'{"objects": []}', headers={"Accept": MEDIA}, timeout=10)
    assert stranger.status_code == 401 and stranger.json()["error_code"] == "FW-E100"
    gone = requests.delete(f"{path}report--{uuid.uuid4()}/", headers=auth, timeout=10)
    assert gone.status_code == 403


@pytest.mark.parametrize(("query", "code"), [("next=not-a-page", "FW-E005"), ("added_after=yesterday", "FW-E005"),
                                             ("match[colour]=red", "FW-E106"), ("limit=0", "FW-E005")])
def test_bad_parameters_are_400(live: Live, query: str, code: str) -> None:
    answer = live.get(f"api/collections/{collection_id('open')}/objects/?{query}", "nora")
    assert answer.status_code == 400 and answer.json()["error_code"] == code


def test_a_limit_past_the_most_is_served_as_the_most(live: Live) -> None:
    answer = live.get(f"api/collections/{collection_id('open')}/objects/?limit=5000", "nora")
    assert answer.status_code == 200 and answer.json()["more"] is False


def test_an_unknown_resource_is_a_taxii_404(live: Live) -> None:
    answer = live.get("api/nowhere/", "nora")
    assert answer.status_code == 404 and answer.headers["content-type"] == MEDIA
    assert answer.json()["error_code"] == "FW-E003"
