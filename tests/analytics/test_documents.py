"""SP-API documents as rows: the fake's orders and summaries conform to the official models
(and answer only the data sets asked for), the sandbox's real orders parse, broken documents
are a BadDocument naming item and field, and no input makes the parser fail otherwise."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shelfwise.analytics.documents import BadDocument, parse_order, parse_summary
from tests.analytics.conftest import SELLER, ago
from tests.fakes.spapi.examples import client
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE, inventory_summary, order, order_item
from tests.fakes.spapi.validation import assert_valid_response

KETTLE = order_item("70001", "KETTLE-1", "B000000001", Decimal("19.99"), 2, shipped=1)


@pytest.mark.parametrize(
    "included", [None, "PROCEEDS,FULFILLMENT", "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT"]
)
def test_the_fakes_orders_conform_and_hold_only_the_included_data(
    fake: FakeSellingPartnerApi, included: str | None
) -> None:
    fake.state.add_order(SELLER, order("111-0000007-0000001", ago(hours=2), [KETTLE]))
    params = {"lastUpdatedAfter": ago(days=1), "marketplaceIds": US_MARKETPLACE}
    if included:
        params["includedData"] = included
    with client(fake) as http:
        body = http.get("/orders/2026-01-01/orders", params=params).json()
    assert_valid_response("orders_2026-01-01", "searchOrders", 200, body)
    answered = body["orders"][0]
    wanted = set((included or "").split(","))
    assert ("buyer" in answered, "recipient" in answered) == ("BUYER" in wanted,) * 2
    assert ("proceeds" in answered) is ("PROCEEDS" in wanted)
    assert ("fulfillment" in answered["orderItems"][0]) is ("FULFILLMENT" in wanted)


def test_the_fakes_inventory_summaries_conform(fake: FakeSellingPartnerApi) -> None:
    fake.state.add_inventory(
        SELLER, inventory_summary("KETTLE-1", "B000000001", 3, inbound_working=2, reserved=1)
    )
    params = {
        "granularityType": "Marketplace",
        "granularityId": US_MARKETPLACE,
        "marketplaceIds": US_MARKETPLACE,
        "details": "true",
    }
    with client(fake) as http:
        body = http.get("/fba/inventory/v1/summaries", params=params).json()
    assert_valid_response("fbaInventory", "getInventorySummaries", 200, body)
    level = parse_summary(body["payload"]["inventorySummaries"][0], "summary 1")
    assert (level.fulfillable, level.inbound, level.reserved, level.total) == (3, 2, 1, 6)


def test_the_sandbox_orders_parse(shared_data: Path) -> None:
    pairs = json.loads(
        (shared_data / "spapi/sandbox_examples/orders_2026-01-01.sandbox.json").read_text()
    )
    documents = [
        document
        for pair in pairs
        if pair["operationId"] == "searchOrders" and pair["status"] == "200"
        for document in pair["response"]["orders"]
    ]
    parsed = {row.amazon_order_id: row for row in (parse_order(d, "sandbox") for d in documents)}
    japanese = parsed["250-1234567-8901234"]
    assert (japanese.total_amount, japanese.total_currency, japanese.status) == (
        Decimal("19940.00"),
        "JPY",
        "SHIPPED",
    )
    assert japanese.item_count == 3 and japanese.programs == ("PRIME",)
    assert [
        (i.sku, i.quantity_ordered, i.quantity_shipped, i.item_price) for i in japanese.items
    ] == [
        ("ECHO-DOT-4-JP-CHARCOAL", 1, 1, Decimal("5980.00")),
        ("FIRE-TV-4K-MAX-JP", 2, 2, Decimal("6980.00")),
    ]


def broken(change: dict[str, Any]) -> dict[str, Any]:
    document = order("111-0000007-0000002", "2026-11-01T10:00:00Z", [KETTLE])
    for key, value in change.items():
        if value is None:
            del document[key]
        else:
            document[key] = value
    return document


@pytest.mark.parametrize(
    ("document", "item", "field"),
    [
        (broken({"orderId": None}), "page 1, order 1", "orderId"),
        (broken({"orderId": 12}), "page 1, order 1", "orderId"),
        (broken({"createdTime": "yesterday"}), "111-0000007-0000002", "createdTime"),
        (broken({"lastUpdatedTime": "2026-11-01T10:00:00"}), "111-0000007-0000002",
         "lastUpdatedTime"),
        (broken({"orderItems": None}), "111-0000007-0000002", "orderItems"),
        (broken({"orderItems": [KETTLE | {"quantityOrdered": -1}]}), "111-0000007-0000002",
         "orderItems[0].quantityOrdered"),
        (broken({"orderItems": [KETTLE | {"quantityOrdered": 1.5}]}), "111-0000007-0000002",
         "orderItems[0].quantityOrdered"),
        (broken({"orderItems": [KETTLE, KETTLE]}), "111-0000007-0000002", "orderItems"),
        (broken({"proceeds": {"grandTotal": {"amount": "lots", "currencyCode": "USD"}}}),
         "111-0000007-0000002", "proceeds.grandTotal.amount"),
        (broken({"proceeds": {"grandTotal": {"amount": "1.00", "currencyCode": "dollars"}}}),
         "111-0000007-0000002", "proceeds.grandTotal.currencyCode"),
        ([], "page 1, order 1", "order"),
    ],
    ids=[
        "no-id", "numeric-id", "bad-time", "naive-time", "no-items", "negative-quantity",
        "fractional-quantity", "item-twice", "bad-amount", "bad-currency", "not-an-object",
    ],
)  # fmt: skip
def test_a_broken_order_names_its_item_and_field(document: Any, item: str, field: str) -> None:
    with pytest.raises(BadDocument) as raised:
        parse_order(document, "page 1, order 1")
    assert (raised.value.item, raised.value.field) == (item, field)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
KEYS = [
    "orderId", "createdTime", "lastUpdatedTime", "salesChannel", "fulfillment", "proceeds",
    "orderItems", "programs", "sellerSku", "inventoryDetails", "totalQuantity", "asin",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), JSON, max_size=8) | JSON)
def test_any_document_parses_or_is_a_bad_document(document: Any) -> None:
    for parse in (parse_order, parse_summary):
        try:
            parse(document, "page 1, entry 1")
        except BadDocument as bad:
            assert bad.item and bad.field
