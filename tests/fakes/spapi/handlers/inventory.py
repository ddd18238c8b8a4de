"""FBA Inventory v1: getInventorySummaries at marketplace granularity."""

from typing import Any

from tests.fakes.spapi.handlers import Handler
from tests.fakes.spapi.paging import page_offset, page_token
from tests.fakes.spapi.requests import Answer, SpapiRequest, invalid_input
from tests.fakes.spapi.state import MarketplaceState

MODEL = "fbaInventory"
PAGE_SIZE = 50  # the API's fixed page


def get_inventory_summaries(request: SpapiRequest, state: MarketplaceState) -> Answer:
    if request.value("granularityType") != "Marketplace":
        return invalid_input("granularityType must be Marketplace.")
    wanted = set(request.values("sellerSkus")) | set(request.values("sellerSku"))
    with_details = request.value("details") == "true"
    summaries = [
        summary if with_details else {k: v for k, v in summary.items() if k != "inventoryDetails"}
        for (owner, sku), summary in sorted(state.inventory.items())
        if owner == request.selling_partner_id and (not wanted or sku in wanted)
    ]
    start = page_offset(request.value("nextToken"))
    body: dict[str, Any] = {
        "payload": {
            "granularity": {
                "granularityType": "Marketplace",
                "granularityId": request.value("granularityId"),
            },
            "inventorySummaries": summaries[start : start + PAGE_SIZE],
        }
    }
    if start + PAGE_SIZE < len(summaries):
        body["pagination"] = {"nextToken": page_token(start + PAGE_SIZE)}
    return Answer(200, body)


HANDLERS: dict[str, Handler] = {"getInventorySummaries": get_inventory_summaries}
