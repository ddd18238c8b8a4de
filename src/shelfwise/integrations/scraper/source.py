"""`PageScraper`: the scraper as an `ItemSource` (the last resort, after SP-API and Creators)."""

import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from shelfwise.integrations.amazon_pages import BestSellerRank, Money, PageType, ProductPage
from shelfwise.integrations.errors import RetryableError, VendorRejectedError
from shelfwise.integrations.items import (
    AmazonItem,
    ItemFailure,
    ItemFailureCode,
    ItemResult,
    ItemSourceKind,
    SalesRank,
)
from shelfwise.integrations.scraper.client import ScraperClient
from shelfwise.integrations.scraper.errors import ScrapeRefusedError
from shelfwise.integrations.scraper.settings import AMAZON_DOMAINS, Component
from shelfwise.integrations.usage import utc_now


class PageScraper:
    """Fetches `https://www.<marketplace>/dp/<ASIN>` through the chain and reads the page."""

    kind = ItemSourceKind.SCRAPER
    max_batch = 1  # one page per ASIN

    def __init__(
        self,
        client: ScraperClient,
        organization_id: uuid.UUID,
        *,
        skip: frozenset[Component] = frozenset(),
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._client = client
        self._organization_id = organization_id
        self._skip = skip
        self._now = now

    def fetch_items(self, asins: Sequence[str], marketplace: str) -> list[ItemResult]:
        return [self._fetch(asin, marketplace) for asin in asins]

    def _fetch(self, asin: str, marketplace: str) -> ItemResult:
        settings = self._client.settings
        if not settings.enabled:
            return ItemFailure(asin, ItemFailureCode.REFUSED, "The scraper is switched off.")
        if marketplace not in AMAZON_DOMAINS and marketplace not in settings.base_urls:
            reason = f"{marketplace} is not an Amazon storefront the scraper knows."
            return ItemFailure(asin, ItemFailureCode.REFUSED, reason)
        url = settings.page_url(marketplace, asin)
        try:
            fetched = self._client.fetch(url, self._organization_id, self._skip)
        except ScrapeRefusedError as error:
            return ItemFailure(asin, ItemFailureCode.REFUSED, error.reason)
        except RetryableError as error:
            return ItemFailure(asin, ItemFailureCode.UNAVAILABLE, error.detail, error.defer_seconds)
        except VendorRejectedError as error:
            return ItemFailure(asin, ItemFailureCode.REFUSED, error.detail)
        if fetched.status in (404, 410) or fetched.page is None:
            reason = f"Amazon answered {fetched.status}: no such ASIN in {marketplace}."
            return ItemFailure(asin, ItemFailureCode.NOT_FOUND, reason)
        page = fetched.page
        if page.page_type is not PageType.PRODUCT:  # the challenge check is switched off
            reason = f"Amazon answered with a {page.page_type} page, not the product."
            return ItemFailure(asin, ItemFailureCode.UNAVAILABLE, reason)
        return self._item(asin, marketplace, page, fetched.url)

    def _item(self, asin: str, marketplace: str, page: ProductPage, url: str) -> AmazonItem:
        price, list_price = page.price, page.list_price
        quoted = price or list_price
        return AmazonItem(
            asin=asin,
            marketplace=marketplace,
            source=ItemSourceKind.SCRAPER,
            fetched_at=self._now(),
            title=page.title,
            brand=page.brand,
            price=_amount(price),
            list_price=_amount(list_price),
            currency=quoted.currency if quoted is not None else None,
            rating=page.rating,
            review_count=page.review_count,
            availability=page.availability,
            in_stock=page.in_stock,
            category=_most_specific(page.bsr),
            sales_ranks=tuple(SalesRank(rank.rank, rank.category) for rank in page.bsr),
            main_image=page.main_image,
            images=tuple(page.images),
            bullets=tuple(page.bullets),
            is_deal=page.is_deal,
            detail_url=url,
        )


def _most_specific(ranks: Sequence[BestSellerRank]) -> str | None:
    """The first sub-category rank: pages list the department first ("#420,998 in Automotive
    (See Top 100 …)"), then the sub-categories, the primary one first; later ones can be side
    lists ("Climate Pledge Friendly: Electronics") or broader ("Home & Garden (Books)")."""
    if not ranks:
        return None
    return ranks[1].category if len(ranks) > 1 else ranks[0].category


def _amount(money: Money | None) -> Decimal | None:
    return money.amount if money is not None else None
