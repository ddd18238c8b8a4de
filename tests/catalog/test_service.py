"""Every catalog create, update and delete leaves one audit entry with exact before and after."""

from typing import Any

from fastapi.testclient import TestClient

from tests.factories import Tenant, create_account, create_listing, unique


def audit_of(client: TestClient, tenant: Tenant, entity_id: str) -> list[dict[str, Any]]:
    """(action, before, after, request id) of an entity's audit entries, oldest first."""
    response = client.get("/api/audit", params={"entity_id": entity_id}, headers=tenant.headers)
    assert response.status_code == 200
    items = response.json()["items"]
    for item in items:
        assert (item["actor_type"], item["actor_id"]) == ("user", str(tenant.user_id))
    return [
        {key: item[key] for key in ("action", "entity_type", "before", "after", "request_id")}
        for item in reversed(items)
    ]


def headers(tenant: Tenant, request_id: str) -> dict[str, str]:
    return tenant.headers | {"X-Request-Id": request_id}


def test_product_audit_trail(client: TestClient, tenant: Tenant) -> None:
    source_id = unique("SRC")
    created = client.post(
        "/api/products",
        json={
            "source_platform": "allegro",
            "source_id": source_id,
            "title": "Drill",
            "brand": "Bosch",
            "cost": {"amount": "41.50", "currency": "EUR"},
        },
        headers=headers(tenant, "req-create"),
    ).json()
    path = f"/api/products/{created['id']}"
    client.patch(path, json={"brand": "Makita"}, headers=headers(tenant, "req-update"))
    client.patch(path, json={"brand": "Makita"}, headers=headers(tenant, "req-no-change"))
    client.delete(path, headers=headers(tenant, "req-delete"))

    snapshot = {
        "source_platform": "allegro",
        "source_id": source_id,
        "title": "Drill",
        "brand": "Bosch",
        "gtin": None,
        "asin": None,
        "category": None,
        "description": None,
        "images": [],
        "attributes": {},
        "cost_amount": "41.50",
        "cost_currency": "EUR",
        "source_updated_at": None,
    }
    assert audit_of(client, tenant, created["id"]) == [
        {
            "action": "product.created",
            "entity_type": "product",
            "before": None,
            "after": snapshot,
            "request_id": "req-create",
        },
        {
            "action": "product.updated",
            "entity_type": "product",
            "before": {"brand": "Bosch"},
            "after": {"brand": "Makita"},
            "request_id": "req-update",
        },
        {
            "action": "product.deleted",
            "entity_type": "product",
            "before": snapshot | {"brand": "Makita"},
            "after": None,
            "request_id": "req-delete",
        },
    ]


def test_marketplace_account_audit_trail(client: TestClient, tenant: Tenant) -> None:
    account = create_account(client, tenant, name="UK", seller_id="SELLER-1")
    path = f"/api/marketplace-accounts/{account['id']}"
    client.patch(path, json={"is_active": False}, headers=headers(tenant, "req-update"))
    client.delete(path, headers=headers(tenant, "req-delete"))

    snapshot = {
        "name": "UK",
        "platform": "amazon",
        "marketplace": "amazon.co.uk",
        "seller_id": "SELLER-1",
        "region": "eu",
        "credential_id": None,
        "is_active": True,
    }
    trail = audit_of(client, tenant, account["id"])
    assert [(entry["action"], entry["before"], entry["after"]) for entry in trail] == [
        ("marketplace_account.created", None, snapshot),
        ("marketplace_account.updated", {"is_active": True}, {"is_active": False}),
        ("marketplace_account.deleted", snapshot | {"is_active": False}, None),
    ]
    assert [entry["request_id"] for entry in trail][1:] == ["req-update", "req-delete"]


def test_listing_audit_trail(client: TestClient, tenant: Tenant) -> None:
    listing = create_listing(client, tenant, sku="AUDITED")
    path = f"/api/listings/{listing['id']}"
    client.patch(path, json={"title": "New title"}, headers=tenant.headers)
    client.patch(
        path, json={"price": {"amount": "79.00", "currency": "GBP"}}, headers=tenant.headers
    )
    client.post(f"{path}/status", json={"status": "optimizing"}, headers=tenant.headers)
    client.post(f"{path}/revert", json={"version": 1}, headers=tenant.headers)
    client.delete(path, headers=tenant.headers)

    content = {
        "title": listing["title"],
        "bullets": listing["bullets"],
        "description": None,
        "images": [],
        "attributes": {},
    }
    created = {
        "product_id": listing["product_id"],
        "marketplace_account_id": listing["marketplace_account_id"],
        "marketplace": "amazon.co.uk",
        "sku": "AUDITED",
        "asin": None,
        **content,
        "price_amount": "89.99",
        "price_currency": "GBP",
        "quantity": 12,
        "status": "imported",
        "content_version": 1,
    }
    trail = audit_of(client, tenant, listing["id"])
    assert [(entry["action"], entry["before"], entry["after"]) for entry in trail] == [
        ("listing.created", None, created),
        (
            "listing.updated",
            {"title": listing["title"], "content_version": 1},
            {"title": "New title", "content_version": 2},
        ),
        ("listing.updated", {"price_amount": "89.99"}, {"price_amount": "79.00"}),
        ("listing.status_changed", {"status": "imported"}, {"status": "optimizing"}),
        (
            "listing.reverted",
            content | {"title": "New title", "content_version": 2},
            content | {"content_version": 3},
        ),
        (
            "listing.deleted",
            created | {"price_amount": "79.00", "status": "optimizing", "content_version": 3},
            None,
        ),
    ]
