"""Analytics against the fake SP-API: a connected seller account per test, a client that honours
the usage plans (it really waits for its token buckets), and helpers to read the tenant's rows."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shelfwise.catalog.models import MarketplaceAccount
from shelfwise.integrations.amazon_spapi.client import SellingPartnerClient, SpApiConnection
from shelfwise.integrations.http import VendorCaller
from shelfwise.platform.breaker import CircuitBreakers
from shelfwise.platform.context import AppContext
from shelfwise.platform.ratelimit import InProcessBuckets
from shelfwise.platform.settings import Settings
from tests.factories import Tenant
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import US_MARKETPLACE
from tests.sellers import connected_account, rows

SELLER = "A1FAKESELLER001"  # the fake's default selling partner


@dataclass
class Seller:
    tenant: Tenant
    account_id: uuid.UUID
    fake: FakeSellingPartnerApi


def ago(**delta: float) -> str:
    """A time that far in the past, as SP-API writes times."""
    return (datetime.now(UTC) - timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def fake() -> Iterator[FakeSellingPartnerApi]:
    with FakeSellingPartnerApi() as server:
        yield server


def connect_seller(client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi) -> Seller:
    account = connected_account(client, tenant, fake, SELLER)
    return Seller(tenant, uuid.UUID(account["id"]), fake)


@pytest.fixture
def seller(client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi) -> Seller:
    return connect_seller(client, tenant, fake)


def vendor_client(seller: Seller, tmp_path: Path) -> SellingPartnerClient:
    """A client of the seller with its own token buckets, waiting for them as in production."""
    settings = Settings(
        data_dir=tmp_path,
        vendor_backoff_base=0.001,
        vendor_backoff_cap=0.01,
        vendor_timeout=5,
        vendor_max_queue_wait=30,
    )
    caller = VendorCaller(
        settings, buckets=InProcessBuckets(), breakers=CircuitBreakers.from_settings(settings)
    )
    credentials = seller.fake.credentials
    connection = SpApiConnection(
        organization_id=seller.tenant.organization_id,
        credential_id=uuid.uuid4(),
        seller_id=SELLER,
        marketplace_id=US_MARKETPLACE,
        region="na",
        refresh_token=credentials.refresh_token,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
    )
    return SellingPartnerClient(
        connection, caller, endpoint=seller.fake.url, token_url=seller.fake.lwa_url
    )


def account_row(context: AppContext, seller: Seller) -> MarketplaceAccount:
    wanted = MarketplaceAccount.id == seller.account_id
    found: MarketplaceAccount = rows(
        context, seller.tenant, select(MarketplaceAccount).where(wanted)
    )[0]
    return found
