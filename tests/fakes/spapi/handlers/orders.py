"""Orders 2026-01-01: searchOrders over the seller's seeded orders.

An order is answered with the data sets `includedData` names and no others (as Amazon does): a
request without BUYER and RECIPIENT gets no personal data, one without PROCEEDS no totals.
"""

from typing import Any

from tests.fakes.spapi.handlers import Handler
from tests.fakes.spapi.paging import page_offset, page_token
from tests.fakes.spapi.requests import Answer, SpapiRequest, invalid_input
from tests.fakes.spapi.state import Document, MarketplaceState

MODEL = "orders_2026-01-01"
MAX_RESULTS_PER_PAGE = 100
# includedData -> the members it adds (to the order, to each of its items).
DATA_SETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "BUYER": (("buyer",), ()),
    "RECIPIENT": (("recipient",), ()),
    "PROCEEDS": (("proceeds",), ("proceeds",)),
    "EXPENSE": ((), ("expense",)),
    "PROMOTION": ((), ("promotion",)),
    "CANCELLATION": ((), ("cancellation",)),
    "FULFILLMENT": (("fulfillment",), ("fulfillment",)),
    "PACKAGES": (("packages",), ()),
    "TAX": (("tax",), ("tax",)),
    "PAYMENT": (("payment",), ()),
    "FULFILLMENT_ORDERS": (("fulfillmentOrders",), ()),
}


def search_orders(request: SpapiRequest, state: MarketplaceState) -> Answer:
    created_after, updated_after = request.value("createdAfter"), request.value("lastUpdatedAfter")
    if bool(created_after) == bool(updated_after):
        return invalid_input("Exactly one of createdAfter or lastUpdatedAfter is required.")
    page_size = request.integer("maxResultsPerPage", MAX_RESULTS_PER_PAGE)
    if not 1 <= page_size <= MAX_RESULTS_PER_PAGE:
        return invalid_input(f"maxResultsPerPage must be 1 to {MAX_RESULTS_PER_PAGE}.")
    marketplaces = set(request.values("marketplaceIds"))
    matches = sorted(
        (
            order
            for order in state.orders.get(request.selling_partner_id, [])
            if _is_within(order, request)
            and (not marketplaces or _marketplace(order) in marketplaces)
        ),
        key=lambda order: str(order["createdTime"]),
    )
    start = page_offset(request.value("paginationToken"))
    included = set(request.values("includedData"))
    page = [_with_data_sets(order, included) for order in matches[start : start + page_size]]
    body: dict[str, Any] = {"orders": page}
    if start + page_size < len(matches):
        body["pagination"] = {"nextToken": page_token(start + page_size)}
    return Answer(200, body)


def _is_within(order: Document, request: SpapiRequest) -> bool:
    # ISO 8601 UTC timestamps in one format compare correctly as strings.
    bounds = (
        ("createdTime", request.value("createdAfter"), request.value("createdBefore")),
        ("lastUpdatedTime", request.value("lastUpdatedAfter"), request.value("lastUpdatedBefore")),
    )
    return all(
        (after is None or order[key] >= after) and (before is None or order[key] < before)
        for key, after, before in bounds
    )


def _with_data_sets(order: Document, included: set[str]) -> Document:
    order_left_out = {
        k for name, (keys, _) in DATA_SETS.items() if name not in included for k in keys
    }
    item_left_out = {
        k for name, (_, keys) in DATA_SETS.items() if name not in included for k in keys
    }
    answered = {key: value for key, value in order.items() if key not in order_left_out}
    if isinstance(order.get("orderItems"), list):
        answered["orderItems"] = [
            {key: value for key, value in item.items() if key not in item_left_out}
            if isinstance(item, dict)
            else item
            for item in order["orderItems"]
        ]
    return answered


def _marketplace(order: Document) -> str | None:
    marketplace_id: str | None = order.get("salesChannel", {}).get("marketplaceId")
    return marketplace_id


HANDLERS: dict[str, Handler] = {"searchOrders": search_orders}
