"""Webhook sources and received events (B1-B5), and stored Idempotency-Key responses (B6).

`webhook_sources` is looked up by its id before any organization is known (the sender has no
bearer token), like `api_keys`: it is not under row-level security, and every API query scopes it
by organization. Its secrets are sealed with the organization's vault key. Events and idempotency
keys are tenant tables.
"""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from shelfwise.platform.db import Base
from shelfwise.platform.models import IdMixin, TenantMixin, TimestampMixin
from shelfwise.platform.types import JSONType, UTCDateTime, utcnow


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
    )


class WebhookEventStatus(enum.StrEnum):
    QUEUED = "queued"  # stored; a processing job is queued
    PROCESSED = "processed"
    REJECTED = "rejected"  # the payload is not a JSON object or array of objects


class IdempotencyState(enum.StrEnum):
    IN_FLIGHT = "in_flight"
    DONE = "done"


class WebhookSource(IdMixin, TimestampMixin, Base):
    """A sender (e.g. an n8n flow) with its signing secrets; several are active during rotation."""

    __tablename__ = "webhook_sources"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        UniqueConstraint("organization_id", "name"),
    )

    organization_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # {secret id: secret}, sealed; AAD = organization_id|webhook-source|id.
    sealed_secrets: Mapped[bytes] = mapped_column(LargeBinary)
    # [{"id", "hint", "created_at"}], oldest first: what the API shows of the secrets.
    secret_hints: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


class WebhookEvent(IdMixin, TenantMixin, Base):
    """One accepted delivery, kept raw so it can be processed again."""

    __tablename__ = "webhook_events"
    __table_args__ = (
        # A replay with the same event id, or the same signed timestamp and body, is no new event.
        UniqueConstraint("organization_id", "source_id", "event_id"),
        UniqueConstraint("organization_id", "source_id", "content_digest"),
        ForeignKeyConstraint(
            ["organization_id", "source_id"],
            ["webhook_sources.organization_id", "webhook_sources.id"],
            ondelete="CASCADE",
        ),
        Index(
            "ix_webhook_events_organization_id_received_at", "organization_id", "received_at", "id"
        ),
    )

    source_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    event_id: Mapped[str] = mapped_column(String(200))
    # SHA-256 of the signed content `<t>.<raw body>`.
    content_digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[WebhookEventStatus] = mapped_column(
        _enum(WebhookEventStatus, "webhook_event_status"), default=WebhookEventStatus.QUEUED
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True
    )


class IdempotencyKey(IdMixin, TenantMixin, Base):
    """A mutating POST's Idempotency-Key and, once answered, its response (body sealed)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("organization_id", "key"),
        Index("ix_idempotency_keys_organization_id_created_at", "organization_id", "created_at"),
    )

    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(2000))
    # SHA-256 of who asked, the method, the path with its query and the body.
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[IdempotencyState] = mapped_column(
        _enum(IdempotencyState, "idempotency_state"), default=IdempotencyState.IN_FLIGHT
    )
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response_headers: Mapped[list[list[str]] | None] = mapped_column(JSONType, nullable=True)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ImportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"  # one product object or an array of them
    AMAZON_REPORT = "amazon_report"  # a Seller Central listings or inventory flat file


class ImportRun(IdMixin, TenantMixin, Base):
    """One import (a file or a JSON body) and what it did; the work runs as a job.

    The counters commit with each batch, and `lines_done` is the last record a committed batch
    covered, so a job that is killed resumes after it and the counts stay exact.
    """

    __tablename__ = "import_runs"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        Index("ix_import_runs_organization_id_created_at", "organization_id", "created_at", "id"),
    )

    job_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("jobs.id", ondelete="SET NULL"), nullable=True
    )
    format: Mapped[ImportFormat] = mapped_column(_enum(ImportFormat, "import_format"))
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    size_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64))
    # Used for rows that do not name their source platform.
    source_platform: Mapped[str] = mapped_column(String(64))
    # {column header: target field} for files; None for JSON.
    mapping: Mapped[dict[str, str] | None] = mapped_column(JSONType, nullable=True)
    # The account an Amazon report's listings go to. No foreign key: a composite one (which keeps
    # tenants apart) cannot SET NULL on delete without nulling organization_id too, and the run
    # outlives the account; the job reads the account through its organization's repository.
    marketplace_account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    rows_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lines_done: Mapped[int] = mapped_column(Integer, default=0)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    stale: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # A dry run's first changes, field by field (ingest/preview.py); None for real imports.
    changes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONType, nullable=True)
    # A file-level error (bad encoding, header, size): nothing was written.
    error: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ImportChunk(TenantMixin, Base):
    """The raw payload of an import in pieces of at most 1 MiB: kept for replay, and read back
    as a stream so memory stays flat whatever the file size (and any worker can read it)."""

    __tablename__ = "import_chunks"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "import_id"],
            ["import_runs.organization_id", "import_runs.id"],
            ondelete="CASCADE",
        ),
    )

    import_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class ImportMapping(IdMixin, TenantMixin, TimestampMixin, Base):
    """A column mapping the organization saved, found again by the file's headers."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("organization_id", "headers_key"),)

    # SHA-256 of the normalised header names, sorted: the same columns in any order match.
    headers_key: Mapped[str] = mapped_column(String(64))
    headers: Mapped[list[str]] = mapped_column(JSONType, default=list)
    mapping: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
