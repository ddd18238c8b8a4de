"""`CreatorsItems`: the ASIN bridge's item source for affiliates (DESIGN 1.3), and searches.

Each Creators API item becomes an `AmazonItem`: the featured OffersV2 listing (the Buy Box
winner, else the first) gives price, currency, the struck-through saving basis, availability
and whether it is a deal; ByLineInfo the brand; features the bullets; browse nodes the category
and sales ranks. An ASIN Amazon names in a partial error (ItemNotAccessible,
InvalidParameterValue) is NOT_FOUND; throttling, 5xx and stalls that outlast the orchestrator's
retries make every ASIN of the call UNAVAILABLE with the time to wait.
"""

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from creatorsapi_python_sdk.models.error_data import ErrorData
from creatorsapi_python_sdk.models.image_type import ImageType
from creatorsapi_python_sdk.models.item import Item
from creatorsapi_python_sdk.models.offer_listing_v2 import OfferListingV2

from shelfwise.integrations.creators.client import CreatorsClient, ItemsAnswer
from shelfwise.integrations.creators.schemas import MAX_ITEMS_PER_CALL, locale_of
from shelfwise.integrations.errors import RetryableError
from shelfwise.integrations.items import (
    AmazonItem,
    ItemFailure,
    ItemFailureCode,
    ItemResult,
    ItemSourceKind,
    SalesRank,
)
from shelfwise.integrations.usage import utc_now

NOT_FOUND_CODES = {"ItemNotAccessible", "InvalidParameterValue", "ItemNotFound", "InvalidItemId"}
# OffersV2 availability types (PA-API 5's list, kept by the Creators API).
IN_STOCK_TYPES = {"IN_STOCK", "IN_STOCK_SCARCE", "LEADTIME"}
OUT_OF_STOCK_TYPES = {"OUT_OF_STOCK", "UNAVAILABLE"}


class CreatorsItems:
    """Items by ASIN and keyword searches through one associate's Creators API credential."""

    kind = ItemSourceKind.CREATORS
    max_batch = MAX_ITEMS_PER_CALL

    def __init__(self, client: CreatorsClient, now: Callable[[], datetime] = utc_now) -> None:
        self.client = client
        self._now = now

    @property
    def partner_tag(self) -> str:
        return self.client.connection.config.partner_tag

    def fetch_items(self, asins: Sequence[str], marketplace: str) -> list[ItemResult]:
        """One result per ASIN; a call the orchestrator gave up on (throttled, 5xx, stalled,
        breaker open, budget spent) makes each ASIN UNAVAILABLE with the time to wait, so the
        bridge can try its next source now and this one later."""
        try:
            answer = self.client.get_items(asins, locale_of(marketplace))
        except RetryableError as unavailable:
            reason = f"The Creators API could not answer now ({unavailable.detail})"
            return [
                ItemFailure(asin, ItemFailureCode.UNAVAILABLE, reason, unavailable.defer_seconds)
                for asin in asins
            ]
        return self._results(asins, marketplace, answer)

    def search_items(
        self,
        keywords: str,
        marketplace: str,
        *,
        item_count: int = 10,
        item_page: int = 1,
        search_index: str | None = None,
    ) -> list[AmazonItem]:
        """The items of one page of a keyword search, in Amazon's order; raises
        `RetryableError` when the Creators API cannot answer now."""
        answer = self.client.search_items(
            keywords,
            locale_of(marketplace),
            item_count=item_count,
            item_page=item_page,
            search_index=search_index,
        )
        fetched_at = self._now()
        return [
            self._item(item, item.asin, marketplace, fetched_at)
            for item in answer.items
            if item.asin is not None
        ]

    def _results(
        self, asins: Sequence[str], marketplace: str, answer: ItemsAnswer
    ) -> list[ItemResult]:
        fetched_at = self._now()
        found = {item.asin: item for item in answer.items if item.asin}
        malformed = dict(answer.malformed)
        refused = _errors_by_asin(answer.errors, asins)
        results: list[ItemResult] = []
        for asin in asins:
            if asin in found:
                results.append(self._item(found[asin], asin, marketplace, fetched_at))
            elif asin in malformed:
                reason = f"Amazon's answer for {asin} does not match the Creators API model"
                results.append(
                    ItemFailure(asin, ItemFailureCode.UNAVAILABLE, f"{reason} ({malformed[asin]}).")
                )
            elif asin in refused and refused[asin].code in NOT_FOUND_CODES:
                error = refused[asin]
                said = f"Amazon answered {error.code}: {error.message}"
                results.append(ItemFailure(asin, ItemFailureCode.NOT_FOUND, said))
            elif asin in refused:
                error = refused[asin]
                said = f"Amazon answered {error.code}: {error.message}"
                results.append(ItemFailure(asin, ItemFailureCode.REFUSED, said))
            elif not answer.items and not answer.errors and not answer.malformed:
                said = f"Amazon answered 404: no such ASIN in {marketplace}."
                results.append(ItemFailure(asin, ItemFailureCode.NOT_FOUND, said))
            else:
                said = "The Creators API answered without this ASIN and without saying why."
                results.append(ItemFailure(asin, ItemFailureCode.UNAVAILABLE, said))
        return results

    def _item(self, item: Item, asin: str, marketplace: str, fetched_at: datetime) -> AmazonItem:
        info = item.item_info
        listing = _featured_listing(item)
        price = listing.price if listing else None
        money = price.money if price else None
        basis = price.saving_basis.money if price and price.saving_basis else None
        availability = listing.availability if listing else None
        reviews = item.customer_reviews
        images = _images(item)
        return AmazonItem(
            asin=asin,
            marketplace=marketplace,
            source=self.kind,
            fetched_at=fetched_at,
            title=info.title.display_value if info and info.title else None,
            brand=_brand(item),
            price=_decimal(money.amount) if money else None,
            list_price=_decimal(basis.amount) if basis else None,
            currency=money.currency if money else None,
            rating=_float(reviews.star_rating.value) if reviews and reviews.star_rating else None,
            review_count=int(reviews.count) if reviews and reviews.count is not None else None,
            availability=availability.message if availability else None,
            in_stock=_in_stock(availability.type if availability else None),
            category=_category(item),
            sales_ranks=_sales_ranks(item),
            main_image=images[0] if images else None,
            images=tuple(images),
            bullets=tuple(info.features.display_values or ()) if info and info.features else (),
            is_deal=bool(listing and (listing.deal_details is not None or _is_deal_type(listing))),
            detail_url=_tagged(item.detail_page_url, self.partner_tag),
        )


