"""A workspace store holding N synthetic events (default 1,000,000) for the workbench benchmarks.

A benchmark fixture, not product data: the rows go straight into the schema tables (SQLAlchemy
Core's metadata names the columns; SQLite through ``executemany`` of the driver, PostgreSQL
through ``COPY``), with the secondary indexes dropped during the load and built afterwards.

What it holds, drawn from a seeded random generator:

- 50 sources (Admiralty grades A-F, TLP markings), one ingest run;
- about 3,000 entities over 22 countries (people, organisations, groups, countries), each with
  one to three aliases; 1 % of them merged into another entity of their country;
- documents of 1 to 8 events each (4.5 on average: N/4.5 documents), dated over the 730 days up to the
  fill (volume growing over time), a few short sentences of English whose offsets the events,
  mentions, places and claims point into; 4 % of them near-duplicates of an earlier one (a duplicate
  cluster of 2 or more), each with its sighting and extraction row;
- events of the 16 PLOVER types with a skewed distribution (CONSULT and ASSAULT common, CONCEDE
  rare), PLOVER modes, actors drawn with a Zipf skew (a few entities take part in many events), a
  recipient in 60 %, a place in 75 % (towns of the 22 countries with a few kilometres of jitter,
  some region- or country-level), confidence 0.35-0.99, 4 % negated;
- two packaged scenarios (cross-border-incursion, large-scale-invasion), each with 150 published
  assessments over the two years (the last one a real assessment over the filled store, the
  others random walks of its signals), through ``ws.scenarios.publish`` so the ledger has them;
- 24 warnings raised over the last 60 days, 16 of them disposed, the others open (acknowledged,
  escalated or only raised); an admin account ``bench-admin``.

A PostgreSQL fill of more than a million events (whole millions) generates the first million and has the
server copy them (``INSERT … SELECT``; ``copies_for``, ``_PgLoader.replicate``): copy k of a document and of
everything extracted from it gets ids derived from the original's and k, and is published k × 137 minutes
earlier, so the store is that many times denser over the same two years — a watch floor with that many times the
feeds — with the same distributions; sources and entities are shared. The scenarios' real assessment and the
warnings are made over the whole store, after the copies.

``cached_postgres(server, n)`` keeps such a store in a database of its own on the bench server
(``forewarn_bench_<n>``), marked with its fill and schema revision (table ``bench_fill``), and reuses it.

``cached_sqlite(n)`` keeps the filled SQLite file under ~/.cache/forewarn/bench/, keyed by N, the
schema revision and the fill's format version, so that a second run skips the fill; a file of the same fill at an
older schema revision is copied and migrated to the current one instead of filled again (the migrations add tables
and columns: minutes, not the fill's half hour). Judgments (bench/fill_judgments.py) are added by the page bench
after the fill, not cached with it.

    python bench/fill_events.py --events 50000            # fill (or find) the cached SQLite file
    python bench/fill_events.py --events 50000 --db URL   # fill a given (empty) store
    FOREWARN_BENCH_PG_URL="$(bash scripts/postgres.sh)" python bench/fill_events.py --events 10000000 \
        --backend postgresql                              # fill (or find) the cached PostgreSQL database
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import random
import re
import shutil
import sqlite3
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from alembic.config import Config
from alembic.script import ScriptDirectory
from fill_judgments import add_judgments
from sqlalchemy import Boolean, Date, Table, create_engine, func, make_url, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.schema import CreateIndex

from forewarn.accounts import Role
from forewarn.app import Workspace
from forewarn.config import Settings
from forewarn.detect.plover import MODES
from forewarn.model import Assessment, Scenario
from forewarn.store import open_store
from forewarn.store import schema as t
from forewarn.store.core import MIGRATIONS
from forewarn.store.counts import recount_events
from forewarn.store.ingest import document_key
from forewarn.store.stories import count_document_days
from forewarn.store.types import JSONText, UTCDateTime

FILL_VERSION = 1  # bump when what the fill writes changes: cached files of older versions are not reused
DEFAULT_EVENTS = 1_000_000
BASE_EVENTS = 1_000_000  # a bigger PostgreSQL fill generates this many and has the server copy them (copies_for)
DAYS = 730
SOURCES = 50
ENTITIES = 3000
BATCH_DOCS = 10_000
HISTORY = 150  # published assessments per scenario
SCENARIOS = ("cross-border-incursion", "large-scale-invasion")
ADMIN, ADMIN_PASSWORD = "bench-admin", "bench-admin-password"
EXTRACTOR = "bench-fill/1"
CACHE = Path("~/.cache/forewarn/bench").expanduser()

# PLOVER types: how often each is coded (relative)
TYPE_WEIGHTS = {"CONSULT": 18, "ASSAULT": 16, "ACCUSE": 10, "COOPERATE": 8, "MOBILIZE": 7, "SUPPORT": 6,
                "REQUEST": 6, "AGREE": 5, "COERCE": 5, "THREATEN": 4, "PROTEST": 4, "AID": 3, "REJECT": 3,
                "SANCTION": 2, "RETREAT": 2, "CONCEDE": 1}
VERBS = {"CONSULT": ("met", "held talks with", "phoned"), "ASSAULT": ("shelled", "struck", "attacked"),
         "ACCUSE": ("accused", "blamed", "criticised"), "COOPERATE": ("worked with", "signed a deal with"),
         "MOBILIZE": ("moved troops towards", "massed armour against"), "SUPPORT": ("backed", "praised"),
         "REQUEST": ("asked", "urged", "called on"), "AGREE": ("agreed with", "reached an accord with"),
         "COERCE": ("detained members of", "seized assets of"), "THREATEN": ("threatened", "warned"),
         "PROTEST": ("protested against", "rallied against"), "AID": ("sent aid to", "supplied"),
         "REJECT": ("rejected", "refused"), "SANCTION": ("sanctioned", "expelled diplomats of"),
         "RETREAT": ("withdrew from", "pulled back from"), "CONCEDE": ("conceded to", "apologised to")}
CONTEXTS = ("military", "political", "economic", "humanitarian", "cyber")

# country: (weight, name, demonym, towns: (name, first-level region, lat, lon))
COUNTRIES: dict[str, tuple[float, str, str, tuple[tuple[str, str, float, float], ...]]] = {
    "UKR": (20, "Ukraine", "Ukrainian", (("Kharkiv", "Kharkiv Oblast", 49.99, 36.23),
                                         ("Sumy", "Sumy Oblast", 50.91, 34.80),
                                         ("Chernihiv", "Chernihiv Oblast", 51.50, 31.29),
                                         ("Kyiv", "Kyiv City", 50.45, 30.52),
                                         ("Odesa", "Odesa Oblast", 46.48, 30.72),
                                         ("Zaporizhzhia", "Zaporizhzhia Oblast", 47.84, 35.14),
                                         ("Kherson", "Kherson Oblast", 46.64, 32.62))),
    "RUS": (16, "Russia", "Russian", (("Kursk", "Kursk Oblast", 51.73, 36.19),
                                      ("Sudzha", "Kursk Oblast", 51.19, 35.27),
                                      ("Belgorod", "Belgorod Oblast", 50.60, 36.59),
                                      ("Bryansk", "Bryansk Oblast", 53.24, 34.36),
                                      ("Moscow", "Moscow", 55.76, 37.62),
                                      ("Rostov-on-Don", "Rostov", 47.23, 39.72),
                                      ("Voronezh", "Voronezh Oblast", 51.67, 39.18))),
    "BLR": (3, "Belarus", "Belarusian", (("Minsk", "Minsk City", 53.90, 27.56),
                                         ("Gomel", "Gomel Oblast", 52.43, 31.00),
                                         ("Brest", "Brest Oblast", 52.10, 23.69))),
    "POL": (3, "Poland", "Polish", (("Warsaw", "Mazovia", 52.23, 21.01), ("Rzeszow", "Subcarpathia", 50.04, 22.00))),
    "MDA": (2, "Moldova", "Moldovan", (("Chisinau", "Chisinau Municipality", 47.01, 28.86),)),
    "GEO": (2, "Georgia", "Georgian", (("Tbilisi", "Tbilisi", 41.72, 44.78), ("Batumi", "Adjara", 41.64, 41.63))),
    "SYR": (5, "Syria", "Syrian", (("Aleppo", "Aleppo", 36.20, 37.16), ("Idlib", "Idlib", 35.93, 36.63),
                                   ("Damascus", "Damascus", 33.51, 36.29))),
    "ISR": (5, "Israel", "Israeli", (("Tel Aviv", "Tel Aviv", 32.08, 34.78), ("Haifa", "Haifa", 32.79, 34.99))),
    "PSE": (5, "Palestine", "Palestinian", (("Gaza", "Gaza Strip", 31.50, 34.47),
                                            ("Nablus", "West Bank", 32.22, 35.25))),
    "LBN": (2, "Lebanon", "Lebanese", (("Beirut", "Beyrouth", 33.89, 35.50), ("Tyre", "South Governorate", 33.27,
                                                                              35.20))),
    "IRN": (3, "Iran", "Iranian", (("Tehran", "Tehran", 35.69, 51.39), ("Isfahan", "Isfahan", 32.65, 51.67))),
    "IRQ": (3, "Iraq", "Iraqi", (("Baghdad", "Baghdad", 33.31, 44.36), ("Mosul", "Nineveh", 36.34, 43.13))),
    "YEM": (3, "Yemen", "Yemeni", (("Sanaa", "Sanaa", 15.35, 44.21), ("Aden", "Aden", 12.78, 45.04))),
    "SDN": (3, "Sudan", "Sudanese", (("Khartoum", "Khartoum", 15.50, 32.56), ("El Fasher", "North Darfur", 13.63,
                                                                              25.35))),
    "MLI": (2, "Mali", "Malian", (("Bamako", "Bamako", 12.65, -8.00), ("Gao", "Gao", 16.27, -0.04))),
    "NER": (2, "Niger", "Nigerien", (("Niamey", "Niamey", 13.51, 2.11),)),
    "BFA": (2, "Burkina Faso", "Burkinabe", (("Ouagadougou", "Centre", 12.37, -1.53),)),
    "MMR": (2, "Myanmar", "Burmese", (("Yangon", "Yangon", 16.87, 96.20), ("Mandalay", "Mandalay", 21.97, 96.08))),
    "TWN": (2, "Taiwan", "Taiwanese", (("Taipei", "Taipei", 25.03, 121.57), ("Kaohsiung", "Kaohsiung", 22.63,
                                                                             120.30))),
    "CHN": (2, "China", "Chinese", (("Beijing", "Beijing", 39.90, 116.41), ("Shanghai", "Shanghai", 31.23, 121.47))),
    "USA": (4, "the United States", "American", (("Washington", "Washington, D.C.", 38.90, -77.04),
                                                 ("New York", "New York", 40.71, -74.01))),
    "GBR": (2, "the United Kingdom", "British", (("London", "England", 51.51, -0.13),)),
}
# organisations every country has: (slug, name pattern, sector, alias pattern)
BODIES = (("military", "Armed Forces of {c}", "military", "{d} army"),
          ("government", "Government of {c}", "government", "{d} government"),
          ("mfa", "Ministry of Foreign Affairs of {c}", "government", "{d} foreign ministry"),
          ("mod", "Ministry of Defence of {c}", "military", "{d} defence ministry"),
          ("police", "National Police of {c}", "police", "{d} police"),
          ("intel", "Intelligence Service of {c}", "intelligence", "{d} intelligence"),
          ("border", "Border Guard of {c}", "military", "{d} border guards"),
          ("rebels", "{d} Liberation Front", "rebel", "{d} rebels"),
          ("media", "{d} State Television", "media", "{d} TV"),
          ("ngo", "{d} Red Crescent and Red Cross", "ngo", "{d} aid workers"))
GROUPS = (("protesters", "{d} protesters", "civilian"), ("residents", "{d} residents", "civilian"),
          ("troops", "{d} troops", "military"), ("militants", "{d} militants", "rebel"),
          ("officials", "{d} officials", "government"))
FIRST = ("Anna", "Boris", "Carmen", "Dmytro", "Elena", "Farid", "Grace", "Hassan", "Irina", "Jamal", "Karin", "Leon",
         "Maria", "Nikolai", "Olga", "Pavel", "Qasim", "Rosa", "Sergei", "Tamara", "Umar", "Vera", "Walid", "Xenia",
         "Yusuf", "Zara", "Oleksandr", "Natalia", "Ahmed", "Mei", "Kofi", "Amadou", "Aung", "Chen", "Daniel", "Laila")
LAST = ("Abramov", "Bondarenko", "Castillo", "Demir", "Ershova", "Farouk", "Gruber", "Haddad", "Ivanenko", "Jaber",
        "Kovalenko", "Lebedev", "Mansour", "Novak", "Orlova", "Petrenko", "Qureshi", "Romanova", "Sokolov", "Tkachenko",
        "Usmanov", "Volkova", "Wang", "Yilmaz", "Zakharov", "Traore", "Diallo", "Kyaw", "Liu", "Mensah", "Shevchenko",
        "Melnyk", "Kuznetsov", "Rahimi", "Nasser", "Okafor")
TITLES = ("President", "Minister", "General", "Governor", "Spokesperson", "Commander", "Mayor", "Ambassador")
FILLER = ("Local officials gave no further details.", "The report could not be independently verified.",
          "Residents described a tense night.", "Talks are expected to continue next week.",
          "Witnesses said the roads were crowded.", "The ministry declined to comment.",
          "Earlier statements had played down the risk.", "Analysts expect more of the same in the coming days.",
          "Power was cut in several districts.", "Schools in the area stayed closed.")
QUOTES = ("we will respond to any provocation", "the situation remains under control",
          "civilians must be allowed to leave", "there is no military solution", "the border is secure",
          "more help is needed now")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Filled:
    url: str
    events: int
    documents: int
    end: datetime  # the fill's "now": the latest publication, assessment and warning are before it
    seconds: float  # time the fill took (0 when a cached file was used)
    cached: bool


@dataclass(frozen=True)
class _Entity:
    id: str
    name: str
    kind: str
    country: str
    sector: str | None
    aliases: tuple[str, ...]
    canonical: str  # the entity events are counted under (itself unless merged)


def schema_revision() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def migrations_digest(upto: str) -> str:
    """A digest of the migration scripts up to revision ``upto``: while an issue is under way its migrations are
    edited in place under the same revision id, and a file migrated by an earlier edit must not be reused."""
    digest = hashlib.sha256()
    for script in sorted((MIGRATIONS / "versions").glob("[0-9]*.py")):
        if script.name[:len(upto)] <= upto:
            digest.update(script.name.encode() + b"\0" + script.read_bytes())
    return digest.hexdigest()[:8]


def cache_path(n: int, seed: int = 7) -> Path:
    head = schema_revision()
    return CACHE / f"events-{n}-seed{seed}-rev{head}-{migrations_digest(head)}-v{FILL_VERSION}.db"


_CACHED = re.compile(r"-rev(\d+)(?:-([0-9a-f]{8}))?-v\d+\.db$")


def older_cache(n: int, seed: int = 7) -> Path | None:
    """The newest cached file of the same fill (``n``, ``seed``, format version) at an older schema revision,
    migrated by the scripts as they are now (a name without a digest predates the digests: trusted)."""
    head = schema_revision()
    usable = []
    for path in CACHE.glob(f"events-{n}-seed{seed}-rev*-v{FILL_VERSION}.db"):
        if (m := _CACHED.search(path.name)) and m.group(1) < head and (
                m.group(2) is None or m.group(2) == migrations_digest(m.group(1))):
            usable.append((m.group(1), m.group(2) is not None, path))
    return max(usable)[2] if usable else None


def cached_sqlite(n: int = DEFAULT_EVENTS, *, seed: int = 7, force: bool = False,
                  progress: Callable[[str], None] = print) -> Filled:
    """The cached SQLite store of ``n`` events, filled first when missing (or ``force``)."""
    path = cache_path(n, seed)
    url = f"sqlite:///{path}"
    if path.exists() and not force:
        return _describe(url, 0.0, cached=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    older = None if force else older_cache(n, seed)
    if older is not None:  # the same fill at an older schema revision: copied and migrated, not filled again
        t0 = time.perf_counter()
        shutil.copyfile(older, partial)
        open_store(f"sqlite:///{partial}").close()  # migrates to the head revision
        os.replace(partial, path)
        progress(f"  {older.name} copied and migrated to revision {schema_revision()} in "
                 f"{time.perf_counter() - t0:.0f} s")
        _drop_stale(path, n, seed)
        return _describe(url, 0.0, cached=True)
    filled = fill(f"sqlite:///{partial}", n, seed=seed, progress=progress)
    os.replace(partial, path)  # only a complete fill gets the cache's name
    _drop_stale(path, n, seed)
    return replace(filled, url=url)


def _drop_stale(path: Path, n: int, seed: int) -> None:
    """Files of the same fill at the head revision migrated by scripts since edited (and copies made from them,
    such as bench/markings_pages.py's): never reused, gigabytes each."""
    stem = path.name.removesuffix(".db")
    for stale in CACHE.glob(f"events-{n}-seed{seed}-rev{schema_revision()}-*-v{FILL_VERSION}*.db"):
        if not stale.name.startswith(stem):
            stale.unlink()


def copies_for(n: int) -> int:
    """How many copies of a generated fill a PostgreSQL fill of ``n`` events is made of (whole millions above one
    million: a million generated, the rest copied by the server)."""
    return n // BASE_EVENTS if n > BASE_EVENTS and n % BASE_EVENTS == 0 else 1


def cached_postgres(server: str, n: int = DEFAULT_EVENTS, *, seed: int = 7, force: bool = False,
                    progress: Callable[[str], None] = print) -> Filled:
    """The cached PostgreSQL store of ``n`` events: a database of its own, ``forewarn_bench_<n>``, on the server
    of ``server`` (the URL of any of its databases), filled first when missing (or ``force``). Its table
    ``bench_fill`` names the fill (N, seed, copies, format version) and the schema revision it was migrated to;
    a store of the same fill at an older revision is migrated to the current one, any other is dropped and
    filled again, as is one migrated by scripts since edited (as :func:`older_cache` does for SQLite). Unlike
    the SQLite file it holds the page benches' judgments too (bench/fill_judgments.py: they assess the scenarios
    over the whole store, minutes at this size), added before the marker: a fill cut short is filled again."""
    url = make_url(server).set(database=f"forewarn_bench_{n}", query={}).render_as_string(hide_password=False)
    copies = copies_for(n)
    key = f"events={n} seed={seed} copies={copies} version={FILL_VERSION}"
    started = time.perf_counter()
    head = schema_revision()  # read before the store is migrated: the scripts may change meanwhile
    digest = migrations_digest(head)
    marker = None if force else _marker(url)
    if marker is not None and marker[0] == key and marker[2] == migrations_digest(marker[1]):
        filled_in = f"filled in {marker[3]:.0f} s on {marker[4]:%Y-%m-%d}"
        if marker[1] != head:
            t0 = time.perf_counter()
            open_store(url).close()  # migrates to the head revision
            _mark(url, key, head, digest, marker[3])
            progress(f"  cached store ({filled_in}) migrated from revision {marker[1]} to {head} in "
                     f"{time.perf_counter() - t0:.0f} s")
        else:
            progress(f"  cached store at revision {head} ({filled_in})")
        return _describe(url, 0.0, cached=True)
    _recreate(url)
    filled = fill(url, n, seed=seed, copies=copies, progress=progress)
    add_judgments(url, SCENARIOS, ADMIN, progress)  # the page benches' (once per store): part of what is cached
    _mark(url, key, head, digest, time.perf_counter() - started)
    return replace(filled, seconds=time.perf_counter() - started)


def _marker(url: str) -> Any:
    """The cached store's ``bench_fill`` row (fill, revision, digest, seconds, filled_at): None when the database
    or the row is missing."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT fill, revision, digest, seconds, filled_at FROM bench_fill")).first()
    except (OperationalError, ProgrammingError):
        return None
    finally:
        engine.dispose()


def _mark(url: str, key: str, revision: str, digest: str, seconds: float) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS bench_fill (fill text NOT NULL, revision text NOT NULL, "
                              "digest text NOT NULL, seconds float NOT NULL, filled_at timestamptz NOT NULL)"))
            conn.execute(text("DELETE FROM bench_fill"))
            conn.execute(text("INSERT INTO bench_fill VALUES (:fill, :revision, :digest, :seconds, now())"),
                         {"fill": key, "revision": revision, "digest": digest, "seconds": seconds})
    finally:
        engine.dispose()


def _recreate(url: str) -> None:
    """The store's database dropped (if there) and created empty, through the server's ``postgres`` database."""
    name = make_url(url).database
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()


def _describe(url: str, seconds: float, *, cached: bool) -> Filled:
    store = open_store(url, migrate=False)
    try:
        with store.engine.connect() as conn:
            events = conn.execute(select(func.count()).select_from(t.events)).scalar_one()
            documents = conn.execute(select(func.count()).select_from(t.documents)).scalar_one()
            end = conn.execute(select(func.max(t.ledger.c.at))).scalar_one()
    finally:
        store.close()
    end = end.replace(tzinfo=UTC) if end.tzinfo is None else end
    return Filled(url, events, documents, end, seconds, cached)


# -- the fill -------------------------------------------------------------------------------------

class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def fill(url: str, n: int = DEFAULT_EVENTS, *, seed: int = 7, copies: int = 1,
         progress: Callable[[str], None] = print) -> Filled:
    """Fill the empty store at ``url`` with ``n`` events and what they reference: ``n / copies`` generated, the
    rest copies of them made by the server (PostgreSQL only; :meth:`_PgLoader.replicate`)."""
    if n % copies or (copies > 1 and url.startswith("sqlite")):
        raise ValueError(f"{n:,} events cannot be {copies} copies of a fill on {url.split(':', 1)[0]}")
    started = time.perf_counter()
    end = (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0)
    clock = _Clock(end - timedelta(days=DAYS + 1))
    ws = Workspace(Settings(database_url=url, actor="bench-fill", extract=False), open_store(url), clock)
    try:
        store = ws.store
        rng = random.Random(seed)
        gen = _Generator(rng, np.random.default_rng(seed), end)
        store.engine.dispose()  # the loader's connection is the only one during the load
        loader = _SqliteLoader(url) if store.dialect == "sqlite" else _PgLoader(store.engine)
        with loader:
            loader.drop_indexes()
            loader.load(t.sources, gen.sources())
            loader.load(t.ingest_runs, [gen.run_row(n)])
            loader.load(t.entities, gen.entity_rows())
            loader.load(t.entity_aliases, gen.alias_rows())
            made = 0
            for batch in gen.documents(n // copies):
                for table, rows in batch.items():
                    loader.load(table, rows)
                made += len(batch[t.events])
                progress(f"  {made:,} events ({time.perf_counter() - started:.0f} s)")
            if copies > 1:
                assert isinstance(loader, _PgLoader)
                loader.replicate(copies, progress)
            t0 = time.perf_counter()
            loader.create_indexes()
            progress(f"  indexes built in {time.perf_counter() - t0:.0f} s")
        with store.engine.begin() as conn:
            count_document_days(conn)  # what ingest counts as it goes
            recount_events(conn)  # and extraction
        _warning_layer(ws, clock, gen, rng, end, progress)
    finally:
        ws.close()
    filled = _describe(url, time.perf_counter() - started, cached=False)
    progress(f"filled {filled.events:,} events, {filled.documents:,} documents in {filled.seconds:.0f} s")
    return filled


def _warning_layer(ws: Workspace, clock: _Clock, gen: _Generator, rng: random.Random, end: datetime,
                   progress: Callable[[str], None]) -> None:
    """Scenarios with their published history, an admin account, warnings raised and handled: every
    step at its own time, in time order (the ledger refuses a time before its last entry's)."""
    t0 = time.perf_counter()
    start = end - timedelta(days=DAYS)
    clock.now = start
    ws.scenarios.add_many(defaults=SCENARIOS)
    last = end - timedelta(minutes=30)
    final = ws.scenarios.assess_all(last)  # the real assessment over the filled store
    progress(f"  assessed {len(final)} scenarios over the store in {time.perf_counter() - t0:.0f} s")
    steps: list[tuple[datetime, int, Callable[[], object]]] = []

    def step(at: datetime, action: Callable[[], object]) -> None:
        steps.append((at, len(steps), action))

    for scenario, assessment in final:
        walk = _walk(rng, assessment)
        for k in range(HISTORY):
            at = start + (last - start) * (k / (HISTORY - 1))
            a = assessment if k == HISTORY - 1 else _synthetic(scenario, assessment, at, walk[k])
            step(at + timedelta(seconds=1), partial(ws.scenarios.publish, scenario, a))
    step(end - timedelta(days=61), partial(ws.accounts.add_user, ADMIN, ADMIN_PASSWORD, Role.ADMIN,
                                           actor="bench-fill", display_name="Bench Admin"))
    events = _recent_region_events(ws, end)
    ids: dict[int, int] = {}  # warning number → id
    for i in range(24):
        raised = end - timedelta(days=60) + timedelta(days=60 * i / 24, minutes=rng.randrange(600))
        scenario = final[i % len(final)][0]
        picked = rng.sample(events, min(3, len(events)))

        def raise_(i: int = i, scenario: Scenario = scenario, picked: list[tuple[str, str]] = picked) -> None:
            w = ws.warnings.raise_warning(f"{scenario.name}: activity near {gen.place_of(i)} ({i + 1})",
                                 f"Bench warning {i + 1}: reports of movements and strikes; see the linked documents.",
                                 ("elevated", "high", "critical")[i % 3], scenario_id=scenario.id,
                                 document_ids=sorted({d for _, d in picked}), event_ids=[e for e, _ in picked])
            ids[i] = w.id

        def handle(i: int = i, how: str = "") -> None:
            if how == "acknowledge":
                ws.warnings.acknowledge(ids[i], "looking into it")
            elif how == "escalate":
                ws.warnings.escalate(ids[i], "no answer from the desk")
            elif how == "dismissed":
                ws.warnings.dispose(ids[i], how, "The movements were a routine rotation, confirmed by two sources.")
            else:
                ws.warnings.dispose(ids[i], how, "Partners informed; collection tasked.", ["new units at the border"])

        step(raised, raise_)
        if i < 16:  # the older ones were handled
            step(raised + timedelta(minutes=20), partial(handle, i, "acknowledge"))
            step(raised + timedelta(hours=3), partial(handle, i, "dismissed" if i % 2 else "acted-on"))
        elif i % 4 == 0:
            step(raised + timedelta(minutes=30), partial(handle, i, "acknowledge"))
        elif i % 4 == 1:
            step(raised + timedelta(minutes=45), partial(handle, i, "escalate"))
    for at, _, action in sorted(steps, key=lambda s: (s[0], s[1])):
        clock.now = at
        action()
    progress(f"  scenarios, {HISTORY * len(final)} assessments, warnings: {time.perf_counter() - t0:.0f} s")


def _recent_region_events(ws: Workspace, end: datetime) -> list[tuple[str, str]]:
    e = t.events.c
    q = (select(e.id, e.document_id).where(e.place_country.in_(("UKR", "RUS")), e.date >= (end - timedelta(days=60))
                                           .date()).order_by(e.date.desc()).limit(200))
    with ws.store.engine.connect() as conn:
        return [(r.id, r.document_id) for r in conn.execute(q)]


def _walk(rng: random.Random, a: Assessment) -> list[float]:
    """Log-odds over the history: a mean-reverting random walk around the prior with a few surges."""
    prior = math.log(a.prior / (1 - a.prior))
    x, out = prior, []
    for _ in range(HISTORY):
        x += 0.15 * (prior - x) + rng.gauss(0, 0.35) + (2.0 if rng.random() < 0.03 else 0.0)
        out.append(x)
    return out


def _synthetic(scenario: Scenario, real: Assessment, at: datetime, log_odds: float) -> Assessment:
    """The real assessment's signals scaled so that they add up to ``log_odds`` at ``at``."""
    prior = math.log(real.prior / (1 - real.prior))
    total = sum(s.contribution for s in real.signals if s.counted)
    scale = (log_odds - prior) / total if abs(total) > 1e-9 else 0.0
    signals = tuple(replace(s, contribution=s.contribution * scale, known_at=min(s.known_at, at),
                            observed_on=min(s.observed_on, at.date())) for s in real.signals)
    log_odds = prior + sum(s.contribution for s in signals if s.counted)
    probability = 1 / (1 + math.exp(-log_odds))
    return replace(real, at=at, log_odds=log_odds, probability=probability, signals=signals,
                   level=_level(scenario, probability))


def _level(scenario: Scenario, probability: float) -> str | None:
    level = None
    for threshold in sorted(scenario.thresholds, key=lambda th: th.probability):
        if probability >= threshold.probability:
            level = threshold.level
    return level


# -- what the rows hold -----------------------------------------------------------------------------

class _Generator:
    def __init__(self, rng: random.Random, nrng: np.random.Generator, end: datetime) -> None:
        self.rng, self.nrng, self.end = rng, nrng, end
        self.start = end - timedelta(days=DAYS)
        self.codes = list(COUNTRIES)
        w = np.array([COUNTRIES[c][0] for c in self.codes], dtype=float)
        self.country_p = w / w.sum()
        self.entities = self._entities()
        self.by_id = {x.id: x for x in self.entities}
        self.by_country: dict[str, list[_Entity]] = {c: [] for c in self.codes}
        for x in self.entities:
            if x.kind != "country":
                self.by_country[x.country].append(x)
        self.zipf = {c: _zipf(len(xs)) for c, xs in self.by_country.items()}
        self.source_ids = [f"bench-src-{i:02d}" for i in range(1, SOURCES + 1)]
        self.source_p = np.diff(_zipf(SOURCES, 0.9), prepend=0.0)
        self.types = list(TYPE_WEIGHTS)
        tw = np.array(list(TYPE_WEIGHTS.values()), dtype=float)
        self.type_p = tw / tw.sum()
        self.doc_no = 0
        self.founders: list[str] = []  # recent documents that founded their cluster
        self.sizes: dict[str, int] = {}  # size of the clusters founded in the current batch
        self.founded: list[tuple[str, datetime]] = []

    def place_of(self, i: int) -> str:
        towns = COUNTRIES["UKR"][3] + COUNTRIES["RUS"][3]
        return towns[i % len(towns)][0]

    # sources, the run, entities
    def sources(self) -> list[dict[str, Any]]:
        kinds, grades = ("feed", "text", "telegram", "html", "jsonl"), "ABBCCCDDEF"
        markings = ("TLP:CLEAR", "TLP:CLEAR", "TLP:GREEN", "TLP:AMBER")
        return [{"id": sid, "kind": kinds[i % len(kinds)], "name": f"Bench source {i + 1:02d}",
                 "location": f"/srv/bench/{sid}", "reliability": grades[i % len(grades)],
                 "marking": markings[i % len(markings)], "team": None, "options": "[]", "created_at": self.start}
                for i, sid in enumerate(self.source_ids)]

    def run_row(self, n: int) -> dict[str, Any]:
        return {"id": 1, "started_at": self.start, "finished_at": self.end, "status": "completed",
                "actor": "bench-fill", "host": "bench", "pid": 1, "inputs": json.dumps(self.source_ids),
                "new": n // 4, "duplicate": 0, "near_duplicate": 0, "failed": 0, "warnings": 0}

    def _entities(self) -> list[_Entity]:
        rng = self.rng
        found: list[_Entity] = []
        total = sum(c[0] for c in COUNTRIES.values())
        used: set[str] = set()
        for code, (weight, name, demonym, _) in COUNTRIES.items():
            iso = code.lower()
            found.append(_Entity(f"dict:{iso}", name.removeprefix("the ").strip(), "country", code, None,
                                 (name, demonym), f"dict:{iso}"))
            for slug, pattern, sector, alias in BODIES:
                found.append(_Entity(f"dict:{iso}-{slug}", pattern.format(c=name, d=demonym), "org", code, sector,
                                     (alias.format(d=demonym), _initials(pattern.format(c=name, d=demonym))),
                                     f"dict:{iso}-{slug}"))
            for slug, pattern, sector in GROUPS:
                found.append(_Entity(f"ner:group:{iso}-{slug}", pattern.format(d=demonym), "group", code, sector,
                                     (pattern.format(d=demonym).lower(),), f"ner:group:{iso}-{slug}"))
            people = max(8, round(ENTITIES * weight / total) - len(BODIES) - len(GROUPS) - 1)
            for _ in range(people):
                while True:
                    first, last = rng.choice(FIRST), rng.choice(LAST)
                    person_id = f"ner:person:{first.lower()}-{last.lower()}-{iso}"
                    if person_id not in used:
                        break
                used.add(person_id)
                title = rng.choice(TITLES)
                sector = {"General": "military", "Commander": "military", "Spokesperson": "government"}.get(
                    title, rng.choice(("government", "government", "military", "police", "media", "civilian")))
                found.append(_Entity(person_id, f"{first} {last}", "person", code, sector,
                                     tuple(rng.sample((last, f"{title} {last}", f"{first[0]}. {last}"),
                                                      rng.randint(1, 3))), person_id))
        merged: list[_Entity] = []  # 1 %: merged into another entity of the same country and kind
        for x in found:
            if x.kind == "person" and rng.random() < 0.02:
                peers = [y for y in found if y.country == x.country and y.kind == "person" and y.id != x.id
                         and y.canonical == y.id]
                if peers:
                    x = replace(x, canonical=rng.choice(peers).id)
            merged.append(x)
        return merged

    def entity_rows(self) -> list[dict[str, Any]]:
        return [{"id": x.id, "name": x.name, "kind": x.kind, "country": x.country, "sector": x.sector,
                 "origin": "dictionary" if x.id.startswith("dict:") else "ner",
                 "merged_into": None if x.canonical == x.id else x.canonical, "canonical_id": x.canonical,
                 "updated_at": self.start, "updated_by": None} for x in self.entities]

    def alias_rows(self) -> list[dict[str, Any]]:
        return [{"entity_id": x.id, "alias": a} for x in self.entities for a in sorted(set(x.aliases))]

    # documents and everything extracted from them
    def documents(self, n: int) -> Iterator[dict[Table, list[dict[str, Any]]]]:
        nrng = self.nrng
        left = n
        while left > 0:
            sizes = nrng.integers(1, 8, size=BATCH_DOCS, endpoint=True)  # events per document: 1-8, mean 4.5
            cut = np.searchsorted(np.cumsum(sizes), left)
            sizes = sizes[:cut + 1]
            sizes[-1] -= max(0, int(sizes.sum()) - left)
            sizes = sizes[sizes > 0]
            # publication days: volume grows over the two years (density ∝ 1 + day / DAYS)
            u = nrng.random(len(sizes))
            days = np.floor(DAYS * (np.sqrt(1 + 3 * u) - 1)).astype(int)
            seconds = nrng.integers(0, 86_400, size=len(sizes))
            sources = nrng.choice(SOURCES, size=len(sizes), p=self.source_p)
            k = int(sizes.sum())
            draws = _Draws(nrng, k, self)
            batch: dict[Table, list[dict[str, Any]]] = {tb: [] for tb in (
                t.documents, t.clusters, t.sightings, t.extractions, t.mentions, t.places, t.events, t.claims)}
            at = 0
            self.founders = []  # a near-duplicate copies a document of its own batch
            for i, size in enumerate(sizes.tolist()):
                published = self.start + timedelta(days=int(days[i]), seconds=int(seconds[i]))
                published = min(published, self.end - timedelta(hours=1))
                self._document(batch, published, self.source_ids[int(sources[i])], draws, at, size)
                at += size
            left -= k
            batch[t.clusters] = [{"id": cid, "created_at": created, "size": self.sizes.pop(cid)}
                                 for cid, created in self.founded]
            self.founded = []
            yield batch

    def _document(self, batch: dict[Table, list[dict[str, Any]]], published: datetime, source: str,
                  draws: _Draws, at: int, size: int) -> None:
        rng = self.rng
        self.doc_no += 1
        parts: list[str] = []
        pos = 0
        events: list[dict[str, Any]] = []
        mentions: list[tuple[str, str, int, int, int]] = []
        places: list[tuple[tuple[str, str, float, float, str, str | None, str, str, str], int, int, int]] = []
        title = ""
        sentence = 0

        def add(text: str) -> int:
            nonlocal pos
            start = pos
            parts.append(text)
            pos += len(text) + 1  # sentences joined by one space
            return start

        for j in range(at, at + size):
            etype = self.types[draws.types[j]]
            actor = self._participant(draws, j, "actor")
            recipient = self._participant(draws, j, "recipient") if draws.has_recipient[j] else None
            place = self._place(draws, j, actor) if draws.has_place[j] else None
            verb = VERBS[etype][draws.verb[j] % len(VERBS[etype])]
            words: list[tuple[str, str]] = []  # (role, text)
            actor_text = self._text_of(actor) if actor else "Unidentified forces"
            words.append(("actor" if actor else "", actor_text))
            words.append(("trigger", verb))
            if recipient:
                words.append(("recipient", self._text_of(recipient)))
            if place:
                words.append(("", "near"))
                words.append(("place", place[7]))
            event_day = (published - timedelta(days=int(draws.lag[j]))).date()
            words.append(("", f"on {WEEKDAYS[event_day.weekday()]}."))
            offsets: dict[str, tuple[int, int]] = {}
            start = pos
            text = ""
            for role, w in words:
                if text:
                    text += " "
                if role:
                    offsets[role] = (start + len(text), start + len(text) + len(w))
                text += w
            if not title:
                title = f"{place[0] if place else COUNTRIES[actor.country if actor else 'UKR'][1]}: {text[:-1]}"
            add(text)
            if draws.filler[j] < 0.35:
                add(FILLER[int(draws.filler[j] * 1000) % len(FILLER)])
            mode_choices = MODES[etype]
            mode = (mode_choices[draws.verb[j] % len(mode_choices)] if mode_choices and draws.mode[j] < 0.7
                    else None)
            trig = offsets["trigger"]
            ev = {
                "id": hashlib.sha256(f"{self.doc_no}|{j}|{etype}".encode()).hexdigest()[:32],
                "document_id": "", "source_id": source, "published_at": published, "extractor": EXTRACTOR,
                "coded_at": published + timedelta(minutes=10), "type": etype, "mode": mode,
                "contexts": json.dumps([CONTEXTS[draws.verb[j] % len(CONTEXTS)]] if draws.mode[j] < 0.1 else []),
            }
            for role, who in (("actor", actor), ("recipient", recipient)):
                span = offsets.get(role)
                canon = self._canon(who) if who else None
                ev.update({f"{role}_entity_id": who.id if who else None,
                           f"{role}_text": text[span[0] - start:span[1] - start] if span else None,
                           f"{role}_start": span[0] if span else None, f"{role}_end": span[1] if span else None,
                           f"{role}_country": canon.country if canon else None,
                           f"{role}_sector": canon.sector if canon else None})
                if who and span:
                    mentions.append((who.id, ev[f"{role}_text"], span[0], span[1], sentence))
            pspan = offsets.get("place")
            ev.update({"place_name": place[0] if place else None, "place_lat": place[2] if place else None,
                       "place_lon": place[3] if place else None, "place_country": place[4] if place else None,
                       "place_admin1": place[5] if place else None, "place_gazetteer_id": place[6] if place else None,
                       "place_precision": place[8] if place else None, "place_text": place[7] if place else None,
                       "place_start": pspan[0] if pspan else None, "place_end": pspan[1] if pspan else None})
            if place and pspan:
                places.append((place, pspan[0], pspan[1], sentence))
            precision = "day" if draws.mode[j] < 0.85 else ("week" if draws.mode[j] < 0.95 else "month")
            ev.update({"date": event_day, "date_precision": precision,
                       "date_from_publication": bool(draws.lag[j] == 0 and draws.filler[j] > 0.7),
                       "negated": bool(draws.flags[j] < 0.04), "hypothetical": bool(0.04 <= draws.flags[j] < 0.07),
                       "future": bool(0.07 <= draws.flags[j] < 0.10), "reported": bool(draws.flags[j] > 0.6),
                       "sentence": sentence, "start": start, "end": start + len(text),
                       "trigger_start": trig[0], "trigger_end": trig[1],
                       "confidence": round(float(draws.confidence[j]), 3)})
            events.append(ev)
            sentence += 1
        claim: dict[str, Any] | None = None
        if draws.filler[at] > 0.7:  # a third of the documents quote someone
            speaker = self._participant(draws, at, "actor")
            quote = QUOTES[self.doc_no % len(QUOTES)]
            speaker_text = self._text_of(speaker) if speaker else "A spokesperson"
            text = f'"{quote.capitalize()}," {speaker_text} said.'
            start = add(text)
            speaker_start = start + len(quote) + 4
            claim = {"seq": 0, "speaker_entity_id": speaker.id if speaker else None, "speaker_text": speaker_text,
                     "speaker_start": speaker_start if speaker else None,
                     "speaker_end": speaker_start + len(speaker_text) if speaker else None,
                     "cue": "said", "content_start": start + 1, "content_end": start + 1 + len(quote),
                     "quoted": True, "stance": None, "sentence": sentence, "start": start,
                     "end": start + len(text), "extractor": EXTRACTOR}
            if speaker:
                mentions.append((speaker.id, speaker_text, speaker_start, speaker_start + len(speaker_text), sentence))
        duplicate_of = self.founders[-1 - rng.randrange(min(50, len(self.founders)))] if (
            self.founders and rng.random() < 0.04) else None
        if duplicate_of:
            add("Reposted from an earlier report.")
        body = " ".join(parts)
        doc_id = hashlib.sha256(f"{self.doc_no}\n{body}".encode()).hexdigest()
        cluster = duplicate_of or doc_id
        ingested = published + timedelta(minutes=5 + self.doc_no % 55)
        if duplicate_of:
            self.sizes[cluster] += 1
        else:
            self.sizes[doc_id] = 1
            self.founders.append(doc_id)
        location = f"/srv/bench/{source}/{self.doc_no:07d}.txt"
        batch[t.documents].append({
            "id": doc_id, "key": document_key(doc_id), "source_id": source,
            "url": f"https://news.example/{source}/{self.doc_no}" if self.doc_no % 2 else None,
            "title": title[:200], "text": body, "published_at": published, "published_precision": "second",
            "ingested_at": ingested, "language": "en", "marking": "TLP:CLEAR", "team": None, "cluster_id": cluster,
            "reader": "text", "location": location, "item": None,
            "raw_sha256": hashlib.sha256(body.encode()).hexdigest(), "run_id": 1, "meta": "[]",
            "shingles": max(1, len(body.split()) - 3), "signature": rng.randbytes(512)})
        if not duplicate_of:
            self.founded.append((doc_id, ingested))
        batch[t.sightings].append({
            "key": hashlib.sha256(f"{doc_id}|{location}|".encode()).hexdigest(), "document_id": doc_id,
            "source_id": source, "location": location, "item": None, "url": None, "published_at": published,
            "raw_sha256": hashlib.sha256(body.encode()).hexdigest(), "run_id": 1, "seen_at": ingested})
        batch[t.extractions].append({
            "document_id": doc_id, "extractor": EXTRACTOR, "status": "ok", "error": None,
            "extracted_at": ingested + timedelta(minutes=1),
            "counts": json.dumps({"claims": int(claim is not None), "dates": len(events), "entities": len(mentions),
                                  "events": len(events), "places": len(places)}, sort_keys=True)})
        for seq, (entity_id, text, start, end, sent) in enumerate(mentions):
            batch[t.mentions].append({"document_id": doc_id, "seq": seq, "entity_id": entity_id, "text": text,
                                      "start": start, "end": end, "sentence": sent, "extractor": EXTRACTOR})
        for seq, (p, start, end, sent) in enumerate(places):
            batch[t.places].append({"document_id": doc_id, "seq": seq, "name": p[0], "lat": p[2], "lon": p[3],
                                    "country": p[4], "admin1": p[5], "gazetteer_id": p[6], "precision": p[8],
                                    "text": p[7], "start": start, "end": end, "sentence": sent,
                                    "extractor": EXTRACTOR})
        seen: set[str] = set()
        for ev in events:
            if ev["id"] not in seen:
                seen.add(ev["id"])
                ev["document_id"] = doc_id
                batch[t.events].append(ev)
        if claim:
            batch[t.claims].append({"document_id": doc_id, **claim})

    def _participant(self, draws: _Draws, j: int, role: str) -> _Entity | None:
        if role == "actor" and draws.no_actor[j]:
            return None
        country = self.codes[draws.actor_country[j] if role == "actor" else draws.recipient_country[j]]
        people = self.by_country[country]
        rank = draws.actor_rank[j] if role == "actor" else draws.recipient_rank[j]
        return people[int(np.searchsorted(self.zipf[country], rank))]

    def _canon(self, x: _Entity) -> _Entity:
        return x if x.canonical == x.id else self.by_id[x.canonical]

    def _text_of(self, x: _Entity) -> str:
        return x.aliases[0] if x.kind in ("org", "person") and self.rng.random() < 0.3 else x.name

    def _place(self, draws: _Draws, j: int, actor: _Entity | None
               ) -> tuple[str, str, float, float, str, str | None, str, str, str]:
        """(name, admin1, lat, lon, country, admin1 or None, gazetteer id, text, precision)"""
        code = actor.country if actor is not None and draws.place_same[j] else self.codes[draws.place_country[j]]
        _, name, _, towns = COUNTRIES[code]
        town = towns[draws.town[j] % len(towns)]
        kind = draws.place_kind[j]
        if kind < 0.8:  # a town, a few km of jitter
            lat = round(town[2] + float(draws.jitter[j, 0]), 5)
            lon = round(town[3] + float(draws.jitter[j, 1]), 5)
            gid = f"geonames:{zlib.crc32(town[0].encode()) % 10**7}"
            return (town[0], town[1], lat, lon, code, town[1], gid, town[0], "town")
        if kind < 0.93:
            return (town[1], town[1], town[2], town[3], code, town[1], f"admin1:{code}.{town[1][:3].upper()}",
                    town[1], "region")
        return (name.removeprefix("the ").strip(), "", town[2], town[3], code, None, f"country:{code}",
                name.removeprefix("the ").strip(), "country")


class _Draws:
    """The random draws of one batch of events, vectorised."""

    def __init__(self, nrng: np.random.Generator, k: int, gen: _Generator) -> None:
        nc = len(gen.codes)
        self.types = nrng.choice(len(gen.types), size=k, p=gen.type_p).tolist()
        self.actor_country = nrng.choice(nc, size=k, p=gen.country_p).tolist()
        self.recipient_country = nrng.choice(nc, size=k, p=gen.country_p).tolist()
        self.place_country = nrng.choice(nc, size=k, p=gen.country_p).tolist()
        self.actor_rank = nrng.random(k).tolist()
        self.recipient_rank = nrng.random(k).tolist()
        self.no_actor = (nrng.random(k) < 0.1).tolist()
        self.has_recipient = (nrng.random(k) < 0.6).tolist()
        self.has_place = (nrng.random(k) < 0.75).tolist()
        self.place_same = (nrng.random(k) < 0.7).tolist()
        self.place_kind = nrng.random(k).tolist()
        self.town = nrng.integers(0, 1000, size=k).tolist()
        self.jitter = nrng.normal(0, 0.05, size=(k, 2))
        self.verb = nrng.integers(0, 1000, size=k).tolist()
        self.mode = nrng.random(k).tolist()
        self.lag = np.minimum(nrng.geometric(0.6, size=k) - 1, 6).tolist()
        self.filler = nrng.random(k).tolist()
        self.flags = nrng.random(k).tolist()
        self.confidence = (0.35 + 0.64 * nrng.beta(4, 2, size=k)).tolist()


def _zipf(n: int, s: float = 1.1) -> np.ndarray:
    """Cumulative probabilities of ranks 1..n under a Zipf law (searchsorted a uniform draw)."""
    w = 1 / np.arange(1, n + 1) ** s
    return np.cumsum(w / w.sum())


def _initials(name: str) -> str:
    return "".join(w[0] for w in name.replace(",", "").split() if w[0].isupper())


# -- loaders --------------------------------------------------------------------------------------

BIG = (t.documents, t.sightings, t.mentions, t.events)  # tables whose indexes are built after the load


class _Loader:
    dialect: Any

    def __enter__(self) -> _Loader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None: ...

    def execute(self, sql: str) -> None: ...

    def drop_indexes(self) -> None:
        for table in BIG:
            for index in table.indexes:
                self.execute(f"DROP INDEX IF EXISTS {index.name}")

    def create_indexes(self) -> None:
        for table in BIG:
            for index in sorted(table.indexes, key=lambda i: str(i.name)):
                self.execute(str(CreateIndex(index).compile(dialect=self.dialect)))

    def load(self, table: Table, rows: Sequence[dict[str, Any]]) -> None: ...


class _SqliteLoader(_Loader):
    """The driver's executemany on one connection of its own (no journal during the fill)."""

    def __init__(self, url: str) -> None:
        from sqlalchemy.dialects import sqlite

        self.dialect = sqlite.dialect()
        self.path = url.split("///", 1)[1]
        self.conn = sqlite3.connect(self.path, isolation_level=None)
        for pragma in ("journal_mode=DELETE", "synchronous=OFF", "cache_size=-1048576", "temp_store=MEMORY"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.dt = UTCDateTime().dialect_impl(self.dialect).bind_processor(self.dialect)
        self.conn.execute("BEGIN")

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)

    def load(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        names = list(rows[0])
        convert = _sqlite_converters(table, names, self.dt)
        cols = ", ".join(f'"{n}"' for n in names)
        sql = f"INSERT INTO {table.name} ({cols}) VALUES ({', '.join('?' * len(names))})"
        self.conn.executemany(sql, (tuple(f(r[n]) if f else r[n] for n, f in zip(names, convert, strict=True))
                                    for r in rows))

    def close(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("PRAGMA journal_mode=WAL")  # as the store keeps it
        self.conn.close()


def _sqlite_converters(table: Table, names: list[str], dt: Any) -> list[Callable[[Any], Any] | None]:
    out: list[Callable[[Any], Any] | None] = []
    for n in names:
        kind = table.c[n].type
        if isinstance(kind, UTCDateTime):
            out.append(dt)
        elif isinstance(kind, Date):
            out.append(lambda v: None if v is None else v.isoformat())
        elif isinstance(kind, Boolean):
            out.append(lambda v: None if v is None else int(v))
        elif isinstance(kind, JSONText):
            out.append(None)  # the rows hold the JSON text already
        else:
            out.append(None)
    return out


class _PgLoader(_Loader):
    """COPY … FROM STDIN on the store's own connection (its search path: the store's schema)."""

    def __init__(self, engine: Any) -> None:
        self.dialect = engine.dialect
        self.raw = engine.raw_connection()
        self.conn = self.raw.driver_connection
        self.conn.autocommit = False

    def execute(self, sql: str) -> None:
        with self.conn.cursor() as cur:
            cur.execute(sql)

    def load(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        names = list(rows[0])
        cols = ", ".join(f'"{n}"' for n in names)
        with self.conn.cursor() as cur, cur.copy(f"COPY {table.name} ({cols}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row([r[n] for n in names])

    def create_indexes(self) -> None:
        self.conn.commit()
        self.execute("SET maintenance_work_mem = '512MB'")
        super().create_indexes()
        # the id sequences: the fill wrote ids of its own
        self.execute("SELECT setval(pg_get_serial_sequence('ingest_runs', 'id'), 1)")
        self.conn.commit()
        self.conn.autocommit = True
        for table in (*BIG, t.entities, t.entity_aliases, t.places, t.claims, t.clusters, t.extractions):
            # what autovacuum does after a bulk insert: statistics, and the visibility map that
            # index-only scans need
            self.execute(f"VACUUM ANALYZE {table.name}")

    def replicate(self, copies: int, progress: Callable[[str], None]) -> None:
        """Copies 1 … ``copies - 1`` of every document and what was extracted from it, made by the server
        (``INSERT … SELECT``): new ids derived from the old ones and the copy's number, published ``k`` ×
        137 minutes earlier (copy ``k``; the events' dates move with their document's day), locations and
        URLs of their own; sources, entities and their aliases shared. A watch floor with ``copies`` times
        the feeds over the same two years, with the same distributions."""
        self.execute("SET TimeZone = 'UTC'")  # the dates of the shifted times
        for table in COPIED:
            t0 = time.perf_counter()
            self.execute(_copy_statement(table, copies))
            self.conn.commit()
            progress(f"  {table.name}: {copies - 1} server-side copies in {time.perf_counter() - t0:.0f} s")

    def close(self) -> None:
        if not self.conn.autocommit:
            self.conn.commit()
        self.conn.autocommit = False  # back to the pool as it came: a server-side cursor needs a transaction
        self.raw.close()


# -- server-side copies (PostgreSQL) ---------------------------------------------------------------

COPIED = (t.clusters, t.documents, t.sightings, t.extractions, t.mentions, t.places, t.events, t.claims)
SHIFT = "k * interval '137 minutes'"  # how much earlier copy k is published, ingested, coded


def _copy_statement(table: Table, copies: int) -> str:
    """``INSERT … SELECT`` of copies 1 … ``copies - 1`` of every row of ``table`` (as ``src``, the copy's
    number ``k``): the rows there before the statement, which sees none of its own."""
    names = [c.name for c in table.columns if not (table is t.sightings and c.name == "id")]  # sightings: serial
    values = ", ".join(_copied(table, name) for name in names)
    columns = ", ".join(f'"{n}"' for n in names)
    return (f"INSERT INTO {table.name} ({columns}) SELECT {values} "
            f"FROM {table.name} AS src CROSS JOIN generate_series(1, {copies - 1}) AS k")


def _copy_id(value: str, width: int) -> str:
    return f"left(encode(sha256(convert_to({value} || '/' || k, 'UTF8')), 'hex'), {width})"


def _copied(table: Table, name: str) -> str:
    """Column ``name`` of copy ``k`` of a row ``src`` of ``table``: an SQL expression."""
    location = "replace(src.location, '.txt', '-' || k || '.txt')"
    special = {
        "document_id": _copy_id("src.document_id", 64),
        "cluster_id": _copy_id("src.cluster_id", 64),
        "location": location,
        "url": "src.url || '-' || k",
        "date": f"src.date - (src.published_at::date - (src.published_at - {SHIFT})::date)",
    }
    if table is t.documents:
        special |= {"id": _copy_id("src.id", 64), "key": f"('x' || {_copy_id('src.id', 16)})::bit(64)::bigint"}
    elif table is t.clusters:
        special["id"] = _copy_id("src.id", 64)
    elif table is t.events:
        special["id"] = _copy_id("src.id", 32)
    elif table is t.sightings:
        special["key"] = (f"encode(sha256(convert_to({_copy_id('src.document_id', 64)} || '|' || {location} || '|', "
                          "'UTF8')), 'hex')")
    if name in special:
        return special[name]
    if isinstance(table.c[name].type, UTCDateTime):
        return f"src.{name} - {SHIFT}"
    return f'src."{name}"'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="fill this (empty) store instead of the cached SQLite file")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite",
                        help="postgresql: the cached database on FOREWARN_BENCH_PG_URL's server")
    parser.add_argument("--force", action="store_true", help="fill the cached store again")
    args = parser.parse_args()
    if args.db:
        filled = fill(args.db, args.events, seed=args.seed)
    elif args.backend == "postgresql":
        filled = cached_postgres(bench_server(), args.events, seed=args.seed, force=args.force)
    else:
        filled = cached_sqlite(args.events, seed=args.seed, force=args.force)
    where = "cached" if filled.cached else f"filled in {filled.seconds:.0f} s"
    print(f"{filled.url}: {filled.events:,} events, {filled.documents:,} documents ({where})")
    return 0


def bench_server() -> str:
    """The PostgreSQL server of the benchmarks (FOREWARN_BENCH_PG_URL)."""
    server = os.environ.get("FOREWARN_BENCH_PG_URL")
    if not server:
        raise SystemExit('set FOREWARN_BENCH_PG_URL to a PostgreSQL server, e.g. "$(bash scripts/postgres.sh)"')
    return server


if __name__ == "__main__":
    sys.exit(main())
