"""Product Pricing v0: item and listing offers (single and batch) and competitive pricing.

The offer summary (counts, lowest and Buy Box prices) is derived from the seeded offers the way
Amazon describes it, unless a test fixed one in `state.offer_summaries`.
"""

from typing import Any

from tests.fakes.spapi.handlers import Handler
from tests.fakes.spapi.requests import Answer, SpapiRequest, invalid_input, not_found
from tests.fakes.spapi.state import MARKETPLACE_CURRENCIES, Document, MarketplaceState

MODEL = "productPricingV0"
MAX_OFFERS = 20  # getItemOffers returns the 20 lowest-priced offers
_USED_SUB_CONDITIONS = {"mint", "very_good", "good", "acceptable", "poor"}


def get_item_offers(request: SpapiRequest, state: MarketplaceState) -> Answer:
    asin = request.path_parameters["Asin"]
    return _offers_answer(state, request, asin, sku=None, **_offer_filters(request.value))


def get_listing_offers(request: SpapiRequest, state: MarketplaceState) -> Answer:
    sku = request.path_parameters["SellerSKU"]
    asin = state.sku_asin(request.selling_partner_id, sku)
    if asin is None:
        return not_found(f"SKU {sku} is not a listing of this seller.")
    return _offers_answer(state, request, asin, sku=sku, **_offer_filters(request.value))


def get_item_offers_batch(request: SpapiRequest, state: MarketplaceState) -> Answer:
    return Answer(
        200, {"responses": [_batch_entry(state, request, r) for r in request.body["requests"]]}
    )


def get_listing_offers_batch(request: SpapiRequest, state: MarketplaceState) -> Answer:
    return get_item_offers_batch(request, state)


def get_competitive_pricing(request: SpapiRequest, state: MarketplaceState) -> Answer:
    marketplace_id = request.value("MarketplaceId") or ""
    item_type = request.value("ItemType")
    identifiers = request.values("Asins" if item_type == "Asin" else "Skus")
    if not identifiers or len(identifiers) > 20:
        return invalid_input(f"ItemType {item_type} needs 1 to 20 {item_type}s.")
    prices = []
    for identifier in identifiers:
        asin = (
            identifier
            if item_type == "Asin"
            else state.sku_asin(request.selling_partner_id, identifier)
        )
        if asin is None or not _is_known(state, asin):
            status = {"status": "ClientError"}
            prices.append({**status, ("ASIN" if item_type == "Asin" else "SellerSKU"): identifier})
            continue
        price: Document = {
            "status": "Success",
            "Product": {
                "Identifiers": {"MarketplaceASIN": {"MarketplaceId": marketplace_id, "ASIN": asin}},
                "CompetitivePricing": _competitive_pricing(state, asin, request.selling_partner_id),
                "SalesRankings": [],
            },
        }
        if item_type == "Asin":
            price["ASIN"] = asin
        else:
            price["SellerSKU"] = identifier
            price["Product"]["Identifiers"]["SKUIdentifier"] = {
                "MarketplaceId": marketplace_id,
                "SellerId": request.selling_partner_id,
                "SellerSKU": identifier,
            }
        prices.append(price)
    return Answer(200, {"payload": prices})


def _offer_filters(value: Any) -> dict[str, str]:
    return {
        "marketplace_id": value("MarketplaceId") or "",
        "item_condition": value("ItemCondition") or "New",
        "customer_type": value("CustomerType") or "Consumer",
    }


def _batch_entry(state: MarketplaceState, request: SpapiRequest, entry: Document) -> Document:
    """One batch response: the answer of the single operation on `entry["uri"]`, wrapped."""
    segments = entry["uri"].strip("/").split("/")  # products/pricing/v0/{items|listings}/X/offers
    identifier = segments[4] if len(segments) == 6 else ""
    filters = _offer_filters(entry.get)
    if segments[3] == "items":
        answer = _offers_answer(state, request, identifier, sku=None, **filters)
        echoed = {"Asin": identifier}
    else:
        asin = state.sku_asin(request.selling_partner_id, identifier)
        answer = (
            _offers_answer(state, request, asin, sku=identifier, **filters)
            if asin
            else not_found(f"SKU {identifier} is not a listing of this seller.")
        )
        echoed = {"SellerSKU": identifier}
    return {
        "status": {
            "statusCode": answer.status,
            "reasonPhrase": "OK" if answer.status == 200 else "Error",
        },
        "headers": {"x-amzn-RequestId": "fake-batch-entry"},
        "body": answer.body,
        "request": {
            "MarketplaceId": filters["marketplace_id"],
            "ItemCondition": filters["item_condition"],
            "CustomerType": filters["customer_type"],
            **echoed,
        },
    }


