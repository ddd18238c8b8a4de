"""Proposals through the API: propose, approve, reject, roll back, history, permissions, batch."""

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from shelfwise.accounts.models import Role
from shelfwise.catalog.models import Listing
from shelfwise.intelligence.content import ProposedContent
from shelfwise.intelligence.rewrite import Scope
from shelfwise.intelligence.score_service import content_of, score
from shelfwise.intelligence.scoring import score_listing
from shelfwise.intelligence.service import ProposalService
from shelfwise.jobs.models import Job, JobItemError, JobStatus
from shelfwise.jobs.runtime import JobRunner
from shelfwise.platform.actor import Actor
from shelfwise.platform.context import AppContext
from tests.apps import client_with
from tests.factories import (
    Tenant,
    add_member,
    create_credential,
    create_listing,
    create_product,
    create_tenant,
    create_user,
    login,
    unique,
)
from tests.fakes.openai.server import FakeOpenAI, Reply

TITLE = "ACME Electric Kettle 1.7L!!! kettle kettle kettle"
# Brand spelled as the product has it, "kettle" twice at most, key attributes appended.
# The quality score of the listing before, and with the offline proposal (two bullets from its
# attributes, the brand first in the title), the product's brand counted as in the listing's score.
SCORE_BEFORE, SCORE_AFTER = 25, 53
OFFLINE_TITLE = "Acme Electric Kettle 1.7L kettle, Stainless steel, 1.7 L"


def make_listing(client: TestClient, tenant: Tenant, **overrides: Any) -> dict[str, Any]:
    product = create_product(client, tenant, brand="Acme", title="Acme kettle")
    return create_listing(
        client,
        tenant,
        product_id=product["id"],
        title=TITLE,
        bullets=[],
        description="A kettle.",
        attributes={"capacity": "1.7 L", "material": "Stainless steel"},
        **overrides,
    )


def audit_actions(client: TestClient, tenant: Tenant, entity_id: str) -> list[str]:
    page = client.get("/api/audit?limit=200", headers=tenant.headers).json()
    return [entry["action"] for entry in reversed(page["items"]) if entry["entity_id"] == entity_id]


