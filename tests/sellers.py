"""A seller connected to the fake SP-API, for the tests of every domain that syncs from it."""

from typing import Any

from fastapi.testclient import TestClient

from shelfwise.platform.context import AppContext
from shelfwise.platform.settings import Settings
from tests.factories import Tenant, create_account, create_credential
from tests.fakes.spapi.server import FakeSellingPartnerApi


def connected_account(
    client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi, seller_id: str
) -> dict[str, Any]:
    """An amazon.com account of `seller_id` holding the fake's LWA credentials."""
    credentials = fake.credentials
    credential = create_credential(
        client,
        tenant,
        secrets={
            "refresh_token": credentials.refresh_token,
            "lwa_app_id": credentials.client_id,
            "lwa_client_secret": credentials.client_secret,
        },
    )
    return create_account(
        client,
        tenant,
        marketplace="amazon.com",
        seller_id=seller_id,
        credential_id=credential["id"],
    )


def fake_settings(context: AppContext, fake: FakeSellingPartnerApi) -> Settings:
    """The suite's settings with SP-API pointed at `fake` (for jobs that build their client)."""
    return context.settings.model_copy(
        update={"spapi_endpoint": fake.url, "spapi_token_url": fake.lwa_url}
    )


def rows(context: AppContext, tenant: Tenant, statement: Any) -> list[Any]:
    """The tenant's rows (filtered here too: SQLite has no row-level security)."""
    model = statement.column_descriptions[0]["entity"]
    scoped = statement.where(model.organization_id == tenant.organization_id)
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        return list(session.scalars(scoped))
