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
