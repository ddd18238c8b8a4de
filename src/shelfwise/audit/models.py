"""The audit log table: append-only."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from shelfwise.platform.db import Base
from shelfwise.platform.models import IdMixin, TenantMixin
from shelfwise.platform.types import JSONType, UTCDateTime, utcnow


class AuditEntry(IdMixin, TenantMixin, Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_organization_id_at", "organization_id", "at"),
        Index("ix_audit_log_organization_id_entity", "organization_id", "entity_type", "entity_id"),
    )

    actor_type: Mapped[str] = mapped_column(String(16))  # user | api_key | automation | system
    actor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(64))  # e.g. product.created
    entity_type: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    request_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
