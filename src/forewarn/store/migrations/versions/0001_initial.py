"""Sources, documents, sightings, duplicate clusters, LSH bands, ingest runs and issues.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.types import JSONText, UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("reliability", sa.String(1), nullable=False),
        sa.Column("marking", sa.String(24), nullable=False),
        sa.Column("team", sa.String(64)),
        sa.Column("options", JSONText, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
    )
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("inputs", JSONText, nullable=False),
        sa.Column("new", sa.Integer, nullable=False),
        sa.Column("duplicate", sa.Integer, nullable=False),
        sa.Column("near_duplicate", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_runs"),
    )
    op.create_table(
        "ingest_issues",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("item", sa.Text),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("hint", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_issues"),
    )
    op.create_index("ix_ingest_issues_run_id", "ingest_issues", ["run_id"])
    op.create_table(
        "clusters",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_clusters"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("key", sa.BigInteger, nullable=False),
        sa.Column("source_id", sa.String(64)),
        sa.Column("url", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published_at", UTCDateTime),
        sa.Column("published_precision", sa.String(8)),
        sa.Column("ingested_at", UTCDateTime, nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("marking", sa.String(24), nullable=False),
        sa.Column("team", sa.String(64)),
        sa.Column("cluster_id", sa.String(64), nullable=False),
        sa.Column("reader", sa.String(16), nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("item", sa.Text),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("meta", JSONText, nullable=False),
        sa.Column("shingles", sa.Integer, nullable=False),
        sa.Column("signature", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_documents"),
    )
    for column in ("key", "source_id", "published_at", "cluster_id", "run_id"):
        op.create_index(f"ix_documents_{column}", "documents", [column])
    op.create_table(
        "sightings",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(64)),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("item", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("published_at", UTCDateTime),
        sa.Column("raw_sha256", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("seen_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sightings"),
        sa.UniqueConstraint("key", name="uq_sightings_key"),
    )
    op.create_index("ix_sightings_document_id", "sightings", ["document_id"])
    op.create_table(
        "lsh_bands",
        sa.Column("band_key", sa.BigInteger, nullable=False),
        sa.Column("document_key", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("band_key", "document_key", name="pk_lsh_bands"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "feed_validators",
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("url", name="pk_feed_validators"),
    )


def downgrade() -> None:
    for table in ("feed_validators", "lsh_bands", "sightings", "documents", "clusters",
                  "ingest_issues", "ingest_runs", "sources"):
        op.drop_table(table)
