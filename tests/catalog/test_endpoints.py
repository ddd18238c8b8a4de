"""The product list's fast path: orjson from plain rows, byte for byte what ProductOut gives."""

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.catalog.endpoints import product_out
from shelfwise.catalog.repository import ProductRepository
from shelfwise.catalog.schemas import ProductPage
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, create_product

FULL_PRODUCT: dict[str, Any] = {
    "title": 'Bosch "Professional" GSR 18V-55 \u2013 Akku-Bohrschrauber\tmit Koffer ✓',
    "brand": "Bosch",
    "gtin": "4006381333931",
    "asin": "B07PGL2ZSL",
    "category": "Power Tools > Drills",
    "description": "Line one\nline two \\ back-slash, \u2028 separator, control \u0001 and 🙂",
    "images": ["https://images.example.com/a.jpg", "https://images.example.com/b.jpg"],
    "attributes": {
        "voltage": 18,
        "weight_kg": 1.6,
        "ratio": 0.1,
        "tiny": 1e-7,
        "large": 1e16,
        "negative": -2.5,
        "exact": 9_007_199_254_740_993,
        "is_brushless": True,
        "accessories": None,
        "sizes": [1, 2.5, "M10"],
        "nested": {"über": {"zähne": 24}},
    },
    "cost": {"amount": "41.5", "currency": "EUR"},
    "source_updated_at": "2024-05-01T10:30:00+02:00",
}
BARE_PRODUCT: dict[str, Any] = {"title": "Plain hammer"}
# Beyond 64 bits: orjson cannot write it, so the page falls back to pydantic.
BIG_INTEGER_PRODUCT: dict[str, Any] = {
    "title": "Counter",
    "attributes": {"serial": 2**70, "negative": -(2**65)},
    "cost": {"amount": "0", "currency": "GBP"},
}


def pydantic_page(context: AppContext, tenant: Tenant, page: dict[str, Any]) -> bytes:
    """The page as the endpoint rendered it before the fast path: entities through ProductOut."""
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        repository = ProductRepository(session, tenant.organization_id)
        products = [repository.get(uuid.UUID(item["id"])) for item in page["items"]]
        items = [product_out(product) for product in products if product is not None]
    return ProductPage(items=items, next_cursor=page["next_cursor"]).model_dump_json().encode()


@pytest.mark.parametrize(
    "bodies",
    [
        pytest.param([FULL_PRODUCT], id="every-field"),
        pytest.param([BARE_PRODUCT], id="only-required-fields"),
        pytest.param([BIG_INTEGER_PRODUCT, FULL_PRODUCT], id="integer-beyond-64-bits"),
    ],
)
def test_product_list_renders_like_the_pydantic_models(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    backend: str,
    bodies: list[dict[str, Any]],
) -> None:
    for body in bodies:
        create_product(client, tenant, **body)

    response = client.get("/api/products", headers=tenant.headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert len(response.json()["items"]) == len(bodies)
    expected = pydantic_page(context, tenant, response.json())
    if backend == "sqlite":
        assert response.content == expected
    else:
        # PostgreSQL writes the rows (platform/sqljson.py): every value and every text the same
        # (datetimes, money, big integers), only nested JSONB documents keep their own spacing.
        assert json.loads(response.content) == json.loads(expected)


def test_product_list_pages_render_like_the_single_product_route(
    client: TestClient, tenant: Tenant
) -> None:
    created = [create_product(client, tenant, **FULL_PRODUCT) for _ in range(3)]

    first = client.get("/api/products?limit=2&sort=created_at", headers=tenant.headers).json()
    second = client.get(
        f"/api/products?limit=2&sort=created_at&cursor={first['next_cursor']}",
        headers=tenant.headers,
    ).json()

    assert [item["id"] for item in first["items"] + second["items"]] == [
        product["id"] for product in created
    ]
    assert second["next_cursor"] is None
    for item in first["items"] + second["items"]:
        single = client.get(f"/api/products/{item['id']}", headers=tenant.headers)
        assert item == single.json()


def test_big_integers_in_attributes_survive_the_round_trip(
    client: TestClient, tenant: Tenant
) -> None:
    create_product(client, tenant, **BIG_INTEGER_PRODUCT)

    item = client.get("/api/products", headers=tenant.headers).json()["items"][0]

    assert item["attributes"] == {"serial": 2**70, "negative": -(2**65)}
    assert item["cost"] == {"amount": "0.00", "currency": "GBP"}


def test_product_list_keeps_its_documented_schema(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/products"]["get"]

    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ProductPage"}
