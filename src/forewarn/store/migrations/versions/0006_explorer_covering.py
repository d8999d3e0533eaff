"""Explorer indexes, wider: each filter's index also carries the point (so the map's grid and the
daily counts read no table rows), the date index carries every column the explorer filters on, and
an entity's events are found by actor or recipient with their date. Same names as before, more
columns; measured on a store of 1,000,000 events (bench/web_pages.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BEFORE = {
    "ix_events_type_date": ("type", "date"),
    "ix_events_actor_country_date": ("actor_country", "date", "negated"),
    "ix_events_recipient_country_date": ("recipient_country", "date", "negated"),
    "ix_events_source_id_date": ("source_id", "date", "negated"),
    "ix_events_date_place": ("date", "negated", "place_lat", "place_lon"),
    "ix_events_actor_entity_id": ("actor_entity_id",),
    "ix_events_recipient_entity_id": ("recipient_entity_id",),
}
POINT = ("date", "negated", "place_lat", "place_lon")
AFTER = {
    "ix_events_type_date": ("type", *POINT),
    "ix_events_actor_country_date": ("actor_country", *POINT),
    "ix_events_recipient_country_date": ("recipient_country", *POINT),
    "ix_events_source_id_date": ("source_id", *POINT),
    "ix_events_date_place": (*POINT, "type", "mode", "source_id", "actor_country", "recipient_country",
                             "confidence", "place_name", "place_admin1"),
    "ix_events_actor_entity_id": ("actor_entity_id", "date", "negated", "recipient_entity_id"),
    "ix_events_recipient_entity_id": ("recipient_entity_id", "date", "negated", "actor_entity_id"),
}


def _swap(old: dict[str, tuple[str, ...]], new: dict[str, tuple[str, ...]]) -> None:
    for name in old:
        op.drop_index(name, table_name="events")
    for name, columns in new.items():
        op.create_index(name, "events", list(columns))


def upgrade() -> None:
    _swap(BEFORE, AFTER)


def downgrade() -> None:
    _swap(AFTER, BEFORE)
