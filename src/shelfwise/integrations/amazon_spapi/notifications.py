"""SP-API notifications (the JSON an SQS destination receives) parsed strictly.

Two envelopes exist: ANY_OFFER_CHANGED names its fields in PascalCase (`NotificationMetadata`,
`Payload.AnyOfferChangedNotification`), PRICING_HEALTH in camelCase (`notificationMetadata`,
`payload`). Every field Shelfwise uses is checked for presence and type; anything else may be
absent (the published schemas require fields real messages omit, such as `Points` outside
Japan). A message that fails raises `NotificationRejected` whose reason names the field.
"""

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from shelfwise.integrations.offers import Fulfillment, ItemOffers, Offer

ANY_OFFER_CHANGED = "ANY_OFFER_CHANGED"
PRICING_HEALTH = "PRICING_HEALTH"
_ASIN = re.compile(r"^[A-Z0-9]{10}$")
_CENT = Decimal("0.01")


class NotificationRejected(ValueError):
    """The message cannot be used; `reason` says which field is wrong and how."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Envelope:
    notification_type: str
    notification_id: str
    published_at: datetime
    document: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Route:
    """Whom a message is for: the seller and the Amazon marketplace id it names."""

    seller_id: str
    marketplace_id: str


@dataclass(frozen=True, slots=True)
class OfferChange:
    route: Route
    asin: str
    condition: str
    changed_at: datetime
    offers: ItemOffers


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str

    def as_payload(self) -> dict[str, str]:
        return {"amount": f"{self.amount:.2f}", "currency": self.currency}


@dataclass(frozen=True, slots=True)
class PricingHealth:
    route: Route
    asin: str
    issue_type: str
    condition: str
    changed_at: datetime
    fulfillment: str  # AFN or MFN
    listing_price: Money
    shipping: Money
    landed_price: Money
    buy_box_price: Money | None  # landed, for the offer's condition
    reference_prices: dict[str, Money]  # average_selling_price, competitive_price_threshold…


def decode(body: str) -> dict[str, Any]:
    """The message body as a JSON object."""
    try:
        document = json.loads(body)
    except ValueError as error:
        raise NotificationRejected(f"body is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise NotificationRejected(f"body is not a JSON object but {_json_type(document)}")
    return document


def _is_pascal(document: dict[str, Any]) -> bool:
    return "NotificationType" in document or "NotificationMetadata" in document


def route_of(document: dict[str, Any]) -> Route | None:
    """The seller and marketplace a message names, read leniently (also from a message that
    is otherwise wrong, so its rejection can be recorded for the account); None if absent."""
    if _is_pascal(document):
        payload = (document.get("Payload") or {}).get("AnyOfferChangedNotification")
        seller_key, trigger_key, marketplace_key = "SellerId", "OfferChangeTrigger", "MarketplaceId"
    else:
        payload = document.get("payload")
        seller_key, trigger_key, marketplace_key = "sellerId", "offerChangeTrigger", "marketplaceId"
    if not isinstance(payload, dict):
        return None
    trigger = payload.get(trigger_key)
    seller = payload.get(seller_key)
    marketplace = trigger.get(marketplace_key) if isinstance(trigger, dict) else None
    if isinstance(seller, str) and seller and isinstance(marketplace, str) and marketplace:
        return Route(seller, marketplace)
    return None


def envelope(document: dict[str, Any]) -> Envelope:
    if _is_pascal(document):
        names = ("NotificationType", "NotificationMetadata", "NotificationId", "PublishTime")
    else:
        names = ("notificationType", "notificationMetadata", "notificationId", "publishTime")
    kind, metadata_key, id_key, published_key = names
    root = _Node(document, "")
    metadata = root.object(metadata_key)
    return Envelope(
        notification_type=root.text(kind),
        notification_id=metadata.text(id_key),
        published_at=metadata.time(published_key),
        document=document,
    )


def offer_change(document: dict[str, Any]) -> OfferChange:
    """An ANY_OFFER_CHANGED notification as the offers on its item."""
    notification = _Node(document, "").object("Payload").object("AnyOfferChangedNotification")
    seller_id = notification.text("SellerId")
    trigger = notification.object("OfferChangeTrigger")
    asin = trigger.asin("ASIN")
    condition = trigger.text("ItemCondition").lower()
    changed_at = trigger.time("TimeOfOfferChange")
    summary = notification.object("Summary")
    offers = tuple(_offer(entry, condition, seller_id) for entry in notification.objects("Offers"))
    counts = [
        entry.integer("OfferCount")
        for entry in summary.objects("NumberOfOffers", required=False)
        if entry.text("Condition").lower() == condition
    ]
    lowest = [
        entry.money("LandedPrice")
        for entry in summary.objects("LowestPrices", required=False)
        if entry.text("Condition").lower() == condition
    ]
    buy_box = next(
        (
            entry.money("LandedPrice")
            for entry in summary.objects("BuyBoxPrices", required=False)
            if entry.text("Condition").lower() == condition
        ),
        None,
    )
    currency = lowest[0].currency if lowest else (offers[0].currency if offers else None)
    item = ItemOffers(
        asin=asin,
        sku=None,
        condition=condition,
        offers=offers,
        total_offer_count=sum(counts) if counts else len(offers),
        buy_box_price=buy_box.amount if buy_box else None,
        lowest_price=min(money.amount for money in lowest) if lowest else None,
        currency=currency,
    )
    return OfferChange(Route(seller_id, trigger.text("MarketplaceId")), asin, condition,
                       changed_at, item)  # fmt: skip


def _offer(entry: "_Node", condition: str, seller_id: str) -> Offer:
    price = entry.money("ListingPrice")
    shipping = entry.money("Shipping")
    feedback = entry.object("SellerFeedbackRating", required=False)
    prime = entry.object("PrimeInformation", required=False)
    seller = entry.text("SellerId")
    return Offer(
        seller_id=seller,
        price=price.amount,
        shipping=shipping.amount,
        currency=price.currency,
        condition=condition,
        sub_condition=entry.text("SubCondition").lower(),
        fulfillment=(
            Fulfillment.AMAZON if entry.flag("IsFulfilledByAmazon") else Fulfillment.MERCHANT
        ),
        is_buy_box_winner=entry.flag("IsBuyBoxWinner"),
        is_mine=seller == seller_id,
        is_prime=prime.flag("IsOfferPrime"),
        seller_rating=feedback.integer("SellerPositiveFeedbackRating", required=False),
        seller_feedback_count=feedback.integer("FeedbackCount", required=False),
    )


_REFERENCE_PRICES = {  # Amazon's name -> ours
    "averageSellingPrice": "average_selling_price",
    "competitivePriceThreshold": "competitive_price_threshold",
    "retailOfferPrice": "retail_offer_price",
    "msrpPrice": "msrp_price",
}


def pricing_health(document: dict[str, Any]) -> PricingHealth:
    """A PRICING_HEALTH notification: the seller's offer that lost Buy Box eligibility."""
    payload = _Node(document, "").object("payload")
    trigger = payload.object("offerChangeTrigger")
    offer = payload.object("merchantOffer")
    summary = payload.object("summary")
    condition = trigger.text("itemCondition").lower()
    fulfillment = offer.text("fulfillmentType")
    if fulfillment not in ("AFN", "MFN"):
        raise NotificationRejected(
            f"{offer.path}.fulfillmentType: expected AFN or MFN, got {fulfillment!r}"
        )
    references = summary.object("referencePrice")
    buy_box = next(
        (
            entry.money("landedPrice")
            for entry in summary.objects("buyBoxPrices", required=False)
            if entry.text("condition").lower() == condition
        ),
        None,
    )
    summary.objects("numberOfOffers")  # required by the schema: checked, not used
    return PricingHealth(
        route=Route(payload.text("sellerId"), trigger.text("marketplaceId")),
        asin=trigger.asin("asin"),
        issue_type=payload.text("issueType"),
        condition=condition,
        changed_at=trigger.time("timeOfOfferChange"),
        fulfillment=fulfillment,
        listing_price=offer.money("listingPrice"),
        shipping=offer.money("shipping"),
        landed_price=offer.money("landedPrice"),
        buy_box_price=buy_box,
        reference_prices={
            ours: money
            for theirs, ours in _REFERENCE_PRICES.items()
            if (money := references.money(theirs, required=False)) is not None
        },
    )


