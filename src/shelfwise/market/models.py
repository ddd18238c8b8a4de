"""Market tables: what is watched, the offers observed over time, and the log of every sync.

`offer_snapshots` is the time series (DESIGN 1.6). A snapshot is written when an item's offers
differ from its previous snapshot; an observation that finds them unchanged only moves that
snapshot's `confirmed_at`. The series stays exact (each snapshot holds from `observed_at` to at
least `confirmed_at`) at a fraction of the rows. On PostgreSQL its time index is BRIN: rows
arrive in time order, so a block range index is a few pages where a B-tree would be gigabytes.
"""

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Enum, ForeignKeyConstraint, Index, Integer, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shelfwise.platform.db import Base
from shelfwise.platform.models import IdMixin, TenantMixin, TimestampMixin
from shelfwise.platform.types import JSONType, MoneyAmount, UTCDateTime, utcnow

_ACCOUNT = (["organization_id", "marketplace_account_id"],
            ["marketplace_accounts.organization_id", "marketplace_accounts.id"])  # fmt: skip


class SyncStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    PARTIAL = "partial"  # finished, some items failed (see the job's item errors)
    FAILED = "failed"


class WatchedAsin(IdMixin, TenantMixin, TimestampMixin, Base):
    """A competitor's or prospective item whose offers are swept with the seller's own."""

    __tablename__ = "watched_asins"
    __table_args__ = (
        UniqueConstraint("organization_id", "marketplace_account_id", "asin"),
        ForeignKeyConstraint(*_ACCOUNT, ondelete="CASCADE"),
    )

    marketplace_account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    asin: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)


class OfferTarget(IdMixin, TenantMixin, Base):
    """One item an account's offer sweeps refresh: when last, and what they saw."""

    __tablename__ = "offer_targets"
    __table_args__ = (
        UniqueConstraint("organization_id", "marketplace_account_id", "asin"),
        ForeignKeyConstraint(*_ACCOUNT, ondelete="CASCADE"),
        Index("ix_offer_targets_due", "organization_id", "marketplace_account_id", "refreshed_at"),
    )

    marketplace_account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    asin: Mapped[str] = mapped_column(String(10))
    sku: Mapped[str | None] = mapped_column(String(200), nullable=True)  # one own SKU, if any
    watched: Mapped[bool] = mapped_column(default=False)
    refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    fingerprint: Mapped[str | None] = mapped_column(String(32), nullable=True)
    snapshot_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # The item's Best Sellers Ranks as last read ({category id: rank}), for the rank series.
    ranks: Mapped[dict[str, int] | None] = mapped_column(JSONType, nullable=True)
    ranks_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OfferSnapshot(IdMixin, TenantMixin, Base):
    __tablename__ = "offer_snapshots"
    __table_args__ = (
        ForeignKeyConstraint(*_ACCOUNT, ondelete="CASCADE"),
        Index(
            "ix_offer_snapshots_item",
            "organization_id",
            "marketplace_account_id",
            "asin",
            "observed_at",
        ),
        Index("ix_offer_snapshots_observed_at", "observed_at", postgresql_using="brin"),
    )

    marketplace_account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    asin: Mapped[str] = mapped_column(String(10))
    # In the primary key: PostgreSQL partitions the table by month of it (platform/partitions).
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True, default=utcnow)
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(32))  # the operation or notification type
    condition: Mapped[str] = mapped_column(String(16))
    offer_count: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    buy_box_price: Mapped[Decimal | None] = mapped_column(MoneyAmount, nullable=True)
    buy_box_seller_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lowest_price: Mapped[Decimal | None] = mapped_column(MoneyAmount, nullable=True)
    my_price: Mapped[Decimal | None] = mapped_column(MoneyAmount, nullable=True)
    # [{seller_id, price, shipping, condition, sub_condition, fulfillment, buy_box, mine, prime}]
    offers: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)


class RankSnapshot(IdMixin, TenantMixin, Base):
    """An item's Best Sellers Rank in one category from the moment it was read, until the next
    row of that item and category (ranks are written when they change)."""

    __tablename__ = "rank_snapshots"
    __table_args__ = (
        ForeignKeyConstraint(*_ACCOUNT, ondelete="CASCADE"),
        Index(
            "ix_rank_snapshots_item", "organization_id", "marketplace_account_id", "asin",
            "observed_at",
        ),
        Index("ix_rank_snapshots_observed_at", "observed_at", postgresql_using="brin"),
    )  # fmt: skip

    marketplace_account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    asin: Mapped[str] = mapped_column(String(10))
    # In the primary key: PostgreSQL partitions the table by month of it (platform/partitions).
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True, default=utcnow)
    category_id: Mapped[str] = mapped_column(String(100))  # classification or display group
    category: Mapped[str] = mapped_column(String(200))  # its title, e.g. "Kitchen & Dining"
    rank: Mapped[int] = mapped_column(Integer)


class SyncRun(IdMixin, TenantMixin, Base):
    """One sync of one data set of one account: when, how it went, and its counts."""

    __tablename__ = "sync_runs"
    __table_args__ = (
        UniqueConstraint("organization_id", "id"),
        ForeignKeyConstraint(*_ACCOUNT, ondelete="CASCADE"),
        Index(
            "ix_sync_runs_account_dataset",
            "organization_id",
            "marketplace_account_id",
            "dataset",
            "started_at",
        ),
    )

    marketplace_account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    dataset: Mapped[str] = mapped_column(String(32))  # offers, listings, orders, inventory…
    trigger: Mapped[str] = mapped_column(String(32))  # schedule, manual, notification
    job_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    status: Mapped[SyncStatus] = mapped_column(
        Enum(
            SyncStatus,
            name="sync_status",
            native_enum=False,
            length=16,
            values_callable=lambda members: [member.value for member in members],
        ),
        default=SyncStatus.RUNNING,
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    counts: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    error: Mapped[str | None] = mapped_column(String(2000), nullable=True)


class SyncChange(IdMixin, TenantMixin, Base):
    """One value a sync changed: which item, which field, from what to what."""

    __tablename__ = "sync_changes"
    __table_args__ = (
        ForeignKeyConstraint(
            ["organization_id", "sync_run_id"],
            ["sync_runs.organization_id", "sync_runs.id"],
            ondelete="CASCADE",
        ),
        Index("ix_sync_changes_run", "organization_id", "sync_run_id"),
    )

    sync_run_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    item: Mapped[str] = mapped_column(String(200))  # ASIN, SKU or order id
    field: Mapped[str] = mapped_column(String(100))
    old: Mapped[Any] = mapped_column(JSONType, nullable=True)
    new: Mapped[Any] = mapped_column(JSONType, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NotificationReceipt(IdMixin, TenantMixin, Base):
    """One SP-API notification taken from the queue: kept (with its raw payload, for replay)
    so a message delivered twice is recognised by its notification id and applied once."""

    __tablename__ = "notification_receipts"
    __table_args__ = (
        UniqueConstraint("organization_id", "notification_id"),
        ForeignKeyConstraint(*_ACCOUNT, ondelete="CASCADE"),
        Index("ix_notification_receipts_received", "organization_id", "received_at"),
    )

    marketplace_account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    notification_id: Mapped[str] = mapped_column(String(100))
    notification_type: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16))  # applied, rejected
    detail: Mapped[str | None] = mapped_column(String(1000), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
