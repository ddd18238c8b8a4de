"""Catalog page without a browser: keyset pages, sort, filters, bulk export and its checks."""

import csv
import io
import re

from fastapi.testclient import TestClient

from tests.factories import Tenant, create_account, create_listing, create_product
from tests.web.helpers import dashboard_login

ROW = re.compile(r'name="listing_ids" value="([^"]+)"')
TITLE = re.compile(r'<a href="/dashboard/listings/[^"]+">([^<]+)</a>')


def seed(client: TestClient, tenant: Tenant, count: int) -> list[dict[str, object]]:
    product = create_product(client, tenant)
    account = create_account(client, tenant)
    return [
        create_listing(
            client,
            tenant,
            product_id=product["id"],
            marketplace_account_id=account["id"],
            title=f"Drill model {n:02d}",
            price={"amount": f"{100 - n}.00", "currency": "GBP"},
        )
        for n in range(count)
    ]


def test_pages_of_fifty_with_a_next_link_sorted_and_filtered(
    client: TestClient, tenant: Tenant
) -> None:
    seed(client, tenant, 53)
    dashboard_login(client, tenant.email)
    first = client.get("/dashboard/catalog", params={"sort": "price"})
    assert len(ROW.findall(first.text)) == 50
    assert TITLE.findall(first.text)[:2] == ["Drill model 52", "Drill model 51"]  # cheapest
    next_url = re.search(r'<a href="(\?[^"]+)" rel="next">', first.text)
    assert next_url is not None
    second = client.get("/dashboard/catalog" + next_url.group(1).replace("&amp;", "&"))
    assert TITLE.findall(second.text) == ["Drill model 02", "Drill model 01", "Drill model 00"]
    assert 'rel="next"' not in second.text

    searched = client.get("/dashboard/catalog", params={"q": "model 07"})
    assert TITLE.findall(searched.text) == ["Drill model 07"]
    none = client.get("/dashboard/catalog", params={"status": "published"})
    assert "No listing matches these filters." in none.text


def test_export_selected_listings_as_csv(client: TestClient, tenant: Tenant) -> None:
    made = seed(client, tenant, 3)
    csrf = dashboard_login(client, tenant.email)
    response = client.post(
        "/dashboard/catalog/bulk",
        data={"csrf": csrf, "action": "export", "listing_ids": [made[0]["id"], made[2]["id"]]},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["title"] for row in rows] == ["Drill model 00", "Drill model 02"]


def test_bulk_action_without_a_selection_says_so(client: TestClient, tenant: Tenant) -> None:
    csrf = dashboard_login(client, tenant.email)
    response = client.post("/dashboard/catalog/bulk", data={"csrf": csrf, "action": "optimize"})
    assert response.status_code == 200
    assert "Select at least one listing." in response.text
    assert client.get("/api/jobs", headers=tenant.headers).json()["items"] == []
