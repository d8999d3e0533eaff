"""Events by when their documents became known: a review reads the events known during its period however old
their dates (late reports), counts the events collected in a post-mortem's window, and a replay counts what its
read held. Those went through the window's documents (hundreds of thousands at 10 M events) or every event of the
region; an index on each event's copy of its document's publication time (with the columns the reviews filter and
count by) finds them directly, and a partial index on the undated documents' ingest times serves the rest.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

KNOWN = ["published_at", "date", "negated", "hypothetical", "type", "place_country", "place_admin1"]


def upgrade() -> None:
    dated = sa.text("published_at IS NOT NULL")  # only a time range uses it (not the explorer's windows)
    op.create_index("ix_events_published_at", "events", KNOWN, postgresql_where=dated, sqlite_where=dated)
    op.create_index("ix_documents_undated", "documents", ["ingested_at"],
                    postgresql_where=sa.text("published_at IS NULL"), sqlite_where=sa.text("published_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_documents_undated", table_name="documents")
    op.drop_index("ix_events_published_at", table_name="events")
