"""An organization's `amazon_creators` credential from the vault, as a CreatorsItems that
fetches from the fake; what is missing or wrong in the credential names the fix."""

import uuid
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from shelfwise.integrations.creators.accounts import (
    creators_connection,
    creators_credential_id,
    creators_items,
)
from shelfwise.integrations.errors import AccountDisconnectedError
from shelfwise.integrations.http import VendorCaller
from shelfwise.integrations.items import AmazonItem
from shelfwise.integrations.usage import InProcessUsage
from shelfwise.platform.breaker import CircuitBreakers
from shelfwise.platform.context import AppContext
from shelfwise.platform.ratelimit import InProcessBuckets
from tests.factories import Tenant, create_credential
from tests.fakes.creators.server import FakeCreatorsApi
from tests.integrations.creators.conftest import creators_settings


def add_credential(client: TestClient, tenant: Tenant, **secrets: str) -> uuid.UUID:
    credential = create_credential(client, tenant, kind="amazon_creators", secrets=secrets)
    return uuid.UUID(credential["id"])


def test_the_vault_credential_fetches_items_with_its_partner_tag(
    client: TestClient, context: AppContext, tenant: Tenant, tmp_path: Path
) -> None:
    with FakeCreatorsApi(rate_per_second=100, burst=10) as fake:
        credentials = fake.credentials
        credential_id = add_credential(
            client,
            tenant,
            credential_id=credentials.credential_id,
            credential_secret=credentials.credential_secret,
            version="3.2",
            partner_tag="tenant-21",
        )
        settings = creators_settings(tmp_path, fake)
        caller = VendorCaller(
            settings,
            client=httpx.Client(),
            buckets=InProcessBuckets(),
            breakers=CircuitBreakers.from_settings(settings),
            usage=InProcessUsage(),
        )
        with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
            assert creators_credential_id(session, tenant.organization_id) == credential_id
            source = creators_items(
                session, context.vault, tenant.organization_id, credential_id, caller
            )
        (item,) = source.fetch_items(["B0TENANT01"], "amazon.co.uk")
        (request,) = fake.requests
    assert isinstance(item, AmazonItem)
    assert item.detail_url == (
        "https://www.amazon.co.uk/dp/B0TENANT01?tag=tenant-21&linkCode=ogi&th=1&psc=1"
    )
    assert request.body["partnerTag"] == "tenant-21"
    connection = source.client.connection
    assert (connection.organization_id, connection.credential_id) == (
        tenant.organization_id,
        credential_id,
    )
    assert connection.config.credential_secret.get_secret_value() == credentials.credential_secret
    assert "creators-fake-secret" not in repr(connection.config)


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        pytest.param(
            {"credential_id": "id", "credential_secret": "secret", "version": "3.1"},
            "lacks partner_tag",
            id="no-partner-tag",
        ),
        pytest.param(
            {
                "credential_id": "id",
                "credential_secret": "secret",
                "version": "9.9",
                "partner_tag": "a-20",
            },
            "not a valid Creators API credential (version: Input should be",
            id="unknown-version",
        ),
    ],
)
def test_an_incomplete_credential_names_the_fix(
    client: TestClient,
    context: AppContext,
    tenant: Tenant,
    secrets: dict[str, str],
    message: str,
) -> None:
    credential_id = add_credential(client, tenant, **secrets)
    with (
        context.database.unit_of_work(organization_id=tenant.organization_id) as session,
        pytest.raises(AccountDisconnectedError) as refused,
    ):
        creators_connection(session, context.vault, tenant.organization_id, credential_id)
    assert message in refused.value.detail


def test_a_credential_of_another_kind_is_refused(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    credential = create_credential(client, tenant)  # an amazon_spapi credential
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        assert creators_credential_id(session, tenant.organization_id) is None
        with pytest.raises(
            AccountDisconnectedError, match="is of kind amazon_spapi, not amazon_creators"
        ):
            creators_connection(
                session, context.vault, tenant.organization_id, uuid.UUID(credential["id"])
            )
