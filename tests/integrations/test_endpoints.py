"""GET /api/usage: today's vendor usage of the caller's organization (viewer and up)."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.integrations.http import UsagePlan, VendorCaller
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, create_tenant
from tests.fakes.token_bucket_server import FakeVendor, Fault


@pytest.fixture
def vendor() -> Iterator[FakeVendor]:
    with FakeVendor(rate_per_second=1000.0, burst=100) as fake:
        yield fake


def make_calls(context: AppContext, vendor: FakeVendor, organization_id: uuid.UUID) -> None:
    """Two calls through the orchestrator; the vendor throttles the first try once."""
    settings = context.settings.model_copy(update={"vendor_backoff_base": 0.01})
    caller = VendorCaller(settings, sleep=lambda _seconds: None)
    vendor.inject(Fault(status=429, retry_after="0"))
    plan = UsagePlan(rate_per_second=1000.0, burst=100)
    for _ in range(2):
        caller.call(
            organization_id,
            uuid.uuid4(),
            "getItemOffers",
            plan,
            "GET",
            f"{vendor.url}/offers",
            quota_units=3,
        )
    caller.close()


def test_usage_reports_todays_calls_of_the_callers_organization(
    context: AppContext, client: TestClient, vendor: FakeVendor, other_tenant: Tenant
) -> None:
    viewer = create_tenant(context, client, Role.VIEWER)
    make_calls(context, vendor, viewer.organization_id)
    response = client.get("/api/usage", headers=viewer.headers)
    assert response.status_code == 200
    assert response.json() == {
        "day": datetime.now(UTC).date().isoformat(),
        "calls": 3,
        "throttled": 1,
        "quota_used": 9,
        "budget": 0,
    }
    other = client.get("/api/usage", headers=other_tenant.headers).json()
    assert (other["calls"], other["throttled"], other["quota_used"]) == (0, 0, 0)


def test_usage_needs_a_login(client: TestClient) -> None:
    assert client.get("/api/usage").status_code == 401
