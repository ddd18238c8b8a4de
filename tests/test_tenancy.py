"""Tenant isolation through the API (A3) and in the schema's keys (A4).

A3 is generated from the OpenAPI document: every route with a path parameter is called by another
organization with real ids of organization A, so a new route is covered as soon as it exists (and
this file fails until the resolver below knows its parameters and body).
"""

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shelfwise.accounts.models import Role
from shelfwise.accounts.principal import Principal
from shelfwise.catalog.models import (
    Listing,
    ListingContentVersion,
    MarketplaceAccount,
    Platform,
)
from shelfwise.jobs.models import Job, JobStatus
from shelfwise.jobs.service import enqueue, jobs
from shelfwise.market.service import start_sync
from shelfwise.platform.context import AppContext
from tests.factories import (
    Tenant,
    add_member,
    create_account,
    create_credential,
    create_listing,
    create_product,
    create_tenant,
    create_user,
    create_webhook_source,
    post_webhook,
    unique,
)

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PATH_PARAMETER = re.compile(r"{([^}]+)}")


@dataclass(frozen=True)
class World:
    """Organization A and one real object of every kind an id in a route can name."""

    owner: Tenant
    product_id: str
    account_id: str
    listing_id: str
    credential_id: str
    api_key_id: str
    member_user_id: str
    job_id: str
    webhook_source_id: str
    secret_id: str
    webhook_event_id: str
    import_id: str
    mapping_id: str
    watched_asin: str
    sync_run_id: str
    proposal_id: str


# Path parameter name -> its value in organization A's world. A route with a parameter that is not
# here fails test_a3_every_id_route_is_known: add the parameter (and an object in build_world).
PATH_VALUES: dict[str, Callable[[World], str]] = {
    "product_id": lambda world: world.product_id,
    "account_id": lambda world: world.account_id,
    "listing_id": lambda world: world.listing_id,
    "credential_id": lambda world: world.credential_id,
    "api_key_id": lambda world: world.api_key_id,
    "user_id": lambda world: world.member_user_id,
    "version": lambda world: "1",
    "job_id": lambda world: world.job_id,
    "webhook_source_id": lambda world: world.webhook_source_id,
    "secret_id": lambda world: world.secret_id,
    "webhook_event_id": lambda world: world.webhook_event_id,
    "import_id": lambda world: world.import_id,
    "mapping_id": lambda world: world.mapping_id,
    "asin": lambda world: world.watched_asin,
    "run_id": lambda world: world.sync_run_id,
    "proposal_id": lambda world: world.proposal_id,
}
# Required query parameters of id routes: valid for organization A's objects.
QUERY_VALUES: dict[str, str] = {"from": "1", "to": "2"}
# A valid body for every id route that takes one: the request would succeed for organization A,
# so another organization's 404 can only come from tenant scoping.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/organization/members/{user_id}"): {"role": "viewer"},
    ("PATCH", "/api/products/{product_id}"): {"title": "Renamed by another organization"},
    ("PATCH", "/api/marketplace-accounts/{account_id}"): {"name": "Renamed elsewhere"},
    ("PATCH", "/api/listings/{listing_id}"): {"title": "Renamed by another organization"},
    ("POST", "/api/listings/{listing_id}/status"): {"status": "optimizing"},
    ("POST", "/api/listings/{listing_id}/revert"): {"version": 1},
    ("PUT", "/api/credentials/{credential_id}/secrets"): {
        "secrets": {"client_secret": "replaced-by-another-organization"}
    },
    ("PATCH", "/api/webhook-sources/{webhook_source_id}"): {"name": "Renamed elsewhere"},
    ("POST", "/api/marketplace-accounts/{account_id}/sync"): {"dataset": "offers"},
    ("POST", "/api/marketplace-accounts/{account_id}/watched-asins"): {"asin": "B0WATCHED2"},
    ("POST", "/api/ai/proposals/{proposal_id}/approve"): {"note": "approved elsewhere"},
    ("POST", "/api/ai/proposals/{proposal_id}/reject"): {"note": "rejected elsewhere"},
}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    parameters: tuple[str, ...]
    required_query: tuple[str, ...]
    has_body: bool

    @property
    def key(self) -> tuple[str, str]:
        return self.method, self.path

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def id_operations(document: dict[str, Any]) -> list[Operation]:
    """Every operation of the OpenAPI document whose path takes a parameter."""
    operations = []
    for path, item in document["paths"].items():
        parameters = tuple(PATH_PARAMETER.findall(path))
        if not parameters:
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            required_query = tuple(
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "query" and parameter.get("required")
            )
            operations.append(
                Operation(
                    method.upper(), path, parameters, required_query, "requestBody" in operation
                )
            )
    return operations


