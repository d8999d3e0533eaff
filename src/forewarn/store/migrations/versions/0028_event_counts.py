"""Events counted per day, event type, negation, compartment, place (country, region, name) and 0.25° grid cell,
with the sums of their coordinates: the explorer's and the map's counts over a window of half a million events
(10 M in the store) read these rows instead of the events. The write path adds to them in the transaction that adds,
removes or re-marks events (``forewarn.store.counts``). NULL is kept as a sentinel in the key (0 for an open
compartment, '' for no country, region or name, -1 for no point): a primary key holds no NULL on SQLite. Filled
here from the events already stored.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

KEY = ("date", "type", "negated", "compartment", "place_country", "place_admin1", "place_name", "cell")


def upgrade() -> None:
    op.create_table(
        "event_counts",
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("negated", sa.Boolean, nullable=False),
        sa.Column("compartment", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("place_country", sa.String(8), nullable=False),
        sa.Column("place_admin1", sa.Text, nullable=False),
        sa.Column("place_name", sa.Text, nullable=False),
        sa.Column("cell", sa.Integer, nullable=False, autoincrement=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("lat_sum", sa.Float, nullable=False),
        sa.Column("lon_sum", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint(*KEY, name="pk_event_counts"),
    )
    if op.get_bind().dialect.name == "postgresql":
        cell = ("CAST(floor((place_lat + 90) / 0.25) * 100000 + floor((place_lon + 180) / 0.25) AS INTEGER)")
    else:
        cell = ("CAST((place_lat + 90) / 0.25 AS INTEGER) * 100000 + CAST((place_lon + 180) / 0.25 AS INTEGER)")
    key = (f"date, type, negated, coalesce(compartment, 0), coalesce(place_country, ''), coalesce(place_admin1, ''), "
           f"coalesce(place_name, ''), coalesce({cell}, -1)")
    op.execute(f"INSERT INTO event_counts ({', '.join(KEY)}, n, lat_sum, lon_sum) "
               f"SELECT {key}, count(*), coalesce(sum(place_lat), 0), coalesce(sum(place_lon), 0) "
               f"FROM events GROUP BY {key}")


def downgrade() -> None:
    op.drop_table("event_counts")
