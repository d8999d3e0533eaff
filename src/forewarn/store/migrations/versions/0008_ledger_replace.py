"""SQLite: refuse ``INSERT OR REPLACE`` (and ``REPLACE INTO``, and an insert naming a rowid) on the
ledger. REPLACE deletes the row it conflicts with without firing the DELETE trigger (unless
``recursive_triggers`` is on, which a bare sqlite3 client does not turn on), so a row could be
changed past ``ledger_no_update``. The trigger ``ledger_no_replace`` refuses, before it happens,
any insert whose seq is not a whole number past the last one, or that names its own rowid: an
append is the only insert left. It lives in the database, so it holds on every connection.

PostgreSQL needs nothing: ``INSERT … ON CONFLICT DO UPDATE`` fires ``ledger_no_change`` (an UPDATE),
and a plain insert of an existing seq breaks the primary key.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

REFUSAL = "ledger rows are append-only: an insert must come after the last entry"
LAST_SEQ = "SELECT seq FROM ledger WHERE seq <= 9223372036854775807 ORDER BY seq DESC LIMIT 1"  # numbers only


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TRIGGER ledger_no_replace BEFORE INSERT ON ledger "
               f"WHEN typeof(NEW.seq) <> 'integer' OR NEW.seq <= ({LAST_SEQ}) OR NEW.rowid <> -1 "
               f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER ledger_no_replace")
