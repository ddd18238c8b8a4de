"""Fresh test databases: a SQLite file, or a PostgreSQL database with a non-owner app role."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from shelfwise.platform.migrate import migrate
from shelfwise.platform.settings import Settings

ADMIN_URL = os.environ.get(
    "SHELFWISE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
APP_ROLE = "shelfwise_app"  # LOGIN, NOSUPERUSER, NOBYPASSRLS, owns nothing (A1)


def _host_part(url: str) -> str:
    return url.split("@", 1)[1].rsplit("/", 1)[0]


def ensure_app_role() -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_roles WHERE rolname = %s", (APP_ROLE,)
        ).fetchone()
        if not exists:
            connection.execute(
                sql.SQL(
                    "CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
                ).format(sql.Identifier(APP_ROLE))
            )


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


# Vendor endpoints of every test's settings: a closed local port, so a call a test did not point
# at its fake (a job left queued, a schedule firing) is refused at once and never reaches a
# real vendor host.
NO_VENDOR_HOSTS = {
    "spapi_endpoint": "http://127.0.0.1:9",
    "spapi_token_url": "http://127.0.0.1:9/auth/o2/token",
    "creators_endpoint": "http://127.0.0.1:9",
    "creators_token_url": "http://127.0.0.1:9/auth/o2/token",
    # The scraper needs no credentials, so it would be every organization's last resort and
    # reach www.amazon.com: tests that want it point it at the fake Amazon and switch it on.
    "scraper_enabled": False,
    # The real paths are under test: no organization falls back to the demo marketplace.
    "demo_marketplace": False,
}


@contextmanager
def postgres_settings(data_dir: Path, **overrides: object) -> Iterator[Settings]:
    """Settings for a new, migrated PostgreSQL database, dropped afterwards."""
    name = f"shelfwise_test_{uuid.uuid4().hex[:12]}"
    ensure_app_role()
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    host = _host_part(ADMIN_URL)
    owner_user = ADMIN_URL.split("://", 1)[1].split("@", 1)[0]
    settings = Settings(
        data_dir=data_dir,
        database_url=f"postgresql+psycopg://{APP_ROLE}@{host}/{name}",
        migration_database_url=f"postgresql+psycopg://{owner_user}@{host}/{name}",
        log_json=False,
        log_level="WARNING",
        **({"embedded_worker": False} | NO_VENDOR_HOSTS | overrides),  # type: ignore[arg-type]
    )
    try:
        migrate(settings)
        yield settings
    finally:
        drop_database(name)


@contextmanager
def sqlite_settings(data_dir: Path, **overrides: object) -> Iterator[Settings]:
    # Tests start job systems themselves where they test them.
    values = {"embedded_worker": False} | NO_VENDOR_HOSTS | overrides
    settings = Settings(data_dir=data_dir, log_json=False, log_level="WARNING", **values)  # type: ignore[arg-type]
    migrate(settings)
    yield settings


@contextmanager
def database_settings(backend: str, data_dir: Path, **overrides: object) -> Iterator[Settings]:
    factory = postgres_settings if backend == "postgresql" else sqlite_settings
    with factory(data_dir, **overrides) as settings:
        yield settings
