"""Warning: scenarios, assessments, warnings, the notification outbox, and the append-only,
hash-chained ledger with its signing keys. The database itself refuses UPDATE and DELETE on
ledger rows (SQLite triggers; a PostgreSQL trigger function).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

from forewarn.store.types import JSONText, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

REFUSAL = "ledger rows are append-only"


def upgrade() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("yaml", sa.Text, nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scenarios"),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("scenario_id", sa.String(64), nullable=False),
        sa.Column("scenario_version", sa.String(64), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("probability", sa.Float, nullable=False),
        sa.Column("log_odds", sa.Float, nullable=False),
        sa.Column("level", sa.String(16)),
        sa.Column("signals", JSONText, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assessments"),
    )
    op.create_index("ix_assessments_scenario_id_at", "assessments", ["scenario_id", "at"])
    op.create_table(
        "warnings",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("scenario_id", sa.String(64)),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("probability", sa.Float),
        sa.Column("event_ids", JSONText, nullable=False),
        sa.Column("document_ids", JSONText, nullable=False),
        sa.Column("partner", sa.Text),
        sa.Column("partner_ref", sa.Text),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("disposition", sa.String(16)),
        sa.Column("rationale", sa.Text),
        sa.Column("signposts", JSONText, nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("chain", JSONText, nullable=False),
        sa.Column("escalation_level", sa.Integer, nullable=False),
        sa.Column("raised_at", UTCDateTime, nullable=False),
        sa.Column("raised_by", sa.String(128), nullable=False),
        sa.Column("ack_deadline", UTCDateTime),
        sa.Column("acknowledged_at", UTCDateTime),
        sa.Column("acknowledged_by", sa.String(128)),
        sa.Column("disposed_at", UTCDateTime),
        sa.Column("disposed_by", sa.String(128)),
        sa.Column("reopened", sa.Integer, nullable=False),
        sa.Column("updated_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_warnings"),
    )
    op.create_index("ix_warnings_scenario_id", "warnings", ["scenario_id"])
    op.create_index("ix_warnings_state", "warnings", ["state"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("warning_id", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("payload", JSONText, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", UTCDateTime, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Column("sent_at", UTCDateTime),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_warning_id", "outbox", ["warning_id"])
    op.create_index("ix_outbox_status", "outbox", ["status"])
    op.create_table(
        "ledger",
        sa.Column("seq", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(64)),
        sa.Column("signature", sa.String(128)),
        sa.PrimaryKeyConstraint("seq", name="pk_ledger"),
    )
    for col in ("actor", "kind", "subject"):
        op.create_index(f"ix_ledger_{col}", "ledger", [col])
    op.create_table(
        "ledger_keys",
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("public_key", sa.Text, nullable=False),
        sa.Column("registered_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("key_id", name="pk_ledger_keys"),
    )
    op.create_index("ix_ledger_keys_actor", "ledger_keys", ["actor"])
    _append_only()


def _append_only() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER ledger_no_{verb.lower()} BEFORE {verb} ON ledger "
                       f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END")
        return
    op.execute(f"""CREATE FUNCTION ledger_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege'; END $$""")
    op.execute("CREATE TRIGGER ledger_no_change BEFORE UPDATE OR DELETE ON ledger "
               "FOR EACH ROW EXECUTE FUNCTION ledger_refuse()")
    op.execute("CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ledger "
               "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TABLE ledger")  # its triggers go with it
        op.execute("DROP FUNCTION ledger_refuse()")
    else:
        op.drop_table("ledger")
    for name in ("ledger_keys", "outbox", "warnings", "assessments", "scenarios"):
        op.drop_table(name)
