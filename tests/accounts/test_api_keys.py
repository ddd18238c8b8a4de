"""API keys: shown once, stored as SHA-256, one organization and a role no higher than the
creator's."""

import hashlib
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import ApiKey, Role
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.platform.context import AppContext
from tests.accounts.conftest import bearer, problem
from tests.factories import Tenant, create_product, create_tenant, unique


def create_key(
    client: TestClient, tenant: Tenant, role: str = "viewer", name: str = "CI"
) -> dict[str, Any]:
    response = client.post(
        "/api/api-keys", json={"name": name, "role": role}, headers=tenant.headers
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def stored_keys(context: AppContext, organization_id: uuid.UUID) -> list[ApiKey]:
    with context.database.unit_of_work(write=False) as session:
        return AccountsRepository(session).api_keys_of(organization_id)


def product_ids(client: TestClient, tenant: Tenant) -> list[str]:
    response = client.get("/api/products", headers=tenant.headers)
    assert response.status_code == 200
    return [item["id"] for item in response.json()["items"]]


def test_create_shows_the_key_once_and_the_list_never(client: TestClient, tenant: Tenant) -> None:
    created = create_key(client, tenant, role="analyst", name="  Nightly import  ")
    key = created.pop("key")
    assert key.startswith("swk_")
    assert len(key) == 4 + 43  # "swk_" and 32 random bytes in URL-safe base64
    assert created["prefix"] == key[:12]
    assert (created["name"], created["role"]) == ("Nightly import", "analyst")
    assert (created["last_used_at"], created["revoked_at"]) == (None, None)

    listed = client.get("/api/api-keys", headers=tenant.headers)
    assert listed.status_code == 200
    assert listed.json() == [created]
    assert key not in listed.text
    assert key[12:] not in listed.text


def test_database_holds_only_the_sha256_of_the_key(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    created = create_key(client, tenant)
    [row] = stored_keys(context, tenant.organization_id)
    assert row.id == uuid.UUID(created["id"])
    assert row.key_hash == hashlib.sha256(created["key"].encode()).hexdigest()
    secret_part = created["key"][12:]
    for column in ApiKey.__table__.columns:
        assert secret_part not in str(getattr(row, column.key))


def test_key_acts_in_its_organization_with_its_role(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    own = create_product(client, tenant)
    create_product(client, other_tenant)
    created = create_key(client, tenant, role="viewer")

    who = client.get("/api/auth/me", headers=bearer(created["key"]))
    assert who.status_code == 200
    assert who.json() == {
        "user_id": None,
        "email": None,
        "is_totp_enabled": False,
        "organization_id": str(tenant.organization_id),
        "role": "viewer",
        "organizations": [],
    }
    listed = client.get("/api/products", headers=bearer(created["key"]))
    assert [item["id"] for item in listed.json()["items"]] == [own["id"]]


def test_viewer_key_cannot_write_and_nothing_is_written(client: TestClient, tenant: Tenant) -> None:
    created = create_key(client, tenant, role="viewer")
    before = product_ids(client, tenant)
    response = client.post(
        "/api/products",
        json={"source_platform": "manual", "source_id": unique("SRC"), "title": "Forbidden"},
        headers=bearer(created["key"]),
    )
    assert response.status_code == 403
    assert problem(response)["detail"] == "This action needs the analyst role or higher."
    assert product_ids(client, tenant) == before


def test_analyst_key_can_write_in_its_organization(client: TestClient, tenant: Tenant) -> None:
    created = create_key(client, tenant, role="analyst")
    response = client.post(
        "/api/products",
        json={"source_platform": "manual", "source_id": "KEY-1", "title": "Written by a key"},
        headers=bearer(created["key"]),
    )
    assert response.status_code == 201
    assert product_ids(client, tenant) == [response.json()["id"]]


@pytest.mark.parametrize(
    ("creator", "wanted", "status"),
    [
        pytest.param(Role.ADMIN, "owner", 403, id="admin-asks-owner"),
        pytest.param(Role.ADMIN, "admin", 201, id="admin-asks-admin"),
        pytest.param(Role.OWNER, "owner", 201, id="owner-asks-owner"),
        pytest.param(Role.ANALYST, "viewer", 403, id="analyst-asks-viewer"),
        pytest.param(Role.VIEWER, "viewer", 403, id="viewer-asks-viewer"),
    ],
)
def test_key_role_is_never_above_its_creators(
    client: TestClient, context: AppContext, creator: Role, wanted: str, status: int
) -> None:
    member = create_tenant(context, client, creator)
    response = client.post(
        "/api/api-keys", json={"name": "k", "role": wanted}, headers=member.headers
    )
    assert response.status_code == status, response.text
    expected = [wanted] if status == 201 else []
    assert [k.role.value for k in stored_keys(context, member.organization_id)] == expected


def test_revoked_key_is_401(client: TestClient, context: AppContext, tenant: Tenant) -> None:
    created = create_key(client, tenant)
    assert client.get("/api/auth/me", headers=bearer(created["key"])).status_code == 200

    revoked = client.delete(f"/api/api-keys/{created['id']}", headers=tenant.headers)
    assert revoked.status_code == 204
    response = client.get("/api/auth/me", headers=bearer(created["key"]))
    assert response.status_code == 401
    assert problem(response)["detail"] == "Missing, invalid or expired credentials."
    [listed] = client.get("/api/api-keys", headers=tenant.headers).json()
    assert listed["revoked_at"] is not None


def test_another_organization_cannot_revoke_a_key(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    created = create_key(client, tenant)
    response = client.delete(f"/api/api-keys/{created['id']}", headers=other_tenant.headers)
    assert response.status_code == 404
    assert client.get("/api/auth/me", headers=bearer(created["key"])).status_code == 200


def test_key_with_another_organizations_header_is_401(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    key = create_key(client, tenant)["key"]
    foreign = client.get(
        "/api/auth/me",
        headers=bearer(key) | {"X-Organization-Id": str(other_tenant.organization_id)},
    )
    assert foreign.status_code == 401
    assert problem(foreign)["detail"] == "This API key belongs to another organization."
    own = client.get(
        "/api/auth/me", headers=bearer(key) | {"X-Organization-Id": str(tenant.organization_id)}
    )
    assert own.status_code == 200
    assert own.json()["organization_id"] == str(tenant.organization_id)


def test_unknown_key_is_401(client: TestClient) -> None:
    response = client.get("/api/auth/me", headers=bearer("swk_" + "A" * 43))
    assert response.status_code == 401
    assert problem(response)["detail"] == "Missing, invalid or expired credentials."


def test_using_a_key_records_when_it_was_last_used(client: TestClient, tenant: Tenant) -> None:
    created = client.post(
        "/api/api-keys", json={"name": "n8n", "role": "analyst"}, headers=tenant.headers
    ).json()
    assert created["last_used_at"] is None
    key_headers = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/api/products", headers=key_headers).status_code == 200
    listed = client.get("/api/api-keys", headers=tenant.headers).json()
    (used,) = [key for key in listed if key["id"] == created["id"]]
    assert used["last_used_at"] is not None


def test_a_keys_first_use_may_be_a_write(client: TestClient, tenant: Tenant) -> None:
    """The use is recorded inside the write's own transaction (no second writer on SQLite)."""
    created = client.post(
        "/api/api-keys", json={"name": "importer", "role": "analyst"}, headers=tenant.headers
    ).json()
    key_headers = {"Authorization": f"Bearer {created['key']}"}
    body = {"source_platform": "allegro", "source_id": unique("A"), "title": "Makita drill"}
    assert client.post("/api/products", json=body, headers=key_headers).status_code == 201
    listed = client.get("/api/api-keys", headers=tenant.headers).json()
    (used,) = [key for key in listed if key["id"] == created["id"]]
    assert used["last_used_at"] is not None
