"""Analytics tables: an account's orders and their items, and its FBA inventory levels.

No buyer personal data is stored: no names, e-mail addresses, phone numbers or delivery
addresses. The orders sync does not even ask SP-API for them (no BUYER or RECIPIENT data set),
so nothing here needs the PII purge.
"""

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shelfwise.platform.db import Base
from shelfwise.platform.models import IdMixin, TenantMixin
from shelfwise.platform.types import JSONType, MoneyAmount, UTCDateTime, utcnow

_ACCOUNT = (["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"])  # fmt: skip


class Order(IdMixin, TenantMixin, Base):
    """One Amazon order of one account, as its last sync saw it."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        UniqueConstraint("organization_id", "marketplace_account_id", "amazon_order_id"),
        ForeignKeyConstraint(*_ACCOUNT, ondelete="CASCADE"),
        Index(
            "ix_orders_account_updated",
            "organization_id",
            "marketplace_account_id",
            "last_updated_at",
            "id",
        ),
    )

    marketplace_account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    amazon_order_id: Mapped[str] = mapped_column(String(50))
    status: Mapped[str | None] = mapped_column(String(32), nullable=True)  # fulfillmentStatus
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime)  # createdTime
    last_updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # lastUpdatedTime
    sales_channel: Mapped[str] = mapped_column(String(64))
    marketplace_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    fulfillment_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    total_amount: Mapped[Decimal | None] = mapped_column(MoneyAmount, nullable=True)
    total_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    item_count: Mapped[int] = mapped_column(Integer)  # units ordered, over all items
    programs: Mapped[list[str]] = mapped_column(JSONType, default=list)  # PRIME, AMAZON_BUSINESS…
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OrderItem(IdMixin, TenantMixin, Base):
    __tablename__ = "order_items"
    __table_args__ = (
        UniqueConstraint("organization_id", "order_id", "order_item_id"),
        ForeignKeyConstraint(
            ["organization_id", "order_id"],
            ["orders.organization_id", "orders.id"],
            ondelete="CASCADE",
        ),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    order_item_id: Mapped[str] = mapped_column(String(50))
    sku: Mapped[str | None] = mapped_column(String(200), nullable=True)
    asin: Mapped[str | None] = mapped_column(String(10), nullable=True)
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    quantity_ordered: Mapped[int] = mapped_column(Integer)
    quantity_shipped: Mapped[int] = mapped_column(Integer, default=0)
    item_price: Mapped[Decimal | None] = mapped_column(MoneyAmount, nullable=True)  # per unit
    item_currency: Mapped[str | None] = mapped_column(String(3), nullable=True)


class InventoryLevel(IdMixin, TenantMixin, Base):
    """One SKU's FBA quantities as Amazon last reported them.

    A SKU that a later snapshot no longer contains keeps its row, marked `missing_since`.
    """

    __tablename__ = "inventory_levels"
    __table_args__ = (
        UniqueConstraint("organization_id", "marketplace_account_id", "sku"),
        ForeignKeyConstraint(*_ACCOUNT, ondelete="CASCADE"),
    )

    marketplace_account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    sku: Mapped[str] = mapped_column(String(200))
    asin: Mapped[str | None] = mapped_column(String(10), nullable=True)
    fnsku: Mapped[str | None] = mapped_column(String(20), nullable=True)
    condition: Mapped[str | None] = mapped_column(String(32), nullable=True)
    fulfillable: Mapped[int] = mapped_column(Integer, default=0)
    inbound: Mapped[int] = mapped_column(Integer, default=0)  # working + shipped + receiving
    reserved: Mapped[int] = mapped_column(Integer, default=0)
    unfulfillable: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    vendor_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    missing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
