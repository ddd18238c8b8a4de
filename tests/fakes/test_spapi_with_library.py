"""python-amazon-sp-api (the adapter's client, issue 5 item 1) talks to the fake unchanged.

The library is in the test extra until the adapter adds it to the product. The test shows the
two overrides the library needs: the SP-API endpoint (a marketplace object with `endpoint`) and
the LWA host and scheme (an `auth_token_client_class`). The library caches access tokens in a
module-level TTLCache keyed by the refresh token, which outlives one fake; each test clears it.
"""

from types import SimpleNamespace
from typing import Any

import pytest
from sp_api.api import ListingsItems, Products
from sp_api.auth import AccessTokenClient, access_token_client
from sp_api.base import SellingApiRequestThrottledException

from tests.fakes.spapi.examples import ASIN, SELLER, SKU
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE


def library_arguments(fake: FakeSellingPartnerApi) -> dict[str, Any]:
    access_token_client.cache.clear()

    class FakeLoginWithAmazon(AccessTokenClient):  # type: ignore[misc]
        scheme = "http://"
        host = fake.url.removeprefix("http://")

    return {
        "marketplace": SimpleNamespace(
            endpoint=fake.url, marketplace_id=US_MARKETPLACE, region="us-east-1"
        ),
        "credentials": {
            "refresh_token": fake.credentials.refresh_token,
            "lwa_app_id": fake.credentials.client_id,
            "lwa_client_secret": fake.credentials.client_secret,
        },
        "auth_token_client_class": FakeLoginWithAmazon,
    }


def test_the_library_reads_offers_and_listings_then_sees_the_429(
    fake: FakeSellingPartnerApi,
) -> None:
    arguments = library_arguments(fake)
    batch = [
        {
            "uri": f"/products/pricing/v0/items/{ASIN}/offers",
            "method": "GET",
            "MarketplaceId": US_MARKETPLACE,
            "ItemCondition": "New",
        }
    ]
    offers = Products(**arguments).get_item_offers_batch(requests_=batch)
    listing = ListingsItems(**arguments).get_listings_item(
        SELLER, SKU, marketplaceIds=[US_MARKETPLACE]
    )
    with pytest.raises(SellingApiRequestThrottledException):
        Products(**arguments).get_item_offers_batch(requests_=batch)  # 0.1 rps, burst 1
    assert offers.payload["responses"][0]["status"] == {"statusCode": 200, "reasonPhrase": "OK"}
    assert offers.headers["x-amzn-RateLimit-Limit"] == "0.1"
    assert listing.payload["sku"] == SKU
