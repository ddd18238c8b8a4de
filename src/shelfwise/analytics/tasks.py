"""Analytics jobs: orders (every 15 minutes) and FBA inventory (every 30) per account, scheduled
or on demand ({"account_id", "trigger"})."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from shelfwise.accounts.repository import AccountsRepository
from shelfwise.analytics.sync import SyncOutcome, sync_inventory, sync_orders
from shelfwise.catalog.repository import MarketplaceAccountRepository
from shelfwise.integrations.amazon_spapi.accounts import spapi_connection
from shelfwise.integrations.amazon_spapi.client import SellingPartnerClient
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.integrations.http import VendorCaller
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import JobGone, PermanentJobError
from shelfwise.jobs.registry import job, periodic
from shelfwise.jobs.service import enqueue
from shelfwise.market.service import record_connection, sweepable_accounts
from shelfwise.platform.vault import load_key_ring
from shelfwise.vault.service import VaultService

SYNC_ORDERS = "analytics.sync_orders"
SYNC_INVENTORY = "analytics.sync_inventory"
ORDERS_EVERY = timedelta(minutes=15)
INVENTORY_EVERY = timedelta(minutes=30)


@contextmanager
def seller_client(context: JobContext, account_id: uuid.UUID) -> Iterator[SellingPartnerClient]:
    """The account's SP-API client; an account that cannot connect is marked disconnected."""
    assert context.organization_id is not None
    organization_id = context.organization_id
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
    try:
        yield SellingPartnerClient(
            connection,
            caller,
            endpoint=settings.spapi_endpoint,
            token_url=settings.spapi_token_url,
        )
    finally:
        caller.close()


def _run(
    context: JobContext, sync: Callable[[SellingPartnerClient, uuid.UUID], SyncOutcome]
) -> dict[str, Any]:
    if context.organization_id is None:
        raise PermanentJobError(f"{context.kind} belongs to an organization.")
    account_id = uuid.UUID(str(context.arguments["account_id"]))
    with seller_client(context, account_id) as client:
        outcome = sync(client, context.organization_id)
    return {"sync_run_id": str(outcome.run_id)} | outcome.counts


def _trigger(context: JobContext) -> str:
    return str(context.arguments.get("trigger", "manual"))


@job(SYNC_ORDERS, max_attempts=3)
def sync_account_orders(context: JobContext) -> dict[str, Any]:
    def sync(client: SellingPartnerClient, organization_id: uuid.UUID) -> SyncOutcome:
        return sync_orders(
            context.database,
            organization_id,
            uuid.UUID(str(context.arguments["account_id"])),
            client,
            trigger=_trigger(context),
            job_id=context.job_id,
            item_error=context.item_error,
            progress=context.advance,
        )

    return _run(context, sync)


@job(SYNC_INVENTORY, max_attempts=3)
def sync_account_inventory(context: JobContext) -> dict[str, Any]:
    def sync(client: SellingPartnerClient, organization_id: uuid.UUID) -> SyncOutcome:
        return sync_inventory(
            context.database,
            organization_id,
            uuid.UUID(str(context.arguments["account_id"])),
            client,
            trigger=_trigger(context),
            job_id=context.job_id,
            item_error=context.item_error,
            progress=context.advance,
        )

    return _run(context, sync)


def schedule(context: JobContext, kind: str) -> dict[str, Any]:
    """Queue one `kind` job per sweepable account of every organization, once per tick."""
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
                    kind,
                    {"account_id": str(account.id), "trigger": "schedule"},
                    organization_id=organization_id,
                    created_by="scheduler",
                    dedupe_key=f"{kind}:{account.id}:{tick}",
                )
    return {"queued": queued}


@job("analytics.schedule_orders", max_attempts=1)
def schedule_orders(context: JobContext) -> dict[str, Any]:
    return schedule(context, SYNC_ORDERS)


@job("analytics.schedule_inventory", max_attempts=1)
def schedule_inventory(context: JobContext) -> dict[str, Any]:
    return schedule(context, SYNC_INVENTORY)


periodic("analytics.schedule_orders", every=ORDERS_EVERY)
periodic("analytics.schedule_inventory", every=INVENTORY_EVERY)
