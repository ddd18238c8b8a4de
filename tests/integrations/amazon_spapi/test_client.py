"""Contract tests: every SP-API operation the adapter calls, against the fake, each answer
checked against the official model; then the faults (429 storms, 5xx, stalls, truncated JSON,
an expired access token, a revoked grant)."""

from decimal import Decimal
from pathlib import Path

import pytest

from shelfwise.integrations.amazon_spapi.plans import USAGE_PLANS
from shelfwise.integrations.errors import (
    AccountDisconnectedError,
    RetryableError,
    VendorRejectedError,
)
from tests.fakes.spapi.examples import ASIN, CALLS, RIVAL, SKU
from tests.fakes.spapi.faults import (
    EXPIRED_TOKEN,
    REVOKED_GRANT,
    TRUNCATED_BODY,
    Fault,
    server_error,
    stall,
)
from tests.fakes.spapi.models import operation
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import offer
from tests.fakes.spapi.validation import assert_valid_response
from tests.integrations.amazon_spapi.conftest import Harness, connect, spapi_settings

MODEL_OF = {name: call[0] for name, call in CALLS.items()} | {
    "getReport": "reports_2021-06-30",
    "getReportDocument": "reports_2021-06-30",
}


def assert_answers_valid(harness: Harness) -> set[str]:
    """Every SP-API answer recorded so far matches its operation's model; returns the
    operations seen."""
    seen = set()
    for answer in harness.answers:
        if answer.operation in MODEL_OF:
            assert_valid_response(
                MODEL_OF[answer.operation], answer.operation, answer.status, answer.body
            )
            seen.add(answer.operation)
    return seen


def test_the_usage_plans_are_the_official_models_plans() -> None:
    for operation_id, plan in USAGE_PLANS.items():
        published = operation(MODEL_OF[operation_id], operation_id).usage_plan
        assert published is not None, operation_id
        assert (plan.rate_per_second, plan.burst) == (published.rate, published.burst)


def test_every_operation_the_adapter_calls_answers_in_its_model_shape(spapi: Harness) -> None:
    client = spapi.client
    spapi.fake.state.add_offers(ASIN, offer(RIVAL, Decimal("17.00"), sub_condition="new"))

    item = client.catalog_item(ASIN, ["summaries", "identifiers", "salesRanks"])
    assert item["summaries"][0]["itemName"] == "Steel Kettle 1.7 l"
    found = client.search_catalog_items(["4006381333931"], "EAN", ["summaries"])
    assert [entry["asin"] for entry in found] == [ASIN]
    spapi.fake.state.catalog_items[ASIN]["salesRanks"][0]["classificationRanks"] = [
        {"classificationId": "289935", "title": "Electric Kettles", "rank": 35}
    ]
    ranked = client.search_catalog_items([ASIN, "B0NOTTHERE"], "ASIN", ["salesRanks"])
    assert ranked[0]["salesRanks"][0]["classificationRanks"][0]["rank"] == 35

    offers = client.item_offers(ASIN)
    assert offers["ASIN"] == ASIN and len(offers["Offers"]) == 3
    listing_offers = client.listing_offers(SKU)
    assert listing_offers["SKU"] == SKU
    by_asin = client.item_offers_batch([ASIN, "B0NOTTHERE"])
    assert [(entry.identifier, entry.status) for entry in by_asin] == [
        (ASIN, 200),
        ("B0NOTTHERE", 404),
    ]
    assert by_asin[1].error is not None and by_asin[1].error.startswith("NotFound")
    by_sku = client.listing_offers_batch([SKU])
    assert by_sku[0].payload is not None and by_sku[0].payload["SKU"] == SKU
    competitive = client.competitive_pricing([ASIN])
    assert competitive[0]["ASIN"] == ASIN

    listing = client.listings_item(SKU, ["summaries", "offers", "fulfillmentAvailability"])
    assert listing["sku"] == SKU
    pages = list(client.search_listings_items(["summaries"], page_size=1))
    assert [entry["sku"] for page in pages for entry in page] == [SKU]
    patched = client.patch_listings_item(
        SKU,
        "PRODUCT",
        [{"op": "replace", "path": "/attributes/item_name", "value": [{"value": "Kettle"}]}],
    )
    assert patched["status"] == "ACCEPTED"

    orders = [order for page in client.search_orders(createdAfter="2026-01-01T00:00:00Z")
              for order in page]  # fmt: skip
    assert [order["orderId"] for order in orders] == ["114-0000000-0000001"]
    inventory = [entry for page in client.inventory_summaries() for entry in page]
    assert inventory[0]["sellerSku"] == SKU
    fees = client.fees_estimates(
        [{"id_type": "ASIN", "id_value": ASIN, "price": 19.99, "currency": "USD", "is_fba": True}]
    )
    assert fees[0]["Status"] == "Success"
    definition = client.product_type_definition("BRACELET")
    assert definition["productType"] == "BRACELET"
    schema = client.product_type_schema(definition)
    assert schema["required"][:2] == ["brand", "bullet_point"]

    seen = assert_answers_valid(spapi)
    assert seen == set(USAGE_PLANS) - {"createReport", "getReport", "getReportDocument"}


