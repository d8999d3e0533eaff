"""named owners, duty roster and reminders at the chain's end

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.types import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("warnings") as batch:
        batch.add_column(sa.Column("owner_account", sa.String(128)))
        batch.add_column(sa.Column("owner_name", sa.Text()))
        batch.add_column(sa.Column("due_at", UTCDateTime))
        batch.add_column(sa.Column("reminders", sa.Integer(), nullable=False, server_default="0"))
    # an unacknowledged warning's next automatic step was its deadline (at the chain's end it is reminded now)
    op.execute("UPDATE warnings SET due_at = ack_deadline WHERE state = 'raised'")
    op.create_table(
        "roster",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("role", sa.String(128), nullable=False),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("ends_at", UTCDateTime),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("removed_at", UTCDateTime),
        sa.Column("removed_by", sa.String(128)),
        sa.PrimaryKeyConstraint("id", name="pk_roster"),
    )
    op.create_index("ix_roster_role", "roster", ["role"])


def downgrade() -> None:
    op.drop_index("ix_roster_role", "roster")
    op.drop_table("roster")
    with op.batch_alter_table("warnings") as batch:
        for name in ("reminders", "due_at", "owner_name", "owner_account"):
            batch.drop_column(name)
