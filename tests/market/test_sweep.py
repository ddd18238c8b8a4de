"""Offer sweeps against the fake SP-API, on SQLite and PostgreSQL: snapshots as a time series,
changes in the sync log and on the event bus, item errors, a revoked grant, the job itself."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfwise.catalog.models import ConnectionStatus, MarketplaceAccount
from shelfwise.events.models import Event
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.runtime import JobRunner
from shelfwise.jobs.service import enqueue
from shelfwise.market.models import OfferSnapshot, OfferTarget, SyncChange, SyncRun, SyncStatus
from shelfwise.market.observations import OFFERS_CHANGED
from shelfwise.market.repository import (
    OfferSnapshotRepository,
    OfferTargetRepository,
    SyncRunRepository,
)
from shelfwise.market.tasks import SWEEP
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, create_account
from tests.fakes.spapi.examples import ASIN, RIVAL, SELLER
from tests.fakes.spapi.faults import REVOKED_GRANT
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import offer
from tests.market.seller import (
    WATCHED,
    account_row,
    fresh_harness,
    rows,
    seller_account,
    sweep,
)
from tests.sellers import fake_settings


def test_a_sweep_stores_snapshots_then_only_what_changed(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    fake: FakeSellingPartnerApi,
    tmp_path: Path,
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    first = sweep(context, fresh_harness(fake, tmp_path), tenant, account_id)
    assert first.due == 2
    assert (first.counts.refreshed, first.counts.changed, first.counts.failed) == (2, 0, 0)
    snapshots = rows(context, tenant, select(OfferSnapshot).order_by(OfferSnapshot.asin))
    assert [(s.asin, s.offer_count, s.buy_box_seller_id) for s in snapshots] == [
        (ASIN, 2, SELLER),
        (WATCHED, 1, RIVAL),
    ]
    mine = snapshots[0]
    assert mine.my_price == Decimal("19.99") and mine.lowest_price == Decimal("19.99")
    assert {o["seller_id"]: o["fulfillment"] for o in mine.offers} == {
        SELLER: "merchant",
        RIVAL: "amazon",
    }
    assert {s.source for s in snapshots} == {"getListingOffersBatch", "getItemOffersBatch"}

    # The rival undercuts and takes the Buy Box; the watched item does not change.
    fake.state.offers[ASIN] = [
        offer(SELLER, Decimal("19.99")),
        offer(RIVAL, Decimal("13.00"), shipping=Decimal("4.99"), is_buy_box_winner=True),
    ]
    second = sweep(context, fresh_harness(fake, tmp_path), tenant, account_id)
    assert (second.counts.refreshed, second.counts.changed) == (2, 1)
    snapshots = rows(context, tenant, select(OfferSnapshot).order_by(OfferSnapshot.observed_at))
    assert len(snapshots) == 3  # the unchanged item's snapshot was confirmed, not repeated
    watched = next(s for s in snapshots if s.asin == WATCHED)
    assert watched.confirmed_at > watched.observed_at

    changes = rows(
        context, tenant, select(SyncChange).where(SyncChange.sync_run_id == second.run_id)
    )
    assert {(c.item, c.field, c.old, c.new) for c in changes} == {
        (ASIN, "buy_box_seller", SELLER, RIVAL),
        (ASIN, f"offer:{RIVAL}", "23.49", "17.99"),
    }
    events = rows(context, tenant, select(Event).where(Event.type == OFFERS_CHANGED))
    assert len(events) == 1
    kinds = [change["kind"] for change in events[0].payload["changes"]]
    assert kinds == ["buy_box.lost", "price.dropped"]
    runs = rows(context, tenant, select(SyncRun).order_by(SyncRun.started_at))
    assert [run.status for run in runs] == [SyncStatus.SUCCEEDED, SyncStatus.SUCCEEDED]
    assert runs[1].counts["refreshed"] == 2 and runs[1].counts["due"] == 2
    account = account_row(context, tenant, account_id)
    assert account.connection_status is ConnectionStatus.CONNECTED


def test_an_item_the_vendor_does_not_know_is_marked_and_the_run_partial(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    fake: FakeSellingPartnerApi,
    tmp_path: Path,
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    del fake.state.catalog_items[WATCHED], fake.state.offers[WATCHED]
    outcome = sweep(context, fresh_harness(fake, tmp_path), tenant, account_id)
    assert (outcome.counts.refreshed, outcome.counts.failed) == (1, 1)
    target = rows(context, tenant, select(OfferTarget).where(OfferTarget.asin == WATCHED))[0]
    assert target.last_error is not None and target.last_error.startswith("NotFound")
    assert target.refreshed_at is not None  # it waits for the next sweep, not this one's end
    run = rows(context, tenant, select(SyncRun))[0]
    assert run.status is SyncStatus.PARTIAL


def test_a_revoked_grant_disconnects_the_account_and_says_why(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    fake: FakeSellingPartnerApi,
    tmp_path: Path,
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    harness = fresh_harness(fake, tmp_path)
    harness.client.tokens.get_auth()  # connected once
    for operation_id in ("getListingOffersBatch", "getItemOffersBatch"):
        fake.inject(operation_id, REVOKED_GRANT)
    with pytest.raises(AccountDisconnectedError):
        sweep(context, harness, tenant, account_id)
    account = account_row(context, tenant, account_id)
    assert account.connection_status is ConnectionStatus.DISCONNECTED
    assert account.connection_error is not None and "invalid_grant" in account.connection_error
    run = rows(context, tenant, select(SyncRun))[0]
    assert run.status is SyncStatus.FAILED and run.error == account.connection_error
    assert rows(context, tenant, select(OfferSnapshot)) == []


def test_the_sweep_job_runs_against_the_configured_endpoint(
    context: AppContext, client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    settings = fake_settings(context, fake)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session,
            SWEEP,
            {"account_id": account_id, "trigger": "manual"},
            organization_id=tenant.organization_id,
        )
    JobRunner(context.database, settings).execute(str(job_id))
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status is JobStatus.SUCCEEDED, job and job.error
        assert (job.progress_done, job.progress_total) == (2, 2)
        assert job.result is not None and job.result["refreshed"] == 2
    assert len(rows(context, tenant, select(OfferSnapshot))) == 2


def test_the_sweep_job_of_an_account_without_credentials_fails_with_the_fix(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    account = create_account(client, tenant, marketplace="amazon.com")
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job_id = enqueue(
            session, SWEEP, {"account_id": account["id"]}, organization_id=tenant.organization_id
        )
    JobRunner(context.database, context.settings).execute(str(job_id))
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        job = session.get(Job, job_id)
        assert job is not None and job.status is JobStatus.FAILED
        assert job.error is not None and "no credentials" in job.error
        stored = session.get(MarketplaceAccount, uuid.UUID(account["id"]))
        assert stored is not None and stored.connection_status is ConnectionStatus.DISCONNECTED


def test_another_organization_sees_none_of_the_sweep(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    other_tenant: Tenant,
    fake: FakeSellingPartnerApi,
    tmp_path: Path,
) -> None:
    account_id = uuid.UUID(seller_account(context, client, tenant, fake))
    sweep(context, fresh_harness(fake, tmp_path), tenant, str(account_id))
    since = datetime(2000, 1, 1, tzinfo=UTC)
    for who, expected in ((tenant, 1), (other_tenant, 0)):
        with context.database.unit_of_work(organization_id=who.organization_id) as session:
            snapshots = OfferSnapshotRepository(session, who.organization_id)
            assert len(snapshots.history(account_id, ASIN, since, 10)) == expected
            assert snapshots.count(account_id) == 2 * expected
            runs = SyncRunRepository(session, who.organization_id).recent(account_id, 10)
            assert len(runs) == expected
            targets = OfferTargetRepository(session, who.organization_id)
            assert targets.counts(account_id, since) == (2 * expected, 0)


def test_the_schedule_queues_one_sweep_per_connected_account_per_tick(
    context: AppContext, client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    create_account(client, tenant, marketplace="amazon.de")  # no credentials: not swept

    def tick(at: str) -> None:
        with context.database.unit_of_work() as session:
            job_id = enqueue(
                session, "market.schedule_sweeps", {"tick_at": at}, organization_id=None
            )
        JobRunner(context.database, context.settings).execute(str(job_id))

    tick("2026-12-04T10:00:00+00:00")
    tick("2026-12-04T10:00:00+00:00")  # the same tick again queues nothing more
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        sweeps = list(
            session.scalars(
                select(Job).where(Job.kind == SWEEP, Job.organization_id == tenant.organization_id)
            )
        )
    assert [job.arguments["account_id"] for job in sweeps] == [account_id]
    assert sweeps[0].arguments["trigger"] == "schedule"


def test_an_older_observation_does_not_overwrite_a_newer_refresh(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    fake: FakeSellingPartnerApi,
    tmp_path: Path,
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    sweep(context, fresh_harness(fake, tmp_path), tenant, account_id)
    target = rows(context, tenant, select(OfferTarget).where(OfferTarget.asin == ASIN))[0]
    assert target.refreshed_at is not None
    older = target.refreshed_at - timedelta(minutes=1)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        OfferTargetRepository(session, tenant.organization_id).record(
            [
                {
                    "id": target.id,
                    "refreshed_at": older,  # e.g. a sweep's answer stored after a notification
                    "fingerprint": "stale",
                    "snapshot_id": None,
                    "last_error": "stale",
                }
            ]
        )
    kept = rows(context, tenant, select(OfferTarget).where(OfferTarget.asin == ASIN))[0]
    assert (kept.refreshed_at, kept.fingerprint, kept.snapshot_id, kept.last_error) == (
        target.refreshed_at,
        target.fingerprint,
        target.snapshot_id,
        None,
    )
