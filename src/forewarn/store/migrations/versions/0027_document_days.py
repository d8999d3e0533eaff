"""Documents counted per day as they are ingested: how many documents became known (published, else ingested) on
each UTC day. A mentions indicator's record of when the stream was up reads one row a day instead of grouping every
document of its period (a million at 10 M events); the ingest write path adds to the day in the batch's
transaction. Filled here from the documents already stored.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "document_days",
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("documents", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("day", name="pk_document_days"),
    )
    known = "coalesce(published_at, ingested_at)"
    day = (f"CAST(timezone('UTC', {known}) AS date)" if op.get_bind().dialect.name == "postgresql"
           else f"substr({known}, 1, 10)")
    op.execute(f"INSERT INTO document_days (day, documents) SELECT {day}, count(*) FROM documents GROUP BY {day}")


def downgrade() -> None:
    op.drop_table("document_days")
