"""What an item source gives the ASIN bridge, whatever the vendor: one Amazon item as a shopper
sees it in one marketplace, or the reason an ASIN could not be had.

Three sources implement `ItemSource`, tried best first (DESIGN 1.3): SP-API (Catalog Items and
Product Pricing, for organizations with seller credentials), the Creators API (affiliates), and
the product-page scraper (last resort). The demo marketplace serves each through the same code
against in-process fakes.
"""

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Protocol


class ItemSourceKind(enum.StrEnum):
    SPAPI = "sp_api"
    CREATORS = "creators_api"
    SCRAPER = "scraper"


class ItemFailureCode(enum.StrEnum):
    INVALID_ASIN = "invalid_asin"  # not ten letters and digits: never sent to a vendor
    NOT_FOUND = "not_found"  # the vendor answered that the ASIN does not exist there
    UNAVAILABLE = "unavailable"  # the source could not answer now (throttled, breaker, CAPTCHA)
    REFUSED = "refused"  # the source refused this request (access denied, robots.txt)


@dataclass(frozen=True, slots=True)
class SalesRank:
    rank: int
    category: str


@dataclass(frozen=True, slots=True)
class AmazonItem:
    """One item in one marketplace, as fetched. Money is the featured offer's, when there is
    one; `list_price` is the struck-through reference price."""

    asin: str
    marketplace: str  # the storefront's domain, e.g. amazon.co.uk (catalog/marketplaces.py)
    source: ItemSourceKind
    fetched_at: datetime  # aware, UTC
    title: str | None = None
    brand: str | None = None
    price: Decimal | None = None
    list_price: Decimal | None = None
    currency: str | None = None
    rating: float | None = None  # 0-5 stars
    review_count: int | None = None
    availability: str | None = None  # as the vendor words it
    in_stock: bool | None = None
    category: str | None = None  # the most specific category or browse node known
    sales_ranks: tuple[SalesRank, ...] = ()
    main_image: str | None = None
    images: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    is_deal: bool = False
    detail_url: str | None = None


@dataclass(frozen=True, slots=True)
class ItemFailure:
    """Why one requested ASIN has no item from this source."""

    asin: str
    code: ItemFailureCode
    reason: str  # a sentence for the user, e.g. "Amazon answered 404: no such ASIN in amazon.de"
    retry_after_seconds: float | None = field(default=None)  # set when a later try may succeed


ItemResult = AmazonItem | ItemFailure


class ItemSource(Protocol):
    """Fetches items by ASIN in one marketplace; one answer per requested ASIN, in order."""

    kind: ItemSourceKind
    max_batch: int  # ASINs per call the vendor takes (SP-API and Creators API 10-20; pages 1)

    def fetch_items(self, asins: Sequence[str], marketplace: str) -> list[ItemResult]:
        """Every ASIN in `asins` (at most `max_batch`, already valid and de-duplicated) gets
        exactly one result. Raises `RetryableError` only when the whole call failed; a single
        ASIN's trouble is an `ItemFailure`."""
        ...
