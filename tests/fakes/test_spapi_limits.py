"""The fake SP-API's usage plans, Login with Amazon and injected faults."""

import json
import time

import httpx
import pytest

from tests.fakes.spapi.clock import SimulatedClock
from tests.fakes.spapi.examples import (
    CALLS,
    ITEM_OFFERS,
    OFFER_QUERY,
    RIVAL,
    SELLER,
    SKU,
    client,
    lwa_form,
    seeded_state,
)
from tests.fakes.spapi.faults import (
    EXPIRED_TOKEN,
    REVOKED_GRANT,
    TRUNCATED_BODY,
    server_error,
    stall,
)
from tests.fakes.spapi.lwa import Credentials
from tests.fakes.spapi.models import UsagePlan
from tests.fakes.spapi.ratelimit import UsagePlanBuckets
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE

# -- usage plans enforced ---------------------------------------------------------------------


def test_a_bucket_refills_at_the_plan_rate() -> None:
    buckets = UsagePlanBuckets({"getListingOffers": UsagePlan(rate=0.5, burst=2)})
    taken = [buckets.take(SELLER, "getListingOffers", at) for at in (0.0, 0.0, 0.0, 1.9, 2.0)]
    assert taken == [True, True, False, False, True]


def test_a_simulated_hour_runs_in_a_minute_at_60x() -> None:
    clock = SimulatedClock(acceleration=60, started_at=1_000.0)
    assert clock.at(1_060.0) == 3_600.0


def test_an_hour_of_one_request_a_second_gets_burst_plus_rate_times_3600() -> None:
    # The ceiling the offer-sync benchmark measures against: burst + rate x 3600 per hour.
    buckets = UsagePlanBuckets({"getItemOffersBatch": UsagePlan(rate=0.1, burst=1)})
    accepted = sum(buckets.take(SELLER, "getItemOffersBatch", float(at)) for at in range(3_601))
    assert accepted == 1 + 360


def test_the_burst_is_served_then_429_without_the_rate_header() -> None:
    with FakeSellingPartnerApi(state=seeded_state()) as fake, client(fake) as http:
        path = f"/listings/2021-08-01/items/{SELLER}/{SKU}"
        statuses = [http.get(path, params={"marketplaceIds": US_MARKETPLACE}) for _ in range(11)]
    assert [r.status_code for r in statuses] == [200] * 10 + [429]  # getListingsItem burst 10
    assert {r.headers["x-amzn-RateLimit-Limit"] for r in statuses[:10]} == {"5.0"}
    assert "x-amzn-RateLimit-Limit" not in statuses[10].headers
    assert statuses[10].json() == {
        "errors": [
            {
                "code": "QuotaExceeded",
                "message": "You exceeded your quota for the requested resource.",
                "details": "",
            }
        ]
    }
    assert fake.total("getListingsItem").accepted == 10
    assert fake.total("getListingsItem").throttled == 1


def test_an_accelerated_bucket_refills_after_one_over_rate_divided_by_the_factor() -> None:
    # getItemOffersBatch: 0.1 rps, burst 1 -> a token every 10 s, every 0.2 s at 50x.
    with FakeSellingPartnerApi(acceleration=50, state=seeded_state()) as fake, client(fake) as http:
        _model, method, path, arguments = CALLS["getItemOffersBatch"]
        first = http.request(method, path, **arguments)
        second = http.request(method, path, **arguments)
        time.sleep(0.25)
        third = http.request(method, path, **arguments)
    assert [first.status_code, second.status_code, third.status_code] == [200, 429, 200]
    assert first.headers["x-amzn-RateLimit-Limit"] == "0.1"


def test_each_selling_partner_has_its_own_bucket(fake: FakeSellingPartnerApi) -> None:
    other = fake.lwa.register(
        Credentials("amzn1.application-oa2-client.other", "secret-2", "Atzr|other", RIVAL)
    )
    with client(fake) as mine, client(fake, fake.access_token(other)) as theirs:
        answers = [
            mine.get(ITEM_OFFERS, params=OFFER_QUERY).status_code,
            mine.get(ITEM_OFFERS, params=OFFER_QUERY).status_code,
            theirs.get(ITEM_OFFERS, params=OFFER_QUERY).status_code,
        ]
    assert answers == [200, 429, 200]  # getItemOffers: burst 1


# -- Login with Amazon ------------------------------------------------------------------------


def test_lwa_grants_an_access_token_for_a_refresh_token(fake: FakeSellingPartnerApi) -> None:
    granted = httpx.post(fake.lwa_url, data=lwa_form(fake.credentials))
    body = granted.json()
    assert granted.status_code == 200
    assert (body["token_type"], body["expires_in"], body["refresh_token"]) == (
        "bearer", 3600, fake.credentials.refresh_token,
    )  # fmt: skip
    with client(fake, body["access_token"]) as http:
        assert http.get(ITEM_OFFERS, params=OFFER_QUERY).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"refresh_token": "Atzr|unknown"}, 400, "invalid_grant"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
    ids=["wrong-client-secret", "unknown-refresh-token", "unsupported-grant-type"],
)
def test_lwa_refuses_bad_requests(
    fake: FakeSellingPartnerApi, overrides: dict[str, str], status: int, error: str
) -> None:
    refused = httpx.post(fake.lwa_url, data=lwa_form(fake.credentials, **overrides))
    assert (refused.status_code, refused.json()["error"]) == (status, error)


