"""Catalog Items 2022-04-01: getCatalogItem and searchCatalogItems."""

from typing import Any

from tests.fakes.spapi.handlers import Handler
from tests.fakes.spapi.paging import page_offset, page_token
from tests.fakes.spapi.requests import Answer, SpapiRequest, error_answer, invalid_input
from tests.fakes.spapi.state import Document, MarketplaceState

MODEL = "catalogItems_2022-04-01"
DEFAULT_PAGE_SIZE = 10


def get_catalog_item(request: SpapiRequest, state: MarketplaceState) -> Answer:
    asin = request.path_parameters["asin"]
    item = state.catalog_items.get(asin)
    if item is None:
        return error_answer(
            404, "NOT_FOUND", f"Requested item '{asin}' not found in the marketplace."
        )
    return Answer(200, _shaped(item, request))


def search_catalog_items(request: SpapiRequest, state: MarketplaceState) -> Answer:
    identifiers, keywords = request.values("identifiers"), request.values("keywords")
    if bool(identifiers) == bool(keywords):
        return invalid_input("Provide either identifiers or keywords, not both.")
    if identifiers and not request.value("identifiersType"):
        return invalid_input("identifiersType is required with identifiers.")
    if identifiers:
        matches = _by_identifier(state, request, identifiers)
    else:
        matches = [item for item in state.catalog_items.values() if _has_words(item, keywords)]
    page_size = request.integer("pageSize", DEFAULT_PAGE_SIZE)
    start = page_offset(request.value("pageToken"))
    page = matches[start : start + page_size]
    body: dict[str, Any] = {
        "numberOfResults": len(matches),
        "pagination": {},
        "refinements": {"brands": [], "classifications": []},
        "items": [_shaped(item, request) for item in page],
    }
    if start + page_size < len(matches):
        body["pagination"]["nextToken"] = page_token(start + page_size)
    if start:
        body["pagination"]["previousToken"] = page_token(max(0, start - page_size))
    return Answer(200, body)


def _by_identifier(
    state: MarketplaceState, request: SpapiRequest, identifiers: list[str]
) -> list[Document]:
    kind = request.value("identifiersType")
    if kind == "ASIN":
        return [state.catalog_items[asin] for asin in identifiers if asin in state.catalog_items]
    if kind == "SKU":
        asins = [state.sku_asin(request.selling_partner_id, sku) for sku in identifiers]
        return [state.catalog_items[asin] for asin in asins if asin in state.catalog_items]
    wanted = set(identifiers)
    return [
        item
        for item in state.catalog_items.values()
        if any(
            entry.get("identifierType") == kind and entry.get("identifier") in wanted
            for by_marketplace in item.get("identifiers", [])
            for entry in by_marketplace.get("identifiers", [])
        )
    ]


def _has_words(item: Document, keywords: list[str]) -> bool:
    text = " ".join(
        f"{summary.get('itemName', '')} {summary.get('brand', '')}"
        for summary in item.get("summaries", [])
    ).lower()
    return all(word.lower() in text for word in keywords)


def _shaped(item: Document, request: SpapiRequest) -> Document:
    """The item with the data sets asked for (default summaries) in the marketplaces asked for."""
    included = request.values("includedData") or ["summaries"]
    marketplaces = set(request.values("marketplaceIds"))
    shaped: Document = {"asin": item["asin"]}
    for data_set in included:
        if isinstance(item.get(data_set), dict):  # attributes: one object, values per marketplace
            shaped[data_set] = item[data_set]
        elif data_set in item:
            shaped[data_set] = [
                entry
                for entry in item[data_set]
                if "marketplaceId" not in entry or entry["marketplaceId"] in marketplaces
            ]
    return shaped


HANDLERS: dict[str, Handler] = {
    "getCatalogItem": get_catalog_item,
    "searchCatalogItems": search_catalog_items,
}
