"""Event coding on real text (issue 13): an event's actor may be inferred (a sighting with nobody
named: the military of the state that holds the place), every event records what coded it (the rules,
a learned model, or both), and a claim carries the event it claims (type, actor, recipient, place,
modality) so that "X warns Y could invade Z" is a claim about Y, not an event of X.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

CLAIMED = (("claimed_type", sa.String(16)), ("claimed_modality", sa.String(16)),
           ("claimed_actor_entity_id", sa.Text()), ("claimed_actor_text", sa.Text()),
           ("claimed_actor_country", sa.String(8)), ("claimed_actor_sector", sa.String(16)),
           ("claimed_recipient_entity_id", sa.Text()), ("claimed_recipient_text", sa.Text()),
           ("claimed_recipient_country", sa.String(8)), ("claimed_place_name", sa.Text()),
           ("claimed_place_country", sa.String(8)), ("claimed_place_admin1", sa.Text()),
           ("claimed_place_lat", sa.Float()), ("claimed_place_lon", sa.Float()))


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("actor_inferred", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("coder", sa.String(64), nullable=False, server_default="rules"))
    with op.batch_alter_table("claims") as batch:
        for name, kind in CLAIMED:
            batch.add_column(sa.Column(name, kind))
    op.create_index("ix_claims_claimed_type", "claims", ["claimed_type"])


def downgrade() -> None:
    op.drop_index("ix_claims_claimed_type", "claims")
    with op.batch_alter_table("claims") as batch:
        for name, _ in reversed(CLAIMED):
            batch.drop_column(name)
    with op.batch_alter_table("events") as batch:
        batch.drop_column("coder")
        batch.drop_column("actor_inferred")
