"""The demo marketplace's in-process Amazon: pages the real parser reads, the same per ASIN."""

import uuid
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest

from shelfwise.integrations.amazon_pages import Money, parse_page
from shelfwise.integrations.items import AmazonItem, SalesRank
from shelfwise.integrations.scraper.fake import (
    DEMO_BASE_URL,
    DEMO_MARKETPLACE,
    demo_page,
    demo_scraper,
    demo_transport,
)
from shelfwise.platform.settings import Settings

ORGANIZATION = uuid.UUID("00000000-0000-4000-8000-000000000003")


def test_demo_page_reads_as_a_product_with_a_deal() -> None:
    page = parse_page(demo_page("B0DEMO0014"), f"{DEMO_BASE_URL}/dp/B0DEMO0014")
    assert page.to_json() == {
        "page_type": "product",
        "asin": "B0DEMO0014",
        "marketplace": None,  # the demo is no Amazon marketplace: dollars come from the "$"
        "title": page.title,
        "brand": page.brand,
        "price": {"amount": "53.42", "currency": "USD"},
        "list_price": {"amount": "66.78", "currency": "USD"},
        "rating": 4.0,
        "review_count": 15050,
        "availability": "In Stock",
        "in_stock": True,
        "bsr": [{"rank": rank.rank, "category": rank.category} for rank in page.bsr],
        "main_image": "https://images.demo.invalid/B0DEMO0014/1.jpg",
        "images": [f"https://images.demo.invalid/B0DEMO0014/{index}.jpg" for index in (1, 2, 3)],
        "bullets": page.bullets,
        "is_deal": True,
    }
    assert page.title is not None and page.title.startswith(f"{page.brand} ")
    assert len(page.bsr) == 2 and len(page.bullets) == 3


@pytest.mark.parametrize("asin", [f"B0DEMO{number:04d}" for number in range(0, 60, 3)])
def test_every_demo_page_has_the_fields_a_shopper_sees(asin: str) -> None:
    page = parse_page(demo_page(asin))
    assert page.page_type == "product"
    assert page.title and page.brand and page.bullets and page.images
    assert page.price is not None and page.price.currency == "USD"
    assert page.price.amount == page.price.amount.quantize(Decimal("0.01"))
    assert page.rating is not None and 3.0 <= page.rating <= 5.0
    assert page.review_count is not None and page.review_count >= 5
    assert page.is_deal is (page.list_price is not None)
    assert demo_page(asin) == demo_page(asin)  # the same page every time


def test_demo_transport_serves_robots_and_404() -> None:
    with httpx.Client(transport=demo_transport(), base_url=DEMO_BASE_URL) as client:
        robots = client.get("/robots.txt")
        missing = client.get("/dp/not-an-asin")
    assert (robots.status_code, robots.text) == (
        200,
        "User-agent: *\nDisallow: /gp/cart\nAllow: /dp/\n",
    )
    assert missing.status_code == 404


def test_demo_transport_never_answers_a_real_host() -> None:
    with (
        httpx.Client(transport=demo_transport()) as client,
        pytest.raises(httpx.ConnectError, match=r"^The demo reaches only www\.amazon\.demo\."),
    ):
        client.get("https://www.amazon.com/robots.txt")


def test_demo_scraper_fetches_items_through_the_chain() -> None:
    settings = Settings(_env_file=None, cache_ttl=timedelta(minutes=1))  # type: ignore[call-arg]
    scraper = demo_scraper(settings, ORGANIZATION)
    [item] = scraper.fetch_items(["B0DEMO0014"], DEMO_MARKETPLACE)
    assert isinstance(item, AmazonItem)
    page = parse_page(demo_page("B0DEMO0014"))
    assert (item.marketplace, item.price, item.list_price, item.currency) == (
        "demo",
        Decimal("53.42"),
        Decimal("66.78"),
        "USD",
    )
    assert item.sales_ranks == tuple(SalesRank(rank.rank, rank.category) for rank in page.bsr)
    assert item.detail_url == f"{DEMO_BASE_URL}/dp/B0DEMO0014"
    assert page.price == Money(Decimal("53.42"), "USD")
    assert (item.category, item.sales_ranks) == (
        "Over-Ear Headphones",
        (SalesRank(360937, "Electronics"), SalesRank(314, "Over-Ear Headphones")),
    )
    # Every Amazon storefront is the demo host: the bridge's amazon.com asks stay in process.
    [storefront] = scraper.fetch_items(["B0DEMO0014"], "amazon.com")
    assert isinstance(storefront, AmazonItem)
    assert (storefront.marketplace, storefront.title, storefront.price, storefront.detail_url) == (
        "amazon.com",
        "Halden Noise Cancelling Over-Ear Headphones",
        Decimal("53.42"),
        f"{DEMO_BASE_URL}/dp/B0DEMO0014",
    )
