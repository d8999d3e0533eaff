"""Alembic environment: forewarn always runs migrations on a connection it passes in
(``config.attributes["connection"]``); there is no alembic.ini and no global engine."""

from alembic import context

from forewarn.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
