"""Marketplace accounts through the HTTP API."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.platform.context import AppContext
from tests.factories import (
    Tenant,
    add_member,
    create_account,
    create_credential,
    create_listing,
    create_user,
    login,
    unique,
)


def accounts_of(client: TestClient, tenant: Tenant) -> list[dict[str, Any]]:
    response = client.get("/api/marketplace-accounts", headers=tenant.headers)
    assert response.status_code == 200
    result: list[dict[str, Any]] = response.json()
    return result


def error_fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_create_read_update_delete_account(client: TestClient, tenant: Tenant) -> None:
    created = create_account(
        client, tenant, name="  DE store ", marketplace=" Amazon.DE ", seller_id="A1SELLER"
    )
    assert {key: value for key, value in created.items() if not key.endswith("_at")} == {
        "id": created["id"],
        "name": "DE store",
        "platform": "amazon",
        "marketplace": "amazon.de",
        "seller_id": "A1SELLER",
        "region": "eu",
        "credential_id": None,
        "is_active": True,
        "connection_status": "unverified",  # until a call says otherwise
        "connection_error": None,
    }
    read = client.get(f"/api/marketplace-accounts/{created['id']}", headers=tenant.headers)
    assert read.status_code == 200
    assert read.json() == created
    assert accounts_of(client, tenant) == [created]

    patched = client.patch(
        f"/api/marketplace-accounts/{created['id']}",
        json={"name": "Germany", "is_active": False},
        headers=tenant.headers,
    )
    assert patched.status_code == 200
    assert (patched.json()["name"], patched.json()["is_active"]) == ("Germany", False)
    assert patched.json()["marketplace"] == "amazon.de"

    deleted = client.delete(f"/api/marketplace-accounts/{created['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    gone = client.get(f"/api/marketplace-accounts/{created['id']}", headers=tenant.headers)
    assert gone.status_code == 404
    assert accounts_of(client, tenant) == []


@pytest.mark.parametrize(
    ("platform", "marketplace", "message"),
    [
        ("ebay", "amazon.de", "amazon.de is not a ebay marketplace"),
        ("amazon", "ebay.co.uk", "ebay.co.uk is not a amazon marketplace"),
        ("kaufland", "amazon.com", "amazon.com is not a kaufland marketplace"),
    ],
    ids=["ebay-on-amazon", "amazon-on-ebay", "kaufland-on-amazon"],
)
def test_platform_marketplace_mismatch_is_422_and_nothing_written(
    client: TestClient, tenant: Tenant, platform: str, marketplace: str, message: str
) -> None:
    response = client.post(
        "/api/marketplace-accounts",
        json={"name": "Wrong", "platform": platform, "marketplace": marketplace},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [{"field": "body.marketplace", "message": message}]
    assert accounts_of(client, tenant) == []


def test_unknown_marketplace_is_422(client: TestClient, tenant: Tenant) -> None:
    response = client.post(
        "/api/marketplace-accounts",
        json={"name": "Nowhere", "platform": "amazon", "marketplace": "amazon.xx"},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert error_fields(response) == ["body.marketplace"]
    assert accounts_of(client, tenant) == []


def test_unknown_platform_is_422(client: TestClient, tenant: Tenant) -> None:
    response = client.post(
        "/api/marketplace-accounts",
        json={"name": "Nowhere", "platform": "etsy", "marketplace": "amazon.de"},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert error_fields(response) == ["body.platform"]


def test_same_seller_on_same_marketplace_twice_is_409(client: TestClient, tenant: Tenant) -> None:
    first = create_account(client, tenant, seller_id="SAME")
    response = client.post(
        "/api/marketplace-accounts",
        json={
            "name": "Again",
            "platform": "amazon",
            "marketplace": "amazon.co.uk",
            "seller_id": "SAME",
        },
        headers=tenant.headers,
    )
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert accounts_of(client, tenant) == [first]


def test_credential_must_belong_to_the_organization(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    own = create_credential(client, tenant)
    foreign = create_credential(client, other_tenant)

    linked = create_account(client, tenant, credential_id=own["id"])
    assert linked["credential_id"] == own["id"]
    refused = client.post(
        "/api/marketplace-accounts",
        json={
            "name": "Foreign",
            "platform": "amazon",
            "marketplace": "amazon.com",
            "credential_id": foreign["id"],
        },
        headers=tenant.headers,
    )
    assert refused.status_code == 422
    assert error_fields(refused) == ["body.credential_id"]
    patched = client.patch(
        f"/api/marketplace-accounts/{linked['id']}",
        json={"credential_id": foreign["id"]},
        headers=tenant.headers,
    )
    assert patched.status_code == 422
    assert error_fields(patched) == ["body.credential_id"]
    assert accounts_of(client, tenant) == [linked]


@pytest.mark.parametrize("field", ["name", "is_active"])
def test_patch_to_null_is_422(client: TestClient, tenant: Tenant, field: str) -> None:
    account = create_account(client, tenant)
    response = client.patch(
        f"/api/marketplace-accounts/{account['id']}", json={field: None}, headers=tenant.headers
    )
    assert response.status_code == 422
    assert error_fields(response) == [f"body.{field}"]
    assert accounts_of(client, tenant) == [account]


def test_deleting_an_account_deletes_its_listings(client: TestClient, tenant: Tenant) -> None:
    account = create_account(client, tenant)
    listing = create_listing(client, tenant, marketplace_account_id=account["id"])
    response = client.delete(f"/api/marketplace-accounts/{account['id']}", headers=tenant.headers)
    assert response.status_code == 204
    gone = client.get(f"/api/listings/{listing['id']}", headers=tenant.headers)
    assert gone.status_code == 404


def test_analyst_cannot_manage_accounts_and_nothing_changes(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    account = create_account(client, tenant)
    email = f"{unique('analyst')}@example.com"
    create_user(context, email)
    add_member(context, tenant.organization_id, email, Role.ANALYST)
    analyst = {"Authorization": f"Bearer {login(client, email)['access_token']}"}
    path = f"/api/marketplace-accounts/{account['id']}"
    body = {"name": "Mine", "platform": "amazon", "marketplace": "amazon.com"}

    assert client.post("/api/marketplace-accounts", json=body, headers=analyst).status_code == 403
    assert client.patch(path, json={"name": "X"}, headers=analyst).status_code == 403
    assert client.delete(path, headers=analyst).status_code == 403
    assert client.get(path, headers=analyst).json() == account  # viewers and up read
    assert accounts_of(client, tenant) == [account]
