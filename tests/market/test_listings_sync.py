"""The listings sync against the fake SP-API, on SQLite and PostgreSQL: the merchant listings
report imported through the ingest pipeline, then Listings Items applied with a sync log."""

import uuid
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfwise.catalog.models import Listing
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.runtime import JobRunner
from shelfwise.jobs.service import enqueue
from shelfwise.market.listings_sync import listing_state
from shelfwise.market.models import SyncChange, SyncRun, SyncStatus
from shelfwise.market.tasks import COLLECT_LISTINGS_REPORT, SYNC_LISTINGS
from shelfwise.platform.context import AppContext
from shelfwise.platform.types import utcnow
from tests.factories import Tenant
from tests.fakes.spapi.examples import ASIN, SELLER, SKU
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE, listing_item
from tests.market.seller import seller_account
from tests.sellers import fake_settings, rows


def run_sync(context: AppContext, tenant: Tenant, fake: FakeSellingPartnerApi, account: str) -> Job:
    """The sync job, then its collector (run at once rather than a minute later)."""
    settings = fake_settings(context, fake)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session, SYNC_LISTINGS, {"account_id": account}, organization_id=tenant.organization_id
        )
    runner = JobRunner(context.database, settings)
    runner.execute(str(job_id))
    runner.execute(str(due_now(context, tenant, collector_job(context, tenant)).id))
    return collector_job(context, tenant)


def due_now(context: AppContext, tenant: Tenant, job: Job) -> Job:
    """The job made due at once (the collector is queued a minute ahead)."""
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        stored = session.get(Job, job.id)
        assert stored is not None
        stored.run_after = utcnow()
    return job


def collector_job(context: AppContext, tenant: Tenant) -> Job:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        found = session.scalars(
            select(Job).where(
                Job.kind == COLLECT_LISTINGS_REPORT, Job.organization_id == tenant.organization_id
            )
        ).one()
        session.expunge(found)
        return found


def test_the_report_and_listings_items_bring_the_catalog_up_to_date(
    context: AppContext, client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi
) -> None:
    account_id = seller_account(context, client, tenant, fake)  # our copy: quantity 12
    fake.state.add_listing(
        SELLER, listing_item("KETTLE-2", "B000000009", Decimal("24.50"), 3, title="Glass kettle")
    )
    fake.state.listings[(SELLER, SKU)]["issues"] = [
        {"code": "90220", "message": "'brand' is required.", "severity": "ERROR"}
    ]
    collector = run_sync(context, tenant, fake, account_id)
    assert collector.status is JobStatus.SUCCEEDED, collector.error
    assert collector.result is not None and collector.result["listings_seen"] == 2

    listings = {
        listing.sku: listing
        for listing in rows(context, tenant, select(Listing).where(
            Listing.marketplace_account_id == uuid.UUID(account_id)
        ))
    }  # fmt: skip
    assert set(listings) == {SKU, "KETTLE-2"}  # the report created the new one
    kettle = listings[SKU]
    assert kettle.quantity == 5 and kettle.asin == ASIN
    assert kettle.attributes["amazon_status"] == ["BUYABLE", "DISCOVERABLE"]
    assert kettle.attributes["amazon_issues"][0]["code"] == "90220"
    assert listings["KETTLE-2"].price_amount == Decimal("24.50")

    run = rows(context, tenant, select(SyncRun).where(SyncRun.dataset == "listings"))[0]
    assert run.status is SyncStatus.SUCCEEDED and run.finished_at is not None
    changes = rows(context, tenant, select(SyncChange).where(SyncChange.sync_run_id == run.id))
    by_field = {(change.item, change.field): (change.old, change.new) for change in changes}
    assert by_field[(SKU, "quantity")] == (12, 5)
    assert by_field[(SKU, "amazon_issues")][1][0]["severity"] == "ERROR"


def test_a_report_still_being_built_is_polled_later(
    context: AppContext, client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    fake.state.report_processing_seconds = 10_000  # simulated seconds
    collector = run_sync(context, tenant, fake, account_id)
    assert collector.status is JobStatus.QUEUED  # deferred, not failed
    assert collector.error is not None and "still building" in collector.error
    assert collector.run_after is not None
    run = rows(context, tenant, select(SyncRun).where(SyncRun.dataset == "listings"))[0]
    assert run.status is SyncStatus.RUNNING


def test_a_cancelled_report_fails_the_sync_with_the_reason(
    context: AppContext, client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    fake.state.report_processing_seconds = 10_000
    settings = fake_settings(context, fake)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session,
            SYNC_LISTINGS,
            {"account_id": account_id},
            organization_id=tenant.organization_id,
        )
    JobRunner(context.database, settings).execute(str(job_id))
    for report in fake.state.reports.values():
        report.document["processingStatus"] = "CANCELLED"
        report.document.pop("reportDocumentId", None)
        report.ready_at = 0.0
    collector = due_now(context, tenant, collector_job(context, tenant))
    JobRunner(context.database, settings).execute(str(collector.id))
    collector = collector_job(context, tenant)
    assert collector.status is JobStatus.FAILED
    run = rows(context, tenant, select(SyncRun).where(SyncRun.dataset == "listings"))[0]
    assert run.status is SyncStatus.FAILED and run.error is not None
    assert "CANCELLED" in run.error


def test_listing_state_reads_only_the_accounts_marketplace_and_refuses_bad_values() -> None:
    item = listing_item(SKU, ASIN, Decimal("19.99"), 5)
    item["summaries"].append(
        {"marketplaceId": "A1PA6795UKMFR9", "asin": "B0OTHER000", "status": []}
    )
    item["fulfillmentAvailability"] = [{"fulfillmentChannelCode": "DEFAULT", "quantity": -3}]
    item["offers"][0]["price"]["amount"] = "not a number"
    state = listing_state(item, US_MARKETPLACE)
    assert state.asin == ASIN
    assert state.quantity is None  # a negative quantity is not taken
    assert state.price_amount is None and state.price_currency is None
    assert listing_state({"sku": SKU}, US_MARKETPLACE).status == []
