"""PageScraper as an ItemSource: saved pages become items, failures become ItemFailures."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from shelfwise.integrations.items import (
    AmazonItem,
    ItemFailure,
    ItemFailureCode,
    ItemSource,
    ItemSourceKind,
    SalesRank,
)
from shelfwise.integrations.scraper.client import ScraperClient
from shelfwise.integrations.scraper.source import PageScraper
from tests.fakes.amazon_web import answers
from tests.fakes.amazon_web.server import FakeAmazonWeb
from tests.integrations.amazon_pages.conftest import manifest_pages
from tests.integrations.scraper.conftest import ORGANIZATION, FakeClock, build, scraper_settings

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
ERROR_STATE = "1982181281"
# The most specific category of each newest page: the first rank after the department. The last
# rank shown would be wrong for three of them (a Books tree for a Kindle book, "Home & Garden
# (Books)" for a cookbook, "Climate Pledge Friendly: Electronics" for a phone).
CATEGORIES = {
    "B0057OC5O8": "Automotive Replacement Relay Control Module Relays",
    "B0011UCPM4": "Kindle Store > Kindle eBooks > Mystery, Thriller & Suspense > Mystery >"
    " International Mystery & Crime",
    "1849757097": "Vegetarian & Vegan Cooking",
    "B01MUGXRT9": "Robots aspiradores",
    "000004458X": "Cremes für Vorbehandlung",
    "B07G2L3JMM": "Wall Sconces",
    "B07ZPKN6YR": "Renewed Smartphones",
    "B07P4HBRMV": "Micro SD Memory Cards",  # the only rank the page shows
    "B0BRZXRBZL": "Dog Lifejackets",
    "B0G6KD54ZK": "Floor & Full Length Mirrors",
    "B0CY5QW186": "PlayStation 5 Consoles",
    "B0CS5XW6TN": "Smartphones",
    "B0B4W57HC3": "Calzado de Industria y Construcción de Hombre",
    "B07WXL5YPW": "Nintendo Switch Consoles",
}


def scraper(client: ScraperClient) -> PageScraper:
    return PageScraper(client, ORGANIZATION, now=lambda: NOW)


def newest_product_pages() -> list[dict[str, Any]]:
    """The page the fake serves for each ASIN (the newest capture), the error state aside."""
    newest = {
        page["asin"]: page
        for page in manifest_pages()
        if page.get("asin") and page["page_type"].startswith("product_detail")
    }
    return [page for asin, page in newest.items() if asin != ERROR_STATE]


def test_is_an_item_source(client: ScraperClient) -> None:
    source: ItemSource = scraper(client)
    assert (source.kind, source.max_batch) == (ItemSourceKind.SCRAPER, 1)


def test_saved_page_becomes_an_item(fake: FakeAmazonWeb, client: ScraperClient) -> None:
    [item] = scraper(client).fetch_items(["B0057OC5O8"], "amazon.com")
    assert isinstance(item, AmazonItem)
    assert item.main_image == (
        "https://m.media-amazon.com/images/W/MEDIAX_792452-T2/images/I/71p1Oe9knSL._AC_SL1200_.jpg"
    )
    assert item.images[0] == item.main_image
    assert len(item.bullets) > 0
    expected = AmazonItem(
        asin="B0057OC5O8",
        marketplace="amazon.com",
        source=ItemSourceKind.SCRAPER,
        fetched_at=NOW,
        title="SainSmart 4-Channel Relay Module",
        brand="SainSmart",
        price=Decimal("8.99"),
        list_price=None,
        currency="USD",
        rating=4.6,
        review_count=422,
        availability="In Stock",
        in_stock=True,
        category="Automotive Replacement Relay Control Module Relays",
        sales_ranks=(
            SalesRank(420998, "Automotive"),
            SalesRank(139, "Automotive Replacement Relay Control Module Relays"),
        ),
        main_image=item.main_image,
        images=item.images,
        bullets=item.bullets,
        is_deal=False,
        detail_url=f"{fake.url}/dp/B0057OC5O8",
    )
    assert item == expected


@pytest.mark.parametrize(
    "entry", newest_product_pages(), ids=lambda entry: str(entry.get("file", "page"))
)
def test_every_saved_product_page_maps_to_its_manifest_values(
    fake: FakeAmazonWeb, client: ScraperClient, entry: dict[str, Any]
) -> None:
    [item] = scraper(client).fetch_items([entry["asin"]], entry["marketplace"])
    assert isinstance(item, AmazonItem)
    price = entry["price"]
    assert (item.title, item.rating, item.review_count) == (
        entry["title"],
        entry["rating"],
        entry["review_count"],
    )
    assert item.price == (Decimal(str(price["amount"])) if price else None)
    if price:
        assert item.currency == price["currency"]
    ranks = tuple(SalesRank(rank["rank"], rank["category"]) for rank in entry["bsr"] or ())
    # The manifest lists the first ranks shown; some pages show more.
    assert item.sales_ranks[: len(ranks)] == ranks
    assert item.category == CATEGORIES[entry["asin"]]
    assert item.is_deal is bool(entry["deal"])


def test_404_is_not_found(fake: FakeAmazonWeb, client: ScraperClient) -> None:
    assert scraper(client).fetch_items(["B000000000"], "amazon.de") == [
        ItemFailure(
            "B000000000",
            ItemFailureCode.NOT_FOUND,
            "Amazon answered 404: no such ASIN in amazon.de.",
        )
    ]


def test_error_state_page_is_unavailable_not_an_empty_item(
    fake: FakeAmazonWeb, clock: FakeClock
) -> None:
    client = build(scraper_settings(fake.url, scraper_retries=1), clock)
    [failure] = scraper(client).fetch_items([ERROR_STATE], "amazon.com")
    assert failure == ItemFailure(
        ERROR_STATE,
        ItemFailureCode.UNAVAILABLE,
        "Amazon answered with an error page or a cut-off page. Try again later.",
        22.0,
    )
    assert fake.paths() == ["/robots.txt", f"/dp/{ERROR_STATE}", f"/dp/{ERROR_STATE}"]
    client.close()


def test_captcha_is_unavailable_with_a_retry_after(
    fake: FakeAmazonWeb, client: ScraperClient
) -> None:
    fake.script("/dp/B0057OC5O8", [answers.captcha()])
    assert scraper(client).fetch_items(["B0057OC5O8"], "amazon.com") == [
        ItemFailure(
            "B0057OC5O8",
            ItemFailureCode.UNAVAILABLE,
            "Amazon answered with a captcha page. Try again later.",
            11.0,
        )
    ]


@pytest.mark.parametrize(
    ("marketplace", "overrides", "reason"),
    [
        pytest.param(
            "ebay.com",
            {},
            "ebay.com is not an Amazon storefront the scraper knows.",
            id="not-amazon",
        ),
        pytest.param(
            "amazon.com", {"scraper_enabled": False}, "The scraper is switched off.", id="off"
        ),
    ],
)
def test_refused_without_a_request(
    fake: FakeAmazonWeb, clock: FakeClock, marketplace: str, overrides: dict[str, Any], reason: str
) -> None:
    client = build(scraper_settings(fake.url, **overrides), clock)
    assert scraper(client).fetch_items(["B0057OC5O8"], marketplace) == [
        ItemFailure("B0057OC5O8", ItemFailureCode.REFUSED, reason)
    ]
    assert fake.requests == []
    client.close()


def test_default_page_url_is_the_storefront(clock: FakeClock) -> None:
    client = build(scraper_settings("http://127.0.0.1:1", scraper_base_urls={}), clock)
    assert client.settings.page_url("amazon.co.uk", "B0057OC5O8") == (
        "https://www.amazon.co.uk/dp/B0057OC5O8"
    )
    client.close()


def test_every_newest_page_has_its_category_written_down() -> None:
    assert sorted(CATEGORIES) == sorted(page["asin"] for page in newest_product_pages())
