"""Seeded state, calls and expectations shared by the fake SP-API's own tests (and later work)."""

from decimal import Decimal
from typing import Any

import httpx

from tests.fakes.spapi.lwa import Credentials
from tests.fakes.spapi.models import UsagePlan
from tests.fakes.spapi.server import DEFAULT_CREDENTIALS, FakeSellingPartnerApi
from tests.fakes.spapi.state import (
    US_MARKETPLACE,
    MarketplaceState,
    catalog_item,
    inventory_summary,
    listing_item,
    offer,
)

SELLER = DEFAULT_CREDENTIALS.selling_partner_id
RIVAL = "A2RIVALSELLER02"
ASIN = "B000000001"
SKU = "KETTLE-1"
ITEM_OFFERS = "/products/pricing/v0/items/B000000001/offers"
OFFER_QUERY = {"MarketplaceId": US_MARKETPLACE, "ItemCondition": "New"}


def seeded_state() -> MarketplaceState:
    state = MarketplaceState()
    state.add_catalog_item(catalog_item(ASIN, "Steel Kettle 1.7 l", "Acme", ean="4006381333931"))
    state.add_offers(
        ASIN,
        offer(SELLER, Decimal("19.99"), is_buy_box_winner=True),
        offer(RIVAL, Decimal("18.50"), shipping=Decimal("4.99"), is_fulfilled_by_amazon=True),
    )
    state.add_listing(SELLER, listing_item(SKU, ASIN, Decimal("19.99"), 5, title="Steel Kettle"))
    state.add_inventory(SELLER, inventory_summary(SKU, ASIN, 5))
    state.add_order(
        SELLER,
        {
            "orderId": "114-0000000-0000001",
            "createdTime": "2026-02-01T10:00:00Z",
            "lastUpdatedTime": "2026-02-01T11:00:00Z",
            "salesChannel": {"channelName": "Amazon.com", "marketplaceId": US_MARKETPLACE},
            "orderItems": [],
        },
    )
    return state


def client(fake: FakeSellingPartnerApi, token: str | None = None) -> httpx.Client:
    access_token = token if token is not None else fake.access_token()
    return httpx.Client(
        base_url=fake.url, headers={"x-amz-access-token": access_token}, timeout=5.0
    )


def lwa_form(credentials: Credentials, **overrides: str) -> dict[str, str]:
    return {
        "grant_type": "refresh_token",
        "refresh_token": credentials.refresh_token,
        "client_id": credentials.client_id,
        "client_secret": credentials.client_secret,
        **overrides,
    }


ROUTED_PLANS = {
    "getCatalogItem": UsagePlan(2.0, 2),
    "searchCatalogItems": UsagePlan(2.0, 2),
    "getItemOffers": UsagePlan(0.5, 1),
    "getListingOffers": UsagePlan(1.0, 2),
    "getItemOffersBatch": UsagePlan(0.1, 1),
    "getListingOffersBatch": UsagePlan(0.5, 1),
    "getCompetitivePricing": UsagePlan(0.5, 1),
    "getListingsItem": UsagePlan(5.0, 10),
    "searchListingsItems": UsagePlan(5.0, 5),
    "patchListingsItem": UsagePlan(5.0, 5),
    "createReport": UsagePlan(0.0167, 15),
    "getReport": UsagePlan(2.0, 15),
    "getReportDocument": UsagePlan(0.0167, 15),
    "searchOrders": UsagePlan(0.0056, 20),
    "getInventorySummaries": UsagePlan(2.0, 2),
    "getMyFeesEstimateForASIN": UsagePlan(1.0, 2),
    "getMyFeesEstimateForSKU": UsagePlan(1.0, 2),
    "getMyFeesEstimates": UsagePlan(0.5, 1),
    "createRestrictedDataToken": UsagePlan(1.0, 10),
    "getDefinitionsProductType": UsagePlan(5.0, 10),
}


