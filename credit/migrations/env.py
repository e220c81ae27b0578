"""Alembic environment: migrations run on the connection handed over by :func:`credit.schema.upgrade`."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
