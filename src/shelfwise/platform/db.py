"""Engines, sessions and the per-transaction tenant context.

SQLite (embedded): WAL, a busy timeout, and `BEGIN IMMEDIATE` for write transactions so two
writers queue on the lock instead of failing with "database is locked" on upgrade (promise H1).
Read-only work uses a second engine with deferred transactions so readers never queue.

PostgreSQL: the organization of the current unit of work is set with `set_config(…, true)` at the
start of every transaction, so row-level security sees it and it can never leak to the next user of
a pooled connection (promises A1, A2).
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, MetaData, String, cast, create_engine, event, func, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction, sessionmaker
from sqlalchemy.sql import ColumnElement

from shelfwise.platform.settings import Settings
from shelfwise.platform.types import load_json

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TENANT_KEY = "organization_id"
TENANT_SETTING = "app.org_id"  # what the row-level security policies read


class Base(DeclarativeBase):
    """Declarative base of every Shelfwise table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, begin_statement: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable in WAL mode, fsync per checkpoint
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin_statement)


def _set_tenant(session: Session, connection: Connection) -> None:
    organization_id = session.info.get(TENANT_KEY)
    value = str(organization_id) if organization_id is not None else ""
    connection.execute(_SET_TENANT, {"value": value})


_SET_TENANT = text(f"SELECT set_config('{TENANT_SETTING}', :value, true)")


def tenant_setting_from(column: ColumnElement[Any]) -> ColumnElement[str]:
    """A column expression that makes `column`'s value the transaction's tenant when the row is
    read (PostgreSQL): a query that finds the organization also switches to it, saving the
    round trip of a separate `set_config`. Select it from a single-row subquery, so it runs
    once; then tell `set_tenant(…, applied=True)`."""
    return func.set_config(TENANT_SETTING, cast(column, String), True)


def build_engine(url: str, settings: Settings, *, for_writes: bool = True) -> Engine:
    """An engine for `url` configured for Shelfwise's transaction discipline."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            pool_size=settings.database_pool_size,
        )
        busy_ms = int(settings.sqlite_busy_timeout.total_seconds() * 1000)
        _configure_sqlite(engine, busy_ms, "BEGIN IMMEDIATE" if for_writes else "BEGIN")
        return engine
    return create_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_pre_ping=True,
        json_deserializer=load_json,
        # UTC sessions: psycopg then hands back datetimes in UTC (no conversion per value), and
        # SQL such as date_trunc() means the same day for every server.
        connect_args={"options": "-c timezone=UTC"},
    )


class Database:
    """The application's engines and session factories."""

    def __init__(self, settings: Settings, url: str | None = None) -> None:
        self.settings = settings
        self.url = url or settings.resolved_database_url
        self.is_sqlite = self.url.startswith("sqlite")
        self.engine = build_engine(self.url, settings, for_writes=True)
        self.read_engine = (
            build_engine(self.url, settings, for_writes=False) if self.is_sqlite else self.engine
        )
        self._write_sessions = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(bind=self.read_engine, expire_on_commit=False)
        if not self.is_sqlite:
            for factory in (self._write_sessions, self._read_sessions):
                event.listen(factory, "after_begin", self._after_begin)

    @staticmethod
    def _after_begin(session: Session, transaction: SessionTransaction, conn: Connection) -> None:
        # set_config(..., true) is local to its transaction, so a transaction without a tenant
        # starts with none (no earlier value can leak through the pool): nothing to send. A
        # savepoint inherits its transaction's value: nothing to send again either.
        if session.info.get(TENANT_KEY) is not None and not transaction.nested:
            _set_tenant(session, conn)

    def new_session(
        self, *, organization_id: uuid.UUID | None = None, write: bool = True
    ) -> Session:
        """A session whose transactions run for `organization_id` (None: no tenant rows)."""
        factory = self._write_sessions if write else self._read_sessions
        session = factory()
        session.info[TENANT_KEY] = organization_id
        session.info["settings"] = self.settings
        return session

    @contextmanager
    def unit_of_work(
        self, *, organization_id: uuid.UUID | None = None, write: bool = True
    ) -> Iterator[Session]:
        """A session committed once at the end, rolled back on any error."""
        session = self.new_session(organization_id=organization_id, write=write)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def set_tenant(session: Session, organization_id: uuid.UUID, *, applied: bool = False) -> None:
    """Switch the session's tenant, also inside an already open transaction; `applied`: the
    open transaction already has it (a `tenant_setting_from` column was read)."""
    session.info[TENANT_KEY] = organization_id
    if applied:
        return
    if session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        _set_tenant(session, session.connection())


def dialect_insert(session: Session, model: Any) -> Any:
    """An INSERT with the dialect's ON CONFLICT support (PostgreSQL or SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(model)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model)
