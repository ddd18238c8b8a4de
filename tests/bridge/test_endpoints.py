"""GET /api/amazon/items, cache stats and clear: sources best first with fall-through, error
items, the cache per organization, malformed requests, permissions."""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from shelfwise.accounts.models import Role
from shelfwise.integrations.errors import RetryableError
from shelfwise.integrations.items import ItemSourceKind
from shelfwise.market.models import OfferSnapshot
from shelfwise.platform.context import AppContext
from shelfwise.platform.types import utcnow
from tests.bridge.conftest import (
    ScriptedSource,
    member,
    not_found,
    plug,
    refused,
    unavailable,
)
from tests.factories import Tenant, create_account

A, B, C, D = "B0AAAAAAAA", "B0BBBBBBBB", "B0CCCCCCCC", "B0DDDDDDDD"


def items(client: TestClient, tenant: Tenant, asins: str, **query: str) -> dict[str, Any]:
    response = client.get(
        "/api/amazon/items", params={"asins": asins, **query}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def stats(client: TestClient, tenant: Tenant) -> dict[str, Any]:
    response = client.get("/api/cache/stats", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_item_in_the_marketplace_format(
    client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    plug(monkeypatch, ScriptedSource(ItemSourceKind.SPAPI, 20))
    body = items(client, tenant, A.lower())
    assert body == {
        "marketplace": "amazon.com",
        "demo": False,
        "items": [
            {
                "asin": A,
                "marketplace": "amazon.com",
                "title": f"Item {A}",
                "brand": "Acme",
                "price": "80.00",
                "list_price": "100.00",
                "currency": "USD",
                "rating": 4.5,
                "reviews": 99,
                "images": [],
                "main_image": None,
                "category": None,
                "availability": None,
                "in_stock": None,
                "bullets": [],
                "sales_rank": None,
                # discount 4 x 0.4 = 1.6; rating 3 x 0.75 = 2.25; reviews 2 x 0.5 = 1 -> 4.85/9
                "deal_score": 5.4,
                "is_deal": False,
                "detail_url": None,
                "source": "sp_api",
                "demo": False,
                "fetched_at": "2026-12-07T03:00:00Z",
            }
        ],
    }


def test_sources_best_first_unavailable_falls_through_not_found_is_final(
    client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    spapi = ScriptedSource(ItemSourceKind.SPAPI, 20, {A: unavailable, B: not_found, D: refused})
    creators = ScriptedSource(ItemSourceKind.CREATORS, 10, {A: unavailable})
    scraper = ScriptedSource(ItemSourceKind.SCRAPER, 1)
    plug(monkeypatch, scraper, creators, spapi)  # registration order does not matter
    body = items(client, tenant, f"{A} {B} {C} {D}")
    assert [
        (entry["asin"], entry.get("source"), entry.get("error")) for entry in body["items"]
    ] == [
        (A, "scraper", None),
        (B, None, {"code": "not_found", "message": f"No item {B}."}),
        (C, "sp_api", None),
        (D, "creators_api", None),
    ]
    assert (spapi.calls, creators.calls, scraper.calls) == ([[A, B, C, D]], [[A, D]], [[A]])


def test_an_asin_no_source_can_answer_is_an_error_item_with_the_last_reason(
    client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    spapi = ScriptedSource(ItemSourceKind.SPAPI, 20, raises=RetryableError("Saturated.", 12.0))
    creators = ScriptedSource(ItemSourceKind.CREATORS, 10, {A: unavailable})
    plug(monkeypatch, spapi, creators)
    body = items(client, tenant, f"{A},{B},not-an-asin")
    assert body["items"] == [
        {
            "asin": A,
            "error": {"code": "unavailable", "message": "Throttled.", "retry_after_seconds": 30.0},
        },
        body["items"][1],
        {
            "asin": "NOT-AN-ASIN",
            "error": {
                "code": "invalid_asin",
                "message": "Not an ASIN: an ASIN is 10 letters and digits.",
            },
        },
    ]
    assert (body["items"][1]["asin"], body["items"][1]["source"]) == (B, "creators_api")
    # Failures are not cached: asking again asks the sources again.
    items(client, tenant, A)
    assert spapi.calls == [[A, B], [A]]


def test_batches_follow_each_sources_max_batch(
    client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    asins = [f"B0{number:08d}" for number in range(45)]
    spapi = ScriptedSource(ItemSourceKind.SPAPI, 20)
    plug(monkeypatch, spapi)
    body = items(client, tenant, ",".join(asins))
    assert [len(call) for call in spapi.calls] == [20, 20, 5]
    assert [entry["asin"] for entry in body["items"]] == asins


def test_second_request_is_answered_from_the_cache(
    client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    spapi = ScriptedSource(ItemSourceKind.SPAPI, 20, {C: not_found})
    plug(monkeypatch, spapi)
    first = items(client, tenant, f"{A},{B},{C}")
    second = items(client, tenant, f"{B},{A},{C}")
    assert spapi.calls == [[A, B, C], [C]]
    assert [second["items"][1], second["items"][0]] == first["items"][:2]
    assert stats(client, tenant) == {
        "hit_rate": 0.3333,
        "cache_size": stats(client, tenant)["cache_size"],
        "items_cached": 2,
        "hits": 2,
        "misses": 4,
    }
    assert stats(client, tenant)["cache_size"] > 600


def test_a5_organizations_share_no_cached_item_and_clear_only_their_own(
    client: TestClient, tenant: Tenant, other_tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    spapi = ScriptedSource(ItemSourceKind.SPAPI, 20)
    plug(monkeypatch, spapi)
    items(client, tenant, f"{A},{B}")
    assert stats(client, other_tenant) == {
        "hit_rate": 0.0,
        "cache_size": 0,
        "items_cached": 0,
        "hits": 0,
        "misses": 0,
    }
    items(client, other_tenant, A)
    assert spapi.calls == [[A, B], [A]]  # B's organization fetched A for itself
    response = client.post("/api/cache/clear", headers=tenant.headers)
    assert response.json() == {"status": "cleared", "cleared_items": 2}
    assert stats(client, tenant)["items_cached"] == 0
    assert stats(client, other_tenant)["items_cached"] == 1
    items(client, other_tenant, A)
    assert spapi.calls == [[A, B], [A]]


def test_no_source_and_no_demo_gives_unavailable_items(client: TestClient, tenant: Tenant) -> None:
    body = items(client, tenant, A)
    assert body["items"] == [
        {
            "asin": A,
            "error": {
                "code": "unavailable",
                "message": "No source can fetch items for this organization: connect an Amazon"
                " account with SP-API credentials for this marketplace, add a Creators API"
                " credential, or switch the scraper on.",
            },
        }
    ]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        pytest.param(
            {"asins": A, "marketplace": "ebay.com"},
            "marketplace",
            '"ebay.com" is not an Amazon marketplace (e.g. amazon.com, amazon.de).',
            id="not-amazon",
        ),
        pytest.param(
            {"asins": A, "marketplace": "amazon.moon"},
            "marketplace",
            '"amazon.moon" is not an Amazon marketplace (e.g. amazon.com, amazon.de).',
            id="unknown-marketplace",
        ),
        pytest.param({"asins": " , "}, "asins", "no ASIN given", id="empty"),
        pytest.param(
            {"asins": ",".join(f"B0{number:08d}" for number in range(101))},
            "asins",
            "101 distinct ASINs given; a request takes at most 100.",
            id="101",
        ),
    ],
)
def test_malformed_requests_are_422(
    client: TestClient, tenant: Tenant, query: dict[str, str], field: str, message: str
) -> None:
    response = client.get("/api/amazon/items", params=query, headers=tenant.headers)
    assert response.status_code == 422
    assert [(error["field"], error["message"]) for error in response.json()["errors"]] == [
        (field, message)
    ]


def test_missing_asins_parameter_is_422(client: TestClient, tenant: Tenant) -> None:
    response = client.get("/api/amazon/items", headers=tenant.headers)
    assert response.status_code == 422


def test_viewer_reads_but_cannot_clear(
    context: AppContext, client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    plug(monkeypatch, ScriptedSource(ItemSourceKind.SPAPI, 20))
    viewer = member(context, client, tenant, Role.VIEWER)
    items(client, viewer, A)
    before = stats(client, tenant)
    response = client.post("/api/cache/clear", headers=viewer.headers)
    assert response.status_code == 403
    assert stats(client, viewer) == before
    assert before["items_cached"] == 1


def test_routes_need_authentication(client: TestClient) -> None:
    assert client.get("/api/amazon/items", params={"asins": A}).status_code == 401
    assert client.get("/api/cache/stats").status_code == 401
    assert client.post("/api/cache/clear").status_code == 401


@pytest.fixture
def statements(context: AppContext) -> Iterator[list[str]]:
    """The SQL statements the app sends while the test runs (SQLite's BEGIN aside)."""
    sent: list[str] = []

    def record(*arguments: Any) -> None:
        if not arguments[2].startswith("BEGIN"):
            sent.append(arguments[2])

    engines = {context.database.engine, context.database.read_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    yield sent
    for engine in engines:
        event.remove(engine, "before_cursor_execute", record)


def test_a_fully_cached_request_queries_only_for_authentication(
    client: TestClient,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
    statements: list[str],
) -> None:
    plug(monkeypatch, ScriptedSource(ItemSourceKind.SPAPI, 20))
    asins = ",".join(f"B0{number:08d}" for number in range(20))
    items(client, tenant, asins)
    statements.clear()
    stats(client, tenant)  # authentication and nothing else
    authentication = list(statements)
    statements.clear()
    items(client, tenant, asins)
    assert statements == authentication


def test_price_history_counts_in_the_deal_score(
    context: AppContext, client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    plug(monkeypatch, ScriptedSource(ItemSourceKind.SPAPI, 20))
    account = create_account(client, tenant, marketplace="amazon.com")
    now = utcnow()
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        for price in ("80.00", "120.00"):
            session.add(
                OfferSnapshot(
                    organization_id=tenant.organization_id,
                    marketplace_account_id=uuid.UUID(account["id"]),
                    asin=A, observed_at=now - timedelta(days=3), confirmed_at=now,
                    source="test", condition="new", offer_count=1, currency="USD",
                    buy_box_price=Decimal(price), offers=[],
                )
            )  # fmt: skip
    (item,) = items(client, tenant, A)["items"]
    # 4.85 points of 9 without history (5.4); the price 80.00 is the lowest of the range seen,
    # 80.00-120.00: + 1 of 1 -> 5.85 of 10 possible -> 5.9 (rounded half-up)
    assert item["deal_score"] == 5.9
    (other,) = items(client, tenant, B)["items"]  # never observed: no history term
    assert other["deal_score"] == 5.4