def propose(client: TestClient, tenant: Tenant, listing_id: str, path: str = "optimize") -> Any:
    response = client.post(f"/api/ai/{path}/{listing_id}", headers=tenant.headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_offline_proposal_has_diff_and_does_not_change_the_listing(
    client: TestClient, tenant: Tenant
) -> None:
    listing = make_listing(client, tenant)

    proposal = propose(client, tenant, listing["id"])

    assert proposal["status"] == "proposed"
    assert proposal["source"] == "offline"
    assert proposal["model"] is None and proposal["prompt_version"] is None
    assert proposal["fallback_reason"] is None
    assert proposal["scope"] == "all"
    assert proposal["base_version"] == 1
    assert proposal["title"] == OFFLINE_TITLE
    assert proposal["bullets"] == ["Capacity: 1.7 L", "Material: Stainless steel"]
    assert proposal["description"] == "A kettle."
    assert (proposal["score_before"], proposal["score_after"]) == (SCORE_BEFORE, SCORE_AFTER)
    title_diff = proposal["diff"][0]
    assert title_diff["field"] == "title" and title_diff["changed"] is True
    assert title_diff["segments"][:2] == [
        {"op": "delete", "text": "ACME"},
        {"op": "insert", "text": "Acme"},
    ]
    assert [field["field"] for field in proposal["diff"]] == ["title", "bullets", "description"]
    assert proposal["diff"][2]["changed"] is False
    after = client.get(f"/api/listings/{listing['id']}", headers=tenant.headers).json()
    assert after["title"] == TITLE and after["content_version"] == 1
    assert audit_actions(client, tenant, proposal["id"]) == ["content_proposal.created"]


def test_title_and_description_scopes(client: TestClient, tenant: Tenant) -> None:
    listing = make_listing(client, tenant)

    title_only = propose(client, tenant, listing["id"], "optimize-title")
    description_only = propose(client, tenant, listing["id"], "optimize-description")

    assert title_only["scope"] == "title" and title_only["bullets"] == []
    assert title_only["title"] == OFFLINE_TITLE
    assert description_only["scope"] == "description"
    assert description_only["title"] == TITLE
    assert description_only["description"] == "A kettle."


def test_approve_applies_a_new_version_and_rollback_restores_the_old(
    client: TestClient, tenant: Tenant
) -> None:
    listing = make_listing(client, tenant)
    proposal = propose(client, tenant, listing["id"])

    approved = client.post(
        f"/api/ai/proposals/{proposal['id']}/approve",
        json={"note": "reads better"},
        headers=tenant.headers,
    )

    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved"
    assert body["applied_version"] == 2
    assert body["decision_note"] == "reads better"
    assert body["decided_by"] == f"user:{tenant.user_id}"
    current = client.get(f"/api/listings/{listing['id']}", headers=tenant.headers).json()
    assert current["title"] == proposal["title"]
    assert current["bullets"] == proposal["bullets"]
    assert current["content_version"] == 2
    assert current["status"] == "optimized"
    versions = client.get(f"/api/listings/{listing['id']}/versions", headers=tenant.headers).json()
    assert [(v["version"], v["origin"]) for v in versions] == [(2, "ai"), (1, "create")]
    assert versions[0]["note"] == f"AI proposal {proposal['id']} (offline)"
    assert audit_actions(client, tenant, proposal["id"]) == [
        "content_proposal.created",
        "content_proposal.approved",
    ]
    assert audit_actions(client, tenant, listing["id"]) == [
        "listing.created",
        "listing.status_changed",
        "listing.status_changed",
        "listing.updated",
    ]

    rolled_back = client.post(
        f"/api/listings/{listing['id']}/revert", json={"version": 1}, headers=tenant.headers
    )

    assert rolled_back.status_code == 200, rolled_back.text
    assert rolled_back.json()["title"] == TITLE
    assert rolled_back.json()["content_version"] == 3
    assert audit_actions(client, tenant, listing["id"])[-1] == "listing.reverted"
    again = client.post(
        f"/api/ai/proposals/{proposal['id']}/approve", json={}, headers=tenant.headers
    )
    assert again.status_code == 409
    history = client.get(
        f"/api/ai/proposals?listing_id={listing['id']}", headers=tenant.headers
    ).json()
    assert [(item["id"], item["status"]) for item in history] == [(proposal["id"], "approved")]


def test_reject_is_recorded_and_changes_nothing(client: TestClient, tenant: Tenant) -> None:
    listing = make_listing(client, tenant)
    first = propose(client, tenant, listing["id"])
    second = propose(client, tenant, listing["id"], "optimize-title")

    rejected = client.post(
        f"/api/ai/proposals/{first['id']}/reject", json={"note": "too long"}, headers=tenant.headers
    )

    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["applied_version"] is None
    current = client.get(f"/api/listings/{listing['id']}", headers=tenant.headers).json()
    assert current["content_version"] == 1 and current["status"] == "imported"
    assert audit_actions(client, tenant, first["id"]) == [
        "content_proposal.created",
        "content_proposal.rejected",
    ]
    history = client.get(
        f"/api/ai/proposals?listing_id={listing['id']}", headers=tenant.headers
    ).json()
    assert [(item["id"], item["status"]) for item in history] == [
        (second["id"], "proposed"),
        (first["id"], "rejected"),
    ]
    refused = client.post(
        f"/api/ai/proposals/{first['id']}/approve", json={}, headers=tenant.headers
    )
    assert refused.status_code == 409


def test_a_proposal_of_an_older_version_cannot_be_approved(
    client: TestClient, tenant: Tenant
) -> None:
    listing = make_listing(client, tenant)
    proposal = propose(client, tenant, listing["id"])
    edited = client.patch(
        f"/api/listings/{listing['id']}", json={"title": "Edited by hand"}, headers=tenant.headers
    )
    assert edited.status_code == 200

    refused = client.post(
        f"/api/ai/proposals/{proposal['id']}/approve", json={}, headers=tenant.headers
    )

    assert refused.status_code == 409
    assert "make a new proposal" in refused.json()["detail"]
    current = client.get(f"/api/listings/{listing['id']}", headers=tenant.headers).json()
    assert current["title"] == "Edited by hand" and current["content_version"] == 2


@pytest.mark.parametrize("role", [Role.VIEWER, Role.ANALYST], ids=["viewer", "analyst"])
def test_only_admins_decide(
    client: TestClient, context: AppContext, tenant: Tenant, role: Role
) -> None:
    listing = make_listing(client, tenant)
    proposal = propose(client, tenant, listing["id"])
    email = f"{unique(role.value)}@example.com"
    create_user(context, email)
    add_member(context, tenant.organization_id, email, role)
    token = login(client, email)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "X-Organization-Id": str(tenant.organization_id)}

    for action in ("approve", "reject"):
        response = client.post(
            f"/api/ai/proposals/{proposal['id']}/{action}", json={}, headers=headers
        )
        assert response.status_code == 403, response.text
    unchanged = client.get(f"/api/ai/proposals/{proposal['id']}", headers=tenant.headers).json()
    assert unchanged == proposal
    current = client.get(f"/api/listings/{listing['id']}", headers=tenant.headers).json()
    assert current["content_version"] == 1
    assert audit_actions(client, tenant, proposal["id"]) == ["content_proposal.created"]