FEES_BODY = {
    "FeesEstimateRequest": {
        "MarketplaceId": US_MARKETPLACE,
        "IsAmazonFulfilled": True,
        "PriceToEstimateFees": {"ListingPrice": {"CurrencyCode": "USD", "Amount": 20.0}},
        "Identifier": "estimate-1",
    }
}
CALLS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "getCatalogItem": (
        "catalogItems_2022-04-01", "GET", f"/catalog/2022-04-01/items/{ASIN}",
        {"params": {"marketplaceIds": US_MARKETPLACE, "includedData": "summaries,identifiers"}},
    ),
    "searchCatalogItems": (
        "catalogItems_2022-04-01", "GET", "/catalog/2022-04-01/items",
        {"params": {"marketplaceIds": US_MARKETPLACE, "identifiers": "4006381333931",
                    "identifiersType": "EAN"}},
    ),
    "getItemOffers": ("productPricingV0", "GET", ITEM_OFFERS, {"params": OFFER_QUERY}),
    "getListingOffers": (
        "productPricingV0", "GET", f"/products/pricing/v0/listings/{SKU}/offers",
        {"params": OFFER_QUERY},
    ),
    "getCompetitivePricing": (
        "productPricingV0", "GET", "/products/pricing/v0/competitivePrice",
        {"params": {"MarketplaceId": US_MARKETPLACE, "ItemType": "Asin", "Asins": ASIN}},
    ),
    "getItemOffersBatch": (
        "productPricingV0", "POST", "/batches/products/pricing/v0/itemOffers",
        {"json": {"requests": [{"uri": ITEM_OFFERS, "method": "GET", **OFFER_QUERY}]}},
    ),
    "getListingOffersBatch": (
        "productPricingV0", "POST", "/batches/products/pricing/v0/listingOffers",
        {"json": {"requests": [{"uri": f"/products/pricing/v0/listings/{SKU}/offers",
                                "method": "GET", **OFFER_QUERY}]}},
    ),
    "getListingsItem": (
        "listingsItems_2021-08-01", "GET", f"/listings/2021-08-01/items/{SELLER}/{SKU}",
        {"params": {"marketplaceIds": US_MARKETPLACE,
                    "includedData": "summaries,attributes,offers,fulfillmentAvailability"}},
    ),
    "searchListingsItems": (
        "listingsItems_2021-08-01", "GET", f"/listings/2021-08-01/items/{SELLER}",
        {"params": {"marketplaceIds": US_MARKETPLACE}},
    ),
    "patchListingsItem": (
        "listingsItems_2021-08-01", "PATCH", f"/listings/2021-08-01/items/{SELLER}/{SKU}",
        {"params": {"marketplaceIds": US_MARKETPLACE},
         "json": {"productType": "PRODUCT", "patches": [
             {"op": "replace", "path": "/attributes/fulfillment_availability",
              "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}]}]}},
    ),
    "createReport": (
        "reports_2021-06-30", "POST", "/reports/2021-06-30/reports",
        {"json": {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
                  "marketplaceIds": [US_MARKETPLACE]}},
    ),
    "searchOrders": (
        "orders_2026-01-01", "GET", "/orders/2026-01-01/orders",
        {"params": {"createdAfter": "2026-01-01T00:00:00Z", "marketplaceIds": US_MARKETPLACE}},
    ),
    "getInventorySummaries": (
        "fbaInventory", "GET", "/fba/inventory/v1/summaries",
        {"params": {"granularityType": "Marketplace", "granularityId": US_MARKETPLACE,
                    "marketplaceIds": US_MARKETPLACE, "details": "true"}},
    ),
    "getMyFeesEstimateForASIN": (
        "productFeesV0", "POST", f"/products/fees/v0/items/{ASIN}/feesEstimate",
        {"json": FEES_BODY},
    ),
    "getMyFeesEstimateForSKU": (
        "productFeesV0", "POST", f"/products/fees/v0/listings/{SKU}/feesEstimate",
        {"json": FEES_BODY},
    ),
    "getMyFeesEstimates": (
        "productFeesV0", "POST", "/products/fees/v0/feesEstimate",
        {"json": [{**FEES_BODY, "IdType": "ASIN", "IdValue": ASIN}]},
    ),
    "createRestrictedDataToken": (
        "tokens_2021-03-01", "POST", "/tokens/2021-03-01/restrictedDataToken",
        {"json": {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders"}]}},
    ),
    "getDefinitionsProductType": (
        "definitionsProductTypes_2020-09-01", "GET",
        "/definitions/2020-09-01/productTypes/BRACELET",
        {"params": {"marketplaceIds": US_MARKETPLACE}},
    ),
}  # fmt: skip
# What each answer must say about the seeded state, beyond conforming to the model.
EXPECTED: dict[str, Any] = {
    "getCatalogItem": lambda b: b["summaries"][0]["itemName"] == "Steel Kettle 1.7 l",
    "searchCatalogItems": lambda b: [i["asin"] for i in b["items"]] == [ASIN],
    "getItemOffers": lambda b: (
        [(o["SellerId"], o["MyOffer"]) for o in b["payload"]["Offers"]]
        == [(SELLER, True), (RIVAL, False)]  # by landed price: 19.99 before 18.50 + 4.99
        and b["payload"]["Summary"]["BuyBoxPrices"][0]["LandedPrice"]["Amount"] == 19.99
    ),
    "getListingOffers": lambda b: b["payload"]["SKU"] == SKU,
    "getCompetitivePricing": lambda b: (
        b["payload"][0]["Product"]["CompetitivePricing"]["CompetitivePrices"][0]["Price"][
            "LandedPrice"
        ]["Amount"]
        == 19.99
    ),
    "getItemOffersBatch": lambda b: b["responses"][0]["status"]["statusCode"] == 200,
    "getListingOffersBatch": lambda b: b["responses"][0]["body"]["payload"]["SKU"] == SKU,
    "getListingsItem": lambda b: (
        b["offers"][0]["price"] == {"currencyCode": "USD", "amount": "19.99"}
    ),
    "searchListingsItems": lambda b: [i["sku"] for i in b["items"]] == [SKU],
    "patchListingsItem": lambda b: b["status"] == "ACCEPTED",
    "createReport": lambda b: set(b) == {"reportId"},
    "searchOrders": lambda b: [o["orderId"] for o in b["orders"]] == ["114-0000000-0000001"],
    "getInventorySummaries": lambda b: (
        b["payload"]["inventorySummaries"][0]["inventoryDetails"]["fulfillableQuantity"] == 5
    ),
    "getMyFeesEstimateForASIN": lambda b: (
        b["payload"]["FeesEstimateResult"]["FeesEstimate"]["TotalFeesEstimate"]["Amount"] == 6.22
    ),
    "getMyFeesEstimateForSKU": lambda b: (
        b["payload"]["FeesEstimateResult"]["FeesEstimateIdentifier"]["IdValue"] == SKU
    ),
    "getMyFeesEstimates": lambda b: b[0]["FeesEstimate"]["TotalFeesEstimate"]["Amount"] == 6.22,
    "createRestrictedDataToken": lambda b: b["expiresIn"] == 3600,
    "getDefinitionsProductType": lambda b: (
        b["productType"] == "BRACELET" and b["schema"]["link"]["resource"].endswith("/BRACELET")
    ),
}
