"""the workspace's own time: one row saying the time the workspace lives in, when it is not the
real time (a demo's or a replayed workspace's), who set it, and whether it runs on or stays frozen.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.types import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "workspace_clock",
        sa.Column("id", sa.Integer, autoincrement=False, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("set_at", UTCDateTime, nullable=False),
        sa.Column("running", sa.Boolean, nullable=False),
        sa.Column("set_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workspace_clock"),
    )


def downgrade() -> None:
    op.drop_table("workspace_clock")
