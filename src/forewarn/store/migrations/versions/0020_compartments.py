"""Teams, compartments and the read audit (issue 18): a ``compartment`` column on every object that can be
hidden, filled for existing sources, documents and their events and claims from the marking and team they
already carried; the events' covering indexes carry the compartment too.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from forewarn.model.marking import Compartment
from forewarn.model.source import Marking
from forewarn.store.types import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

MARKED = ("sources", "documents", "events", "claims", "annotation_notes", "scenarios", "warnings", "questions")
# The events' covering indexes (0006, 0015) carry the compartment too, so a read that hides compartments still
# reads no table rows (bench/markings_pages.py: without it the explorer's and the map's counts on 1,000,000
# events went from the index alone to a table lookup per event, 2-2.5x slower).
POINT = ("date", "negated", "place_lat", "place_lon")
EVENT_INDEXES = {
    "ix_events_type_date": ("type", *POINT),
    "ix_events_actor_country_date": ("actor_country", *POINT),
    "ix_events_recipient_country_date": ("recipient_country", *POINT),
    "ix_events_source_id_date": ("source_id", *POINT),
    "ix_events_date_place": (*POINT, "type", "mode", "source_id", "actor_country", "recipient_country",
                             "confidence", "place_name", "place_admin1", "place_country"),
    "ix_events_actor_entity_id": ("actor_entity_id", "date", "negated", "recipient_entity_id"),
    "ix_events_recipient_entity_id": ("recipient_entity_id", "date", "negated", "actor_entity_id"),
}


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_teams"),
    )
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("team_id", "account", name="pk_team_members"),
    )
    op.create_index("ix_team_members_account", "team_members", ["account"])
    op.create_table(
        "compartments",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("marking", sa.String(24), nullable=False),
        sa.Column("teams", sa.Text, nullable=False),
        sa.Column("recipients", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_compartments"),
        sa.UniqueConstraint("key", name="uq_compartments_key"),
    )
    op.create_table(
        "read_audit",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.Column("account", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("object_id", sa.String(160), nullable=False),
        sa.Column("compartment", sa.Integer, nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_read_audit"),
    )
    op.create_index("ix_read_audit_at", "read_audit", ["at"])
    op.create_index("ix_read_audit_account", "read_audit", ["account"])
    for table in MARKED:
        with op.batch_alter_table(table) as b:
            b.add_column(sa.Column("compartment", sa.Integer))
    _fill()
    _event_indexes(("compartment",))
    for table in ("documents", "events"):  # which of the ids a page cites are hidden: read from the index alone
        op.create_index(f"ix_{table}_id_compartment", table, ["id", "compartment"])


def _event_indexes(extra: tuple[str, ...]) -> None:
    for name, columns in EVENT_INDEXES.items():
        op.drop_index(name, table_name="events")
        op.create_index(name, "events", [*columns, *extra])


def _fill() -> None:
    """Compartments for the markings and teams sources and documents carried before (most are open)."""
    conn = op.get_bind()
    pairs = {tuple(r) for table in ("sources", "documents")
             for r in conn.execute(sa.text(f"SELECT DISTINCT marking, team FROM {table}"))}
    for marking, team in sorted(pairs, key=lambda p: (p[0], p[1] or "")):
        c = Compartment(Marking(marking), (team.strip().lower(),) if team else ())  # a RED one names no one yet
        if c.open:
            continue
        conn.execute(sa.text("INSERT INTO compartments (key, marking, teams, recipients) VALUES (:k, :m, :t, :r)"),
                     {"k": c.key, "m": c.marking.value, "t": ",".join(c.teams), "r": ",".join(c.recipients)})
        cid = conn.execute(sa.text("SELECT id FROM compartments WHERE key = :k"), {"k": c.key}).scalar()
        for table in ("sources", "documents"):
            conn.execute(sa.text(f"UPDATE {table} SET compartment = :c WHERE marking = :m AND "
                                 "COALESCE(team, '') = :t"), {"c": cid, "m": marking, "t": team or ""})
    for table in ("events", "claims"):
        conn.execute(sa.text(f"UPDATE {table} SET compartment = (SELECT d.compartment FROM documents d "
                             f"WHERE d.id = {table}.document_id) WHERE document_id IN "
                             "(SELECT id FROM documents WHERE compartment IS NOT NULL)"))


def downgrade() -> None:
    for table in ("documents", "events"):
        op.drop_index(f"ix_{table}_id_compartment", table_name=table)
    _event_indexes(())
    for table in MARKED:
        with op.batch_alter_table(table) as b:
            b.drop_column("compartment")
    for table in ("read_audit", "compartments", "team_members", "teams"):
        op.drop_table(table)
