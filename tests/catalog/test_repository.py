"""Listing filters, sorting, cursor pagination, page-size clamp and the catalog summary."""

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.catalog.repository import ListingRepository
from shelfwise.platform.context import AppContext
from shelfwise.platform.pagination import encode_cursor
from tests.apps import client_with
from tests.factories import Tenant, create_account, create_listing, create_product, create_tenant

# sku: (title, product, account, price, status path, quality score, asin)
LISTINGS: dict[str, tuple[str, str, str, str | None, tuple[str, ...], int | None, str | None]] = {
    "SKU-1": ("Anvil clamp", "bosch", "uk", "19.99", (), 90, "B07PGL2ZSL"),
    "SKU-2": ("Bench grinder", "makita", "de", "49.00", ("optimizing",), 40, None),
    "SKU-3": ("Chisel set", "bosch", "de", None, ("optimizing", "optimized"), None, None),
    "SKU-4": ("Drill kit", "plain", "uk", "19.99", ("publishing", "published"), 75, None),
    "SKU-5": ("Drill kit", "makita", "uk", "99.50", ("optimizing", "failed"), 50, None),
    "SKU-6": ("Edge sander", "bosch", "de", "5.00", (), 80, None),
    "SKU-7": ("File set", "makita", "uk", None, ("publishing",), 75, None),
    "SKU-8": ("Grinding disc", "plain", "de", "12.00", (), None, None),
}


@dataclass
class Shelf:
    tenant: Tenant
    products: dict[str, str]
    accounts: dict[str, str]
    listings: dict[str, dict[str, Any]]  # by SKU, as the API last returned them


@pytest.fixture(scope="module")
def shelf(context: AppContext, client: TestClient) -> Shelf:
    """One organization with the listings above (and a look-alike in another organization)."""
    tenant = create_tenant(context, client)
    products = {
        "bosch": create_product(client, tenant, brand="Bosch")["id"],
        "makita": create_product(client, tenant, brand="Makita")["id"],
        "plain": create_product(client, tenant)["id"],
    }
    create_product(client, tenant, brand="Bosch", title="Spare battery")  # no listing
    accounts = {
        "uk": create_account(client, tenant, marketplace="amazon.co.uk")["id"],
        "de": create_account(client, tenant, marketplace="amazon.de")["id"],
    }
    scores = {}
    for sku, (title, product, account, price, path, score, asin) in LISTINGS.items():
        listing = create_listing(
            client,
            tenant,
            sku=sku,
            title=title,
            product_id=products[product],
            marketplace_account_id=accounts[account],
            price={"amount": price, "currency": "GBP"} if price else None,
            asin=asin,
        )
        for status in path:
            response = client.post(
                f"/api/listings/{listing['id']}/status",
                json={"status": status},
                headers=tenant.headers,
            )
            assert response.status_code == 200
        scores[uuid.UUID(listing["id"])] = score
    # No API sets quality scores yet (scoring lands later), so set them directly.
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        repository = ListingRepository(session, tenant.organization_id)
        for listing_id, score in scores.items():
            row = repository.get(listing_id)
            assert row is not None
            row.quality_score = score
    stranger = create_tenant(context, client)
    create_listing(client, stranger, sku="SKU-1", title="Drill kit")
    everything = client.get("/api/listings", params={"limit": 200}, headers=tenant.headers)
    listings = {item["sku"]: item for item in everything.json()["items"]}
    assert sorted(listings) == sorted(LISTINGS)
    return Shelf(tenant, products, accounts, listings)


def skus(client: TestClient, shelf: Shelf, params: Any) -> list[str]:
    response = client.get("/api/listings", params=params, headers=shelf.tenant.headers)
    assert response.status_code == 200, response.text
    return sorted(item["sku"] for item in response.json()["items"])


def test_listings_carry_their_seeded_values(shelf: Shelf) -> None:
    assert {
        sku: (item["title"], item["status"], item["quality_score"], item["marketplace"])
        for sku, item in shelf.listings.items()
    } == {
        "SKU-1": ("Anvil clamp", "imported", 90, "amazon.co.uk"),
        "SKU-2": ("Bench grinder", "optimizing", 40, "amazon.de"),
        "SKU-3": ("Chisel set", "optimized", None, "amazon.de"),
        "SKU-4": ("Drill kit", "published", 75, "amazon.co.uk"),
        "SKU-5": ("Drill kit", "failed", 50, "amazon.co.uk"),
        "SKU-6": ("Edge sander", "imported", 80, "amazon.de"),
        "SKU-7": ("File set", "publishing", 75, "amazon.co.uk"),
        "SKU-8": ("Grinding disc", "imported", None, "amazon.de"),
    }


