"""Market jobs: offer sweeps per account (scheduled every five minutes, or on demand) and the
listings sync (report, then Listings Items; see listings_sync.py)."""

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shelfwise.ingest.imports import store_fetched_report
from shelfwise.ingest.reports import run_report_import
from shelfwise.integrations.amazon_spapi.offers import pricing_lanes
from shelfwise.integrations.errors import RetryableError
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import PermanentJobError
from shelfwise.jobs.registry import job, periodic
from shelfwise.jobs.service import enqueue
from shelfwise.market.connections import account_client
from shelfwise.market.listings_sync import (
    LISTING_DATA,
    LISTINGS_REPORT,
    apply_listing_states,
    listing_fields,
    log_differences,
)
from shelfwise.market.models import SyncStatus
from shelfwise.market.ranks import RankSync
from shelfwise.market.repository import OfferTargetRepository
from shelfwise.market.service import finish_sync, queue_for_accounts, start_sync, sweep_offers
from shelfwise.platform.actor import Actor
from shelfwise.platform.types import utcnow

SWEEP = "market.sweep_offers"
SWEEP_EVERY = timedelta(minutes=5)


@job(SWEEP, max_attempts=3)
def sweep_account_offers(context: JobContext) -> dict[str, Any]:
    if context.organization_id is None:
        raise PermanentJobError("An offer sweep belongs to an organization.")
    organization_id = context.organization_id
    account_id = uuid.UUID(str(context.arguments["account_id"]))
    settings = context.settings
    with account_client(context, organization_id, account_id) as (_, client):
        outcome = sweep_offers(
            context.database,
            organization_id,
            account_id,
            pricing_lanes(client),
            refresh_interval_seconds=settings.offer_refresh_interval.total_seconds(),
            slice_seconds=settings.offer_sweep_slice.total_seconds(),
            trigger=str(context.arguments.get("trigger", "manual")),
            job_id=context.job_id,
            progress=context.advance,
            set_total=context.set_total,
        )
    if outcome.run_id is None:
        return {"skipped": "another offer sweep of this account is running"}
    return {"sync_run_id": str(outcome.run_id), "due": outcome.due} | outcome.counts.as_dict()


@job("market.schedule_sweeps", max_attempts=1)
def schedule_sweeps(context: JobContext) -> dict[str, Any]:
    """Queue one sweep per sweepable account of every organization, once per tick."""
    return {"queued": queue_for_accounts(context.database, SWEEP, _tick(context))}


@job("market.schedule_listings_syncs", max_attempts=1)
def schedule_listings_syncs(context: JobContext) -> dict[str, Any]:
    return {"queued": queue_for_accounts(context.database, SYNC_LISTINGS, _tick(context))}


periodic("market.schedule_sweeps", every=SWEEP_EVERY)
periodic("market.schedule_listings_syncs", cron="17 3 * * *")  # daily, at a quiet hour (UTC)


SYNC_LISTINGS = "market.sync_listings"
COLLECT_LISTINGS_REPORT = "market.collect_listings_report"
REPORT_POLL = timedelta(seconds=60)  # Amazon builds a listings report in one to a few minutes
REPORT_POLLS = 45  # attempts of the collector: the report is given up after about 45 minutes


@dataclass(frozen=True)
class Automation:
    """The sync job as the actor of what it stores (imports are audited)."""

    organization_id: uuid.UUID
    actor: Actor


@job(SYNC_LISTINGS, max_attempts=3)
def sync_listings(context: JobContext) -> dict[str, Any]:
    """Ask Amazon for the merchant listings report; the collector takes it from there."""
    organization_id = _organization(context)
    account_id = uuid.UUID(str(context.arguments["account_id"]))
    trigger = str(context.arguments.get("trigger", "manual"))
    with account_client(context, organization_id, account_id) as (_, client):
        report_id = client.create_report(LISTINGS_REPORT)
    with context.unit_of_work() as session:
        run = start_sync(session, organization_id, account_id, "listings", trigger, context.job_id)
        enqueue(
            session,
            COLLECT_LISTINGS_REPORT,
            {"account_id": str(account_id), "report_id": report_id, "sync_run_id": str(run.id)},
            organization_id=organization_id,
            created_by=SYNC_LISTINGS,
            run_after=utcnow() + REPORT_POLL,
        )
        return {"report_id": report_id, "sync_run_id": str(run.id)}