def test_a_report_is_requested_polled_and_its_document_decompressed(spapi: Harness) -> None:
    client = spapi.client
    report_id = client.create_report("GET_MERCHANT_LISTINGS_ALL_DATA")
    report = client.report(report_id)
    assert report["processingStatus"] == "DONE"
    content = client.report_document(report["reportDocumentId"])
    assert content.decode().splitlines()[0].startswith("item-name\t")
    assert SKU in content.decode()
    assert assert_answers_valid(spapi) == {"createReport", "getReport", "getReportDocument"}


def test_a_429_storm_is_ridden_out_and_counted(spapi: Harness) -> None:
    spapi.fake.inject("getCatalogItem", *[Fault(status=429)] * 3)
    item = spapi.client.catalog_item(ASIN, ["summaries"])
    assert item["asin"] == ASIN
    assert spapi.usage.today(spapi.client.connection.organization_id).throttled == 3
    assert len(spapi.pauses) >= 3  # backed off between tries


def test_a_429_storm_longer_than_the_tries_is_retryable_later(spapi: Harness) -> None:
    spapi.fake.inject("getCatalogItem", *[Fault(status=429)] * 10)
    with pytest.raises(RetryableError) as raised:
        spapi.client.catalog_item(ASIN, ["summaries"])
    assert "4 tries" in raised.value.detail
    assert spapi.fake.total("getCatalogItem").faulted == 4


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried(spapi: Harness, status: int) -> None:
    spapi.fake.inject("getListingsItem", server_error(status), server_error(status))
    assert spapi.client.listings_item(SKU, ["summaries"])["sku"] == SKU
    assert spapi.fake.total("getListingsItem").faulted == 2


def test_a_stalled_answer_times_out_and_is_tried_again(tmp_path: Path) -> None:
    from tests.fakes.spapi.examples import seeded_state

    with FakeSellingPartnerApi(state=seeded_state()) as fake:
        harness = connect(fake, spapi_settings(tmp_path, vendor_timeout=0.3), [], [])
        fake.inject("getItemOffers", stall(1.5))
        assert harness.client.item_offers(ASIN)["ASIN"] == ASIN
        assert fake.total("getItemOffers").accepted == 2  # the stalled one, then the answer
        harness.http.close()


def test_a_truncated_json_answer_is_not_taken_for_an_empty_one(spapi: Harness) -> None:
    spapi.fake.inject("getItemOffers", TRUNCATED_BODY)
    offers = spapi.client.item_offers(ASIN)
    assert len(offers["Offers"]) == 2
    assert spapi.fake.total("getItemOffers").accepted == 2


def test_an_expired_access_token_is_exchanged_again(spapi: Harness) -> None:
    spapi.client.catalog_item(ASIN, ["summaries"])
    spapi.fake.inject("getCatalogItem", EXPIRED_TOKEN)
    assert spapi.client.catalog_item(ASIN, ["summaries"])["asin"] == ASIN
    lwa_calls = [answer for answer in spapi.answers if answer.operation == "lwa.token"]
    assert len(lwa_calls) == 2


def test_a_revoked_grant_is_a_disconnected_account_with_the_reason(spapi: Harness) -> None:
    spapi.client.catalog_item(ASIN, ["summaries"])
    spapi.fake.inject("getCatalogItem", REVOKED_GRANT)
    with pytest.raises(AccountDisconnectedError) as raised:
        spapi.client.catalog_item(ASIN, ["summaries"])
    assert "invalid_grant" in raised.value.detail
    assert "Reconnect" in raised.value.detail
    with pytest.raises(AccountDisconnectedError):  # and it stays so: LWA keeps refusing
        spapi.client.item_offers(ASIN)


def test_a_refusal_says_what_the_vendor_said(spapi: Harness) -> None:
    with pytest.raises(VendorRejectedError) as raised:
        spapi.client.listings_item("NO-SUCH-SKU", ["summaries"])
    assert raised.value.vendor_status == 404
    assert raised.value.vendor_reason is not None and "NO-SUCH-SKU" in raised.value.vendor_reason


def test_batches_hold_one_to_twenty_items(spapi: Harness) -> None:
    with pytest.raises(ValueError, match="1 to 20"):
        spapi.client.item_offers_batch([f"B{n:09d}" for n in range(21)])
    with pytest.raises(ValueError, match="1 to 20"):
        spapi.client.listing_offers_batch([])
