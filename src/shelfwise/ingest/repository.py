"""Queries on webhook sources and events, and on idempotency keys.

New events and keys are claimed with INSERT … ON CONFLICT DO NOTHING on their unique keys, never
check-then-insert: of concurrent identical requests exactly one inserts (B3, B6).
"""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, insert, or_, select
from sqlalchemy.orm import Session

from shelfwise.ingest.models import (
    IdempotencyKey,
    IdempotencyState,
    ImportChunk,
    ImportMapping,
    ImportRun,
    WebhookEvent,
    WebhookEventStatus,
    WebhookSource,
)
from shelfwise.platform.db import dialect_insert
from shelfwise.platform.repository import TenantRepository


def source_for_delivery(session: Session, source_id: uuid.UUID) -> WebhookSource | None:
    """The source a delivery names, before its organization is known (no tenant yet)."""
    return session.scalar(select(WebhookSource).where(WebhookSource.id == source_id))


def _insert_ignoring_conflicts(session: Session, model: Any, values: dict[str, Any]) -> bool:
    statement = dialect_insert(session, model).values(**values).on_conflict_do_nothing()
    # RETURNING, not rowcount: psycopg reports -1 for ORM-executed INSERTs.
    return session.execute(statement.returning(model.id)).scalar_one_or_none() is not None


class WebhookSourceRepository(TenantRepository[WebhookSource]):
    model = WebhookSource

    def all(self) -> list[WebhookSource]:
        return list(
            self.session.scalars(self.select().order_by(WebhookSource.created_at, WebhookSource.id))
        )

    def by_name(self, name: str) -> WebhookSource | None:
        return self.session.scalar(self.select().where(WebhookSource.name == name))


class WebhookEventRepository(TenantRepository[WebhookEvent]):
    model = WebhookEvent

    def insert_new(self, values: dict[str, Any]) -> bool:
        """Store a delivery unless its (source, event id) or (source, digest) is known."""
        return _insert_ignoring_conflicts(
            self.session, WebhookEvent, values | {"organization_id": self.organization_id}
        )

    def earlier(self, source_id: uuid.UUID, event_id: str, digest: str) -> WebhookEvent | None:
        """The stored delivery a duplicate repeats."""
        statement = self.select().where(
            WebhookEvent.source_id == source_id,
            or_(WebhookEvent.event_id == event_id, WebhookEvent.content_digest == digest),
        )
        return self.session.scalars(statement.order_by(WebhookEvent.received_at)).first()

    def page(
        self,
        *,
        source_id: uuid.UUID | None,
        status: WebhookEventStatus | None,
        before: tuple[datetime, uuid.UUID] | None,
        limit: int,
    ) -> list[WebhookEvent]:
        """Newest first, keyset-paginated on (received_at, id)."""
        statement: Select[Any] = self.select()
        if source_id is not None:
            statement = statement.where(WebhookEvent.source_id == source_id)
        if status is not None:
            statement = statement.where(WebhookEvent.status == status)
        if before is not None:
            at, last_id = before
            statement = statement.where(
                or_(
                    WebhookEvent.received_at < at,
                    (WebhookEvent.received_at == at) & (WebhookEvent.id < last_id),
                )
            )
        statement = statement.order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc())
        return list(self.session.scalars(statement.limit(limit)))


class IdempotencyKeyRepository(TenantRepository[IdempotencyKey]):
    model = IdempotencyKey

    def claim(self, values: dict[str, Any]) -> bool:
        """Take the key as in flight; False when the organization already holds it."""
        return _insert_ignoring_conflicts(
            self.session, IdempotencyKey, values | {"organization_id": self.organization_id}
        )

    def by_key(self, key: str) -> IdempotencyKey | None:
        return self.session.scalar(self.select().where(IdempotencyKey.key == key))

    def take_over_expired(
        self, key: str, expired_before: datetime, values: dict[str, Any]
    ) -> uuid.UUID | None:
        """Reuse an expired key for a new request; the row lock makes one taker win."""
        stored = self.session.scalar(
            self.select()
            .where(IdempotencyKey.key == key, IdempotencyKey.created_at < expired_before)
            .with_for_update()
        )
        if stored is None:
            return None
        for name, value in values.items():
            setattr(stored, name, value)
        stored.state = IdempotencyState.IN_FLIGHT
        stored.response_status = stored.response_headers = stored.response_body = None
        stored.completed_at = None
        self.session.flush()
        return stored.id

    def release(self, key_id: uuid.UUID) -> None:
        """Forget an in-flight key whose request failed (5xx): a retry runs it again."""
        stored = self.get(key_id)
        if stored is not None and stored.state == IdempotencyState.IN_FLIGHT:
            self.delete(stored)

    def purge_created_before(self, cutoff: datetime) -> int:
        expired = self.scoped(select(IdempotencyKey.id).where(IdempotencyKey.created_at < cutoff))
        result = self.session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.id.in_(expired.scalar_subquery()))
        )
        return int(getattr(result, "rowcount", 0) or 0)


class ImportRunRepository(TenantRepository[ImportRun]):
    model = ImportRun

    def locked(self, import_id: uuid.UUID) -> ImportRun | None:
        """The run, locked until commit (its counters change with each batch)."""
        return self.session.scalar(self.select().where(ImportRun.id == import_id).with_for_update())

    def page(self, before: tuple[datetime, uuid.UUID] | None, limit: int) -> list[ImportRun]:
        """Newest first, keyset-paginated on (created_at, id)."""
        statement: Select[Any] = self.select()
        if before is not None:
            at, last_id = before
            statement = statement.where(
                or_(
                    ImportRun.created_at < at,
                    (ImportRun.created_at == at) & (ImportRun.id < last_id),
                )
            )
        statement = statement.order_by(ImportRun.created_at.desc(), ImportRun.id.desc())
        return list(self.session.scalars(statement.limit(limit)))

    def add_chunk(self, import_id: uuid.UUID, sequence: int, data: bytes) -> None:
        self.session.execute(
            insert(ImportChunk).values(
                organization_id=self.organization_id,
                import_id=import_id,
                sequence=sequence,
                data=data,
            )
        )

    def chunk(self, import_id: uuid.UUID, sequence: int) -> bytes | None:
        statement = self.scoped(select(ImportChunk.data), ImportChunk).where(
            ImportChunk.import_id == import_id, ImportChunk.sequence == sequence
        )
        connection = self.session.connection()  # begins the transaction: the tenant is set
        if connection.dialect.name != "postgresql":
            data: bytes | None = connection.scalar(statement)
            return data
        # In binary: as text, PostgreSQL writes a 1 MiB chunk as 2 MiB of hex for psycopg to
        # parse back, three times the time of the chunk itself (both read every import twice).
        compiled = statement.compile(dialect=connection.dialect)
        driver_connection: Any = connection.connection.driver_connection
        with driver_connection.cursor(binary=True) as cursor:
            row = cursor.execute(str(compiled), compiled.params).fetchone()
        return None if row is None else bytes(row[0])


class ImportMappingRepository(TenantRepository[ImportMapping]):
    model = ImportMapping

    def by_headers_key(self, headers_key: str) -> ImportMapping | None:
        return self.session.scalar(self.select().where(ImportMapping.headers_key == headers_key))

    def all(self) -> list[ImportMapping]:
        return list(self.session.scalars(self.select().order_by(ImportMapping.updated_at.desc())))
