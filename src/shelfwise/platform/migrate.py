"""Running Alembic migrations and granting the application role (PostgreSQL)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shelfwise.platform.db import build_engine
from shelfwise.platform.partitions import ensure_partitions
from shelfwise.platform.settings import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def application_role(settings: Settings) -> str | None:
    """The PostgreSQL role the application connects as, when it is not the migrating role."""
    if settings.database_app_role:
        return settings.database_app_role
    app_user = make_url(settings.resolved_database_url).username
    owner_user = make_url(settings.resolved_migration_url).username
    return app_user if app_user and app_user != owner_user else None


def migrate(settings: Settings, revision: str = "head") -> None:
    """Upgrade the schema to `revision`, then grant the application role its DML rights."""
    url = settings.resolved_migration_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = build_engine(url, settings)
    else:
        engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            ensure_partitions(connection)  # this month's and the next ones (PostgreSQL)
            role = application_role(settings)
            if role and connection.dialect.name == "postgresql":
                quoted = connection.dialect.identifier_preparer.quote(role)
                connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
                connection.execute(
                    text(
                        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
                        f"TO {quoted}"
                    )
                )
                connection.execute(
                    text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}")
                )
    finally:
        engine.dispose()
