"""Stories counted per day (forewarn.store.matched): for each attention query remembered, how many independent
stories (duplicate clusters) and how many sources matched it on each day, kept beside the matches, so that a
post-mortem or a replay reads one row a day instead of every matching document.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "match_days",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("clusters", sa.Integer, nullable=False),
        sa.Column("sources", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", "day", name="pk_match_days"),
    )


def downgrade() -> None:
    op.drop_table("match_days")