FILTERS: list[tuple[str, Callable[[Shelf], Any], list[str]]] = [
    ("q-title-any-case", lambda s: {"q": "dRiLl"}, ["SKU-4", "SKU-5"]),
    ("q-sku", lambda s: {"q": "sku-3"}, ["SKU-3"]),
    ("q-asin", lambda s: {"q": "b07pgl2zsl"}, ["SKU-1"]),
    ("q-percent-is-literal", lambda s: {"q": "%"}, []),
    ("q-underscore-is-literal", lambda s: {"q": "_"}, []),
    ("status-one", lambda s: {"status": "imported"}, ["SKU-1", "SKU-6", "SKU-8"]),
    (
        "status-repeated",
        lambda s: [("status", "imported"), ("status", "failed")],
        ["SKU-1", "SKU-5", "SKU-6", "SKU-8"],
    ),
    ("marketplace", lambda s: {"marketplace": "amazon.de"}, ["SKU-2", "SKU-3", "SKU-6", "SKU-8"]),
    (
        "marketplace-account",
        lambda s: {"marketplace_account_id": s.accounts["uk"]},
        ["SKU-1", "SKU-4", "SKU-5", "SKU-7"],
    ),
    ("product", lambda s: {"product_id": s.products["bosch"]}, ["SKU-1", "SKU-3", "SKU-6"]),
    ("brand-bosch", lambda s: {"brand": "Bosch"}, ["SKU-1", "SKU-3", "SKU-6"]),
    ("brand-makita", lambda s: {"brand": "Makita"}, ["SKU-2", "SKU-5", "SKU-7"]),
    ("score-min", lambda s: {"score_min": 75}, ["SKU-1", "SKU-4", "SKU-6", "SKU-7"]),
    ("score-max", lambda s: {"score_max": 50}, ["SKU-2", "SKU-5"]),
    (
        "score-between",
        lambda s: {"score_min": 50, "score_max": 80},
        ["SKU-4", "SKU-5", "SKU-6", "SKU-7"],
    ),
    (
        "combined",
        lambda s: {"status": "imported", "marketplace": "amazon.de", "score_min": 1},
        ["SKU-6"],
    ),
]


@pytest.mark.parametrize(
    ("params", "expected"),
    [(params, expected) for _name, params, expected in FILTERS],
    ids=[name for name, _params, _expected in FILTERS],
)
def test_listing_filters(
    client: TestClient, shelf: Shelf, params: Callable[[Shelf], Any], expected: list[str]
) -> None:
    assert skus(client, shelf, params(shelf)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"score_min": 101}, "query.score_min"),
        ({"score_max": -1}, "query.score_max"),
        ({"status": "archived"}, "query.status[0]"),
        ({"limit": 0}, "query.limit"),
        ({"sort": "colour"}, "query.sort"),
        ({"sort": "-"}, "query.sort"),
    ],
    ids=[
        "score-min-above-100",
        "score-max-negative",
        "unknown-status",
        "zero-limit",
        "sort-1",
        "sort-2",
    ],
)
def test_bad_list_parameters_are_422(
    client: TestClient, shelf: Shelf, params: dict[str, Any], field: str
) -> None:
    response = client.get("/api/listings", params=params, headers=shelf.tenant.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


def _sort_value(sort: str, item: dict[str, Any]) -> Any:
    field = sort.lstrip("-")
    if field == "price":
        return Decimal(item["price"]["amount"]) if item["price"] else Decimal(-1)
    if field == "score":
        return item["quality_score"] if item["quality_score"] is not None else -1
    if field.endswith("_at"):
        return datetime.fromisoformat(item[field])
    return item[field]


def walk(client: TestClient, shelf: Shelf, sort: str, limit: int) -> list[list[str]]:
    pages: list[list[str]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"sort": sort, "limit": limit}
        if cursor is not None:
            params["cursor"] = cursor
        response = client.get("/api/listings", params=params, headers=shelf.tenant.headers)
        assert response.status_code == 200, response.text
        pages.append([item["sku"] for item in response.json()["items"]])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) <= len(LISTINGS), "the cursor does not advance"


SORTS = ["title", "-title", "price", "-price", "score", "-score", "sku", "-sku", "-updated_at"]


@pytest.mark.parametrize("sort", SORTS)
def test_walking_all_pages_yields_every_listing_once_in_order(
    client: TestClient, shelf: Shelf, sort: str
) -> None:
    expected = [
        item["sku"]
        for item in sorted(
            shelf.listings.values(),
            key=lambda item: (_sort_value(sort, item), uuid.UUID(item["id"])),
            reverse=sort.startswith("-"),
        )
    ]

    pages = walk(client, shelf, sort, limit=3)

    assert [len(page) for page in pages] == [3, 3, 2]
    assert [sku for page in pages for sku in page] == expected