def create_job(context: AppContext, owner: Tenant) -> str:
    """A job of `owner`'s organization, cancelled in the transaction that queued it: no worker
    (of another test) ever sees it queued, and its progress stream ends at once."""
    principal = Principal(owner.organization_id, Role.OWNER, user_id=owner.user_id)
    with context.database.unit_of_work(organization_id=owner.organization_id) as session:
        job_id = enqueue(session, "jobs.purge_finished", organization_id=owner.organization_id)
        assert job_id is not None
        jobs.cancel(session, principal, job_id)
    return str(job_id)


def cancel_job(context: AppContext, world: World) -> None:
    """Leave no queued job behind (a retry or a webhook replay queues one)."""
    organization_id = world.owner.organization_id
    principal = Principal(organization_id, Role.OWNER, user_id=world.owner.user_id)
    with context.database.unit_of_work(organization_id=organization_id) as session:
        unfinished = session.scalars(
            select(Job.id).where(
                Job.organization_id == organization_id,
                Job.status.in_([JobStatus.QUEUED, JobStatus.RUNNING]),
            )
        )
        for job_id in list(unfinished):
            jobs.cancel(session, principal, job_id)


def build_world(context: AppContext, client: TestClient) -> World:
    owner = create_tenant(context, client)
    credential = create_credential(client, owner)
    account = create_account(client, owner, credential_id=credential["id"])
    product = create_product(client, owner)
    listing = create_listing(
        client, owner, product_id=product["id"], marketplace_account_id=account["id"]
    )
    edited = client.patch(
        f"/api/listings/{listing['id']}",
        json={"title": "Bosch Professional Drill, second wording"},
        headers=owner.headers,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["content_version"] == 2
    api_key = client.post(
        "/api/api-keys", json={"name": "exporter", "role": "viewer"}, headers=owner.headers
    )
    assert api_key.status_code == 201, api_key.text
    member_email = f"{unique('member')}@example.com"
    member_user_id = create_user(context, member_email)
    add_member(context, owner.organization_id, member_email, Role.ANALYST)
    source = create_webhook_source(client, owner)
    second_secret = client.post(
        f"/api/webhook-sources/{source['id']}/secrets", headers=owner.headers
    )
    assert second_secret.status_code == 201, second_secret.text
    delivery = post_webhook(client, source, b'{"source_id": "W-1"}')
    assert delivery.status_code == 202, delivery.text
    imported = client.post(
        "/api/import/file",
        headers=owner.headers,
        files={"file": ("p.csv", b"id,title\r\nI-1,Imported drill\r\n", "text/csv")},
        data={"save_mapping": "true"},
    )
    assert imported.status_code == 202, imported.text
    mappings = read(client, owner, "/api/import/mappings")
    watched = client.post(
        f"/api/marketplace-accounts/{account['id']}/watched-asins",
        json={"asin": "B0WATCHED1"},
        headers=owner.headers,
    )
    assert watched.status_code == 201, watched.text
    with context.database.unit_of_work(organization_id=owner.organization_id) as session:
        run = start_sync(
            session, owner.organization_id, uuid.UUID(account["id"]), "offers", "manual"
        )
        sync_run_id = str(run.id)
    proposal = client.post(f"/api/ai/optimize/{listing['id']}", headers=owner.headers)
    assert proposal.status_code == 201, proposal.text
    world = World(
        owner=owner,
        product_id=product["id"],
        account_id=account["id"],
        listing_id=listing["id"],
        credential_id=credential["id"],
        api_key_id=api_key.json()["id"],
        member_user_id=str(member_user_id),
        job_id=create_job(context, owner),
        webhook_source_id=source["id"],
        secret_id=second_secret.json()["secret_id"],
        webhook_event_id=delivery.json()["id"],
        import_id=imported.json()["id"],
        mapping_id=mappings[0]["id"],
        watched_asin="B0WATCHED1",
        sync_run_id=sync_run_id,
        proposal_id=proposal.json()["id"],
    )
    cancel_job(context, world)  # the delivery's processing job
    return world


def send(client: TestClient, operation: Operation, world: World, tenant: Tenant) -> Any:
    url = operation.path
    for name in operation.parameters:
        url = url.replace(f"{{{name}}}", PATH_VALUES[name](world))
    query = {name: QUERY_VALUES[name] for name in operation.required_query}
    body = BODIES[operation.key] if operation.has_body else None
    return client.request(operation.method, url, params=query, json=body, headers=tenant.headers)


def read(client: TestClient, tenant: Tenant, url: str) -> Any:
    response = client.get(url, headers=tenant.headers)
    assert response.status_code == 200, f"{url}: {response.text}"
    return response.json()


def audit_count(client: TestClient, tenant: Tenant) -> int:
    page = read(client, tenant, "/api/audit?limit=200")
    assert page["next_cursor"] is None
    return len(page["items"])


# Where organization A reads the object a path parameter names (lists for objects without a GET).
SNAPSHOT_URLS: dict[str, tuple[str, ...]] = {
    "product_id": ("/api/products/{product_id}",),
    "account_id": ("/api/marketplace-accounts/{account_id}",),
    "listing_id": (
        "/api/listings/{listing_id}",
        "/api/listings/{listing_id}/versions",
        "/api/ai/proposals?listing_id={listing_id}",
    ),
    "credential_id": ("/api/credentials/{credential_id}",),
    "api_key_id": ("/api/api-keys",),
    "user_id": ("/api/organization/members",),
    "version": ("/api/listings/{listing_id}/versions/{version}",),
    "job_id": ("/api/jobs/{job_id}",),
    "webhook_source_id": ("/api/webhook-sources/{webhook_source_id}",),
    "secret_id": ("/api/webhook-sources/{webhook_source_id}",),
    "webhook_event_id": ("/api/webhook-events",),
    "import_id": ("/api/import/job/{import_id}", "/api/import/job/{import_id}/errors"),
    "mapping_id": ("/api/import/mappings",),
    "asin": ("/api/marketplace-accounts/{account_id}/watched-asins",),
    "run_id": ("/api/marketplace-accounts/{account_id}/sync/runs",),
    "proposal_id": ("/api/ai/proposals/{proposal_id}",),
}


def snapshot(client: TestClient, world: World, parameters: Iterable[str]) -> dict[str, Any]:
    """Organization A's view, with its own token, of the objects `parameters` name."""
    values = {name: function(world) for name, function in PATH_VALUES.items()}
    urls = {url for name in parameters for url in SNAPSHOT_URLS[name]}
    state = {url: read(client, world.owner, url.format(**values)) for url in sorted(urls)}
    return state | {"audit entries": audit_count(client, world.owner)}


def test_a3_every_id_route_is_known(client: TestClient) -> None:
    operations = id_operations(client.app.openapi())  # type: ignore[attr-defined]
    assert len(operations) >= 20
    parameters = {name for operation in operations for name in operation.parameters}
    assert parameters - PATH_VALUES.keys() == set(), "teach PATH_VALUES/build_world these ids"
    assert parameters - SNAPSHOT_URLS.keys() == set(), "teach SNAPSHOT_URLS these ids"
    queries = {name for operation in operations for name in operation.required_query}
    assert queries - QUERY_VALUES.keys() == set(), "teach QUERY_VALUES these query parameters"
    with_body = {operation.key for operation in operations if operation.has_body}
    assert with_body - BODIES.keys() == set(), "add a valid body for these routes to BODIES"
    assert BODIES.keys() - with_body == set(), "these BODIES entries name no route any more"


def check_other_organization_gets_404(
    client: TestClient,
    subtests: pytest.Subtests,
    operations: list[Operation],
    world: World,
    intruder: Tenant,
) -> None:
    baseline = snapshot(client, world, SNAPSHOT_URLS)
    intruder_audit = audit_count(client, intruder)
    for operation in operations:
        with subtests.test(msg=operation.label):
            response = send(client, operation, world, intruder)
            after = snapshot(client, world, operation.parameters)
            before = {key: baseline[key] for key in after}
            baseline |= after  # a failure here must not fail the routes after it
            assert response.status_code == 404, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["status"] == 404
            assert after == before
    assert audit_count(client, intruder) == intruder_audit


def test_a3_other_organization_gets_404_and_nothing_changes(
    client: TestClient, context: AppContext, subtests: pytest.Subtests
) -> None:
    operations = id_operations(client.app.openapi())  # type: ignore[attr-defined]
    intruder = create_tenant(context, client, Role.OWNER)
    check_other_organization_gets_404(
        client, subtests, operations, build_world(context, client), intruder
    )


def test_a3_other_organizations_admin_cannot_manage_members(
    client: TestClient, context: AppContext, subtests: pytest.Subtests
) -> None:
    operations = [
        operation
        for operation in id_operations(client.app.openapi())  # type: ignore[attr-defined]
        if "user_id" in operation.parameters
    ]
    assert {operation.method for operation in operations} == {"PATCH", "DELETE"}
    intruder = create_tenant(context, client, Role.ADMIN)
    check_other_organization_gets_404(
        client, subtests, operations, build_world(context, client), intruder
    )


def test_a3_the_same_requests_succeed_for_the_owning_organization(
    client: TestClient, context: AppContext, subtests: pytest.Subtests
) -> None:
    """The control for the tests above: the generated requests name real objects of A."""
    operations = id_operations(client.app.openapi())  # type: ignore[attr-defined]
    # Reads first, then changes; a deletion may cascade, so each gets a world of its own.
    order = {"GET": 0, "DELETE": 2}  # other methods: 1
    operations.sort(key=lambda operation: order.get(operation.method, 1))
    shared = build_world(context, client)
    try:
        for operation in operations:
            with subtests.test(msg=operation.label):
                world = build_world(context, client) if operation.method == "DELETE" else shared
                response = send(client, operation, world, world.owner)
                # 409: found, but in a state the change does not apply to (a cancelled job
                # cannot be cancelled again). Either way the id named A's real object.
                assert response.status_code in (200, 201, 202, 204, 409), response.text
    finally:
        cancel_job(context, shared)


# A4
def test_a4_two_organizations_can_hold_the_same_identifiers(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    for owner in (tenant, other_tenant):
        product = create_product(
            client, owner, source_platform="allegro", source_id="SHARED-1", asin="B0CHX1W1XY"
        )
        account = create_account(client, owner, seller_id="SELLER-SHARED")
        listing = create_listing(
            client,
            owner,
            product_id=product["id"],
            marketplace_account_id=account["id"],
            sku="SKU-SHARED",
            asin="B0CHX1W1XY",
        )
        assert (product["source_id"], product["asin"]) == ("SHARED-1", "B0CHX1W1XY")
        assert (listing["sku"], listing["asin"]) == ("SKU-SHARED", "B0CHX1W1XY")
    for owner in (tenant, other_tenant):
        found = read(client, owner, "/api/products?q=B0CHX1W1XY")["items"]
        assert [item["source_id"] for item in found] == ["SHARED-1"]
        listed = read(client, owner, "/api/listings?q=SKU-SHARED")["items"]
        assert [item["sku"] for item in listed] == ["SKU-SHARED"]


@pytest.mark.parametrize(
    ("foreign_field", "message"),
    [
        ("product_id", "no such product in this organization"),
        ("marketplace_account_id", "no such marketplace account in this organization"),
    ],
    ids=["foreign-product", "foreign-marketplace-account"],
)
def test_a4_listing_cannot_point_at_another_organizations_parent(
    client: TestClient, tenant: Tenant, other_tenant: Tenant, foreign_field: str, message: str
) -> None:
    foreign = {
        "product_id": create_product(client, tenant)["id"],
        "marketplace_account_id": create_account(client, tenant)["id"],
    }
    own = {
        "product_id": create_product(client, other_tenant)["id"],
        "marketplace_account_id": create_account(client, other_tenant)["id"],
    }
    before = (
        read(client, other_tenant, "/api/listings"),
        audit_count(client, other_tenant),
        read(client, tenant, "/api/listings"),
        audit_count(client, tenant),
    )
    body = {
        **own,
        foreign_field: foreign[foreign_field],
        "sku": "CROSS-1",
        "title": "Points across organizations",
    }
    response = client.post("/api/listings", json=body, headers=other_tenant.headers)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": f"body.{foreign_field}", "message": message}]
    after = (
        read(client, other_tenant, "/api/listings"),
        audit_count(client, other_tenant),
        read(client, tenant, "/api/listings"),
        audit_count(client, tenant),
    )
    assert after == before


def _row_pointing_across(kind: str, foreign: dict[str, Any], own: dict[str, Any]) -> Any:
    """A child row of the other organization whose parent belongs to `tenant`."""
    if kind == "listing-to-product":
        return Listing(
            product_id=uuid.UUID(foreign["product_id"]),
            marketplace_account_id=uuid.UUID(own["account_id"]),
            marketplace="amazon.co.uk",
            sku=unique("CROSS"),
            title="Points at another organization's product",
        )
    if kind == "listing-to-marketplace-account":
        return Listing(
            product_id=uuid.UUID(own["product_id"]),
            marketplace_account_id=uuid.UUID(foreign["account_id"]),
            marketplace="amazon.co.uk",
            sku=unique("CROSS"),
            title="Points at another organization's account",
        )
    if kind == "marketplace-account-to-credential":
        return MarketplaceAccount(
            name="Cross",
            platform=Platform.AMAZON,
            marketplace="amazon.co.uk",
            seller_id=unique("S"),
            credential_id=uuid.UUID(foreign["credential_id"]),
        )
    assert kind == "content-version-to-listing"
    return ListingContentVersion(
        listing_id=uuid.UUID(foreign["listing_id"]), version=9, title="T", origin="edit"
    )


@pytest.mark.parametrize(
    "kind",
    [
        "listing-to-product",
        "listing-to-marketplace-account",
        "marketplace-account-to-credential",
        "content-version-to-listing",
    ],
)
def test_a4_composite_foreign_keys_refuse_cross_organization_rows(
    client: TestClient, context: AppContext, tenant: Tenant, other_tenant: Tenant, kind: str
) -> None:
    def objects(owner: Tenant) -> dict[str, Any]:
        listing = create_listing(client, owner)
        return {
            "product_id": listing["product_id"],
            "account_id": listing["marketplace_account_id"],
            "listing_id": listing["id"],
            "credential_id": create_credential(client, owner)["id"],
        }

    foreign, own = objects(tenant), objects(other_tenant)
    row = _row_pointing_across(kind, foreign, own)
    row.organization_id = other_tenant.organization_id
    with (
        pytest.raises(IntegrityError),
        context.database.unit_of_work(organization_id=other_tenant.organization_id) as session,
    ):
        session.add(row)
        session.flush()
    for owner, made in ((tenant, foreign), (other_tenant, own)):
        assert {
            "listings": len(read(client, owner, "/api/listings")["items"]),
            "accounts": len(read(client, owner, "/api/marketplace-accounts")),
            "versions": len(read(client, owner, f"/api/listings/{made['listing_id']}/versions")),
        } == {"listings": 1, "accounts": 1, "versions": 1}
