"""Text matches remembered (forewarn.store.matched): which events' sentences and which documents a scenario's
keywords and attention queries matched, day by day, so that a post-mortem or a replay over a store of millions of
events reads the few that match instead of testing every sentence and text of its region again; and the per-day
generations the write path raises, which tell a remembered day from one that has changed since.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_marks",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("kind", "day", name="pk_day_marks"),
    )
    op.create_table(
        "match_marks",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", "day", name="pk_match_marks"),
    )
    op.create_table(
        "match_hits",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("key", "item", name="pk_match_hits"),
    )
    op.create_index("ix_match_hits_key_day", "match_hits", ["key", "day"])


def downgrade() -> None:
    op.drop_index("ix_match_hits_key_day", table_name="match_hits")
    for table in ("match_hits", "match_marks", "day_marks"):
        op.drop_table(table)
