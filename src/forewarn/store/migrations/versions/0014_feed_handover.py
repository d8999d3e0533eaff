"""The live feed and shift handovers (issue 16, items 7 and 8): each user's last visit of the
feed (the newest item they have seen), handover notes (written once, never changed: a correction is a
new note), their acknowledgements by the incoming officers, and an index on the time a document became
known, the feed's order.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.types import JSONText, UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_visits",
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("seen_until", UTCDateTime, nullable=False),
        sa.Column("seen_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("account", name="pk_feed_visits"),
    )
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("written_at", UTCDateTime, nullable=False),
        sa.Column("written_by", sa.String(128), nullable=False),
        sa.Column("since", UTCDateTime, nullable=False),
        sa.Column("previous_id", sa.Integer),
        sa.Column("corrects", sa.Integer),
        sa.Column("watch", sa.Text, nullable=False),
        sa.Column("open_warnings", JSONText, nullable=False),
        sa.Column("changes", JSONText, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_handovers"),
    )
    op.create_index("ix_handovers_written_at", "handovers", ["written_at"])
    op.create_table(
        "handover_acks",
        sa.Column("handover_id", sa.Integer, nullable=False),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("handover_id", "account", name="pk_handover_acks"),
    )
    op.create_index("ix_documents_ingested_at", "documents", ["ingested_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_documents_ingested_at", "documents")
    op.drop_table("handover_acks")
    op.drop_index("ix_handovers_written_at", "handovers")
    op.drop_table("handovers")
    op.drop_table("feed_visits")
