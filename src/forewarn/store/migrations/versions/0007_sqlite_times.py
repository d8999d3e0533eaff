"""SQLite only: times written by the bulk-insert path before this revision were stored as
``YYYY-MM-DD HH:MM:SS`` when they fell on a whole second, while every query compares against
``YYYY-MM-DD HH:MM:SS.ffffff``; as text, a time exactly on a ``since`` bound sorted before it (left
out) and one exactly on an ``until`` bound after it. Rewrite those values in the one format.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BULK_WRITTEN = {  # the time columns of the tables the bulk-insert path writes
    "documents": ("published_at", "ingested_at"),
    "sightings": ("published_at", "seen_at"),
    "clusters": ("created_at",),
    "entities": ("updated_at",),
    "events": ("published_at", "coded_at"),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL stores timestamps, not text
    for table, columns in BULK_WRITTEN.items():
        for column in columns:
            op.execute(f"UPDATE {table} SET {column} = {column} || '.000000' WHERE length({column}) = 19")


def downgrade() -> None:
    pass  # the rewritten values are the canonical form; nothing to undo
