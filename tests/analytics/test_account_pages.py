"""The account pages of the dashboard over synced orders, inventory and sync runs (real syncs
from the fake SP-API server): what the analytics API returns, as a seller reads it."""

import re
from pathlib import Path

from fastapi.testclient import TestClient

from shelfwise.platform.context import AppContext
from tests.analytics.conftest import Seller
from tests.analytics.test_endpoints import synced
from tests.web.helpers import dashboard_login


def test_orders_inventory_and_sync_runs_of_an_account(
    context: AppContext, client: TestClient, seller: Seller, tmp_path: Path
) -> None:
    synced(context, seller, tmp_path)
    dashboard_login(client, seller.tenant.email)
    base = f"/dashboard/accounts/{seller.account_id}"

    orders = client.get(base, params={"tab": "orders"})
    assert orders.status_code == 200
    found = re.findall(r"<code>(111-0000006-\d+)</code>", orders.text)
    assert found == ["111-0000006-0000003", "111-0000006-0000002", "111-0000006-0000001"]
    assert "59.97 USD" in orders.text  # 3 x 19.99
    shipped = client.get(base, params={"tab": "orders", "status": "UNSHIPPED"})
    assert re.findall(r"<code>(111-0000006-\d+)</code>", shipped.text) == ["111-0000006-0000001"]
    bad = client.get(base, params={"tab": "orders", "status": "LOST"})
    assert bad.status_code == 422 and "<strong>status</strong>" in bad.text

    inventory = client.get(base, params={"tab": "inventory"})
    assert re.findall(r"<td>(SKU-\d)</td>", inventory.text) == ["SKU-0", "SKU-1", "SKU-2"]

    sync = client.get(base, params={"tab": "sync"})
    runs = re.findall(r'href="\?tab=sync&run=([0-9a-f-]+)#changes"', sync.text)
    assert len(runs) == 2  # the orders and the inventory sync
    assert "orders" in sync.text and "inventory" in sync.text
    chosen = client.get(base, params={"tab": "sync", "run": runs[-1]})
    assert "What the orders sync of" in chosen.text
