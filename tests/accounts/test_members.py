"""Members and roles of an organization, and choosing the organization with X-Organization-Id."""

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shelfwise.accounts.models import Role
from shelfwise.accounts.repository import AccountsRepository
from shelfwise.platform.context import AppContext
from tests.accounts.conftest import problem
from tests.factories import (
    Tenant,
    add_member,
    create_organization,
    create_tenant,
    create_user,
    login,
    unique,
)

MEMBERS = "/api/organization/members"


def new_email(context: AppContext) -> str:
    email = f"{unique('member')}@example.com"
    create_user(context, email)
    return email


def members(context: AppContext, organization_id: uuid.UUID) -> dict[str, str]:
    """e-mail -> role, read from the database."""
    with context.database.unit_of_work(write=False) as session:
        rows = AccountsRepository(session).members_of(organization_id)
        return {user.email: membership.role.value for membership, user in rows}


def api_key_count(context: AppContext, organization_id: uuid.UUID) -> int:
    with context.database.unit_of_work(write=False) as session:
        return len(AccountsRepository(session).api_keys_of(organization_id))


def member_id(client: TestClient, tenant: Tenant, email: str) -> str:
    listed = client.get(MEMBERS, headers=tenant.headers).json()
    return next(str(m["user_id"]) for m in listed if m["email"] == email)


def test_owner_adds_changes_and_removes_a_member(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    email = new_email(context)
    added = client.post(
        MEMBERS, json={"email": email.upper(), "role": "analyst"}, headers=tenant.headers
    )
    assert added.status_code == 201
    body = added.json()
    assert (body["email"], body["role"]) == (email, "analyst")
    listed = client.get(MEMBERS, headers=tenant.headers).json()
    assert [(m["email"], m["role"]) for m in listed] == [
        (tenant.email, "owner"),
        (email, "analyst"),
    ]

    changed = client.patch(
        f"{MEMBERS}/{body['user_id']}", json={"role": "admin"}, headers=tenant.headers
    )
    assert changed.status_code == 200
    assert changed.json()["role"] == "admin"
    assert members(context, tenant.organization_id) == {tenant.email: "owner", email: "admin"}

    removed = client.delete(f"{MEMBERS}/{body['user_id']}", headers=tenant.headers)
    assert removed.status_code == 204
    assert members(context, tenant.organization_id) == {tenant.email: "owner"}


@pytest.mark.parametrize(
    ("email", "status"),
    [
        pytest.param("nobody-{}@example.com", 404, id="unknown-user"),
        pytest.param("{owner}", 409, id="already-a-member"),
    ],
)
def test_adding_an_unknown_or_existing_member_fails(
    client: TestClient, context: AppContext, tenant: Tenant, email: str, status: int
) -> None:
    address = email.format(uuid.uuid4().hex[:8], owner=tenant.email)
    response = client.post(
        MEMBERS, json={"email": address, "role": "viewer"}, headers=tenant.headers
    )
    assert response.status_code == status
    assert members(context, tenant.organization_id) == {tenant.email: "owner"}


def test_admin_cannot_grant_or_touch_owner(client: TestClient, context: AppContext) -> None:
    admin = create_tenant(context, client, Role.ADMIN)
    before = members(context, admin.organization_id)
    owner_email = next(e for e, role in before.items() if role == "owner")
    owner_id = member_id(client, admin, owner_email)
    candidate = new_email(context)

    attempts = [
        client.post(MEMBERS, json={"email": candidate, "role": "owner"}, headers=admin.headers),
        client.patch(f"{MEMBERS}/{owner_id}", json={"role": "viewer"}, headers=admin.headers),
        client.delete(f"{MEMBERS}/{owner_id}", headers=admin.headers),
        client.patch(f"{MEMBERS}/{admin.user_id}", json={"role": "owner"}, headers=admin.headers),
    ]
    assert [response.status_code for response in attempts] == [403, 403, 403, 403]
    assert members(context, admin.organization_id) == before

    granted = client.post(
        MEMBERS, json={"email": candidate, "role": "admin"}, headers=admin.headers
    )
    assert granted.status_code == 201
    assert members(context, admin.organization_id) == before | {candidate: "admin"}


def test_last_owner_cannot_be_demoted_or_removed(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    demoted = client.patch(
        f"{MEMBERS}/{tenant.user_id}", json={"role": "admin"}, headers=tenant.headers
    )
    removed = client.delete(f"{MEMBERS}/{tenant.user_id}", headers=tenant.headers)
    for response in (demoted, removed):
        assert response.status_code == 409
        assert problem(response)["detail"] == "An organization keeps at least one owner."
    assert members(context, tenant.organization_id) == {tenant.email: "owner"}

    second = new_email(context)
    client.post(MEMBERS, json={"email": second, "role": "owner"}, headers=tenant.headers)
    stepped_down = client.patch(
        f"{MEMBERS}/{tenant.user_id}", json={"role": "admin"}, headers=tenant.headers
    )
    assert stepped_down.status_code == 200
    assert members(context, tenant.organization_id) == {tenant.email: "admin", second: "owner"}


ADMIN_ROUTES = {
    "add-member": ("POST", MEMBERS, {"email": "{candidate}", "role": "viewer"}),
    "change-role": ("PATCH", MEMBERS + "/{owner_id}", {"role": "viewer"}),
    "remove-member": ("DELETE", MEMBERS + "/{owner_id}", None),
    "create-api-key": ("POST", "/api/api-keys", {"name": "k", "role": "viewer"}),
    "list-api-keys": ("GET", "/api/api-keys", None),
}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST], ids=["viewer", "analyst"])
@pytest.mark.parametrize("route", ADMIN_ROUTES.values(), ids=ADMIN_ROUTES.keys())
def test_viewer_and_analyst_are_refused_admin_routes(
    client: TestClient,
    context: AppContext,
    role: Role,
    route: tuple[str, str, dict[str, Any] | None],
) -> None:
    member = create_tenant(context, client, role)
    before = members(context, member.organization_id)
    owner_email = next(e for e, r in before.items() if r == "owner")
    values = {"candidate": new_email(context), "owner_id": member_id(client, member, owner_email)}
    method, path, body = route
    json = {k: v.format(**values) for k, v in body.items()} if body else None

    response = client.request(method, path.format(**values), json=json, headers=member.headers)
    assert response.status_code == 403
    assert problem(response)["detail"] == "This action needs the admin role or higher."
    assert members(context, member.organization_id) == before
    assert api_key_count(context, member.organization_id) == 0


