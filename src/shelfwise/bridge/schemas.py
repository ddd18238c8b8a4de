"""The marketplace item format (the seed's ASIN bridge, in Shelfwise's conventions: money as
decimal strings with a currency, times in ISO 8601 UTC) and the bodies of the bridge's routes.

Items from the demo marketplace say so twice: `demo: true` on the item, and `demo: true` on the
answer when any item is. `source` names the kind of source (sp_api, creators_api, scraper).
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, Field

from shelfwise.bridge.asins import MAX_ASINS
from shelfwise.catalog.marketplaces import marketplace
from shelfwise.catalog.schemas import StrictBody
from shelfwise.integrations.items import AmazonItem, ItemFailure, ItemFailureCode
from shelfwise.intelligence.deal import PriceRange, deal_score


class MarketplaceItem(BaseModel):
    asin: str
    marketplace: str
    title: str | None
    brand: str | None
    price: Decimal | None = Field(description="The featured (Buy Box) price, a decimal string.")
    list_price: Decimal | None = Field(description="The struck-through reference price.")
    currency: str | None
    rating: float | None = Field(description="0-5 stars; SP-API does not give ratings.")
    reviews: int | None
    images: list[str]
    main_image: str | None
    category: str | None
    availability: str | None
    in_stock: bool | None
    bullets: list[str]
    sales_rank: int | None = Field(description="The rank in the most specific category.")
    deal_score: float | None = Field(description="0-10, see intelligence/deal.py.")
    is_deal: bool
    detail_url: str | None
    source: str
    demo: bool = Field(description="Served by the demo marketplace, not by Amazon.")
    fetched_at: datetime


class ItemError(BaseModel):
    code: ItemFailureCode
    message: str
    retry_after_seconds: float | None = None


class ErrorItem(BaseModel):
    asin: str
    error: ItemError


class ItemsOut(BaseModel):
    marketplace: str
    demo: bool = Field(description="Some item comes from the demo marketplace.")
    items: list[MarketplaceItem | ErrorItem] = Field(description="One per ASIN, in order.")


class CacheStatsOut(BaseModel):
    hit_rate: float = Field(description="Hits / lookups since the last clear, 0 to 1.")
    cache_size: int = Field(description="Bytes of the organization's cached values.")
    items_cached: int
    hits: int
    misses: int


class CacheCleared(BaseModel):
    status: Literal["cleared"]
    cleared_items: int


class AsinSyncBody(StrictBody):
    asins: Annotated[list[str], Field(min_length=1, max_length=MAX_ASINS)]
    marketplace: str = "amazon.com"


def item_document(
    item: AmazonItem, *, is_demo: bool, history: PriceRange | None = None
) -> dict[str, Any]:
    score = deal_score(item.price, item.list_price, item.rating, item.review_count, history)
    found = marketplace(item.marketplace)
    # Amounts in the currency's minor unit whatever the source sent ("39.9" -> "39.90").
    digits = found.minor_digits if found and found.currency == item.currency else 2
    return {
        "asin": item.asin,
        "marketplace": item.marketplace,
        "title": item.title,
        "brand": item.brand,
        "price": _amount(item.price, digits),
        "list_price": _amount(item.list_price, digits),
        "currency": item.currency,
        "rating": item.rating,
        "reviews": item.review_count,
        "images": list(item.images),
        "main_image": item.main_image,
        "category": item.category,
        "availability": item.availability,
        "in_stock": item.in_stock,
        "bullets": list(item.bullets),
        "sales_rank": _rank_in_category(item),
        "deal_score": float(score) if score is not None else None,
        "is_deal": item.is_deal,
        "detail_url": item.detail_url,
        "source": item.source.value,
        "demo": is_demo,
        "fetched_at": item.fetched_at.isoformat().replace("+00:00", "Z"),
    }


def _amount(value: Decimal | None, digits: int) -> str | None:
    return None if value is None else str(value.quantize(Decimal(1).scaleb(-digits)))


def _rank_in_category(item: AmazonItem) -> int | None:
    """The rank in the item's category (the most specific one), else the first rank listed."""
    for rank in item.sales_ranks:
        if rank.category == item.category:
            return rank.rank
    return item.sales_ranks[0].rank if item.sales_ranks else None


def error_document(failure: ItemFailure) -> dict[str, Any]:
    error: dict[str, Any] = {"code": failure.code.value, "message": failure.reason}
    if failure.retry_after_seconds is not None:
        error["retry_after_seconds"] = round(failure.retry_after_seconds, 1)
    return {"asin": failure.asin, "error": error}


def render_items(marketplace: str, entries: list[bytes], *, demo: bool) -> bytes:
    """The answer from each entry's stored JSON, joined as bytes: cached items are never
    parsed (the cached path's whole cost is the cache read and this join)."""
    head = orjson.dumps({"marketplace": marketplace, "demo": demo})[:-1]
    return head + b',"items":[' + b",".join(entries) + b"]}"
