"""Listings Items 2021-08-01: getListingsItem, searchListingsItems and patchListingsItem.

Patches apply JSON-patch-like operations to the stored listing's `attributes`; the price
(purchasable_offer) and quantity (fulfillment_availability) attributes also update the listing's
`offers` and `fulfillmentAvailability`, which is what a later read shows.
"""

import copy
import uuid
from typing import Any

from tests.fakes.spapi.handlers import Handler
from tests.fakes.spapi.paging import page_offset, page_token
from tests.fakes.spapi.requests import Answer, SpapiRequest, error_answer
from tests.fakes.spapi.state import Document, MarketplaceState

MODEL = "listingsItems_2021-08-01"
DEFAULT_PAGE_SIZE = 10


def get_listings_item(request: SpapiRequest, state: MarketplaceState) -> Answer:
    seller_id, sku = request.path_parameters["sellerId"], request.path_parameters["sku"]
    if seller_id != request.selling_partner_id:
        return _seller_mismatch()
    listing = state.listings.get((seller_id, sku))
    if listing is None:
        return error_answer(404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace.")
    return Answer(200, _shaped(listing, request))


def search_listings_items(request: SpapiRequest, state: MarketplaceState) -> Answer:
    seller_id = request.path_parameters["sellerId"]
    if seller_id != request.selling_partner_id:
        return _seller_mismatch()
    wanted = set(request.values("identifiers"))
    matches = [
        listing
        for (owner, sku), listing in sorted(state.listings.items())
        if owner == seller_id and (not wanted or sku in wanted)
    ]
    page_size = request.integer("pageSize", DEFAULT_PAGE_SIZE)
    start = page_offset(request.value("pageToken"))
    body: dict[str, Any] = {
        "numberOfResults": len(matches),
        "pagination": {},
        "items": [_shaped(item, request) for item in matches[start : start + page_size]],
    }
    if start + page_size < len(matches):
        body["pagination"]["nextToken"] = page_token(start + page_size)
    if start:
        body["pagination"]["previousToken"] = page_token(max(0, start - page_size))
    return Answer(200, body)


def patch_listings_item(request: SpapiRequest, state: MarketplaceState) -> Answer:
    seller_id, sku = request.path_parameters["sellerId"], request.path_parameters["sku"]
    if seller_id != request.selling_partner_id:
        return _seller_mismatch()
    is_preview = request.value("mode") == "VALIDATION_PREVIEW"
    submission: Document = {"sku": sku, "submissionId": str(uuid.uuid4()), "issues": []}
    with state.lock:
        listing = state.listings.get((seller_id, sku))
        if listing is None:
            submission["status"] = "INVALID"
            submission["issues"] = [_missing_listing_issue(sku, request)]
        else:
            patched = copy.deepcopy(listing)
            for patch in request.body["patches"]:
                _apply(patched, patch)
            if not is_preview:
                state.listings[(seller_id, sku)] = patched
            submission["status"] = "VALID" if is_preview else "ACCEPTED"
    if is_preview or "identifiers" in request.values("includedData"):
        asin = state.sku_asin(seller_id, sku)
        submission["identifiers"] = [
            {"marketplaceId": marketplace_id, "asin": asin}
            for marketplace_id in request.values("marketplaceIds")
            if asin
        ]
    return Answer(200, submission)


def _apply(listing: Document, patch: Document) -> None:
    name = patch["path"].removeprefix("/attributes/")
    attributes = listing.setdefault("attributes", {})
    if patch["op"] == "delete":
        attributes.pop(name, None)
    else:  # add, replace and merge all leave the patch's value in place here
        attributes[name] = patch["value"]
    if name == "purchasable_offer" and patch["op"] != "delete":
        for entry in patch["value"]:
            amount = entry["our_price"][0]["schedule"][0]["value_with_tax"]
            for offer in listing.get("offers", []):
                if offer["marketplaceId"] == entry.get("marketplace_id", offer["marketplaceId"]):
                    offer["price"]["amount"] = str(amount)
    if name == "fulfillment_availability" and patch["op"] != "delete":
        listing["fulfillmentAvailability"] = [
            {
                "fulfillmentChannelCode": entry["fulfillment_channel_code"],
                "quantity": entry["quantity"],
            }
            for entry in patch["value"]
        ]


def _missing_listing_issue(sku: str, request: SpapiRequest) -> Document:
    return {
        "code": "4000001",
        "message": f"The SKU {sku} has no listing to patch; create it with putListingsItem.",
        "severity": "ERROR",
        "categories": ["INVALID_ATTRIBUTE"],
        "marketplaceIds": request.values("marketplaceIds"),
    }


def _shaped(listing: Document, request: SpapiRequest) -> Document:
    """The listing with the data sets asked for (default summaries), as the API filters them."""
    included = request.values("includedData") or ["summaries"]
    return {"sku": listing["sku"], **{key: listing[key] for key in included if key in listing}}


def _seller_mismatch() -> Answer:
    return error_answer(
        403, "Unauthorized", "Access to requested resource is denied.", "sellerId is not yours."
    )


HANDLERS: dict[str, Handler] = {
    "getListingsItem": get_listings_item,
    "searchListingsItems": search_listings_items,
    "patchListingsItem": patch_listings_item,
}
