"""SP-API as an item source of the ASIN bridge: Catalog Items 2022-04-01 `searchCatalogItems`
by ASIN (summaries, images, sales ranks, attributes for the brand, bullets and list price) and
Product Pricing v0 `getCompetitivePricing` for the featured (Buy Box) price, 20 ASINs a call each.

`getCompetitivePricing` rather than `getItemOffersBatch`: both take 20 ASINs, but the first is
metered at 0.5 calls/s and the second at 0.1, so a 100-ASIN request waits 8 s instead of 40 s
for its prices. SP-API has no customer ratings: items from here carry none.
"""

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from shelfwise.integrations.amazon_spapi.client import SellingPartnerClient
from shelfwise.integrations.amazon_spapi.plans import CATALOG_SEARCH_IDENTIFIERS
from shelfwise.integrations.errors import VendorRejectedError
from shelfwise.integrations.items import (
    AmazonItem,
    ItemFailure,
    ItemFailureCode,
    ItemResult,
    ItemSourceKind,
    SalesRank,
)

INCLUDED_DATA = ("summaries", "images", "salesRanks", "attributes")
MAX_BULLETS = 10
BUY_BOX_NEW = "1"  # CompetitivePriceId of the New Buy Box price


class SpApiItems:
    """Items of one marketplace through a seller's SP-API client."""

    kind = ItemSourceKind.SPAPI
    max_batch = CATALOG_SEARCH_IDENTIFIERS

    def __init__(
        self, client: SellingPartnerClient, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._client = client
        self._now = now

    def fetch_items(self, asins: Sequence[str], marketplace: str) -> list[ItemResult]:
        try:
            found = {
                str(item["asin"]): item
                for item in self._client.search_catalog_items(asins, "ASIN", INCLUDED_DATA)
            }
            known = [asin for asin in asins if asin in found]
            prices = _prices(self._client.competitive_pricing(known)) if known else {}
        except VendorRejectedError as refused:
            reason = f"Amazon refused the request: {refused.detail}"
            return [ItemFailure(asin, ItemFailureCode.REFUSED, reason) for asin in asins]
        except (KeyError, TypeError, AttributeError) as error:
            reason = f"Amazon answered something that is not a catalog answer ({error!r:.80})."
            return [ItemFailure(asin, ItemFailureCode.UNAVAILABLE, reason) for asin in asins]
        fetched_at = self._now()
        marketplace_id = self._client.connection.marketplace_id
        results: list[ItemResult] = []
        for asin in asins:
            item = found.get(asin)
            if item is None:
                reason = f"Amazon has no item {asin} in {marketplace}."
                results.append(ItemFailure(asin, ItemFailureCode.NOT_FOUND, reason))
                continue
            try:
                results.append(
                    _item(item, prices.get(asin), marketplace, marketplace_id, fetched_at)
                )
            except (KeyError, TypeError, AttributeError, ValueError, InvalidOperation) as error:
                reason = f"Amazon's answer for {asin} could not be read ({error!r:.80})."
                results.append(ItemFailure(asin, ItemFailureCode.UNAVAILABLE, reason))
        return results


def _prices(payload: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The successful competitive-pricing entries by ASIN."""
    return {
        str(entry["ASIN"]): entry.get("Product") or {}
        for entry in payload
        if entry.get("status") == "Success" and entry.get("ASIN")
    }


def _mine(entries: Any, marketplace_id: str) -> list[dict[str, Any]]:
    """The entries of a per-marketplace list (summaries, images, ranks) for our marketplace."""
    return [
        entry
        for entry in entries or []
        if isinstance(entry, dict) and entry.get("marketplaceId", marketplace_id) == marketplace_id
    ]


def _attribute_values(attributes: dict[str, Any], name: str, marketplace_id: str) -> list[Any]:
    return [
        entry.get("value")
        for entry in attributes.get(name) or []
        if isinstance(entry, dict)
        and entry.get("marketplace_id", marketplace_id) == marketplace_id
        and entry.get("value") is not None
    ]


def _money(value: Any) -> tuple[Decimal | None, str | None]:
    if not isinstance(value, dict) or value.get("Amount") is None:
        return None, None
    return Decimal(str(value["Amount"])).quantize(Decimal("0.01")), value.get("CurrencyCode")


def _item(
    item: dict[str, Any],
    product: dict[str, Any] | None,
    marketplace: str,
    marketplace_id: str,
    fetched_at: datetime,
) -> AmazonItem:
    asin = str(item["asin"])
    summary = next(iter(_mine(item.get("summaries"), marketplace_id)), {})
    attributes = item.get("attributes") or {}
    images = [
        str(image["link"])
        for entry in _mine(item.get("images"), marketplace_id)
        for image in sorted(entry.get("images") or [], key=lambda image: image["variant"] != "MAIN")
        if image.get("link")
    ]
    unique_images = tuple(dict.fromkeys(images))
    ranks = tuple(
        SalesRank(int(rank["rank"]), str(rank.get("title") or rank.get("classificationId")))
        for entry in _mine(item.get("salesRanks"), marketplace_id)
        for rank in (entry.get("classificationRanks") or [])
        + (entry.get("displayGroupRanks") or [])
        if rank.get("rank") is not None
    )
    brands = _attribute_values(attributes, "brand", marketplace_id)
    bullets = tuple(
        str(value) for value in _attribute_values(attributes, "bullet_point", marketplace_id)
    )
    list_prices = [
        entry
        for entry in attributes.get("list_price") or []
        if isinstance(entry, dict) and entry.get("value") is not None
    ]
    list_price = (
        Decimal(str(list_prices[0]["value"])).quantize(Decimal("0.01")) if list_prices else None
    )
    list_currency = (
        str(list_prices[0].get("currency"))
        if list_prices and list_prices[0].get("currency")
        else None
    )
    price, currency, offers = None, None, None
    if product is not None:
        pricing = product.get("CompetitivePricing") or {}
        buy_box = next(
            (
                entry
                for entry in pricing.get("CompetitivePrices") or []
                if entry.get("CompetitivePriceId") == BUY_BOX_NEW
            ),
            None,
        )
        if buy_box is not None:
            price, currency = _money((buy_box.get("Price") or {}).get("ListingPrice"))
        offers = sum(
            int(entry.get("Count") or 0)
            for entry in pricing.get("NumberOfOfferListings") or []
            if str(entry.get("condition", "New")).lower() == "new"
        )
    in_stock = price is not None or bool(offers)
    classification = summary.get("browseClassification") or {}
    category = (
        classification.get("displayName")
        or summary.get("websiteDisplayGroupName")
        or (ranks[0].category if ranks else None)
    )
    return AmazonItem(
        asin=asin,
        marketplace=marketplace,
        source=ItemSourceKind.SPAPI,
        fetched_at=fetched_at,
        title=summary.get("itemName"),
        brand=summary.get("brand") or (str(brands[0]) if brands else None),
        price=price,
        list_price=list_price if list_price is not None and list_price > 0 else None,
        currency=currency or list_currency,
        availability="In stock" if in_stock else "Currently unavailable",
        in_stock=in_stock,
        category=category,
        sales_ranks=ranks,
        main_image=unique_images[0] if unique_images else None,
        images=unique_images,
        bullets=bullets[:MAX_BULLETS],
        is_deal=price is not None and list_price is not None and price < list_price,
        detail_url=f"https://www.{marketplace}/dp/{asin}",
    )
