"""Market jobs: offer sweeps per account (scheduled every five minutes, or on demand)."""

import uuid
from datetime import timedelta
from typing import Any

from shelfwise.accounts.repository import AccountsRepository
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.integrations.amazon_spapi.accounts import spapi_connection
from shelfwise.integrations.amazon_spapi.client import SellingPartnerClient
from shelfwise.integrations.amazon_spapi.offers import pricing_lanes
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.integrations.http import VendorCaller
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import JobGone, PermanentJobError
from shelfwise.jobs.registry import job, periodic
from shelfwise.jobs.service import enqueue
from shelfwise.market.service import record_connection, sweep_offers, sweepable_accounts
from shelfwise.platform.vault import load_key_ring
from shelfwise.vault.service import VaultService

SWEEP = "market.sweep_offers"
SWEEP_EVERY = timedelta(minutes=5)


@job(SWEEP, max_attempts=3)
def sweep_account_offers(context: JobContext) -> dict[str, Any]:
    if context.organization_id is None:
        raise PermanentJobError("An offer sweep belongs to an organization.")
    organization_id = context.organization_id
    account_id = uuid.UUID(str(context.arguments["account_id"]))
    settings = context.settings
    vault = VaultService(load_key_ring(settings, create=False))
    missing: AccountDisconnectedError | None = None
    with context.unit_of_work() as session:
        account = MarketplaceAccountRepository(session, organization_id).get(account_id)
        if account is None:
            raise JobGone(f"marketplace account {account_id} was deleted")
        try:
            connection = spapi_connection(session, vault, account)
        except AccountDisconnectedError as disconnected:
            missing = disconnected
    if missing is not None:
        record_connection(context.database, organization_id, account_id, missing)
        raise missing
    caller = VendorCaller(settings)
    client = SellingPartnerClient(
        connection, caller, endpoint=settings.spapi_endpoint, token_url=settings.spapi_token_url
    )
    try:
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
    finally:
        caller.close()
    if outcome.run_id is None:
        return {"skipped": "another offer sweep of this account is running"}
    return {"sync_run_id": str(outcome.run_id), "due": outcome.due} | outcome.counts.as_dict()


@job("market.schedule_sweeps", max_attempts=1)
def schedule_sweeps(context: JobContext) -> dict[str, Any]:
    """Queue one sweep per sweepable account of every organization, once per tick."""
    tick = str(context.arguments.get("tick_at", ""))
    with context.unit_of_work() as session:
        organization_ids = AccountsRepository(session).all_organization_ids()
    queued = 0
    for organization_id in organization_ids:
        with context.database.unit_of_work(organization_id=organization_id) as session:
            for account in sweepable_accounts(session, organization_id):
                queued += 1
                enqueue(
                    session,
                    SWEEP,
                    {"account_id": str(account.id), "trigger": "schedule"},
                    organization_id=organization_id,
                    created_by="scheduler",
                    dedupe_key=f"{SWEEP}:{account.id}:{tick}",
                )
    return {"queued": queued}


periodic("market.schedule_sweeps", every=SWEEP_EVERY)
