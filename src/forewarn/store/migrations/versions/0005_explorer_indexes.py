"""Explorer indexes: a filter on actor country, recipient country or source is always paired with a
date range (the explorer's window), and the map groups a date range's points; composite indexes
serve both, and replace the single-column ones they begin with (which the planner otherwise picks,
reading every event of a country to keep one month of them).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

REPLACED = {
    "ix_events_actor_country": ("actor_country",),
    "ix_events_recipient_country": ("recipient_country",),
    "ix_events_source_id": ("source_id",),
    "ix_events_date": ("date",),
}
ADDED = {
    "ix_events_actor_country_date": ("actor_country", "date", "negated"),
    "ix_events_recipient_country_date": ("recipient_country", "date", "negated"),
    "ix_events_source_id_date": ("source_id", "date", "negated"),
    "ix_events_date_place": ("date", "negated", "place_lat", "place_lon"),
}


def upgrade() -> None:
    for name, columns in ADDED.items():
        op.create_index(name, "events", list(columns))
    for name in REPLACED:
        op.drop_index(name, table_name="events")


def downgrade() -> None:
    for name, columns in REPLACED.items():
        op.create_index(name, "events", list(columns))
    for name in ADDED:
        op.drop_index(name, table_name="events")
