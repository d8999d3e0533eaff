"""Protected dissent on published lines and dispositions (issue 17): the ``dissents`` table, append-only in the
database as the ledger is (0003, 0008): SQLite triggers refuse UPDATE, DELETE and an insert that would replace a row
(``INSERT OR REPLACE`` deletes without firing the DELETE trigger); PostgreSQL triggers refuse UPDATE, DELETE and
TRUNCATE (an ``ON CONFLICT DO UPDATE`` is an UPDATE); :mod:`forewarn.store.migrations.append_only` makes them.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.migrations.append_only import protect, unprotect
from forewarn.store.types import UTCDateTime

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

REFUSAL = "dissents are append-only: no one can edit or remove one"


def upgrade() -> None:
    op.create_table(
        "dissents",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("target_id", sa.Integer, nullable=False),
        sa.Column("question_id", sa.Integer),
        sa.Column("analyst", sa.String(128), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dissents"),
    )
    op.create_index("ix_dissents_target", "dissents", ["target", "target_id"])
    protect("dissents", REFUSAL)


def downgrade() -> None:
    op.drop_table("dissents")  # its triggers go with it
    unprotect("dissents")
