"""Marketplace account pages without a browser: the accounts, watched competitors with their
latest offers and history, refusals that name the field, roles and tenancy."""

import re
import uuid
from typing import Any

from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, add_member, create_account, create_user, unique
from tests.web.browser_data import seed_item_history
from tests.web.helpers import dashboard_login


def post(client: TestClient, path: str, csrf: str, **fields: Any) -> Any:
    return client.post(path, data={"csrf": csrf, **fields}, follow_redirects=False)


def watched(client: TestClient, tenant: Tenant, account_id: str) -> list[str]:
    path = f"/api/marketplace-accounts/{account_id}/watched-asins"
    return [entry["asin"] for entry in client.get(path, headers=tenant.headers).json()]


def test_the_accounts_page_lists_only_this_organizations_accounts(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    mine = create_account(client, tenant, name="UK store")
    create_account(client, other_tenant, name="Their store")
    dashboard_login(client, tenant.email)
    page = client.get("/dashboard/accounts")
    assert page.status_code == 200
    assert f'href="/dashboard/accounts/{mine["id"]}">UK store</a>' in page.text
    assert "Their store" not in page.text
    overview = client.get("/dashboard")
    assert f'href="/dashboard/accounts/{mine["id"]}"' in overview.text


def test_an_admin_watches_a_competitor_and_sees_its_offers_over_time(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    account = create_account(client, tenant, marketplace="amazon.co.uk")
    csrf = dashboard_login(client, tenant.email)
    base = f"/dashboard/accounts/{account['id']}"
    added = post(client, f"{base}/watched", csrf, asin=" b08n5wrwnw ", note="Main rival")
    assert added.status_code == 303
    assert watched(client, tenant, account["id"]) == ["B08N5WRWNW"]
    page = client.get(base, params={"tab": "competitors"})
    assert "Watching B08N5WRWNW" in page.text and "not swept yet" in page.text
    seed_item_history(context, tenant.organization_id, uuid.UUID(account["id"]), "B08N5WRWNW")
    page = client.get(base, params={"tab": "competitors"})
    row = re.search(r"<tr><td><a href=[^>]+>B08N5WRWNW</a>.*?</tr>", page.text, re.S)
    assert row is not None
    assert "28.99 GBP" in row.group(0) and "Main rival" in row.group(0)
    item = client.get(f"{base}/items/B08N5WRWNW")
    assert item.status_code == 200
    assert "<svg" in item.text and "Buy Box price" in item.text
    assert item.text.count('<td class="num">2</td>') == 7  # seven daily snapshots, 2 offers
    assert "BSR 600 in Kitchen &amp; Dining" in item.text
    removed = post(client, f"{base}/watched/B08N5WRWNW/remove", csrf)
    assert removed.status_code == 303
    assert watched(client, tenant, account["id"]) == []


def test_a_bad_asin_is_refused_with_the_field_named_and_nothing_watched(
    client: TestClient, tenant: Tenant
) -> None:
    account = create_account(client, tenant)
    csrf = dashboard_login(client, tenant.email)
    bad = post(client, f"/dashboard/accounts/{account['id']}/watched", csrf, asin="B0BAD")
    assert bad.status_code == 422
    assert "<strong>asin</strong>" in bad.text
    assert watched(client, tenant, account["id"]) == []
    unknown = client.get(f"/dashboard/accounts/{account['id']}/items/B000000000")
    assert unknown.status_code == 404


def test_a_viewer_reads_the_pages_but_cannot_watch(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    account = create_account(client, tenant, name="UK store")
    email = f"{unique('viewer')}@example.com"
    create_user(context, email)
    add_member(context, tenant.organization_id, email, Role.VIEWER)
    csrf = dashboard_login(client, email)
    base = f"/dashboard/accounts/{account['id']}"
    for tab in ("orders", "inventory", "competitors", "sync"):
        page = client.get(base, params={"tab": tab})
        assert page.status_code == 200, tab
    competitors = client.get(base, params={"tab": "competitors"})
    assert 'action="' + base + '/watched"' not in competitors.text  # no form offered
    assert "Sync now" not in client.get(base, params={"tab": "sync"}).text
    refused = post(client, f"{base}/watched", csrf, asin="B08N5WRWNW")
    assert refused.status_code == 403
    assert watched(client, tenant, account["id"]) == []


def test_another_organizations_account_is_not_found(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    theirs = create_account(client, other_tenant, name="Their store")
    csrf = dashboard_login(client, tenant.email)
    base = f"/dashboard/accounts/{theirs['id']}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/items/B08N5WRWNW").status_code == 404
    assert post(client, f"{base}/watched", csrf, asin="B08N5WRWNW").status_code == 404
    assert watched(client, other_tenant, theirs["id"]) == []
