"""Small `create_x(**overrides)` helpers that go through the real services and API."""

import itertools
import time
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.ingest.signatures import sign
from shelfwise.platform.context import AppContext

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:6]}"


@dataclass
class Tenant:
    """A user who owns (or has `role` in) one organization, logged in through the API."""

    organization_id: uuid.UUID
    user_id: uuid.UUID
    email: str
    password: str
    access_token: str
    refresh_token: str
    role: Role

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


def create_user(
    context: AppContext, email: str | None = None, password: str = PASSWORD
) -> uuid.UUID:
    with context.database.unit_of_work() as session:
        return context.accounts.create_user(
            session, email or f"{unique('user')}@example.com", password
        ).id


def create_organization(
    context: AppContext, owner_email: str, name: str | None = None
) -> uuid.UUID:
    from shelfwise.accounts.repository import AccountsRepository

    with context.database.unit_of_work() as session:
        owner = AccountsRepository(session).user_by_email(owner_email)
        assert owner is not None
        return context.accounts.create_organization(session, name or unique("org"), owner).id


def add_member(context: AppContext, organization_id: uuid.UUID, email: str, role: Role) -> None:
    with context.database.unit_of_work() as session:
        context.accounts.add_member(session, organization_id, email, role)


def login(client: TestClient, email: str, password: str = PASSWORD, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/auth/login", json={"email": email, "password": password, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def create_tenant(context: AppContext, client: TestClient, role: Role = Role.OWNER) -> Tenant:
    """A fresh organization and a user holding `role` in it (the owner is a separate user)."""
    owner_email = f"{unique('owner')}@example.com"
    owner_id = create_user(context, owner_email)
    organization_id = create_organization(context, owner_email)
    email, user_id = owner_email, owner_id
    if role != Role.OWNER:
        email = f"{unique(role.value)}@example.com"
        user_id = create_user(context, email)
        add_member(context, organization_id, email, role)
    tokens = login(client, email)
    return Tenant(
        organization_id,
        user_id,
        email,
        PASSWORD,
        tokens["access_token"],
        tokens["refresh_token"],
        role,
    )


def create_account(client: TestClient, tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": "Main store",
        "platform": "amazon",
        "marketplace": "amazon.co.uk",
        "seller_id": unique("S"),
    } | overrides
    response = client.post("/api/marketplace-accounts", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def create_product(client: TestClient, tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    body = {
        "source_platform": "manual",
        "source_id": unique("SRC"),
        "title": "Bosch Cordless Drill 18V",
    } | overrides
    response = client.post("/api/products", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def create_listing(client: TestClient, tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    if "product_id" not in overrides:
        overrides["product_id"] = create_product(client, tenant)["id"]
    if "marketplace_account_id" not in overrides:
        overrides["marketplace_account_id"] = create_account(client, tenant)["id"]
    body = {
        "sku": unique("SKU"),
        "title": "Bosch Professional Cordless Drill 18V with 2 Batteries",
        "bullets": ["Two 2.0Ah batteries", "Fast charger included"],
        "price": {"amount": "89.99", "currency": "GBP"},
        "quantity": 12,
    } | overrides
    response = client.post("/api/listings", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def create_credential(client: TestClient, tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    body = {
        "name": unique("cred"),
        "kind": "amazon_spapi",
        "secrets": {"client_secret": "amzn1.oa2-cs.v1.0123456789abcdef"},
    } | overrides
    response = client.post("/api/credentials", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def create_webhook_source(client: TestClient, tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    """A webhook source; the answer carries its first `secret` (shown once)."""
    body = {"name": unique("n8n-allegro")} | overrides
    response = client.post("/api/webhook-sources", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def post_webhook(
    client: TestClient,
    source: dict[str, Any],
    body: bytes,
    *,
    event_id: str | None = None,
    secret: str | None = None,
    timestamp: int | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """A delivery signed with the source's secret (or `secret`) at `timestamp` (default now)."""
    signed_at = int(time.time()) if timestamp is None else timestamp
    sent = {
        "Content-Type": "application/json",
        "X-Shelfwise-Source": source["id"],
        "X-Shelfwise-Event-Id": event_id or unique("evt"),
        "X-Shelfwise-Signature": sign(secret or source["secret"], signed_at, body),
    } | (headers or {})
    return client.post("/api/import/webhook", content=body, headers=sent)