def _offers_answer(
    state: MarketplaceState,
    request: SpapiRequest,
    asin: str,
    *,
    sku: str | None,
    marketplace_id: str,
    item_condition: str,
    customer_type: str,
) -> Answer:
    if marketplace_id not in MARKETPLACE_CURRENCIES:
        return invalid_input(f"{marketplace_id!r} is not a marketplace id.")
    if not _is_known(state, asin):
        return not_found(f"ASIN {asin} is not in the catalog.")
    offers = sorted(
        (o for o in state.offers.get(asin, []) if _condition_of(o) == item_condition),
        key=_landed_amount,
    )[:MAX_OFFERS]
    # An item's offers are named by ASIN, a listing's by SKU alone (as the models' examples show).
    named_by = {"ASIN": asin} if sku is None else {"SellerSKU": sku}
    identifier = {"MarketplaceId": marketplace_id, "ItemCondition": item_condition, **named_by}
    result: Document = {
        "marketplaceId": marketplace_id,
        **({"ASIN": asin} if sku is None else {"SKU": sku}),
        "ItemCondition": item_condition,
        "status": "Success",
        "Identifier": identifier,
        "Summary": state.offer_summaries.get(asin) or _summary(offers, item_condition),
        "Offers": [
            {**offer, "MyOffer": offer.get("SellerId") == request.selling_partner_id}
            for offer in offers
        ],
    }
    return Answer(200, {"payload": result})


def _summary(offers: list[Document], item_condition: str) -> Document:
    condition = item_condition.lower()
    by_channel: dict[str, list[Document]] = {}
    for offer in offers:
        channel = "Amazon" if offer.get("IsFulfilledByAmazon") else "Merchant"
        by_channel.setdefault(channel, []).append(offer)
    summary: Document = {
        "TotalOfferCount": len(offers),
        "NumberOfOffers": [
            {"condition": condition, "fulfillmentChannel": channel, "OfferCount": len(group)}
            for channel, group in by_channel.items()
        ],
        "LowestPrices": [
            {
                "condition": condition,
                "fulfillmentChannel": channel,
                **_prices(min(group, key=_landed_amount)),
            }
            for channel, group in by_channel.items()
        ],
    }
    winner = next((offer for offer in offers if offer.get("IsBuyBoxWinner")), None)
    if winner is not None:
        summary["BuyBoxPrices"] = [{"condition": condition, **_prices(winner)}]
    return summary


def _competitive_pricing(state: MarketplaceState, asin: str, requester: str) -> Document:
    offers = [offer for offer in state.offers.get(asin, []) if _condition_of(offer) == "New"]
    winner = next((offer for offer in offers if offer.get("IsBuyBoxWinner")), None)
    prices = []
    if winner is not None:
        prices.append(
            {
                "CompetitivePriceId": "1",  # 1 is the New Buy Box price
                "Price": _prices(winner),
                "condition": "New",
                "belongsToRequester": winner.get("SellerId") == requester,
            }
        )
    return {
        "CompetitivePrices": prices,
        "NumberOfOfferListings": [{"Count": len(offers), "condition": "New"}],
    }


def _prices(offer: Document) -> Document:
    listing, shipping = offer["ListingPrice"], offer["Shipping"]
    landed = {"CurrencyCode": listing["CurrencyCode"], "Amount": _landed_amount(offer)}
    return {"LandedPrice": landed, "ListingPrice": listing, "Shipping": shipping}


def _landed_amount(offer: Document) -> float:
    return round(float(offer["ListingPrice"]["Amount"]) + float(offer["Shipping"]["Amount"]), 2)


def _condition_of(offer: Document) -> str:
    sub_condition = str(offer.get("SubCondition", "new")).lower()
    return "Used" if sub_condition in _USED_SUB_CONDITIONS else "New"


def _is_known(state: MarketplaceState, asin: str) -> bool:
    return asin in state.catalog_items or asin in state.offers


HANDLERS: dict[str, Handler] = {
    "getItemOffers": get_item_offers,
    "getListingOffers": get_listing_offers,
    "getItemOffersBatch": get_item_offers_batch,
    "getListingOffersBatch": get_listing_offers_batch,
    "getCompetitivePricing": get_competitive_pricing,
}
