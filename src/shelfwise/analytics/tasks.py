"""Analytics jobs: orders (every 15 minutes) and FBA inventory (every 30) per account, scheduled
or on demand ({"account_id", "trigger"})."""

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from shelfwise.analytics.sync import SyncOutcome, sync_inventory, sync_orders
from shelfwise.integrations.amazon_spapi.client import SellingPartnerClient
from shelfwise.jobs.context import JobContext
from shelfwise.jobs.errors import PermanentJobError
from shelfwise.jobs.registry import job, periodic
from shelfwise.market.connections import account_client
from shelfwise.market.service import queue_for_accounts

SYNC_ORDERS = "analytics.sync_orders"
SYNC_INVENTORY = "analytics.sync_inventory"
ORDERS_EVERY = timedelta(minutes=15)
INVENTORY_EVERY = timedelta(minutes=30)


def _run(
    context: JobContext, sync: Callable[[SellingPartnerClient, uuid.UUID], SyncOutcome]
) -> dict[str, Any]:
    if context.organization_id is None:
        raise PermanentJobError(f"{context.kind} belongs to an organization.")
    account_id = uuid.UUID(str(context.arguments["account_id"]))
    with account_client(context, context.organization_id, account_id) as (_, client):
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
    return {"queued": queue_for_accounts(context.database, kind, tick)}


@job("analytics.schedule_orders", max_attempts=1)
def schedule_orders(context: JobContext) -> dict[str, Any]:
    return schedule(context, SYNC_ORDERS)


@job("analytics.schedule_inventory", max_attempts=1)
def schedule_inventory(context: JobContext) -> dict[str, Any]:
    return schedule(context, SYNC_INVENTORY)


periodic("analytics.schedule_orders", every=ORDERS_EVERY)
periodic("analytics.schedule_inventory", every=INVENTORY_EVERY)
