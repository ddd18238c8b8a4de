"""The migrations build exactly the schema the models describe, on both backends."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from shelfwise.platform.db import Base
from shelfwise.platform.registry import MODEL_MODULES
from shelfwise.platform.settings import Settings


def test_migrated_schema_matches_the_models(settings: Settings) -> None:
    assert MODEL_MODULES  # every model module is imported, so Base.metadata is complete
    engine = create_engine(settings.resolved_migration_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
