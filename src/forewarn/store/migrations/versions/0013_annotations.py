"""notes, tags and corrections on documents and events: annotation_notes, annotation_tags and
event_corrections, each keyed by a target that survives re-extraction (forewarn.model.annotations).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.types import JSONText, UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annotation_notes",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_annotation_notes"),
    )
    op.create_index("ix_annotation_notes_target", "annotation_notes", ["target"])
    op.create_index("ix_annotation_notes_document_id", "annotation_notes", ["document_id"])
    op.create_table(
        "annotation_tags",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64)),
        sa.Column("tag", sa.String(48), nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_annotation_tags"),
    )
    op.create_index("ix_annotation_tags_target", "annotation_tags", ["target", "tag"], unique=True)
    op.create_index("ix_annotation_tags_document_id", "annotation_tags", ["document_id"])
    op.create_index("ix_annotation_tags_tag", "annotation_tags", ["tag"])
    op.create_table(
        "event_corrections",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("document_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("trigger_start", sa.Integer, nullable=False),
        sa.Column("trigger_end", sa.Integer, nullable=False),
        sa.Column("original_type", sa.String(16), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("changes", JSONText, nullable=False),
        sa.Column("original", JSONText, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("made_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_event_corrections"),
    )
    op.create_index("ix_event_corrections_target", "event_corrections", ["target"])
    op.create_index("ix_event_corrections_document_id", "event_corrections", ["document_id"])
    op.create_index("ix_event_corrections_made_at", "event_corrections", ["made_at"])


def downgrade() -> None:
    for name in ("event_corrections", "annotation_tags", "annotation_notes"):
        op.drop_table(name)
