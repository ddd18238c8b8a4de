"""Listings through the HTTP API: CRUD, content versions, diffs, revert and the lifecycle."""

from collections import deque
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.catalog.models import ListingStatus
from shelfwise.catalog.service import STATUS_TRANSITIONS
from tests.factories import Tenant, create_account, create_listing, create_product

CONTENT = ("title", "bullets", "description", "images", "attributes")


def read(client: TestClient, tenant: Tenant, listing_id: str) -> dict[str, Any]:
    response = client.get(f"/api/listings/{listing_id}", headers=tenant.headers)
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def patch(client: TestClient, tenant: Tenant, listing_id: str, **body: Any) -> dict[str, Any]:
    response = client.patch(f"/api/listings/{listing_id}", json=body, headers=tenant.headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def versions(client: TestClient, tenant: Tenant, listing_id: str) -> list[dict[str, Any]]:
    response = client.get(f"/api/listings/{listing_id}/versions", headers=tenant.headers)
    assert response.status_code == 200
    result: list[dict[str, Any]] = response.json()
    return result


def test_create_read_update_delete_listing(client: TestClient, tenant: Tenant) -> None:
    product = create_product(client, tenant)
    account = create_account(client, tenant, marketplace="amazon.de")
    created = create_listing(
        client,
        tenant,
        product_id=product["id"],
        marketplace_account_id=account["id"],
        sku="  SKU-1  ",
        asin="b07pgl2zsl",
        description="Compact and light.",
        images=["https://images.example.com/drill.jpg"],
        attributes={"voltage": "18V"},
    )
    assert {key: value for key, value in created.items() if not key.endswith("_at")} == {
        "id": created["id"],
        "product_id": product["id"],
        "marketplace_account_id": account["id"],
        "marketplace": "amazon.de",
        "sku": "SKU-1",
        "asin": "B07PGL2ZSL",
        "title": "Bosch Professional Cordless Drill 18V with 2 Batteries",
        "bullets": ["Two 2.0Ah batteries", "Fast charger included"],
        "description": "Compact and light.",
        "images": ["https://images.example.com/drill.jpg"],
        "attributes": {"voltage": "18V"},
        "price": {"amount": "89.99", "currency": "GBP"},
        "quantity": 12,
        "status": "imported",
        "quality_score": None,
        "content_version": 1,
    }
    assert read(client, tenant, created["id"]) == created

    updated = patch(client, tenant, created["id"], quantity=0, price=None)
    assert (updated["quantity"], updated["price"], updated["content_version"]) == (0, None, 1)

    deleted = client.delete(f"/api/listings/{created['id']}", headers=tenant.headers)
    assert deleted.status_code == 204
    for path in ("", "/versions"):
        gone = client.get(f"/api/listings/{created['id']}{path}", headers=tenant.headers)
        assert gone.status_code == 404


def test_product_and_account_must_belong_to_the_organization(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    foreign_product = create_product(client, other_tenant)
    foreign_account = create_account(client, other_tenant)
    own_product = create_product(client, tenant)
    own_account = create_account(client, tenant)
    for product_id, account_id, field in (
        (foreign_product["id"], own_account["id"], "body.product_id"),
        (own_product["id"], foreign_account["id"], "body.marketplace_account_id"),
    ):
        response = client.post(
            "/api/listings",
            json={
                "product_id": product_id,
                "marketplace_account_id": account_id,
                "sku": "X",
                "title": "T",
            },
            headers=tenant.headers,
        )
        assert response.status_code == 422
        assert [error["field"] for error in response.json()["errors"]] == [field]
    listed = client.get("/api/listings", headers=tenant.headers).json()
    assert listed == {"items": [], "next_cursor": None}


def test_same_sku_on_the_same_account_is_409(client: TestClient, tenant: Tenant) -> None:
    first = create_listing(client, tenant, sku="DUP")
    response = client.post(
        "/api/listings",
        json={
            "product_id": first["product_id"],
            "marketplace_account_id": first["marketplace_account_id"],
            "sku": "DUP",
            "title": "Again",
        },
        headers=tenant.headers,
    )
    assert response.status_code == 409
    listed = client.get("/api/listings", headers=tenant.headers).json()["items"]
    assert [item["id"] for item in listed] == [first["id"]]


def test_content_edits_add_versions_and_other_edits_do_not(
    client: TestClient, tenant: Tenant
) -> None:
    listing = create_listing(client, tenant)
    listing_id = listing["id"]

    assert (
        patch(client, tenant, listing_id, price={"amount": "79.5", "currency": "GBP"})[
            "content_version"
        ]
        == 1
    )
    assert patch(client, tenant, listing_id, quantity=3)["content_version"] == 1
    titled = patch(
        client,
        tenant,
        listing_id,
        title="Bosch Professional Brushless Drill 18V with 3 Batteries",
        note="stronger title",
    )
    assert titled["content_version"] == 2
    assert titled["price"] == {"amount": "79.50", "currency": "GBP"}
    same = patch(client, tenant, listing_id, title=titled["title"])
    assert same["content_version"] == 2  # unchanged content is no new version
    assert patch(client, tenant, listing_id, bullets=["One battery"])["content_version"] == 3
    assert patch(client, tenant, listing_id, attributes={"colour": "blue"})["content_version"] == 4

    history = versions(client, tenant, listing_id)
    author = f"user:{tenant.user_id}"
    assert [(v["version"], v["origin"], v["note"], v["created_by"]) for v in history] == [
        (4, "edit", None, author),
        (3, "edit", None, author),
        (2, "edit", "stronger title", author),
        (1, "create", None, author),
    ]
    assert history[3]["title"] == listing["title"]
    assert history[2]["title"] == titled["title"]
    assert (history[1]["bullets"], history[0]["attributes"]) == (
        ["One battery"],
        {"colour": "blue"},
    )
    one = client.get(f"/api/listings/{listing_id}/versions/2", headers=tenant.headers)
    assert one.status_code == 200
    assert one.json() == history[2]
    missing = client.get(f"/api/listings/{listing_id}/versions/9", headers=tenant.headers)
    assert missing.status_code == 404


def test_diff_gives_word_level_segments(client: TestClient, tenant: Tenant) -> None:
    listing = create_listing(client, tenant)
    patch(
        client,
        tenant,
        listing["id"],
        title="Bosch Professional Brushless Drill 18V with 3 Batteries",
    )

    response = client.get(
        f"/api/listings/{listing['id']}/diff", params={"from": 1, "to": 2}, headers=tenant.headers
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["from_version"], body["to_version"]) == (1, 2)
    assert [(field["field"], field["changed"]) for field in body["fields"]] == [
        ("title", True),
        ("bullets", False),
        ("description", False),
        ("images", False),
        ("attributes", False),
    ]
    assert body["fields"][0]["segments"] == [
        {"op": "equal", "text": "Bosch Professional "},
        {"op": "delete", "text": "Cordless"},
        {"op": "insert", "text": "Brushless"},
        {"op": "equal", "text": " Drill 18V with "},
        {"op": "delete", "text": "2"},
        {"op": "insert", "text": "3"},
        {"op": "equal", "text": " Batteries"},
    ]
    assert body["fields"][1]["segments"] == [
        {"op": "equal", "text": "Two 2.0Ah batteries\nFast charger included"}
    ]
    unknown = client.get(
        f"/api/listings/{listing['id']}/diff", params={"from": 1, "to": 5}, headers=tenant.headers
    )
    assert unknown.status_code == 404


def test_revert_restores_version_one_as_a_new_version(client: TestClient, tenant: Tenant) -> None:
    listing = create_listing(client, tenant)
    patch(client, tenant, listing["id"], title="Second title", bullets=[])
    patch(client, tenant, listing["id"], description="Third", images=["https://x.example/a.png"])
    patch(client, tenant, listing["id"], price={"amount": "10.00", "currency": "GBP"})

    response = client.post(
        f"/api/listings/{listing['id']}/revert", json={"version": 1}, headers=tenant.headers
    )

    assert response.status_code == 200
    reverted = response.json()
    assert reverted["content_version"] == 4
    assert {field: reverted[field] for field in CONTENT} == {
        field: listing[field] for field in CONTENT
    }
    assert reverted["price"] == {"amount": "10.00", "currency": "GBP"}  # not content
    newest = versions(client, tenant, listing["id"])[0]
    assert (newest["version"], newest["origin"], newest["note"]) == (
        4,
        "revert",
        "revert to version 1",
    )
    assert {field: newest[field] for field in CONTENT} == {
        field: listing[field] for field in CONTENT
    }
    missing = client.post(
        f"/api/listings/{listing['id']}/revert", json={"version": 7}, headers=tenant.headers
    )
    assert missing.status_code == 404
    assert read(client, tenant, listing["id"])["content_version"] == 4


def path_to(status: ListingStatus) -> list[ListingStatus]:
    """The shortest chain of allowed transitions from `imported` to `status`."""
    queue = deque([[ListingStatus.IMPORTED]])
    while queue:
        chain = queue.popleft()
        if chain[-1] == status:
            return chain[1:]
        queue.extend(
            [*chain, following]
            for following in sorted(STATUS_TRANSITIONS[chain[-1]])
            if following not in chain
        )
    raise AssertionError(f"{status} is unreachable")


def change_status(client: TestClient, tenant: Tenant, listing_id: str, status: str) -> Any:
    return client.post(
        f"/api/listings/{listing_id}/status", json={"status": status}, headers=tenant.headers
    )


@pytest.mark.parametrize("current", list(ListingStatus), ids=[s.value for s in ListingStatus])
def test_status_transitions_follow_the_lifecycle(
    client: TestClient, tenant: Tenant, current: ListingStatus
) -> None:
    product = create_product(client, tenant)
    account = create_account(client, tenant)
    allowed = STATUS_TRANSITIONS[current]
    for wanted in ListingStatus:
        listing = create_listing(
            client, tenant, product_id=product["id"], marketplace_account_id=account["id"]
        )
        for step in path_to(current):
            assert change_status(client, tenant, listing["id"], step).status_code == 200

        response = change_status(client, tenant, listing["id"], wanted)

        if wanted in allowed or wanted == current:
            assert response.status_code == 200, (current, wanted)
            assert response.json()["status"] == wanted
        else:
            assert response.status_code == 409, (current, wanted)
            assert response.headers["content-type"] == "application/problem+json"
            names = ", ".join(sorted(s.value for s in allowed))
            assert response.json()["detail"] == (
                f"A listing cannot go from {current} to {wanted} (allowed: {names})."
            )
            assert read(client, tenant, listing["id"])["status"] == current


def test_unknown_status_is_422(client: TestClient, tenant: Tenant) -> None:
    listing = create_listing(client, tenant)
    response = change_status(client, tenant, listing["id"], "archived")
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.status"]
    assert read(client, tenant, listing["id"])["status"] == "imported"
