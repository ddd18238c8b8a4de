"""SP-API documents as the rows we store: an Orders 2026-01-01 Order with its items, an FBA
Inventory InventorySummary. A document that breaks the model's rules (no id, a negative
quantity, an unreadable time or amount) is a `BadDocument` naming the item and the field, so the
sync records it against the job and stores the rest."""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)


class BadDocument(ValueError):
    def __init__(self, item: str, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.item = item
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ItemRow:
    order_item_id: str
    sku: str | None
    asin: str | None
    title: str | None
    quantity_ordered: int
    quantity_shipped: int
    item_price: Decimal | None
    item_currency: str | None


@dataclass(frozen=True)
class OrderRow:
    amazon_order_id: str
    status: str | None
    ordered_at: datetime
    last_updated_at: datetime
    sales_channel: str
    marketplace_id: str | None
    fulfillment_channel: str | None
    total_amount: Decimal | None
    total_currency: str | None
    item_count: int
    programs: tuple[str, ...]
    items: tuple[ItemRow, ...]


@dataclass(frozen=True)
class LevelRow:
    sku: str
    asin: str | None
    fnsku: str | None
    condition: str | None
    fulfillable: int
    inbound: int
    reserved: int
    unfulfillable: int
    total: int
    vendor_updated_at: datetime | None


def parse_order(document: Any, position: str) -> OrderRow:
    """The order in `document`; `position` names it in errors when it has no id."""
    if not isinstance(document, dict):
        raise BadDocument(position, "order", "not an object")
    order_id = _text(document, "orderId", 50, position, "orderId")
    if order_id is None:
        raise BadDocument(position, "orderId", "missing")
    channel = _object(document, "salesChannel", order_id)
    fulfillment = _object(document, "fulfillment", order_id)
    total = _money(_object(document, "proceeds", order_id), "grandTotal", order_id, "proceeds")
    raw_items = document.get("orderItems")
    if not isinstance(raw_items, list):
        raise BadDocument(order_id, "orderItems", "missing")
    items = tuple(_item(entry, order_id, index) for index, entry in enumerate(raw_items))
    if len({item.order_item_id for item in items}) != len(items):
        raise BadDocument(order_id, "orderItems", "an order item id appears twice")
    programs = document.get("programs") or []
    if not isinstance(programs, list) or not all(isinstance(p, str) for p in programs):
        raise BadDocument(order_id, "programs", "not a list of names")
    return OrderRow(
        amazon_order_id=order_id,
        status=_text(fulfillment, "fulfillmentStatus", 32, order_id, "fulfillment"),
        ordered_at=_required_time(document, "createdTime", order_id),
        last_updated_at=_required_time(document, "lastUpdatedTime", order_id),
        sales_channel=_text(channel, "channelName", 64, order_id, "salesChannel") or "",
        marketplace_id=_text(channel, "marketplaceId", 20, order_id, "salesChannel"),
        fulfillment_channel=_text(fulfillment, "fulfilledBy", 16, order_id, "fulfillment"),
        total_amount=total[0],
        total_currency=total[1],
        item_count=sum(item.quantity_ordered for item in items),
        programs=tuple(sorted(programs)),
        items=tuple(sorted(items, key=lambda item: item.order_item_id)),
    )


def parse_summary(document: Any, position: str) -> LevelRow:
    if not isinstance(document, dict):
        raise BadDocument(position, "inventorySummary", "not an object")
    sku = _text(document, "sellerSku", 200, position, "sellerSku")
    if not sku:
        raise BadDocument(position, "sellerSku", "missing")
    details = _object(document, "inventoryDetails", sku)
    inbound = sum(
        _quantity(details, name, sku, "inventoryDetails")
        for name in ("inboundWorkingQuantity", "inboundShippedQuantity", "inboundReceivingQuantity")
    )
    reserved = _object(details, "reservedQuantity", sku)
    unfulfillable = _object(details, "unfulfillableQuantity", sku)
    return LevelRow(
        sku=sku,
        asin=_text(document, "asin", 10, sku, "asin"),
        fnsku=_text(document, "fnSku", 20, sku, "fnSku"),
        condition=_text(document, "condition", 32, sku, "condition"),
        fulfillable=_quantity(details, "fulfillableQuantity", sku, "inventoryDetails"),
        inbound=inbound,
        reserved=_quantity(reserved, "totalReservedQuantity", sku, "reservedQuantity"),
        unfulfillable=_quantity(
            unfulfillable, "totalUnfulfillableQuantity", sku, "unfulfillableQuantity"
        ),
        total=_quantity(document, "totalQuantity", sku, "totalQuantity"),
        vendor_updated_at=_time(document, "lastUpdatedTime", sku),
    )


def _item(entry: Any, order_id: str, index: int) -> ItemRow:
    where = f"orderItems[{index}]"
    if not isinstance(entry, dict):
        raise BadDocument(order_id, where, "not an object")
    item_id = _text(entry, "orderItemId", 50, order_id, f"{where}.orderItemId")
    if not item_id:
        raise BadDocument(order_id, f"{where}.orderItemId", "missing")
    ordered = _quantity(entry, "quantityOrdered", order_id, where, required=True)
    fulfillment = _object(entry, "fulfillment", order_id)
    shipped = _quantity(fulfillment, "quantityFulfilled", order_id, f"{where}.fulfillment")
    product = _object(entry, "product", order_id)
    price = _money(_object(product, "price", order_id), "unitPrice", order_id, f"{where}.price")
    title = product.get("title")
    return ItemRow(
        order_item_id=item_id,
        sku=_text(product, "sellerSku", 200, order_id, f"{where}.product"),
        asin=_text(product, "asin", 10, order_id, f"{where}.product"),
        title=(title[:500] or None) if isinstance(title, str) else None,  # titles run long
        quantity_ordered=ordered,
        quantity_shipped=shipped,
        item_price=price[0],
        item_currency=price[1],
    )


def _object(document: dict[str, Any], key: str, item: str) -> dict[str, Any]:
    value = document.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadDocument(item, key, "not an object")
    return value


def _text(document: dict[str, Any], key: str, limit: int, item: str, field: str) -> str | None:
    value = document.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise BadDocument(item, field, f"{key} is not text")
    if len(value) > limit:
        raise BadDocument(item, field, f"{key} is longer than {limit} characters")
    return value


def _quantity(
    document: dict[str, Any], key: str, item: str, field: str, *, required: bool = False
) -> int:
    value = document.get(key)
    if value is None and not required:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadDocument(item, f"{field}.{key}", "not a whole number")
    if value < 0:
        raise BadDocument(item, f"{field}.{key}", f"negative ({value})")
    return value


def _required_time(document: dict[str, Any], key: str, item: str) -> datetime:
    value = _time(document, key, item)
    if value is None:
        raise BadDocument(item, key, "missing")
    return value


def _time(document: dict[str, Any], key: str, item: str) -> datetime | None:
    value = document.get(key)
    if value is None or value == "":
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise BadDocument(item, key, f"not an ISO 8601 time ({str(value)[:40]})") from None
    if parsed.tzinfo is None:
        raise BadDocument(item, key, "has no time zone")
    return parsed.astimezone(UTC)


def _money(
    document: dict[str, Any], key: str, item: str, field: str
) -> tuple[Decimal | None, str | None]:
    money = document.get(key)
    if money is None:
        return None, None
    if not isinstance(money, dict):
        raise BadDocument(item, f"{field}.{key}", "not an object")
    currency = money.get("currencyCode")
    if not isinstance(currency, str) or len(currency) != 3:
        raise BadDocument(item, f"{field}.{key}.currencyCode", "not an ISO 4217 code")
    try:
        amount = Decimal(str(money.get("amount")))
    except InvalidOperation:
        raise BadDocument(item, f"{field}.{key}.amount", "not a decimal number") from None
    if not amount.is_finite() or abs(amount) > MAX_AMOUNT:
        raise BadDocument(item, f"{field}.{key}.amount", "out of range")
    return amount.quantize(CENT), currency
