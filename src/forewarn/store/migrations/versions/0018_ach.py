"""Competing hypotheses: matrices, hypotheses, evidence, ratings, versions (issue 17). ``ach_changes`` is
append-only in the database, as ``dissents`` is (:mod:`forewarn.store.migrations.append_only`): a version once
written is never changed, removed or replaced.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.migrations.append_only import protect, unprotect
from forewarn.store.types import JSONText, UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

REFUSAL = "ach_changes are append-only: a matrix changes by a new version, never by editing one"


def upgrade() -> None:
    op.create_table(
        "ach_matrices",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("question_id", sa.Integer),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ach_matrices"),
    )
    op.create_index("ix_ach_matrices_question_id", "ach_matrices", ["question_id"])
    op.create_table(
        "ach_changes",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("matrix_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("op", sa.String(32), nullable=False),
        sa.Column("payload", JSONText, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ach_changes"),
        sa.UniqueConstraint("matrix_id", "version", name="uq_ach_changes_matrix_id"),
    )
    protect("ach_changes", REFUSAL, keys=(("id",), ("matrix_id", "version")))


def downgrade() -> None:
    for name in ("ach_changes", "ach_matrices"):
        op.drop_table(name)  # the triggers go with the table
    unprotect("ach_changes")
