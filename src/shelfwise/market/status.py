"""What the dashboard shows of an account's syncs, and syncs asked for by hand."""

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from shelfwise.audit.service import ActsForOrganization, audit
from shelfwise.catalog.models import MarketplaceAccount
from shelfwise.integrations.amazon_spapi.accounts import spapi_connection
from shelfwise.integrations.amazon_spapi.client import SellingPartnerClient
from shelfwise.integrations.amazon_spapi.plans import USAGE_PLANS
from shelfwise.integrations.errors import AccountDisconnectedError, VendorRejectedError
from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.usage import shared_usage
from shelfwise.jobs import registry
from shelfwise.jobs.service import enqueue
from shelfwise.market.repository import (
    OfferSnapshotRepository,
    OfferTargetRepository,
    SyncRunRepository,
)
from shelfwise.market.schemas import (
    ConnectionOut,
    Dataset,
    OfferCoverage,
    OperationQuota,
    QuotaOut,
    SyncRunOut,
    SyncStatusOut,
    ThrottleOut,
)
from shelfwise.market.service import WatchlistService, set_connection
from shelfwise.platform.errors import ConflictError, InvalidInputError
from shelfwise.platform.settings import Settings
from shelfwise.platform.types import utcnow
from shelfwise.vault.service import VaultService

# The job that syncs each data set (orders and inventory are the analytics domain's).
SYNC_JOBS = {
    Dataset.OFFERS: "market.sweep_offers",
    Dataset.LISTINGS: "market.sync_listings",
    Dataset.RANKS: "market.sync_ranks",
    Dataset.ORDERS: "analytics.sync_orders",
    Dataset.INVENTORY: "analytics.sync_inventory",
}
MANUAL_SYNC_SPACING = timedelta(minutes=1)  # one hand-started sync per data set and minute


def sync_status(
    session: Session, who: ActsForOrganization, account_id: uuid.UUID, settings: Settings
) -> SyncStatusOut:
    account = WatchlistService().account(session, who, account_id)
    organization_id = who.organization_id
    runs = SyncRunRepository(session, organization_id).latest_per_dataset(account_id)
    cutoff = utcnow() - settings.offer_refresh_interval
    targets, due = OfferTargetRepository(session, organization_id).counts(account_id, cutoff)
    snapshots = OfferSnapshotRepository(session, organization_id).count(account_id)
    return SyncStatusOut(
        account_id=account.id,
        connection=ConnectionOut(
            status=account.connection_status,
            error=account.connection_error,
            checked_at=account.connection_checked_at,
        ),
        last_sync={
            run.dataset: SyncRunOut.model_validate(run, from_attributes=True) for run in runs
        },
        offers=OfferCoverage(targets=targets, due=due, snapshots=snapshots),
        quota=_quota(account, settings),
    )


def _quota(account: MarketplaceAccount, settings: Settings) -> QuotaOut:
    """Today's calls and 429s per operation of the account's credential, and its latest 429s."""
    usage = shared_usage(settings)
    organization_id = account.organization_id
    prefix = f"{account.credential_id}/"
    scopes = {
        scope.removeprefix(prefix): counts
        for scope, counts in usage.scopes_today(organization_id).items()
        if scope.startswith(prefix)
    }
    operations = [
        OperationQuota(
            operation=name,
            rate_per_second=plan.rate_per_second,
            burst=plan.burst,
            calls_today=scopes[name].calls if name in scopes else 0,
            throttled_today=scopes[name].throttled if name in scopes else 0,
        )
        for name, plan in sorted(USAGE_PLANS.items())
    ]
    throttles = [
        ThrottleOut(at=throttle.at, operation=throttle.scope.removeprefix(prefix))
        for throttle in usage.recent_throttles(organization_id)
        if throttle.scope.startswith(prefix)
    ]
    today = usage.today(organization_id)
    return QuotaOut(
        day=today.day,
        calls=today.calls,
        budget=settings.vendor_daily_call_budget,
        operations=operations,
        recent_throttles=throttles,
    )


def verify_connection(
    session: Session,
    who: ActsForOrganization,
    account_id: uuid.UUID,
    vault: VaultService,
    settings: Settings,
) -> ConnectionOut:
    """Try the account's credentials now: an LWA token exchange and the first page of its
    listings (the cheapest call that needs the seller's authorization and the Listings role)."""
    account = WatchlistService().account(session, who, account_id)
    disconnected: AccountDisconnectedError | None = None
    try:
        connection = spapi_connection(session, vault, account)
    except AccountDisconnectedError as missing:
        disconnected = missing
    else:
        caller = VendorCaller(settings)
        client = SellingPartnerClient(
            connection, caller, endpoint=settings.spapi_endpoint, token_url=settings.spapi_token_url
        )
        try:
            next(iter(client.search_listings_items(["summaries"], page_size=1)))
        except AccountDisconnectedError as refused:
            disconnected = refused
        except VendorRejectedError as refused:
            if refused.vendor_status not in (401, 403):
                raise
            disconnected = AccountDisconnectedError(refused.detail)
        finally:
            caller.close()
    set_connection(session, who, account, disconnected)
    return ConnectionOut(
        status=account.connection_status,
        error=account.connection_error,
        checked_at=account.connection_checked_at,
    )


def request_sync(
    session: Session, who: ActsForOrganization, account_id: uuid.UUID, dataset: Dataset
) -> uuid.UUID:
    """Queue the data set's sync job for the account now."""
    account = WatchlistService().account(session, who, account_id)
    kind = SYNC_JOBS[dataset]
    if kind not in registry.JOB_KINDS:
        raise InvalidInputError(f"Syncing {dataset.value} is not available in this version.")
    if account.credential_id is None:
        raise InvalidInputError("The account has no credentials: add its LWA credentials first.")
    now = utcnow()
    window = int(now.timestamp() // MANUAL_SYNC_SPACING.total_seconds())
    job_id = enqueue(
        session,
        kind,
        {"account_id": str(account_id), "trigger": "manual"},
        organization_id=who.organization_id,
        created_by=who.actor.label,
        dedupe_key=f"{kind}:{account_id}:manual:{window}",
    )
    if job_id is None:
        raise ConflictError(f"A {dataset.value} sync of this account was just queued.")
    audit(
        session, who, "sync.requested", "marketplace_account", account_id,
        after={"dataset": dataset.value, "job_id": str(job_id)},
    )  # fmt: skip
    return job_id
