"""The fake marketplace a test seeds: documents stored in the models' own shapes.

Catalog items and offers belong to the marketplace; listings, inventory, orders and reports to
one selling partner. Documents are kept as the JSON the models describe (built by the helpers
below or copied from the models' sandbox examples), so a response is assembled from them with
no translation layer that could drift from the schemas.
"""

import threading
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Document = dict[str, Any]
US_MARKETPLACE = "ATVPDKIKX0DER"
# Amazon's public marketplace ids: a request naming any other is refused with 400, as SP-API does.
MARKETPLACE_CURRENCIES = {
    "ATVPDKIKX0DER": "USD", "A2EUQ1WTGCTBG2": "CAD", "A1AM78C64UM0Y8": "MXN",
    "A2Q3Y263D00KWC": "BRL", "A1F83G8C2ARO7P": "GBP", "A1PA6795UKMFR9": "EUR",
    "A13V1IB3VIYZZH": "EUR", "APJ6JRA9NG5V4": "EUR", "A1RKKUPIHCS9HS": "EUR",
    "A1805IZSGTT6HS": "EUR", "AMEN7PMS3EDWL": "EUR", "A2NODRKZP88ZB9": "SEK",
    "A1C3SOZRARQ6R3": "PLN", "A33AVAJ2PDY3EV": "TRY", "A17E79C6D8DWNP": "SAR",
    "A2VIGQ35RCS4UG": "AED", "ARBP9OOSHTCHU": "EGP", "A21TJRUUN4KGV": "INR",
    "A19VAU5U5O7RUS": "SGD", "A39IBJ37TRP1C6": "AUD", "A1VC38T7YXB528": "JPY",
    "AE08WJ6YKNBMC": "ZAR", "A28R8C7NBKEWEA": "EUR",
}  # fmt: skip


@dataclass
class Report:
    document: Document  # the model's Report
    content: bytes = b""  # the report's text, served gzip-compressed from the document URL
    ready_at: float = 0.0  # simulated seconds: getReport says DONE from then on


@dataclass
class MarketplaceState:
    catalog_items: dict[str, Document] = field(default_factory=dict)  # ASIN -> Item
    offers: dict[str, list[Document]] = field(default_factory=dict)  # ASIN -> [OfferDetail]
    offer_summaries: dict[str, Document] = field(default_factory=dict)  # ASIN -> Summary, if fixed
    listings: dict[tuple[str, str], Document] = field(default_factory=dict)  # (seller, SKU)
    inventory: dict[tuple[str, str], Document] = field(default_factory=dict)  # (seller, SKU)
    orders: dict[str, list[Document]] = field(default_factory=dict)  # seller -> [Order]
    reports: dict[str, Report] = field(default_factory=dict)  # report id -> report
    report_documents: dict[str, str] = field(default_factory=dict)  # document id -> report id
    report_processing_seconds: float = 0.0  # simulated; raise it to make clients poll getReport
    lock: threading.RLock = field(default_factory=threading.RLock)

    def add_catalog_item(self, item: Document) -> Document:
        with self.lock:
            self.catalog_items[item["asin"]] = item
        return item

    def add_offers(self, asin: str, *offers: Document) -> None:
        with self.lock:
            self.offers.setdefault(asin, []).extend(offers)

    def add_listing(self, seller_id: str, item: Document) -> Document:
        with self.lock:
            self.listings[(seller_id, item["sku"])] = item
        return item

    def add_inventory(self, seller_id: str, summary: Document) -> Document:
        with self.lock:
            self.inventory[(seller_id, summary["sellerSku"])] = summary
        return summary

    def add_order(self, seller_id: str, order: Document) -> Document:
        with self.lock:
            self.orders.setdefault(seller_id, []).append(order)
        return order

    def add_report(self, report: Document, content: bytes = b"", ready_at: float = 0.0) -> Report:
        with self.lock:
            stored = self.reports[report["reportId"]] = Report(report, content, ready_at)
            if "reportDocumentId" in report:
                self.report_documents[report["reportDocumentId"]] = report["reportId"]
        return stored

    def sku_asin(self, seller_id: str, sku: str) -> str | None:
        """The ASIN a seller's SKU is listed against (from its listing's summaries)."""
        listing = self.listings.get((seller_id, sku))
        summaries = (listing or {}).get("summaries") or [{}]
        asin: str | None = summaries[0].get("asin")
        return asin


def catalog_item(
    asin: str,
    title: str,
    brand: str,
    *,
    marketplace_id: str = US_MARKETPLACE,
    ean: str | None = None,
) -> Document:
    """A Catalog Items 2022-04-01 Item with summaries, identifiers and sales ranks."""
    identifiers = [{"identifierType": "EAN", "identifier": ean}] if ean else []
    return {
        "asin": asin,
        "summaries": [
            {"marketplaceId": marketplace_id, "brand": brand, "itemName": title},
        ],
        "identifiers": [{"marketplaceId": marketplace_id, "identifiers": identifiers}],
        "salesRanks": [{"marketplaceId": marketplace_id, "classificationRanks": []}],
    }


