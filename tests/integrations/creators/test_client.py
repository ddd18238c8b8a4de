"""Contract tests of GetItems and SearchItems against the fake, every answer checked against
the SDK's models; then the faults (429 storms, 5xx, stalls, truncated JSON, an expired access
token, a wrong client secret, malformed answers)."""

from pathlib import Path

import orjson
import pytest

from shelfwise.integrations.creators.fake import GET_ITEMS_PATH, SEARCH_ITEMS_PATH
from shelfwise.integrations.creators.schemas import RESOURCES
from shelfwise.integrations.errors import (
    AccountDisconnectedError,
    RetryableError,
    VendorRejectedError,
)
from shelfwise.platform.errors import InvalidInputError
from tests.fakes.creators.examples import ITEMS, LAMP, PRESS
from tests.fakes.creators.server import (
    FakeCreatorsApi,
    Fault,
    raw,
    server_error,
    stall,
    throttled,
    truncated,
)
from tests.fakes.creators.validation import assert_valid_answer
from tests.integrations.creators.conftest import Harness, connect, creators_settings

API_PATHS = (GET_ITEMS_PATH, SEARCH_ITEMS_PATH)


def assert_answers_valid(harness: Harness) -> None:
    for answer in harness.answers:
        if answer.path in API_PATHS and answer.body is not None:
            assert_valid_answer(answer.path, answer.status, answer.body)


def test_get_items_sends_the_partner_tag_resources_and_marketplace(creators: Harness) -> None:
    answer = creators.client.get_items([PRESS, "B0MISSING1", LAMP], "www.amazon.de")
    assert [item.asin for item in answer.items] == [PRESS, LAMP]
    assert [(error.code, error.message) for error in answer.errors] == [
        ("ItemNotAccessible", "The ItemId B0MISSING1 is not accessible through the Creators API.")
    ]
    assert answer.malformed == []
    (sent,) = creators.fake.requests
    assert sent.path == GET_ITEMS_PATH
    assert sent.body == {
        "partnerTag": "shelfwise-20",
        "itemIds": [PRESS, "B0MISSING1", LAMP],
        "resources": list(RESOURCES),
    }
    assert sent.headers["x-marketplace"] == "www.amazon.de"
    assert sent.headers["authorization"] == "Bearer Atza|fake-1"
    assert_answers_valid(creators)


def test_search_items_sends_keywords_and_pages(creators: Harness) -> None:
    first = creators.client.search_items("french press", "www.amazon.com")
    second = creators.client.search_items("french press", "www.amazon.com", item_page=2)
    assert len(first.items) == 10
    assert {item.asin for item in first.items}.isdisjoint({item.asin for item in second.items})
    assert [request.body["itemPage"] for request in creators.fake.requests] == [1, 2]
    for request in creators.fake.requests:
        assert request.path == SEARCH_ITEMS_PATH
        assert request.body["partnerTag"] == "shelfwise-20"
        assert request.body["keywords"] == "french press"
        assert request.body["resources"] == list(RESOURCES)
    assert_answers_valid(creators)


def test_a_search_without_results_is_no_items(creators: Harness) -> None:
    answer = creators.client.search_items("french press", "www.amazon.com", item_page=10)
    assert answer.items == []
    assert [answer.status for answer in creators.answers][-1] == 404


def test_one_token_serves_every_call_until_it_expires(creators: Harness) -> None:
    for _ in range(3):
        creators.client.get_items([PRESS], "www.amazon.de")
    assert creators.client.tokens.exchanges == 1
    assert len(creators.fake.token_requests) == 1
    (exchange,) = creators.fake.token_requests
    assert exchange.body == {
        "grant_type": "client_credentials",
        "client_id": creators.fake.credentials.credential_id,
        "client_secret": creators.fake.credentials.credential_secret,
        "scope": "creatorsapi::default",
    }


def test_an_expired_token_is_renewed_once_and_the_call_repeated(creators: Harness) -> None:
    creators.client.get_items([PRESS], "www.amazon.de")
    creators.fake.expire_tokens()
    answer = creators.client.get_items([LAMP], "www.amazon.de")
    assert [item.asin for item in answer.items] == [LAMP]
    assert creators.client.tokens.exchanges == 2
    assert [request.status for request in creators.fake.requests] == [200, 401, 200]
    assert creators.fake.requests[2].headers["authorization"] == "Bearer Atza|fake-2"


