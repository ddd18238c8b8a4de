"""Orders 2026-01-01: searchOrders over the seller's seeded orders."""

from typing import Any

from tests.fakes.spapi.handlers import Handler
from tests.fakes.spapi.paging import page_offset, page_token
from tests.fakes.spapi.requests import Answer, SpapiRequest, invalid_input
from tests.fakes.spapi.state import Document, MarketplaceState

MODEL = "orders_2026-01-01"
MAX_RESULTS_PER_PAGE = 100


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
    body: dict[str, Any] = {"orders": matches[start : start + page_size]}
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


def _marketplace(order: Document) -> str | None:
    marketplace_id: str | None = order.get("salesChannel", {}).get("marketplaceId")
    return marketplace_id


HANDLERS: dict[str, Handler] = {"searchOrders": search_orders}
