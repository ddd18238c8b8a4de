"""Products through the HTTP API."""

from fastapi.testclient import TestClient

from tests.factories import Tenant, create_product


def test_create_read_update_delete_product(client: TestClient, tenant: Tenant) -> None:
    created = create_product(
        client,
        tenant,
        source_id="ALLEGRO-1",
        brand="Bosch",
        gtin="4006381333931",
        cost={"amount": "41.5", "currency": "EUR"},
    )
    assert created["source_id"] == "ALLEGRO-1"
    assert created["gtin"] == "4006381333931"
    assert created["cost"] == {"amount": "41.50", "currency": "EUR"}

    read = client.get(f"/api/products/{created['id']}", headers=tenant.headers)
    assert read.status_code == 200
    assert read.json()["title"] == "Bosch Cordless Drill 18V"

    patched = client.patch(
        f"/api/products/{created['id']}",
        json={"brand": "Makita", "cost": None},
        headers=tenant.headers,
    )
    assert patched.status_code == 200
    assert patched.json()["brand"] == "Makita"
    assert patched.json()["cost"] is None

    assert (
        client.delete(f"/api/products/{created['id']}", headers=tenant.headers).status_code == 204
    )
    assert client.get(f"/api/products/{created['id']}", headers=tenant.headers).status_code == 404


def test_duplicate_source_key_is_409(client: TestClient, tenant: Tenant) -> None:
    create_product(client, tenant, source_platform="allegro", source_id="X-1")
    response = client.post(
        "/api/products",
        json={"source_platform": "allegro", "source_id": "X-1", "title": "Again"},
        headers=tenant.headers,
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"


def test_invalid_gtin_is_422_with_field_path_and_nothing_written(
    client: TestClient, tenant: Tenant
) -> None:
    response = client.post(
        "/api/products",
        json={
            "source_platform": "manual",
            "source_id": "BAD-GTIN",
            "title": "T",
            "gtin": "4006381333932",
        },
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.gtin"]
    listed = client.get("/api/products", params={"q": "BAD-GTIN"}, headers=tenant.headers).json()
    assert listed["items"] == []
