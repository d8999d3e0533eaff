"""Extraction: entities (aliases, reversible merges), per-document extraction status, mentions,
places, events and claims.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.types import JSONText, UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _offsets(prefix: str = "", nullable: bool = False) -> list[sa.Column]:
    return [sa.Column(f"{prefix}start", sa.Integer, nullable=nullable),
            sa.Column(f"{prefix}end", sa.Integer, nullable=nullable)]


def _entities() -> None:
    op.create_table(
        "entities",
        sa.Column("id", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("country", sa.String(8)),
        sa.Column("sector", sa.String(16)),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("merged_into", sa.Text),
        sa.Column("canonical_id", sa.Text, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.Column("updated_by", sa.String(128)),
        sa.PrimaryKeyConstraint("id", name="pk_entities"),
        sa.ForeignKeyConstraint(["merged_into"], ["entities.id"], name="fk_entities_merged_into"),
    )
    op.create_index("ix_entities_canonical_id", "entities", ["canonical_id"])
    op.create_table(
        "entity_aliases",
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("alias", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("entity_id", "alias", name="pk_entity_aliases"),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], name="fk_entity_aliases_entity_id"),
    )
    op.create_table(
        "entity_merges",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("from_id", sa.Text, nullable=False),
        sa.Column("into_id", sa.Text, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("undone_by", sa.String(128)),
        sa.Column("undone_at", UTCDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_entity_merges"),
        sa.ForeignKeyConstraint(["from_id"], ["entities.id"], name="fk_entity_merges_from_id"),
        sa.ForeignKeyConstraint(["into_id"], ["entities.id"], name="fk_entity_merges_into_id"),
    )


def _per_document() -> None:
    op.create_table(
        "extractions",
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("extractor", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("extracted_at", UTCDateTime, nullable=False),
        sa.Column("counts", JSONText, nullable=False),
        sa.PrimaryKeyConstraint("document_id", name="pk_extractions"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name="fk_extractions_document_id"),
    )
    op.create_table(
        "mentions",
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        *_offsets(),
        sa.Column("sentence", sa.Integer, nullable=False),
        sa.Column("extractor", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("document_id", "seq", name="pk_mentions"),
    )
    op.create_index("ix_mentions_entity_id", "mentions", ["entity_id"])
    op.create_table(
        "places",
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("country", sa.String(8), nullable=False),
        sa.Column("admin1", sa.Text),
        sa.Column("gazetteer_id", sa.Text, nullable=False),
        sa.Column("precision", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        *_offsets(),
        sa.Column("sentence", sa.Integer, nullable=False),
        sa.Column("extractor", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("document_id", "seq", name="pk_places"),
    )
    op.create_table(
        "claims",
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("speaker_entity_id", sa.Text),
        sa.Column("speaker_text", sa.Text, nullable=False),
        *_offsets("speaker_", nullable=True),
        sa.Column("cue", sa.String(32), nullable=False),
        sa.Column("content_start", sa.Integer, nullable=False),
        sa.Column("content_end", sa.Integer, nullable=False),
        sa.Column("quoted", sa.Boolean, nullable=False),
        sa.Column("stance", sa.String(16)),
        sa.Column("sentence", sa.Integer, nullable=False),
        *_offsets(),
        sa.Column("extractor", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("document_id", "seq", name="pk_claims"),
    )


def _participant(role: str) -> list[sa.Column]:
    return [sa.Column(f"{role}_entity_id", sa.Text), sa.Column(f"{role}_text", sa.Text),
            *_offsets(f"{role}_", nullable=True),
            sa.Column(f"{role}_country", sa.String(8)), sa.Column(f"{role}_sector", sa.String(16))]


def _events() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("source_id", sa.String(64)),
        sa.Column("published_at", UTCDateTime),
        sa.Column("extractor", sa.Text, nullable=False),
        sa.Column("coded_at", UTCDateTime, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(32)),
        sa.Column("contexts", JSONText, nullable=False),
        *_participant("actor"),
        *_participant("recipient"),
        sa.Column("place_name", sa.Text),
        sa.Column("place_lat", sa.Float),
        sa.Column("place_lon", sa.Float),
        sa.Column("place_country", sa.String(8)),
        sa.Column("place_admin1", sa.Text),
        sa.Column("place_gazetteer_id", sa.Text),
        sa.Column("place_precision", sa.String(8)),
        sa.Column("place_text", sa.Text),
        *_offsets("place_", nullable=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("date_precision", sa.String(8), nullable=False),
        sa.Column("date_from_publication", sa.Boolean, nullable=False),
        sa.Column("negated", sa.Boolean, nullable=False),
        sa.Column("hypothetical", sa.Boolean, nullable=False),
        sa.Column("future", sa.Boolean, nullable=False),
        sa.Column("reported", sa.Boolean, nullable=False),
        sa.Column("sentence", sa.Integer, nullable=False),
        *_offsets(),
        sa.Column("trigger_start", sa.Integer, nullable=False),
        sa.Column("trigger_end", sa.Integer, nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_events"),
    )
    for column in ("document_id", "source_id", "actor_entity_id", "actor_country", "recipient_entity_id",
                   "recipient_country", "date"):
        op.create_index(f"ix_events_{column}", "events", [column])
    op.create_index("ix_events_type_date", "events", ["type", "date"])


def upgrade() -> None:
    _entities()
    _per_document()
    _events()


def downgrade() -> None:
    for table in ("events", "claims", "places", "mentions", "extractions", "entity_merges", "entity_aliases",
                  "entities"):
        op.drop_table(table)
