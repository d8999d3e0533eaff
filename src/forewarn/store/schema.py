"""SQLAlchemy Core schema of the workspace. Changes go through a new Alembic migration in
``migrations/versions``; a test checks that the migrated database matches this metadata."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from forewarn.store.types import JSONText, UTCDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "pk": "pk_%(table_name)s",
    }
)

sources = Table(
    "sources", metadata,
    Column("id", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("reliability", String(1), nullable=False),
    Column("marking", String(24), nullable=False),
    Column("team", String(64)),
    Column("options", JSONText, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

ingest_runs = Table(
    "ingest_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("host", String(255), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("inputs", JSONText, nullable=False),
    Column("new", Integer, nullable=False, default=0),
    Column("duplicate", Integer, nullable=False, default=0),
    Column("near_duplicate", Integer, nullable=False, default=0),
    Column("failed", Integer, nullable=False, default=0),
    Column("warnings", Integer, nullable=False, default=0),
)

ingest_issues = Table(
    "ingest_issues", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False, index=True),
    Column("code", String(8), nullable=False),
    Column("severity", String(8), nullable=False),
    Column("location", Text, nullable=False),
    Column("item", Text),
    Column("message", Text, nullable=False),
    Column("hint", Text, nullable=False),
)

clusters = Table(
    "clusters", metadata,
    Column("id", String(64), primary_key=True),  # id of the cluster's first document
    Column("created_at", UTCDateTime, nullable=False),
    Column("size", Integer, nullable=False),
)

documents = Table(
    "documents", metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the normalised text
    Column("key", BigInteger, nullable=False, index=True),  # the id's first 8 bytes: compact LSH reference
    Column("source_id", String(64), index=True),
    Column("url", Text),
    Column("title", Text),
    Column("text", Text, nullable=False),
    Column("published_at", UTCDateTime, index=True),
    Column("published_precision", String(8)),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("language", String(16)),
    Column("marking", String(24), nullable=False),
    Column("team", String(64)),
    Column("cluster_id", String(64), nullable=False, index=True),
    Column("reader", String(16), nullable=False),
    Column("location", Text, nullable=False),
    Column("item", Text),
    Column("raw_sha256", String(64), nullable=False),
    Column("run_id", Integer, nullable=False, index=True),
    Column("meta", JSONText, nullable=False),
    Column("shingles", Integer, nullable=False),
    Column("signature", LargeBinary, nullable=False),
)

sightings = Table(
    "sightings", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(64), nullable=False, unique=True),  # sha256(document, location, item)
    Column("document_id", String(64), nullable=False, index=True),
    Column("source_id", String(64)),
    Column("location", Text, nullable=False),
    Column("item", Text),
    Column("url", Text),
    Column("published_at", UTCDateTime),
    Column("raw_sha256", String(64), nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)

lsh_bands = Table(
    "lsh_bands", metadata,
    Column("band_key", BigInteger, primary_key=True),
    Column("document_key", BigInteger, primary_key=True),  # documents.key
    sqlite_with_rowid=False,
)

feed_validators = Table(
    "feed_validators", metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("updated_at", UTCDateTime, nullable=False),
)

