"""Indexes for 10,000,000 events (issue 20). Each explorer filter's index (type, actor country, recipient
country, source) also carries what the explorer and the map count the filtered events by — the event type and
the place's country, region and name — so that a filtered page reads that filter's rows from its index alone
(on a store of 10,000,000 events the planner otherwise read the date index over every event of the window, ten
times as many). Indexes on the place's region and on its name, each with the date, serve the reads of a
scenario's region (a post-mortem's window, the map of a scenario) and the explorer's place filter, whose
distinct names and regions they also list without reading the events (forewarn.reads.events.with_places).
Measured with bench/web_pages.py on PostgreSQL at 10,000,000 events and SQLite at 1,000,000.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from collections.abc import Mapping

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

POINT = ("date", "negated", "place_lat", "place_lon", "compartment")
COUNTED = ("place_country", "place_admin1", "place_name")  # what the explorer and the map group by, besides type
BEFORE = {
    "ix_events_type_date": ("type", *POINT),
    "ix_events_actor_country_date": ("actor_country", *POINT),
    "ix_events_recipient_country_date": ("recipient_country", *POINT),
    "ix_events_source_id_date": ("source_id", *POINT),
}
AFTER = {
    "ix_events_type_date": ("type", *POINT, *COUNTED),
    "ix_events_actor_country_date": ("actor_country", *POINT, "type", *COUNTED),
    "ix_events_recipient_country_date": ("recipient_country", *POINT, "type", *COUNTED),
    "ix_events_source_id_date": ("source_id", *POINT, "type", *COUNTED),
}
PLACE = {
    "ix_events_place_admin1": ("place_admin1", "date", "negated", "place_country"),
    "ix_events_place_name": ("place_name", "date", "negated"),
}


def _swap(old: Mapping[str, tuple[str, ...]], new: Mapping[str, tuple[str, ...]]) -> None:
    for name in old:
        op.drop_index(name, table_name="events")
    for name, columns in new.items():
        op.create_index(name, "events", list(columns))


def upgrade() -> None:
    _swap(BEFORE, AFTER)
    _swap({}, PLACE)


def downgrade() -> None:
    _swap(PLACE, {})
    _swap(AFTER, BEFORE)
