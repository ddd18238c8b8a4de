"""Content proposals: an optimizer's rewrite of a listing, kept with its decision (DESIGN 1.5)."""

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Enum,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from shelfwise.platform.db import Base
from shelfwise.platform.models import IdMixin, TenantMixin, TimestampMixin
from shelfwise.platform.types import JSONType, UTCDateTime


class ProposalStatus(enum.StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class ContentProposal(IdMixin, TenantMixin, TimestampMixin, Base):
    """Proposed title, bullets and description for one listing, never edited after its
    decision: approval adds a listing content version (`applied_version`), rejection nothing."""

    __tablename__ = "content_proposals"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        ForeignKeyConstraint(
            ["organization_id", "listing_id"],
            ["listings.organization_id", "listings.id"],
            ondelete="CASCADE",
        ),
        Index(
            "ix_content_proposals_organization_id_listing_id",
            "organization_id",
            "listing_id",
            "created_at",
        ),
    )

    listing_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    scope: Mapped[str] = mapped_column(String(16))  # all, title, description
    marketplace: Mapped[str] = mapped_column(String(64))
    # The listing's content version the proposal rewrote (and its diff is against).
    base_version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(1000))
    bullets: Mapped[list[str]] = mapped_column(JSONType, default=list)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(String(16))  # llm or offline
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    prompt_version: Mapped[str | None] = mapped_column(String(64), nullable=True)
    fallback_reason: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    validation_notes: Mapped[list[str]] = mapped_column(JSONType, default=list)
    diff: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    score_before: Mapped[int | None] = mapped_column(Integer, nullable=True)
    score_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[ProposalStatus] = mapped_column(
        Enum(
            ProposalStatus,
            name="proposal_status",
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ProposalStatus.PROPOSED,
    )
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decision_note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    applied_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