@dataclass(frozen=True, slots=True)
class _Node:
    """One JSON object and its path, with typed, checked access to its fields."""

    value: dict[str, Any]
    path: str

    def _at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.value or self.value[key] is None:
            if required:
                raise NotificationRejected(f"{self._at(key)}: missing")
            return None
        return self.value[key]

    def _wrong(self, key: str, expected: str, found: Any) -> NotificationRejected:
        return NotificationRejected(
            f"{self._at(key)}: expected {expected}, got {_json_type(found)}"
        )

    def object(self, key: str, *, required: bool = True) -> "_Node":
        found = self._get(key, required)
        if found is None:
            return _Node({}, self._at(key))
        if not isinstance(found, dict):
            raise self._wrong(key, "an object", found)
        return _Node(found, self._at(key))

    def objects(self, key: str, *, required: bool = True) -> list["_Node"]:
        found = self._get(key, required)
        if found is None:
            return []
        if not isinstance(found, list):
            raise self._wrong(key, "an array", found)
        nodes = []
        for index, entry in enumerate(found):
            if not isinstance(entry, dict):
                raise NotificationRejected(
                    f"{self._at(key)}[{index}]: expected an object, got {_json_type(entry)}"
                )
            nodes.append(_Node(entry, f"{self._at(key)}[{index}]"))
        return nodes

    def text(self, key: str) -> str:
        found = self._get(key, True)
        if not isinstance(found, str):
            raise self._wrong(key, "a string", found)
        if not found.strip():
            raise NotificationRejected(f"{self._at(key)}: empty")
        return found

    def asin(self, key: str) -> str:
        found = self.text(key)
        if not _ASIN.match(found):
            raise NotificationRejected(f"{self._at(key)}: {found[:40]!r} is not an ASIN")
        return found

    def time(self, key: str) -> datetime:
        found = self.text(key)
        try:
            moment = datetime.fromisoformat(found.replace("Z", "+00:00"))
        except ValueError:
            raise NotificationRejected(
                f"{self._at(key)}: {found[:40]!r} is not an ISO 8601 time"
            ) from None
        if moment.tzinfo is None:
            raise NotificationRejected(f"{self._at(key)}: {found[:40]!r} has no time zone")
        return moment

    def integer(self, key: str, *, required: bool = True) -> Any:
        found = self._get(key, required)
        if found is None:
            return None
        if isinstance(found, bool) or not isinstance(found, int):
            raise self._wrong(key, "an integer", found)
        return found

    def flag(self, key: str) -> bool:
        found = self._get(key, False)
        if found is None:
            return False
        if not isinstance(found, bool):
            raise self._wrong(key, "a boolean", found)
        return found

    def money(self, key: str, *, required: bool = True) -> Any:
        node = self.object(key, required=required)
        if not node.value and not required:
            return None
        names = ("Amount", "CurrencyCode") if "Amount" in node.value else ("amount", "currencyCode")
        amount = node._get(names[0], True)
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise node._wrong(names[0], "a number", amount)
        if not math.isfinite(amount) or not 0 <= amount < 10**9:
            raise NotificationRejected(f"{node._at(names[0])}: {amount} is not a price")
        currency = node.text(names[1])
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise NotificationRejected(
                f"{node._at(names[1])}: {currency[:20]!r} is not a currency code"
            )
        return Money(Decimal(str(amount)).quantize(_CENT), currency)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
