"""Key assumptions with signposts (issue 17). ``assumption_matches`` is append-only in the database, as
``dissents`` is (:mod:`forewarn.store.migrations.append_only`): the evidence that flagged an assumption stays.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.migrations.append_only import protect, unprotect
from forewarn.store.types import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

REFUSAL = "assumption_matches are append-only: the evidence that flagged an assumption stays"


def upgrade() -> None:
    op.create_table(
        "assumptions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("question_id", sa.Integer, nullable=False),
        sa.Column("line_id", sa.Integer),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("signposts", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("checked_until", UTCDateTime, nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("review", sa.Text),
        sa.Column("review_salt", sa.String(64)),
        sa.Column("reviewed_by", sa.String(128)),
        sa.Column("reviewed_at", UTCDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_assumptions"),
    )
    op.create_index("ix_assumptions_question_id", "assumptions", ["question_id"])
    op.create_index("ix_assumptions_state", "assumptions", ["state"])
    op.create_table(
        "assumption_matches",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("assumption_id", sa.Integer, nullable=False),
        sa.Column("signpost", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("evidence_id", sa.String(160), nullable=False),
        sa.Column("document_id", sa.String(128), nullable=False),
        sa.Column("known_at", UTCDateTime, nullable=False),
        sa.Column("found_at", UTCDateTime, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assumption_matches"),
        sa.UniqueConstraint("assumption_id", "signpost", "evidence_id", name="uq_assumption_matches_assumption_id"),
    )
    protect("assumption_matches", REFUSAL, keys=(("id",), ("assumption_id", "signpost", "evidence_id")))


def downgrade() -> None:
    for name in ("assumption_matches", "assumptions"):
        op.drop_table(name)  # the triggers go with the table
    unprotect("assumption_matches")
