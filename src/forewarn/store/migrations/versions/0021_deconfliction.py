"""Deconfliction inside a workspace (issue 18): selectors, their matches across teams, brokered requests to
talk, selectors not to be matched, and the exchanges with other installations.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.types import UTCDateTime

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deconfliction_selectors",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("shown", sa.Text, nullable=False),
        sa.Column("found_at", UTCDateTime, nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("excluded_by", sa.String(128)),
        sa.Column("excluded_at", UTCDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_deconfliction_selectors"),
        sa.UniqueConstraint("team_id", "key", name="uq_deconfliction_selectors_team_id"),
    )
    op.create_index("ix_deconfliction_selectors_key", "deconfliction_selectors", ["key"])
    op.create_table(
        "deconfliction_matches",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("selector_a", sa.Integer, nullable=False),
        sa.Column("selector_b", sa.Integer, nullable=False),
        sa.Column("found_at", UTCDateTime, nullable=False),
        sa.Column("salt", sa.String(64), nullable=False),
        sa.Column("excluded", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name="pk_deconfliction_matches"),
        sa.UniqueConstraint("selector_a", "selector_b", name="uq_deconfliction_matches_selector_a"),
    )
    op.create_index("ix_deconfliction_matches_selector_b", "deconfliction_matches", ["selector_b"])
    op.create_table(
        "deconfliction_requests",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("match_id", sa.Integer, nullable=False),
        sa.Column("from_team", sa.String(64), nullable=False),
        sa.Column("to_team", sa.String(64), nullable=False),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("requested_at", UTCDateTime, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("answered_by", sa.String(128)),
        sa.Column("answered_at", UTCDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_deconfliction_requests"),
    )
    op.create_index("ix_deconfliction_requests_match_id", "deconfliction_requests", ["match_id"])
    op.create_table(
        "deconfliction_runs",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("checked_until", UTCDateTime, nullable=False),
        sa.Column("ran_at", UTCDateTime, nullable=False),
        sa.Column("selectors", sa.Integer, nullable=False),
        sa.Column("matches", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deconfliction_runs"),
    )
    op.create_table(
        "deconfliction_exchanges",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("exchange_id", sa.String(64), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("peer", sa.String(128), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("own_size", sa.Integer, nullable=False),
        sa.Column("peer_size", sa.Integer),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deconfliction_exchanges"),
    )
    op.create_index("ix_deconfliction_exchanges_peer", "deconfliction_exchanges", ["peer"])


def downgrade() -> None:
    for table in ("deconfliction_exchanges", "deconfliction_runs", "deconfliction_requests", "deconfliction_matches",
                  "deconfliction_selectors"):
        op.drop_table(table)
