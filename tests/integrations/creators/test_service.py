"""CreatorsItems, the ASIN bridge's source for affiliates: each item mapped to AmazonItem with
exact values, a batch's answers in request order, and what throttling makes of a batch."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shelfwise.integrations.creators.fake import MISSING_PREFIX
from shelfwise.integrations.creators.service import CreatorsItems
from shelfwise.integrations.items import (
    AmazonItem,
    ItemFailure,
    ItemFailureCode,
    ItemSource,
    ItemSourceKind,
    SalesRank,
)
from tests.fakes.creators.examples import ITEMS, LAMP, PRESS
from tests.fakes.creators.server import FakeCreatorsApi, raw, throttled
from tests.integrations.creators.conftest import Harness, connect, creators_settings

NOW = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


def fixed_clock(harness: Harness) -> CreatorsItems:
    return CreatorsItems(harness.client, now=lambda: NOW)


def test_it_is_an_item_source_of_ten_asins_a_call(creators: Harness) -> None:
    source: ItemSource = creators.items
    assert (source.kind, source.max_batch) == (ItemSourceKind.CREATORS, 10)


def test_an_item_with_every_resource_maps_exactly(creators: Harness) -> None:
    (item,) = fixed_clock(creators).fetch_items([PRESS], "amazon.de")
    assert item == AmazonItem(
        asin=PRESS,
        marketplace="amazon.de",
        source=ItemSourceKind.CREATORS,
        fetched_at=NOW,
        title="Kestrel French Press 1 l",
        brand="Kestrel",
        price=Decimal("24.99"),  # the Buy Box winner's, not the first listing's 31.50
        list_price=Decimal("39.9"),
        currency="EUR",
        rating=4.6,
        review_count=1873,
        availability="Auf Lager",
        in_stock=True,
        category="Kaffeebereiter",
        sales_ranks=(
            SalesRank(4521, "Küche, Haushalt & Wohnen"),
            SalesRank(12, "Kaffeebereiter"),
        ),
        main_image="https://m.media-amazon.com/images/I/press-1.jpg",
        images=(
            "https://m.media-amazon.com/images/I/press-1.jpg",
            "https://m.media-amazon.com/images/I/press-2.jpg",
            "https://m.media-amazon.com/images/I/press-3.jpg",
        ),
        bullets=("Edelstahl, doppelwandig", "Spülmaschinenfest"),
        is_deal=True,
        detail_url=f"https://www.amazon.de/dp/{PRESS}?tag=shelfwise-20&linkCode=ogi&th=1",
    )
    assert isinstance(item.price, Decimal)


def test_a_bare_item_maps_to_what_it_has_and_gets_the_partner_tag(creators: Harness) -> None:
    (item,) = fixed_clock(creators).fetch_items([LAMP], "amazon.de")
    assert item == AmazonItem(
        asin=LAMP,
        marketplace="amazon.de",
        source=ItemSourceKind.CREATORS,
        fetched_at=NOW,
        title="Schreibtischlampe LED",
        detail_url=f"https://www.amazon.de/dp/{LAMP}?tag=shelfwise-20",
    )


def test_a_batch_of_ten_answers_items_and_failures_in_request_order(tmp_path: Path) -> None:
    asins = [f"B0ITEM{n:04d}" for n in range(7)]
    asins[2:2] = [f"{MISSING_PREFIX}1"]
    asins[5:5] = [f"{MISSING_PREFIX}2", f"{MISSING_PREFIX}3"]
    with FakeCreatorsApi(rate_per_second=100, burst=10) as fake:  # the generated catalog
        harness = connect(fake, creators_settings(tmp_path, fake))
        results = harness.items.fetch_items(asins, "amazon.com")
        (request,) = fake.requests
    assert request.body["itemIds"] == asins
    assert [result.asin for result in results] == asins
    assert [type(result).__name__ for result in results] == [
        "AmazonItem",
        "AmazonItem",
        "ItemFailure",
        "AmazonItem",
        "AmazonItem",
        "ItemFailure",
        "ItemFailure",
        "AmazonItem",
        "AmazonItem",
        "AmazonItem",
    ]
    missing = results[2]
    assert missing == ItemFailure(
        f"{MISSING_PREFIX}1",
        ItemFailureCode.NOT_FOUND,
        f"Amazon answered ItemNotAccessible: The ItemId {MISSING_PREFIX}1 is not accessible"
        " through the Creators API.",
    )
    for result in results:
        if isinstance(result, AmazonItem):
            assert result.currency == "USD"
            assert isinstance(result.price, Decimal)
            assert result.detail_url is not None
            assert "tag=shelfwise-20" in result.detail_url


def test_an_invalid_item_id_is_not_found(tmp_path: Path) -> None:
    with FakeCreatorsApi(rate_per_second=100, burst=10) as fake:
        harness = connect(fake, creators_settings(tmp_path, fake))
        results = harness.items.fetch_items(["B0ITEM0001", "b0lower001"], "amazon.com")
    assert results[1] == ItemFailure(
        "b0lower001",
        ItemFailureCode.NOT_FOUND,
        "Amazon answered InvalidParameterValue: The value [b0lower001] provided in the request"
        " for ItemIds is invalid.",
    )


def test_no_asin_found_is_not_found_for_each(creators: Harness) -> None:
    results = creators.items.fetch_items(["B0NOSUCH01", "B0NOSUCH02"], "amazon.de")
    assert results == [
        ItemFailure(
            asin, ItemFailureCode.NOT_FOUND, "Amazon answered 404: no such ASIN in amazon.de."
        )
        for asin in ("B0NOSUCH01", "B0NOSUCH02")
    ]


def test_throttling_beyond_the_retries_makes_the_batch_unavailable(creators: Harness) -> None:
    creators.fake.inject(throttled(times=10, retry_after=0.02))
    results = creators.items.fetch_items([PRESS, LAMP], "amazon.de")
    assert [(result.asin, type(result).__name__) for result in results] == [
        (PRESS, "ItemFailure"),
        (LAMP, "ItemFailure"),
    ]
    for result in results:
        assert isinstance(result, ItemFailure)
        assert result.code is ItemFailureCode.UNAVAILABLE
        assert result.retry_after_seconds == pytest.approx(0.02)
        assert result.reason.startswith("The Creators API could not answer now (")


def test_a_malformed_item_is_unavailable_and_the_others_kept(creators: Harness) -> None:
    wrong = {**ITEMS[LAMP], "offersV2": {"listings": [{"price": {"money": {"amount": "9,99"}}}]}}
    creators.fake.inject(raw({"itemsResult": {"items": [ITEMS[PRESS], wrong]}}))
    press, lamp = creators.items.fetch_items([PRESS, LAMP], "amazon.de")
    assert isinstance(press, AmazonItem)
    assert lamp == ItemFailure(
        LAMP,
        ItemFailureCode.UNAVAILABLE,
        f"Amazon's answer for {LAMP} does not match the Creators API model"
        " (offersV2.listings.0.price.money.amount.float: Input should be a valid number).",
    )


def test_search_items_maps_each_result(creators: Harness) -> None:
    items = fixed_clock(creators).search_items("french press", "amazon.co.uk", item_count=3)
    assert len(items) == 3
    for item in items:
        assert item.source is ItemSourceKind.CREATORS
        assert item.marketplace == "amazon.co.uk"
        assert item.currency == "GBP"
        assert item.fetched_at == NOW
        assert item.detail_url == (
            f"https://www.amazon.co.uk/dp/{item.asin}?tag=shelfwise-20&linkCode=ogi&th=1&psc=1"
        )
    assert creators.fake.requests[0].headers["x-marketplace"] == "www.amazon.co.uk"
    assert creators.fake.requests[0].body["itemCount"] == 3


def test_a_marketplace_that_is_not_amazons_is_refused(creators: Harness) -> None:
    with pytest.raises(ValueError, match=r"ebay\.de is not an Amazon marketplace"):
        creators.items.fetch_items([PRESS], "ebay.de")


def test_calls_keep_to_the_associates_rate_without_a_429(tmp_path: Path) -> None:
    # Amazon's limit for a new associate is 1 a second, burst 1; here 20 a second, burst 1, so
    # six calls take a quarter of a second and would collide if sent unpaced.
    with FakeCreatorsApi(rate_per_second=20, burst=1) as fake:
        harness = connect(fake, creators_settings(tmp_path, fake))
        for number in range(6):
            harness.items.fetch_items([f"B0PACED{number:03d}"], "amazon.com")
    assert [request.status for request in fake.requests] == [200] * 6
    assert fake.throttled_count == 0