def test_another_organization_gets_404(
    client: TestClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    listing = make_listing(client, tenant)
    proposal = propose(client, tenant, listing["id"])

    for method, url in [
        ("POST", f"/api/ai/optimize/{listing['id']}"),
        ("GET", f"/api/ai/proposals/{proposal['id']}"),
        ("GET", f"/api/ai/proposals?listing_id={listing['id']}"),
        ("POST", f"/api/ai/proposals/{proposal['id']}/approve"),
        ("POST", f"/api/ai/proposals/{proposal['id']}/reject"),
    ]:
        body = {} if method == "POST" and "proposals" in url else None
        response = client.request(method, url, json=body, headers=other_tenant.headers)
        assert response.status_code == 404, f"{url}: {response.text}"
    assert client.get("/api/ai/proposals", headers=other_tenant.headers).json() == []
    unchanged = client.get(f"/api/ai/proposals/{proposal['id']}", headers=tenant.headers).json()
    assert unchanged == proposal


def run_job(context: AppContext, job_id: str) -> tuple[Job, list[JobItemError]]:
    JobRunner(context.database, context.settings).execute(job_id)
    with context.database.unit_of_work(write=False) as session:
        job = session.get(Job, uuid.UUID(job_id))
        assert job is not None
        errors = list(session.scalars(select(JobItemError).where(JobItemError.job_id == job.id)))
        session.expunge_all()
        return job, errors


def test_batch_job_proposes_for_each_listing_with_progress(
    client: TestClient, context: AppContext, tenant: Tenant
) -> None:
    listings = [make_listing(client, tenant) for _ in range(3)]
    missing = str(uuid.uuid4())
    ids = [listing["id"] for listing in listings]

    queued = client.post(
        "/api/ai/batch-optimize",
        json={"listing_ids": [*ids, missing], "scope": "title"},
        headers=tenant.headers,
    )

    assert queued.status_code == 202, queued.text
    assert queued.json()["kind"] == "intelligence.batch_optimize"
    assert queued.json()["progress"]["total"] == 4
    job, errors = run_job(context, queued.json()["id"])
    assert job.status is JobStatus.SUCCEEDED
    assert (job.progress_done, job.progress_total) == (4, 4)
    assert job.result == {"listings": 4, "proposed": 3, "failed": 1}
    assert [(error.item, error.message) for error in errors] == [(missing, "No such listing.")]
    for listing_id in ids:
        history = client.get(f"/api/ai/proposals?listing_id={listing_id}", headers=tenant.headers)
        assert [(item["scope"], item["created_by"]) for item in history.json()] == [
            ("title", "automation:intelligence.batch_optimize")
        ]


def test_batch_by_filter_and_its_validation(client: TestClient, tenant: Tenant) -> None:
    make_listing(client, tenant)
    make_listing(client, tenant)

    by_filter = client.post(
        "/api/ai/batch-optimize", json={"status": "imported"}, headers=tenant.headers
    )
    neither = client.post("/api/ai/batch-optimize", json={}, headers=tenant.headers)
    both = client.post(
        "/api/ai/batch-optimize",
        json={"listing_ids": [str(uuid.uuid4())], "status": "imported"},
        headers=tenant.headers,
    )

    assert by_filter.status_code == 202, by_filter.text
    assert by_filter.json()["progress"]["total"] == 2
    assert neither.status_code == 422 and both.status_code == 422


def test_scores_before_and_after_come_from_the_scorer(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    listing = make_listing(client, tenant)

    def length_score(session: Session, listing: Listing, content: ProposedContent) -> int:
        assert listing.marketplace == "amazon.co.uk"
        return min(100, len(content.title) // 2 + 10 * len(content.bullets))

    service = ProposalService(scorer=length_score)
    who = _Who(tenant.organization_id, Actor("user", str(tenant.user_id)))
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        made = service.propose(session, who, uuid.UUID(listing["id"]), Scope.ALL, None)
        scores = (made.score_before, made.score_after)

    assert scores == (len(TITLE) // 2, len(OFFLINE_TITLE) // 2 + 20)


def test_scores_before_and_after_are_the_quality_score_by_default(
    context: AppContext, client: TestClient, tenant: Tenant
) -> None:
    listing = make_listing(client, tenant)
    who = _Who(tenant.organization_id, Actor("user", str(tenant.user_id)))
    with context.database.unit_of_work(organization_id=tenant.organization_id) as session:
        made = ProposalService().propose(session, who, uuid.UUID(listing["id"]), Scope.ALL, None)
        stored, product = score.listing(session, tenant.organization_id, uuid.UUID(listing["id"]))
        expected_before = score.current(session, tenant.organization_id, stored.id).score
        proposed = replace(
            content_of(stored, product),
            title=made.title,
            bullets=tuple(made.bullets),
            description=made.description or "",
        )
        expected_after = score_listing(proposed, "amazon.co.uk").score
        scores = (made.score_before, made.score_after)
    assert scores == (expected_before, expected_after)
    assert 0 <= expected_before <= 100 and 0 <= expected_after <= 100


class _Who:
    def __init__(self, organization_id: uuid.UUID, actor: Actor) -> None:
        self.organization_id = organization_id
        self.actor = actor


@pytest.fixture
def model_server() -> Iterator[FakeOpenAI]:
    answer = {
        "title": "Acme Electric Kettle 1.7L, Stainless Steel",
        "bullets": ["Holds 1.7 L", "Stainless steel body"],
        "description": "An electric kettle of stainless steel.",
    }
    with FakeOpenAI(content=orjson.dumps(answer).decode()) as server:
        yield server


def test_an_organizations_model_writes_the_proposal(
    context: AppContext, model_server: FakeOpenAI
) -> None:
    overrides = {
        "llm_allow_private_hosts": True,
        "vendor_backoff_base": timedelta(milliseconds=1),
        "llm_timeout": timedelta(seconds=2),
    }
    with client_with(context, **overrides) as app:
        owner = create_tenant(context, app)
        credential = create_credential(
            app,
            owner,
            kind="llm",
            secrets={
                "base_url": model_server.url,
                "model": "gpt-4o-mini",
                "api_key": "sk-test-key",
            },
        )
        listing = make_listing(app, owner)

        proposal = propose(app, owner, listing["id"])
        model_server.queue(Reply(status=401))
        fallback = propose(app, owner, listing["id"], "optimize-title")

    assert credential["masked"]["api_key"] == "••••"
    assert proposal["source"] == "llm"
    assert proposal["model"] == "gpt-4o-mini"
    assert proposal["prompt_version"] == "rewrite_listing.v1"
    assert proposal["title"] == "Acme Electric Kettle 1.7L, Stainless Steel"
    assert proposal["bullets"] == ["Holds 1.7 L", "Stainless steel body"]
    assert proposal["validation_notes"] == []
    assert fallback["source"] == "offline"
    assert fallback["fallback_reason"].startswith("ModelCredentialError")
    assert "sk-test-key" not in str(fallback)
    assert len(model_server.requests) == 2


def test_a_listing_being_published_cannot_take_a_proposal(
    client: TestClient, tenant: Tenant
) -> None:
    listing = make_listing(client, tenant)
    proposal = propose(client, tenant, listing["id"])
    moved = client.post(
        f"/api/listings/{listing['id']}/status",
        json={"status": "publishing"},
        headers=tenant.headers,
    )
    assert moved.status_code == 200, moved.text

    refused = client.post(
        f"/api/ai/proposals/{proposal['id']}/approve", json={}, headers=tenant.headers
    )

    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("A listing cannot go from publishing to optimizing")
    current = client.get(f"/api/listings/{listing['id']}", headers=tenant.headers).json()
    assert (current["status"], current["content_version"]) == ("publishing", 1)
    still = client.get(f"/api/ai/proposals/{proposal['id']}", headers=tenant.headers).json()
    assert still["status"] == "proposed"


def test_an_invalid_llm_credential_is_a_clear_409(client: TestClient, tenant: Tenant) -> None:
    listing = make_listing(client, tenant)
    create_credential(
        client,
        tenant,
        name="Broken model",
        kind="llm",
        secrets={"base_url": "ftp://models.example.com", "api_key": "sk-secret-value"},
    )

    response = client.post(f"/api/ai/optimize/{listing['id']}", headers=tenant.headers)

    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert detail.startswith('The credential "Broken model" is not a valid llm credential')
    assert "base_url: Value error, must be an http:// or https:// URL" in detail
    assert "model: Field required" in detail
    assert "sk-secret-value" not in response.text
    history = client.get(f"/api/ai/proposals?listing_id={listing['id']}", headers=tenant.headers)
    assert history.json() == []