def offer(
    seller_id: str,
    price: Decimal,
    *,
    shipping: Decimal = Decimal("0.00"),
    currency: str = "USD",
    sub_condition: str = "new",
    is_fulfilled_by_amazon: bool = False,
    is_buy_box_winner: bool = False,
) -> Document:
    """A Product Pricing v0 OfferDetail (amounts are JSON numbers there)."""
    return {
        "SellerId": seller_id,
        "SubCondition": sub_condition,
        "ListingPrice": {"CurrencyCode": currency, "Amount": float(price)},
        "Shipping": {"CurrencyCode": currency, "Amount": float(shipping)},
        "ShippingTime": {"minimumHours": 24, "maximumHours": 48, "availabilityType": "NOW"},
        "IsFulfilledByAmazon": is_fulfilled_by_amazon,
        "IsBuyBoxWinner": is_buy_box_winner,
        "IsFeaturedMerchant": is_buy_box_winner,
    }


def listing_item(
    sku: str,
    asin: str,
    price: Decimal,
    quantity: int,
    *,
    title: str = "",
    marketplace_id: str = US_MARKETPLACE,
    currency: str = "USD",
) -> Document:
    """A Listings Items 2021-08-01 Item with summaries, offers and fulfillment availability."""
    return {
        "sku": sku,
        "summaries": [
            {
                "marketplaceId": marketplace_id,
                "asin": asin,
                "productType": "PRODUCT",
                "conditionType": "new_new",
                "status": ["BUYABLE", "DISCOVERABLE"],
                "itemName": title,
                "createdDate": "2026-01-01T00:00:00Z",
                "lastUpdatedDate": "2026-01-01T00:00:00Z",
            }
        ],
        "attributes": {
            "purchasable_offer": [
                {
                    "marketplace_id": marketplace_id,
                    "currency": currency,
                    "our_price": [{"schedule": [{"value_with_tax": float(price)}]}],
                }
            ]
        },
        "offers": [
            {
                "marketplaceId": marketplace_id,
                "offerType": "B2C",
                "price": {"currencyCode": currency, "amount": str(price)},
            }
        ],
        "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": quantity}],
        "issues": [],
    }


def inventory_summary(
    sku: str,
    asin: str,
    fulfillable_quantity: int,
    *,
    inbound_working: int = 0,
    inbound_shipped: int = 0,
    inbound_receiving: int = 0,
    reserved: int = 0,
    unfulfillable: int = 0,
    last_updated: str = "2026-01-01T00:00:00Z",
) -> Document:
    """An FBA Inventory InventorySummary (its details: what `details=true` answers)."""
    inbound = inbound_working + inbound_shipped + inbound_receiving
    return {
        "asin": asin,
        "fnSku": f"X00{asin[-7:]}",
        "sellerSku": sku,
        "condition": "NewItem",
        "inventoryDetails": {
            "fulfillableQuantity": fulfillable_quantity,
            "inboundWorkingQuantity": inbound_working,
            "inboundShippedQuantity": inbound_shipped,
            "inboundReceivingQuantity": inbound_receiving,
            "reservedQuantity": {"totalReservedQuantity": reserved},
            "unfulfillableQuantity": {"totalUnfulfillableQuantity": unfulfillable},
        },
        "lastUpdatedTime": last_updated,
        "productName": "",
        "totalQuantity": fulfillable_quantity + inbound + reserved + unfulfillable,
    }


def order_item(
    order_item_id: str,
    sku: str,
    asin: str,
    unit_price: Decimal,
    quantity: int = 1,
    *,
    shipped: int = 0,
    title: str = "",
    currency: str = "USD",
) -> Document:
    """An Orders 2026-01-01 OrderItem with its product, proceeds and fulfillment data."""
    return {
        "orderItemId": order_item_id,
        "quantityOrdered": quantity,
        "product": {
            "asin": asin,
            "title": title,
            "sellerSku": sku,
            "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
            "price": {"unitPrice": {"amount": str(unit_price), "currencyCode": currency}},
        },
        "proceeds": {
            "proceedsTotal": {"amount": str(unit_price * quantity), "currencyCode": currency}
        },
        "fulfillment": {"quantityFulfilled": shipped, "quantityUnfulfilled": quantity - shipped},
    }


def order(
    order_id: str,
    created: str,
    items: list[Document],
    *,
    last_updated: str | None = None,
    status: str = "UNSHIPPED",
    fulfilled_by: str = "MERCHANT",
    programs: tuple[str, ...] = (),
    marketplace_id: str = US_MARKETPLACE,
    currency: str = "USD",
) -> Document:
    """An Orders 2026-01-01 Order (total: its items' proceeds), with a buyer and a recipient as
    Amazon holds them, answered only to a request that includes BUYER or RECIPIENT."""
    total = sum(
        (Decimal(item["proceeds"]["proceedsTotal"]["amount"]) for item in items), Decimal("0")
    )
    return {
        "orderId": order_id,
        "createdTime": created,
        "lastUpdatedTime": last_updated or created,
        "programs": list(programs),
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": marketplace_id,
            "marketplaceName": "Amazon.com",
        },
        "buyer": {"buyerName": "Jane Doe", "buyerEmail": "jane@marketplace.amazon.com"},
        "recipient": {
            "deliveryAddress": {
                "name": "Jane Doe",
                "addressLine1": "1 Main Street",
                "city": "Seattle",
                "postalCode": "98101",
                "countryCode": "US",
            }
        },
        "proceeds": {"grandTotal": {"amount": str(total), "currencyCode": currency}},
        "fulfillment": {"fulfillmentStatus": status, "fulfilledBy": fulfilled_by},
        "orderItems": items,
    }
