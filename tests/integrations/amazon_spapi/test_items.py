"""SP-API as an item source, against the fake SP-API server: catalog + competitive pricing mapped
to items, unknown ASINs as not_found, a refused call as refused items."""

from datetime import UTC, datetime
from decimal import Decimal

from shelfwise.integrations.amazon_spapi.items import SpApiItems
from shelfwise.integrations.items import (
    AmazonItem,
    ItemFailure,
    ItemFailureCode,
    ItemSourceKind,
    SalesRank,
)
from tests.fakes.spapi.examples import ASIN
from tests.fakes.spapi.faults import Fault
from tests.integrations.amazon_spapi.conftest import Harness

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def test_items_and_not_found_in_the_order_asked(spapi: Harness) -> None:
    source = SpApiItems(spapi.client, now=lambda: NOW)
    results = source.fetch_items(["B0NOTHERE1", ASIN], "amazon.com")
    assert results == [
        ItemFailure(
            "B0NOTHERE1", ItemFailureCode.NOT_FOUND, "Amazon has no item B0NOTHERE1 in amazon.com."
        ),
        AmazonItem(
            asin=ASIN,
            marketplace="amazon.com",
            source=ItemSourceKind.SPAPI,
            fetched_at=NOW,
            title="Steel Kettle 1.7 l",
            brand="Acme",
            price=Decimal("19.99"),
            currency="USD",
            availability="In stock",
            in_stock=True,
            detail_url=f"https://www.amazon.com/dp/{ASIN}",
        ),
    ]
    assert (source.kind, source.max_batch) == (ItemSourceKind.SPAPI, 20)
    operations = [answer.operation for answer in spapi.answers]
    assert operations == ["lwa.token", "searchCatalogItems", "getCompetitivePricing"]


def test_only_unknown_asins_make_no_pricing_call(spapi: Harness) -> None:
    results = SpApiItems(spapi.client, now=lambda: NOW).fetch_items(["B0NOTHERE1"], "amazon.com")
    assert [result.code for result in results if isinstance(result, ItemFailure)] == [
        ItemFailureCode.NOT_FOUND
    ]
    assert "getCompetitivePricing" not in [answer.operation for answer in spapi.answers]


def test_a_refused_call_refuses_every_asin(spapi: Harness) -> None:
    spapi.fake.inject("searchCatalogItems", Fault(status=400))
    results = SpApiItems(spapi.client).fetch_items([ASIN, "B0NOTHERE1"], "amazon.com")
    assert [(result.asin, type(result), getattr(result, "code", None)) for result in results] == [
        (ASIN, ItemFailure, ItemFailureCode.REFUSED),
        ("B0NOTHERE1", ItemFailure, ItemFailureCode.REFUSED),
    ]


def test_sales_ranks_images_and_attributes_are_read(spapi: Harness) -> None:
    item = spapi.fake.state.catalog_items[ASIN]
    marketplace_id = item["summaries"][0]["marketplaceId"]
    item["salesRanks"] = [
        {
            "marketplaceId": marketplace_id,
            "classificationRanks": [{"classificationId": "289", "title": "Kettles", "rank": 12}],
            "displayGroupRanks": [
                {"websiteDisplayGroup": "kitchen", "title": "Kitchen", "rank": 900}
            ],
        }
    ]
    item["images"] = [
        {
            "marketplaceId": marketplace_id,
            "images": [
                {
                    "variant": "PT01",
                    "link": "https://m.media-amazon.com/images/I/2.jpg",
                    "height": 500,
                    "width": 500,
                },
                {
                    "variant": "MAIN",
                    "link": "https://m.media-amazon.com/images/I/1.jpg",
                    "height": 500,
                    "width": 500,
                },
            ],
        }
    ]
    item["attributes"] = {
        "bullet_point": [{"value": "1.7 litres", "marketplace_id": marketplace_id}],
        "list_price": [{"value": 24.99, "currency": "USD", "marketplace_id": marketplace_id}],
    }
    (result,) = SpApiItems(spapi.client, now=lambda: NOW).fetch_items([ASIN], "amazon.com")
    assert isinstance(result, AmazonItem)
    assert result.sales_ranks == (SalesRank(12, "Kettles"), SalesRank(900, "Kitchen"))
    assert result.category == "Kettles"
    assert result.images == (
        "https://m.media-amazon.com/images/I/1.jpg",
        "https://m.media-amazon.com/images/I/2.jpg",
    )
    assert result.main_image == "https://m.media-amazon.com/images/I/1.jpg"
    assert (result.bullets, result.list_price, result.is_deal) == (
        ("1.7 litres",),
        Decimal("24.99"),
        True,
    )
