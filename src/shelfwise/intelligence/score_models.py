"""Quality score tables: the current score of each listing, and every score computed."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKeyConstraint, Index, Integer, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shelfwise.platform.db import Base
from shelfwise.platform.models import IdMixin, TenantMixin
from shelfwise.platform.types import JSONType, UTCDateTime, utcnow


class ListingScore(IdMixin, TenantMixin, Base):
    """A listing's latest score and its breakdown (one row per listing, replaced in place)."""

    __tablename__ = "listing_scores"
    __table_args__ = (
        UniqueConstraint("organization_id", "listing_id"),
        ForeignKeyConstraint(
            ["organization_id", "listing_id"],
            ["listings.organization_id", "listings.id"],
            ondelete="CASCADE",
        ),
    )

    listing_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    score: Mapped[int] = mapped_column(Integer)
    content_version: Mapped[int] = mapped_column(Integer)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSONType)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ListingScoreHistory(IdMixin, TenantMixin, Base):
    """One computed score, kept: the listing's score over time."""

    __tablename__ = "listing_score_history"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "listing_id"],
            ["listings.organization_id", "listings.id"],
            ondelete="CASCADE",
        ),
        Index(
            "ix_listing_score_history_organization_id_listing_id_computed_at",
            "organization_id",
            "listing_id",
            "computed_at",
        ),
    )

    listing_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    score: Mapped[int] = mapped_column(Integer)
    previous_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    content_version: Mapped[int] = mapped_column(Integer)
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSONType)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