def test_a_new_token_refused_as_well_disconnects_the_credential(tmp_path: Path) -> None:
    with FakeCreatorsApi(rate_per_second=100, burst=10, token_lifetime=0) as fake:
        harness = connect(fake, creators_settings(tmp_path, fake))
        with pytest.raises(AccountDisconnectedError) as refused:
            harness.client.get_items([PRESS], "www.amazon.de")
    assert refused.value.detail == (
        "The Creators API refused a new access token for GetItems (TokenExpired: The access"
        " token has expired): check the credential in Associates Central."
    )
    assert [request.status for request in fake.requests] == [401, 401]
    assert len(fake.token_requests) == 2


def test_a_wrong_client_secret_disconnects_the_credential(tmp_path: Path) -> None:
    with FakeCreatorsApi(rate_per_second=100, burst=10) as fake:
        harness = connect(fake, creators_settings(tmp_path, fake), secret="not-the-secret")
        with pytest.raises(AccountDisconnectedError) as refused:
            harness.client.get_items([PRESS], "www.amazon.de")
    assert "invalid_client: Client authentication failed" in refused.value.detail
    assert fake.requests == []  # nothing was sent without a token
    assert len(fake.token_requests) == 1  # and a refusal is not retried


def test_a_cognito_credential_exchanges_a_form_and_is_refused_the_same(tmp_path: Path) -> None:
    with FakeCreatorsApi(rate_per_second=100, burst=10) as fake:
        settings = creators_settings(tmp_path, fake, creators_token_url=fake.cognito_url)
        good = connect(fake, settings, version="2.2")
        assert [item.asin for item in good.client.get_items([PRESS], "www.amazon.de").items] == [
            PRESS
        ]
        bad = connect(fake, settings, version="2.2", secret="wrong")
        with pytest.raises(AccountDisconnectedError, match="invalid_client"):
            bad.client.get_items([PRESS], "www.amazon.de")
    assert fake.token_requests[0].body["scope"] == "creatorsapi/default"
    # 2.x sends its version with the token, as the SDK writes it
    assert fake.requests[0].headers["authorization"] == "Bearer Atza|fake-1, Version 2.2"


def test_a_429_storm_is_ridden_out(creators: Harness) -> None:
    creators.fake.inject(throttled(times=3))
    answer = creators.client.get_items([PRESS], "www.amazon.de")
    assert [item.asin for item in answer.items] == [PRESS]
    assert [request.status for request in creators.fake.requests] == [429, 429, 429, 200]
    assert creators.usage.today(creators.client.connection.organization_id).throttled == 3
    assert_answers_valid(creators)


def test_a_429_storm_longer_than_the_attempts_is_retryable_after_retry_after(
    creators: Harness,
) -> None:
    creators.fake.inject(throttled(times=10, retry_after=0.01))
    with pytest.raises(RetryableError) as unavailable:
        creators.client.get_items([PRESS], "www.amazon.de")
    assert unavailable.value.defer_seconds == pytest.approx(0.01)
    assert len(creators.fake.requests) == 4  # vendor_max_attempts
    assert creators.pauses == [pytest.approx(0.01)] * 3


@pytest.mark.parametrize("status", [500, 503], ids=["500", "503"])
def test_server_errors_are_retried(creators: Harness, status: int) -> None:
    creators.fake.inject(server_error(status, times=2))
    answer = creators.client.get_items([PRESS], "www.amazon.de")
    assert [item.asin for item in answer.items] == [PRESS]
    assert [request.status for request in creators.fake.requests] == [status, status, 200]


def test_persistent_server_errors_are_retryable(creators: Harness) -> None:
    creators.fake.inject(server_error(500, times=10))
    with pytest.raises(RetryableError, match="failed after 4 tries"):
        creators.client.search_items("lamp", "www.amazon.com")


def test_a_stall_past_the_timeout_is_retried(creators: Harness) -> None:
    creators.fake.inject(stall(1.0))
    answer = creators.client.get_items([PRESS], "www.amazon.de")
    assert [item.asin for item in answer.items] == [PRESS]
    assert len(creators.fake.requests) == 2


