"""Fetched items kept per organization: the last item fetched per (marketplace, ASIN), for the
review-and-sync step (`POST /api/admin/asin-sync` takes them into the catalog)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shelfwise.platform.db import Base
from shelfwise.platform.models import IdMixin, TenantMixin
from shelfwise.platform.types import JSONType, UTCDateTime


class FetchedItem(IdMixin, TenantMixin, Base):
    __tablename__ = "fetched_items"
    __table_args__ = (UniqueConstraint("organization_id", "marketplace", "asin"),)

    marketplace: Mapped[str] = mapped_column(String(32))
    asin: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(32))
    is_demo: Mapped[bool] = mapped_column(Boolean)
    item: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the marketplace-format item
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
