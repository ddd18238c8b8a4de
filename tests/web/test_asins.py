"""The ASIN manager's Sync tab without a browser: the organization's fetched items listed for
review (newest first, per marketplace), never another organization's."""

from datetime import timedelta

from fastapi.testclient import TestClient

from shelfwise.bridge.repository import FetchedItemRepository
from shelfwise.platform.context import AppContext
from shelfwise.platform.types import utcnow
from tests.factories import Tenant
from tests.web.helpers import dashboard_login


def keep_items(context: AppContext, tenant: Tenant, marketplace: str, titles: list[str]) -> None:
    """Items as the bridge keeps them, the later in `titles` fetched the later."""
    start = utcnow() - timedelta(minutes=len(titles))
    rows = [
        {
            "marketplace": marketplace,
            "asin": f"B0REVIEW{index:02d}",
            "source": "scraper",
            "is_demo": False,
            "item": {"asin": f"B0REVIEW{index:02d}", "title": title, "source": "scraper"},
            "fetched_at": start + timedelta(minutes=index),
        }
        for index, title in enumerate(titles)
    ]
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        FetchedItemRepository(session, tenant.organization_id).keep(rows)


def test_the_sync_tab_lists_fetched_items_newest_first_per_marketplace(
    context: AppContext, client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    keep_items(context, tenant, "amazon.de", ["Older kettle", "Newer kettle"])
    keep_items(context, other_tenant, "amazon.de", ["Their lantern"])
    dashboard_login(client, tenant.email)
    page = client.get("/dashboard/asins", params={"tab": "sync", "marketplace": "amazon.de"})
    assert page.status_code == 200
    assert page.text.index("Newer kettle") < page.text.index("Older kettle")
    assert 'name="asins" value="B0REVIEW01"' in page.text  # selectable for a sync
    assert "Their lantern" not in page.text
    other = client.get("/dashboard/asins", params={"tab": "sync", "marketplace": "amazon.com"})
    assert "Nothing fetched on amazon.com yet" in other.text
    assert "kettle" not in other.text


def test_the_sync_tab_refuses_an_unknown_marketplace(client: TestClient, tenant: Tenant) -> None:
    dashboard_login(client, tenant.email)
    page = client.get("/dashboard/asins", params={"tab": "sync", "marketplace": "amazon.xx"})
    assert page.status_code == 422
    assert "amazon.xx" in page.text
    assert page.headers["content-type"].startswith("text/html")