def test_stalls_on_every_try_are_retryable(tmp_path: Path) -> None:
    with FakeCreatorsApi(rate_per_second=100, burst=10, items=dict(ITEMS)) as fake:
        harness = connect(fake, creators_settings(tmp_path, fake, vendor_max_attempts=2))
        fake.inject(stall(0.8, times=2))
        with pytest.raises(RetryableError, match="failed after 2 tries"):
            harness.client.get_items([PRESS], "www.amazon.de")


def test_truncated_json_is_retried_then_retryable(creators: Harness) -> None:
    creators.fake.inject(truncated())
    assert [item.asin for item in creators.client.get_items([LAMP], "www.amazon.de").items] == [
        LAMP
    ]
    creators.fake.inject(truncated(times=4))
    with pytest.raises(RetryableError):
        creators.client.get_items([LAMP], "www.amazon.de")


def test_a_malformed_item_is_set_apart_with_the_reason(creators: Harness) -> None:
    wrong_type = {**ITEMS[LAMP], "customerReviews": {"count": "many"}}
    creators.fake.inject(raw({"itemsResult": {"items": [ITEMS[PRESS], wrong_type]}}))
    answer = creators.client.get_items([PRESS, LAMP], "www.amazon.de")
    assert [item.asin for item in answer.items] == [PRESS]
    assert len(answer.malformed) == 1
    asin, reason = answer.malformed[0]
    assert asin == LAMP
    assert reason == "customerReviews.count.float: Input should be a valid number"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(["not", "an", "object"], "non-object document", id="a-list"),
        pytest.param({"itemsResult": "none"}, "malformed itemsResult", id="result-not-object"),
        pytest.param({"itemsResult": {"items": {}}}, "not in a list", id="items-not-list"),
        pytest.param({"errors": [{"code": "ItemNotAccessible"}]}, "malformed error", id="error"),
    ],
)
def test_a_malformed_document_is_a_clear_terminal_error(
    creators: Harness, document: object, message: str
) -> None:
    creators.fake.inject(raw(document))
    with pytest.raises(VendorRejectedError, match=message) as refused:
        creators.client.get_items([PRESS], "www.amazon.de")
    assert refused.value.vendor_status == 502


def test_a_request_the_sdk_model_refuses_is_never_sent(creators: Harness) -> None:
    with pytest.raises(InvalidInputError) as refused:
        creators.client.search_items("x" * 1001, "www.amazon.com")
    assert refused.value.detail == (
        "The Creators API would refuse this SearchItems request"
        " (keywords: String should have at most 1000 characters)."
    )
    assert creators.fake.requests == []


def test_a_refused_request_is_terminal_with_amazons_reason(creators: Harness) -> None:
    refusal = {
        "type": "ValidationException",
        "message": "The partner tag is not mapped to a valid associate store.",
        "reason": "InvalidPartnerTag",
    }
    creators.fake.inject(Fault(400, body=orjson.dumps(refusal)))
    with pytest.raises(VendorRejectedError) as refused:
        creators.client.get_items([PRESS], "www.amazon.de")
    assert refused.value.vendor_status == 400
    assert refused.value.vendor_reason == (
        "InvalidPartnerTag: The partner tag is not mapped to a valid associate store."
    )
    assert len(creators.fake.requests) == 1  # a 4xx is not retried
    assert_answers_valid(creators)


def test_an_associate_amazon_does_not_admit_is_refused_with_the_reason(
    creators: Harness,
) -> None:
    refusal = {
        "type": "AccessDeniedException",
        "message": "The Associate is not eligible to access the Creators API.",
        "reason": "AssociateNotEligible",
    }
    creators.fake.inject(Fault(403, body=orjson.dumps(refusal)))
    with pytest.raises(VendorRejectedError) as refused:
        creators.client.search_items("lamp", "www.amazon.com")
    assert refused.value.detail == (
        "The vendor refused the request (403: AssociateNotEligible: The Associate is not"
        " eligible to access the Creators API.)."
    )
    assert len(creators.fake.requests) == 1
    assert_answers_valid(creators)
