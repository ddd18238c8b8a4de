"""Market API shapes: sync status, runs and their changes, quota use, watched ASINs, offers."""

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from shelfwise.catalog.models import ConnectionStatus
from shelfwise.catalog.schemas import Asin, StrictBody
from shelfwise.market.models import SyncStatus


class Dataset(enum.StrEnum):
    """What a sync refreshes."""

    OFFERS = "offers"
    LISTINGS = "listings"
    RANKS = "ranks"
    ORDERS = "orders"
    INVENTORY = "inventory"


class SyncRunOut(BaseModel):
    id: uuid.UUID
    dataset: str
    trigger: str
    status: SyncStatus
    job_id: uuid.UUID | None
    started_at: datetime
    finished_at: datetime | None
    counts: dict[str, int]
    error: str | None


class SyncChangeOut(BaseModel):
    item: str = Field(description="ASIN, SKU or order id")
    field: str
    old: Any
    new: Any
    changed_at: datetime


class ConnectionOut(BaseModel):
    status: ConnectionStatus
    error: str | None
    checked_at: datetime | None


class OfferCoverage(BaseModel):
    targets: int = Field(description="Items the offer sweeps refresh (own listings and watched)")
    due: int = Field(description="Of which due for a refresh now")
    snapshots: int = Field(description="Offer snapshots stored for the account")


class OperationQuota(BaseModel):
    operation: str
    rate_per_second: float = Field(description="The usage plan's sustained rate")
    burst: int
    calls_today: int
    throttled_today: int = Field(description="Calls answered 429 today (UTC)")


class ThrottleOut(BaseModel):
    at: datetime
    operation: str


class QuotaOut(BaseModel):
    day: date
    calls: int = Field(description="The organization's vendor calls today, all accounts")
    budget: int = Field(description="Vendor calls per organization and day; 0 is unlimited")
    operations: list[OperationQuota]
    recent_throttles: list[ThrottleOut] = Field(description="This account's latest 429s")


class SyncStatusOut(BaseModel):
    account_id: uuid.UUID
    connection: ConnectionOut
    last_sync: dict[str, SyncRunOut] = Field(description="The latest run of each data set")
    offers: OfferCoverage
    quota: QuotaOut


class SyncRequest(StrictBody):
    dataset: Dataset


class SyncQueued(BaseModel):
    dataset: Dataset
    job_id: uuid.UUID


class WatchedAsinCreate(StrictBody):
    asin: Asin
    note: str | None = Field(None, max_length=500)


class WatchedAsinOut(BaseModel):
    asin: str
    note: str | None
    created_at: datetime


class OfferOut(BaseModel):
    seller_id: str
    price: Decimal
    shipping: Decimal
    currency: str
    condition: str
    sub_condition: str
    fulfillment: str
    buy_box: bool
    mine: bool
    prime: bool


class OfferSnapshotOut(BaseModel):
    observed_at: datetime
    confirmed_at: datetime = Field(description="Last seen unchanged")
    source: str
    condition: str
    offer_count: int
    currency: str | None
    buy_box_price: Decimal | None
    buy_box_seller_id: str | None
    lowest_price: Decimal | None
    my_price: Decimal | None
    offers: list[OfferOut]


class RankSnapshotOut(BaseModel):
    observed_at: datetime
    category_id: str
    category: str
    rank: int
