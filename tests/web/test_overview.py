"""The overview's alerts without a browser: a disconnected account (found by the settings'
connection check), a score drop (score.changed) and nothing of another organization's."""

import uuid

from fastapi.testclient import TestClient

from shelfwise.intelligence.score_service import score
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, create_account
from tests.intelligence.conftest import create_scored_listing, edit
from tests.web.helpers import dashboard_login


def recompute(context: AppContext, tenant: Tenant, listing_id: str) -> int:
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        return score.recompute(session, tenant.organization_id, uuid.UUID(listing_id)).score


def test_a_quiet_organization_has_no_alerts(client: TestClient, tenant: Tenant) -> None:
    dashboard_login(client, tenant.email)
    page = client.get("/dashboard")
    assert "No alerts: no account disconnected, no score drop, no job failed." in page.text


def test_a_connection_check_that_fails_becomes_an_alert(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    account = create_account(client, tenant, name="UK store")  # no credentials
    create_account(client, other_tenant, name="Their store")
    csrf = dashboard_login(client, tenant.email)
    checked = client.post(
        f"/dashboard/settings/accounts/{account['id']}/connection",
        data={"csrf": csrf},
        follow_redirects=False,
    )
    assert checked.status_code == 303
    settings = client.get("/dashboard/settings")
    assert "Not connected: The account has no credentials" in settings.text
    page = client.get("/dashboard")
    assert (
        f'<a href="/dashboard/accounts/{account["id"]}?tab=sync">UK store</a> is disconnected'
        in (page.text)
    )
    assert "Their store" not in page.text


def test_a_score_drop_is_an_alert_with_its_severity(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    listing = create_scored_listing(client, tenant)
    recompute(context, tenant, listing["id"])
    edit(client, tenant, listing["id"], images=[], bullets=[])
    assert recompute(context, tenant, listing["id"]) == 60
    dashboard_login(client, tenant.email)
    page = client.get("/dashboard")
    assert f'<a href="/dashboard/listings/{listing["id"]}">' in page.text
    assert "fell from 100 to 60 (down 40 %, critical)" in page.text
