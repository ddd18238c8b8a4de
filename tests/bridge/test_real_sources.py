"""The bridge through its real sources: SP-API against the fake server for an organization with
credentials, the demo marketplace for one without, a vendor answering garbage, the deadline."""

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfwise.bridge import sources
from shelfwise.bridge.models import FetchedItem
from shelfwise.bridge.service import FETCH_JOB
from shelfwise.integrations.amazon_spapi.fake import DemoSellingPartner
from shelfwise.integrations.items import ItemSourceKind
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.platform.context import AppContext
from tests.apps import client_with
from tests.bridge.conftest import ScriptedSource, plug, run_job
from tests.factories import Tenant, create_account, create_credential
from tests.fakes.spapi.examples import ASIN, seeded_state
from tests.fakes.spapi.faults import Fault
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.sellers import connected_account, rows

DEMO_ASINS = "B0BJQRXJZD,B0CCLPW7LQ,ZZZZZZZZZZ"


@pytest.fixture
def fake() -> Iterator[FakeSellingPartnerApi]:
    with FakeSellingPartnerApi(state=seeded_state()) as server:
        yield server


@pytest.fixture
def spapi_client(context: AppContext, fake: FakeSellingPartnerApi) -> Iterator[TestClient]:
    overrides = {
        "spapi_endpoint": fake.url,
        "spapi_token_url": fake.lwa_url,
        "vendor_max_attempts": 1,
        "vendor_timeout": timedelta(seconds=2),
    }
    with client_with(context, **overrides) as value:
        yield value


