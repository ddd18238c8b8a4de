"""Replaying the models' static x-amzn-api-sandbox pairs against the fake.

Each pair is a request and the answer Amazon's sandbox gives it. The fake is no sandbox (it
answers from state, not from canned bodies), so a 200 pair is replayed by first seeding the state
with what its response shows (the item, the offers, the listing…), then sending its request.
A few pairs leave out what the real service needs; `complete_request` fills those in, and the
pairs that cannot be reproduced by any faithful server are listed in UNREPRODUCIBLE with why.
"""

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from tests.fakes.spapi.models import operation, sandbox_pairs
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE, Document, catalog_item, listing_item

IMPLEMENTED_MODELS = (
    "catalogItems_2022-04-01",
    "productPricingV0",
    "listingsItems_2021-08-01",
    "reports_2021-06-30",
    "orders_2026-01-01",
    "productFeesV0",
    "tokens_2021-03-01",
)
UNREPRODUCIBLE = {
    "getItemOffersBatch-400-1": "its request is a valid one-entry batch; the 400 is canned",
    "getListingOffersBatch-400-1": "its request is a valid one-entry batch; the 400 is canned",
}
_DEFAULT_PATCH = {
    "productType": "PRODUCT",
    "patches": [{"op": "replace", "path": "/attributes/item_name", "value": [{"value": "x"}]}],
}


@dataclass(frozen=True)
class SandboxPair:
    case_id: str  # operationId-status-n, n counting the pairs of that operation and status
    model_name: str
    operation_id: str
    status: int
    request: dict[str, Any]
    response: Any


@dataclass(frozen=True)
class HttpRequest:
    method: str
    path: str
    params: dict[str, str]
    json: Any


def static_pairs() -> Iterator[SandboxPair]:
    """Every static pair of the operations the fake routes, in the models' order."""
    routed = {route.operation.operation_id for route in FakeSellingPartnerApi().routes}
    seen: dict[str, int] = {}
    for model_name in IMPLEMENTED_MODELS:
        for pair in sandbox_pairs(model_name):
            if pair["kind"] != "static" or pair["operationId"] not in routed:
                continue
            key = f"{pair['operationId']}-{pair['status']}"
            seen[key] = seen.get(key, 0) + 1
            yield SandboxPair(
                f"{key}-{seen[key]}",
                model_name,
                pair["operationId"],
                int(pair["status"]),
                pair["request"].get("parameters", {}),
                pair["response"],
            )


def http_request(pair: SandboxPair, fake: FakeSellingPartnerApi) -> HttpRequest:
    """The pair's request on the wire, completed where the pair leaves out what is required."""
    spec = operation(pair.model_name, pair.operation_id)
    path, params, body = spec.path, {}, None
    values = complete_request(pair, fake)
    for name, value in values.items():
        parameter = spec.parameter(name) or {}
        # The pairs call the body "body" whatever the model names it.
        location = "body" if name == "body" else parameter.get("in")
        if location == "body":
            body = value
        elif location == "path":
            path = path.replace(f"{{{name}}}", str(value))
        elif location == "query":
            params[name] = ",".join(map(str, value)) if isinstance(value, list) else str(value)
    for name in spec.path_pattern.groupindex:  # a path parameter the pair left out stays empty
        path = path.replace(f"{{{name}}}", "")
    return HttpRequest(spec.method, path, params, body)


def complete_request(pair: SandboxPair, fake: FakeSellingPartnerApi) -> dict[str, Any]:
    values = {
        name: parameter["value"] for name, parameter in pair.request.items() if "value" in parameter
    }
    if pair.status >= 400:
        return values  # a refused request is replayed as it is
    response = pair.response
    values.pop("paginationToken", None)  # a token the fake did not issue
    if pair.model_name == "listingsItems_2021-08-01":
        values.setdefault("sellerId", fake.credentials.selling_partner_id)
        values.setdefault("marketplaceIds", [US_MARKETPLACE])
        if pair.operation_id != "searchListingsItems":
            values.setdefault("sku", response["sku"])
        if pair.operation_id == "patchListingsItem":
            values.setdefault("body", _DEFAULT_PATCH)
    if pair.operation_id in ("getMyFeesEstimateForASIN", "getMyFeesEstimateForSKU"):
        identifier = response["payload"]["FeesEstimateResult"]["FeesEstimateIdentifier"]
        values.setdefault(
            "Asin" if "ASIN" in pair.operation_id else "SellerSKU", identifier["IdValue"]
        )
    if pair.operation_id in ("getItemOffers", "getListingOffers"):
        values.setdefault("ItemCondition", "New")
    if pair.operation_id == "getCompetitivePricing":
        key = "ASIN" if values["ItemType"] == "Asin" else "SellerSKU"
        values["Asins" if key == "ASIN" else "Skus"] = [price[key] for price in response["payload"]]
    return values