@job(COLLECT_LISTINGS_REPORT, max_attempts=REPORT_POLLS)
def collect_listings_report(context: JobContext) -> dict[str, Any]:
    organization_id = _organization(context)
    account_id = uuid.UUID(str(context.arguments["account_id"]))
    report_id = str(context.arguments["report_id"])
    run_id = uuid.UUID(str(context.arguments["sync_run_id"]))
    database = context.database
    with account_client(context, organization_id, account_id) as (account, client):
        try:
            report = client.report(report_id)
            status = report.get("processingStatus")
            if status in ("IN_QUEUE", "IN_PROGRESS"):
                raise RetryableError(
                    f"Amazon is still building report {report_id} ({status}).",
                    REPORT_POLL.total_seconds(),
                )
            if status != "DONE" or not report.get("reportDocumentId"):
                reason = f"Amazon ended report {report_id} as {status}: nothing was imported."
                finish_sync(database, organization_id, run_id, SyncStatus.FAILED, {}, reason)
                raise PermanentJobError(reason)
            content = client.report_document(str(report["reportDocumentId"]))
            who = Automation(organization_id, context.actor)
            with context.unit_of_work() as session:
                stored = store_fetched_report(
                    session, who, account, content, report_id, context.settings.max_upload_bytes
                )
                import_id = stored.id
            before = listing_fields(database, organization_id, account_id)
            imported = run_report_import(context, import_id)
            after = listing_fields(database, organization_id, account_id)
            reported = log_differences(database, organization_id, run_id, before, after)
            states = apply_listing_states(
                database,
                organization_id,
                account_id,
                client.connection.marketplace_id,
                run_id,
                client.search_listings_items(LISTING_DATA),
            )
        except (RetryableError, PermanentJobError):
            raise
        except Exception as error:
            if context.attempt >= REPORT_POLLS:
                finish_sync(database, organization_id, run_id, SyncStatus.FAILED, {}, str(error))
            raise
    counts = (
        {name: int(value) for name, value in imported.items() if isinstance(value, int)}
        | states
        | {"listings_changed_by_report": reported}
    )
    status_after = SyncStatus.PARTIAL if counts.get("rejected") else SyncStatus.SUCCEEDED
    finish_sync(database, organization_id, run_id, status_after, counts)
    return {"import_id": str(import_id), **counts}


def _tick(context: JobContext) -> str:
    return str(context.arguments.get("tick_at", ""))


def _organization(context: JobContext) -> uuid.UUID:
    if context.organization_id is None:
        raise PermanentJobError("A sync belongs to an organization.")
    return context.organization_id


SYNC_RANKS = "market.sync_ranks"
RANK_REFRESH = timedelta(minutes=55)  # hourly runs refresh what the previous one read
RANK_SLICE = timedelta(minutes=25)


@job(SYNC_RANKS, max_attempts=3)
def sync_ranks(context: JobContext) -> dict[str, Any]:
    """Best Sellers Ranks of the account's tracked items (see ranks.py)."""
    organization_id = _organization(context)
    account_id = uuid.UUID(str(context.arguments["account_id"]))
    trigger = str(context.arguments.get("trigger", "manual"))
    database = context.database
    with account_client(context, organization_id, account_id) as (_, client):
        with context.unit_of_work() as session:
            targets = OfferTargetRepository(session, organization_id)
            targets.align(account_id)
            due = targets.due_for_ranks(account_id, utcnow() - RANK_REFRESH)
            run_id = start_sync(
                session, organization_id, account_id, "ranks", trigger, context.job_id
            ).id
        context.set_total(len(due))
        marketplace_id = client.connection.marketplace_id

        def search(asins: Sequence[str]) -> list[dict[str, Any]]:
            return client.search_catalog_items(asins, "ASIN", ["salesRanks"])

        ranks = RankSync(
            database,
            organization_id,
            account_id,
            marketplace_id,
            run_id,
            search,
            deadline=time.monotonic() + RANK_SLICE.total_seconds(),
        )
        try:
            counts = ranks.run(due)
        except Exception as error:
            finish_sync(database, organization_id, run_id, SyncStatus.FAILED, {}, str(error))
            raise
    summary = counts.as_dict() | {"due": len(due)}
    finish_sync(database, organization_id, run_id, SyncStatus.SUCCEEDED, summary)
    return {"sync_run_id": str(run_id), **summary}


@job("market.schedule_rank_syncs", max_attempts=1)
def schedule_rank_syncs(context: JobContext) -> dict[str, Any]:
    return {"queued": queue_for_accounts(context.database, SYNC_RANKS, _tick(context))}


periodic("market.schedule_rank_syncs", cron="41 * * * *")  # hourly
