"""Alembic environment: runs with the connection that `shelfwise migrate` hands it."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from shelfwise.platform.db import Base
from shelfwise.platform.registry import MODEL_MODULES

assert MODEL_MODULES  # importing the registry fills Base.metadata

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as new_connection:
        context.configure(
            connection=new_connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