def seed(pair: SandboxPair, fake: FakeSellingPartnerApi) -> None:
    """Put into the fake's state what a 200 pair's response shows."""
    state, seller_id, response = fake.state, fake.credentials.selling_partner_id, pair.response
    match pair.operation_id:
        case "getCatalogItem":
            state.add_catalog_item(copy.deepcopy(response))
        case "searchCatalogItems":
            for item in response["items"]:
                state.add_catalog_item(copy.deepcopy(item))
        case "getItemOffers" | "getListingOffers":
            _seed_offers(fake, response["payload"])
        case "getItemOffersBatch" | "getListingOffersBatch":
            for entry in response["responses"]:
                _seed_offers(fake, entry["body"]["payload"])
        case "getCompetitivePricing":
            for price in response["payload"]:
                identifiers = price["Product"]["Identifiers"]
                asin = identifiers["MarketplaceASIN"]["ASIN"]
                state.add_catalog_item(catalog_item(asin, "", ""))
                if "SellerSKU" in price:
                    state.add_listing(seller_id, _listing(price["SellerSKU"], asin))
        case "getListingsItem":
            state.add_listing(seller_id, copy.deepcopy(response))
        case "patchListingsItem" if response["status"] != "INVALID":
            state.add_listing(seller_id, _listing(response["sku"], "B000000000"))
        case "searchListingsItems":
            for item in response["items"]:
                state.add_listing(seller_id, copy.deepcopy(item))
        case "getReport":
            report = {**copy.deepcopy(response), "reportId": pair.request["reportId"]["value"]}
            state.add_report(report)
        case "getReportDocument":
            document_id = pair.request["reportDocumentId"]["value"]
            state.add_report(
                {
                    "reportId": "sandbox-report",
                    "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
                    "createdTime": "2024-03-10T20:11:24.000Z",
                    "processingStatus": "DONE",
                    "reportDocumentId": document_id,
                }
            )
        case "searchOrders":
            for order in response["orders"]:
                state.add_order(seller_id, copy.deepcopy(order))


def essentials(pair: SandboxPair, body: Any) -> Any:
    """What must agree between the fake's answer and the sandbox's, for a 200 pair."""
    match pair.operation_id:
        case "getCatalogItem":
            return body
        case "searchCatalogItems":
            return [item["asin"] for item in body["items"]]
        case "getItemOffers" | "getListingOffers":
            payload = body["payload"]
            offers = [{k: v for k, v in o.items() if k != "MyOffer"} for o in payload["Offers"]]
            return (payload.get("ASIN"), payload.get("SKU"), payload["Summary"], offers)
        case "getItemOffersBatch" | "getListingOffersBatch":
            return [
                (entry["status"]["statusCode"], _offers_identity(entry["body"]["payload"]))
                for entry in body["responses"]
            ]
        case "getCompetitivePricing":
            return [
                (price.get("ASIN"), price.get("SellerSKU"), price["status"])
                for price in body["payload"]
            ]
        case "getListingsItem":
            return (body["sku"], body["summaries"])
        case "patchListingsItem":
            return (body["sku"], body["status"])
        case "searchListingsItems":
            return sorted(item["sku"] for item in body["items"])
        case "getReport":
            return (body["reportType"], body["processingStatus"])
        case "getReportDocument":
            return body["reportDocumentId"]
        case "searchOrders":
            return [order["orderId"] for order in body["orders"]]
        case "getMyFeesEstimateForASIN" | "getMyFeesEstimateForSKU":
            return body["payload"]["FeesEstimateResult"]["Status"]
        case "getMyFeesEstimates":
            return [result["Status"] for result in body]
        case "createReport":
            return sorted(body)
        case "createRestrictedDataToken":
            return body["expiresIn"]
    raise KeyError(pair.operation_id)


def _offers_identity(payload: Document) -> tuple[str | None, str | None, int]:
    return (payload.get("ASIN"), payload.get("SKU"), len(payload["Offers"]))


def _seed_offers(fake: FakeSellingPartnerApi, payload: Document) -> None:
    asin = payload.get("ASIN") or payload["Identifier"].get("ASIN") or f"B0{payload['SKU'][:8]}"
    fake.state.add_offers(asin, *copy.deepcopy(payload["Offers"]))
    fake.state.offer_summaries[asin] = copy.deepcopy(payload["Summary"])
    if "SKU" in payload:
        fake.state.add_listing(fake.credentials.selling_partner_id, _listing(payload["SKU"], asin))


def _listing(sku: str, asin: str) -> Document:
    return listing_item(sku, asin, Decimal("10.00"), 1)
