"""The request's principal, resolved in the sync endpoint's own worker thread: still checked
against the database on every request, before the endpoint reads anything or commits."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from shelfwise.accounts.models import Role
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.platform.context import AppContext
from shelfwise.platform.types import utcnow
from tests.accounts.conftest import bearer, problem
from tests.accounts.test_api_keys import create_key
from tests.factories import Tenant, create_product, create_tenant, unique

INVALID_TOKEN = {
    "type": "about:blank",
    "title": "Unauthorized",
    "status": 401,
    "detail": "Missing, invalid or expired credentials.",
    "instance": "/api/products",
}


def revoke_sessions(context: AppContext, tenant: Tenant) -> None:
    """What a password change or an administrator does: every session of the user ends."""
    with context.database.unit_of_work() as session:
        AccountsRepository(session).revoke_sessions_of(tenant.user_id, utcnow())


def product_count(client: TestClient, tenant: Tenant) -> int:
    response = client.get("/api/products", params={"limit": 100}, headers=tenant.headers)
    assert response.status_code == 200
    return len(response.json()["items"])


def new_product() -> dict[str, Any]:
    return {"source_platform": "manual", "source_id": unique("SRC"), "title": "Drill"}


@pytest.fixture
def statements(context: AppContext) -> Iterator[list[str]]:
    """The SQL statements the app sends while the test runs, in order (SQLite's BEGIN aside)."""
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


def test_a_session_revoked_between_two_requests_is_refused_on_the_next(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    assert client.get("/api/products", headers=tenant.headers).status_code == 200
    revoke_sessions(context, tenant)

    response = client.get("/api/products", headers=tenant.headers)

    assert response.status_code == 401
    assert problem(response) == INVALID_TOKEN


def test_an_api_key_revoked_between_two_requests_is_refused_on_the_next(
    client: TestClient, tenant: Tenant
) -> None:
    created = create_key(client, tenant)
    assert client.get("/api/products", headers=bearer(created["key"])).status_code == 200
    deleted = client.delete(f"/api/api-keys/{created['id']}", headers=tenant.headers)
    assert deleted.status_code == 204

    response = client.get("/api/products", headers=bearer(created["key"]))

    assert response.status_code == 401
    assert problem(response) == INVALID_TOKEN


def test_a_role_downgrade_applies_to_the_next_request_and_it_writes_nothing(
    client: TestClient, context: AppContext
) -> None:
    analyst = create_tenant(context, client, Role.ANALYST)
    assert (
        client.post("/api/products", json=new_product(), headers=analyst.headers).status_code == 201
    )
    before = product_count(client, analyst)

    with context.database.unit_of_work() as session:
        membership = AccountsRepository(session).membership(
            analyst.organization_id, analyst.user_id
        )
        assert membership is not None
        membership.role = Role.VIEWER
    response = client.post("/api/products", json=new_product(), headers=analyst.headers)

    assert response.status_code == 403
    assert product_count(client, analyst) == before


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("get", "/api/products?limit=0", None, id="bad-query"),
        pytest.param("get", "/api/products/not-a-uuid", None, id="bad-path"),
        pytest.param("post", "/api/products", {"title": 7}, id="bad-body"),
    ],
)
def test_a_revoked_session_is_refused_before_its_request_is_validated(
    client: TestClient,
    context: AppContext,
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    tenant = create_tenant(context, client)
    live = client.request(method, path, json=body, headers=tenant.headers)
    assert live.status_code == 422
    revoke_sessions(context, tenant)

    response = client.request(method, path, json=body, headers=tenant.headers)

    assert response.status_code == 401
    assert problem(response)["detail"] == INVALID_TOKEN["detail"]


def test_a_role_too_low_is_refused_before_the_body_is_validated(
    client: TestClient, context: AppContext
) -> None:
    viewer = create_tenant(context, client, Role.VIEWER)

    response = client.post("/api/products", json={"title": 7}, headers=viewer.headers)

    assert response.status_code == 403
    assert product_count(client, viewer) == 0


def test_the_membership_check_is_the_requests_first_statement(
    client: TestClient, tenant: Tenant, statements: list[str]
) -> None:
    create_product(client, tenant)
    statements.clear()

    assert client.get("/api/products", headers=tenant.headers).status_code == 200

    reads = [sql for sql in statements if "FROM products" in sql]
    assert "memberships" in statements[0]
    assert reads and statements.index(reads[0]) > 0


def test_a_revoked_session_reads_no_data(
    client: TestClient, context: AppContext, tenant: Tenant, statements: list[str]
) -> None:
    create_product(client, tenant)
    revoke_sessions(context, tenant)
    statements.clear()

    assert client.get("/api/products", headers=tenant.headers).status_code == 401

    assert statements and all("memberships" in sql or "auth_sessions" in sql for sql in statements)
    assert not [sql for sql in statements if "products" in sql]
