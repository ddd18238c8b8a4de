"""The analytics jobs through the job runner against the fake SP-API, on SQLite and PostgreSQL:
the configured endpoint, bad vendor documents as item errors, a revoked grant, an account that
cannot connect, and the schedules (one job per account and tick)."""

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfwise.analytics.models import InventoryLevel, Order
from shelfwise.analytics.tasks import SYNC_INVENTORY, SYNC_ORDERS
from shelfwise.catalog.models import ConnectionStatus
from shelfwise.jobs.models import Job, JobItemError, JobStatus
from shelfwise.jobs.registry import SCHEDULES
from shelfwise.jobs.runtime import JobRunner
from shelfwise.jobs.service import enqueue
from shelfwise.market.models import SyncRun, SyncStatus
from shelfwise.platform.context import AppContext
from tests.analytics.conftest import SELLER, Seller, account_row, ago
from tests.factories import Tenant, create_account
from tests.fakes.spapi.faults import REVOKED_GRANT
from tests.fakes.spapi.state import inventory_summary, order, order_item
from tests.sellers import fake_settings, rows


def run_job(context: AppContext, seller: Seller, kind: str) -> tuple[Job, list[JobItemError]]:
    organization_id = seller.tenant.organization_id
    with context.database.unit_of_work(organization_id=organization_id) as session:
        job_id = enqueue(
            session,
            kind,
            {"account_id": str(seller.account_id), "trigger": "manual"},
            organization_id=organization_id,
        )
    JobRunner(context.database, fake_settings(context, seller.fake)).execute(str(job_id))
    with context.database.unit_of_work(organization_id=organization_id) as session:
        job = session.get(Job, job_id)
        assert job is not None
        errors = session.scalars(
            select(JobItemError).where(JobItemError.job_id == job_id).order_by(JobItemError.item)
        )
        return job, list(errors)


def test_the_orders_job_stores_good_orders_and_records_bad_ones_as_item_errors(
    context: AppContext, seller: Seller
) -> None:
    state = seller.fake.state
    kettle = order_item("50001", "KETTLE-1", "B000000001", Decimal("19.99"))
    state.add_order(SELLER, order("111-0000005-0000001", ago(hours=5), [kettle]))
    nameless = order("ignored", ago(hours=4), [kettle])
    del nameless["orderId"]
    state.add_order(SELLER, nameless)
    negative = order("111-0000005-0000003", ago(hours=3), [kettle | {"quantityOrdered": -2}])
    state.add_order(SELLER, negative)
    state.add_order(SELLER, order("111-0000005-0000004", ago(hours=2), [kettle]))
    job, errors = run_job(context, seller, SYNC_ORDERS)
    assert job.status is JobStatus.SUCCEEDED, job.error
    assert [(e.item, e.field, e.message) for e in errors] == [
        ("111-0000005-0000003", "orderItems[0].quantityOrdered", "negative (-2)"),
        ("page 1, order 2", "orderId", "missing"),
    ]
    stored = rows(context, seller.tenant, select(Order).order_by(Order.amazon_order_id))
    assert [o.amazon_order_id for o in stored] == ["111-0000005-0000001", "111-0000005-0000004"]
    run = rows(context, seller.tenant, select(SyncRun))[0]
    assert (run.status, run.job_id, run.counts["failed"], run.counts["created"]) == (
        SyncStatus.PARTIAL,
        job.id,
        2,
        2,
    )
    assert job.result is not None and job.result["sync_run_id"] == str(run.id)
    assert (job.progress_done, job.result["created"]) == (4, 2)