def test_ties_are_broken_by_id(shelf: Shelf) -> None:
    # The data really has ties for title, price and score, so the tie-breaker is exercised.
    titles = [item["title"] for item in shelf.listings.values()]
    prices = [item["price"]["amount"] for item in shelf.listings.values() if item["price"]]
    scores = [item["quality_score"] for item in shelf.listings.values()]
    assert titles.count("Drill kit") == 2
    assert prices.count("19.99") == 2
    assert (scores.count(75), scores.count(None)) == (2, 2)


def _cursor_after_first_page(client: TestClient, shelf: Shelf, sort: str) -> str:
    response = client.get(
        "/api/listings", params={"sort": sort, "limit": 3}, headers=shelf.tenant.headers
    )
    cursor: str = response.json()["next_cursor"]
    return cursor


@pytest.mark.parametrize(
    ("sort", "cursor"),
    [
        ("title", lambda c, s: "not a cursor!"),
        ("title", lambda c, s: base64.urlsafe_b64encode(b"{}").decode()),
        ("title", lambda c, s: encode_cursor(["Anvil clamp"])),
        ("title", lambda c, s: encode_cursor(["Anvil clamp", "not-a-uuid"])),
        ("price", lambda c, s: _cursor_after_first_page(c, s, "title")),
        ("created_at", lambda c, s: _cursor_after_first_page(c, s, "score")),
        ("score", lambda c, s: encode_cursor(["high", str(uuid.uuid4())])),
    ],
    ids=[
        "garbage",
        "not-a-list",
        "no-id",
        "bad-id",
        "title-cursor-for-price",
        "score-cursor-for-created-at",
        "text-for-score",
    ],
)
def test_invalid_cursor_is_422(
    client: TestClient,
    shelf: Shelf,
    sort: str,
    cursor: Callable[[TestClient, Shelf], str],
) -> None:
    response = client.get(
        "/api/listings",
        params={"sort": sort, "cursor": cursor(client, shelf)},
        headers=shelf.tenant.headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["query.cursor"]


def test_e4_page_size_is_clamped_to_max_page_size(context: AppContext, shelf: Shelf) -> None:
    with client_with(context, max_page_size=5, default_page_size=50) as small:
        for params in ({"limit": 1000}, {}, {"limit": 5}):
            response = small.get("/api/listings", params=params, headers=shelf.tenant.headers)
            assert response.status_code == 200
            assert len(response.json()["items"]) == 5, params
            assert response.json()["next_cursor"] is not None
        two = small.get("/api/listings", params={"limit": 2}, headers=shelf.tenant.headers)
        assert len(two.json()["items"]) == 2


def test_summary_counts_are_exact(client: TestClient, shelf: Shelf) -> None:
    response = client.get("/api/products/stats/summary", headers=shelf.tenant.headers)
    assert response.status_code == 200
    assert response.json() == {
        "products": 4,
        "listings": 8,
        "listings_by_status": {
            "imported": 3,
            "optimizing": 1,
            "optimized": 1,
            "publishing": 1,
            "published": 1,
            "failed": 1,
        },
        "listings_by_marketplace": {"amazon.co.uk": 4, "amazon.de": 4},
        "average_quality_score": 68.3,
        "brands": 2,
        "products_without_listings": 1,
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "query.limit"),
        ({"limit": "ten"}, "query.limit"),
        ({"q": "x" * 201}, "query.q"),
        ({"status": "archived"}, "query.status"),
        ({"sort": "colour"}, "query.sort"),
        ({"cursor": "not-a-cursor"}, "query.cursor"),
    ],
    ids=["zero-limit", "text-limit", "long-search", "unknown-status", "sort", "cursor"],
)
def test_bad_product_list_parameters_are_422(
    client: TestClient, shelf: Shelf, params: dict[str, Any], field: str
) -> None:
    response = client.get("/api/products", params=params, headers=shelf.tenant.headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]


def test_the_product_list_parameters_are_documented(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/products"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert set(parameters) == {
        "q",
        "brand",
        "source_platform",
        "marketplace",
        "status",
        "sort",
        "cursor",
        "limit",
    }
    assert all(parameter["in"] == "query" for parameter in parameters.values())
    assert parameters["limit"]["schema"]["anyOf"][0] == {"minimum": 1, "type": "integer"}
    assert "imported" in parameters["status"]["schema"]["anyOf"][0]["enum"]
