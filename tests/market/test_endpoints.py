"""The market API on SQLite and PostgreSQL: sync status with quota use and throttling, runs and
their changes, on-demand syncs, watched ASINs, offer history; roles and tenant isolation."""

from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.integrations.usage import shared_usage
from shelfwise.platform.context import AppContext
from tests.factories import Tenant, add_member, create_account, create_user, login, unique
from tests.fakes.spapi.examples import ASIN, RIVAL, SELLER
from tests.fakes.spapi.faults import Fault
from tests.fakes.spapi.server import FakeSellingPartnerApi
from tests.fakes.spapi.state import offer
from tests.market.seller import WATCHED, account_row, fresh_harness, seller_account, sweep


def base(account_id: str) -> str:
    return f"/api/marketplace-accounts/{account_id}"


def viewer_of(context: AppContext, client: TestClient, tenant: Tenant) -> dict[str, str]:
    email = f"{unique('viewer')}@example.com"
    create_user(context, email)
    add_member(context, tenant.organization_id, email, Role.VIEWER)
    token = login(client, email)["access_token"]
    return {"Authorization": f"Bearer {token}", "X-Organization-Id": str(tenant.organization_id)}


def test_sync_status_shows_connection_last_runs_coverage_and_quota(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    fake: FakeSellingPartnerApi,
    tmp_path: Path,
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    fake.inject("getListingOffersBatch", Fault(status=429))  # one throttled try, then the answer
    credential_id = account_row(context, tenant, account_id).credential_id
    assert credential_id is not None
    owner = (tenant.organization_id, credential_id)
    harness = fresh_harness(fake, tmp_path, usage=shared_usage(context.settings), owner=owner)
    sweep(context, harness, tenant, account_id)

    answer = client.get(f"{base(account_id)}/sync", headers=tenant.headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["connection"]["status"] == "connected"
    assert body["connection"]["checked_at"] is not None
    offers_run = body["last_sync"]["offers"]
    assert offers_run["status"] == "succeeded" and offers_run["counts"]["refreshed"] == 2
    assert body["offers"] == {"targets": 2, "due": 0, "snapshots": 2}
    by_operation = {entry["operation"]: entry for entry in body["quota"]["operations"]}
    assert by_operation["getListingOffersBatch"] == {
        "operation": "getListingOffersBatch",
        "rate_per_second": 0.5,
        "burst": 1,
        "calls_today": 2,
        "throttled_today": 1,
    }
    assert by_operation["getItemOffersBatch"]["calls_today"] == 1
    recent = body["quota"]["recent_throttles"]
    assert [throttle["operation"] for throttle in recent] == ["getListingOffersBatch"]

    runs = client.get(f"{base(account_id)}/sync/runs", headers=tenant.headers).json()
    assert [run["dataset"] for run in runs] == ["offers"]


def test_a_run_lists_what_it_changed_and_the_history_shows_each_snapshot(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    fake: FakeSellingPartnerApi,
    tmp_path: Path,
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    sweep(context, fresh_harness(fake, tmp_path), tenant, account_id)
    fake.state.offers[ASIN] = [
        offer(SELLER, Decimal("18.99"), is_buy_box_winner=True),
        offer(RIVAL, Decimal("18.50"), shipping=Decimal("4.99")),
    ]
    second = sweep(context, fresh_harness(fake, tmp_path), tenant, account_id)

    changes = client.get(
        f"{base(account_id)}/sync/runs/{second.run_id}/changes", headers=tenant.headers
    ).json()
    assert changes == [
        {
            "item": ASIN,
            "field": f"offer:{SELLER}",
            "old": "19.99",
            "new": "18.99",
            "changed_at": changes[0]["changed_at"],
        }
    ]
    history = client.get(f"{base(account_id)}/offers/{ASIN}/history", headers=tenant.headers)
    assert history.status_code == 200, history.text
    snapshots = history.json()
    assert [s["my_price"] for s in snapshots] == ["18.99", "19.99"]  # newest first
    assert snapshots[0]["offers"][0]["seller_id"] in {SELLER, RIVAL}
    unknown = client.get(
        f"{base(account_id)}/sync/runs/{tenant.organization_id}/changes", headers=tenant.headers
    )
    assert unknown.status_code == 404


def test_an_on_demand_sync_is_queued_once_a_minute(
    context: AppContext, client: TestClient, tenant: Tenant, fake: FakeSellingPartnerApi
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    url = f"{base(account_id)}/sync"
    first = client.post(url, json={"dataset": "offers"}, headers=tenant.headers)
    assert first.status_code == 202, first.text
    job = client.get(f"/api/jobs/{first.json()['job_id']}", headers=tenant.headers).json()
    assert job["kind"] == "market.sweep_offers" and job["status"] == "queued"
    again = client.post(url, json={"dataset": "offers"}, headers=tenant.headers)
    assert again.status_code == 409
    assert "just queued" in again.json()["detail"]
    wrong = client.post(url, json={"dataset": "everything"}, headers=tenant.headers)
    assert wrong.status_code == 422
    cancelled = client.post(f"/api/jobs/{first.json()['job_id']}/cancel", headers=tenant.headers)
    assert cancelled.status_code == 200  # not left for another test's workers to run
    bare = create_account(client, tenant, marketplace="amazon.com")
    refused = client.post(
        f"{base(bare['id'])}/sync", json={"dataset": "offers"}, headers=tenant.headers
    )
    assert refused.status_code == 422
    assert "no credentials" in refused.json()["detail"]


def test_watched_asins_are_added_listed_and_removed_by_admins(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    account = create_account(client, tenant, marketplace="amazon.com")
    url = f"{base(account['id'])}/watched-asins"
    added = client.post(url, json={"asin": " b0rival123 ", "note": "rival"}, headers=tenant.headers)
    assert added.status_code == 201, added.text
    assert added.json()["asin"] == "B0RIVAL123"
    twice = client.post(url, json={"asin": "B0RIVAL123"}, headers=tenant.headers)
    assert twice.status_code == 409
    invalid = client.post(url, json={"asin": "not-an-asin"}, headers=tenant.headers)
    assert invalid.status_code == 422
    viewer = viewer_of(context, client, tenant)
    assert client.post(url, json={"asin": "B0OTHER123"}, headers=viewer).status_code == 403
    listed = client.get(url, headers=viewer).json()
    assert [entry["asin"] for entry in listed] == ["B0RIVAL123"]
    assert client.delete(f"{url}/B0RIVAL123", headers=tenant.headers).status_code == 204
    assert client.delete(f"{url}/B0RIVAL123", headers=tenant.headers).status_code == 404
    assert client.get(url, headers=tenant.headers).json() == []


def test_another_organization_gets_404_for_every_market_endpoint(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    other_tenant: Tenant,
    fake: FakeSellingPartnerApi,
    tmp_path: Path,
) -> None:
    account_id = seller_account(context, client, tenant, fake)
    outcome = sweep(context, fresh_harness(fake, tmp_path), tenant, account_id)
    headers = other_tenant.headers
    for path in (
        "/sync",
        "/sync/runs",
        f"/sync/runs/{outcome.run_id}/changes",
        "/watched-asins",
        f"/offers/{ASIN}/history",
    ):
        answer = client.get(f"{base(account_id)}{path}", headers=headers)
        assert answer.status_code == 404, (path, answer.status_code, answer.text)
    posted = client.post(f"{base(account_id)}/sync", json={"dataset": "offers"}, headers=headers)
    assert posted.status_code == 404
    removed = client.delete(f"{base(account_id)}/watched-asins/{WATCHED}", headers=headers)
    assert removed.status_code == 404
    assert client.get(f"{base(account_id)}/sync", headers=tenant.headers).status_code == 200


def test_checking_the_connection_records_what_amazon_says(
    context: AppContext,
    client: TestClient,
    tenant: Tenant,
    fake: FakeSellingPartnerApi,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(context.settings, "spapi_endpoint", fake.url)
    monkeypatch.setattr(context.settings, "spapi_token_url", fake.lwa_url)
    account_id = seller_account(context, client, tenant, fake)
    url = f"{base(account_id)}/connection"
    checked = client.post(url, headers=tenant.headers)
    assert checked.status_code == 200, checked.text
    assert checked.json()["status"] == "connected" and checked.json()["error"] is None

    fake.lwa.revoke_grant(fake.credentials.refresh_token)
    revoked = client.post(url, headers=tenant.headers).json()
    assert revoked["status"] == "disconnected"
    assert "invalid_grant" in revoked["error"] and "Reconnect" in revoked["error"]
    account = client.get(base(account_id), headers=tenant.headers).json()
    assert account["connection_status"] == "disconnected"
    assert account["connection_error"] == revoked["error"]

    bare = create_account(client, tenant, marketplace="amazon.com")
    missing = client.post(f"{base(bare['id'])}/connection", headers=tenant.headers).json()
    assert missing["status"] == "disconnected" and "no credentials" in missing["error"]
    viewer = viewer_of(context, client, tenant)
    assert client.post(url, headers=viewer).status_code == 403