def _errors_by_asin(errors: list[ErrorData], asins: Sequence[str]) -> dict[str, ErrorData]:
    """Amazon's partial errors name the ASIN only in their message ("The ItemId B0… is not
    accessible…", "The value [B0…] provided in the request for ItemIds is invalid.")."""
    named: dict[str, ErrorData] = {}
    for asin in asins:
        mention = re.compile(rf"(?<![A-Za-z0-9]){re.escape(asin)}(?![A-Za-z0-9])")
        for error in errors:
            if mention.search(error.message):
                named[asin] = error
                break
    return named


def _featured_listing(item: Item) -> OfferListingV2 | None:
    listings = item.offers_v2.listings if item.offers_v2 and item.offers_v2.listings else []
    for listing in listings:
        if listing.is_buy_box_winner:
            return listing
    return listings[0] if listings else None


def _is_deal_type(listing: OfferListingV2) -> bool:
    return listing.type is not None and listing.type.value == "LIGHTNING_DEAL"


def _brand(item: Item) -> str | None:
    by_line = item.item_info.by_line_info if item.item_info else None
    if by_line is None:
        return None
    for attribute in (by_line.brand, by_line.manufacturer):
        if attribute is not None and attribute.display_value:
            return attribute.display_value
    return None


def _image_url(image: ImageType | None) -> str | None:
    if image is None:
        return None
    for size in (image.large, image.hi_res, image.medium, image.small):
        if size is not None and size.url:
            return size.url
    return None


def _images(item: Item) -> list[str]:
    if item.images is None:
        return []
    urls = [_image_url(item.images.primary)]
    urls += [_image_url(variant) for variant in item.images.variants or []]
    return [url for url in urls if url]


def _category(item: Item) -> str | None:
    nodes = item.browse_node_info.browse_nodes if item.browse_node_info else None
    for node in nodes or []:
        if node.display_name:
            return node.display_name
    return None


def _sales_ranks(item: Item) -> tuple[SalesRank, ...]:
    info = item.browse_node_info
    if info is None:
        return ()
    ranks: list[SalesRank] = []
    website = info.website_sales_rank
    if website is not None and website.sales_rank is not None:
        name = website.display_name or website.context_free_name or ""
        ranks.append(SalesRank(int(website.sales_rank), name))
    for node in info.browse_nodes or []:
        if node.sales_rank is not None:
            ranks.append(SalesRank(int(node.sales_rank), node.display_name or ""))
    return tuple(ranks)


def _in_stock(kind: str | None) -> bool | None:
    if kind in IN_STOCK_TYPES:
        return True
    if kind in OUT_OF_STOCK_TYPES:
        return False
    return None


def _decimal(amount: float | int | None) -> Decimal | None:
    """JSON numbers arrive as floats; their shortest repr is the amount Amazon wrote."""
    if amount is None:
        return None
    try:
        return Decimal(repr(amount)) if isinstance(amount, float) else Decimal(amount)
    except InvalidOperation:
        return None


def _float(value: float | int | None) -> float | None:
    return float(value) if value is not None else None


def _tagged(url: str | None, partner_tag: str) -> str | None:
    """The detail page URL with the associate's tag (Amazon adds it; a URL without one would
    earn the associate nothing)."""
    if not url:
        return None
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(name == "tag" for name, _value in query):
        return url
    return urlunsplit(parts._replace(query=urlencode([*query, ("tag", partner_tag)])))
