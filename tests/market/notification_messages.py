"""SP-API notification bodies for the consumer's tests, built to the published schemas."""

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

MARKETPLACE_ID = "ATVPDKIKX0DER"  # amazon.com
SCHEMA_FILES = {
    "ANY_OFFER_CHANGED": "AnyOfferChangedNotification.json",
    "PRICING_HEALTH": "PricingHealthNotification.json",
}


def schema_validators(shared_data: Path) -> dict[str, jsonschema.Draft7Validator]:
    folder = shared_data / "spapi" / "schemas" / "notifications"
    return {
        kind: jsonschema.Draft7Validator(json.loads((folder / name).read_text()))
        for kind, name in SCHEMA_FILES.items()
    }


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _money(amount: str, currency: str = "USD") -> dict[str, Any]:
    return {"Amount": float(amount), "CurrencyCode": currency}


def offer(
    seller_id: str,
    price: str,
    shipping: str = "0.00",
    *,
    is_buy_box_winner: bool = False,
    is_fba: bool = False,
) -> dict[str, Any]:
    """One entry of `Offers`, with every field the schema requires (and IsBuyBoxWinner)."""
    return {
        "SellerId": seller_id,
        "SubCondition": "new",
        "SellerFeedbackRating": {"FeedbackCount": 120, "SellerPositiveFeedbackRating": 98},
        "ShippingTime": {
            "MinimumHours": 24,
            "MaximumHours": 48,
            "AvailabilityType": "NOW",
            "AvailableDate": "2026-12-04T00:00:00.000Z",
        },
        "ListingPrice": _money(price),
        "Points": {"PointsNumber": 0},
        "Shipping": _money(shipping),
        "ShipsFrom": {"Country": "US", "State": "WA"},
        "IsFulfilledByAmazon": is_fba,
        "IsBuyBoxWinner": is_buy_box_winner,
        "PrimeInformation": {"IsOfferPrime": is_fba, "IsOfferNationalPrime": is_fba},
        "IsExpeditedShippingAvailable": False,
        "IsFeaturedMerchant": True,
        "ShipsDomestically": True,
        "ShipsInternationally": False,
    }


def any_offer_changed(
    seller_id: str,
    asin: str,
    offers: list[dict[str, Any]],
    changed_at: datetime,
    *,
    notification_id: str | None = None,
    condition: str = "New",
    marketplace_id: str = MARKETPLACE_ID,
) -> dict[str, Any]:
    landed = [o["ListingPrice"]["Amount"] + o["Shipping"]["Amount"] for o in offers]
    winner = next((o for o in offers if o["IsBuyBoxWinner"]), None)
    lowest = min(landed) if landed else 0.0
    price_row = {
        "Condition": condition.lower(),
        "FulfillmentChannel": "Merchant",
        "LandedPrice": {"Amount": lowest, "CurrencyCode": "USD"},
        "ListingPrice": {"Amount": lowest, "CurrencyCode": "USD"},
        "Shipping": {"Amount": 0.0, "CurrencyCode": "USD"},
    }
    buy_box = []
    if winner is not None:
        winner_landed = winner["ListingPrice"]["Amount"] + winner["Shipping"]["Amount"]
        buy_box = [
            {
                "Condition": condition.lower(),
                "LandedPrice": {"Amount": winner_landed, "CurrencyCode": "USD"},
                "ListingPrice": winner["ListingPrice"],
                "Shipping": winner["Shipping"],
            }
        ]
    count = {"Condition": condition.lower(), "FulfillmentChannel": "Merchant"}
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ANY_OFFER_CHANGED",
        "PayloadVersion": "1.0",
        "EventTime": stamp(changed_at),
        "NotificationMetadata": {
            "ApplicationId": "amzn1.sellerapps.app.shelfwise-test",
            "SubscriptionId": "subscription-shelfwise-test",
            "PublishTime": stamp(changed_at),
            "NotificationId": notification_id or str(uuid.uuid4()),
        },
        "Payload": {
            "AnyOfferChangedNotification": {
                "SellerId": seller_id,
                "OfferChangeTrigger": {
                    "MarketplaceId": marketplace_id,
                    "ASIN": asin,
                    "ItemCondition": condition,
                    "TimeOfOfferChange": stamp(changed_at),
                    "OfferChangeType": "External",
                },
                "Summary": {
                    "NumberOfOffers": [count | {"OfferCount": len(offers)}],
                    "LowestPrices": [price_row],
                    "BuyBoxPrices": buy_box,
                    "ListPrice": _money("49.99"),
                    "MinimumAdvertisedPrice": _money("0.00"),
                    "SuggestedLowerPricePlusShipping": _money("0.00"),
                    "TotalBuyBoxEligibleOffers": len(offers),
                    "SalesRankings": [
                        {"ProductCategoryId": "kitchen_display_on_website", "Rank": 1234}
                    ],
                    "NumberOfBuyBoxEligibleOffers": [count | {"OfferCount": len(offers)}],
                    "CompetitivePriceThreshold": _money("21.00"),
                },
                "Offers": offers,
            }
        },
    }


def pricing_health(
    seller_id: str,
    asin: str,
    changed_at: datetime,
    *,
    notification_id: str | None = None,
    fulfillment: str = "MFN",
) -> dict[str, Any]:
    def money(amount: float) -> dict[str, Any]:
        return {"amount": amount, "currencyCode": "USD"}

    return {
        "notificationVersion": "1.0",
        "notificationType": "PRICING_HEALTH",
        "payloadVersion": "1.0",
        "eventTime": stamp(changed_at),
        "payload": {
            "issueType": "BuyBoxDisqualification",
            "sellerId": seller_id,
            "offerChangeTrigger": {
                "marketplaceId": MARKETPLACE_ID,
                "asin": asin,
                "itemCondition": "new",
                "timeOfOfferChange": stamp(changed_at),
            },
            "merchantOffer": {
                "condition": "new",
                "fulfillmentType": fulfillment,
                "listingPrice": money(26.5),
                "shipping": money(4.49),
                "landedPrice": money(30.99),
            },
            "summary": {
                "numberOfOffers": [{"condition": "new", "fulfillmentType": "MFN", "offerCount": 3}],
                "buyBoxEligibleOffers": [
                    {"condition": "new", "fulfillmentType": "MFN", "offerCount": 2}
                ],
                "buyBoxPrices": [
                    {
                        "condition": "new",
                        "listingPrice": money(22.0),
                        "shipping": money(0.0),
                        "landedPrice": money(22.0),
                    }
                ],
                "salesRankings": [
                    {"productCategoryId": "kitchen_display_on_website", "rank": 1234}
                ],
                "referencePrice": {
                    "averageSellingPrice": money(23.5),
                    "competitivePriceThreshold": money(24.0),
                    "msrpPrice": money(29.99),
                },
            },
        },
        "notificationMetadata": {
            "applicationId": "amzn1.sellerapps.app.shelfwise-test",
            "subscriptionId": "subscription-shelfwise-test",
            "publishTime": stamp(changed_at),
            "notificationId": notification_id or str(uuid.uuid4()),
        },
    }
