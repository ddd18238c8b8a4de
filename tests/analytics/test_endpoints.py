"""The analytics API on SQLite and PostgreSQL: orders and inventory of an account, keyset pages,
filters, a viewer may read, another organization gets 404, bad parameters 422."""

import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.analytics.sync import sync_inventory, sync_orders
from shelfwise.platform.context import AppContext
from tests.analytics.conftest import SELLER, Seller, ago, vendor_client
from tests.factories import Tenant, add_member, create_user, login, unique
from tests.fakes.spapi.state import inventory_summary, order, order_item


def synced(context: AppContext, seller: Seller, tmp_path: Path) -> None:
    state = seller.fake.state
    for number, status in enumerate(["UNSHIPPED", "SHIPPED", "SHIPPED"], start=1):
        items = [order_item(f"6000{number}", "KETTLE-1", "B000000001", Decimal("19.99"), number)]
        state.add_order(
            SELLER,
            order(f"111-0000006-000000{number}", ago(hours=10), items,
                  last_updated=ago(hours=5 - number), status=status),
        )  # fmt: skip
    for number in range(3):
        state.add_inventory(SELLER, inventory_summary(f"SKU-{number}", f"B00000000{number}", 4))
    organization_id = seller.tenant.organization_id
    client = vendor_client(seller, tmp_path)
    sync_orders(context.database, organization_id, seller.account_id, client, trigger="manual")
    sync_inventory(context.database, organization_id, seller.account_id, client, trigger="manual")


def viewer_headers(context: AppContext, client: TestClient, tenant: Tenant) -> dict[str, str]:
    email = f"{unique('viewer')}@example.com"
    create_user(context, email)
    add_member(context, tenant.organization_id, email, Role.VIEWER)
    return {"Authorization": f"Bearer {login(client, email)['access_token']}"}


def get(client: TestClient, path: str, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(path, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_viewer_pages_through_orders_newest_update_first_with_items(
    context: AppContext, client: TestClient, seller: Seller, tmp_path: Path
) -> None:
    synced(context, seller, tmp_path)
    headers = viewer_headers(context, client, seller.tenant)
    path = f"/api/marketplace-accounts/{seller.account_id}/orders"
    first = get(client, path, headers, limit=2)
    assert [o["amazon_order_id"] for o in first["items"]] == [
        "111-0000006-0000003",
        "111-0000006-0000002",
    ]
    newest = first["items"][0]
    assert newest["total"] == {"amount": "59.97", "currency": "USD"}
    assert newest["status"] == "SHIPPED" and newest["item_count"] == 3
    assert newest["items"] == [
        {
            "order_item_id": "60003",
            "sku": "KETTLE-1",
            "asin": "B000000001",
            "title": None,
            "quantity_ordered": 3,
            "quantity_shipped": 0,
            "item_price": {"amount": "19.99", "currency": "USD"},
        }
    ]
    assert "buyer" not in str(first).lower()
    rest = get(client, path, headers, limit=2, cursor=first["next_cursor"])
    assert [o["amazon_order_id"] for o in rest["items"]] == ["111-0000006-0000001"]
    assert rest["next_cursor"] is None

    shipped = get(client, path, headers, status="SHIPPED")
    assert [o["amazon_order_id"] for o in shipped["items"]] == [
        "111-0000006-0000003",
        "111-0000006-0000002",
    ]
    since = rest["items"][0]["last_updated_at"]  # the oldest update: every order
    assert len(get(client, path, headers, updated_since=since)["items"]) == 3
    later = first["items"][1]["last_updated_at"]
    recent = get(client, path, headers, updated_since=later)["items"]
    assert [o["amazon_order_id"] for o in recent] == ["111-0000006-0000003", "111-0000006-0000002"]


def test_inventory_pages_by_sku(
    context: AppContext, client: TestClient, seller: Seller, tmp_path: Path
) -> None:
    synced(context, seller, tmp_path)
    path = f"/api/marketplace-accounts/{seller.account_id}/inventory"
    headers = seller.tenant.headers
    first = get(client, path, headers, limit=2)
    assert [(level["sku"], level["fulfillable"]) for level in first["items"]] == [
        ("SKU-0", 4),
        ("SKU-1", 4),
    ]
    assert first["items"][0]["missing_since"] is None
    rest = get(client, path, headers, limit=2, cursor=first["next_cursor"])
    assert [level["sku"] for level in rest["items"]] == ["SKU-2"] and rest["next_cursor"] is None


@pytest.mark.parametrize("resource", ["orders", "inventory"])
def test_another_organization_gets_404_and_sees_nothing(
    context: AppContext,
    client: TestClient,
    seller: Seller,
    other_tenant: Tenant,
    tmp_path: Path,
    resource: str,
) -> None:
    synced(context, seller, tmp_path)
    path = f"/api/marketplace-accounts/{seller.account_id}/{resource}"
    response = client.get(path, headers=other_tenant.headers)
    assert response.status_code == 404, response.text
    assert len(get(client, path, seller.tenant.headers)["items"]) == 3  # still there, unchanged
    unknown = client.get(
        f"/api/marketplace-accounts/{uuid.uuid4()}/{resource}", headers=seller.tenant.headers
    )
    assert unknown.status_code == 404
    assert client.get(path).status_code == 401


@pytest.mark.parametrize(
    ("resource", "params"),
    [
        ("orders", {"status": "LOST"}),
        ("orders", {"updated_since": "2026-12-01T10:00:00"}),  # no offset
        ("orders", {"updated_since": "yesterday"}),
        ("orders", {"cursor": "not-a-cursor"}),
        ("orders", {"limit": "0"}),
        ("inventory", {"cursor": "bm90IGEgbGlzdA"}),
        ("inventory", {"limit": "-1"}),
    ],
    ids=[
        "unknown-status", "naive-time", "not-a-time", "bad-cursor", "zero-limit",
        "foreign-cursor", "negative-limit",
    ],
)  # fmt: skip
def test_bad_parameters_are_422(
    client: TestClient, seller: Seller, resource: str, params: dict[str, str]
) -> None:
    path = f"/api/marketplace-accounts/{seller.account_id}/{resource}"
    response = client.get(path, headers=seller.tenant.headers, params=params)
    assert response.status_code == 422, response.text
