"""The migrations build exactly the schema the models describe, on both backends."""

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from shelfwise.platform.db import Base
from shelfwise.platform.partitions import PARTITIONED
from shelfwise.platform.registry import MODEL_MODULES
from shelfwise.platform.settings import Settings

PARTITION = re.compile(rf"({'|'.join(PARTITIONED)})_(default|\d{{4}}_\d{{2}})")


def not_a_test_table(name: str | None, type_: str, _parents: dict[str, str | None]) -> bool:
    """Job tests add their own effect tables (test_*) to the session database, and PostgreSQL
    holds the time series' partitions (platform/partitions.py): neither is in the models."""
    if type_ != "table" or name is None:
        return True
    return not (name.startswith("test_") or PARTITION.fullmatch(name))


def test_migrated_schema_matches_the_models(settings: Settings) -> None:
    assert MODEL_MODULES  # every model module is imported, so Base.metadata is complete
    engine = create_engine(settings.resolved_migration_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"include_name": not_a_test_table}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == []
