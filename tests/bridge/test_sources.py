"""The bridge's registry through the real adapters: the Creators API against its fake server, the
scraper against the fake Amazon web server, SP-API before both, and the three demo sources in
order; which of them an organization gets (its own, the demo, the keyless scraper)."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from shelfwise.bridge import sources
from shelfwise.integrations.items import ItemSourceKind
from shelfwise.platform.context import AppContext
from tests.apps import client_with
from tests.bridge.test_real_sources import get_items
from tests.factories import Tenant, create_credential
from tests.fakes.amazon_web.server import FakeAmazonWeb
from tests.fakes.creators.examples import ITEMS, LAMP, PRESS
from tests.fakes.creators.server import FakeCreatorsApi, throttled
from tests.fakes.spapi.examples import ASIN, seeded_state
from tests.fakes.spapi.faults import server_error
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.sellers import connected_account

SAVED = "B0057OC5O8"  # a saved amazon.com page the fake Amazon serves
NO_PAGE = "B0NOPAGE01"  # the fake Amazon answers 404
FIELDS = ("asin", "title", "brand", "price", "list_price", "currency", "category", "source", "demo")
# Where a source knows them: reviews, ranks, stock. (Image lists, bullets and the fetch time are
# not compared: long, or different on every run.)
SALIENT = (*FIELDS, "rating", "reviews", "sales_rank", "in_stock", "is_deal")


@pytest.fixture
def creators() -> Iterator[FakeCreatorsApi]:
    with FakeCreatorsApi(rate_per_second=100, burst=10, items=ITEMS) as fake:
        yield fake


@pytest.fixture
def amazon() -> Iterator[FakeAmazonWeb]:
    with FakeAmazonWeb() as fake:
        yield fake


def vendor_settings(creators: FakeCreatorsApi, amazon: FakeAmazonWeb | None) -> dict[str, Any]:
    """Creators API at its fake; the scraper, when `amazon` is given, on at the fake Amazon
    with loopback allowed and millisecond pauses."""
    values: dict[str, Any] = {
        "creators_endpoint": creators.url,
        "creators_token_url": creators.lwa_url,
        "vendor_max_attempts": 1,  # a 429 is the source's answer at once
        "vendor_timeout": timedelta(seconds=2),
    }
    if amazon is not None:
        values |= {
            "scraper_enabled": True,
            "scraper_base_urls": {"amazon.com": amazon.url},
            "scraper_allowed_hosts": ["127.0.0.1"],
            "scraper_allow_loopback": True,
            "scraper_min_delay": timedelta(milliseconds=1),
            "scraper_max_delay": timedelta(milliseconds=2),
        }
    return values


def add_creators_credential(client: TestClient, tenant: Tenant, fake: FakeCreatorsApi) -> None:
    credentials = fake.credentials
    secrets = {
        "credential_id": credentials.credential_id,
        "credential_secret": credentials.credential_secret,
        "version": "3.1",
        "partner_tag": credentials.partner_tag,
    }
    create_credential(client, tenant, kind="amazon_creators", secrets=secrets)


def picked(entry: dict[str, Any], fields: tuple[str, ...] = FIELDS) -> dict[str, Any]:
    return {name: entry[name] for name in fields}


def down(status: int) -> httpx.MockTransport:
    """A vendor that answers every request with `status` (an in-process edge, no network)."""
    return httpx.MockTransport(lambda _request: httpx.Response(status, json={"errors": []}))


def test_a_creators_credential_gets_creators_items(
    context: AppContext, tenant: Tenant, creators: FakeCreatorsApi
) -> None:
    # The demo is on: a Creators API credential is a source of the organization's own.
    settings = vendor_settings(creators, None) | {"demo_marketplace": True}
    with client_with(context, **settings) as client:
        add_creators_credential(client, tenant, creators)
        body = get_items(client, tenant, f"{PRESS},{LAMP},B0MISSING1")
    press, lamp, missing = body["items"]
    assert body["demo"] is False
    assert picked(press, SALIENT) == {
        "asin": PRESS,
        "title": "Kestrel French Press 1 l",
        "brand": "Kestrel",
        "price": "24.99",
        "list_price": "39.90",
        "currency": "EUR",
        "category": "Kaffeebereiter",  # the browse node, not the website's department
        "source": "creators_api",
        "demo": False,
        "rating": 4.6,
        "reviews": 1873,
        "sales_rank": 12,  # in Kaffeebereiter; 4521 in the department
        "in_stock": True,
        "is_deal": True,
    }
    assert press["detail_url"] == (
        f"https://www.amazon.de/dp/{PRESS}?tag=shelfwise-20&linkCode=ogi&th=1"
    )
    assert picked(lamp) == {
        "asin": LAMP,
        "title": "Schreibtischlampe LED",
        "brand": None,
        "price": None,
        "list_price": None,
        "currency": None,
        "category": None,
        "source": "creators_api",
        "demo": False,
    }
    assert missing == {
        "asin": "B0MISSING1",
        "error": {
            "code": "not_found",
            "message": "Amazon answered ItemNotAccessible: The ItemId B0MISSING1 is not"
            " accessible through the Creators API.",
        },
    }
    (request,) = creators.requests
    assert (request.path, request.body["itemIds"], request.body["partnerTag"]) == (
        "/catalog/v1/getItems",
        [PRESS, LAMP, "B0MISSING1"],
        "shelfwise-20",
    )


def test_a_throttled_creators_api_hands_the_asins_to_the_scraper(
    context: AppContext, tenant: Tenant, creators: FakeCreatorsApi, amazon: FakeAmazonWeb
) -> None:
    creators.inject(throttled(times=1, retry_after=7))
    with client_with(context, **vendor_settings(creators, amazon)) as client:
        add_creators_credential(client, tenant, creators)
        body = get_items(client, tenant, f"{SAVED},{NO_PAGE}")
    saved, no_page = body["items"]
    assert picked(saved, SALIENT) == {
        "asin": SAVED,
        "title": "SainSmart 4-Channel Relay Module",
        "brand": "SainSmart",
        "price": "8.99",
        "list_price": None,
        "currency": "USD",
        "category": "Automotive Replacement Relay Control Module Relays",
        "source": "scraper",
        "demo": False,
        "rating": 4.6,
        "reviews": 422,
        "sales_rank": 139,  # in its category; 420,998 in the department
        "in_stock": True,
        "is_deal": False,
    }
    assert saved["detail_url"] == f"{amazon.url}/dp/{SAVED}"
    # The scraper's 404 is final: the Creators API's "throttled" is not the last word.
    assert no_page == {
        "asin": NO_PAGE,
        "error": {
            "code": "not_found",
            "message": "Amazon answered 404: no such ASIN in amazon.com.",
        },
    }
    assert [(each.path, each.status) for each in creators.requests] == [
        ("/catalog/v1/getItems", 429)
    ]
    assert amazon.paths() == ["/robots.txt", f"/dp/{SAVED}", f"/dp/{NO_PAGE}"]


def test_spapi_credentials_are_tried_before_the_creators_api(
    context: AppContext, tenant: Tenant, creators: FakeCreatorsApi
) -> None:
    with FakeSellingPartnerApi(state=seeded_state()) as spapi:
        settings = vendor_settings(creators, None) | {
            "spapi_endpoint": spapi.url,
            "spapi_token_url": spapi.lwa_url,
        }
        with client_with(context, **settings) as client:
            connected_account(client, tenant, spapi, "A1FAKESELLER001")
            add_creators_credential(client, tenant, creators)
            first = get_items(client, tenant, ASIN)
            assert creators.requests == []  # SP-API answered: the Creators API was not asked
            spapi.inject("searchCatalogItems", server_error(503))
            second = get_items(client, tenant, PRESS)
    assert [picked(entry, ("asin", "title", "source", "demo")) for entry in first["items"]] == [
        {"asin": ASIN, "title": "Steel Kettle 1.7 l", "source": "sp_api", "demo": False}
    ]
    assert [picked(entry, ("asin", "title", "source", "demo")) for entry in second["items"]] == [
        {
            "asin": PRESS,
            "title": "Kestrel French Press 1 l",
            "source": "creators_api",
            "demo": False,
        }
    ]
    assert [each.body["itemIds"] for each in creators.requests] == [[PRESS]]


def test_the_demo_tries_its_three_sources_in_order(
    context: AppContext, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    with client_with(context, demo_marketplace=True, vendor_max_attempts=1) as client:
        # Every demo source up: the demo SP-API knows B0 ASINs; any other is not_found there,
        # and not_found is final, so the demo Creators API and pages are not asked for it.
        all_up = get_items(client, tenant, "B08N5WRWNW,ZZZZZZZZZZ")
        monkeypatch.setitem(sources.DEMO_TRANSPORTS, ItemSourceKind.SPAPI, lambda: down(503))
        spapi_down = get_items(client, tenant, "B0DEMO0001,B0MISSING1")
        monkeypatch.setitem(sources.DEMO_TRANSPORTS, ItemSourceKind.CREATORS, lambda: down(429))
        pages_only = get_items(client, tenant, "B0DEMO0014")
    assert (all_up["demo"], spapi_down["demo"], pages_only["demo"]) == (True, True, True)
    item, unknown = all_up["items"]
    assert picked(item) == {
        "asin": "B08N5WRWNW",
        "title": "Bosch Impact Driver 18V Brushless",
        "brand": "Bosch",
        "price": "94.82",
        "list_price": "114.24",
        "currency": "USD",
        "category": "Impact Drivers",
        "source": "sp_api",
        "demo": True,
    }
    assert unknown == {
        "asin": "ZZZZZZZZZZ",
        "error": {"code": "not_found", "message": "Amazon has no item ZZZZZZZZZZ in amazon.com."},
    }
    from_creators, missing = spapi_down["items"]
    assert picked(from_creators) == {
        "asin": "B0DEMO0001",
        "title": "Hardcover Dotted Notebook, A5",
        "brand": "Tidewell",
        "price": "189.20",
        "list_price": None,
        "currency": "USD",
        "category": "Notebooks",
        "source": "creators_api",
        "demo": True,
    }
    assert from_creators["detail_url"] == (
        "https://www.amazon.com/dp/B0DEMO0001?tag=shelfwisedemo-20&linkCode=ogi&th=1&psc=1"
    )
    assert missing == {
        "asin": "B0MISSING1",
        "error": {
            "code": "not_found",
            "message": "Amazon answered ItemNotAccessible: The ItemId B0MISSING1 is not"
            " accessible through the Creators API.",
        },
    }
    (from_pages,) = pages_only["items"]
    assert picked(from_pages, SALIENT) == {
        "asin": "B0DEMO0014",
        "title": "Halden Noise Cancelling Over-Ear Headphones",
        "brand": "Halden",
        "price": "53.42",
        "list_price": "66.78",
        "currency": "USD",
        "category": "Over-Ear Headphones",
        "source": "scraper",
        "demo": True,
        "rating": 4.0,
        "reviews": 15050,
        "sales_rank": 314,  # in its category; 360,937 in the department
        "in_stock": True,
        "is_deal": True,
    }
    assert from_pages["detail_url"] == "https://www.amazon.demo.invalid/dp/B0DEMO0014"


def test_the_demo_replaces_the_keyless_scraper_for_an_organization_without_credentials(
    context: AppContext, tenant: Tenant, creators: FakeCreatorsApi, amazon: FakeAmazonWeb
) -> None:
    settings = vendor_settings(creators, amazon) | {"demo_marketplace": True}
    with client_with(context, **settings) as client:
        body = get_items(client, tenant, SAVED)
    (entry,) = body["items"]
    assert (body["demo"], entry["source"], entry["demo"]) == (True, "sp_api", True)
    assert (amazon.paths(), creators.requests) == ([], [])  # no real source was asked


def test_without_the_demo_the_scraper_is_the_last_resort_of_one_without_credentials(
    context: AppContext, tenant: Tenant, creators: FakeCreatorsApi, amazon: FakeAmazonWeb
) -> None:
    with client_with(context, **vendor_settings(creators, amazon)) as client:
        body = get_items(client, tenant, SAVED)
    (entry,) = body["items"]
    assert body["demo"] is False
    assert picked(entry, ("asin", "title", "category", "source", "demo")) == {
        "asin": SAVED,
        "title": "SainSmart 4-Channel Relay Module",
        "category": "Automotive Replacement Relay Control Module Relays",
        "source": "scraper",
        "demo": False,
    }
    assert creators.requests == []  # no credential, no Creators API call
