"""Every operation the fake SP-API routes answers in its model's shape, from seeded state."""

import gzip
from typing import Any

import httpx
import pytest

from tests.fakes.spapi.examples import (
    ASIN,
    CALLS,
    EXPECTED,
    ITEM_OFFERS,
    OFFER_QUERY,
    ROUTED_PLANS,
    SELLER,
    SKU,
    client,
)
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE
from tests.fakes.spapi.validation import assert_valid_response

# -- every routed operation answers in its model's shape --------------------------------------


def test_every_routed_operation_is_called_below() -> None:
    routed = {route.operation.operation_id for route in FakeSellingPartnerApi().routes}
    assert routed == set(CALLS) | {"getReport", "getReportDocument"}  # see the report flow test


@pytest.mark.parametrize("operation_id", sorted(CALLS))
def test_operation_answers_in_its_model_shape(
    fake: FakeSellingPartnerApi, operation_id: str
) -> None:
    model_name, method, path, arguments = CALLS[operation_id]
    with client(fake) as http:
        response = http.request(method, path, **arguments)
    body = response.json()
    expected_status = 202 if operation_id == "createReport" else 200
    assert response.status_code == expected_status, body
    assert response.headers["x-amzn-RateLimit-Limit"] == str(ROUTED_PLANS[operation_id].rate)
    assert_valid_response(model_name, operation_id, expected_status, body)
    assert EXPECTED[operation_id](body), body


def test_a_report_is_created_polled_and_downloaded_gzip_compressed(
    fake: FakeSellingPartnerApi,
) -> None:
    with client(fake) as http:
        created = http.post(
            "/reports/2021-06-30/reports",
            json={
                "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
                "marketplaceIds": [US_MARKETPLACE],
            },
        ).json()
        report = http.get(f"/reports/2021-06-30/reports/{created['reportId']}").json()
        document = http.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}").json()
        download = httpx.get(document["url"])  # presigned: no access token
    assert_valid_response("reports_2021-06-30", "getReport", 200, report)
    assert_valid_response("reports_2021-06-30", "getReportDocument", 200, document)
    assert report["processingStatus"] == "DONE"
    assert document["compressionAlgorithm"] == "GZIP"
    header, row = gzip.decompress(download.content).decode().splitlines()
    columns = dict(zip(header.split("\t"), row.split("\t"), strict=True))
    assert (columns["seller-sku"], columns["asin1"], columns["price"], columns["quantity"]) == (
        SKU, ASIN, "19.99", "5",
    )  # fmt: skip


def test_a_patched_quantity_is_what_the_next_read_shows(fake: FakeSellingPartnerApi) -> None:
    _model, method, path, arguments = CALLS["patchListingsItem"]
    with client(fake) as http:
        http.request(method, path, **arguments)
        listing = http.get(
            path,
            params={"marketplaceIds": US_MARKETPLACE, "includedData": "fulfillmentAvailability"},
        ).json()
    assert listing == {
        "sku": SKU,
        "fulfillmentAvailability": [{"fulfillmentChannelCode": "DEFAULT", "quantity": 7}],
    }


def _offers_entry(asin: str) -> dict[str, str]:
    uri = f"/products/pricing/v0/items/{asin}/offers"
    return {"uri": uri, "method": "GET", **OFFER_QUERY}


REFUSED: dict[str, tuple[str, str, dict[str, Any], str]] = {
    "batch-of-21": (
        "POST", "/batches/products/pricing/v0/itemOffers",
        {"json": {"requests": [_offers_entry(ASIN)] * 21}},
        "body requests: [",  # the model's maxItems 20
    ),
    "21-identifiers": (
        "GET", "/catalog/2022-04-01/items",
        {"params": {"marketplaceIds": US_MARKETPLACE, "identifiersType": "ASIN",
                    "identifiers": ",".join([ASIN] * 21)}},
        "identifiers has more than 20 values",
    ),
    "unknown-marketplace": (
        "GET", ITEM_OFFERS, {"params": {**OFFER_QUERY, "MarketplaceId": "A0NOWHERE"}},
        "A0NOWHERE is not a marketplace id",
    ),
    "condition-outside-the-enum": (
        "GET", ITEM_OFFERS, {"params": {**OFFER_QUERY, "ItemCondition": "Broken"}},
        "ItemCondition 'Broken' is not one of",
    ),
    "page-token-not-issued": (
        "GET", f"/listings/2021-08-01/items/{SELLER}",
        {"params": {"marketplaceIds": US_MARKETPLACE, "pageToken": "forged"}},
        "The page token forged was not issued by this API.",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_request_breaking_the_model_is_400(fake: FakeSellingPartnerApi, case: str) -> None:
    method, path, arguments, reason = REFUSED[case]
    with client(fake) as http:
        refused = http.request(method, path, **arguments)
    assert refused.status_code == 400
    (error,) = refused.json()["errors"]
    assert error["code"] == "InvalidInput"
    assert reason in error["details"]
