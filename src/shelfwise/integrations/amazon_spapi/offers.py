"""Product Pricing v0 offers as `ItemOffers`, and the four pricing operations as offer lanes.

The four operations are metered separately (plans.py), so a sweep at the ceiling runs all four:
getListingOffersBatch (20 SKUs a call), getItemOffersBatch (20 ASINs), getListingOffers and
getItemOffers (one each). Their sum per hour is the ceiling of offer refreshes for one seller.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from shelfwise.integrations.amazon_spapi.client import BatchAnswer, SellingPartnerClient
from shelfwise.integrations.amazon_spapi.plans import PRICING_BATCH_SIZE, USAGE_PLANS
from shelfwise.integrations.errors import VendorRejectedError
from shelfwise.integrations.offers import (
    Fetched,
    Fulfillment,
    ItemOffers,
    KeyKind,
    Offer,
    OfferLane,
)

_CONDITIONS = {"new", "used", "collectible", "refurbished", "club"}


def item_offers(payload: dict[str, Any]) -> ItemOffers:
    """A getItemOffers / getListingOffers payload (also a batch entry's body payload)."""
    summary = payload.get("Summary") or {}
    condition = str(payload.get("ItemCondition") or "New").lower()
    identifier = payload.get("Identifier") or {}
    asin = payload.get("ASIN") or identifier.get("ASIN") or ""
    sku = payload.get("SKU") or identifier.get("SellerSKU")
    offers = tuple(_offer(entry, condition) for entry in payload.get("Offers") or [])
    buy_box = _first(summary.get("BuyBoxPrices"), condition)
    lowest = [
        _money(entry.get("LandedPrice"))
        for entry in summary.get("LowestPrices") or []
        if str(entry.get("condition", condition)).lower() == condition
    ]
    known = [amount for amount, _ in lowest if amount is not None]
    currency = next((c for _, c in lowest if c), None) or (offers[0].currency if offers else None)
    buy_box_price = _money(buy_box.get("LandedPrice") or buy_box.get("ListingPrice"))[0]
    return ItemOffers(
        asin=str(asin),
        sku=str(sku) if sku else None,
        condition=condition,
        offers=offers,
        total_offer_count=int(summary.get("TotalOfferCount") or len(offers)),
        buy_box_price=buy_box_price,
        lowest_price=min(known) if known else None,
        currency=currency,
    )


def _offer(entry: dict[str, Any], condition: str) -> Offer:
    price, currency = _money(entry.get("ListingPrice"))
    shipping, _ = _money(entry.get("Shipping"))
    feedback = entry.get("SellerFeedbackRating") or {}
    prime = entry.get("PrimeInformation") or {}
    sub_condition = str(entry.get("SubCondition") or condition).lower()
    return Offer(
        seller_id=str(entry.get("SellerId") or ""),
        price=price or Decimal(0),
        shipping=shipping or Decimal(0),
        currency=currency or "",
        condition=condition if condition in _CONDITIONS else "new",
        sub_condition=sub_condition,
        fulfillment=(
            Fulfillment.AMAZON if entry.get("IsFulfilledByAmazon") else Fulfillment.MERCHANT
        ),
        is_buy_box_winner=bool(entry.get("IsBuyBoxWinner")),
        is_mine=bool(entry.get("MyOffer")),
        is_prime=bool(prime.get("IsPrime")),
        seller_rating=_int(feedback.get("SellerPositiveFeedbackRating")),
        seller_feedback_count=_int(feedback.get("FeedbackCount")),
    )


def _first(entries: Any, condition: str) -> dict[str, Any]:
    for entry in entries or []:
        if str(entry.get("condition", condition)).lower() == condition:
            return dict(entry)
    return {}


def _money(value: Any) -> tuple[Decimal | None, str | None]:
    if not isinstance(value, dict) or value.get("Amount") is None:
        return None, None
    try:
        amount = Decimal(str(value["Amount"])).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise VendorRejectedError(f"An offer amount is not a number: {value!r:.80}", 502) from None
    return amount, value.get("CurrencyCode")


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


@dataclass
class PricingLane:
    """One pricing operation as an offer lane."""

    name: str
    key_kind: KeyKind
    batch_size: int
    calls_per_hour: float
    burst: int
    _fetch: Callable[[Sequence[str]], list[Fetched]]

    def fetch(self, keys: Sequence[str]) -> list[Fetched]:
        return self._fetch(keys)


def pricing_lanes(client: SellingPartnerClient) -> list[OfferLane]:
    def single(send: Callable[[str], dict[str, Any]]) -> Callable[[Sequence[str]], list[Fetched]]:
        def fetch(keys: Sequence[str]) -> list[Fetched]:
            (key,) = keys
            try:
                return [Fetched(key, item_offers(send(key)))]
            except VendorRejectedError as refused:
                if refused.vendor_status in (400, 404):  # this item, not the call, is wrong
                    return [Fetched(key, None, refused.vendor_reason or refused.detail)]
                raise

        return fetch

    def batch(
        send: Callable[[Sequence[str]], list[BatchAnswer]],
    ) -> Callable[[Sequence[str]], list[Fetched]]:
        def fetch(keys: Sequence[str]) -> list[Fetched]:
            return [
                Fetched(answer.identifier, item_offers(answer.payload))
                if answer.payload is not None
                else Fetched(answer.identifier, None, answer.error)
                for answer in send(keys)
            ]

        return fetch

    size = PRICING_BATCH_SIZE
    lanes = (
        ("getListingOffersBatch", KeyKind.SKU, size, batch(client.listing_offers_batch)),
        ("getItemOffersBatch", KeyKind.ASIN, size, batch(client.item_offers_batch)),
        ("getListingOffers", KeyKind.SKU, 1, single(client.listing_offers)),
        ("getItemOffers", KeyKind.ASIN, 1, single(client.item_offers)),
    )
    return [
        PricingLane(
            name,
            kind,
            size,
            USAGE_PLANS[name].rate_per_second * 3600,
            USAGE_PLANS[name].burst,
            fetch,
        )
        for name, kind, size, fetch in lanes
    ]
