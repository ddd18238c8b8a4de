"""The notification parser: strict on what it uses, and never failing any other way."""

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shelfwise.integrations.amazon_spapi.notifications import (
    NotificationRejected,
    Route,
    decode,
    envelope,
    offer_change,
    pricing_health,
    route_of,
)
from tests.market.notification_messages import any_offer_changed, offer
from tests.market.notification_messages import pricing_health as pricing_health_message

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = ["SellerId", "OfferChangeTrigger", "Summary", "Offers", "ASIN", "ListingPrice"]


@given(JSON)
def test_any_json_is_parsed_or_rejected_with_a_reason(value: Any) -> None:
    body = json.dumps(value)
    try:
        document = decode(body)
        route_of(document)
        envelope(document)
        offer_change(document)
    except NotificationRejected as rejected:
        assert rejected.reason


@given(st.sampled_from(FIELDS), JSON)
def test_any_value_in_a_used_field_is_parsed_or_rejected(field: str, value: Any) -> None:
    message = any_offer_changed("ASELLER", "B000000001", [offer("ASELLER", "1.00")], T0)
    notification = message["Payload"]["AnyOfferChangedNotification"]
    for node in (notification, notification["OfferChangeTrigger"], notification["Offers"][0]):
        if field in node:
            node[field] = value
    try:
        offer_change(message)
    except NotificationRejected as rejected:
        assert rejected.reason.startswith("Payload.AnyOfferChangedNotification")


@given(st.decimals(min_value=0, max_value=10**6, places=2), st.decimals(0, 100, places=2))
def test_prices_are_kept_to_the_cent(price: Decimal, shipping: Decimal) -> None:
    entry = offer("ASELLER", f"{price:.2f}", f"{shipping:.2f}", is_buy_box_winner=True)
    parsed = offer_change(any_offer_changed("ASELLER", "B000000001", [entry], T0)).offers
    (mine,) = parsed.offers
    assert (mine.price, mine.shipping) == (price, shipping)
    assert mine.is_mine and mine.is_buy_box_winner
    assert parsed.buy_box_price == price + shipping


def test_both_envelopes_name_their_route_and_id() -> None:
    change = any_offer_changed("ASELLER", "B000000001", [], T0, notification_id="n-1")
    health = pricing_health_message("BSELLER", "B000000002", T0, notification_id="n-2")
    assert route_of(change) == Route("ASELLER", "ATVPDKIKX0DER")
    assert route_of(health) == Route("BSELLER", "ATVPDKIKX0DER")
    assert (envelope(change).notification_id, envelope(health).notification_id) == ("n-1", "n-2")
    assert envelope(health).published_at == T0
    assert pricing_health(health).reference_prices["competitive_price_threshold"].amount == 24


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        pytest.param("", "body is not JSON: Expecting value: line 1 column 1 (char 0)", id="empty"),
        pytest.param('"text"', "body is not a JSON object but a string", id="string"),
        pytest.param("{}", "notificationMetadata: missing", id="no-metadata"),
        pytest.param(
            '{"NotificationType": "ANY_OFFER_CHANGED", "NotificationMetadata": []}',
            "NotificationMetadata: expected an object, got an array",
            id="metadata-array",
        ),
    ],
)
def test_rejections_say_what_is_wrong(body: str, reason: str) -> None:
    with pytest.raises(NotificationRejected) as rejected:
        envelope(decode(body))
    assert rejected.value.reason == reason


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        pytest.param(-1.0, "-1.0 is not a price", id="negative"),
        pytest.param(float("inf"), "inf is not a price", id="infinite"),
        pytest.param(True, "expected a number, got a boolean", id="boolean"),
    ],
)
def test_an_amount_must_be_a_price(amount: Any, reason: str) -> None:
    entry = offer("ASELLER", "1.00")
    entry["ListingPrice"]["Amount"] = amount
    message = any_offer_changed("ASELLER", "B000000001", [entry], T0)
    with pytest.raises(NotificationRejected) as rejected:
        offer_change(message)
    prefix = "Payload.AnyOfferChangedNotification.Offers[0].ListingPrice.Amount: "
    assert rejected.value.reason == prefix + reason
