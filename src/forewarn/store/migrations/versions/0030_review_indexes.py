"""Two indexes for a review's read of a large store (a replay's or a post-mortem's, issue 20).

Events by a participant's country and type: a scenario's indicator of an actor's (a recipient's) countries and a
few types was read through the explorer's index of that country and date, which holds every type: each such
clause walked every event of the country in the review's months (600,000 index entries for one country at 10 M
events, 70-155 ms a clause, one after another) to keep a few thousand. With the type after the country a clause
reads only its own entries (of the events a review counts only: neither negated nor hypothetical).

The near-duplicate documents' clusters: a surge counts each report's cluster, and most documents are their own
cluster; a partial index of the others lets the surge rows look up only those (a smaller index: 5 µs a look-up
instead of 11, for 150,000 events of a large region at 10 M).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

EVENTS = {f"ix_events_{role}_country_type": [f"{role}_country", "type", "date"] for role in ("actor", "recipient")}
FACTUAL = "negated IS false AND hypothetical IS false"  # as a review's clauses ask (the explorer's windows do not)
DUPLICATES = "ix_documents_duplicates"


def upgrade() -> None:
    for name, columns in EVENTS.items():
        op.create_index(name, "events", columns, postgresql_where=sa.text(FACTUAL), sqlite_where=sa.text(FACTUAL))
    duplicate = sa.text("cluster_id <> id")
    op.create_index(DUPLICATES, "documents", ["id", "cluster_id"], postgresql_where=duplicate,
                    sqlite_where=duplicate)


def downgrade() -> None:
    op.drop_index(DUPLICATES, table_name="documents")
    for name in EVENTS:
        op.drop_index(name, table_name="events")