def get_items(client: TestClient, tenant: Tenant, asins: str) -> dict[str, Any]:
    response = client.get("/api/amazon/items", params={"asins": asins}, headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_spapi_item_then_the_cache_makes_no_vendor_request(
    context: AppContext, spapi_client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi
) -> None:
    connected_account(spapi_client, tenant, fake, "A1FAKESELLER001")
    first = get_items(spapi_client, tenant, f"{ASIN},B0NOTHERE1")
    assert [
        (entry["asin"], entry.get("title"), entry.get("price"), entry.get("error"))
        for entry in first["items"]
    ] == [
        (ASIN, "Steel Kettle 1.7 l", "19.99", None),
        (
            "B0NOTHERE1",
            None,
            None,
            {"code": "not_found", "message": "Amazon has no item B0NOTHERE1 in amazon.com."},
        ),
    ]
    assert (first["demo"], first["items"][0]["source"], first["items"][0]["demo"]) == (
        False,
        "sp_api",
        False,
    )
    searches = fake.total("searchCatalogItems").accepted
    assert (searches, fake.total("getCompetitivePricing").accepted) == (1, 1)
    second = get_items(spapi_client, tenant, ASIN)
    assert second["items"] == first["items"][:1]
    assert fake.total("searchCatalogItems").accepted == 1  # the cache answered
    kept = rows(context, tenant, select(FetchedItem))
    assert [(row.marketplace, row.asin, row.source, row.is_demo) for row in kept] == [
        ("amazon.com", ASIN, "sp_api", False)
    ]
    assert kept[0].item == first["items"][0]


def test_a_vendor_answering_garbage_gives_error_items_not_500(
    spapi_client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi
) -> None:
    connected_account(spapi_client, tenant, fake, "A1FAKESELLER001")
    fake.inject("searchCatalogItems", Fault(is_truncated=True))
    body = get_items(spapi_client, tenant, ASIN)
    (entry,) = body["items"]
    assert (entry["asin"], entry["error"]["code"]) == (ASIN, "unavailable")
    assert entry["error"]["retry_after_seconds"] >= 0


def test_the_demo_marketplace_serves_marked_items(
    context: AppContext, demo_client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = DemoSellingPartner()
    monkeypatch.setitem(
        sources.DEMO_TRANSPORTS, ItemSourceKind.SPAPI, lambda: httpx.MockTransport(handler)
    )
    body = get_items(demo_client, tenant, DEMO_ASINS)
    assert body["demo"] is True
    first, second, missing = body["items"]
    assert (first["asin"], first["title"], first["price"], first["list_price"]) == (
        "B0BJQRXJZD",
        "Einhell Screwdriver Bit Set 100-Piece",
        "25.40",
        "30.24",
    )
    # discount (30.24 - 25.40) / 30.24 = 0.16005 of the 0.5 that earns all 4 points: 3.2 / 10
    assert (first["deal_score"], first["source"], first["demo"]) == (3.2, "sp_api", True)
    assert (second["title"], second["demo"]) == ("Bosch LED Work Light 50W", True)
    assert missing["error"]["code"] == "not_found"
    assert handler.requests["/catalog/2022-04-01/items"] == 1
    again = get_items(demo_client, tenant, DEMO_ASINS)
    assert again["items"][:2] == body["items"][:2]
    assert handler.requests["/catalog/2022-04-01/items"] == 2  # only the not-found one again
    kept = rows(context, tenant, select(FetchedItem.asin, FetchedItem.is_demo))
    assert sorted(kept) == ["B0BJQRXJZD", "B0CCLPW7LQ"]


def test_the_demo_is_off_for_an_organization_with_its_own_source(
    demo_client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    spapi = ScriptedSource(ItemSourceKind.SPAPI, 20)
    plug(monkeypatch, spapi)
    body = get_items(demo_client, tenant, "B0BJQRXJZD")
    assert (body["demo"], body["items"][0]["title"]) == (False, "Item B0BJQRXJZD")


def test_a_slow_source_is_cut_at_the_deadline_and_a_job_fills_the_cache(
    context: AppContext, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:

    scraper = ScriptedSource(ItemSourceKind.SCRAPER, 1, seconds_per_call=0.3)
    plug(monkeypatch, scraper)
    asins = ["B0AAAAAAAA", "B0BBBBBBBB", "B0CCCCCCCC"]
    with client_with(context, asin_fetch_deadline=timedelta(seconds=0.2)) as client:
        started = time.monotonic()
        body = get_items(client, tenant, ",".join(asins))
        assert time.monotonic() - started < 2.0
        assert body["items"][0]["title"] == "Item B0AAAAAAAA"
        assert body["items"][1:] == [
            {
                "asin": asin,
                "error": {
                    "code": "unavailable",
                    "message": "Still being fetched (the source is slow); ask again shortly.",
                    "retry_after_seconds": 0.2,
                },
            }
            for asin in asins[1:]
        ]
        assert scraper.calls == [["B0AAAAAAAA"]]
        (job,) = rows(context, tenant, select(Job).where(Job.kind == FETCH_JOB))
        assert job.arguments == {"marketplace": "amazon.com", "asins": asins[1:]}
        # Asked again before the job ran: A from the cache, B fetched in time, C queued again.
        body = get_items(client, tenant, ",".join(asins))
        assert [entry.get("title") for entry in body["items"]] == [
            "Item B0AAAAAAAA",
            "Item B0BBBBBBBB",
            None,
        ]
        jobs = rows(context, tenant, select(Job).where(Job.kind == FETCH_JOB))
        assert sorted(len(each.arguments["asins"]) for each in jobs) == [1, 2]
        assert run_job(context, job.id).status is JobStatus.SUCCEEDED
        calls = len(scraper.calls)
        body = get_items(client, tenant, ",".join(asins))
        assert [entry.get("title") for entry in body["items"]] == [f"Item {asin}" for asin in asins]
        assert len(scraper.calls) == calls  # all three from the cache now


def test_credentials_for_another_marketplace_end_the_demo(
    demo_client: TestClient, tenant: Tenant
) -> None:
    # SP-API credentials on amazon.com: asking for amazon.de gets no demo item, but the answer
    # that no source of the organization's can fetch there.
    credential = create_credential(demo_client, tenant)
    create_account(demo_client, tenant, marketplace="amazon.com", credential_id=credential["id"])
    response = demo_client.get(
        "/api/amazon/items",
        params={"asins": "B0BJQRXJZD", "marketplace": "amazon.de"},
        headers=tenant.headers,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["demo"] is False
    assert body["items"][0]["error"]["code"] == "unavailable"
