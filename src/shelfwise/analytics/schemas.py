"""Analytics API shapes: orders with their items, inventory levels, and their pages."""

import enum
import uuid
from decimal import Decimal

from pydantic import AwareDatetime, BaseModel, field_serializer


class OrderStatus(enum.StrEnum):
    """Orders 2026-01-01 FulfillmentStatus."""

    PENDING_AVAILABILITY = "PENDING_AVAILABILITY"
    PENDING = "PENDING"
    UNSHIPPED = "UNSHIPPED"
    PARTIALLY_SHIPPED = "PARTIALLY_SHIPPED"
    SHIPPED = "SHIPPED"
    CANCELLED = "CANCELLED"
    UNFULFILLABLE = "UNFULFILLABLE"


class Amount(BaseModel):
    """An amount as Amazon reported it, with its ISO 4217 currency (a decimal string)."""

    amount: Decimal
    currency: str

    @field_serializer("amount")
    def _amount_as_string(self, amount: Decimal) -> str:
        return f"{amount:.2f}"


class OrderItemOut(BaseModel):
    order_item_id: str
    sku: str | None
    asin: str | None
    title: str | None
    quantity_ordered: int
    quantity_shipped: int
    item_price: Amount | None  # per unit


class OrderOut(BaseModel):
    id: uuid.UUID
    marketplace_account_id: uuid.UUID
    amazon_order_id: str
    status: str | None
    ordered_at: AwareDatetime
    last_updated_at: AwareDatetime
    sales_channel: str
    marketplace_id: str | None
    fulfillment_channel: str | None
    total: Amount | None
    item_count: int
    programs: list[str]
    items: list[OrderItemOut]
    synced_at: AwareDatetime


class OrderPage(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None


class InventoryLevelOut(BaseModel):
    id: uuid.UUID
    marketplace_account_id: uuid.UUID
    sku: str
    asin: str | None
    fnsku: str | None
    condition: str | None
    fulfillable: int
    inbound: int
    reserved: int
    unfulfillable: int
    total: int
    vendor_updated_at: AwareDatetime | None
    synced_at: AwareDatetime
    missing_since: AwareDatetime | None  # Amazon stopped reporting the SKU then


class InventoryPage(BaseModel):
    items: list[InventoryLevelOut]
    next_cursor: str | None
