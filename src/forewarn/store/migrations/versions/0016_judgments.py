"""Questions, blind judgments, published lines (issue 17); the outbox takes notices that are not about a warning
(``warning_id`` nullable, ``subject`` such as "question:7").

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.types import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("criteria", sa.Text, nullable=False),
        sa.Column("resolves_by", sa.Date, nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("scenario_id", sa.String(64)),
        sa.Column("reveal_at", UTCDateTime),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("resolution", sa.Text),
        sa.Column("resolved_by", sa.String(128)),
        sa.Column("resolved_at", UTCDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_questions"),
        sa.UniqueConstraint("scenario_id", name="uq_questions_scenario_id"),
    )
    op.create_index("ix_questions_state", "questions", ["state"])
    op.create_table(
        "estimates",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("question_id", sa.Integer, nullable=False),
        sa.Column("analyst", sa.String(128), nullable=False),
        sa.Column("probability", sa.Float, nullable=False),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("blind", sa.Boolean, nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),  # of the ledger's commitment to the row's values
        sa.PrimaryKeyConstraint("id", name="pk_estimates"),
    )
    op.create_index("ix_estimates_question", "estimates", ["question_id", "analyst", "at"])
    op.create_table(
        "published_lines",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("question_id", sa.Integer, nullable=False),
        sa.Column("probability", sa.Float, nullable=False),
        sa.Column("words", sa.String(64), nullable=False),
        sa.Column("published_by", sa.String(128), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("gap", sa.Float),
        sa.Column("model_gap", sa.Float),
        sa.Column("flagged", sa.Boolean, nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_published_lines"),
    )
    op.create_index("ix_published_lines_question_id", "published_lines", ["question_id"])
    with op.batch_alter_table("outbox") as batch:
        batch.alter_column("warning_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("subject", sa.String(64)))
    op.create_index("ix_outbox_subject", "outbox", ["subject"])


def downgrade() -> None:
    op.drop_index("ix_outbox_subject", table_name="outbox")
    op.execute("DELETE FROM outbox WHERE warning_id IS NULL")  # notices: the old outbox holds only warnings'
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("subject")
        batch.alter_column("warning_id", existing_type=sa.Integer(), nullable=False)
    for name in ("published_lines", "estimates", "questions"):
        op.drop_table(name)
