"""Outbox targets without secrets (hardening, issue 11). Webhook rows stored the configured URL
whole, credentials and all (user:password@, path tokens, query values). Add
``outbox.target_fingerprint`` (a short hash of the full target, see :mod:`forewarn.redact`), fill
it for every row from the target as it is, then keep only the redacted URL in ``target`` and
scrub the URL's secrets out of ``last_error``. Delivery takes the real URL from the settings and
checks it against the fingerprint.

The ledger is append-only and is not rewritten: its payloads are redacted when they are read.
Downgrading drops the fingerprint; the redacted targets cannot be restored.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from forewarn.redact import fingerprint, redact_text, redact_url, scrub

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

OUTBOX = sa.table("outbox", sa.column("id", sa.Integer), sa.column("channel", sa.String),
                  sa.column("target", sa.Text), sa.column("last_error", sa.Text),
                  sa.column("target_fingerprint", sa.String))


def upgrade() -> None:
    op.add_column("outbox", sa.Column("target_fingerprint", sa.String(16)))
    bind = op.get_bind()
    c = OUTBOX.c
    for row in bind.execute(sa.select(c.id, c.channel, c.target, c.last_error)).all():
        bind.execute(OUTBOX.update().where(c.id == row.id).values(**redacted(row)))


def redacted(row: Any) -> dict[str, Any]:
    """The row's new target, fingerprint and error: e-mail addresses stay as they are."""
    webhook = row.channel == "webhook"
    error = row.last_error
    if error is not None:
        error = scrub(error, row.target) if webhook else redact_text(error)
    return {"target": redact_url(row.target) if webhook else row.target,
            "target_fingerprint": fingerprint(row.target), "last_error": error}


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("target_fingerprint")
