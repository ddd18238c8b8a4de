"""A seller on the fake SP-API and in Shelfwise, for the market tests: the fake's seeded
kettle listing plus one watched rival ASIN, and sweeps through the real adapter."""

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfwise.catalog.models import MarketplaceAccount
from shelfwise.integrations.amazon_spapi.offers import pricing_lanes
from shelfwise.integrations.usage import UsageStore
from shelfwise.market.service import WatchlistService, sweep_offers
from shelfwise.platform.actor import Actor
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, create_listing
from tests.fakes.spapi.examples import ASIN, RIVAL, SELLER, SKU, seeded_state
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import catalog_item, offer
from tests.integrations.amazon_spapi.conftest import Harness, connect, spapi_settings
from tests.sellers import connected_account, rows

WATCHED = "B000000002"


class Who:
    def __init__(self, organization_id: uuid.UUID) -> None:
        self.organization_id = organization_id
        self.actor = Actor("user", "test")


def seller_fake() -> Iterator[FakeSellingPartnerApi]:
    state = seeded_state()
    state.add_catalog_item(catalog_item(WATCHED, "Glass Kettle", "Rivalco"))
    state.add_offers(WATCHED, offer(RIVAL, Decimal("24.00"), is_buy_box_winner=True))
    # Its usage plans refill 20 times faster: a second sweep need not wait out the real ones.
    with FakeSellingPartnerApi(acceleration=20, state=state) as server:
        yield server


def seller_account(
    context: AppContext, client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi
) -> str:
    account = connected_account(client, tenant, fake, SELLER)
    create_listing(
        client,
        tenant,
        marketplace_account_id=account["id"],
        sku=SKU,
        asin=ASIN,
        price={"amount": "19.99", "currency": "USD"},
    )
    who = Who(tenant.organization_id)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        WatchlistService().add(session, who, uuid.UUID(account["id"]), WATCHED, "rival")
    return str(account["id"])


def sweep(
    context: AppContext, harness: Harness, tenant: Tenant, account_id: str, **overrides: Any
) -> Any:
    arguments: dict[str, Any] = {
        "refresh_interval_seconds": 0,
        "slice_seconds": 60,
        "trigger": "manual",
    } | overrides
    return sweep_offers(
        context.database,
        tenant.organization_id,
        uuid.UUID(account_id),
        pricing_lanes(harness.client),
        **arguments,
    )


def account_row(context: AppContext, tenant: Tenant, account_id: str) -> MarketplaceAccount:
    wanted = MarketplaceAccount.id == uuid.UUID(account_id)
    found: MarketplaceAccount = rows(context, tenant, select(MarketplaceAccount).where(wanted))[0]
    return found


def fresh_harness(
    fake: FakeSellingPartnerApi,
    tmp_path: Path,
    usage: UsageStore | None = None,
    owner: tuple[uuid.UUID, uuid.UUID] | None = None,
) -> Harness:
    """A client with its own (full) token buckets, so a second sweep need not wait out the
    real usage plans (getItemOffersBatch allows one call per ten seconds)."""
    return connect(fake, spapi_settings(tmp_path), [], [], usage=usage, owner=owner)
