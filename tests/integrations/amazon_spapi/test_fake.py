"""The demo marketplace's in-process SP-API: answers valid against the official models, the
same item for the same ASIN, unknown ASINs absent, the adapter end to end on it."""

import uuid
from pathlib import Path

import httpx
import pytest

from shelfwise.integrations.amazon_spapi.client import SellingPartnerClient, SpApiConnection
from shelfwise.integrations.amazon_spapi.fake import DemoSellingPartner, demo_transport
from shelfwise.integrations.amazon_spapi.items import SpApiItems
from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.items import AmazonItem, ItemFailure, ItemFailureCode
from shelfwise.platform.settings import Settings
from tests.fakes.spapi.validation import assert_valid_response

US = "ATVPDKIKX0DER"
UK = "A1F83G8C2ARO7P"
BASE = "https://sellingpartnerapi-na.amazon.com"
ASINS = ["B0BJQRXJZD", "B0CCLPW7LQ", "0306406152", "ZZZZZZZZZZ"]


@pytest.fixture
def http() -> httpx.Client:
    return httpx.Client(transport=demo_transport())


@pytest.mark.parametrize("marketplace_id", [US, UK], ids=["us", "uk"])
def test_search_catalog_items_is_valid_against_the_model(
    http: httpx.Client, marketplace_id: str
) -> None:
    response = http.get(
        f"{BASE}/catalog/2022-04-01/items",
        params={
            "identifiers": ",".join(ASINS),
            "identifiersType": "ASIN",
            "marketplaceIds": marketplace_id,
            "includedData": "summaries,images,salesRanks,attributes",
        },
    )
    body = response.json()
    assert_valid_response("catalogItems_2022-04-01", "searchCatalogItems", 200, body)
    assert [item["asin"] for item in body["items"]] == ASINS[:3]
    assert body["numberOfResults"] == 3


def test_competitive_pricing_is_valid_against_the_model(http: httpx.Client) -> None:
    response = http.get(
        f"{BASE}/products/pricing/v0/competitivePrice",
        params={"MarketplaceId": US, "Asins": ",".join(ASINS), "ItemType": "Asin"},
    )
    body = response.json()
    assert_valid_response("productPricingV0", "getCompetitivePricing", 200, body)
    assert [entry["status"] for entry in body["payload"]] == [
        "Success",
        "Success",
        "Success",
        "ClientError",
    ]


def test_the_same_asin_is_the_same_item(http: httpx.Client) -> None:
    def fetch() -> bytes:
        params = {"identifiers": "B0BJQRXJZD", "identifiersType": "ASIN", "marketplaceIds": US}
        return http.get(f"{BASE}/catalog/2022-04-01/items", params=params).content

    assert fetch() == fetch()
    assert b'"itemName":"Einhell Screwdriver Bit Set 100-Piece"' in fetch()


def test_the_adapter_runs_end_to_end_on_the_demo(tmp_path: Path) -> None:
    handler = DemoSellingPartner()
    settings = Settings(data_dir=tmp_path)
    caller = VendorCaller(settings, client=httpx.Client(transport=httpx.MockTransport(handler)))
    connection = SpApiConnection(
        uuid.uuid4(), uuid.uuid4(), "ADEMOSELLER", US, "na", "refresh", "client", "secret"
    )
    results = SpApiItems(SellingPartnerClient(connection, caller)).fetch_items(ASINS, "amazon.com")
    items = [result for result in results if isinstance(result, AmazonItem)]
    assert [(item.asin, item.title, str(item.price), str(item.list_price)) for item in items] == [
        ("B0BJQRXJZD", "Einhell Screwdriver Bit Set 100-Piece", "25.40", "30.24"),
        ("B0CCLPW7LQ", "Bosch LED Work Light 50W", "34.04", "38.68"),
        (items[2].asin, items[2].title, str(items[2].price), str(items[2].list_price)),
    ]
    assert results[3] == ItemFailure(
        "ZZZZZZZZZZ", ItemFailureCode.NOT_FOUND, "Amazon has no item ZZZZZZZZZZ in amazon.com."
    )
    assert dict(handler.requests) == {
        "/auth/o2/token": 1,
        "/catalog/2022-04-01/items": 1,
        "/products/pricing/v0/competitivePrice": 1,
    }