def test_the_inventory_job_records_a_negative_quantity_and_keeps_the_sku(
    context: AppContext, seller: Seller
) -> None:
    state = seller.fake.state
    state.add_inventory(SELLER, inventory_summary("KETTLE-1", "B000000001", 5))
    state.add_inventory(SELLER, inventory_summary("MUG-2", "B000000002", 3))
    job, errors = run_job(context, seller, SYNC_INVENTORY)
    assert job.status is JobStatus.SUCCEEDED and errors == []
    state.add_inventory(SELLER, inventory_summary("MUG-2", "B000000002", -1))
    job, errors = run_job(context, seller, SYNC_INVENTORY)
    assert job.status is JobStatus.SUCCEEDED, job.error
    assert [(e.item, e.field, e.message) for e in errors] == [
        ("MUG-2", "inventoryDetails.fulfillableQuantity", "negative (-1)")
    ]
    levels = rows(context, seller.tenant, select(InventoryLevel).order_by(InventoryLevel.sku))
    # The unreadable SKU keeps its last good level and is not taken for missing.
    assert [(level.sku, level.fulfillable, level.missing_since) for level in levels] == [
        ("KETTLE-1", 5, None),
        ("MUG-2", 3, None),
    ]
    assert job.result is not None and (job.result["failed"], job.result["missing"]) == (1, 0)


@pytest.mark.parametrize("kind", [SYNC_ORDERS, SYNC_INVENTORY], ids=["orders", "inventory"])
def test_a_revoked_grant_fails_the_job_and_tells_the_seller_why(
    context: AppContext, seller: Seller, kind: str
) -> None:
    operation = "searchOrders" if kind == SYNC_ORDERS else "getInventorySummaries"
    seller.fake.inject(operation, REVOKED_GRANT)
    job, _ = run_job(context, seller, kind)
    assert job.status is JobStatus.FAILED and job.attempts == 1  # permanent: not retried
    account = account_row(context, seller)
    assert account.connection_status is ConnectionStatus.DISCONNECTED
    assert account.connection_error is not None and "invalid_grant" in account.connection_error
    assert job.error is not None and account.connection_error in job.error
    run = rows(context, seller.tenant, select(SyncRun))[0]
    assert (run.dataset, run.status) == (kind.removeprefix("analytics.sync_"), SyncStatus.FAILED)


def test_a_job_for_an_account_without_credentials_fails_with_the_fix(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    account = create_account(client, tenant, marketplace="amazon.com")
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session,
            SYNC_ORDERS,
            {"account_id": account["id"], "trigger": "manual"},
            organization_id=tenant.organization_id,
        )
    JobRunner(context.database, context.settings).execute(str(job_id))
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status is JobStatus.FAILED
        assert job.error is not None and "no credentials" in job.error
    assert rows(context, tenant, select(SyncRun)) == []


def queued_for(context: AppContext, tenant: Tenant, kind: str) -> list[dict[str, Any]]:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        jobs = session.scalars(
            select(Job).where(Job.kind == kind, Job.organization_id == tenant.organization_id)
        )
        return [job.arguments for job in jobs]


@pytest.mark.parametrize(
    ("schedule", "kind", "minutes"),
    [
        ("analytics.schedule_orders", SYNC_ORDERS, 15),
        ("analytics.schedule_inventory", SYNC_INVENTORY, 30),
    ],
    ids=["orders", "inventory"],
)
def test_a_schedule_tick_queues_one_sync_per_connected_account(
    context: AppContext,
    client: TestClient,
    seller: Seller,
    schedule: str,
    kind: str,
    minutes: int,
) -> None:
    every = SCHEDULES[schedule].every
    assert every is not None and every.total_seconds() == minutes * 60
    create_account(client, seller.tenant, marketplace="amazon.com")  # no credentials: skipped
    for tick in ("2026-12-04T10:00:00+00:00", "2026-12-04T10:00:00+00:00", "2026-12-04T11:00:00"):
        with context.database.unit_of_work() as session:
            job_id = enqueue(session, schedule, {"tick_at": tick}, organization_id=None)
        JobRunner(context.database, context.settings).execute(str(job_id))
    expected = {"account_id": str(seller.account_id), "trigger": "schedule"}
    assert queued_for(context, seller.tenant, kind) == [expected, expected]  # two ticks
