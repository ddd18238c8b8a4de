"""The score API: a breakdown for any listing (computed on read until first stored), recompute,
history; another organization gets 404 and changes nothing; a viewer reads but cannot rescore."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.platform.context import AppContext
from tests.factories import PASSWORD, Tenant, add_member, create_user, login, unique
from tests.intelligence.conftest import create_scored_listing
from tests.intelligence.listings import BULLETS


def member(context: AppContext, client: TestClient, tenant: Tenant, role: Role) -> Tenant:
    """Another user of `tenant`'s organization, with `role`."""
    email = f"{unique(role.value)}@example.com"
    user_id = create_user(context, email)
    add_member(context, tenant.organization_id, email, role)
    tokens = login(client, email)
    return Tenant(
        tenant.organization_id,
        user_id,
        email,
        PASSWORD,
        tokens["access_token"],
        tokens["refresh_token"],
        role,
    )


def score_of(client: TestClient, tenant: Tenant, listing_id: str) -> dict[str, Any]:
    response = client.get(f"/api/listings/{listing_id}/score", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def history_of(client: TestClient, tenant: Tenant, listing_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/listings/{listing_id}/score/history", headers=tenant.headers)
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()
    return body


def test_a_listing_never_scored_is_scored_on_read_without_storing(
    client: TestClient, tenant: Tenant
) -> None:
    listing = create_scored_listing(client, tenant, bullets=list(BULLETS[:3]))
    shown = score_of(client, tenant, listing["id"])
    assert (shown["score"], shown["is_stored"], shown["content_version"]) == (96, False, 1)
    assert [(s["name"], s["earned"], s["possible"]) for s in shown["sections"]] == [
        ("title", 30, 30),
        ("bullets_description", 26, 30),
        ("images", 20, 20),
        ("attributes", 20, 20),
    ]
    assert shown["sections"][1]["rules"][0] == {
        "rule": "bullets.count",
        "earned": 4,
        "possible": 8,
        "reason": "3 bullet points; 5 are shown on the detail page.",
        "fix": "Add 2 bullet points: benefits, materials, size, compatibility, care.",
    }
    assert history_of(client, tenant, listing["id"]) == []


def test_recompute_stores_the_score_and_its_history(client: TestClient, tenant: Tenant) -> None:
    listing = create_scored_listing(client, tenant)
    posted = client.post(f"/api/listings/{listing['id']}/score", headers=tenant.headers)
    assert posted.status_code == 200, posted.text
    assert (posted.json()["score"], posted.json()["is_stored"]) == (100, True)
    assert score_of(client, tenant, listing["id"])["is_stored"] is True
    assert [entry["score"] for entry in history_of(client, tenant, listing["id"])] == [100]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/listings/{id}/score"),
        ("GET", "/api/listings/{id}/score/history"),
        ("POST", "/api/listings/{id}/score"),
    ],
    ids=["read", "history", "recompute"],
)
def test_another_organization_gets_404_and_nothing_changes(
    client: TestClient, tenant: Tenant, other_tenant: Tenant, method: str, path: str
) -> None:
    listing = create_scored_listing(client, tenant)
    client.post(f"/api/listings/{listing['id']}/score", headers=tenant.headers)
    before = history_of(client, tenant, listing["id"])
    response = client.request(method, path.format(id=listing["id"]), headers=other_tenant.headers)
    assert response.status_code == 404, response.text
    assert response.json()["status"] == 404
    assert history_of(client, tenant, listing["id"]) == before


def test_a_viewer_reads_scores_but_cannot_recompute(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    listing = create_scored_listing(client, tenant)
    viewer = member(context, client, tenant, Role.VIEWER)
    assert score_of(client, viewer, listing["id"])["score"] == 100
    assert history_of(client, viewer, listing["id"]) == []
    refused = client.post(f"/api/listings/{listing['id']}/score", headers=viewer.headers)
    assert refused.status_code == 403, refused.text
    assert client.post("/api/scores/recompute", headers=viewer.headers).status_code == 403
    assert history_of(client, tenant, listing["id"]) == []


def test_an_unknown_listing_is_404(client: TestClient, tenant: Tenant) -> None:
    missing = "01a24e91-0000-7000-8000-000000000000"
    response = client.get(f"/api/listings/{missing}/score", headers=tenant.headers)
    assert (response.status_code, response.json()["detail"]) == (404, "No such listing.")
