"""Catalog tables. Foreign keys include organization_id so no row can point across tenants (A4)."""

import enum
import uuid
from datetime import datetime
from decimal import Decimal
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
from shelfwise.platform.types import JSONType, MoneyAmount, UTCDateTime, utcnow


class Platform(enum.StrEnum):
    """Marketplaces and other sources Shelfwise knows."""

    AMAZON = "amazon"
    EBAY = "ebay"
    KAUFLAND = "kaufland"
    DEMO = "demo"


class ConnectionStatus(enum.StrEnum):
    """Whether the marketplace honours an account's authorization (as last seen)."""

    UNVERIFIED = "unverified"  # no call made yet
    CONNECTED = "connected"
    DISCONNECTED = "disconnected"  # e.g. the seller revoked the app: reconnect to resume


class ListingStatus(enum.StrEnum):
    """The listing lifecycle (DESIGN 1.2)."""

    IMPORTED = "imported"
    OPTIMIZING = "optimizing"
    OPTIMIZED = "optimized"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls, name=name, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
    )


class MarketplaceAccount(IdMixin, TenantMixin, TimestampMixin, Base):
    """One seller account on one marketplace (e.g. Amazon seller X on amazon.co.uk)."""

    __tablename__ = "marketplace_accounts"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        UniqueConstraint("organization_id", "platform", "marketplace", "seller_id"),
        ForeignKeyConstraint(
            ["organization_id", "credential_id"],
            ["credentials.organization_id", "credentials.id"],
        ),
    )

    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[Platform] = mapped_column(_enum(Platform, "platform"))
    marketplace: Mapped[str] = mapped_column(String(64))
    seller_id: Mapped[str] = mapped_column(String(64), default="")
    region: Mapped[str | None] = mapped_column(String(16), nullable=True)
    credential_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    connection_status: Mapped[ConnectionStatus] = mapped_column(
        _enum(ConnectionStatus, "connection_status"), default=ConnectionStatus.UNVERIFIED
    )
    # Why the account is disconnected, in words for the seller (the vendor's reason included).
    connection_error: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    connection_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Product(IdMixin, TenantMixin, TimestampMixin, Base):
    """The thing sold, independent of any marketplace."""

    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        UniqueConstraint("organization_id", "source_platform", "source_id"),
        Index("ix_products_organization_id_brand", "organization_id", "brand"),
        Index("ix_products_organization_id_updated_at", "organization_id", "updated_at", "id"),
    )

    source_platform: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(1000))
    brand: Mapped[str | None] = mapped_column(String(200), nullable=True)
    gtin: Mapped[str | None] = mapped_column(String(14), nullable=True, index=True)
    asin: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    category: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    images: Mapped[list[str]] = mapped_column(JSONType, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    cost_amount: Mapped[Decimal | None] = mapped_column(MoneyAmount, nullable=True)
    cost_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    source_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Listing(IdMixin, TenantMixin, TimestampMixin, Base):
    """A product offered on one marketplace account under one SKU."""

    __tablename__ = "listings"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        UniqueConstraint("organization_id", "marketplace_account_id", "sku"),
        ForeignKeyConstraint(
            ["organization_id", "product_id"],
            ["products.organization_id", "products.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"],
            ondelete="CASCADE",
        ),
        Index("ix_listings_organization_id_updated_at", "organization_id", "updated_at", "id"),
        Index("ix_listings_organization_id_status", "organization_id", "status"),
        Index("ix_listings_organization_id_marketplace", "organization_id", "marketplace"),
    )

    product_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    marketplace_account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    # Copied from the account (immutable there) so the catalog filters without a join.
    marketplace: Mapped[str] = mapped_column(String(64))
    sku: Mapped[str] = mapped_column(String(200))
    asin: Mapped[str | None] = mapped_column(String(10), nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(1000))
    bullets: Mapped[list[str]] = mapped_column(JSONType, default=list)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    images: Mapped[list[str]] = mapped_column(JSONType, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    price_amount: Mapped[Decimal | None] = mapped_column(MoneyAmount, nullable=True)
    price_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    quantity: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[ListingStatus] = mapped_column(
        _enum(ListingStatus, "listing_status"), default=ListingStatus.IMPORTED
    )
    quality_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    content_version: Mapped[int] = mapped_column(Integer, default=1)


class ListingContentVersion(IdMixin, TenantMixin, Base):
    """One immutable snapshot of a listing's content; every content change adds one."""

    __tablename__ = "listing_content_versions"
    __table_args__ = (
        UniqueConstraint("organization_id", "listing_id", "version"),
        ForeignKeyConstraint(
            ["organization_id", "listing_id"],
            ["listings.organization_id", "listings.id"],
            ondelete="CASCADE",
        ),
    )

    listing_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(1000))
    bullets: Mapped[list[str]] = mapped_column(JSONType, default=list)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    images: Mapped[list[str]] = mapped_column(JSONType, default=list)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Why this version exists: "create", "edit", "import", "revert", later "ai".
    origin: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