def test_a_revoked_grant_answers_invalid_grant(fake: FakeSellingPartnerApi) -> None:
    fake.lwa.revoke_grant(fake.credentials.refresh_token)
    refused = httpx.post(fake.lwa_url, data=lwa_form(fake.credentials))
    assert refused.status_code == 400
    assert refused.json() == {
        "error": "invalid_grant",
        "error_description": "The request has an invalid grant parameter : refresh_token",
    }


@pytest.mark.parametrize(
    ("token", "details"),
    [
        ("", "Access token is missing in the request header."),
        ("Atza|forged", "The access token you provided is revoked, malformed or invalid."),
    ],
    ids=["missing", "forged"],
)
def test_a_request_without_a_valid_token_is_403(
    fake: FakeSellingPartnerApi, token: str, details: str
) -> None:
    with client(fake, token) as http:
        denied = http.get(ITEM_OFFERS, params=OFFER_QUERY)
    assert denied.status_code == 403
    assert denied.json()["errors"] == [
        {
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": details,
        }
    ]
    assert fake.total("getItemOffers").accepted == 0


def test_an_access_token_expires_after_an_hour_of_simulated_time() -> None:
    # 36,000x: the token's simulated hour lasts 0.1 s.
    with (
        FakeSellingPartnerApi(acceleration=36_000, state=seeded_state()) as fake,
        client(fake) as http,
    ):
        fresh = http.get(ITEM_OFFERS, params=OFFER_QUERY)
        time.sleep(0.15)
        stale = http.get(ITEM_OFFERS, params=OFFER_QUERY)
    assert fresh.status_code == 200
    assert stale.status_code == 403
    assert stale.json()["errors"][0]["details"] == "The access token you provided has expired."


# -- injected faults --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503], ids=["500", "503"])
def test_a_server_error_is_served_once_then_normal_service(
    fake: FakeSellingPartnerApi, status: int
) -> None:
    fake.inject("getCatalogItem", server_error(status))
    _model, method, path, arguments = CALLS["getCatalogItem"]
    with client(fake) as http:
        failed = http.request(method, path, **arguments)
        recovered = http.request(method, path, **arguments)
    assert failed.status_code == status
    assert "x-amzn-RateLimit-Limit" not in failed.headers
    assert failed.json()["errors"][0]["code"] == (
        "InternalFailure" if status == 500 else "ServiceUnavailable"
    )
    assert recovered.status_code == 200
    assert fake.total("getCatalogItem").faulted == 1


def test_a_fault_touches_only_its_operation(fake: FakeSellingPartnerApi) -> None:
    fake.inject("getItemOffers", server_error(503))
    _model, method, path, arguments = CALLS["getCatalogItem"]
    with client(fake) as http:
        assert http.request(method, path, **arguments).status_code == 200


def test_a_stall_answers_late_and_trips_a_client_timeout(fake: FakeSellingPartnerApi) -> None:
    fake.inject("getCatalogItem", stall(0.3), stall(0.3))
    _model, method, path, arguments = CALLS["getCatalogItem"]
    with client(fake) as http:
        started = time.monotonic()
        late = http.request(method, path, **arguments)
        elapsed = time.monotonic() - started
        with pytest.raises(httpx.ReadTimeout):
            http.request(method, path, timeout=0.1, **arguments)
    assert late.status_code == 200
    assert 0.3 <= elapsed < 1.0


def test_a_truncated_body_is_not_json(fake: FakeSellingPartnerApi) -> None:
    fake.inject("getItemOffers", TRUNCATED_BODY)
    with client(fake) as http:
        truncated = http.get(ITEM_OFFERS, params=OFFER_QUERY)
    assert truncated.status_code == 200
    assert int(truncated.headers["content-length"]) == len(truncated.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.content)


def test_an_expired_token_fault_is_403_until_the_client_refreshes(
    fake: FakeSellingPartnerApi,
) -> None:
    fake.inject("getItemOffers", EXPIRED_TOKEN)
    token = fake.access_token()
    with client(fake, token) as http:
        expired = http.get(ITEM_OFFERS, params=OFFER_QUERY)
        still_expired = http.get(ITEM_OFFERS, params=OFFER_QUERY)
    refreshed = httpx.post(fake.lwa_url, data=lwa_form(fake.credentials)).json()["access_token"]
    with client(fake, refreshed) as http:
        renewed = http.get(ITEM_OFFERS, params=OFFER_QUERY)
    assert [expired.status_code, still_expired.status_code, renewed.status_code] == [403, 403, 200]
    assert expired.json()["errors"][0]["details"] == "The access token you provided has expired."


def test_a_revoked_grant_fault_is_403_then_invalid_grant_at_lwa(
    fake: FakeSellingPartnerApi,
) -> None:
    fake.inject("searchOrders", REVOKED_GRANT)
    _model, method, path, arguments = CALLS["searchOrders"]
    with client(fake) as http:
        revoked = http.request(method, path, **arguments)
    refused = httpx.post(fake.lwa_url, data=lwa_form(fake.credentials))
    assert revoked.status_code == 403
    assert (refused.status_code, refused.json()["error"]) == (400, "invalid_grant")
