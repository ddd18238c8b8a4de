"""POST /api/admin/asin-sync: fetched items into the catalog through an import job."""

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfwise.accounts.models import Role
from shelfwise.catalog.models import Listing, Product
from shelfwise.ingest.models import ImportRun
from shelfwise.integrations.items import ItemSourceKind
from shelfwise.jobs.models import Job, JobItemError, JobStatus
from shelfwise.platform.context import AppContext
from tests.bridge.conftest import ScriptedSource, member, not_found, plug, run_job
from tests.factories import Tenant, create_account
from tests.sellers import rows

A, B, C = "B0AAAAAAAA", "B0BBBBBBBB", "B0CCCCCCCC"


def sync(client: TestClient, tenant: Tenant, body: dict[str, Any], status: int = 202) -> Any:
    response = client.post("/api/admin/asin-sync", json=body, headers=tenant.headers)
    assert response.status_code == status, response.text
    return response.json()


def test_kept_and_missing_items_become_products_and_listings(
    context: AppContext, client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    spapi = ScriptedSource(ItemSourceKind.SPAPI, 20, {C: not_found})
    plug(monkeypatch, spapi)
    account = create_account(client, tenant, marketplace="amazon.com")
    response = client.get("/api/amazon/items", params={"asins": f"{A},{B}"}, headers=tenant.headers)
    assert response.status_code == 200
    run = sync(client, tenant, {"asins": [a.lower() for a in (B, A, C, "B0DDDDDDDD")]})[
        "import_run"
    ]
    assert (run["source_platform"], run["marketplace_account_id"]) == ("amazon", account["id"])
    job = run_job(context, run["job_id"])
    assert job.status is JobStatus.SUCCEEDED
    assert spapi.calls == [[A, B], [C, "B0DDDDDDDD"]]  # the kept ones were not fetched again
    products = rows(context, tenant, select(Product).order_by(Product.source_id))
    assert [
        (p.source_platform, p.source_id, p.asin, p.title, p.brand, p.attributes["price"])
        for p in products
    ] == [
        ("amazon", asin, asin, f"Item {asin}", "Acme", {"amount": "80.00", "currency": "USD"})
        for asin in (A, B, "B0DDDDDDDD")
    ]
    listings = rows(context, tenant, select(Listing).order_by(Listing.sku))
    assert [
        (str(listing.marketplace_account_id), listing.sku, listing.asin, listing.price_amount)
        for listing in listings
    ] == [(account["id"], asin, asin, Decimal("80.00")) for asin in (A, B, "B0DDDDDDDD")]
    (stored,) = rows(context, tenant, select(ImportRun))
    assert (stored.rows_read, stored.created, stored.updated, stored.rejected) == (4, 3, 0, 1)
    errors = rows(context, tenant, select(JobItemError))
    assert [(error.item, error.field, error.message) for error in errors] == [
        ("line 3", "asin", f"{C}: No item {C}.")
    ]
    # A second sync of the same items changes nothing and fetches nothing.
    again = sync(client, tenant, {"asins": [A, B]})["import_run"]
    run_job(context, again["job_id"])
    assert len(spapi.calls) == 2
    latest = rows(context, tenant, select(ImportRun).order_by(ImportRun.created_at))[-1]
    assert (latest.created, latest.updated, latest.unchanged) == (0, 0, 2)


def test_without_an_account_only_products_are_made(
    context: AppContext, client: TestClient, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    plug(monkeypatch, ScriptedSource(ItemSourceKind.SPAPI, 20))
    run = sync(client, tenant, {"asins": [A], "marketplace": "amazon.com"})["import_run"]
    assert run["marketplace_account_id"] is None
    run_job(context, run["job_id"])
    assert [p.source_id for p in rows(context, tenant, select(Product))] == [A]
    assert rows(context, tenant, select(Listing)) == []


def test_kept_items_are_per_organization(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    other_tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spapi = ScriptedSource(ItemSourceKind.SPAPI, 20)
    plug(monkeypatch, spapi)
    client.get("/api/amazon/items", params={"asins": A}, headers=tenant.headers)
    run = sync(client, other_tenant, {"asins": [A]})["import_run"]
    run_job(context, run["job_id"])
    assert spapi.calls == [[A], [A]]  # the other organization fetched A for itself
    assert [p.source_id for p in rows(context, other_tenant, select(Product))] == [A]
    assert rows(context, tenant, select(Product)) == []


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST], ids=["viewer", "analyst"])
def test_only_admins_sync_and_a_refusal_changes_nothing(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    role: Role,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spapi = ScriptedSource(ItemSourceKind.SPAPI, 20)
    plug(monkeypatch, spapi)
    someone = member(context, client, tenant, role)
    sync(client, someone, {"asins": [A]}, status=403)
    assert rows(context, tenant, select(ImportRun)) == []
    assert rows(context, tenant, select(Job)) == []
    assert spapi.calls == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"asins": []}, "body.asins", id="empty"),
        pytest.param({"asins": [A, "nope"]}, "asins", id="invalid-asin"),
        pytest.param({"asins": [A], "marketplace": "kaufland.de"}, "marketplace", id="marketplace"),
        pytest.param({"asins": [A], "extra": 1}, "body.extra", id="unknown-field"),
    ],
)
def test_malformed_sync_is_422_and_writes_nothing(
    context: AppContext, client: TestClient, tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    errors = sync(client, tenant, body, status=422)["errors"]
    assert [error["field"] for error in errors] == [field]
    assert rows(context, tenant, select(ImportRun)) == []