def test_x_organization_id_selects_among_the_users_organizations(
    client: TestClient, context: AppContext
) -> None:
    # Organization B is older, but the user joins their own organization A first.
    b_owner = new_email(context)
    organization_b = create_organization(context, b_owner, "B")
    email = new_email(context)
    organization_a = create_organization(context, email, "A")
    add_member(context, organization_b, email, Role.VIEWER)
    headers = {"Authorization": f"Bearer {login(client, email)['access_token']}"}

    default = client.get("/api/auth/me", headers=headers).json()
    assert (default["organization_id"], default["role"]) == (str(organization_a), "owner")
    assert [(o["id"], o["name"], o["role"]) for o in default["organizations"]] == [
        (str(organization_a), "A", "owner"),
        (str(organization_b), "B", "viewer"),
    ]
    chosen = client.get(
        "/api/auth/me", headers=headers | {"X-Organization-Id": str(organization_b)}
    ).json()
    assert (chosen["organization_id"], chosen["role"]) == (str(organization_b), "viewer")

    product = {"source_platform": "manual", "source_id": unique("SRC"), "title": "Drill"}
    in_b = client.post(
        "/api/products", json=product, headers=headers | {"X-Organization-Id": str(organization_b)}
    )
    assert in_b.status_code == 403  # a viewer there
    in_a = client.post("/api/products", json=product, headers=headers)
    assert in_a.status_code == 201  # the owner here
    listed_b = client.get(
        "/api/products", headers=headers | {"X-Organization-Id": str(organization_b)}
    ).json()
    assert listed_b["items"] == []


@pytest.mark.parametrize("organization", ["other", "random"])
def test_x_organization_id_of_a_foreign_organization_is_401(
    client: TestClient, tenant: Tenant, other_tenant: Tenant, organization: str
) -> None:
    value = other_tenant.organization_id if organization == "other" else uuid.uuid4()
    response = client.get(
        "/api/auth/me", headers=tenant.headers | {"X-Organization-Id": str(value)}
    )
    assert response.status_code == 401
    assert problem(response)["detail"] == "You are not a member of that organization."


@pytest.mark.parametrize("value", ["not-a-uuid", "1234", "{tenant}x"])
def test_malformed_x_organization_id_is_422(client: TestClient, tenant: Tenant, value: str) -> None:
    header = value.format(tenant=tenant.organization_id)
    response = client.get("/api/auth/me", headers=tenant.headers | {"X-Organization-Id": header})
    assert response.status_code == 422
    assert problem(response)["errors"] == [
        {"field": "header.X-Organization-Id", "message": "not a UUID"}
    ]


def test_creating_an_organization_makes_you_its_owner(client: TestClient, tenant: Tenant) -> None:
    created = client.post(
        "/api/organizations", json={"name": "  Second shop "}, headers=tenant.headers
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["role"]) == ("Second shop", "owner")
    who = client.get("/api/auth/me", headers=tenant.headers).json()
    assert who["organization_id"] == str(tenant.organization_id)  # still the first joined
    assert [o["id"] for o in who["organizations"]] == [str(tenant.organization_id), body["id"]]
    chosen = client.get(
        "/api/organization/members", headers=tenant.headers | {"X-Organization-Id": body["id"]}
    )
    assert [(m["email"], m["role"]) for m in chosen.json()] == [(tenant.email, "owner")]


def test_role_changes_and_removal_apply_to_live_tokens_at_once(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    email = new_email(context)
    client.post(MEMBERS, json={"email": email, "role": "analyst"}, headers=tenant.headers)
    member_headers = {"Authorization": f"Bearer {login(client, email)['access_token']}"}
    member = member_id(client, tenant, email)
    product = {"source_platform": "manual", "source_id": unique("SRC"), "title": "Drill"}

    client.patch(f"{MEMBERS}/{member}", json={"role": "viewer"}, headers=tenant.headers)
    assert client.post("/api/products", json=product, headers=member_headers).status_code == 403
    client.delete(f"{MEMBERS}/{member}", headers=tenant.headers)
    response = client.get("/api/products", headers=member_headers)
    assert response.status_code == 401
    assert problem(response)["detail"] == "Missing, invalid or expired credentials."
    listed = client.get("/api/products", headers=tenant.headers).json()
    assert listed["items"] == []
